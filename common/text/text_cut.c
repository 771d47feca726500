/* text_cut.c - cut text between characters (gw_text.h). */
#include "gw_text.h"

size_t gw_text_cut(const char *s, size_t len, size_t max)
{
    if (len <= max)
        return len;
    /* Back up (at most 3 bytes) over continuation bytes to the lead byte
     * of the character that straddles max, if one does. */
    size_t cut = max;
    while (cut > 0 && max - cut < 3 && ((unsigned char)s[cut] & 0xC0) == 0x80)
        cut--;
    if (cut == max)
        return max; /* s[max] starts a character or is stray: a boundary */
    /* A well-formed character at cut reaching past max is kept out whole;
     * otherwise the bytes there are stray and max is as good as any. */
    const gchar *end;
    size_t window = MIN(len - cut, (size_t)4);
    size_t need = (size_t)g_utf8_skip[(unsigned char)s[cut]];
    g_utf8_validate_len(s + cut, window, &end);
    if ((size_t)(end - (s + cut)) >= need && cut + need > max)
        return cut;
    return max;
}
