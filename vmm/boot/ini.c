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

struct build_ctx {
    struct ini_index *ix;
    ini_cb bad;
    void *ctx;
};

static int build_cb(const struct ini_item *it, void *p)
{
    struct build_ctx *b = p;
    if (it->bad)
        return b->bad ? b->bad(it, b->ctx) : 0;
    struct ini_index *ix = b->ix;
    if (ix->n == INI_INDEX_MAX) {
        ix->overflow = 1;
        return 0;
    }
    ix->e[ix->n].section = it->section;
    ix->e[ix->n].section_len = it->section_len;
    ix->e[ix->n].key = it->key;
    ix->e[ix->n].key_len = it->key_len;
    ix->e[ix->n].value = it->value;
    ix->e[ix->n].value_len = it->value_len;
    ix->n++;
    return 0;
}

void ini_index_build(struct ini_index *ix, const char *text, size_t len, ini_cb bad, void *ctx)
{
    struct build_ctx b = { ix, bad, ctx };
    ix->text = text;
    ix->len = len;
    ix->n = 0;
    ix->overflow = 0;
    ini_walk(text, len, build_cb, &b);
}

int ini_index_get(const struct ini_index *ix, const char *section, const char *key, char *val,
                  size_t cap)
{
    if (ix->overflow)
        return ini_get(ix->text, ix->len, section, key, val, cap);
    if (cap == 0)
        return 0;
    for (unsigned i = ix->n; i-- > 0;) {                /* the last one wins */
        if (!ascii_ieq(ix->e[i].section, ix->e[i].section_len, section) ||
            !ascii_ieq(ix->e[i].key, ix->e[i].key_len, key))
            continue;
        size_t n = ix->e[i].value_len < cap - 1 ? ix->e[i].value_len : cap - 1;
        for (size_t k = 0; k < n; k++)
            val[k] = ix->e[i].value[k];
        val[n] = 0;
        return 1;
    }
    return 0;
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
