#!/bin/sh
# mkimage.sh ESP_DIR IMAGE: writes a GPT disk image with one EFI system partition (FAT32,
# starting at 1 MiB) holding the tree ESP_DIR.  `dd` it to a stick, or boot it under OVMF.
set -eu
[ $# -eq 2 ] || { echo "usage: $0 ESP_DIR IMAGE" >&2; exit 2; }
src=$1 img=$2
SIZE_MB=${SIZE_MB:-64}
mkdir -p "$(dirname "$img")"
tmp=$img.tmp
rm -f "$tmp"
truncate -s "${SIZE_MB}M" "$tmp"
# One partition from sector 2048 to the end: type EFI System.
printf 'label: gpt\nstart=2048, type=C12A7328-F81F-11D2-BA4B-00A0C93EC93B, name="VMM32 ESP"\n' |
    /sbin/sfdisk --quiet "$tmp"
# mformat needs the partition's size in sectors: total minus 2048 at the start and the 33
# sectors of the backup GPT at the end.
sectors=$(( SIZE_MB * 2048 - 2048 - 33 ))
mformat -i "$tmp@@1M" -F -T "$sectors" -v VMM32 ::
# Copy every file under src, creating its directories first (mcopy -s would also do, but this
# keeps the on-disk order stable: sorted paths).
( cd "$src" && find . -mindepth 1 -type d | sort ) | while read -r d; do
    mmd -i "$tmp@@1M" "::${d#.}"
done
( cd "$src" && find . -type f ! -name '.*' | sort ) | while read -r f; do
    mcopy -i "$tmp@@1M" "$src/${f#./}" "::${f#.}"
done
mv "$tmp" "$img"
