/* OCPP-J frame parsing and building (plugins/ocpp_common/ocpp_frame.c). */
#include <glib.h>
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>
#include "ocpp_common/ocpp_frame.h"

static gw_ocpp_error_t parse(const char *text, gw_ocpp_frame_t *f)
{
    char why[160];
    return gw_ocpp_frame_parse(text, strlen(text), f, why, sizeof why);
}

static void test_call(void)
{
    gw_ocpp_frame_t f;
    g_assert_cmpint(parse("[2,\"abc\",\"Heartbeat\",{}]", &f), ==, GW_OCPP_OK);
    g_assert_cmpint(f.type, ==, GW_OCPP_CALL);
    g_assert_cmpstr(f.id, ==, "abc");
    g_assert_cmpstr(f.action, ==, "Heartbeat");
    g_assert_true(json_object_is_type(f.payload, json_type_object));
    gw_ocpp_frame_free(&f);
}

static void test_result_and_error(void)
{
    gw_ocpp_frame_t f;
    g_assert_cmpint(parse(" [3, \"1\", {\"status\":\"Accepted\"}] \n", &f), ==, GW_OCPP_OK);
    g_assert_cmpint(f.type, ==, GW_OCPP_CALLRESULT);
    g_assert_cmpstr(f.id, ==, "1");
    gw_ocpp_frame_free(&f);
    g_assert_cmpint(parse("[4,\"2\",\"NotImplemented\",\"nope\",{}]", &f), ==, GW_OCPP_OK);
    g_assert_cmpstr(f.error_code, ==, "NotImplemented");
    g_assert_cmpstr(f.error_description, ==, "nope");
    gw_ocpp_frame_free(&f);
}

static void test_malformed(void)
{
    gw_ocpp_frame_t f;
    g_assert_cmpint(parse("not json", &f), ==, GW_OCPP_FORMATION_VIOLATION);
    g_assert_cmpstr(f.id, ==, "");
    g_assert_cmpint(parse("{\"a\":1}", &f), ==, GW_OCPP_FORMATION_VIOLATION);
    g_assert_cmpint(parse("[2,\"x\",\"Heartbeat\",{}] trailing", &f), ==,
                    GW_OCPP_FORMATION_VIOLATION);
    g_assert_cmpint(parse("[2,7,\"Heartbeat\",{}]", &f), ==, GW_OCPP_FORMATION_VIOLATION);
    g_assert_cmpint(parse("[2,\"x\",\"Heartbeat\"]", &f), ==, GW_OCPP_PROTOCOL_ERROR);
    g_assert_cmpstr(f.id, ==, "x");
    g_assert_cmpint(parse("[9,\"x\",{}]", &f), ==, GW_OCPP_PROTOCOL_ERROR);
    g_assert_cmpint(parse("[2,\"0123456789012345678901234567890123456\",\"Heartbeat\",{}]", &f),
                    ==, GW_OCPP_FORMATION_VIOLATION);
    g_assert_cmpint(parse("[]", &f), ==, GW_OCPP_FORMATION_VIOLATION);
    g_assert_cmpint(gw_ocpp_frame_parse("[2,\"x\"", 6, &f, NULL, 0), ==,
                    GW_OCPP_FORMATION_VIOLATION);
}

static void test_check_call(void)
{
    gw_ocpp_frame_t f;
    const gw_ocpp_action_t *a;
    char why[160];
    g_assert_cmpint(parse("[2,\"1\",\"FooBar\",{}]", &f), ==, GW_OCPP_OK);
    g_assert_cmpint(gw_ocpp_frame_check_call(&f, GW_OCPP_FROM_CS, &a, why, sizeof why), ==,
                    GW_OCPP_NOT_IMPLEMENTED);
    gw_ocpp_frame_free(&f);
    /* A charger does not send RemoteStartTransaction to a central system. */
    g_assert_cmpint(parse("[2,\"1\",\"RemoteStartTransaction\",{\"idTag\":\"A\"}]", &f), ==,
                    GW_OCPP_OK);
    g_assert_cmpint(gw_ocpp_frame_check_call(&f, GW_OCPP_FROM_CS, &a, why, sizeof why), ==,
                    GW_OCPP_NOT_SUPPORTED);
    gw_ocpp_frame_free(&f);
    g_assert_cmpint(parse("[2,\"1\",\"Authorize\",{\"idTag\":\"A\"}]", &f), ==, GW_OCPP_OK);
    g_assert_cmpint(gw_ocpp_frame_check_call(&f, GW_OCPP_FROM_CS, &a, why, sizeof why), ==,
                    GW_OCPP_OK);
    g_assert_cmpstr(a->name, ==, "Authorize");
    gw_ocpp_frame_free(&f);
    g_assert_cmpint(parse("[2,\"1\",\"Authorize\",[]]", &f), ==, GW_OCPP_OK);
    g_assert_cmpint(gw_ocpp_frame_check_call(&f, GW_OCPP_FROM_CS, &a, why, sizeof why), ==,
                    GW_OCPP_FORMATION_VIOLATION);
    gw_ocpp_frame_free(&f);
}

static void test_build(void)
{
    json_object *p = json_object_new_object();
    json_object_object_add(p, "idTag", json_object_new_string("a/b"));
    char *s = gw_ocpp_frame_call("7", "Authorize", p);
    g_assert_cmpstr(s, ==, "[2,\"7\",\"Authorize\",{\"idTag\":\"a/b\"}]");
    free(s);
    s = gw_ocpp_frame_result("7", p);
    g_assert_cmpstr(s, ==, "[3,\"7\",{\"idTag\":\"a/b\"}]");
    free(s);
    s = gw_ocpp_frame_error("", GW_OCPP_FORMATION_VIOLATION, "bad");
    g_assert_cmpstr(s, ==, "[4,\"-1\",\"FormationViolation\",\"bad\",{}]");
    free(s);
    json_object_put(p);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/ocpp/frame/call", test_call);
    g_test_add_func("/ocpp/frame/result-error", test_result_and_error);
    g_test_add_func("/ocpp/frame/malformed", test_malformed);
    g_test_add_func("/ocpp/frame/check-call", test_check_call);
    g_test_add_func("/ocpp/frame/build", test_build);
    return g_test_run();
}
