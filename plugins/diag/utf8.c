/* utf8.c - escape stray bytes so that everything diag sends is UTF-8. */
#include "utf8.h"

#include <string.h>

size_t gw_diag_utf8_seq(const unsigned char *s, size_t avail)
{
    unsigned char c = s[0];
    size_t n;
    unsigned char lo = 0x80, hi = 0xBF; /* bounds of the second byte */
    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF)
        n = 2;
    else if (c >= 0xE0 && c <= 0xEF) {
        n = 3;
        if (c == 0xE0)
            lo = 0xA0; /* overlong */
        else if (c == 0xED)
            hi = 0x9F; /* surrogates */
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4;
        if (c == 0xF0)
            lo = 0x90; /* overlong */
        else if (c == 0xF4)
            hi = 0x8F; /* above U+10FFFF */
    } else
        return 0;
    if (avail < n || s[1] < lo || s[1] > hi)
        return 0;
    for (size_t i = 2; i < n; i++)
        if ((s[i] & 0xC0) != 0x80)
            return 0;
    return n;
}

void gw_diag_utf8_append_escaped(GString *out, const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s, *end = p + len;
    while (p < end) {
        const unsigned char *run = p;
        size_t n;
        while (p < end && (n = gw_diag_utf8_seq(p, (size_t)(end - p))))
            p += n;
        g_string_append_len(out, (const char *)run, (gssize)(p - run));
        if (p < end) {
            g_string_append_printf(out, "\\\\x%02X", *p);
            p++;
        }
    }
}

bool gw_diag_utf8_fix(GString *str)
{
    const gchar *bad;
    /* The common case: one fast pass and nothing to copy. */
    if (g_utf8_validate_len(str->str, str->len, &bad))
        return false;
    size_t good = (size_t)(bad - str->str);
    GString *out = g_string_sized_new(str->len + 16);
    g_string_append_len(out, str->str, (gssize)good);
    gw_diag_utf8_append_escaped(out, str->str + good, str->len - good);
    g_string_truncate(str, 0);
    g_string_append_len(str, out->str, (gssize)out->len);
    g_string_free(out, TRUE);
    return true;
}

size_t gw_diag_utf8_cut(const char *s, size_t len, size_t max)
{
    if (len <= max)
        return len;
    /* Back up (at most 3 bytes) over continuation bytes to the lead byte of
     * the character that straddles max, if one does. */
    size_t cut = max;
    while (cut > 0 && max - cut < 3 && ((unsigned char)s[cut] & 0xC0) == 0x80)
        cut--;
    size_t n = gw_diag_utf8_seq((const unsigned char *)s + cut, len - cut);
    if (cut < max && n && cut + n > max)
        return cut;
    return max; /* max is a boundary already, or the bytes there are stray */
}
