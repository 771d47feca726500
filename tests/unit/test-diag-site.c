/* Unit tests for the diag plugin's site table: the chargers panel and the
 * scan list, fed with events shaped as ocpp_cs publishes them. */
#include <stdio.h>
#include <string.h>
#include <glib.h>
#include "diag/calls.h"
#include "diag/site.h"

static json_object *parse(const char *text)
{
    json_object *o = json_tokener_parse(text);
    g_assert_nonnull(o);
    return o;
}

/* Feed one event given as JSON text; returns what on_event answered. */
static bool feed(gw_diag_site_t *s, const char *name, const char *payload)
{
    json_object *o = parse(payload);
    bool changed = gw_diag_site_on_event(s, name, o);
    json_object_put(o);
    return changed;
}

static const char *str_of(json_object *o, const char *key)
{
    json_object *v;
    return json_object_object_get_ex(o, key, &v) ? json_object_get_string(v) : NULL;
}

static int int_of(json_object *o, const char *key)
{
    json_object *v;
    g_assert_true(json_object_object_get_ex(o, key, &v));
    return json_object_get_int(v);
}

static void test_chargers(void)
{
    gw_diag_site_t *s = gw_diag_site_new();
    int configured[] = { 3, 0, 1 };
    /* ChargerIDs from the configuration; index 0's owner did not name it */
    const char *ids[] = { "CP-GARAGE", NULL, "CP002" };
    g_assert_true(feed(s, "ocpp.charger", "{\"charger\":\"CP002\",\"index\":1,\"event\":\"connected\","
                                          "\"address\":\"127.0.0.1\",\"vendor\":\"\",\"model\":\"\",\"time\":1000}"));
    g_assert_true(feed(s, "ocpp.charger", "{\"charger\":\"CP002\",\"index\":1,\"event\":\"boot\","
                                          "\"address\":\"127.0.0.1\",\"vendor\":\"Alfen\",\"model\":\"Eve\",\"time\":1010}"));
    g_assert_true(feed(s, "ocpp.frame", "{\"charger\":\"CP002\",\"index\":1,\"direction\":\"in\","
                                        "\"action\":\"MeterValues\",\"frame\":\"[2,\\\"1\\\",\\\"MeterValues\\\",{}]\",\"time\":1020}"));
    /* not for the panel, or malformed: ignored */
    g_assert_false(feed(s, "modbus.request", "{\"transport\":\"tcp\"}"));
    g_assert_false(feed(s, "ocpp.charger", "{\"index\":2,\"event\":\"connected\"}"));
    g_assert_false(feed(s, "ocpp.frame", "{\"charger\":7}"));

    json_object *list = gw_diag_site_chargers_json(s, configured, ids, G_N_ELEMENTS(configured));
    /* index order; the configured chargers that never connected are listed */
    g_assert_cmpuint(json_object_array_length(list), ==, 3);
    json_object *c0 = json_object_array_get_idx(list, 0), *c1 = json_object_array_get_idx(list, 1),
                *c3 = json_object_array_get_idx(list, 2);
    g_assert_cmpint(int_of(c0, "index"), ==, 0);
    g_assert_null(str_of(c0, "charger"));
    g_assert_false(json_object_get_boolean(json_object_object_get(c0, "connected")));
    g_assert_cmpstr(str_of(c0, "last_event"), ==, "never connected");
    g_assert_cmpint(int_of(c3, "index"), ==, 3);
    g_assert_cmpstr(str_of(c3, "charger"), ==, "CP-GARAGE"); /* never connected, named */
    g_assert_cmpstr(str_of(c3, "last_event"), ==, "never connected");
    g_assert_cmpstr(str_of(c1, "charger"), ==, "CP002");
    g_assert_true(json_object_get_boolean(json_object_object_get(c1, "connected")));
    g_assert_cmpstr(str_of(c1, "vendor"), ==, "Alfen");
    g_assert_cmpstr(str_of(c1, "model"), ==, "Eve");
    g_assert_cmpint(int_of(c1, "boot_time"), ==, 1010);
    g_assert_cmpint(int_of(c1, "connected_since"), ==, 1000);
    g_assert_cmpstr(str_of(c1, "last_message_action"), ==, "MeterValues");
    g_assert_cmpstr(str_of(c1, "last_message_direction"), ==, "in");
    json_object_put(list);

    g_assert_true(feed(s, "ocpp.charger", "{\"charger\":\"CP002\",\"index\":1,\"event\":\"disconnected\",\"time\":2000}"));
    list = gw_diag_site_chargers_json(s, NULL, NULL, 0);
    g_assert_cmpuint(json_object_array_length(list), ==, 1);
    c1 = json_object_array_get_idx(list, 0);
    g_assert_false(json_object_get_boolean(json_object_object_get(c1, "connected")));
    g_assert_cmpstr(str_of(c1, "vendor"), ==, "Alfen"); /* boot info kept */
    json_object_put(list);

    GString *m = g_string_new(NULL);
    gw_diag_site_render_metrics(s, m);
    g_assert_nonnull(strstr(m->str, "gatewayd_chargers_connected 0\n"));
    g_string_free(m, TRUE);
    gw_diag_site_free(s);
}

