/* The configured charger list (ocpp_chargers.c): syntax, defaults, limits,
 * duplicates and lookups. */
#include <errno.h>
#include <glib.h>
#include "ocpp_common/ocpp_chargers.h"

static gw_ocpp_chargers_t *parse(const char *list, char **err)
{
    char **items = g_strsplit(list, ";", -1);
    *err = NULL;
    gw_ocpp_chargers_t *c = gw_ocpp_chargers_parse((const char *const *)items, 7, 7, 4096, err);
    g_strfreev(items);
    return c;
}

static void expect_error(const char *list, const char *needle)
{
    char *err;
    gw_ocpp_chargers_t *c = parse(list, &err);
    g_assert_null(c);
    g_assert_nonnull(err);
    if (!strstr(err, needle))
        g_error("'%s': expected '%s' in '%s'", list, needle, err);
    g_free(err);
}

static void test_syntax(void)
{
    char *err;
    gw_ocpp_chargers_t *c = parse("CP001;5=CP-Garage:2;CP-Next;25=Far_1:1", &err);
    g_assert_null(err);
    g_assert_nonnull(c);
    g_assert_cmpuint(gw_ocpp_chargers_count(c), ==, 4);
    const gw_ocpp_charger_cfg_t *a = gw_ocpp_chargers_nth(c, 0);
    g_assert_cmpint(a->index, ==, 0);
    g_assert_cmpstr(a->id, ==, "CP001");
    g_assert_cmpint(a->connectors, ==, 7); /* the default */
    const gw_ocpp_charger_cfg_t *b = gw_ocpp_chargers_nth(c, 1);
    g_assert_cmpint(b->index, ==, 5);
    g_assert_cmpstr(b->id, ==, "CP-Garage");
    g_assert_cmpint(b->connectors, ==, 2);
    /* without an index: the one after the previous item */
    g_assert_cmpint(gw_ocpp_chargers_nth(c, 2)->index, ==, 6);
    g_assert_cmpint(gw_ocpp_chargers_nth(c, 3)->index, ==, 25);
    g_assert_null(gw_ocpp_chargers_nth(c, 4));

    g_assert_cmpint(gw_ocpp_chargers_find(c, "CP-Garage"), ==, 5);
    g_assert_cmpint(gw_ocpp_chargers_find(c, "Far_1"), ==, 25);
    g_assert_cmpint(gw_ocpp_chargers_find(c, "cp001"), ==, -ENOENT); /* case matters */
    g_assert_cmpint(gw_ocpp_chargers_find(c, "CP-Garage:2"), ==, -ENOENT);
    g_assert_cmpint(gw_ocpp_chargers_find(c, NULL), ==, -ENOENT);
    g_assert_cmpstr(gw_ocpp_chargers_at(c, 6)->id, ==, "CP-Next");
    g_assert_null(gw_ocpp_chargers_at(c, 1));
    g_assert_null(gw_ocpp_chargers_at(c, -1));
    gw_ocpp_chargers_free(c);

    /* an empty list is valid: nothing configured */
    const char *const none[] = { NULL };
    c = gw_ocpp_chargers_parse(none, 7, 7, 20, &err);
    g_assert_nonnull(c);
    g_assert_cmpuint(gw_ocpp_chargers_count(c), ==, 0);
    gw_ocpp_chargers_free(c);
    gw_ocpp_chargers_free(NULL);
}

static void test_errors(void)
{
    expect_error("CP1;CP1", "ChargerID configured twice");
    expect_error("3=A;3=B", "index configured twice");
    expect_error("A;0=B", "index configured twice");
    expect_error("4096=A", "index must be 0..4095");
    expect_error("-1=A", "index must be 0..4095");
    expect_error("x=A", "index must be 0..4095");
    expect_error("=A", "index must be 0..4095");
    expect_error("A:0", "connectors must be 1..7");
    expect_error("A:8", "connectors must be 1..7");
    expect_error("A:", "connectors must be 1..7");
    expect_error("A:2x", "connectors must be 1..7");
    expect_error("A;;B", "ChargerID must be");
    expect_error("5=", "ChargerID must be");
    expect_error("CP 1", "ChargerID must be");
    expect_error("CP/1", "ChargerID must be");
    expect_error("CP%201", "ChargerID must be");
    expect_error("CP?x", "ChargerID must be");
    expect_error("CP\xc3\xa9", "ChargerID must be");
    expect_error("0123456789012345678901234567890123456789012345678", "ChargerID must be");
    /* 48 characters is the most */
    char *err;
    gw_ocpp_chargers_t *c = parse("012345678901234567890123456789012345678901234567", &err);
    g_assert_nonnull(c);
    gw_ocpp_chargers_free(c);
    /* past the last index without an explicit one */
    const char *const many[] = { "A", "B", "C", NULL };
    c = gw_ocpp_chargers_parse(many, 1, 7, 2, &err);
    g_assert_null(c);
    g_assert_nonnull(strstr(err, "more than 2 chargers"));
    g_free(err);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/ocpp/chargers/syntax", test_syntax);
    g_test_add_func("/ocpp/chargers/errors", test_errors);
    return g_test_run();
}
