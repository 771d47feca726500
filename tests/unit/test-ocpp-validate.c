/* OCPP 1.6 payload validation and CALLERROR selection (ocpp_validate.c). */
#include <glib.h>
#include <stdio.h>
#include <string.h>
#include <json-c/json.h>
#include "ocpp_common/ocpp_schema.h"

static gw_ocpp_error_t check(const char *action, gboolean req, const char *json)
{
    const gw_ocpp_action_t *a = gw_ocpp_action_find(action);
    g_assert_nonnull(a);
    json_object *p = json_tokener_parse(json);
    char why[160];
    gw_ocpp_error_t rc = gw_ocpp_validate(req ? a->req : a->conf, p, why, sizeof why);
    if (rc != GW_OCPP_OK)
        g_test_message("%s: %s", json, why);
    json_object_put(p);
    return rc;
}

static void test_table(void)
{
    /* 28 core actions + 11 of the security extension. */
    g_assert_cmpuint(gw_ocpp16_n_actions, ==, 39);
    for (size_t i = 1; i < gw_ocpp16_n_actions; i++)
        g_assert_cmpint(strcmp(gw_ocpp16_actions[i - 1].name, gw_ocpp16_actions[i].name), <, 0);
    g_assert_cmpint(gw_ocpp_action_find("BootNotification")->from, ==, GW_OCPP_FROM_CP);
    g_assert_cmpint(gw_ocpp_action_find("Reset")->from, ==, GW_OCPP_FROM_CS);
    g_assert_cmpint(gw_ocpp_action_find("DataTransfer")->from, ==, GW_OCPP_FROM_BOTH);
    g_assert_null(gw_ocpp_action_find("Nope"));
    g_assert_null(gw_ocpp_action_find(NULL));
}

static void test_valid(void)
{
    g_assert_cmpint(check("BootNotification", TRUE,
                          "{\"chargePointVendor\":\"V\",\"chargePointModel\":\"M\"}"), ==,
                    GW_OCPP_OK);
    g_assert_cmpint(check("MeterValues", TRUE,
                          "{\"connectorId\":1,\"meterValue\":[{\"timestamp\":"
                          "\"2024-01-01T10:00:00.5+02:00\",\"sampledValue\":[{\"value\":\"1.5\","
                          "\"measurand\":\"Voltage\",\"phase\":\"L1-N\",\"unit\":\"V\"}]}]}"),
                    ==, GW_OCPP_OK);
    g_assert_cmpint(check("StartTransaction", TRUE,
                          "{\"connectorId\":1,\"idTag\":\"T\",\"meterStart\":5.0,"
                          "\"timestamp\":\"2024-01-01T00:00:00Z\"}"), ==, GW_OCPP_OK);
    g_assert_cmpint(check("Heartbeat", FALSE, "{\"currentTime\":\"2024-01-01T00:00:00.000Z\"}"),
                    ==, GW_OCPP_OK);
}

static void test_errors(void)
{
    /* missing required field */
    g_assert_cmpint(check("BootNotification", TRUE, "{\"chargePointVendor\":\"V\"}"), ==,
                    GW_OCPP_OCCURENCE_CONSTRAINT);
    /* wrong type */
    g_assert_cmpint(check("Authorize", TRUE, "{\"idTag\":12}"), ==, GW_OCPP_TYPE_CONSTRAINT);
    g_assert_cmpint(check("StatusNotification", TRUE,
                          "{\"connectorId\":1.5,\"errorCode\":\"NoError\",\"status\":\"Available\"}"),
                    ==, GW_OCPP_TYPE_CONSTRAINT);
    /* CiString20 exceeded: 21 characters */
    g_assert_cmpint(check("Authorize", TRUE, "{\"idTag\":\"123456789012345678901\"}"), ==,
                    GW_OCPP_PROPERTY_CONSTRAINT);
    /* 20 characters, multi-byte: still 20 */
    g_assert_cmpint(check("Authorize", TRUE,
                          "{\"idTag\":\"\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
                          "123456789012345\"}"), ==, GW_OCPP_OK);
    /* enumeration */
    g_assert_cmpint(check("StatusNotification", TRUE,
                          "{\"connectorId\":1,\"errorCode\":\"NoError\",\"status\":\"Sleeping\"}"),
                    ==, GW_OCPP_PROPERTY_CONSTRAINT);
    /* unknown field (additionalProperties: false) */
    g_assert_cmpint(check("Heartbeat", TRUE, "{\"x\":1}"), ==, GW_OCPP_PROPERTY_CONSTRAINT);
    /* bad date-time */
    g_assert_cmpint(check("StartTransaction", TRUE,
                          "{\"connectorId\":1,\"idTag\":\"T\",\"meterStart\":5,"
                          "\"timestamp\":\"yesterday\"}"), ==, GW_OCPP_PROPERTY_CONSTRAINT);
    /* nested: a sampled value without its value */
    g_assert_cmpint(check("MeterValues", TRUE,
                          "{\"connectorId\":1,\"meterValue\":[{\"timestamp\":"
                          "\"2024-01-01T10:00:00Z\",\"sampledValue\":[{}]}]}"),
                    ==, GW_OCPP_OCCURENCE_CONSTRAINT);
    /* not an object */
    g_assert_cmpint(check("Heartbeat", TRUE, "[1]"), ==, GW_OCPP_FORMATION_VIOLATION);
    g_assert_cmpint(check("Heartbeat", TRUE, "null"), ==, GW_OCPP_FORMATION_VIOLATION);
}

