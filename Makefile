# VMM32: the one entry point.  `make help` lists the targets.
#
# Three compilations of partly shared sources:
#   loader  x86_64 PE/COFF UEFI application (gnu-efi), -fpic       -> esp/EFI/BOOT/BOOTX64.EFI
#   vmm     i386 freestanding ELF32 executable at 0xC0001000       -> esp/VMM/VMM32.VXD
#   host    x86_64 Linux, the portable code under Criterion tests  -> build/host/unit
# Portable sources (no hardware access) are compiled into the loader or VMM and into the host tests.

BUILD   := build
ESP     := esp
QEMU    ?= qemu-system-x86_64
OVMF_CODE ?= /usr/share/OVMF/OVMF_CODE_4M.fd
OVMF_VARS ?= /usr/share/OVMF/OVMF_VARS_4M.fd
FONT_PSF ?= /usr/share/consolefonts/Uni2-VGA16.psf.gz

WARN    := -Wall -Wextra -Werror
DEPFLAGS = -MMD -MP

# ---- the loader ---------------------------------------------------------------------------------
EFI_INC    := /usr/include/efi
EFI_LIB    := /usr/lib
EFI_CFLAGS := -std=gnu11 -O2 $(WARN) -fpic -ffreestanding -fno-stack-protector -fno-stack-check \
              -fshort-wchar -mno-red-zone -mgeneral-regs-only -maccumulate-outgoing-args \
              -DGNU_EFI_USE_MS_ABI -I$(EFI_INC) -I$(EFI_INC)/x86_64 -Iinclude -Iefi -Ivmm
EFI_SRCS   := efi/main.c efi/elfexec.c efi/memmap.c efi/pagetable.c vmm/lib/kfmt.c vmm/boot/ini.c
EFI_ASMS   := efi/trampoline.S
EFI_OBJS   := $(patsubst %.c,$(BUILD)/efi/%.o,$(EFI_SRCS)) $(patsubst %.S,$(BUILD)/efi/%.o,$(EFI_ASMS))
LOADER     := $(ESP)/EFI/BOOT/BOOTX64.EFI

# ---- the VMM ------------------------------------------------------------------------------------
VMM_CFLAGS := -std=gnu11 -O2 -g $(WARN) -m32 -march=i686 -ffreestanding -fno-pic -fno-pie \
              -fno-stack-protector -mgeneral-regs-only -fno-asynchronous-unwind-tables \
              -fno-omit-frame-pointer -fno-common -Iinclude -Ivmm
# The memory manager: not reentrant, every function marked NONREENTRANT (vmm/mem/nonreentrant.h);
# `make check-sections` (run by make test) checks that all of them land in the window.
NONREENTRANT_SRCS := vmm/mem/physmap.c vmm/mem/frame.c vmm/mem/pmem.c vmm/mem/arena.c \
              vmm/mem/linear.c vmm/mem/page.c vmm/mem/heapsvc.c vmm/mem/heap.c
VMM_SRCS   := vmm/main.c vmm/exit.c vmm/refuse.c \
              vmm/x86/gdt.c vmm/x86/idt.c vmm/x86/cpu.c vmm/x86/pic.c vmm/x86/apic.c \
              vmm/x86/watchdog.c \
              vmm/int/int.c vmm/int/fault.c vmm/int/io.c vmm/int/timer.c vmm/int/hook.c vmm/int/iotrap.c \
              vmm/sched/thread.c vmm/sched/sem.c vmm/sched/mutex.c vmm/sched/event.c vmm/sched/vm.c \
              vmm/sched/policy.c vmm/sched/fpu.c \
              $(NONREENTRANT_SRCS) vmm/mem/list.c vmm/mem/listsvc.c \
              vmm/console/console.c vmm/console/fbcon.c \
              vmm/boot/boot.c vmm/boot/bootinfo_check.c vmm/boot/symbols.c vmm/boot/sysini.c \
              vmm/boot/ini.c vmm/boot/elfsym.c vmm/boot/acpi.c vmm/boot/acpi_load.c \
              vmm/lib/kfmt.c vmm/lib/string.c \
              vmm/vxd/vxdelf.c vmm/vxd/vxd.c vmm/vxd/services.c vmm/vxd/guard.c \
              vmm/v86/decode.c vmm/v86/monitor.c vmm/v86/space.c vmm/v86/faults.c vmm/v86/break.c \
              vmm/v86/exec.c vmm/v86/vint.c vmm/v86/vm86.c
