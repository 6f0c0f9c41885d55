#!/bin/bash
# In-guest benchmarks: boots the image under `-icount shift=7,sleep=off`, where the guest TSC
# advances exactly 2^7 per guest instruction, and prints instruction counts measured by the VMM
# after ExitBootServices (repeatable to the instruction).  Two runs; a difference is reported.
set -u
cd "$(dirname "$0")/.."
SHIFT=7
OVMF_CODE=${OVMF_CODE:-/usr/share/OVMF/OVMF_CODE_4M.fd}
OVMF_VARS=${OVMF_VARS:-/usr/share/OVMF/OVMF_VARS_4M.fd}
dir=build/bench
rm -rf "$dir" && mkdir -p "$dir/esp/VMM/VXD"
cp -r esp/EFI "$dir/esp/" && cp build/test/VMM32.VXD "$dir/esp/VMM/"    # the test build: the benchmarks are in it
cp esp/VMM/VXD/SHELL.VXD esp/VMM/VXD/VBIOS.VXD esp/VMM/VXD/VDD.VXD esp/VMM/VXD/INT13.VXD \
    esp/VMM/VXD/DOSMGR.VXD build/testvxd/DYN/DYN.VXD "$dir/esp/VMM/VXD/"   # DYN: loaded by the bench
cp build/dos/dosbench.COM "$dir/esp/DOSBENCH.COM"  # DOSMGR's figures (tests/bench/dosbench.c)
mkdir -p "$dir/esp/BENCH" && cp esp/COMMAND.COM "$dir/esp/BENCH/"  # for dos_dir_100; not in C:\,
                                                    # where SHELL would start it beside the bench
head -c 1048576 /dev/zero > "$dir/esp/HD.IMG"     # INT13's drive 80h, for v86_int13_read
printf '[Debug]\r\nExitPort=0xf4\r\nBench=1\r\n[386Enh]\r\ndevice=*VBIOS\r\ndevice=*VDD\r\ndevice=*INT13\r\ndevice=*DOSMGR\r\ndevice=*SHELL\r\n[Disks]\r\nC=HD.IMG\r\n' \
    > "$dir/esp/VMM/SYSTEM.INI"
ci/mkimage.sh "$dir/esp" "$dir/vmm32.img"
# The boot's figures: the shipped partition as `make run` boots it (esp/: the release VMM32.VXD,
# every shipped VxD, the shipped SYSTEM.INI), with only [Debug] ExitPort= and BootTimes=1 added.
cp -r esp "$dir/shipped" && printf '\r\n[Debug]\r\nExitPort=0xf4\r\nBootTimes=1\r\n' >> "$dir/shipped/VMM/SYSTEM.INI"
ci/mkimage.sh "$dir/shipped" "$dir/shipped.img"
# The key bench: the shipped partition with the test VMM32.VXD (VKD and the other devices as
# shipped), [Debug] KeyBench=1.
cp -r esp "$dir/keys" && cp build/test/VMM32.VXD "$dir/keys/VMM/" &&
    printf '\r\n[Debug]\r\nExitPort=0xf4\r\nKeyBench=1\r\n' >> "$dir/keys/VMM/SYSTEM.INI"
ci/mkimage.sh "$dir/keys" "$dir/keys.img"

run() {     # run N [IMAGE [MEMORY]]: boots once, leaves the serial log in $dir/serial.N
    cp "$OVMF_VARS" "$dir/vars.fd"
    # RAM reserved as the guest touches it: a 64 GB guest on a host with less (reserve=off)
    timeout 120 qemu-system-x86_64 -machine q35,memory-backend=ram -m "${3:-1G}" \
        -object memory-backend-ram,id=ram,size="${3:-1G}",reserve=off -no-reboot -net none -display none \
        -icount shift=$SHIFT,sleep=off \
        -drive if=pflash,format=raw,readonly=on,file="$OVMF_CODE" \
        -drive if=pflash,format=raw,file="$dir/vars.fd" \
        -drive format=raw,file="${2:-$dir/vmm32.img}" -serial file:"$dir/serial.$1" \
        -device isa-debug-exit,iobase=0xf4,iosize=4 >/dev/null 2>&1
    local rc=$?
    [ $rc -eq 33 ] || { echo "bench: boot $1 failed (QEMU exit $rc; see $dir/serial.$1)" >&2; exit 1; }
}

