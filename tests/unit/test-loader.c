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

    /* the expected texts follow the SDK's version, not a snapshot of it */
    char *bad = g_strdup_printf("ABI mismatch: built for SDK ABI 2.0, this gatewayd provides %d.%d",
                                GW_ABI_MAJOR, GW_ABI_MINOR);
    char *newer = g_strdup_printf("requires SDK ABI %d.%d or later (built for %d.%d), this "
                                  "gatewayd provides %d.%d", GW_ABI_MAJOR, GW_ABI_MINOR + 1,
                                  GW_ABI_MAJOR, GW_ABI_MINOR + 1, GW_ABI_MAJOR, GW_ABI_MINOR);
    expect_refused("tp_bad_abi", bad);
    expect_refused("tp_new_minor", newer);
    g_free(bad);
    g_free(newer);
    expect_refused("tp_no_symbol", "not a gatewayd plugin (no gw_plugin_descriptor symbol)");
    expect_refused("no_such_plugin", "not found (searched: " GW_TOP_BUILDDIR "/tests/plugins)");
    expect_refused("../etc/passwd", "not a valid plugin name");
}

/* Built for the next minor, requiring the current one: loaded, the
 * descriptor read only up to what this host knows, and the plugin finds
 * the next minor's table entry absent and falls back. */
static int64_t point_int(gw_host_t *h, const char *name);
static gw_host_t *host_from(const char *text, GPtrArray *errors, gw_conf_t **conf);

