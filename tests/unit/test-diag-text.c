/* Unit tests for what diag sends: the UTF-8 escaping rule (utf8.h), the
 * Host/Origin rules (origin.h) and the fixed OCPP action label set
 * (metrics.h). */
#include <string.h>
#include <glib.h>
#include "diag/metrics.h"
#include "diag/origin.h"
#include "diag/utf8.h"

/* Escape len bytes of s; returns a new string. */
static char *escaped(const char *s, size_t len)
{
    GString *out = g_string_new(NULL);
    gw_diag_utf8_append_escaped(out, s, len);
    return g_string_free(out, FALSE);
}

static void test_utf8_escape(void)
{
    char *e;
    /* valid text, multi-byte included, passes unchanged */
    e = escaped("a\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80z", 11);
    g_assert_cmpstr(e, ==, "a\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80z");
    g_free(e);
    /* each stray byte becomes \\xHH (JSON/Prometheus for the text \xHH) */
    e = escaped("EVIL\xff", 5);
    g_assert_cmpstr(e, ==, "EVIL\\\\xFF");
    g_free(e);
    /* a cut sequence, an overlong, a surrogate, above U+10FFFF */
    e = escaped("\xc3", 1);
    g_assert_cmpstr(e, ==, "\\\\xC3");
    g_free(e);
    e = escaped("\xc0\xaf", 2);
    g_assert_cmpstr(e, ==, "\\\\xC0\\\\xAF");
    g_free(e);
    e = escaped("\xed\xa0\x80", 3);
    g_assert_cmpstr(e, ==, "\\\\xED\\\\xA0\\\\x80");
    g_free(e);
    e = escaped("\xf4\x90\x80\x80", 4);
    g_assert_cmpstr(e, ==, "\\\\xF4\\\\x90\\\\x80\\\\x80");
    g_free(e);
    /* a lead byte followed by ASCII: the byte alone is stray, the ASCII kept */
    e = escaped("\xe2(x", 3);
    g_assert_cmpstr(e, ==, "\\\\xE2(x");
    g_free(e);

    GString *s = g_string_new("{\"a\":\"ok\"}");
    g_assert_false(gw_diag_utf8_fix(s));
    g_assert_cmpstr(s->str, ==, "{\"a\":\"ok\"}");
    g_string_assign(s, "{\"a\":\"\xfe\"}");
    g_assert_true(gw_diag_utf8_fix(s));
    g_assert_cmpstr(s->str, ==, "{\"a\":\"\\\\xFE\"}");
    g_assert_true(g_utf8_validate(s->str, (gssize)s->len, NULL));
    g_string_free(s, TRUE);
}

static void test_utf8_cut(void)
{
    const char *t = "ab\xc3\xa9" "cd\xe2\x82\xac"; /* a b é c d € */
    size_t len = strlen(t);
    g_assert_cmpuint(gw_diag_utf8_cut(t, len, 100), ==, len);
    g_assert_cmpuint(gw_diag_utf8_cut(t, len, 2), ==, 2);
    g_assert_cmpuint(gw_diag_utf8_cut(t, len, 3), ==, 2);  /* inside é */
    g_assert_cmpuint(gw_diag_utf8_cut(t, len, 4), ==, 4);
    g_assert_cmpuint(gw_diag_utf8_cut(t, len, 7), ==, 6);  /* inside € */
    g_assert_cmpuint(gw_diag_utf8_cut(t, len, 8), ==, 6);
    /* stray continuation bytes are not a character to keep whole */
    g_assert_cmpuint(gw_diag_utf8_cut("a\x80\x80\x80\x80", 5, 3), ==, 3);
}

