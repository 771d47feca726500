/* RFC 3339 timestamps (ocpp_time.c). */
#include <glib.h>
#include "ocpp_common/ocpp_time.h"

static void test_parse(void)
{
    int64_t ms;
    g_assert_cmpint(gw_ocpp_time_parse("1970-01-01T00:00:00Z", &ms), ==, 0);
    g_assert_cmpint(ms, ==, 0);
    g_assert_cmpint(gw_ocpp_time_parse("2024-02-29T12:34:56.789Z", &ms), ==, 0);
    g_assert_cmpint(ms, ==, 1709210096789LL);
    g_assert_cmpint(gw_ocpp_time_parse("2024-02-29T14:34:56.789123+02:00", &ms), ==, 0);
    g_assert_cmpint(ms, ==, 1709210096789LL);
    g_assert_cmpint(gw_ocpp_time_parse("2024-02-29T07:04:56-05:30", &ms), ==, 0);
    g_assert_cmpint(ms, ==, 1709210096000LL);
    g_assert_cmpint(gw_ocpp_time_parse("2023-02-29T00:00:00Z", &ms), <, 0);
    g_assert_cmpint(gw_ocpp_time_parse("2024-01-01T00:00:00", &ms), <, 0);
    g_assert_cmpint(gw_ocpp_time_parse("2024-01-01T00:00:00.Z", &ms), <, 0);
    g_assert_cmpint(gw_ocpp_time_parse("2024-01-01T00:00:00Zx", &ms), <, 0);
    g_assert_cmpint(gw_ocpp_time_parse("", &ms), <, 0);
    g_assert_cmpint(gw_ocpp_time_parse(NULL, &ms), <, 0);
}

static void test_format(void)
{
    char buf[GW_OCPP_TIME_LEN];
    gw_ocpp_time_format(1709210096789LL, buf, sizeof buf);
    g_assert_cmpstr(buf, ==, "2024-02-29T12:34:56.789Z");
    gw_ocpp_time_format(0, buf, sizeof buf);
    g_assert_cmpstr(buf, ==, "1970-01-01T00:00:00.000Z");
    /* round trip over many days */
    for (int64_t t = 0; t < 4102444800000LL; t += 86399999LL * 17) {
        int64_t back;
        gw_ocpp_time_format(t, buf, sizeof buf);
        g_assert_cmpint(gw_ocpp_time_parse(buf, &back), ==, 0);
        g_assert_cmpint(back, ==, t);
    }
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/ocpp/time/parse", test_parse);
    g_test_add_func("/ocpp/time/format", test_format);
    return g_test_run();
}
