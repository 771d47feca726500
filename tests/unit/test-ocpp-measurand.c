/* The shared measurand table and the reading of a sampledValue
 * (ocpp_measurand.c), against the shipped register map. */
#include <glib.h>
#include <json-c/json.h>
#include "modbus_common/regmap.h"
#include "ocpp_common/ocpp_measurand.h"

static gboolean parse(const char *json, gw_ocpp_sample_t *s)
{
    json_object *o = json_tokener_parse(json);
    g_assert_nonnull(o);
    bool ok = gw_ocpp_sample_parse(o, s);
    json_object_put(o);
    return ok;
}

static void test_names_in_map(void)
{
    char *err = NULL;
    gw_regmap_t *map = gw_regmap_load(GW_TOP_SRCDIR "/etc/register-map.csv", &err);
    g_assert_nonnull(map);
    char name[160];
    for (int m = 0; m < GW_OCPP_N_MEASURANDS; m++) {
        for (int p = 0; p < 3; p++) {
            gw_ocpp_sample_t s = { .measurand = m, .phase = p };
            if (p && gw_ocpp_measurands[m].phasing == GW_OCPP_PHASE_NONE)
                break;
            g_assert_cmpint(gw_ocpp_sample_point_name(&s, 3, 2, name, sizeof name), ==, 0);
            /* every value and unit register the table names is a row of the map */
            g_assert_cmpint(gw_regmap_signal_state(map, name, "bms"), >=, 0);
            g_assert_cmpint(gw_ocpp_sample_unit_name(&s, 3, 2, name, sizeof name), ==, 0);
            g_assert_cmpint(gw_regmap_signal_state(map, name, "bridge"), >=, 0);
        }
        g_assert_cmpint(gw_ocpp_measurand_find(gw_ocpp_measurands[m].ocpp), ==, m);
        if (gw_ocpp_measurands[m].default_unit)
            g_assert_cmpint(gw_ocpp_unit_code(gw_ocpp_measurands[m].default_unit), >=, 0);
    }
    gw_regmap_free(map);
    g_free(err);
}

static void test_parse(void)
{
    gw_ocpp_sample_t s;
    char name[160];
    g_assert_true(parse("{\"value\":\"230.5\",\"measurand\":\"Voltage\",\"phase\":\"L2-N\"}", &s));
    g_assert_cmpint(s.phase, ==, 1);
    g_assert_cmpfloat(s.value, ==, 230.5);
    g_assert_cmpstr(s.unit, ==, "V");
    gw_ocpp_sample_point_name(&s, 0, 1, name, sizeof name);
    g_assert_cmpstr(name, ==, "charger.0.connector.1.meter.voltage.l2_n");

    g_assert_true(parse("{\"value\":\"6\",\"measurand\":\"Current.Import\",\"phase\":\"L3\",\"unit\":\"A\"}", &s));
    gw_ocpp_sample_point_name(&s, 21, 7, name, sizeof name);
    g_assert_cmpstr(name, ==, "charger.21.connector.7.meter.current_import.l3");
    /* no phase on a per-phase measurand: a single-phase meter, L1 */
    g_assert_true(parse("{\"value\":\"6\",\"measurand\":\"Current.Import\"}", &s));
    g_assert_cmpint(s.phase, ==, 0);
    /* no measurand: OCPP's default; unit spelled the 1.6 way */
    g_assert_true(parse("{\"value\":\"12\"}", &s));
    g_assert_cmpstr(gw_ocpp_measurands[s.measurand].ocpp, ==, "Energy.Active.Import.Register");
    g_assert_cmpstr(s.unit, ==, "Wh");
    g_assert_true(parse("{\"value\":\"21\",\"measurand\":\"Temperature\",\"unit\":\"Celcius\"}", &s));
    g_assert_cmpstr(s.unit, ==, "Celsius");
    g_assert_cmpint(gw_ocpp_unit_code(s.unit), ==, 12);
    g_assert_true(parse("{\"value\":\"50\",\"measurand\":\"Frequency\"}", &s));
    g_assert_null(s.unit);

    /* no register for these */
    g_assert_false(parse("{\"value\":\"400\",\"measurand\":\"Voltage\",\"phase\":\"L1-L2\"}", &s));
    g_assert_false(parse("{\"value\":\"1\",\"measurand\":\"Current.Import\",\"phase\":\"N\"}", &s));
    g_assert_false(parse("{\"value\":\"7\",\"measurand\":\"Power.Active.Import\",\"phase\":\"L1\"}", &s));
    g_assert_false(parse("{\"value\":\"7\",\"measurand\":\"Unknown.Thing\"}", &s));
    g_assert_false(parse("{\"value\":\"abc\"}", &s));
    g_assert_false(parse("{\"value\":\"1e999\"}", &s));
    g_assert_false(parse("{\"value\":\"\"}", &s));
    g_assert_false(parse("{\"value\":\"3\",\"format\":\"SignedData\"}", &s));
    g_assert_false(parse("{\"measurand\":\"Voltage\"}", &s));
    g_assert_false(parse("{\"value\":3}", &s));
    g_assert_cmpint(gw_ocpp_unit_code("Hz"), ==, -1);
    g_assert_cmpint(gw_ocpp_unit_code(NULL), ==, -1);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/ocpp/measurand/names-in-map", test_names_in_map);
    g_test_add_func("/ocpp/measurand/parse", test_parse);
    return g_test_run();
}
