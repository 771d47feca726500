/* Configuration validation: every problem reported as FILE: [group] key: why. */
#include "config.h"
#include <glib.h>
#include <glib/gstdio.h>
#include <string.h>
#include "conf.h"

static const gw_config_key_t keys[] = {
    GW_CONFIG_INT("port", "1502", 1, 65535, "port"),
    GW_CONFIG_DOUBLE("ratio", "0.5", 0, 1, "ratio"),
    GW_CONFIG_BOOL("flag", "false", "flag"),
    GW_CONFIG_ENUM("parity", "none", "none|even|odd", "parity"),
    GW_CONFIG_STRING_LIST("chargers", "", "list"),
    GW_CONFIG_PATHNAME("map", "map.csv", "path"),
    GW_CONFIG_STRING("name", "x", "name"),
    { "secret", GW_CONFIG_TYPE_STRING, GW_CONFIG_REQUIRED, NULL, "required", 0, 0, NULL, { 0 } },
    GW_CONFIG_END,
};

static char *write_conf(const char *text)
{
    char *dir = g_dir_make_tmp("gw-conf-XXXXXX", NULL);
    char *path = g_build_filename(dir, "test.conf", NULL);
    g_file_set_contents(path, text, -1, NULL);
    g_free(dir);
    return path;
}

static bool has_error(GPtrArray *errors, const char *needle)
{
    for (guint i = 0; i < errors->len; i++)
        if (strstr(g_ptr_array_index(errors, i), needle))
            return true;
    return false;
}

static void test_valid(void)
{
    char *path = write_conf("[p]\nport = 502\nratio=0.25\nflag=yes\nparity=even\n"
                            "chargers = CP1:2; CP2 , CP3\nsecret=s\n");
    GPtrArray *errors = g_ptr_array_new_with_free_func(g_free);
    gw_conf_t *conf = gw_conf_load(path, errors);
    g_assert_nonnull(conf);
    GHashTable *v = gw_conf_validate(conf, "p", keys, true, errors);
    g_assert_cmpuint(errors->len, ==, 0);
    gw_conf_value_t *port = g_hash_table_lookup(v, "port");
    g_assert_cmpint(port->i, ==, 502);
    g_assert_cmpfloat(((gw_conf_value_t *)g_hash_table_lookup(v, "ratio"))->d, ==, 0.25);
    g_assert_true(((gw_conf_value_t *)g_hash_table_lookup(v, "flag"))->b);
    g_assert_cmpstr(((gw_conf_value_t *)g_hash_table_lookup(v, "parity"))->s, ==, "even");
    char **list = ((gw_conf_value_t *)g_hash_table_lookup(v, "chargers"))->list;
    g_assert_cmpuint(g_strv_length(list), ==, 3);
    g_assert_cmpstr(list[0], ==, "CP1:2");
    g_assert_cmpstr(list[1], ==, "CP2");
    /* Relative paths are relative to the file's directory. */
    char *dir = g_path_get_dirname(path);
    char *want = g_build_filename(dir, "map.csv", NULL);
    g_assert_cmpstr(((gw_conf_value_t *)g_hash_table_lookup(v, "map"))->s, ==, want);
    g_assert_cmpstr(((gw_conf_value_t *)g_hash_table_lookup(v, "name"))->s, ==, "x");
    g_free(want);
    g_free(dir);
    g_hash_table_destroy(v);
    gw_conf_free(conf);
    g_ptr_array_free(errors, TRUE);
    g_free(path);
}

static void test_errors(void)
{
    char *path = write_conf("[p]\nport = 70000\nratio=abc\nflag=maybe\nparity=mark\ntypo=1\n");
    GPtrArray *errors = g_ptr_array_new_with_free_func(g_free);
    gw_conf_t *conf = gw_conf_load(path, errors);
    GHashTable *v = gw_conf_validate(conf, "p", keys, true, errors);
    char *prefix = g_strdup_printf("%s: [p] ", path);
    g_assert_true(has_error(errors, "[p] port: 70000 is out of range [1, 65535]"));
    g_assert_true(has_error(errors, "[p] ratio: 'abc' is not a number"));
    g_assert_true(has_error(errors, "[p] flag: 'maybe' is not a boolean"));
    g_assert_true(has_error(errors, "[p] parity: 'mark' is not one of none|even|odd"));
    g_assert_true(has_error(errors, "[p] typo: unknown key"));
    g_assert_true(has_error(errors, "[p] secret: required key missing"));
    g_assert_cmpuint(errors->len, ==, 6);
    for (guint i = 0; i < errors->len; i++)
        g_assert_true(g_str_has_prefix(g_ptr_array_index(errors, i), prefix));
    g_free(prefix);
    g_hash_table_destroy(v);
    gw_conf_free(conf);
    g_ptr_array_free(errors, TRUE);
    g_free(path);
}

static void test_syntax_and_enabled(void)
{
    char *path = write_conf("[p\nport=1\n");
    GPtrArray *errors = g_ptr_array_new_with_free_func(g_free);
    g_assert_null(gw_conf_load(path, errors));
    g_assert_cmpuint(errors->len, ==, 1);
    g_assert_true(g_str_has_prefix(g_ptr_array_index(errors, 0), path));
    g_free(path);
    g_ptr_array_set_size(errors, 0);

    path = write_conf("[a]\nenabled=false\n[b]\n[c]\nenabled=perhaps\n");
    gw_conf_t *conf = gw_conf_load(path, errors);
    g_assert_false(gw_conf_group_enabled(conf, "a", errors));
    g_assert_true(gw_conf_group_enabled(conf, "b", errors));
    g_assert_false(gw_conf_group_enabled(conf, "c", errors));
    g_assert_cmpuint(errors->len, ==, 1);
    g_assert_true(has_error(errors, "[c] enabled: 'perhaps' is not a boolean"));
    gw_conf_free(conf);
    g_ptr_array_free(errors, TRUE);
    g_free(path);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/config/valid", test_valid);
    g_test_add_func("/config/errors", test_errors);
    g_test_add_func("/config/syntax-and-enabled", test_syntax_and_enabled);
    return g_test_run();
}
