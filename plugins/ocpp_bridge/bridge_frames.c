/*
 * bridge_frames.c - what passes through the relay, parsed on the side (on
 * the loop, from copies) into the read-only points and the ocpp.frame
 * events. Nothing here can change or delay a relayed frame; a frame that
 * does not parse is relayed all the same and only skipped here.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "bridge.h"
#include "ocpp_common/ocpp_measurand.h"
#include "ocpp_common/ocpp_time.h"

static const char *br_str(json_object *o, const char *key)
{
    json_object *v;
    if (!o || !json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
        return NULL;
    return json_object_get_string(v);
}

static bool br_num(json_object *o, const char *key, double *out)
{
    json_object *v;
    if (!o || !json_object_object_get_ex(o, key, &v) ||
        !(json_object_is_type(v, json_type_int) || json_object_is_type(v, json_type_double)))
        return false;
    *out = json_object_get_double(v);
    return isfinite(*out);
}

static int br_connector_of(br_charger_t *ch, json_object *p)
{
    double c;
    if (!br_num(p, "connectorId", &c) || c < 0 || c > ch->cfg->connectors || c != floor(c))
        return -1;
    return (int)c;
}

static void br_set_string(bridge_t *br, gw_point_id_t id, const char *s)
{
    if (id < 0 || !s)
        return;
    gw_value_t v = gw_value_string(s);
    /* a value longer than the register area is cut, not dropped */
    gw_point_info_t info = { .size = sizeof info };
    if (gw_point_info(br->ctx, id, &info) == 0 && info.max_len && v.len > info.max_len)
        v.len = info.max_len;
    gw_point_set(br->ctx, id, &v);
}

/* -------------------------------------------------------------- charger */

static void br_boot(bridge_t *br, br_charger_t *ch, json_object *p)
{
    br_set_string(br, ch->vendor, br_str(p, "chargePointVendor"));
    br_set_string(br, ch->model, br_str(p, "chargePointModel"));
    br_set_string(br, ch->box_serial, br_str(p, "chargeBoxSerialNumber"));
    br_set_string(br, ch->point_serial, br_str(p, "chargePointSerialNumber"));
    if (gw_event_wanted(br->ctx, "ocpp.charger")) {
        json_object *o = json_object_new_object();
        const char *vendor = br_str(p, "chargePointVendor"), *model = br_str(p, "chargePointModel");
        json_object_object_add(o, "charger", json_object_new_string(ch->cfg->id));
        json_object_object_add(o, "index", json_object_new_int(ch->index));
        json_object_object_add(o, "event", json_object_new_string("boot"));
        json_object_object_add(o, "vendor", json_object_new_string(vendor ? vendor : ""));
        json_object_object_add(o, "model", json_object_new_string(model ? model : ""));
        json_object_object_add(o, "time", json_object_new_int64(g_get_real_time() / 1000));
        gw_event_publish(br->ctx, "ocpp.charger", o);
    }
}

static void br_status(bridge_t *br, br_charger_t *ch, json_object *p)
{
    int yy = br_connector_of(ch, p);
    const char *status = br_str(p, "status"), *error = br_str(p, "errorCode");
    if (yy < 0)
        return;
    int code = status ? br_enum_code(br->status_enum, status) : -1;
    gw_point_id_t id = br_point(br, "charger.%d.connector.%d.status", ch->index, yy);
    if (code >= 0 && id >= 0)
        gw_point_set_int(br->ctx, id, code);
    code = error ? br_enum_code(br->error_enum, error) : -1;
    id = br_point(br, "charger.%d.connector.%d.error_code", ch->index, yy);
    if (code >= 0 && id >= 0)
        gw_point_set_int(br->ctx, id, code);
}

/* One sampled value into its point and unit point; how a sample reads is
 * shared with ocpp_cs (ocpp_common/ocpp_measurand.h). */
