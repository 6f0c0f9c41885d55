# vxd.mk: the makefile fragment a VxD's own Makefile includes (docs/vxd-sdk.md).
#
#     VXD  := SAMPLE              # the file made: SAMPLE.VXD
#     SRCS := sample.c            # its C sources (one or more)
#     include /path/to/vmm32/vxd/vxd.mk
#
# `make` builds $(VXD).VXD: each source compiled freestanding for i386, the objects joined
# (ld -r) into one ELF32 relocatable file, which is what the VMM's loader takes.
#
#     V86_SRCS := bios.asm        # real-mode code for the VxD to give VMs (optional)
#
# assembles each NAME.asm with nasm into a flat binary, linked in as read-only data between the
# symbols _binary_NAME_bin_start and _binary_NAME_bin_end.  Set VXD_OUT to
# build elsewhere, VXD_CFLAGS_EXTRA for more flags (e.g. -DDEBUG), and `make install
# ESP=/path/to/esp` copies it into ESP/VMM/VXD/.
VMM32_SDK  ?= $(abspath $(dir $(lastword $(MAKEFILE_LIST)))..)
VXD_OUT    ?= .
CC         ?= gcc
LD         ?= ld
VXD_CFLAGS := -std=gnu11 -O2 -Wall -Wextra -Werror -m32 -march=i686 -ffreestanding -fno-pic \
              -fno-pie -fno-common -fno-stack-protector -mgeneral-regs-only \
              -fno-asynchronous-unwind-tables -fno-builtin -I$(VMM32_SDK)/include \
              $(VXD_CFLAGS_EXTRA)
VXD_OBJS   := $(SRCS:%.c=$(VXD_OUT)/%.o) $(V86_SRCS:%.asm=$(VXD_OUT)/%.bin.o)

all: $(VXD_OUT)/$(VXD).VXD

# What a VxD may leave undefined: the functions gcc may call by itself, which the VMM's loader
# links (and the VMM_ names its default devices use).  Anything else -- __udivdi3 and friends
# for 64-bit division, a C library function -- would be refused at boot: refuse it here.
VXD_LINKABLE := memcpy|memmove|memset|memcmp|strlen|VMM_[A-Za-z0-9_]+

$(VXD_OUT)/$(VXD).VXD: $(VXD_OBJS)
	$(LD) -m elf_i386 -r -o $@ $^
	@bad=$$(nm -u $@ | awk '{ print $$2 }' | grep -vxE '$(VXD_LINKABLE)' | tr '\n' ' '); \
	if [ -n "$$bad" ]; then rm -f $@; \
	    echo "$@: undefined, and not provided by the VMM: $$bad" >&2; \
	    case "$$bad" in *__udivdi3*|*__divdi3*|*__umoddi3*|*__moddi3*) echo "  (64-bit" \
	        "division or modulo: libgcc's helpers are not linked; divide 32-bit values)" >&2;; esac; \
	    exit 1; fi

$(VXD_OUT)/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(VXD_CFLAGS) -MMD -MP -c $< -o $@

$(VXD_OUT)/%.bin: %.asm
	@mkdir -p $(@D)
	nasm -f bin -MD $@.d -MP -o $@ $<

$(VXD_OUT)/%.bin.o: $(VXD_OUT)/%.bin
	cd $(VXD_OUT) && objcopy -I binary -O elf32-i386 -B i386 \
	    --rename-section .data=.rodata,alloc,load,readonly,data,contents \
	    --add-section .note.GNU-stack=/dev/null $*.bin $*.bin.o

install: $(VXD_OUT)/$(VXD).VXD
	@test -n "$(ESP)" || { echo "make install ESP=/path/to/esp"; exit 1; }
	mkdir -p $(ESP)/VMM/VXD && cp $< $(ESP)/VMM/VXD/

clean:
	rm -f $(VXD_OUT)/$(VXD).VXD $(VXD_OBJS) $(VXD_OBJS:.o=.d) $(V86_SRCS:%.asm=$(VXD_OUT)/%.bin*)

.PHONY: all install clean
.SECONDARY: $(V86_SRCS:%.asm=$(VXD_OUT)/%.bin)
-include $(VXD_OBJS:.o=.d) $(V86_SRCS:%.asm=$(VXD_OUT)/%.bin.d)