field() {   # field RUN NAME: the value NAME= on the VMM's boot line (BootTimes=1), in instructions
    local v
    v=$(tr -d '\r' < "$dir/serial.$1" | sed -n "s/^boot: .*$2=\([0-9]*\).*/\1/p" | head -1)
    [ -n "$v" ] || { echo "bench: no $2 in $dir/serial.$1" >&2; exit 1; }
    [ $((v % (1 << SHIFT))) -eq 0 ] || echo "bench: warning: $2=$v is not a multiple of 2^$SHIFT" >&2
    echo $((v >> SHIFT))
}

run 1
run 2
run boot1 "$dir/shipped.img"
run boot2 "$dir/shipped.img"
run boot64 "$dir/shipped.img" 64G
run keys "$dir/keys.img"
# Every figure one line, "bench: NAME n=COUNT min=A mean=B max=C" in instructions (min and max
# over every measured operation), then what it is measured against.  The boot's two figures are
# one operation a run: n=2, the two runs.
boot() {    # NAME TEXT KEY...: the sum of the KEYs (a leading - subtracts), runs boot1 and boot2
    local name=$1 tgt=$2 a=0 b=0 k; shift 2
    for k; do
        if [ "${k#-}" != "$k" ]; then a=$((a - $(field boot1 "${k#-}"))) b=$((b - $(field boot2 "${k#-}")))
        else a=$((a + $(field boot1 "$k"))) b=$((b + $(field boot2 "$k"))); fi
    done
    awk -v a="$a" -v b="$b" -v name="$name" -v tgt="$tgt" 'BEGIN {
        printf "bench: %-20s n=%-5d min=%-9d mean=%-11.1f max=%-9d %s\n", name, 2,
               (a < b ? a : b), (a + b) / 2, (a > b ? a : b), tgt }'
    [ "$a" = "$b" ] || echo "bench: $name: the two runs differ ($a, $b)" >&2
}
boot boot_exitbs_to_entry "ExitBootServices returns -> VMM entry (q35, 1 GB, qemu64, GOP 1280x800)" exitbs_to_entry_tsc
boot boot_to_ready "<= 1000000 ExitBootServices -> 'VMM ready', the calibration's wait apart (shipped SYSTEM.INI and VxDs)" \
    exitbs_to_entry_tsc entry_to_ready_tsc -calibration_tsc
boot boot_calibration "reported: the timer's calibration, a wait (50 ms of the reference clock)" calibration_tsc
a=$(field boot64 exitbs_to_entry_tsc) b=$(field boot64 entry_to_ready_tsc) c=$(field boot64 calibration_tsc)
printf "bench: %-20s n=%-5d min=%-9d mean=%-11.1f max=%-9d %s\n" boot_to_ready_64g 1 $((a + b - c)) \
    $((a + b - c)) $((a + b - c)) "<= 2000000 the same with 64 GB of RAM (one run)"
# Where the boot's instructions go (BootTimes=1's steps, the first run).
tr -d '\r' < "$dir/serial.boot1" | awk -v s=$((1 << SHIFT)) '/^boot: step / {
    sub(/^boot: step /, ""); n = split($0, w, " tsc="); printf "bench: boot step %-24s %d\n", w[1], w[2] / s }'

