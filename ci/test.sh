#!/bin/bash
# make test: the host unit tests, then the boot tests; ends with one line "N passed, N failed"
# and exits non-zero on any failure (including a test binary that crashed before its summary).
set -u
cd "$(dirname "$0")/.."
passed=0 failed=0

echo "== unit tests (Criterion, host)"
build/host/unit --jobs=2 2>&1 | tee build/unit.log
synth=$(grep 'Synthesis:' build/unit.log | tail -1)
if [ -n "$synth" ]; then
    num() { echo "$synth" | sed -n "s/.*$1: \([0-9]*\).*/\1/p"; }
    passed=$((passed + $(num Passing)))
    failed=$((failed + $(num Failing) + $(num Crashing)))
else
    echo "unit: the test binary ended without a summary"
    failed=$((failed + 1))
fi

echo "== build checks"
if make --no-print-directory check-sections; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
if make --no-print-directory check-sdk; then passed=$((passed + 1)); else failed=$((failed + 1)); fi

echo "== boot tests (QEMU + OVMF)"
tests/boot/run.sh 2>&1 | tee build/boot.log
line=$(grep -E '^boot: [0-9]+ passed, [0-9]+ failed' build/boot.log | tail -1)
if [ -n "$line" ]; then
    passed=$((passed + $(echo "$line" | sed 's/boot: \([0-9]*\) passed.*/\1/')))
    failed=$((failed + $(echo "$line" | sed 's/.* \([0-9]*\) failed/\1/')))
else
    echo "boot: the boot tests ended without a summary"
    failed=$((failed + 1))
fi

# Fuzzing, bounded: the VxD loader, the SYSTEM.INI reader, the V86 monitor, the virtual devices
# and DOS (libFuzzer with ASan and UBSan);
# each run is one test, passed if it found no crash, leak or hang in FUZZ_TEST_SECONDS.
echo "== fuzzing (libFuzzer, ${FUZZ_TEST_SECONDS:=20} s each)"
for t in vxdelf ini v86 vdev dos; do
    log=build/fuzz/test-$t.log
    if (cd build/fuzz && ./fuzz_$t -max_total_time="$FUZZ_TEST_SECONDS" -print_final_stats=1 \
            -timeout=10 "corpus-$t") > "$log" 2>&1; then
        echo "fuzz $t: $(sed -n 's/^stat::number_of_executed_units: *//p' "$log") runs, no crash"
        passed=$((passed + 1))
    else
        echo "fuzz $t: FAILED (see $log)"; tail -20 "$log"
        failed=$((failed + 1))
    fi
done

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
