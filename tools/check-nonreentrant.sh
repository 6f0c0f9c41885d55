#!/bin/sh
# tools/check-nonreentrant.sh VMM32.VXD OBJECT...
#
# The memory manager's functions must all lie in the non-reentrant window of the VMM image
# (vmm/mem/nonreentrant.h): the fault path offers no hook a fault raised there.  Checks that
#   1. each OBJECT (the memory manager's, from the Makefile's NONREENTRANT_SRCS) has no code in
#      any section but .text.nonreentrant (a function without NONREENTRANT would be outside), and
#   2. every global function each OBJECT defines -- the page and heap services among them -- lies
#      between __nonreentrant_start and __nonreentrant_end in VMM32.VXD.
# Prints one line per failure and "nonreentrant: N functions of M objects inside" when all hold;
# exits 1 on any failure.
set -u
vmm=$1; shift
fail=0 n=0
syms=$(nm "$vmm")                       # once: addr looks every function up in it
addr() { printf '%s\n' "$syms" | awk -v s="$1" '$3 == s { print $1; exit }'; }
lo=$(addr __nonreentrant_start) hi=$(addr __nonreentrant_end)
[ -n "$lo" ] && [ -n "$hi" ] || { echo "nonreentrant: $vmm has no __nonreentrant_start/_end"; exit 1; }
lo=$((0x$lo)) hi=$((0x$hi))
for o in "$@"; do
    bad=$(objdump -h "$o" | awk '$2 ~ /^\.text/ && $2 != ".text.nonreentrant" && $3 !~ /^0+$/ { print $2 " (" $3 " bytes)" }')
    [ -z "$bad" ] || { echo "nonreentrant: $o has code outside .text.nonreentrant: $bad"; fail=1; }
    for f in $(nm -g --defined-only "$o" | awk '$2 == "T" { print $3 }'); do
        a=$(addr "$f")
        n=$((n + 1))
        if [ -z "$a" ]; then
            echo "nonreentrant: $f (from $o) is not in $vmm"; fail=1
        elif [ $((0x$a)) -lt $lo ] || [ $((0x$a)) -ge $hi ]; then
            printf 'nonreentrant: %s (from %s) at %s lies outside the window %08x..%08x\n' \
                "$f" "$o" "$a" $lo $hi
            fail=1
        fi
    done
done
[ $fail -eq 0 ] && echo "nonreentrant: $n functions of $# objects inside $(printf '%08x..%08x' $lo $hi)"
exit $fail
