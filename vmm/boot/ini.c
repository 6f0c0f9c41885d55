/* SYSTEM.INI reader: see ini.h. */
#include "boot/ini.h"
#include "lib/ascii.h"

static int is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v'; }

static void trim(const char **s, size_t *n)
{
    while (*n && is_space(**s))
        (*s)++, (*n)--;
    while (*n && is_space((*s)[*n - 1]))
        (*n)--;
}

int ini_walk(const char *text, size_t len, ini_cb cb, void *ctx)
{
    struct ini_item it = { 0, "", 0, 0, 0, 0, 0, 0 };
    size_t pos = 0;

    while (pos < len) {
        const char *l = text + pos;
        size_t n = 0;
        while (pos + n < len && l[n] != '\n')
            n++;
        pos += n + 1;
        it.line++;
        trim(&l, &n);
        if (n == 0 || l[0] == ';' || l[0] == '#')
            continue;
        if (l[0] == '[') {
            size_t close = 1;
            while (close < n && l[close] != ']')
                close++;
            if (close < n) {
                it.section = l + 1;
                it.section_len = close - 1;
                trim(&it.section, &it.section_len);
                continue;                               /* text after ']' is ignored */
            }
        } else {
            size_t eq = 0;
            while (eq < n && l[eq] != '=')
                eq++;
            if (eq < n && eq > 0) {
                it.key = l;
                it.key_len = eq;
                it.value = l + eq + 1;
                it.value_len = n - eq - 1;
                trim(&it.key, &it.key_len);
                trim(&it.value, &it.value_len);
                if (it.key_len) {
                    it.bad = 0;
                    int r = cb(&it, ctx);
                    if (r)
                        return r;
                    continue;
                }
            }
        }
        it.key = l;
        it.key_len = n;
        it.value = 0;
        it.value_len = 0;
        it.bad = 1;
        int r = cb(&it, ctx);
        if (r)
            return r;
    }
    return 0;
}

struct get_ctx {
    const char *section, *key;
    char *val;
    size_t cap;
    int found;
};

static int get_cb(const struct ini_item *it, void *p)
{
    struct get_ctx *g = p;
    if (it->bad || !ascii_ieq(it->section, it->section_len, g->section) ||
        !ascii_ieq(it->key, it->key_len, g->key))
        return 0;
    size_t n = it->value_len < g->cap - 1 ? it->value_len : g->cap - 1;
    for (size_t i = 0; i < n; i++)
        g->val[i] = it->value[i];
    g->val[n] = 0;
    g->found = 1;
    return 0;                                           /* the last one wins, as in Windows */
}

int ini_get(const char *text, size_t len, const char *section, const char *key,
            char *val, size_t cap)
{
    struct get_ctx g = { section, key, val, cap, 0 };
    if (cap == 0)
        return 0;
    ini_walk(text, len, get_cb, &g);
    return g.found;
}

int ini_parse_uint(const char *s, unsigned long *out)
{
    unsigned long v = 0, base = 10;
    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        base = 16;
        s += 2;
    }
    if (!*s)
        return -1;
    for (; *s; s++) {
        unsigned d;
        char c = ascii_lower(*s);
        if (c >= '0' && c <= '9')
            d = (unsigned)(c - '0');
        else if (base == 16 && c >= 'a' && c <= 'f')
            d = (unsigned)(c - 'a' + 10);
        else
            return -1;
        if (v > (~0ul - d) / base)
            return -1;
        v = v * base + d;
    }
    *out = v;
    return 0;
}
