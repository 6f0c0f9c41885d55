#!/bin/sh
# Installs the Debian packages the build, the image and the tests need, and nothing when all of
# them are there.  Uses sudo when not run as root.
set -eu
PKGS="make gcc gcc-multilib binutils gnu-efi ovmf mtools fdisk qemu-system-x86 libcriterion-dev
      console-setup-linux gzip coreutils clang libclang-rt-14-dev nasm bcc elks-libc mbr dosfstools"
missing=""
for p in $PKGS; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "deps: installing:$missing"
SUDO=""
if [ "$(id -u)" != 0 ]; then
    command -v sudo >/dev/null || { echo "deps: need root or sudo to install:$missing" >&2; exit 1; }
    SUDO=sudo
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
# shellcheck disable=SC2086
$SUDO apt-get install -y -q --no-install-recommends $missing
