/* Unit tests for the diag plugin's pure parts: JSON <-> values, enum
 * labels, write authorisation. */
#include <errno.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <glib.h>
#include "diag/auth.h"
#include "diag/value.h"

static json_object *parse(const char *text)
{
    json_object *o = json_tokener_parse(text);
    g_assert_nonnull(o);
    return o;
}

static void test_value_from_json(void)
{
    gw_value_t v;
    const char *why = NULL;
    json_object *o;
    const char *enums = "0=Available;1=Preparing;2=Charging";

    o = parse("42");
    g_assert_cmpint(gw_diag_value_from_json(GW_TYPE_UINT16, NULL, o, &v, &why), ==, 0);
    g_assert_cmpint(v.kind, ==, GW_VALUE_INT);
    g_assert_cmpint(v.u.i, ==, 42);
    json_object_put(o);

    o = parse("\"Charging\"");
    g_assert_cmpint(gw_diag_value_from_json(GW_TYPE_UINT16, enums, o, &v, &why), ==, 0);
    g_assert_cmpint(v.u.i, ==, 2);
    g_assert_cmpint(gw_diag_value_from_json(GW_TYPE_UINT16, NULL, o, &v, &why), ==, -EINVAL);
    g_assert_nonnull(why);
    json_object_put(o);

    o = parse("\"0x10\"");
    g_assert_cmpint(gw_diag_value_from_json(GW_TYPE_INT32, NULL, o, &v, &why), ==, 0);
    g_assert_cmpint(v.u.i, ==, 16);
    json_object_put(o);

    o = parse("1.5");
    g_assert_cmpint(gw_diag_value_from_json(GW_TYPE_UINT16, NULL, o, &v, &why), ==, -EINVAL);
    g_assert_cmpint(gw_diag_value_from_json(GW_TYPE_FLOAT32, NULL, o, &v, &why), ==, 0);
    g_assert_cmpint(v.kind, ==, GW_VALUE_FLOAT);
    g_assert_cmpfloat(v.u.f, ==, 1.5);
    g_assert_cmpint(gw_diag_value_from_json(GW_TYPE_STRING, NULL, o, &v, &why), ==, -EINVAL);
    json_object_put(o);

    o = parse("true");
    g_assert_cmpint(gw_diag_value_from_json(GW_TYPE_BOOL, NULL, o, &v, &why), ==, 0);
    g_assert_cmpint(v.u.i, ==, 1);
    json_object_put(o);

    o = parse("\"hello\"");
    g_assert_cmpint(gw_diag_value_from_json(GW_TYPE_STRING, NULL, o, &v, &why), ==, 0);
    g_assert_cmpint(v.len, ==, 5);
    g_assert_cmpint(memcmp(v.u.s, "hello", 5), ==, 0);
    g_assert_cmpint(gw_diag_value_from_json(GW_TYPE_FLOAT32, NULL, o, &v, &why), ==, -EINVAL);
    json_object_put(o);

    /* JSON null is a NULL object in json-c */
    g_assert_cmpint(gw_diag_value_from_json(GW_TYPE_UINT16, NULL, NULL, &v, &why), ==, -EINVAL);
    o = parse("[1]");
    g_assert_cmpint(gw_diag_value_from_json(GW_TYPE_UINT16, NULL, o, &v, &why), ==, -EINVAL);
    json_object_put(o);
}

static void test_value_to_json(void)
{
    gw_value_t v = gw_value_float((double)7.4f);
    json_object *o = gw_diag_value_to_json(GW_TYPE_FLOAT32, &v);
    g_assert_cmpstr(json_object_to_json_string(o), ==, "7.4");
    json_object_put(o);
    v = gw_value_string_len("a\"b", 3);
    o = gw_diag_value_to_json(GW_TYPE_STRING, &v);
    g_assert_cmpstr(json_object_to_json_string(o), ==, "\"a\\\"b\"");
    json_object_put(o);
    v = gw_value_int(-5);
    o = gw_diag_value_to_json(GW_TYPE_INT16, &v);
    g_assert_cmpstr(json_object_to_json_string(o), ==, "-5");
    json_object_put(o);
}

static void test_enum_lookup(void)
{
    int64_t n = -1;
    g_assert_cmpint(gw_diag_enum_lookup("0=Available;1=Preparing", "preparing", &n), ==, 0);
    g_assert_cmpint(n, ==, 1);
    g_assert_cmpint(gw_diag_enum_lookup("0=Available;1=Preparing", "Prep", &n), ==, -ENOENT);
    g_assert_cmpint(gw_diag_enum_lookup("=x;y;1=", "x", &n), ==, -ENOENT);
    g_assert_cmpint(gw_diag_enum_lookup("", "x", &n), ==, -ENOENT);
}

static void test_auth(void)
{
    const char *why = NULL;
    g_assert_cmpint(gw_diag_auth_check_write("", NULL, true, &why), ==, 0);
    g_assert_cmpint(gw_diag_auth_check_write("", NULL, false, &why), ==, 403);
    g_assert_cmpint(gw_diag_auth_check_write(NULL, "Bearer x", false, &why), ==, 403);
    g_assert_cmpint(gw_diag_auth_check_write("tok", NULL, true, &why), ==, 401);
    g_assert_cmpint(gw_diag_auth_check_write("tok", "Bearer tok", false, &why), ==, 0);
    g_assert_cmpint(gw_diag_auth_check_write("tok", "bearer tok", false, &why), ==, 0);
    g_assert_cmpint(gw_diag_auth_check_write("tok", "Bearer to", false, &why), ==, 401);
    g_assert_cmpint(gw_diag_auth_check_write("tok", "Bearer toky", false, &why), ==, 401);
    g_assert_cmpint(gw_diag_auth_check_write("tok", "Bearer ", false, &why), ==, 401);
    g_assert_cmpint(gw_diag_auth_check_write("tok", "Basic dG9r", false, &why), ==, 401);
}

static void test_loopback(void)
{
    struct sockaddr_in in = { .sin_family = AF_INET };
    struct sockaddr_in6 in6 = { .sin6_family = AF_INET6 };
    inet_pton(AF_INET, "127.1.2.3", &in.sin_addr);
    g_assert_true(gw_diag_auth_is_loopback((struct sockaddr *)&in, sizeof in));
    inet_pton(AF_INET, "10.0.0.1", &in.sin_addr);
    g_assert_false(gw_diag_auth_is_loopback((struct sockaddr *)&in, sizeof in));
    inet_pton(AF_INET6, "::1", &in6.sin6_addr);
    g_assert_true(gw_diag_auth_is_loopback((struct sockaddr *)&in6, sizeof in6));
    inet_pton(AF_INET6, "::ffff:127.0.0.1", &in6.sin6_addr);
    g_assert_true(gw_diag_auth_is_loopback((struct sockaddr *)&in6, sizeof in6));
    inet_pton(AF_INET6, "fe80::1", &in6.sin6_addr);
    g_assert_false(gw_diag_auth_is_loopback((struct sockaddr *)&in6, sizeof in6));
    g_assert_false(gw_diag_auth_is_loopback(NULL, 0));
    g_assert_false(gw_diag_auth_is_loopback((struct sockaddr *)&in, 2));
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/diag/value/from-json", test_value_from_json);
    g_test_add_func("/diag/value/to-json", test_value_to_json);
    g_test_add_func("/diag/value/enum-lookup", test_enum_lookup);
    g_test_add_func("/diag/auth/write", test_auth);
    g_test_add_func("/diag/auth/loopback", test_loopback);
    return g_test_run();
}