/* A StatusNotification with connectorId written as `num`. */
static gw_ocpp_error_t status_with(const char *num)
{
    char json[200];
    snprintf(json, sizeof json,
             "{\"connectorId\":%s,\"errorCode\":\"NoError\",\"status\":\"Available\"}", num);
    return check("StatusNotification", TRUE, json);
}

/* Every integer of every message is 32-bit and some start at 0 or 1; a
 * number outside is a valid integer with an invalid value. */
static void test_integer_ranges(void)
{
    /* in range, however written */
    g_assert_cmpint(status_with("0"), ==, GW_OCPP_OK);
    g_assert_cmpint(status_with("2147483647"), ==, GW_OCPP_OK);
    g_assert_cmpint(status_with("3.0"), ==, GW_OCPP_OK);
    g_assert_cmpint(status_with("1E1"), ==, GW_OCPP_OK);
    g_assert_cmpint(status_with("-0"), ==, GW_OCPP_OK);
    /* json_object_get_int() made 4294967297 into 1 */
    g_assert_cmpint(status_with("4294967297"), ==, GW_OCPP_PROPERTY_CONSTRAINT);
    g_assert_cmpint(status_with("2147483648"), ==, GW_OCPP_PROPERTY_CONSTRAINT);
    g_assert_cmpint(status_with("9223372036854775808"), ==, GW_OCPP_PROPERTY_CONSTRAINT);
    g_assert_cmpint(status_with("18446744073709551617"), ==, GW_OCPP_PROPERTY_CONSTRAINT);
    g_assert_cmpint(status_with("-99999999999999999999999"), ==, GW_OCPP_PROPERTY_CONSTRAINT);
    g_assert_cmpint(status_with("1e10"), ==, GW_OCPP_PROPERTY_CONSTRAINT);
    g_assert_cmpint(status_with("1e400"), ==, GW_OCPP_PROPERTY_CONSTRAINT);
    g_assert_cmpint(status_with("-1e400"), ==, GW_OCPP_PROPERTY_CONSTRAINT);
    /* StatusNotification: connectorId >= 0 */
    g_assert_cmpint(status_with("-1"), ==, GW_OCPP_PROPERTY_CONSTRAINT);
    g_assert_cmpint(status_with("-1.0"), ==, GW_OCPP_PROPERTY_CONSTRAINT);
    /* a fraction is the wrong type, not a wrong value */
    g_assert_cmpint(status_with("0.5"), ==, GW_OCPP_TYPE_CONSTRAINT);
    g_assert_cmpint(status_with("\"1\""), ==, GW_OCPP_TYPE_CONSTRAINT);
    g_assert_cmpint(status_with("true"), ==, GW_OCPP_TYPE_CONSTRAINT);
    g_assert_cmpint(status_with("null"), ==, GW_OCPP_TYPE_CONSTRAINT);
    /* StartTransaction: connectorId > 0; meterStart: any int32 */
    g_assert_cmpint(check("StartTransaction", TRUE,
                          "{\"connectorId\":0,\"idTag\":\"T\",\"meterStart\":0,"
                          "\"timestamp\":\"2024-01-01T00:00:00Z\"}"), ==,
                    GW_OCPP_PROPERTY_CONSTRAINT);
    g_assert_cmpint(check("StartTransaction", TRUE,
                          "{\"connectorId\":1,\"idTag\":\"T\",\"meterStart\":-5,"
                          "\"timestamp\":\"2024-01-01T00:00:00Z\"}"), ==, GW_OCPP_OK);
    g_assert_cmpint(check("StopTransaction", TRUE,
                          "{\"transactionId\":4294967297,\"meterStop\":1,"
                          "\"timestamp\":\"2024-01-01T00:00:00Z\"}"), ==,
                    GW_OCPP_PROPERTY_CONSTRAINT);
    /* MeterValues: connectorId >= 0, nested and answers too */
    g_assert_cmpint(check("MeterValues", TRUE,
                          "{\"connectorId\":-1,\"meterValue\":[{\"timestamp\":"
                          "\"2024-01-01T10:00:00Z\",\"sampledValue\":[{\"value\":\"1\"}]}]}"),
                    ==, GW_OCPP_PROPERTY_CONSTRAINT);
    g_assert_cmpint(check("GetLocalListVersion", FALSE, "{\"listVersion\":-1}"), ==, GW_OCPP_OK);
    g_assert_cmpint(check("GetLocalListVersion", FALSE, "{\"listVersion\":1e400}"), ==,
                    GW_OCPP_PROPERTY_CONSTRAINT);
    g_assert_cmpint(check("UnlockConnector", TRUE, "{\"connectorId\":0}"), ==,
                    GW_OCPP_PROPERTY_CONSTRAINT);
    g_assert_cmpint(check("ChangeAvailability", TRUE,
                          "{\"connectorId\":0,\"type\":\"Operative\"}"), ==, GW_OCPP_OK);
    /* a number field cannot be infinite either */
    g_assert_cmpint(check("SetChargingProfile", TRUE,
                          "{\"connectorId\":1,\"csChargingProfiles\":{\"chargingProfileId\":1,"
                          "\"stackLevel\":0,\"chargingProfilePurpose\":\"TxDefaultProfile\","
                          "\"chargingProfileKind\":\"Absolute\",\"chargingSchedule\":{"
                          "\"chargingRateUnit\":\"A\",\"chargingSchedulePeriod\":[{"
                          "\"startPeriod\":0,\"limit\":1e400}]}}}"), ==,
                    GW_OCPP_PROPERTY_CONSTRAINT);
    g_assert_cmpint(check("SetChargingProfile", TRUE,
                          "{\"connectorId\":1,\"csChargingProfiles\":{\"chargingProfileId\":1,"
                          "\"stackLevel\":-1,\"chargingProfilePurpose\":\"TxDefaultProfile\","
                          "\"chargingProfileKind\":\"Absolute\",\"chargingSchedule\":{"
                          "\"chargingRateUnit\":\"A\",\"chargingSchedulePeriod\":[{"
                          "\"startPeriod\":0,\"limit\":6}]}}}"), ==,
                    GW_OCPP_PROPERTY_CONSTRAINT);
}

