/* ocpp_text.c - see ocpp_text.h. */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include "ocpp_text.h"

/* Length of the well-formed UTF-8 sequence at s (RFC 3629 table), 0 when
 * the byte at s does not start one. */
static size_t text_utf8_seq(const unsigned char *s, size_t len)
{
    unsigned char c = s[0];
    size_t n;
    unsigned char lo = 0x80, hi = 0xBF; /* the second byte's range */
    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF)
        n = 2;
    else if (c >= 0xE0 && c <= 0xEF)
        n = 3;
    else if (c >= 0xF0 && c <= 0xF4)
        n = 4;
    else
        return 0;
    if (c == 0xE0)
        lo = 0xA0; /* overlong */
    else if (c == 0xED)
        hi = 0x9F; /* surrogates */
    else if (c == 0xF0)
        lo = 0x90; /* overlong */
    else if (c == 0xF4)
        hi = 0x8F; /* beyond U+10FFFF */
    if (len < n || s[1] < lo || s[1] > hi)
        return 0;
    for (size_t i = 2; i < n; i++)
        if ((s[i] & 0xC0) != 0x80)
            return 0;
    return n;
}

size_t gw_ocpp_text_escape(const char *in, size_t len, char *out, size_t out_size)
{
    const unsigned char *s = (const unsigned char *)in;
    size_t o = 0;
    if (out_size == 0)
        return 0;
    for (size_t i = 0; in && i < len;) {
        char unit[5];
        size_t n = text_utf8_seq(s + i, len - i), k;
        bool plain = n > 1 || (n == 1 && s[i] >= 0x20 && s[i] != 0x7F && s[i] != '\\');
        if (plain) {
            k = n;
            memcpy(unit, s + i, n);
        } else if (n == 1 && s[i] == '\\') {
            k = 2;
            memcpy(unit, "\\\\", 2);
        } else {
            n = 1;
            k = (size_t)snprintf(unit, sizeof unit, "\\x%02X", s[i]);
        }
        if (o + k + 1 > out_size)
            break;
        memcpy(out + o, unit, k);
        o += k;
        i += n;
    }
    out[o] = '\0';
    return o;
}
