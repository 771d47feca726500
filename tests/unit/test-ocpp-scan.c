/* The scan list of unknown chargers (ocpp_scan.c): records, repeats,
 * bounds and eviction of the entry seen longest ago. */
#include <glib.h>
#include <string.h>
#include "ocpp_common/ocpp_scan.h"

static void test_record(void)
{
    gw_ocpp_scan_t s;
    g_assert_cmpint(gw_ocpp_scan_init(&s, 3), ==, 0);
    const gw_ocpp_scan_entry_t *e = gw_ocpp_scan_record(&s, GW_OCPP_REFUSED_UNKNOWN_ID, "X1", "10.0.0.1", 1000);
    g_assert_nonnull(e);
    g_assert_cmpstr(e->charger_id, ==, "X1");
    g_assert_cmpstr(e->address, ==, "10.0.0.1");
    g_assert_cmpint(e->first_seen_ms, ==, 1000);
    g_assert_cmpint(e->last_seen_ms, ==, 1000);
    g_assert_cmpuint(e->attempts, ==, 1);
    /* the same id again: one entry, last seen and address follow */
    e = gw_ocpp_scan_record(&s, GW_OCPP_REFUSED_UNKNOWN_ID, "X1", "10.0.0.9", 5000);
    g_assert_cmpuint(s.n, ==, 1);
    g_assert_cmpint(e->first_seen_ms, ==, 1000);
    g_assert_cmpint(e->last_seen_ms, ==, 5000);
    g_assert_cmpstr(e->address, ==, "10.0.0.9");
    g_assert_cmpuint(e->attempts, ==, 2);
    gw_ocpp_scan_record(&s, GW_OCPP_REFUSED_UNKNOWN_ID, "X2", NULL, 2000);
    g_assert_cmpstr(s.entries[1].address, ==, "");
    gw_ocpp_scan_record(&s, GW_OCPP_REFUSED_UNKNOWN_ID, "X3", "10.0.0.3", 3000);
    g_assert_cmpuint(s.n, ==, 3);
    /* full: the entry seen longest ago (X2 at 2000) makes room */
    e = gw_ocpp_scan_record(&s, GW_OCPP_REFUSED_UNKNOWN_ID, "X4", "10.0.0.4", 6000);
    g_assert_cmpuint(s.n, ==, 3);
    g_assert_cmpstr(e->charger_id, ==, "X4");
    g_assert_cmpuint(e->attempts, ==, 1);
    g_assert_cmpint(e->first_seen_ms, ==, 6000);
    for (size_t i = 0; i < s.n; i++)
        g_assert_cmpstr(s.entries[i].charger_id, !=, "X2");
    gw_ocpp_scan_clear(&s);
    g_assert_cmpuint(s.n, ==, 0);
    g_assert_null(s.entries);
}

static void test_bounds(void)
{
    gw_ocpp_scan_t s;
    /* size 0: nothing is remembered */
    g_assert_cmpint(gw_ocpp_scan_init(&s, 0), ==, 0);
    g_assert_null(gw_ocpp_scan_record(&s, GW_OCPP_REFUSED_UNKNOWN_ID, "X", "a", 1));
    gw_ocpp_scan_clear(&s);
    /* over-long ids and addresses are cut, never overflow */
    char id[400], addr[200];
    memset(id, 'i', sizeof id - 1);
    id[sizeof id - 1] = '\0';
    memset(addr, 'a', sizeof addr - 1);
    addr[sizeof addr - 1] = '\0';
    g_assert_cmpint(gw_ocpp_scan_init(&s, 2), ==, 0);
    const gw_ocpp_scan_entry_t *e = gw_ocpp_scan_record(&s, GW_OCPP_REFUSED_UNKNOWN_ID, id, addr, 1);
    g_assert_cmpuint(strlen(e->charger_id), ==, sizeof e->charger_id - 1);
    g_assert_cmpuint(strlen(e->address), ==, sizeof e->address - 1);
    gw_ocpp_scan_clear(&s);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/ocpp/scan/record", test_record);
    g_test_add_func("/ocpp/scan/bounds", test_bounds);
    return g_test_run();
}
