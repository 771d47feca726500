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

/* Refused message ids are echoed byte for byte in the CALLERROR. */
static void test_message_ids(void)
{
    gw_ocpp_frame_t f;
    char *err;
    /* U+0000 inside: refused, echoed whole (not "a") */
    g_assert_cmpint(parse("[2,\"a\\u0000b\",\"Heartbeat\",{}]", &f), ==,
                    GW_OCPP_FORMATION_VIOLATION);
    g_assert_cmpuint(f.id_len, ==, 3);
    g_assert_cmpmem(f.id, 3, "a\0b", 3);
    err = gw_ocpp_frame_error_for(&f, GW_OCPP_FORMATION_VIOLATION, "id");
    g_assert_cmpstr(err, ==, "[4,\"a\\u0000b\",\"FormationViolation\",\"id\",{}]");
    free(err);
    /* 37 characters: refused, echoed */
    g_assert_cmpint(parse("[2,\"0123456789012345678901234567890123456\",\"Heartbeat\",{}]", &f),
                    ==, GW_OCPP_FORMATION_VIOLATION);
    err = gw_ocpp_frame_error_for(&f, GW_OCPP_FORMATION_VIOLATION, "");
    g_assert_nonnull(strstr(err, "\"0123456789012345678901234567890123456\""));
    free(err);
    /* far too long to keep: "-1", as for an id that cannot be read */
    GString *big = g_string_new("[2,\"");
    for (int i = 0; i < 300; i++)
        g_string_append_c(big, 'x');
    g_string_append(big, "\",\"Heartbeat\",{}]");
    g_assert_cmpint(parse(big->str, &f), ==, GW_OCPP_FORMATION_VIOLATION);
    err = gw_ocpp_frame_error_for(&f, GW_OCPP_FORMATION_VIOLATION, "");
    g_assert_nonnull(strstr(err, "[4,\"-1\","));
    free(err);
    g_string_free(big, TRUE);
    /* 36 characters of 2 bytes each are 36 characters: accepted */
    GString *wide = g_string_new("[2,\"");
    for (int i = 0; i < 36; i++)
        g_string_append(wide, "\xc3\xa9");
    g_string_append(wide, "\",\"Heartbeat\",{}]");
    g_assert_cmpint(parse(wide->str, &f), ==, GW_OCPP_OK);
    g_assert_cmpuint(strlen(f.id), ==, 72);
    gw_ocpp_frame_free(&f);
    g_string_free(wide, TRUE);
    /* not UTF-8: not JSON text (RFC 8259 §8.1) */
    g_assert_cmpint(parse("[2,\"1\",\"BootNotification\",{\"chargePointVendor\":\"\xff\","
                          "\"chargePointModel\":\"M\"}]", &f), ==, GW_OCPP_FORMATION_VIOLATION);
    /* empty: refused, answered to "-1" */
    g_assert_cmpint(parse("[2,\"\",\"Heartbeat\",{}]", &f), ==, GW_OCPP_FORMATION_VIOLATION);
    err = gw_ocpp_frame_error_for(&f, GW_OCPP_FORMATION_VIOLATION, "");
    g_assert_nonnull(strstr(err, "[4,\"-1\","));
    free(err);
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
    g_test_add_func("/ocpp/frame/message-ids", test_message_ids);
    g_test_add_func("/ocpp/frame/build", test_build);
    return g_test_run();
}