static void br_sampled_value(bridge_t *br, br_charger_t *ch, int yy, json_object *sv)
{
    gw_ocpp_sample_t s;
    char name[160];
    if (!gw_ocpp_sample_parse(sv, &s) ||
        gw_ocpp_sample_point_name(&s, ch->index, yy, name, sizeof name) < 0)
        return;
    gw_point_id_t id = br_point(br, "%s", name);
    if (id < 0)
        return; /* the map has no register for it in bridge mode */
    gw_point_set_float(br->ctx, id, s.value);
    int code = s.unit ? br_enum_code(br->unit_enum, s.unit) : -1;
    if (code < 0 || gw_ocpp_sample_unit_name(&s, ch->index, yy, name, sizeof name) < 0)
        return;
    gw_point_id_t uid = br_point(br, "%s", name);
    if (uid >= 0)
        gw_point_set_int(br->ctx, uid, code);
}

static void br_meter_values(bridge_t *br, br_charger_t *ch, json_object *p)
{
    int yy = br_connector_of(ch, p);
    json_object *mvs;
    if (yy < 0 || !json_object_object_get_ex(p, "meterValue", &mvs) ||
        !json_object_is_type(mvs, json_type_array))
        return;
    for (size_t i = 0; i < json_object_array_length(mvs); i++) {
        json_object *svs, *mv = json_object_array_get_idx(mvs, i);
        if (!json_object_is_type(mv, json_type_object) ||
            !json_object_object_get_ex(mv, "sampledValue", &svs) ||
            !json_object_is_type(svs, json_type_array))
            continue;
        for (size_t k = 0; k < json_object_array_length(svs); k++) {
            json_object *sv = json_object_array_get_idx(svs, k);
            if (json_object_is_type(sv, json_type_object))
                br_sampled_value(br, ch, yy, sv);
        }
    }
}

/* ------------------------------------------------------------ transactions */

static void br_txn_show(bridge_t *br, br_charger_t *ch, int yy, int64_t txn_id,
                        const char *id_tag, double meter_start, int64_t timestamp)
{
    ch->txn_of[yy] = txn_id;
    br_set_string(br, br_point(br, "charger.%d.connector.%d.transaction.id_tag", ch->index, yy),
                  id_tag);
    gw_point_id_t id = br_point(br, "charger.%d.connector.%d.transaction.meter_start", ch->index,
                                yy);
    if (id >= 0)
        gw_point_set_float(br->ctx, id, meter_start);
    id = br_point(br, "charger.%d.connector.%d.transaction.timestamp", ch->index, yy);
    if (id >= 0)
        gw_point_set_int(br->ctx, id, timestamp);
    if (ch->txn_id[yy] >= 0)
        gw_point_set_int(br->ctx, ch->txn_id[yy], txn_id);
}

static void br_start_request(br_charger_t *ch, br_pending_t *pend, json_object *p)
{
    double meter = 0;
    int64_t ms = 0;
    const char *tag = br_str(p, "idTag"), *ts = br_str(p, "timestamp");
    pend->txn.connector = br_connector_of(ch, p);
    snprintf(pend->txn.id_tag, sizeof pend->txn.id_tag, "%s", tag ? tag : "");
    br_num(p, "meterStart", &meter);
    pend->txn.meter_start = meter;
    if (ts && gw_ocpp_time_parse(ts, &ms) == 0)
        pend->txn.timestamp = ms / 1000;
}

/* The Central System's StartTransaction.conf, matched by message id. */
static void br_start_answer(bridge_t *br, br_charger_t *ch, const br_pending_t *pend,
                            json_object *p)
{
    double txn;
    const br_txn_slot_t *t = &pend->txn;
    if (t->connector < 1 || !br_num(p, "transactionId", &txn))
        return;
    br_txn_show(br, ch, t->connector, (int64_t)txn, t->id_tag, t->meter_start, t->timestamp);
}

static void br_stop_request(bridge_t *br, br_charger_t *ch, json_object *p)
{
    double txn;
    if (!br_num(p, "transactionId", &txn))
        return;
    for (int yy = 0; yy <= ch->cfg->connectors; yy++)
        if (ch->txn_of[yy] == (int64_t)txn)
            br_txn_show(br, ch, yy, 0, "", 0, 0);
}