static void test_scan(void)
{
    gw_diag_site_t *s = gw_diag_site_new();
    g_assert_true(feed(s, "ocpp.scan", "{\"charger_id\":\"ROGUE\",\"address\":\"127.0.0.1\","
                                       "\"first_seen\":5,\"last_seen\":5,\"attempts\":1}"));
    g_assert_true(feed(s, "ocpp.scan", "{\"charger_id\":\"ROGUE\",\"address\":\"127.0.0.1\","
                                       "\"first_seen\":5,\"last_seen\":9,\"attempts\":2}"));
    g_assert_false(feed(s, "ocpp.scan", "{\"address\":\"127.0.0.1\"}"));
    json_object *list = gw_diag_site_scan_json(s);
    g_assert_cmpuint(json_object_array_length(list), ==, 1);
    json_object *e = json_object_array_get_idx(list, 0);
    g_assert_cmpstr(str_of(e, "charger_id"), ==, "ROGUE");
    g_assert_cmpint(int_of(e, "attempts"), ==, 2);
    g_assert_cmpint(int_of(e, "last_seen"), ==, 9);
    g_assert_false(json_object_object_get_ex(e, "charger", NULL)); /* only the documented keys */
    json_object_put(list);

    /* made-up ids cannot grow the table without bound */
    char buf[160];
    for (int i = 0; i < 5000; i++) {
        snprintf(buf, sizeof buf, "{\"charger_id\":\"X%d\",\"address\":\"a\",\"last_seen\":%d}", i, 100 + i);
        feed(s, "ocpp.scan", buf);
    }
    list = gw_diag_site_scan_json(s);
    g_assert_cmpuint(json_object_array_length(list), <=, 1024);
    json_object_put(list);
    gw_diag_site_free(s);
}

/* Feed a frame event; return the action the answer got (NULL: none). */
static char *named_action(gw_diag_calls_t *c, const char *payload)
{
    json_object *ev = parse(payload);
    json_object *named = gw_diag_calls_name(c, ev);
    const char *a = str_of(named, "action");
    char *copy = g_strdup(a);
    if (named != ev)
        g_assert_null(str_of(ev, "action")); /* the publisher's payload is left alone */
    json_object_put(named);
    json_object_put(ev);
    return copy;
}

static void check_action(gw_diag_calls_t *c, const char *payload, const char *want)
{
    char *got = named_action(c, payload);
    g_assert_cmpstr(got, ==, want);
    g_free(got);
}

static void test_calls(void)
{
    gw_diag_calls_t *c = gw_diag_calls_new(3);
    /* the CS calls the charger; the charger's answer names no action */
    check_action(c, "{\"charger\":\"CP1\",\"direction\":\"out\",\"action\":\"Reset\","
                    "\"frame\":\"[2,\\\"u1\\\",\\\"Reset\\\",{}]\"}", "Reset");
    check_action(c, "{\"charger\":\"CP2\",\"direction\":\"in\","
                    "\"frame\":\"[3,\\\"u1\\\",{}]\"}", NULL); /* another charger */
    check_action(c, "{\"charger\":\"CP1\",\"direction\":\"out\","
                    "\"frame\":\"[3,\\\"u1\\\",{}]\"}", NULL); /* same way as the CALL */
    check_action(c, "{\"charger\":\"CP1\",\"direction\":\"in\","
                    "\"frame\":\"[4,\\\"u1\\\",\\\"NotSupported\\\",\\\"\\\",{}]\"}", "Reset");
    check_action(c, "{\"charger\":\"CP1\",\"direction\":\"in\","
                    "\"frame\":\"[3,\\\"u1\\\",{}]\"}", NULL); /* answered once */
    /* malformed frames pass through unnamed */
    check_action(c, "{\"charger\":\"CP1\",\"direction\":\"in\",\"frame\":\"[3,\"}", NULL);
    check_action(c, "{\"charger\":\"CP1\",\"direction\":\"in\",\"frame\":\"{}\"}", NULL);
    check_action(c, "{\"charger\":\"CP1\",\"direction\":\"in\",\"frame\":\"[3,7,{}]\"}", NULL);
    check_action(c, "{\"direction\":\"in\",\"frame\":\"[3,\\\"u1\\\",{}]\"}", NULL);
    /* bounded: the oldest unanswered CALL is forgotten */
    char buf[200];
    for (int i = 0; i < 4; i++) {
        snprintf(buf, sizeof buf, "{\"charger\":\"CP1\",\"direction\":\"out\",\"action\":\"A%d\","
                                  "\"frame\":\"[2,\\\"k%d\\\",\\\"A%d\\\",{}]\"}", i, i, i);
        char want[8];
        snprintf(want, sizeof want, "A%d", i);
        check_action(c, buf, want); /* a CALL names itself */
    }
    check_action(c, "{\"charger\":\"CP1\",\"direction\":\"in\",\"frame\":\"[3,\\\"k0\\\",{}]\"}", NULL);
    check_action(c, "{\"charger\":\"CP1\",\"direction\":\"in\",\"frame\":\"[3,\\\"k3\\\",{}]\"}", "A3");
    gw_diag_calls_free(c);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/diag/site/chargers", test_chargers);
    g_test_add_func("/diag/site/scan", test_scan);
    g_test_add_func("/diag/calls/name", test_calls);
    return g_test_run();
}
