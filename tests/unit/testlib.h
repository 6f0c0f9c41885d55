/* Helpers shared by the unit tests. */
#ifndef TESTS_UNIT_TESTLIB_H
#define TESTS_UNIT_TESTLIB_H
#include <stddef.h>
#include <stdint.h>

/* splitmix64: a seeded, repeatable generator for the randomized tests. */
uint64_t rng_next(uint64_t *state);

/* A whole file, malloc'd (caller frees); NULL if it cannot be opened. */
unsigned char *read_file(const char *path, size_t *len);

#endif