/* ------------------------------------------------------------ dispatch */

static br_pending_t *br_pending_find(br_charger_t *ch, const char *msg_id, br_dir_t caller)
{
    for (unsigned i = 0; i < BR_PENDING_MAX; i++) {
        br_pending_t *p = &ch->pending[i];
        if (p->msg_id[0] && p->dir == caller && !strcmp(p->msg_id, msg_id))
            return p;
    }
    return NULL;
}

static void br_publish_frame(bridge_t *br, br_charger_t *ch, br_dir_t dir, const char *action,
                             const char *text)
{
    if (!gw_event_wanted(br->ctx, "ocpp.frame"))
        return;
    json_object *o = json_object_new_object();
    json_object_object_add(o, "charger", json_object_new_string(ch->cfg->id));
    json_object_object_add(o, "direction",
                           json_object_new_string(dir == BR_FROM_CHARGER ? "in" : "out"));
    if (action)
        json_object_object_add(o, "action", json_object_new_string(action));
    json_object_object_add(o, "frame", json_object_new_string(text));
    json_object_object_add(o, "time", json_object_new_int64(g_get_real_time() / 1000));
    gw_event_publish(br->ctx, "ocpp.frame", o);
}

void br_frames_observe(bridge_t *br, br_charger_t *ch, br_dir_t dir, const char *text, size_t len)
{
    gw_ocpp_frame_t f;
    char why[128];
    char action[40] = "";
    if (gw_ocpp_frame_parse(text, len, &f, why, sizeof why) != GW_OCPP_OK) {
        br_publish_frame(br, ch, dir, NULL, text);
        return;
    }
    if (f.type == GW_OCPP_CALL) {
        br_pending_t *p = &ch->pending[ch->pending_next++ % BR_PENDING_MAX];
        memset(p, 0, sizeof *p);
        snprintf(p->msg_id, sizeof p->msg_id, "%s", f.id);
        snprintf(p->action, sizeof p->action, "%s", f.action);
        snprintf(action, sizeof action, "%s", f.action);
        p->dir = dir;
        /* Only what a Central System must accept lands on points: a
         * payload that breaks OCPP 1.6 (connectorId -1 or 4294967297, an
         * unknown status) is relayed untouched, and the CS answers it. */
        bool valid = dir == BR_FROM_CHARGER &&
                     gw_ocpp_frame_check_call(&f, GW_OCPP_FROM_CS, NULL, why, sizeof why) ==
                         GW_OCPP_OK;
        if (valid) {
            if (!strcmp(f.action, "BootNotification"))
                br_boot(br, ch, f.payload);
            else if (!strcmp(f.action, "StatusNotification"))
                br_status(br, ch, f.payload);
            else if (!strcmp(f.action, "MeterValues"))
                br_meter_values(br, ch, f.payload);
            else if (!strcmp(f.action, "StartTransaction"))
                br_start_request(ch, p, f.payload);
            else if (!strcmp(f.action, "StopTransaction"))
                br_stop_request(br, ch, f.payload);
        }
    } else {
        /* an answer comes from the side that did not make the call */
        br_pending_t *p = br_pending_find(ch, f.id, dir == BR_FROM_CS ? BR_FROM_CHARGER : BR_FROM_CS);
        if (p) {
            snprintf(action, sizeof action, "%s", p->action);
            /* the CS's answer too: a transactionId of 1e30 is no id (and
             * no int64) */
            if (f.type == GW_OCPP_CALLRESULT && dir == BR_FROM_CS &&
                !strcmp(p->action, "StartTransaction") &&
                gw_ocpp_validate(gw_ocpp_action_find("StartTransaction")->conf, f.payload, why,
                                 sizeof why) == GW_OCPP_OK)
                br_start_answer(br, ch, p, f.payload);
            p->msg_id[0] = '\0';
        }
    }
    br_publish_frame(br, ch, dir, action[0] ? action : NULL, text);
    gw_ocpp_frame_free(&f);
}
