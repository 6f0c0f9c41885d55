/*
 * A tolerant reader for SYSTEM.INI-style text.  Portable: no allocation, works on a (pointer,
 * length) buffer that need not be NUL-terminated, so the VMM runs it on the file as loaded and the
 * host tests and fuzzer on anything.
 *
 * Accepted: "[section]" lines, "key=value" lines, ';' or '#' comment lines, blank lines, CR LF or
 * LF line ends, spaces and tabs around names and values.  Section and key names compare without
 * regard to case.  Anything else is a bad line, passed to the callback with its number so the
 * caller can report it; reading goes on after it.
 */
#ifndef BOOT_INI_H
#define BOOT_INI_H
#include <stddef.h>

struct ini_item {
    unsigned line;              /* 1-based */
    const char *section;        /* current section name (not NUL-terminated), "" before any */
    size_t section_len;
    const char *key, *value;    /* key=value line; for a bad line key is the line's text */
    size_t key_len, value_len;
    int bad;                    /* 1: neither a section, a setting, a comment nor blank */
};

/* Calls cb for every setting and every bad line, in file order; stops early when cb returns
 * non-zero and returns that value, else 0. */
typedef int (*ini_cb)(const struct ini_item *it, void *ctx);
int ini_walk(const char *text, size_t len, ini_cb cb, void *ctx);

/* The last value of section/key, copied NUL-terminated into val; returns 1 if found (value cut
 * to cap - 1 bytes), 0 if not. */
int ini_get(const char *text, size_t len, const char *section, const char *key,
            char *val, size_t cap);

/* Every setting of a text found in one walk, for many lookups (a boot reads some twenty keys:
 * ini_get walks the whole file each time).  ini_index_build also passes each bad line to cb (if
 * set), as ini_walk does; ini_index_get answers as ini_get would, from the index -- or, for a text
 * of more than INI_INDEX_MAX settings, by ini_get itself. */
#define INI_INDEX_MAX 128
struct ini_index {
    const char *text;
    size_t len;
    unsigned n;
    int overflow;               /* more settings than the index holds: ini_get answers */
    struct {
        const char *section, *key, *value;
        size_t section_len, key_len, value_len;
    } e[INI_INDEX_MAX];
};
void ini_index_build(struct ini_index *ix, const char *text, size_t len, ini_cb bad, void *ctx);
int  ini_index_get(const struct ini_index *ix, const char *section, const char *key, char *val,
                   size_t cap);

/* Parses a decimal or 0x-hex unsigned number that fills the whole string; 0 ok, -1 otherwise. */
int ini_parse_uint(const char *s, unsigned long *out);

#endif
