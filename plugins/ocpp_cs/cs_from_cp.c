/*
 * cs_from_cp.c - requests from the charger that the gateway answers by
 * itself (BootNotification, Heartbeat, StatusNotification, MeterValues,
 * DataTransfer, status notifications) and the dispatch of the three that
 * go through the BMS (Authorize, StartTransaction, StopTransaction).
 * Payloads arrive validated against OCPP 1.6.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cs.h"
#include "ocpp_common/ocpp_time.h"

static const char *const cs_status_names[] = { "Available", "Preparing", "Charging",
                                               "SuspendedEVSE", "SuspendedEV", "Finishing",
                                               "Reserved", "Unavailable", "Faulted", NULL };
static const char *const cs_error_names[] = {
    "ConnectorLockFailure", "EVCommunicationError", "GroundFailure", "HighTemperature",
    "InternalError", "LocalListConflict", "NoError", "OtherError", "OverCurrentFailure",
    "OverVoltage", "PowerMeterFailure", "PowerSwitchFailure", "ReaderFailure", "ResetFailure",
    "UnderVoltage", "WeakSignal", NULL
};
static int cs_enum_index(const char *const *names, const char *s)
{
    for (int i = 0; s && names[i]; i++)
        if (strcmp(names[i], s) == 0)
            return i;
    return -1;
}

static const char *cs_str(json_object *o, const char *key)
{
    json_object *v;
    return json_object_object_get_ex(o, key, &v) && json_object_is_type(v, json_type_string)
               ? json_object_get_string(v)
               : NULL;
}

static int64_t cs_int(json_object *o, const char *key, int64_t def)
{
    json_object *v;
    return json_object_object_get_ex(o, key, &v) ? json_object_get_int64(v) : def;
}

static json_object *cs_time_payload(cs_t *cs, const char *key)
{
    char iso[GW_OCPP_TIME_LEN];
    json_object *o = json_object_new_object();
    cs_now_iso(cs, iso, sizeof iso);
    json_object_object_add(o, key, json_object_new_string(iso));
    return o;
}

static void cs_boot(cs_t *cs, cs_charger_t *ch, uint32_t conn, const char *id, json_object *p)
{
    cs_set_string(cs, ch->vendor, cs_str(p, "chargePointVendor"));
    cs_set_string(cs, ch->model, cs_str(p, "chargePointModel"));
    cs_set_string(cs, ch->box_serial, cs_str(p, "chargeBoxSerialNumber"));
    cs_set_string(cs, ch->point_serial, cs_str(p, "chargePointSerialNumber"));
    cs_set_int(cs, ch->comm_status, 0);
    json_object *r = cs_time_payload(cs, "currentTime");
    json_object_object_add(r, "status", json_object_new_string("Accepted"));
    json_object_object_add(r, "interval", json_object_new_int(cs->heartbeat_interval));
    cs_reply(cs, conn, id, r, "BootNotification");
    if (gw_event_wanted(cs->ctx, "ocpp.charger")) {
        json_object *o = json_object_new_object();
        json_object_object_add(o, "charger", json_object_new_string(ch->cfg->id));
        json_object_object_add(o, "index", json_object_new_int(ch->index));
        json_object_object_add(o, "event", json_object_new_string("boot"));
        json_object_object_add(o, "address", json_object_new_string(ch->peer));
        json_object_object_add(o, "vendor", json_object_new_string(cs_str(p, "chargePointVendor")));
        json_object_object_add(o, "model", json_object_new_string(cs_str(p, "chargePointModel")));
        json_object_object_add(o, "time", json_object_new_int64(cs_now_ms(cs)));
        gw_event_publish(cs->ctx, "ocpp.charger", o);
    }
}

static void cs_status(cs_t *cs, cs_charger_t *ch, uint32_t conn, const char *id, json_object *p)
{
    int yy = (int)cs_int(p, "connectorId", -1);
    if (yy < 0 || yy > ch->cfg->connectors) {
        gw_log(cs->ctx, GW_LOG_NOTICE, "%s: status of connector %d not mapped", ch->cfg->id, yy);
    } else {
        cs_set_int(cs, ch->connector[yy].status, cs_enum_index(cs_status_names, cs_str(p, "status")));
        cs_set_int(cs, ch->connector[yy].error_code,
                   cs_enum_index(cs_error_names, cs_str(p, "errorCode")));
    }
    cs_reply(cs, conn, id, json_object_new_object(), "StatusNotification");
}

/* One sampled value into its register and its unit register (the
 * reading is shared with ocpp_bridge: ocpp_common/ocpp_measurand.h). */
