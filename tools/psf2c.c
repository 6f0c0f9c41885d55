/*
 * psf2c: turn a PC Screen Font (PSF1 or PSF2, uncompressed) into the C table the VMM's
 * framebuffer console draws with (vmm/console/fbcon.c).
 *
 *     psf2c INPUT.psf OUTPUT.c
 *
 * The console indexes glyphs by Latin-1 byte, but console fonts order their glyphs by code page
 * and say which Unicode code points each glyph shows in a table after the bitmaps.  So the table
 * is read and the 256 glyphs for U+0000..U+00FF are copied out in code point order; a code point
 * the font does not cover gets the '?' glyph.  A font without a table is taken to be Latin-1
 * ordered already.
 *
 * Only 8-pixel-wide fonts up to 32 rows are accepted (one byte per row, at most 32 rows: the
 * shape of font_glyphs).  This is a build tool: any input it does not understand stops the build
 * with "psf2c: FILE: reason" rather than producing a half-right font.
 *
 * A second table, font_cp437, holds the glyphs of code page 437 (include/vmm/cp437.h) in byte
 * order, for the VMs' text screens (vxd/vdd); a character the font lacks gets '?' there too.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vmm/cp437.h"

#define MAX_HEIGHT 32
#define NO_GLYPH   UINT32_MAX

static const char *in_name;

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void die(const char *fmt, ...)
{
    va_list ap;

    fprintf(stderr, "psf2c: %s: ", in_name);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    exit(1);
}

struct font {
    const uint8_t *data;        /* the whole file */
    size_t size;
    uint32_t nglyphs;
    uint32_t height;
    uint32_t charsize;          /* bytes per glyph */
    size_t glyphs;              /* offset of glyph 0 */
    size_t table;               /* offset of the unicode table, 0 if there is none */
    int psf2;
    uint32_t map[256];          /* Latin-1 code point -> glyph index, NO_GLYPH if not seen */
    uint32_t cp437[256];        /* code page 437 byte -> glyph index, NO_GLYPH if not seen */
};

static uint8_t *read_file(const char *path, size_t *size)
{
    FILE *f = fopen(path, "rb");
    uint8_t *buf = NULL;
    size_t len = 0, cap = 0;

    if (!f)
        die("%s", strerror(errno));
    for (;;) {
        if (len == cap) {
            cap = cap ? cap * 2 : 65536;
            buf = realloc(buf, cap);
            if (!buf)
                die("out of memory");
        }
        size_t n = fread(buf + len, 1, cap - len, f);
        len += n;
        if (n == 0)
            break;
    }
    if (ferror(f))
        die("read error");
    fclose(f);
    *size = len;
    return buf;
}

