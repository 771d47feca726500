/* core/claims.c: which claims clash (tcp's wildcard and port-0 rules,
 * equal text for the other kinds), and how clashes are worded: the later
 * instance's key, naming the earlier group and key, several values of one
 * pair in one line. */
#include <errno.h>
#include <glib.h>
#include <stdio.h>
#include <string.h>
#include "claims.h"

static void test_overlap_tcp(void)
{
    g_assert_true(gw_claims_overlap("tcp", "127.0.0.1:9000", "127.0.0.1:9000"));
    g_assert_false(gw_claims_overlap("tcp", "127.0.0.1:9000", "127.0.0.1:9001"));
    g_assert_false(gw_claims_overlap("tcp", "127.0.0.1:9000", "10.0.0.1:9000"));
    /* port 0: any free port, never one in use */
    g_assert_false(gw_claims_overlap("tcp", "0.0.0.0:0", "0.0.0.0:0"));
    g_assert_false(gw_claims_overlap("tcp", "127.0.0.1:0", "127.0.0.1:0"));
    /* wildcards */
    g_assert_true(gw_claims_overlap("tcp", "0.0.0.0:9000", "127.0.0.1:9000"));
    g_assert_true(gw_claims_overlap("tcp", "10.0.0.1:9000", "0.0.0.0:9000"));
    g_assert_true(gw_claims_overlap("tcp", "[::]:9000", "127.0.0.1:9000"));
    g_assert_true(gw_claims_overlap("tcp", "[::]:9000", "[::1]:9000"));
    g_assert_true(gw_claims_overlap("tcp", ":9000", "[::1]:9000"));
    g_assert_true(gw_claims_overlap("tcp", "0.0.0.0:9000", "[::]:9000"));
    g_assert_true(gw_claims_overlap("tcp", "0.0.0.0:9000", "eth0:9000"));
    g_assert_false(gw_claims_overlap("tcp", "0.0.0.0:9000", "[::1]:9000"));
    g_assert_false(gw_claims_overlap("tcp", "[::]:9000", "[::]:9001"));
    /* the same address written differently */
    g_assert_true(gw_claims_overlap("tcp", "[::ffff:127.0.0.1]:9000", "127.0.0.1:9000"));
    g_assert_true(gw_claims_overlap("tcp", "[0:0::1]:9000", "[::1]:9000"));
    g_assert_true(gw_claims_overlap("tcp", "eth0:9000", "eth0:9000"));
    g_assert_false(gw_claims_overlap("tcp", "eth0:9000", "eth1:9000"));
    g_assert_false(gw_claims_overlap("tcp", "eth0:9000", "127.0.0.1:9000"));
}

static void test_overlap_other(void)
{
    g_assert_true(gw_claims_overlap("serial", "/dev/ttyUSB0", "/dev/ttyUSB0"));
    g_assert_false(gw_claims_overlap("serial", "/dev/ttyUSB0", "/dev/ttyUSB1"));
    g_assert_true(gw_claims_overlap("charger-id", "CP1", "CP1"));
    g_assert_false(gw_claims_overlap("charger-id", "CP1", "cp1"));
}

static void test_add_refuses(void)
{
    gw_claims_t *cl = gw_claims_new();
    g_assert_cmpint(gw_claims_add(cl, "a", "k", "", "x"), ==, -EINVAL);
    g_assert_cmpint(gw_claims_add(cl, "a", "k", "Tcp", "x"), ==, -EINVAL);
    g_assert_cmpint(gw_claims_add(cl, "a", "k", "tcp", ""), ==, -EINVAL);
    g_assert_cmpint(gw_claims_add(cl, "a", "k", "tcp", "a\nb"), ==, -EINVAL);
    g_assert_cmpint(gw_claims_add(cl, "a", "k", "charger-id", "CP 1"), ==, 0);
    gw_claims_free(cl);
}

static void collect(void *user, const char *owner, const char *key, const char *reason)
{
    g_ptr_array_add(user, g_strdup_printf("[%s] %s: %s", owner, key, reason));
}

static GPtrArray *check(gw_claims_t *cl)
{
    GPtrArray *lines = g_ptr_array_new_with_free_func(g_free);
    unsigned n = gw_claims_check(cl, collect, lines);
    g_assert_cmpuint(n, ==, lines->len);
    return lines;
}