static void test_origin(void)
{
    const char *hosts[] = { "gw.example", "[fd00::1]", NULL };
    const char *origins[] = { "https://proxy.example", NULL };
    gw_diag_origin_t *o = gw_diag_origin_new("192.0.2.7", 8080, "site-gw", hosts, origins);

    g_assert_true(gw_diag_origin_host_ok(o, "127.0.0.1:8080"));
    g_assert_true(gw_diag_origin_host_ok(o, "localhost"));
    g_assert_true(gw_diag_origin_host_ok(o, "LocalHost.:8080"));
    g_assert_true(gw_diag_origin_host_ok(o, "[::1]:8080"));
    g_assert_true(gw_diag_origin_host_ok(o, "192.0.2.7:8080"));
    g_assert_true(gw_diag_origin_host_ok(o, "site-gw:9999")); /* a port forward */
    g_assert_true(gw_diag_origin_host_ok(o, "gw.example"));
    g_assert_true(gw_diag_origin_host_ok(o, "[fd00::1]:8080"));
    g_assert_false(gw_diag_origin_host_ok(o, NULL));
    g_assert_false(gw_diag_origin_host_ok(o, ""));
    g_assert_false(gw_diag_origin_host_ok(o, "evil.example:8080"));
    g_assert_false(gw_diag_origin_host_ok(o, "localhost.evil.example"));
    g_assert_false(gw_diag_origin_host_ok(o, "localhost:80x"));
    g_assert_false(gw_diag_origin_host_ok(o, "[::1"));
    /* an address literal cannot be rebound: fine as Host, not as Origin */
    g_assert_true(gw_diag_origin_host_ok(o, "203.0.113.9:8080"));
    g_assert_true(gw_diag_origin_host_ok(o, "[2001:db8::1]"));
    g_assert_false(gw_diag_origin_origin_ok(o, "http://203.0.113.9:8080"));

    g_assert_true(gw_diag_origin_origin_ok(o, NULL));
    g_assert_true(gw_diag_origin_origin_ok(o, "http://127.0.0.1:8080"));
    g_assert_true(gw_diag_origin_origin_ok(o, "http://localhost:8080"));
    g_assert_true(gw_diag_origin_origin_ok(o, "http://[::1]:8080"));
    g_assert_true(gw_diag_origin_origin_ok(o, "http://gw.example:8080"));
    g_assert_true(gw_diag_origin_origin_ok(o, "https://proxy.example"));
    g_assert_false(gw_diag_origin_origin_ok(o, "null"));
    g_assert_false(gw_diag_origin_origin_ok(o, "http://127.0.0.1"));       /* port 80 */
    g_assert_false(gw_diag_origin_origin_ok(o, "http://127.0.0.1:8081"));  /* another app */
    g_assert_false(gw_diag_origin_origin_ok(o, "http://evil.example:8080"));
    g_assert_false(gw_diag_origin_origin_ok(o, "http://127.0.0.1:8080/x"));
    g_assert_false(gw_diag_origin_origin_ok(o, "file://"));
    g_assert_false(gw_diag_origin_origin_ok(o, "https://proxy.example:443"));
    gw_diag_origin_free(o);

    /* "*" opens Host only; a wildcard bind adds no name */
    const char *any[] = { "*", NULL };
    o = gw_diag_origin_new("0.0.0.0", 80, NULL, any, NULL);
    g_assert_true(gw_diag_origin_host_ok(o, "anything.example"));
    g_assert_true(gw_diag_origin_origin_ok(o, "http://localhost"));
    g_assert_false(gw_diag_origin_origin_ok(o, "http://anything.example"));
    g_assert_false(gw_diag_origin_origin_ok(o, "http://0.0.0.0"));
    gw_diag_origin_free(o);
}

static void test_action_labels(void)
{
    g_assert_cmpstr(gw_diag_metrics_action_label("Heartbeat"), ==, "Heartbeat");
    g_assert_cmpstr(gw_diag_metrics_action_label("Authorize"), ==, "Authorize");
    g_assert_cmpstr(gw_diag_metrics_action_label("UpdateFirmware"), ==, "UpdateFirmware");
    g_assert_cmpstr(gw_diag_metrics_action_label("SignedUpdateFirmware"), ==, "SignedUpdateFirmware");
    g_assert_cmpstr(gw_diag_metrics_action_label("SecurityEventNotification"), ==,
                    "SecurityEventNotification");
    g_assert_cmpstr(gw_diag_metrics_action_label("Boot\tNotification"), ==, "other");
    g_assert_cmpstr(gw_diag_metrics_action_label("heartbeat"), ==, "other");
    g_assert_cmpstr(gw_diag_metrics_action_label(""), ==, "other");
    g_assert_cmpstr(gw_diag_metrics_action_label(NULL), ==, "other");
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/diag/utf8/escape", test_utf8_escape);
    g_test_add_func("/diag/utf8/cut", test_utf8_cut);
    g_test_add_func("/diag/origin/host-and-origin", test_origin);
    g_test_add_func("/diag/metrics/action-labels", test_action_labels);
    return g_test_run();
}
