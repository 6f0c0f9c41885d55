/*
 * Address -> symbol lookup in an ELF32 file's symbol table, for fault reports.  Portable and
 * defensive: the file may be anything, so every offset and index is checked against the length
 * before it is followed; a malformed file simply finds nothing.
 */
#ifndef BOOT_ELFSYM_H
#define BOOT_ELFSYM_H
#include <stddef.h>
#include <stdint.h>

/* Finds the function or object symbol containing addr (or, for symbols without a size, the
 * nearest one below it within 64 KB).  On success stores a pointer to its NUL-terminated name
 * (inside the file) and the offset of addr from it, and returns 1; returns 0 otherwise. */
int elfsym_lookup(const void *file, size_t len, uint32_t addr, const char **name, uint32_t *off);

/* Whether the file holds a symbol table elfsym_lookup can use (the table and its string table
 * whole inside len): 1, or 0 (none, or cut off: the file was truncated or stripped). */
int elfsym_has_table(const void *file, size_t len);

#endif
