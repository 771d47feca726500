/* The loader and the plugin lifecycle, with the real test plugins. */
#include "config.h"
#include <errno.h>
#include <glib.h>
#include <string.h>
#include "host.h"
#include "log.h"

static char *plugin_dirs[] = { GW_TOP_BUILDDIR "/tests/plugins", NULL };

static void expect_refused(const char *name, const char *needle)
{
    char *why = NULL;
    gw_module_t *m = gw_module_open(name, plugin_dirs, &why);
    g_assert_null(m);
    g_assert_nonnull(why);
    if (!strstr(why, needle))
        g_error("%s: expected '%s' in '%s'", name, needle, why);
    g_assert_null(strchr(why, '\n')); /* one line */
    g_free(why);
}

static void test_open(void)
{
    char *why = NULL;
    gw_module_t *m = gw_module_open("tp_good", plugin_dirs, &why);
    g_assert_null(why);
    g_assert_nonnull(m);
    g_assert_cmpstr(m->desc.name, ==, "tp_good");
    g_assert_cmpuint(m->desc.abi_major, ==, GW_ABI_MAJOR);
    g_assert_nonnull(m->desc.config_keys);
    gw_module_close(m);

    /* the versions follow gw.h: every minor bump would otherwise edit this */
    char *want = g_strdup_printf("ABI mismatch: built for SDK ABI %d.0, this gatewayd provides "
                                 "%d.%d", GW_ABI_MAJOR + 1, GW_ABI_MAJOR, GW_ABI_MINOR);
    expect_refused("tp_bad_abi", want);
    g_free(want);
    want = g_strdup_printf("ABI mismatch: built for SDK ABI %d.%d", GW_ABI_MAJOR, GW_ABI_MINOR + 1);
    expect_refused("tp_new_minor", want);
    g_free(want);
    expect_refused("tp_no_symbol", "not a gatewayd plugin (no gw_plugin_descriptor symbol)");
    expect_refused("no_such_plugin", "not found (searched: " GW_TOP_BUILDDIR "/tests/plugins)");
    expect_refused("../etc/passwd", "not a valid plugin name");
}

static void test_scan(void)
{
    char **names = gw_loader_scan(plugin_dirs);
    g_assert_true(g_strv_contains((const char *const *)names, "tp_good"));
    g_assert_true(g_strv_contains((const char *const *)names, "tp_fail_init"));
    g_strfreev(names);
}

static gw_host_t *host_from(const char *text, GPtrArray *errors, gw_conf_t **conf)
{
    char *dir = g_dir_make_tmp("gw-loader-XXXXXX", NULL);
    char *path = g_build_filename(dir, "gatewayd.conf", NULL);
    char *full = g_strdup_printf("[core]\nplugin_dir=%s\nstate_dir=%s/state\n%s", plugin_dirs[0],
                                 dir, text);
    g_file_set_contents(path, full, -1, NULL);
    *conf = gw_conf_load(path, errors);
    g_assert_nonnull(*conf);
    g_free(full);
    g_free(path);
    g_free(dir);
    return gw_host_new(*conf, errors);
}