static void test_newer_built(void)
{
    char *why = NULL;
    gw_module_t *m = gw_module_open("tp_newer_built", plugin_dirs, &why);
    g_assert_null(why);
    g_assert_nonnull(m);
    g_assert_cmpuint(m->desc.abi_minor, ==, GW_ABI_MINOR + 1);
    g_assert_cmpuint(gw_desc_required_minor(&m->desc), ==, GW_ABI_MINOR);
    g_assert_cmpuint(m->desc.size, >, sizeof(gw_plugin_desc_t)); /* its own, longer */
    gw_module_close(m);

    GPtrArray *errors = g_ptr_array_new_with_free_func(g_free);
    gw_conf_t *conf;
    gw_host_t *h = host_from("[tp_newer_built]\n[tp_abi10]\n", errors, &conf);
    g_assert_cmpuint(errors->len, ==, 0);
    g_assert_cmpint(gw_host_start(h), ==, 0);
    g_assert_cmpint(point_int(h, "newer.has_current"), ==, 1);
    g_assert_cmpint(point_int(h, "newer.has_next"), ==, 0);
    g_assert_cmpint(point_int(h, "newer.fallback"), ==, 1);
    /* a 1.0 descriptor requires what it was built with */
    gw_ctx_t *c = g_ptr_array_index(h->instances, 1);
    g_assert_cmpuint(gw_desc_required_minor(&c->module->desc), ==, 0);
    /* GW_PLUGIN_REQUIRES_MINOR reaches the descriptor GW_PLUGIN_DEFINE makes */
    m = gw_module_open("tp_stopset", plugin_dirs, &why);
    g_assert_nonnull(m);
    g_assert_cmpuint(m->desc.abi_minor, ==, GW_ABI_MINOR);
    g_assert_cmpuint(gw_desc_required_minor(&m->desc), ==, 0);
    gw_module_close(m);
    gw_host_stop(h);
    gw_host_free(h);
    gw_conf_free(conf);
    g_ptr_array_free(errors, TRUE);
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

/* SDK 1.1 validate(): run per instance, lines in "[group] key: reason"
 * form, instances with key-table errors skipped, a 1.0 plugin without
 * validate() left alone, nothing registered. */
static void test_validate(void)
{
    GPtrArray *errors = g_ptr_array_new_with_free_func(g_free);
    gw_conf_t *conf;
    gw_host_t *h = host_from("[tp_good]\nreject=first\n[tp_good:ok]\nprefix=ok\n"
                             "[tp_good:typo]\nprefix=t\nreject=x\ncount=lots\n[tp_abi10]\n",
                             errors, &conf);
    g_assert_cmpuint(errors->len, ==, 1); /* count=lots */
    g_assert_cmpuint(gw_host_validate(h, errors), ==, 1);
    g_assert_cmpuint(errors->len, ==, 2);
    g_assert_true(g_str_has_suffix(g_ptr_array_index(errors, 1), ": [tp_good] reject: first"));
    g_assert_cmpuint(gw_pointdb_count(h->points), ==, 0);
    g_assert_cmpint(((gw_ctx_t *)g_ptr_array_index(h->instances, 0))->pstate, ==, GW_PLUGIN_LOADED);
    gw_host_free(h);
    gw_conf_free(conf);
    g_ptr_array_free(errors, TRUE);
}

static int64_t point_int(gw_host_t *h, const char *name)
{
    gw_value_t v;
    gw_point_id_t id = gw_pointdb_lookup(h->points, name);
    g_assert_cmpint(id, >=, 0);
    g_assert_cmpint(gw_pointdb_get(h->points, id, &v), ==, 0);
    return v.u.i;
}

/* Instances stop newest first; tp_stopset sets a point, publishes an event
 * and writes a point of the newer tp_stopsub:late from its stop(). The
 * older subscriber (still running) sees all of it; the newer one, already
 * stopped, must see none of it: no subscription, no event, no write handler. */
static void test_stop_order(void)
{
    GPtrArray *errors = g_ptr_array_new_with_free_func(g_free);
    gw_conf_t *conf;
    gw_host_t *h = host_from("[tp_stopsub:early]\nprefix=early\n"
                             "[tp_stopset]\nwrite_to=late.cmd\n"
                             "[tp_stopsub:late]\nprefix=late\n", errors, &conf);
    g_assert_cmpuint(errors->len, ==, 0);
    g_assert_cmpint(gw_host_start(h), ==, 0);
    g_assert_cmpint(point_int(h, "early.seen"), ==, 1); /* stopset's start() set 1 */
    g_assert_cmpint(point_int(h, "late.seen"), ==, 0);  /* subscribed after that */

    /* while running, writes reach the owner's handler */
    gw_value_t one = gw_value_int(1);
    gw_point_write_t w = { gw_pointdb_lookup(h->points, "late.cmd"), one };
    g_assert_cmpint(gw_pointdb_write(h->points, &w, 1, NULL), ==, 0);
    g_assert_cmpint(point_int(h, "late.seen"), ==, 1);

    gw_host_stop(h);
    /* the older subscriber got the value (2) and the event stop() sent */
    g_assert_cmpint(point_int(h, "early.last"), ==, 2);
    g_assert_cmpint(point_int(h, "early.seen"), ==, 3);
    g_assert_cmpint(point_int(h, "early.late"), ==, 0);
    /* the stopped one got nothing, and the write to its point was refused */
    g_assert_cmpint(point_int(h, "late.seen"), ==, 1);
    g_assert_cmpint(point_int(h, "late.late"), ==, 0);
    g_assert_cmpint(point_int(h, "stopset.write_rc"), ==, -ESHUTDOWN);
    /* a post run after stop() can add nothing that would call it back */
    g_assert_cmpint(point_int(h, "late.post_timer"), ==, -ESHUTDOWN);
    g_assert_cmpint(point_int(h, "late.post_sub"), ==, -ESHUTDOWN);
    g_assert_cmpint(point_int(h, "early.post_sub"), ==, -ESHUTDOWN);
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
    g_test_add_func("/loader/newer-built", test_newer_built);
    g_test_add_func("/loader/lifecycle", test_lifecycle);
    g_test_add_func("/loader/failing-init", test_failing_init);
    g_test_add_func("/loader/config-errors", test_config_errors);
    g_test_add_func("/loader/limit", test_limit);
    g_test_add_func("/loader/stop-order", test_stop_order);
    g_test_add_func("/loader/validate", test_validate);
    return g_test_run();
}