VMM_ASMS   := vmm/x86/entry.S vmm/x86/traps.S vmm/x86/switch.S vmm/x86/guard.S vmm/x86/nest.S
VMM_OBJS   := $(patsubst %.c,$(BUILD)/vmm/%.o,$(VMM_SRCS)) \
              $(patsubst %.S,$(BUILD)/vmm/%.o,$(VMM_ASMS)) $(BUILD)/vmm/font.o
VMM        := $(ESP)/VMM/VMM32.VXD
# The test build: the same objects plus the in-guest suites and benchmarks, which vmm_main
# reaches through a weak symbol (selftests_run).  make test and make bench boot it; the VMM32.VXD
# users copy has none of it.  Both images are stripped of debugging sections (the VMM reads only
# .symtab, for fault reports); their unstripped ELFs stay in build/ for gdb (make debug).
VMM_TEST_SRCS := tests/guest/selftest.c tests/guest/pagetest.c tests/guest/inttest.c \
              tests/guest/schedtest.c tests/guest/vxdtest.c tests/guest/v86test.c \
              tests/bench/membench.c tests/bench/intbench.c tests/bench/schedbench.c \
              tests/bench/vxdbench.c tests/bench/v86bench.c tests/bench/drawbench.c tests/bench/dosbench.c \
              tests/bench/keybench.c \
              vxd/vdd/vdraw.c
