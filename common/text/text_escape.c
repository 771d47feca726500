/* text_escape.c - the escaping rule of gw_text.h, over runs that GLib
 * validates: the common case (nothing to escape) is one fast pass. */
#include "gw_text.h"

#include <string.h>

/* Where the escaped text goes: a GString that grows, or a fixed buffer
 * (room: bytes left before its NUL) that takes only whole units. */
typedef struct {
    GString *grow;
    char *buf;
    size_t room;
    size_t n; /* bytes written to buf */
} text_sink_t;

/* Put n bytes whole; false (nothing put) when a fixed buffer lacks room. */
static bool text_put(text_sink_t *k, const char *s, size_t n)
{
    if (k->grow) {
        g_string_append_len(k->grow, s, (gssize)n);
        return true;
    }
    if (n > k->room)
        return false;
    memcpy(k->buf + k->n, s, n);
    k->n += n;
    k->room -= n;
    return true;
}

/* Bytes plain mode escapes although they are valid UTF-8. All are ASCII,
 * so none is ever part of a multi-byte sequence. */
static bool text_special(unsigned char c)
{
    return c < 0x20 || c == 0x7F || c == '\\';
}

/* How many bytes at s (len > 0) go out as they are: well-formed UTF-8 and,
 * in plain mode, no byte that text_special() names. */
static size_t text_run(const char *s, size_t len, gw_text_mode_t mode)
{
    size_t run = 0;
    for (;;) {
        const gchar *end;
        if (g_utf8_validate_len(s + run, len - run, &end)) {
            run = len;
            break;
        }
        run = (size_t)(end - s);
        /* g_utf8_validate_len() stops at U+0000 too, although it is a
         * character: JSON mode keeps it (plain mode escapes it below). */
        if (mode != GW_TEXT_JSON || s[run] != '\0')
            break;
        run++;
    }
    if (mode == GW_TEXT_PLAIN)
        for (size_t i = 0; i < run; i++)
            if (text_special((unsigned char)s[i]))
                return i;
    return run;
}

/* What the byte that ended a run becomes; returns its length in unit. */
static size_t text_unit(unsigned char c, gw_text_mode_t mode, char unit[8])
{
    static const char hex[] = "0123456789ABCDEF";
    size_t k = 0;
    if (mode == GW_TEXT_PLAIN && c == '\\') {
        memcpy(unit, "\\\\", 2);
        return 2;
    }
    unit[k++] = '\\';
    if (mode == GW_TEXT_JSON)
        unit[k++] = '\\'; /* the format's own escape of the backslash */
    unit[k++] = 'x';
    unit[k++] = hex[c >> 4];
    unit[k++] = hex[c & 0xF];
    return k;
}

static void text_walk(text_sink_t *k, const char *s, size_t len, gw_text_mode_t mode)
{
    while (len > 0) {
        size_t run = text_run(s, len, mode);
        if (!text_put(k, s, run)) {
            /* full: as many whole characters as fit */
            text_put(k, s, gw_text_cut(s, run, k->room));
            return;
        }
        s += run;
        len -= run;
        if (len == 0)
            return;
        char unit[8];
        if (!text_put(k, unit, text_unit((unsigned char)*s, mode, unit)))
            return;
        s++;
        len--;
    }
}

size_t gw_text_escape(const char *in, size_t len, char *out, size_t out_size, gw_text_mode_t mode)
{
    if (out_size == 0)
        return 0;
    text_sink_t k = { .buf = out, .room = out_size - 1 };
    if (in)
        text_walk(&k, in, len, mode);
    out[k.n] = '\0';
    return k.n;
}

void gw_text_append_escaped(GString *out, const char *s, size_t len, gw_text_mode_t mode)
{
    text_sink_t k = { .grow = out };
    if (s)
        text_walk(&k, s, len, mode);
}

bool gw_text_fix(GString *str, gw_text_mode_t mode)
{
    size_t good = str->len ? text_run(str->str, str->len, mode) : 0;
    if (good == str->len)
        return false; /* the common case: one pass, nothing copied */
    GString *out = g_string_sized_new(str->len + 16);
    g_string_append_len(out, str->str, (gssize)good);
    gw_text_append_escaped(out, str->str + good, str->len - good, mode);
    g_string_truncate(str, 0);
    g_string_append_len(str, out->str, (gssize)out->len);
    g_string_free(out, TRUE);
    return true;
}
