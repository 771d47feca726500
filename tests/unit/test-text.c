/* Unit tests of libgwtext (common/text/gw_text.h): the one escaping rule
 * for text that leaves gatewayd, in plain mode (scan list, refusal logs,
 * SIGUSR1 dump) and JSON mode (diag's API, stream, console, /metrics), and
 * the cut between characters. */
#include <string.h>
#include <glib.h>
#include "text/gw_text.h"

/* Plain mode into a fixed buffer of out_size bytes; the result must be
 * valid UTF-8 whatever went in. */
static const char *plain(const char *in, size_t len, size_t out_size)
{
    static char out[256];
    g_assert_cmpuint(out_size, <=, sizeof out);
    size_t n = gw_text_escape(in, len, out, out_size, GW_TEXT_PLAIN);
    g_assert_cmpuint(n, ==, strlen(out));
    g_assert_true(g_utf8_validate(out, -1, NULL));
    return out;
}

/* JSON mode, appended to a GString; returns a new string. */
static char *json(const char *s, size_t len)
{
    GString *out = g_string_new(NULL);
    gw_text_append_escaped(out, s, len, GW_TEXT_JSON);
    return g_string_free(out, FALSE);
}

static void test_plain(void)
{
    g_assert_cmpstr(plain("CP-01", 5, 256), ==, "CP-01");
    g_assert_cmpstr(plain("EVIL\xFF", 5, 256), ==, "EVIL\\xFF");
    g_assert_cmpstr(plain("caf\xc3\xa9", 5, 256), ==, "caf\xc3\xa9");
    /* the escape cannot be forged: a backslash is doubled, controls, DEL
     * and U+0000 (where g_utf8_validate_len stops) are escaped */
    g_assert_cmpstr(plain("a\\b", 3, 256), ==, "a\\\\b");
    g_assert_cmpstr(plain("\\xFF", 4, 256), ==, "\\\\xFF");
    g_assert_cmpstr(plain("a\nb\x7f", 4, 256), ==, "a\\x0Ab\\x7F");
    g_assert_cmpstr(plain("a\tb", 3, 256), ==, "a\\x09b");
    g_assert_cmpstr(plain("a\0b", 3, 256), ==, "a\\x00b");
    /* overlong "/", a surrogate, beyond U+10FFFF, a cut sequence, a stray
     * continuation byte, a lead byte followed by ASCII */
    g_assert_cmpstr(plain("\xc0\xaf", 2, 256), ==, "\\xC0\\xAF");
    g_assert_cmpstr(plain("\xed\xa0\x80", 3, 256), ==, "\\xED\\xA0\\x80");
    g_assert_cmpstr(plain("\xf4\x90\x80\x80", 4, 256), ==, "\\xF4\\x90\\x80\\x80");
    g_assert_cmpstr(plain("\xe2\x82", 2, 256), ==, "\\xE2\\x82");
    g_assert_cmpstr(plain("\x80x", 2, 256), ==, "\\x80x");
    g_assert_cmpstr(plain("\xe2(x", 3, 256), ==, "\\xE2(x");
    /* four-byte characters and the last code point are kept */
    g_assert_cmpstr(plain("\xf0\x9f\x94\x8c", 4, 256), ==, "\xf0\x9f\x94\x8c");
    g_assert_cmpstr(plain("\xf4\x8f\xbf\xbf", 4, 256), ==, "\xf4\x8f\xbf\xbf");
    /* full: never half a character or half an escape */
    g_assert_cmpstr(plain("ab\xc3\xa9", 4, 4), ==, "ab");
    g_assert_cmpstr(plain("ab\xc3\xa9", 4, 5), ==, "ab\xc3\xa9");
    g_assert_cmpstr(plain("ab\xff", 3, 6), ==, "ab");
    g_assert_cmpstr(plain("ab\xff", 3, 7), ==, "ab\\xFF");
    g_assert_cmpstr(plain("ab\\", 3, 4), ==, "ab");
    g_assert_cmpstr(plain("abc", 3, 1), ==, "");
    g_assert_cmpstr(plain(NULL, 0, 8), ==, "");
    g_assert_cmpstr(plain(NULL, 5, 8), ==, "");
    char untouched = 'z';
    g_assert_cmpuint(gw_text_escape("abc", 3, &untouched, 0, GW_TEXT_PLAIN), ==, 0);
    g_assert_cmpint(untouched, ==, 'z');

    /* a GString takes everything; a long invalid text in a fixed buffer
     * is whole escapes only */
    GString *g = g_string_new("id=");
    gw_text_append_escaped(g, "a\xff\n\\", 4, GW_TEXT_PLAIN);
    g_assert_cmpstr(g->str, ==, "id=a\\xFF\\x0A\\\\");
    g_string_free(g, TRUE);
    char bad[300];
    memset(bad, 0xFF, sizeof bad);
    g_assert_cmpuint(strlen(plain(bad, sizeof bad, 129)), ==, 128);
}

