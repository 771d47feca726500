/* Unit tests for what diag sends: the Host/Origin rules (origin.h) and the
 * fixed OCPP action label set (metrics.h). The UTF-8 escaping rule diag
 * applies (JSON mode) and the cut between characters are libgwtext's,
 * tested in test-text.c. */
#include <glib.h>
#include "diag/metrics.h"
#include "diag/origin.h"

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
    g_test_add_func("/diag/origin/host-and-origin", test_origin);
    g_test_add_func("/diag/metrics/action-labels", test_action_labels);
    return g_test_run();
}
