/* Refused handshakes (ocpp_refusal.c): statuses, the per-peer log window
 * and its overall budget; the scan list keyed by text and reason, peer
 * text stored escaped (the rule itself: test-text.c). */
#include <glib.h>
#include <string.h>
#include "ocpp_common/ocpp_refusal.h"
#include "ocpp_common/ocpp_scan.h"

static void test_status(void)
{
    /* the status depends on the reason alone, never on the id */
    g_assert_cmpint(gw_ocpp_refusal_status(GW_OCPP_REFUSED_UNKNOWN_ID), ==, 404);
    g_assert_cmpint(gw_ocpp_refusal_status(GW_OCPP_REFUSED_PATH), ==, 404);
    g_assert_cmpint(gw_ocpp_refusal_status(GW_OCPP_REFUSED_SUBPROTOCOL), ==, 400);
    g_assert_cmpstr(gw_ocpp_refusal_name(GW_OCPP_REFUSED_PATH), ==, "wrong path");
}

static void test_log_window(void)
{
    gw_ocpp_refusal_log_t *log = g_new0(gw_ocpp_refusal_log_t, 1);
    uint32_t sup;
    g_assert_true(gw_ocpp_refusal_log_admit(log, "10.0.0.1", 1000, &sup));
    g_assert_cmpuint(sup, ==, 0);
    for (int i = 0; i < 50; i++)
        g_assert_false(gw_ocpp_refusal_log_admit(log, "10.0.0.1", 1000 + i * 1000, &sup));
    /* another peer has its own window */
    g_assert_true(gw_ocpp_refusal_log_admit(log, "10.0.0.2", 2000, &sup));
    /* the window is over: one line, counting what was not logged */
    g_assert_true(gw_ocpp_refusal_log_admit(log, "10.0.0.1", 1000 + GW_OCPP_REFUSAL_WINDOW_MS, &sup));
    g_assert_cmpuint(sup, ==, 50);
    g_free(log);
}

static void test_log_budget(void)
{
    gw_ocpp_refusal_log_t *log = g_new0(gw_ocpp_refusal_log_t, 1);
    uint32_t sup;
    int logged = 0;
    /* a scan from a thousand addresses: at most the budget per window */
    for (int i = 0; i < 1000; i++) {
        char a[32];
        g_snprintf(a, sizeof a, "10.1.%d.%d", i / 256, i % 256);
        logged += gw_ocpp_refusal_log_admit(log, a, 5000, &sup);
    }
    g_assert_cmpint(logged, ==, GW_OCPP_REFUSAL_LOG_BUDGET);
    g_assert_cmpuint(log->n, ==, GW_OCPP_REFUSAL_PEERS);
    /* the next window's first line says how many were not logged */
    g_assert_true(gw_ocpp_refusal_log_admit(log, "10.9.9.9", 5000 + GW_OCPP_REFUSAL_WINDOW_MS, &sup));
    g_assert_cmpuint(sup, ==, 1000 - GW_OCPP_REFUSAL_LOG_BUDGET);
    g_free(log);
}

static void test_scan_reasons(void)
{
    gw_ocpp_scan_t s;
    g_assert_cmpint(gw_ocpp_scan_init(&s, 4), ==, 0);
    gw_ocpp_scan_record(&s, GW_OCPP_REFUSED_UNKNOWN_ID, "CP1", "10.0.0.1", 1);
    gw_ocpp_scan_record(&s, GW_OCPP_REFUSED_SUBPROTOCOL, "CP1", "10.0.0.1", 2);
    const gw_ocpp_scan_entry_t *e =
        gw_ocpp_scan_record(&s, GW_OCPP_REFUSED_PATH, "/ocpp/EVIL\xFF", "10.0.0.1", 3);
    g_assert_cmpuint(s.n, ==, 3); /* one entry per text and reason */
    g_assert_cmpstr(e->charger_id, ==, "/ocpp/EVIL\\xFF");
    g_assert_cmpint(e->reason, ==, GW_OCPP_REFUSED_PATH);
    /* the same bytes again: the same (escaped) entry */
    e = gw_ocpp_scan_record(&s, GW_OCPP_REFUSED_PATH, "/ocpp/EVIL\xFF", "10.0.0.1", 4);
    g_assert_cmpuint(s.n, ==, 3);
    g_assert_cmpuint(e->attempts, ==, 2);
    /* a long invalid id fills the entry with whole escapes, valid UTF-8 */
    char bad[300];
    memset(bad, 0xFF, sizeof bad - 1);
    bad[sizeof bad - 1] = '\0';
    e = gw_ocpp_scan_record(&s, GW_OCPP_REFUSED_UNKNOWN_ID, bad, "10.0.0.1", 5);
    g_assert_true(g_utf8_validate(e->charger_id, -1, NULL));
    g_assert_cmpuint(strlen(e->charger_id), ==, 128);
    gw_ocpp_scan_clear(&s);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/ocpp/refusal/status", test_status);
    g_test_add_func("/ocpp/refusal/log-window", test_log_window);
    g_test_add_func("/ocpp/refusal/log-budget", test_log_budget);
    g_test_add_func("/ocpp/refusal/scan-reasons", test_scan_reasons);
    return g_test_run();
}