# The real-mode programs of the V86 tests (nasm), linked into the test build as binaries.
V86_PROGS  := $(patsubst tests/v86/%.asm,%,$(wildcard tests/v86/*.asm))
VMM_TEST_OBJS := $(patsubst %.c,$(BUILD)/vmm/%.o,$(VMM_TEST_SRCS)) \
              $(V86_PROGS:%=$(BUILD)/v86/%.o)
.SECONDARY: $(V86_PROGS:%=$(BUILD)/v86/%.bin)      # kept: the boot tests boot screen.bin too
VMM_ELF    := $(BUILD)/vmm/VMM32.elf
TEST_VMM   := $(BUILD)/test/VMM32.VXD
TEST_VMM_ELF := $(BUILD)/test/VMM32.elf
LIBGCC32    = $(shell $(CC) -m32 -print-libgcc-file-name)

# ---- host: build tools and unit tests -----------------------------------------------------------
HOST_CFLAGS := -std=gnu11 -O1 -g $(WARN) -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer \
               -Iinclude -Ivmm -Iefi
PORTABLE    := efi/elfexec.c efi/memmap.c efi/pagetable.c vmm/lib/kfmt.c vmm/boot/ini.c \
               vmm/vxd/vxdelf.c \
               vmm/boot/elfsym.c vmm/boot/bootinfo_check.c vmm/mem/frame.c vmm/mem/heap.c vmm/mem/list.c \
               vmm/mem/arena.c vmm/int/hook.c vmm/int/iotrap.c vmm/boot/acpi.c vmm/sched/policy.c \
               vmm/v86/decode.c vmm/v86/monitor.c vxd/vdd/vtext.c vxd/vpicd/vpic.c \
               vxd/vtd/vpit.c vxd/vkd/vkbd.c vxd/vkd/v8042.c vxd/vdd/vdraw.c \
               vxd/int13/vdisk.c vxd/dosmgr/dosfs.c vxd/dosmgr/dos.c vmm/console/fbcon.c
UNIT_SRCS   := $(sort $(wildcard tests/unit/*.c))
UNIT_OBJS   := $(patsubst %.c,$(BUILD)/host/%.o,$(UNIT_SRCS) $(PORTABLE))
UNIT        := $(BUILD)/host/unit
PSF2C       := $(BUILD)/host/psf2c

IMAGE := $(BUILD)/vmm32.img

.PHONY: all image run debug test unit boot-test bench fuzz fuzz-bins deps clean help vxds dos-progs check-sections \
        check-sdk
all: $(LOADER) $(VMM) vxds $(ESP)/COMMAND.COM

# The command shell, a real-mode program of our own in C (bcc, from Debian's package bcc, with
# elks-libc's headers): drive C:'s C:\COMMAND.COM.
$(ESP)/COMMAND.COM: dos/command.c
	bcc -ansi -Md -o $@ $<

# The default VxDs (vxd/NAME/, each built by its own Makefile through vxd/vxd.mk, the SDK's
# fragment) into esp/VMM/VXD/, and the boot tests' VxDs (tests/vxd/) into build/testvxd/.
DEFAULT_VXDS := vbios vdd vpicd vtd vkd int13 dosmgr debug shell sample
TEST_VXDS    := USER:-DUSER FAILINIT:-DFAILINIT PFINIT:-DPFINIT HANG:-DHANG DUPID:-DDUPID \
                BADCALL:-DBADCALL CTFAULT:-DCTFAULT DBLFREE:-DDBLFREE \
                WXCODE:-DWXCODE TOFAULT:-DTOFAULT VPICDID:-DVPICDID DEEP:-DDEEP \
                DEEP2:-DDEEP\ -DDEEP2 NULLCALL:-DNULLCALL INLJMP:-DINLJMP \
                INLJMP2:-DINLJMP\ -DINLJMP2 HANGCLI:-DHANGCLI BLKWAIT:-DBLKWAIT
GUARD_VXDS   := IDLE THREAD NMI NOTCRIT IO VMCTL    # tests/vxd/guards.c, as G<KIND>.VXD
vxds:
	@mkdir -p $(ESP)/VMM/VXD
	@set -e; for v in $(DEFAULT_VXDS); do \
	    $(MAKE) --no-print-directory -C vxd/$$v VXD_OUT=$(abspath $(BUILD)/vxd/$$v); \
	    n=$$(echo $$v | tr a-z A-Z); cmp -s $(BUILD)/vxd/$$v/$$n.VXD $(ESP)/VMM/VXD/$$n.VXD || \
	        cp $(BUILD)/vxd/$$v/$$n.VXD $(ESP)/VMM/VXD/; done
	@set -e; for t in $(TEST_VXDS); do n=$${t%%:*}; \
	    $(MAKE) --no-print-directory -C tests/vxd -f $(abspath vxd/vxd.mk) VXD=$$n \
	        SRCS=testvxd.c VXD_CFLAGS_EXTRA="$${t#*:} -I$(abspath vxd/sample)" \
	        VXD_OUT=$(abspath $(BUILD)/testvxd/$$n); done
	@set -e; for k in $(GUARD_VXDS); do \
	    $(MAKE) --no-print-directory -C tests/vxd -f $(abspath vxd/vxd.mk) VXD=G$$k \
	        SRCS=guards.c VXD_CFLAGS_EXTRA="-D$$k" VXD_OUT=$(abspath $(BUILD)/testvxd/G$$k); done
	@$(MAKE) --no-print-directory -C tests/vxd -f $(abspath vxd/vxd.mk) VXD=DYN SRCS=dyn.c \
	    VXD_OUT=$(abspath $(BUILD)/testvxd/DYN)
	@$(MAKE) --no-print-directory -C tests/vxd -f $(abspath vxd/vxd.mk) VXD=LEAKY SRCS=dyn.c \
	    VXD_CFLAGS_EXTRA=-DLEAKY VXD_OUT=$(abspath $(BUILD)/testvxd/LEAKY)
	@$(MAKE) --no-print-directory -C vxd/v86demo VXD_OUT=$(abspath $(BUILD)/testvxd/V86DEMO)

help:
	@echo "make            build the loader and the VMM into esp/"
	@echo "make image      write $(IMAGE) (GPT disk, one EFI system partition = esp/)"
	@echo "make run        boot it under QEMU+OVMF (NOGRAPHIC=1: terminal only)"
	@echo "make debug      boot halted with a gdb stub on :1234"
	@echo "make test       unit tests and boot tests; ends with 'N passed, N failed'"
	@echo "make bench      in-guest instruction counts under -icount"
	@echo "make fuzz       run the libFuzzer targets (FUZZ_SECONDS each)"
	@echo "make deps       install missing Debian packages"

deps:
	@ci/deps.sh

# The loader: gnu-efi's crt0 and linker script make an ELF shared object, objcopy a PE32+.
$(BUILD)/efi/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(EFI_CFLAGS) $(DEPFLAGS) -c $< -o $@
$(BUILD)/efi/%.o: %.S
	@mkdir -p $(@D)
	$(CC) $(EFI_CFLAGS) $(DEPFLAGS) -c $< -o $@
$(BUILD)/efi/loader.so: $(EFI_OBJS)
	$(LD) -shared -Bsymbolic -nostdlib -znocombreloc -T $(EFI_LIB)/elf_x86_64_efi.lds \
	    $(EFI_LIB)/crt0-efi-x86_64.o $^ -L$(EFI_LIB) -lefi -lgnuefi -o $@
$(LOADER): $(BUILD)/efi/loader.so
	@mkdir -p $(@D)
	objcopy -j .text -j .sdata -j .data -j .rodata -j .dynamic -j .dynsym -j .rel -j .rela \
	    -j '.rel.*' -j '.rela.*' -j .reloc --target efi-app-x86_64 --subsystem=10 $< $@

# The VMM.
$(BUILD)/vmm/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(VMM_CFLAGS) $(DEPFLAGS) -c $< -o $@
$(BUILD)/vmm/%.o: %.S
	@mkdir -p $(@D)
	$(CC) $(VMM_CFLAGS) $(DEPFLAGS) -c $< -o $@
$(BUILD)/vmm/font.c: $(FONT_PSF) $(PSF2C)
	@mkdir -p $(@D)
	gzip -dc $(FONT_PSF) > $(BUILD)/vmm/font.psf
	$(PSF2C) $(BUILD)/vmm/font.psf $@
$(BUILD)/vmm/font.o: $(BUILD)/vmm/font.c
	$(CC) $(VMM_CFLAGS) -c $< -o $@
VMM_LINK = $(LD) -m elf_i386 -nostdlib -z max-page-size=4096 --build-id=none -T vmm/vmm.ld
$(VMM_ELF): $(VMM_OBJS) vmm/vmm.ld
	@mkdir -p $(@D)
	$(VMM_LINK) $(VMM_OBJS) $(LIBGCC32) -o $@
$(TEST_VMM_ELF): $(VMM_OBJS) $(VMM_TEST_OBJS) vmm/vmm.ld
	@mkdir -p $(@D)
	$(VMM_LINK) $(VMM_OBJS) $(VMM_TEST_OBJS) $(LIBGCC32) -o $@
$(VMM): $(VMM_ELF)
	@mkdir -p $(@D)
	objcopy --strip-debug $< $@
$(TEST_VMM): $(TEST_VMM_ELF)
	objcopy --strip-debug $< $@
$(BUILD)/v86/%.bin: tests/v86/%.asm tests/v86/report.inc
	@mkdir -p $(@D)
	nasm -f bin -I tests/v86/ -o $@ $<
# The DOS programs of the boot tests (nasm, .COM files the scenarios put on drive C:).
DOS_PROGS  := $(patsubst tests/dos/%.asm,$(BUILD)/dos/%.COM,$(wildcard tests/dos/*.asm))
$(BUILD)/dos/%.COM: tests/dos/%.asm tests/v86/report.inc
	@mkdir -p $(@D)
	nasm -f bin -I tests/v86/ -o $@ $<
dos-progs: $(DOS_PROGS)
$(BUILD)/v86/%.o: $(BUILD)/v86/%.bin
	cd $(@D) && objcopy -I binary -O elf32-i386 -B i386 --rename-section .data=.rodata,alloc,load,readonly,data,contents --add-section .note.GNU-stack=/dev/null $*.bin $*.o
$(VMM_TEST_OBJS): VMM_CFLAGS += -Itests

# The non-reentrant window holds every function of the memory manager (ci/test.sh runs this).
# The SDK refuses, at build time, a VxD that needs what the VMM does not link (vxd.mk): a VxD
# using 64-bit division must fail to build, naming __udivdi3.
check-sdk:
	@rm -rf $(BUILD)/sdkcheck
	@if $(MAKE) --no-print-directory -C tests/vxd -f $(abspath vxd/vxd.mk) VXD=DIV64 SRCS=div64.c \
	        VXD_OUT=$(abspath $(BUILD)/sdkcheck) > $(BUILD)/sdkcheck.log 2>&1; then \
	    echo "check-sdk: DIV64.VXD built although it needs __udivdi3"; exit 1; fi
	@grep -q 'undefined, and not provided by the VMM: __udivdi3' $(BUILD)/sdkcheck.log || \
	    { echo "check-sdk: the build failed without naming __udivdi3:"; cat $(BUILD)/sdkcheck.log; exit 1; }
	@echo "check-sdk: a VxD needing __udivdi3 is refused at build time"

check-sections: $(VMM)
	@tools/check-nonreentrant.sh $(VMM) $(patsubst %.c,$(BUILD)/vmm/%.o,$(NONREENTRANT_SRCS))

# Host tools and tests.
$(PSF2C): tools/psf2c.c include/vmm/cp437.h
	@mkdir -p $(@D)
	$(CC) -std=gnu11 -O2 $(WARN) -Iinclude $< -o $@
$(BUILD)/host/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(HOST_CFLAGS) $(DEPFLAGS) -c $< -o $@
$(UNIT): $(UNIT_OBJS)
	$(CC) $(HOST_CFLAGS) $^ -lcriterion -o $@
# The VxD loader's fixtures, built as real VxDs are (and with -g: .rel.debug_*); read, not linked.
VXD_FIXTURE_CFLAGS := -m32 -ffreestanding -fno-pic -fno-common -O2 -Iinclude
$(UNIT): | $(BUILD)/host/fixtures/good.vxd $(BUILD)/host/fixtures/good-g.vxd
$(BUILD)/host/fixtures/good.vxd: tests/unit/fixtures/goodvxd.c
	@mkdir -p $(@D)
	$(CC) $(VXD_FIXTURE_CFLAGS) $(DEPFLAGS) -c $< -o $@
$(BUILD)/host/fixtures/good-g.vxd: tests/unit/fixtures/goodvxd.c
	@mkdir -p $(@D)
	$(CC) $(VXD_FIXTURE_CFLAGS) -g $(DEPFLAGS) -c $< -o $@

# Fuzzing (clang/libFuzzer): see tests/fuzz/README.md.  `make test` runs the VxD loader's, the
# SYSTEM.INI reader's, the V86 monitor's, the virtual devices' and DOS's targets for FUZZ_TEST_SECONDS
# each (ci/test.sh);
# `make fuzz` runs every target for FUZZ_SECONDS.
FUZZ_SECONDS ?= 30
FUZZ_TARGETS := elfexec memmap ini elfsym vxdelf v86 vdev dos
FUZZ_SRCS_elfexec := efi/elfexec.c vmm/lib/kfmt.c
FUZZ_SRCS_memmap  := efi/memmap.c vmm/lib/kfmt.c
FUZZ_SRCS_ini     := vmm/boot/ini.c
FUZZ_SRCS_elfsym  := vmm/boot/elfsym.c
FUZZ_SRCS_vxdelf  := vmm/vxd/vxdelf.c vmm/lib/kfmt.c
FUZZ_SRCS_v86     := vmm/v86/decode.c vmm/v86/monitor.c
FUZZ_SRCS_vdev    := vxd/vpicd/vpic.c vxd/vtd/vpit.c vxd/vkd/vkbd.c vxd/vkd/v8042.c \
                     vxd/int13/vdisk.c
FUZZ_SRCS_dos     := vxd/dosmgr/dos.c vxd/dosmgr/dosfs.c
FUZZ_ALL_SRCS     := $(sort $(foreach t,$(FUZZ_TARGETS),$(FUZZ_SRCS_$(t))))
$(BUILD)/fuzz/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/input.h $(FUZZ_ALL_SRCS)
	@mkdir -p $(@D)
	clang -std=gnu11 -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
	    -Iinclude -Ivmm -Iefi \
	    $< $(FUZZ_SRCS_$*) -o $@
fuzz-bins: $(VMM) $(FUZZ_TARGETS:%=$(BUILD)/fuzz/fuzz_%) $(BUILD)/host/fixtures/good.vxd \
           $(BUILD)/host/fixtures/good-g.vxd
	@for t in $(FUZZ_TARGETS); do mkdir -p $(BUILD)/fuzz/corpus-$$t; \
	    if [ -d tests/fuzz/seeds/$$t ]; then cp tests/fuzz/seeds/$$t/* $(BUILD)/fuzz/corpus-$$t/; fi; done
	@cp $(VMM) $(BUILD)/fuzz/corpus-elfexec/ && cp $(VMM) $(BUILD)/fuzz/corpus-elfsym/
	@cp $(ESP)/VMM/SYSTEM.INI $(BUILD)/fuzz/corpus-ini/
	@cp $(BUILD)/host/fixtures/good*.vxd $(BUILD)/fuzz/corpus-vxdelf/
fuzz: deps
	@$(MAKE) --no-print-directory fuzz-bins
	@set -e; for t in $(FUZZ_TARGETS); do echo "== fuzz $$t ($(FUZZ_SECONDS) s)"; \
	    (cd $(BUILD)/fuzz && ./fuzz_$$t -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 \
	        corpus-$$t 2>&1 | tail -3); done

image: $(IMAGE)
$(IMAGE): $(LOADER) $(VMM) vxds $(ESP)/COMMAND.COM $(wildcard $(ESP)/VMM/*.INI) ci/mkimage.sh
	ci/mkimage.sh $(ESP) $@

NOGRAPHIC ?= $(if $(DISPLAY)$(WAYLAND_DISPLAY),,1)
QEMU_DISPLAY = $(if $(NOGRAPHIC),-display none -serial mon:stdio,-serial mon:stdio)
QEMU_BASE = -machine q35 -m 1G -no-reboot -net none \
            -drive if=pflash,format=raw,readonly=on,file=$(OVMF_CODE) \
            -drive if=pflash,format=raw,file=$(BUILD)/OVMF_VARS.fd \
            -drive format=raw,file=$(IMAGE) -device isa-debugcon,iobase=0xe9,chardev=dbg \
            -chardev file,id=dbg,path=$(BUILD)/debugcon.log

$(BUILD)/OVMF_VARS.fd: $(OVMF_VARS)
	@mkdir -p $(@D)
	cp $< $@

run: deps
	@$(MAKE) --no-print-directory image $(BUILD)/OVMF_VARS.fd
	@echo "QEMU: the VMM's console is below (and in $(BUILD)/debugcon.log); Ctrl-A X quits."
	$(QEMU) $(QEMU_BASE) $(QEMU_DISPLAY)

debug: deps
	@$(MAKE) --no-print-directory image $(BUILD)/OVMF_VARS.fd
	@echo "QEMU waits for gdb on :1234.  In another terminal:"
	@echo "  gdb -ex 'symbol-file $(VMM_ELF)' -ex 'set architecture i386:x86-64' -ex 'target remote :1234' -x tools/vxd-symbols.py -ex 'hbreak vmm_main' -ex continue"
	@echo "(tools/vxd-symbols.py adds each VxD's symbols at the address it is loaded at, as it loads)"
	@echo "(QEMU's x86-64 stub sends 64-bit registers: use hbreak, as the VMM is not mapped yet when"
	@echo " gdb connects; source lines and breakpoints work, 32-bit stack arguments may print wrong)"
	$(QEMU) $(QEMU_BASE) -display none -serial mon:stdio -s -S

unit: $(UNIT)
boot-test: all $(TEST_VMM) dos-progs
	@tests/boot/run.sh

test: deps
	@$(MAKE) --no-print-directory all $(TEST_VMM) dos-progs $(UNIT) fuzz-bins
	@ci/test.sh

bench: deps
	@$(MAKE) --no-print-directory all $(TEST_VMM) dos-progs
	@ci/bench.sh

clean:
	rm -rf $(BUILD) $(LOADER) $(VMM) $(ESP)/VMM/VXD/*.VXD $(ESP)/COMMAND.COM

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