# The VMM's "bench: NAME n=N min_tsc=A sum_tsc=S max_tsc=M" (benchlib.h), in instructions.
op() {      # NAME TARGET-TEXT [RUN]
    local line log=$dir/serial.${3:-1}
    line=$(tr -d '\r' < "$log" | grep -m 1 "^bench: $1 n=") ||
        { echo "bench: no figures for $1 in $log" >&2; exit 1; }
    echo "$line" | awk -v shift=$((1 << SHIFT)) -v tgt="$2" '{
        split($3, n, "="); split($4, lo, "="); split($5, s, "="); split($6, m, "=");
        printf "bench: %-20s n=%-5d min=%-9d mean=%-11.1f max=%-9d %s\n", $2, n[2], lo[2] / shift,
               n[2] ? s[2] / n[2] / shift : 0, m[2] / shift, tgt }'
}
for t in mixed small lifo fifo; do
    op "heap_alloc_$t" "mean <= 100, max <= 200 (_HeapAllocate, system heap: tests/bench/membench.c)"
    op "heap_free_$t"  "mean <= 80, max <= 160 (_HeapFree)"
done
op heap_pool_grow    "reported: an allocation that took a pool (16 pages) from the page services"
op heap_pool_release "reported: a free that gave one back"
op list_allocate    "<= 25"
op list_deallocate  "<= 25"
for fill in 10 50 95; do
    op "frame_alloc_$fill%" "frame layer of _PageAllocate (page target <= 150)"
    op "frame_free_$fill%"  "frame layer of _PageFree (page target <= 150)"
done
for fill in 10 50 95; do
    op "arena_reserve_$fill%" "linear layer of _PageAllocate (page target <= 150)"
    op "arena_release_$fill%" "linear layer of _PageFree (page target <= 150)"
done
for size in 1 16; do
    for fill in 10 50 95; do
        op "page_alloc_${size}_$fill%" "$([ $size = 1 ] && echo '<= 150, max/min across fills <= 2' || echo 'reported')"
        op "page_free_${size}_$fill%"  "$([ $size = 1 ] && echo '<= 150, max/min across fills <= 2' || echo 'reported')"
    done
done
for n in 1 64 256 4096; do
    op "page_alloc_burst_$n" "<= 150 mean, max/min <= 3 (one-page _PageAllocate, $n in a row)"
    op "page_free_burst_$n"  "<= 150 mean (_PageFree of them all)"
done
op demand_fault    "reported (a write to a reserved page: #PF -> Hook_Invalid_Page_Fault handler commits it, zero-filled -> restart)"
op int_soft        "INT n to a Set_PM_Int_Vector handler and back"
for n in 1 2 4 8; do
    op "fault_hooks_$n" "#UD through $n Hook_VMM_Fault hooks and back"
done
op irq_timer       "APIC timer IRQ: stub -> hooked handler -> back (by difference: one figure, min = max = mean)"
op tick_sched      "<= 300 the timer tick with the scheduler: due time-outs and sleepers, the charge (by difference: one figure)"
op irq_vpicd       "<= 150 an IRQ owned through VPICD: stub -> owner's handler -> VPICD_Phys_EOI -> back (PIT IRQ 0; by difference: one figure)"
a=$(tr -d '\r' < "$dir/serial.1" | sed -n 's/^bench: fault_hooks_1 n=[0-9]* min_tsc=[0-9]* sum_tsc=\([0-9]*\) .*/\1/p')
b=$(tr -d '\r' < "$dir/serial.1" | sed -n 's/^bench: fault_hooks_8 n=[0-9]* min_tsc=[0-9]* sum_tsc=\([0-9]*\) .*/\1/p')
[ -n "$a" ] && [ -n "$b" ] && awk -v a="$a" -v b="$b" -v s=$((1 << SHIFT)) \
    'BEGIN { printf "bench: %-20s n=%-5d min=%-9.1f mean=%-11.1f max=%-9.1f %s\n", "fault_hook_extra", 1,
             (b - a) / 256 / s / 7, (b - a) / 256 / s / 7, (b - a) / 256 / s / 7,
             "one more Hook_VMM_Fault hook: (fault_hooks_8 - fault_hooks_1) / 7, means (one figure)" }'