static void test_check_lines(void)
{
    gw_claims_t *cl = gw_claims_new();
    g_assert_cmpint(gw_claims_add(cl, "ocpp_cs", "port", "tcp", "0.0.0.0:9000"), ==, 0);
    g_assert_cmpint(gw_claims_add(cl, "ocpp_cs", "chargers", "charger-index", "0"), ==, 0);
    g_assert_cmpint(gw_claims_add(cl, "ocpp_cs", "chargers", "charger-index", "1"), ==, 0);
    /* one instance's own claims never clash */
    g_assert_cmpint(gw_claims_add(cl, "ocpp_cs", "chargers", "charger-index", "1"), ==, 0);
    g_assert_cmpint(gw_claims_add(cl, "ocpp_bridge", "port", "tcp", "127.0.0.1:9000"), ==, 0);
    g_assert_cmpint(gw_claims_add(cl, "ocpp_bridge", "chargers", "charger-index", "1"), ==, 0);
    g_assert_cmpint(gw_claims_add(cl, "ocpp_bridge", "chargers", "charger-index", "2"), ==, 0);
    g_assert_cmpint(gw_claims_add(cl, "ocpp_bridge", "chargers", "charger-index", "0"), ==, 0);
    /* another kind with the same text is another resource */
    g_assert_cmpint(gw_claims_add(cl, "ocpp_bridge", "chargers", "charger-id", "0"), ==, 0);
    g_assert_cmpint(gw_claims_add(cl, "diag", "port", "tcp", "127.0.0.1:9001"), ==, 0);
    GPtrArray *lines = check(cl);
    g_assert_cmpuint(lines->len, ==, 2);
    g_assert_cmpstr(g_ptr_array_index(lines, 0), ==,
                    "[ocpp_bridge] port: tcp 127.0.0.1:9000 overlaps 0.0.0.0:9000, claimed by "
                    "[ocpp_cs] port");
    g_assert_cmpstr(g_ptr_array_index(lines, 1), ==,
                    "[ocpp_bridge] chargers: charger-index 1, 0 are also claimed by [ocpp_cs] "
                    "chargers");
    g_ptr_array_free(lines, TRUE);
    gw_claims_free(cl);
}

static void test_check_many(void)
{
    gw_claims_t *cl = gw_claims_new();
    char v[16];
    for (int i = 0; i < 20; i++) {
        snprintf(v, sizeof v, "%d", i);
        gw_claims_add(cl, "a", "chargers", "charger-index", v);
    }
    for (int i = 0; i < 20; i++) {
        snprintf(v, sizeof v, "%d", i);
        gw_claims_add(cl, "b", "chargers", "charger-index", v);
    }
    /* a third instance is reported against the first, once */
    gw_claims_add(cl, "c", "list", "charger-index", "3");
    GPtrArray *lines = check(cl);
    g_assert_cmpuint(lines->len, ==, 2);
    g_assert_cmpstr(g_ptr_array_index(lines, 0), ==,
                    "[b] chargers: charger-index 0, 1, 2, 3, 4, 5, 6, 7 and 12 more are also "
                    "claimed by [a] chargers");
    g_assert_cmpstr(g_ptr_array_index(lines, 1), ==,
                    "[c] list: charger-index 3 is also claimed by [a] chargers");
    g_ptr_array_free(lines, TRUE);
    gw_claims_free(cl);

    /* the first instance claiming again after the second: still one line,
     * the second's, against the first */
    cl = gw_claims_new();
    gw_claims_add(cl, "a", "device", "serial", "/dev/ttyS0");
    gw_claims_add(cl, "b", "device", "serial", "/dev/ttyS0");
    gw_claims_add(cl, "a", "device", "serial", "/dev/ttyS0");
    lines = check(cl);
    g_assert_cmpuint(lines->len, ==, 1);
    g_assert_cmpstr(g_ptr_array_index(lines, 0), ==,
                    "[b] device: serial /dev/ttyS0 is also claimed by [a] device");
    g_ptr_array_free(lines, TRUE);
    gw_claims_free(cl);

    cl = gw_claims_new(); /* nothing claimed: nothing to say */
    lines = check(cl);
    g_assert_cmpuint(lines->len, ==, 0);
    g_ptr_array_free(lines, TRUE);
    gw_claims_free(cl);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/claims/overlap/tcp", test_overlap_tcp);
    g_test_add_func("/claims/overlap/other", test_overlap_other);
    g_test_add_func("/claims/add/refuses", test_add_refuses);
    g_test_add_func("/claims/check/lines", test_check_lines);
    g_test_add_func("/claims/check/many", test_check_many);
    return g_test_run();
}