static uint32_t le32(const uint8_t *p)
{
    return p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Checks that the glyph bitmaps fit in the file and says where the table starts.  The sizes are
 * multiplied in 64 bits so a hostile header cannot wrap the bounds check. */
static void place_glyphs(struct font *f, size_t start, int has_table)
{
    uint64_t end = (uint64_t)f->nglyphs * f->charsize + start;

    if (f->height == 0 || f->height > MAX_HEIGHT)
        die("glyph height %u, need 1..%d", f->height, MAX_HEIGHT);
    if (f->nglyphs == 0)
        die("font has no glyphs");
    if (end > f->size)
        die("truncated: %u glyphs of %u bytes need %llu bytes, file has %zu", f->nglyphs,
            f->charsize, (unsigned long long)end, f->size);
    f->glyphs = start;
    f->table = has_table ? (size_t)end : 0;
}

static void parse_psf1(struct font *f)
{
    uint8_t mode = f->data[2];

    if (mode & ~0x07)
        die("unknown PSF1 mode 0x%02x", mode);
    f->nglyphs = (mode & 0x01) ? 512 : 256;
    f->charsize = f->height = f->data[3];
    place_glyphs(f, 4, mode & 0x06);
}

static void parse_psf2(struct font *f)
{
    const uint8_t *h = f->data;

    if (f->size < 32)
        die("truncated PSF2 header (%zu bytes)", f->size);
    uint32_t version = le32(h + 4), hsize = le32(h + 8), flags = le32(h + 12);
    uint32_t width = le32(h + 28);
    if (version != 0)
        die("unknown PSF2 version %u", version);
    if (hsize < 32 || hsize > f->size)
        die("bad PSF2 header size %u (file has %zu bytes)", hsize, f->size);
    f->nglyphs = le32(h + 16);
    f->charsize = le32(h + 20);
    f->height = le32(h + 24);
    if (width != 8)
        die("glyphs are %u pixels wide, only 8 is supported", width);
    if (f->charsize != f->height)
        die("charsize %u does not match %u rows of one byte", f->charsize, f->height);
    f->psf2 = 1;
    place_glyphs(f, hsize, flags & 1);
}

static void map_code_point(struct font *f, uint32_t cp, uint32_t glyph)
{
    /* First glyph wins: fonts list the preferred glyph for a code point first. */
    if (cp < 256 && f->map[cp] == NO_GLYPH)
        f->map[cp] = glyph;
    for (unsigned b = 0; b < 256; b++)
        if (cp437_unicode[b] == cp && f->cp437[b] == NO_GLYPH)
            f->cp437[b] = glyph;
}

/* PSF1 table: per glyph, uint16 LE code points, then 0xFFFE-introduced sequences (combining
 * forms, which a byte-per-cell console cannot use), then 0xFFFF. */
static size_t psf1_entry(struct font *f, size_t pos, uint32_t glyph)
{
    int in_seq = 0;

    for (;;) {
        if (f->size - pos < 2)
            die("truncated unicode table at glyph %u", glyph);
        uint32_t v = f->data[pos] | (uint32_t)f->data[pos + 1] << 8;
        pos += 2;
        if (v == 0xFFFF)
            return pos;
        if (v == 0xFFFE)
            in_seq = 1;
        else if (!in_seq)
            map_code_point(f, v, glyph);
    }
}

/* Decodes one UTF-8 character at pos; strict enough that a corrupt table is noticed rather than
 * silently mapping the wrong glyphs. */
static uint32_t utf8(struct font *f, size_t *pos, size_t end, uint32_t glyph)
{
    const uint8_t *p = f->data + *pos;
    uint32_t c = p[0];
    size_t n, avail = end - *pos;

    if (c < 0x80)
        n = 1;
    else if ((c & 0xE0) == 0xC0)
        n = 2, c &= 0x1F;
    else if ((c & 0xF0) == 0xE0)
        n = 3, c &= 0x0F;
    else if ((c & 0xF8) == 0xF0)
        n = 4, c &= 0x07;
    else
        die("bad UTF-8 byte 0x%02x in unicode table at glyph %u", (unsigned)c, glyph);
    if (n > avail)
        die("truncated unicode table at glyph %u", glyph);
    for (size_t i = 1; i < n; i++) {
        if ((p[i] & 0xC0) != 0x80)
            die("bad UTF-8 sequence in unicode table at glyph %u", glyph);
        c = c << 6 | (p[i] & 0x3F);
    }
    *pos += n;
    return c;
}

/* PSF2 table: per glyph, UTF-8 code points, then 0xFE-introduced sequences, then 0xFF. */
static size_t psf2_entry(struct font *f, size_t pos, uint32_t glyph)
{
    int in_seq = 0;

    for (;;) {
        if (pos >= f->size)
            die("truncated unicode table at glyph %u", glyph);
        uint8_t b = f->data[pos];
        if (b == 0xFF)
            return pos + 1;
        if (b == 0xFE) {
            in_seq = 1;
            pos++;
            continue;
        }
        uint32_t cp = utf8(f, &pos, f->size, glyph);
        if (!in_seq)
            map_code_point(f, cp, glyph);
    }
}

static void build_map(struct font *f)
{
    for (uint32_t i = 0; i < 256; i++)
        f->map[i] = f->cp437[i] = NO_GLYPH;
    if (!f->table) {
        if (f->nglyphs < 256)
            die("no unicode table and only %u glyphs", f->nglyphs);
        for (uint32_t i = 0; i < 256; i++)
            f->map[i] = f->cp437[i] = i;    /* no table: the font's own order, both ways */
        return;
    }
    size_t pos = f->table;
    for (uint32_t g = 0; g < f->nglyphs; g++)
        pos = f->psf2 ? psf2_entry(f, pos, g) : psf1_entry(f, pos, g);
    uint32_t fallback = f->map['?'];
    if (fallback == NO_GLYPH)
        die("unicode table has no glyph for '?'");
    for (uint32_t i = 0; i < 256; i++) {
        if (f->map[i] == NO_GLYPH)
            f->map[i] = fallback;
        if (f->cp437[i] == NO_GLYPH)
            f->cp437[i] = i == 0 ? f->map[' '] : fallback;     /* 00h shows as a blank */
    }
}

/* The file name goes into a C comment: keep it printable and unable to close the comment. */
static void put_name(FILE *out, const char *s)
{
    for (char prev = 0; *s; prev = *s++)
        fputc(*s < 0x20 || *s > 0x7E || (prev == '*' && *s == '/') ? '?' : *s, out);
}

static void write_c(const struct font *f, const char *path)
{
    FILE *out = fopen(path, "w");

    if (!out) {
        fprintf(stderr, "psf2c: %s: %s\n", path, strerror(errno));
        exit(1);
    }
    fputs("/* Generated by tools/psf2c from ", out);
    put_name(out, in_name);
    fputs(" -- do not edit.\n"
          " * font_glyphs[c] is the glyph for Latin-1 code point c, one byte per row, MSB leftmost;\n"
          " * rows past font_height are 0. */\n"
          "#include <stdint.h>\n", out);
    fprintf(out, "const unsigned font_width = 8;\n"
                 "const unsigned font_height = %u;\n"
                 "const uint8_t font_glyphs[256][32] = {\n", f->height);
    for (unsigned c = 0; c < 256; c++) {
        const uint8_t *g = f->data + f->glyphs + (size_t)f->map[c] * f->charsize;
        fprintf(out, "    /* U+%04X: glyph %u */\n    {", c, f->map[c]);
        for (unsigned r = 0; r < MAX_HEIGHT; r++)
            fprintf(out, "%s0x%02x", r ? (r % 16 ? "," : ",\n     ") : "",
                    r < f->height ? g[r] : 0);
        fputs("},\n", out);
    }
    fputs("};\n", out);
    fputs("/* font_cp437[b]: the glyph for code page 437 byte b (a VM's text screen). */\n"
          "const uint8_t font_cp437[256][32] = {\n", out);
    for (unsigned c = 0; c < 256; c++) {
        const uint8_t *g = f->data + f->glyphs + (size_t)f->cp437[c] * f->charsize;
        fprintf(out, "    /* %02Xh (U+%04X): glyph %u */\n    {", c, cp437_unicode[c], f->cp437[c]);
        for (unsigned r = 0; r < MAX_HEIGHT; r++)
            fprintf(out, "%s0x%02x", r ? (r % 16 ? "," : ",\n     ") : "",
                    r < f->height ? g[r] : 0);
        fputs("},\n", out);
    }
    fputs("};\n", out);
    if (ferror(out) | fclose(out)) {
        fprintf(stderr, "psf2c: %s: write error\n", path);
        remove(path);
        exit(1);
    }
}

int main(int argc, char **argv)
{
    static struct font f;

    if (argc != 3) {
        fprintf(stderr, "usage: psf2c INPUT.psf OUTPUT.c\n");
        return 1;
    }
    in_name = argv[1];
    f.data = read_file(in_name, &f.size);
    if (f.size >= 4 && f.data[0] == 0x36 && f.data[1] == 0x04)
        parse_psf1(&f);
    else if (f.size >= 4 && le32(f.data) == 0x864AB572u)
        parse_psf2(&f);
    else
        die(f.size < 4 ? "too short for a PSF header (%zu bytes)" : "not a PSF1/PSF2 font (bad "
            "magic; %zu bytes)", f.size);
    build_map(&f);
    write_c(&f, argv[2]);
    return 0;
}