op thread_switch   "<= 300 a round trip (Release_Time_Slice to another thread and back: two switches, <= 150 each)"
op vm_switch       "<= 600 a round trip (the same between two VMs, memory context too: <= 300 a switch)"
op sem_wake        "<= 300 (signal -> higher-priority waiter running)"
for n in 10 100 1000; do
    op "sched_pick_$n" "pick at 1000 within 10 % of pick at 10"
done
op sched_ready_top "ready at a new top priority (part of sem_wake)"
op sched_block_top "block it again (part of a wait)"
for n in 1 8 64; do
    op "sched_ready_${n}l" "reported (a wake at the lowest of $n priority levels: the walk of the levels)"
    op "sched_block_${n}l" "reported (its wait again)"
done
op thread_create   "reported (VMMCreateThread of a thread that does not run yet)"
op thread_destroy  "reported (VMMTerminateThread of it)"
op mutex_handover  "reported (_LeaveMutex -> the higher-priority waiter's _EnterMutex returns, inheritance included)"
op event_run       "reported (Schedule_Global_Event + Release_Time_Slice -> its procedure starts in the event thread)"
op timeout_run     "reported (a time-out: the timer's expiry -> the tick finds it due -> its procedure starts in the event thread)"
op destroy_vm_0    "reported (Destroy_VM of a VM with one PG_VM page: its messages, context, control block)"
op destroy_vm_10000 "reported (the same with 10,000 more page blocks in the system, others': O(the VM's own))"
op vxd_load        "<= 100000 (DYN.VXD: 17 KB, 204 relocations)"
op vxd_unload      "reported"
op dynalink_first  "<= 500 (INT 20h, patch, the call)"
op dynalink_call   "<= direct_call + 5"
op direct_call     "the same function called directly"
op guarded_call     "reported (a VxD procedure called through the guard: foreign_call; less direct_call, the guard)"
op v86_cli         "<= 120 (trapped CLI: fault -> emulate -> back in V86)"
op v86_sti         "<= 120 (trapped STI)"
op v86_int_iret    "<= 250 (INT n reflected into the VM's IVT + its IRET back)"
op v86_out         "<= 150 (OUT to a trapped port -> handler -> back)"
op v86_callback    "<= 200 (V86 call back -> procedure -> back)"
op v86_exec_int    "<= 400 (Exec_Int from ring 0 -> real-mode IRET -> back)"
op v86_switch      "<= 600 a round trip (INT 2Fh AX=1680h to another V86 VM and back: <= 300 a switch)"
op v86_bios_int11  "reported (INT 11h: VBIOS's stub, call back, service, IRET)"
op v86_int10_teletype "<= 2500 with the cell drawn (issue 13): this + vdd_draw_cell"
op v86_int13_read  "<= 3000 (INT 13h AH=02h, one sector from an image in memory)"
op vdd_draw_cell   "the cells a teletype changes drawn (VDD's refresh, every 40 ms)"
op vdd_draw_screen "<= 600000 (a whole 80x25 screen drawn on the framebuffer)"
op console_line_full "mean <= 100000 (one log line on a full 1280x800 screen; the jumps by half a screen included)"
op vdd_vt_cell     "reported (the same change as VT sequences for COM1)"
op dos_putc        "<= 3000 (INT 21h AH=02h, one character to the screen; drawing apart)"
op dos_write_4k    "reported (INT 21h AH=40h, 4 KB to a file on drive C:)"
op dos_read_4k     "reported (INT 21h AH=3Fh, 4 KB from it)"
op dos_exec_com    "reported (EXEC of a 4.5 KB .COM to its INT 20h and back)"
op dos_dir_100     "reported (COMMAND /C DIR of a 100-file directory, to the screen, and back)"
op key_com1_int16  "reported (a byte on COM1 to the focus VM's INT 16h AH=00h return: IRQ 4, VKD, VBIOS)" keys
if ! cmp -s <(tr -d '\r' < "$dir/serial.1" | grep '^bench: [a-z_]*[0-9%]* n=') \
            <(tr -d '\r' < "$dir/serial.2" | grep '^bench: [a-z_]*[0-9%]* n='); then
    echo "bench: the two runs' per-operation figures differ" >&2
fi
