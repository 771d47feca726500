/* ocpp_cs on a real host: every configured charger's comm_status point
 * names its ChargerID (attribute "ocpp.charger_id") and a marker point
 * ocpp.chargers.<ChargerID> holds its index, from start-up on. */
#include "config.h"
#include <glib.h>
#include "host.h"

static void test_charger_id_attribute(void)
{
    GPtrArray *errors = g_ptr_array_new_with_free_func(g_free);
    char *dir = g_dir_make_tmp("gw-ocpp-attrs-XXXXXX", NULL);
    char *path = g_build_filename(dir, "gatewayd.conf", NULL);
    char *text = g_strdup_printf(
        "[core]\nplugin_dir=%s\nstate_dir=%s/state\n"
        "[ocpp_cs]\nbind_address=127.0.0.1\nport=0\nregister_map=%s\n"
        "chargers=CP-A:1;25=FAR-25:2\n",
        GW_TOP_BUILDDIR "/plugins/ocpp_cs", dir, GW_TOP_SRCDIR "/etc/register-map.csv");
    g_assert_true(g_file_set_contents(path, text, -1, NULL));
    gw_conf_t *conf = gw_conf_load(path, errors);
    g_assert_nonnull(conf);
    gw_host_t *h = gw_host_new(conf, errors);
    for (guint i = 0; i < errors->len; i++)
        g_printerr("%s\n", (char *)g_ptr_array_index(errors, i));
    g_assert_cmpuint(errors->len, ==, 0);
    g_assert_cmpint(gw_host_start(h), ==, 0);
    gw_ctx_t *core = gw_host_core_ctx(h);

    gw_point_id_t id = gw_point_lookup(core, "charger.0.info.comm_status");
    g_assert_cmpint(id, >=, 0);
    g_assert_cmpstr(gw_point_attr_get(core, id, "ocpp.charger_id"), ==, "CP-A");
    id = gw_point_lookup(core, "charger.25.info.comm_status");
    g_assert_cmpint(id, >=, 0);
    g_assert_cmpstr(gw_point_attr_get(core, id, "ocpp.charger_id"), ==, "FAR-25");
    g_assert_cmpint(gw_point_lookup(core, "charger.1.info.comm_status"), <, 0);

    gw_value_t v;
    id = gw_point_lookup(core, "ocpp.chargers.FAR-25");
    g_assert_cmpint(id, >=, 0);
    g_assert_cmpint(gw_point_get(core, id, &v), ==, 0);
    g_assert_cmpint(v.u.i, ==, 25);

    gw_host_stop(h);
    gw_host_free(h);
    gw_conf_free(conf);
    g_ptr_array_free(errors, TRUE);
    g_free(text);
    g_free(path);
    g_free(dir);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/ocpp/cs/charger-id-attribute", test_charger_id_attribute);
    return g_test_run();
}
