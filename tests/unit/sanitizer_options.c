/*
 * Sanitizer defaults for the unit-test binary (UBSAN_OPTIONS / ASAN_OPTIONS in the environment
 * still take precedence).
 *
 * UBSan: by default it only prints a report and carries on, so a test that triggers undefined
 * behaviour in the code under test (a misaligned access, a signed overflow, an out-of-range
 * shift ...) would still pass.  Halting turns such a report into a crashed, hence failed, test.
 *
 * ASan: leak detection is off.  The portable code under test never allocates (it is built
 * freestanding for the loader and the VMM), so LeakSanitizer could only find leaks in the tests
 * themselves, while its exit-time scan costs about 0.1 s in every one of Criterion's per-test
 * processes -- more than half of the binary's run time.  Out-of-bounds detection is unaffected.
 */
const char *__ubsan_default_options(void);
const char *__ubsan_default_options(void)
{
    return "halt_on_error=1:print_stacktrace=1";
}

const char *__asan_default_options(void);
const char *__asan_default_options(void)
{
    return "detect_leaks=0";
}
