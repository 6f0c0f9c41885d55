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

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