/* Every integer node of the generated table has a range inside int32. */
static void test_integer_table(void)
{
    const gw_ocpp_action_t *a = gw_ocpp_action_find("StartTransaction");
    const gw_ocpp_node_t *conn = NULL;
    for (uint32_t i = 0; i < a->req->n_props; i++)
        if (!strcmp(a->req->props[i].name, "connectorId"))
            conn = a->req->props[i].node;
    g_assert_nonnull(conn);
    g_assert_cmpint(conn->minimum, ==, 1);
    g_assert_cmpint(conn->maximum, ==, INT32_MAX);
}

static void test_names(void)
{
    g_assert_cmpstr(gw_ocpp_error_name(GW_OCPP_FORMATION_VIOLATION), ==, "FormationViolation");
    g_assert_cmpstr(gw_ocpp_error_name(GW_OCPP_OCCURENCE_CONSTRAINT), ==,
                    "OccurenceConstraintViolation");
    g_assert_cmpstr(gw_ocpp_error_name(GW_OCPP_NOT_SUPPORTED), ==, "NotSupported");
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/ocpp/validate/table", test_table);
    g_test_add_func("/ocpp/validate/valid", test_valid);
    g_test_add_func("/ocpp/validate/errors", test_errors);
    g_test_add_func("/ocpp/validate/names", test_names);
    g_test_add_func("/ocpp/validate/integer-ranges", test_integer_ranges);
    g_test_add_func("/ocpp/validate/integer-table", test_integer_table);
    return g_test_run();
}