static void test_lifecycle(void)
{
    GPtrArray *errors = g_ptr_array_new_with_free_func(g_free);
    gw_conf_t *conf;
    gw_host_t *h = host_from("[tp_good]\ncount=10\n[tp_good:two]\nprefix=two\ncount=3\n"
                             "[tp_fail_init]\nenabled=false\n", errors, &conf);
    g_assert_cmpuint(errors->len, ==, 0);
    g_assert_cmpuint(h->instances->len, ==, 2);
    g_assert_cmpint(gw_host_start(h), ==, 0);
    /* 10 + 3 points + one counter each */
    g_assert_cmpuint(gw_pointdb_count(h->points), ==, 15);
    g_assert_cmpint(gw_pointdb_lookup(h->points, "two.2"), >=, 0);
    gw_ctx_t *c = g_ptr_array_index(h->instances, 1);
    g_assert_cmpstr(gw_instance_name(c), ==, "tp_good:two");
    gw_plugin_info_t info = { .size = sizeof info };
    g_assert_cmpint(gw_plugin_info(c, 0, &info), ==, 0);
    g_assert_cmpint(info.state, ==, GW_PLUGIN_RUNNING);
    g_assert_cmpint(gw_plugin_info(c, 2, &info), ==, -ENOENT);
    const char *sd = gw_state_dir(c);
    g_assert_nonnull(sd);
    g_assert_true(g_str_has_suffix(sd, "/state/tp_good:two"));
    g_assert_true(g_file_test(sd, G_FILE_TEST_IS_DIR));
    gw_host_stop(h);
    g_assert_cmpint(((gw_ctx_t *)g_ptr_array_index(h->instances, 0))->pstate, ==, GW_PLUGIN_STOPPED);
    gw_host_free(h);
    gw_conf_free(conf);
    g_ptr_array_free(errors, TRUE);
}

static void test_failing_init(void)
{
    GPtrArray *errors = g_ptr_array_new_with_free_func(g_free);
    gw_conf_t *conf;
    gw_host_t *h = host_from("[tp_good]\n[tp_fail_init]\n", errors, &conf);
    g_assert_cmpuint(errors->len, ==, 0);
    g_assert_cmpint(gw_host_start(h), ==, -EIO);
    /* The instance that did start was taken down again. */
    g_assert_cmpint(((gw_ctx_t *)g_ptr_array_index(h->instances, 0))->pstate, ==, GW_PLUGIN_STOPPED);
    gw_host_free(h);
    gw_conf_free(conf);
    g_ptr_array_free(errors, TRUE);
}

static void test_config_errors(void)
{
    GPtrArray *errors = g_ptr_array_new_with_free_func(g_free);
    gw_conf_t *conf;
    gw_host_t *h = host_from("[tp_good]\ncount=-1\nunknown=1\n[tp_bad_abi]\n[nothing_here]\n"
                             "[tp_fail_init:x]\n", errors, &conf);
    g_assert_cmpuint(errors->len, ==, 4);
    g_assert_nonnull(strstr(g_ptr_array_index(errors, 0), "[tp_good] unknown: unknown key"));
    g_assert_nonnull(strstr(g_ptr_array_index(errors, 1), "[tp_good] count: -1 is out of range"));
    g_assert_nonnull(strstr(g_ptr_array_index(errors, 2), "[tp_bad_abi]: plugin 'tp_bad_abi'"));
    g_assert_nonnull(strstr(g_ptr_array_index(errors, 3), "[nothing_here]: plugin 'nothing_here': not found"));
    gw_host_free(h);
    gw_conf_free(conf);
    g_ptr_array_free(errors, TRUE);
}

static void test_limit(void)
{
    GPtrArray *errors = g_ptr_array_new_with_free_func(g_free);
    gw_conf_t *conf;
    gw_host_t *h = host_from("[core]\nmax_signals=50\n[tp_good]\ncount=60\n", errors, &conf);
    /* [core] appears twice; GKeyFile merges groups. */
    g_assert_cmpuint(errors->len, ==, 0);
    g_assert_cmpint(gw_host_start(h), ==, -ENOSPC);
    gw_host_free(h);
    gw_conf_free(conf);
    g_ptr_array_free(errors, TRUE);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    gw_log_setup(GW_LOG_ERROR, false);
    g_test_add_func("/loader/open", test_open);
    g_test_add_func("/loader/scan", test_scan);
    g_test_add_func("/loader/lifecycle", test_lifecycle);
    g_test_add_func("/loader/failing-init", test_failing_init);
    g_test_add_func("/loader/config-errors", test_config_errors);
    g_test_add_func("/loader/limit", test_limit);
    return g_test_run();
}