static void test_json(void)
{
    char *e;
    /* valid text, multi-byte included, passes unchanged; so do what the
     * JSON writer escaped already (quotes, backslashes) and U+0000 */
    e = json("a\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80z", 11);
    g_assert_cmpstr(e, ==, "a\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80z");
    g_free(e);
    e = json("{\"a\":\"x\\\"\\n\"}", 13);
    g_assert_cmpstr(e, ==, "{\"a\":\"x\\\"\\n\"}");
    g_free(e);
    e = json("a\0b", 3);
    g_assert_cmpmem(e, 3, "a\0b", 3);
    g_free(e);
    /* each stray byte becomes \\xHH (JSON/Prometheus for the text \xHH) */
    e = json("EVIL\xff", 5);
    g_assert_cmpstr(e, ==, "EVIL\\\\xFF");
    g_free(e);
    /* a cut sequence, an overlong, a surrogate, above U+10FFFF */
    e = json("\xc3", 1);
    g_assert_cmpstr(e, ==, "\\\\xC3");
    g_free(e);
    e = json("\xc0\xaf", 2);
    g_assert_cmpstr(e, ==, "\\\\xC0\\\\xAF");
    g_free(e);
    e = json("\xed\xa0\x80", 3);
    g_assert_cmpstr(e, ==, "\\\\xED\\\\xA0\\\\x80");
    g_free(e);
    e = json("\xf4\x90\x80\x80", 4);
    g_assert_cmpstr(e, ==, "\\\\xF4\\\\x90\\\\x80\\\\x80");
    g_free(e);
    /* a lead byte followed by ASCII: the byte alone is stray, the ASCII kept */
    e = json("\xe2(x", 3);
    g_assert_cmpstr(e, ==, "\\\\xE2(x");
    g_free(e);
    /* a stray byte after a U+0000 is still found */
    e = json("\0\xff", 2);
    g_assert_cmpmem(e, 5, "\0\\\\xFF", 5);
    g_free(e);
    /* into a fixed buffer: whole escapes only */
    char buf[6];
    g_assert_cmpuint(gw_text_escape("\xff", 1, buf, 5, GW_TEXT_JSON), ==, 0);
    g_assert_cmpstr(buf, ==, "");
    g_assert_cmpuint(gw_text_escape("\xff", 1, buf, 6, GW_TEXT_JSON), ==, 5);
    g_assert_cmpstr(buf, ==, "\\\\xFF");
}

static void test_fix(void)
{
    GString *s = g_string_new("{\"a\":\"ok\"}");
    g_assert_false(gw_text_fix(s, GW_TEXT_JSON));
    g_assert_cmpstr(s->str, ==, "{\"a\":\"ok\"}");
    g_string_assign(s, "{\"a\":\"\xfe\"}");
    g_assert_true(gw_text_fix(s, GW_TEXT_JSON));
    g_assert_cmpstr(s->str, ==, "{\"a\":\"\\\\xFE\"}");
    g_assert_true(g_utf8_validate(s->str, (gssize)s->len, NULL));
    /* U+0000 is nothing to fix in JSON mode, a control is in plain mode */
    g_string_truncate(s, 0);
    g_string_append_len(s, "a\0b", 3);
    g_assert_false(gw_text_fix(s, GW_TEXT_JSON));
    g_assert_cmpuint(s->len, ==, 3);
    g_assert_true(gw_text_fix(s, GW_TEXT_PLAIN));
    g_assert_cmpstr(s->str, ==, "a\\x00b");
    g_string_assign(s, "");
    g_assert_false(gw_text_fix(s, GW_TEXT_PLAIN));
    g_string_free(s, TRUE);
}

static void test_cut(void)
{
    const char *t = "ab\xc3\xa9" "cd\xe2\x82\xac"; /* a b é c d € */
    size_t len = strlen(t);
    g_assert_cmpuint(gw_text_cut(t, len, 100), ==, len);
    g_assert_cmpuint(gw_text_cut(t, len, 2), ==, 2);
    g_assert_cmpuint(gw_text_cut(t, len, 3), ==, 2);  /* inside é */
    g_assert_cmpuint(gw_text_cut(t, len, 4), ==, 4);
    g_assert_cmpuint(gw_text_cut(t, len, 7), ==, 6);  /* inside € */
    g_assert_cmpuint(gw_text_cut(t, len, 8), ==, 6);
    g_assert_cmpuint(gw_text_cut(t, len, 0), ==, 0);
    /* inside a four-byte character, at each of its bytes */
    const char *emoji = "x\xf0\x9f\x98\x80y";
    for (size_t max = 2; max <= 4; max++)
        g_assert_cmpuint(gw_text_cut(emoji, 6, max), ==, 1);
    g_assert_cmpuint(gw_text_cut(emoji, 6, 5), ==, 5);
    /* stray continuation bytes are not a character to keep whole */
    g_assert_cmpuint(gw_text_cut("a\x80\x80\x80\x80", 5, 3), ==, 3);
    /* nor is a sequence cut short by the end of the text */
    g_assert_cmpuint(gw_text_cut("ab\xe2\x82", 4, 3), ==, 3);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/text/escape/plain", test_plain);
    g_test_add_func("/text/escape/json", test_json);
    g_test_add_func("/text/fix", test_fix);
    g_test_add_func("/text/cut", test_cut);
    return g_test_run();
}