static void cs_sample(cs_t *cs, cs_connector_t *c, json_object *sv)
{
    gw_ocpp_sample_t s;
    if (!gw_ocpp_sample_parse(sv, &s))
        return;
    cs_set_float(cs, c->value[s.measurand][s.phase], s.value);
    int u = gw_ocpp_unit_code(s.unit);
    if (u >= 0)
        cs_set_int(cs, c->unit[s.measurand], u);
}

static void cs_meter_values(cs_t *cs, cs_charger_t *ch, uint32_t conn, const char *id,
                            json_object *p)
{
    int yy = (int)cs_int(p, "connectorId", -1);
    json_object *mvs;
    if (yy >= 0 && yy <= ch->cfg->connectors && json_object_object_get_ex(p, "meterValue", &mvs)) {
        for (size_t i = 0; i < json_object_array_length(mvs); i++) {
            json_object *svs;
            if (!json_object_object_get_ex(json_object_array_get_idx(mvs, i), "sampledValue", &svs))
                continue;
            for (size_t j = 0; j < json_object_array_length(svs); j++)
                cs_sample(cs, &ch->connector[yy], json_object_array_get_idx(svs, j));
        }
    }
    cs_reply(cs, conn, id, json_object_new_object(), "MeterValues");
}

static void cs_notification_event(cs_t *cs, cs_charger_t *ch, const char *action,
                                  json_object *p)
{
    const char *name = "ocpp.notification";
    if (!gw_event_wanted(cs->ctx, name))
        return;
    json_object *o = json_object_new_object();
    json_object_object_add(o, "charger", json_object_new_string(ch->cfg->id));
    json_object_object_add(o, "action", json_object_new_string(action));
    json_object_object_add(o, "payload", json_object_get(p));
    json_object_object_add(o, "time", json_object_new_int64(cs_now_ms(cs)));
    gw_event_publish(cs->ctx, name, o);
}

/* A transaction on a connector the charger does not have would land on
 * another connector's registers or none, and hold an id forever: refused
 * before the BMS or the state file see it. */
static void cs_start_transaction(cs_t *cs, cs_charger_t *ch, uint32_t conn, const char *id,
                                 json_object *p)
{
    int64_t yy = cs_int(p, "connectorId", 0);
    if (yy < 1 || yy > ch->cfg->connectors) {
        char why[96];
        snprintf(why, sizeof why, "connectorId %lld: this charge point has connectors 1..%d",
                 (long long)yy, ch->cfg->connectors);
        gw_log(cs->ctx, GW_LOG_NOTICE, "%s: StartTransaction refused: %s", ch->cfg->id, why);
        cs_reply_error(cs, conn, id, "StartTransaction", GW_OCPP_PROPERTY_CONSTRAINT, why);
        return;
    }
    cs_handshake_enqueue(cs, ch, CS_REQ_START, conn, id, p);
}

void cs_handle_call(cs_t *cs, cs_charger_t *ch, uint32_t conn, const char *id,
                    const char *action, json_object *p)
{
    if (!strcmp(action, "BootNotification")) {
        cs_boot(cs, ch, conn, id, p);
    } else if (!strcmp(action, "Heartbeat")) {
        cs_reply(cs, conn, id, cs_time_payload(cs, "currentTime"), action);
    } else if (!strcmp(action, "StatusNotification")) {
        cs_status(cs, ch, conn, id, p);
    } else if (!strcmp(action, "MeterValues")) {
        cs_meter_values(cs, ch, conn, id, p);
    } else if (!strcmp(action, "Authorize")) {
        cs_handshake_enqueue(cs, ch, CS_REQ_AUTHORIZE, conn, id, p);
    } else if (!strcmp(action, "StartTransaction")) {
        cs_start_transaction(cs, ch, conn, id, p);
    } else if (!strcmp(action, "StopTransaction")) {
        cs_handshake_enqueue(cs, ch, CS_REQ_STOP, conn, id, p);
    } else if (!strcmp(action, "DataTransfer")) {
        /* No vendor extension is known here: OCPP's answer for that. */
        cs_notification_event(cs, ch, action, p);
        json_object *r = json_object_new_object();
        json_object_object_add(r, "status", json_object_new_string("UnknownVendorId"));
        cs_reply(cs, conn, id, r, action);
    } else if (!strcmp(action, "DiagnosticsStatusNotification") ||
               !strcmp(action, "FirmwareStatusNotification") ||
               !strcmp(action, "SecurityEventNotification") ||
               !strcmp(action, "LogStatusNotification") ||
               !strcmp(action, "SignedFirmwareStatusNotification")) {
        cs_notification_event(cs, ch, action, p);
        cs_reply(cs, conn, id, json_object_new_object(), action);
    } else {
        cs_reply_error(cs, conn, id, action, GW_OCPP_NOT_SUPPORTED, "not supported by this central system");
    }
}
