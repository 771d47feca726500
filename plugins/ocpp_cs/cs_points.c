/*
 * cs_points.c - the points ocpp_cs owns: every register of the map that is
 * enabled for the bms mode, plus a few status points outside the map
 * (BMS communication).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "cs.h"

gw_point_id_t cs_point_add(cs_t *cs, const char *name, gw_type_t type, gw_access_t access,
                           uint32_t max_len, gw_write_fn on_write, void *user)
{
    /* After the first failure (max_signals) stop trying: one clear error. */
    if (cs->point_error || gw_regmap_signal_state(cs->map, name, "bms") != 1)
        return -1;
    gw_point_id_t id = gw_point_register(
        cs->ctx, &GW_POINT_DEF(.name = name, .type = type, .access = access, .max_len = max_len,
                               .on_write = on_write, .user = user));
    if (id < 0) {
        gw_log(cs->ctx, GW_LOG_ERROR, "cannot register %s: %s", name, strerror((int)-id));
        if (!cs->point_error)
            cs->point_error = (int)id;
        return -1;
    }
    /* The map's enumeration is the one list of allowed codes: declared to
     * the point database, it refuses other values from every writer
     * (Modbus 03, diag 422) before on_write runs. */
    const char *values = type == GW_TYPE_STRING || type == GW_TYPE_FLOAT32
                             ? NULL : gw_regmap_signal_values(cs->map, name);
    if (values && gw_point_enum_set(cs->ctx, id, values) < 0)
        gw_log(cs->ctx, GW_LOG_WARNING, "%s: the map's values \"%s\" are not a valid list for it",
               name, values);
    /* Written-by-BMS registers start at 0 with good quality so a read
     * before the first write answers 0, as on the reference. */
    if (type == GW_TYPE_STRING)
        gw_point_set_string(cs->ctx, id, "");
    else if (type == GW_TYPE_FLOAT32)
        gw_point_set_float(cs->ctx, id, 0);
    else
        gw_point_set_int(cs->ctx, id, 0);
    return id;
}

gw_point_id_t cs_point_add_extra(cs_t *cs, const char *name, gw_type_t type, gw_access_t access,
                                 uint32_t max_len, const char *description)
{
    gw_point_id_t id = gw_point_register(
        cs->ctx, &GW_POINT_DEF(.name = name, .type = type, .access = access, .max_len = max_len,
                               .description = description));
    if (id < 0)
        gw_log(cs->ctx, GW_LOG_ERROR, "cannot register %s: %s", name, strerror((int)-id));
    return id;
}

void cs_set_int(cs_t *cs, gw_point_id_t id, int64_t v)
{
    if (id >= 0)
        gw_point_set_int(cs->ctx, id, v);
}

void cs_set_float(cs_t *cs, gw_point_id_t id, double v)
{
    if (id >= 0)
        gw_point_set_float(cs->ctx, id, v);
}

void cs_set_string(cs_t *cs, gw_point_id_t id, const char *s)
{
    if (id >= 0)
        gw_point_set_string(cs->ctx, id, s ? s : "");
}

int64_t cs_get_int(cs_t *cs, gw_point_id_t id)
{
    gw_value_t v;
    if (id < 0 || gw_point_get(cs->ctx, id, &v) != 0)
        return 0;
    return v.kind == GW_VALUE_FLOAT ? (int64_t)v.u.f : v.kind == GW_VALUE_INT ? v.u.i : 0;
}

double cs_get_float(cs_t *cs, gw_point_id_t id)
{
    gw_value_t v;
    if (id < 0 || gw_point_get(cs->ctx, id, &v) != 0)
        return 0;
    return v.kind == GW_VALUE_FLOAT ? v.u.f : v.kind == GW_VALUE_INT ? (double)v.u.i : 0;
}

const char *cs_get_string(cs_t *cs, gw_point_id_t id, char *buf, size_t len)
{
    gw_value_t v;
    buf[0] = '\0';
    if (id < 0 || gw_point_get(cs->ctx, id, &v) != 0 || v.kind != GW_VALUE_STRING)
        return buf;
    size_t n = v.len < len - 1 ? v.len : len - 1;
    memcpy(buf, v.u.s, n);
    buf[n] = '\0';
    /* Registers are NUL-padded: the string ends at the first NUL. */
    buf[strlen(buf)] = '\0';
    while (n > 0 && buf[n - 1] == ' ')
        buf[--n] = '\0';
    return buf;
}

#define CS_NAME(buf, ...) (snprintf((buf), sizeof(buf), __VA_ARGS__), (buf))

static void cs_connector_points_register(cs_t *cs, cs_charger_t *ch, int yy)
{
    cs_connector_t *c = &ch->connector[yy];
    char n[160];
    int xx = ch->index;
    ch->conn_ctx[yy][0] = (cs_op_ctx_t){ .ch = ch, .op = CS_N_OPS, .connector = yy };
    ch->conn_ctx[yy][1] = (cs_op_ctx_t){ .ch = ch, .op = CS_N_OPS, .connector = yy };
    c->unlock = cs_point_add(cs, CS_NAME(n, "charger.%d.connector.%d.unlock", xx, yy),
                             GW_TYPE_UINT16, GW_ACCESS_RW, 0, cs_connector_on_write,
                             &ch->conn_ctx[yy][0]);
    c->availability = cs_point_add(cs, CS_NAME(n, "charger.%d.connector.%d.availability", xx, yy),
                                   GW_TYPE_UINT16, GW_ACCESS_RW, 0, cs_connector_on_write,
                                   &ch->conn_ctx[yy][1]);
    /* Connectors start Operative until the charger says otherwise. */
    cs_set_int(cs, c->availability, 1);
    c->availability_prev = 1;
    c->status = cs_point_add(cs, CS_NAME(n, "charger.%d.connector.%d.status", xx, yy),
                             GW_TYPE_UINT16, GW_ACCESS_R, 0, NULL, NULL);
    c->error_code = cs_point_add(cs, CS_NAME(n, "charger.%d.connector.%d.error_code", xx, yy),
                                 GW_TYPE_UINT16, GW_ACCESS_R, 0, NULL, NULL);
    cs_set_int(cs, c->error_code, 6); /* NoError */
    for (int m = 0; m < GW_OCPP_N_MEASURANDS; m++) {
        const gw_ocpp_measurand_t *ms = &gw_ocpp_measurands[m];
        for (int p = 0; p < 3; p++)
            c->value[m][p] = -1;
        if (ms->phasing == GW_OCPP_PHASE_NONE) {
            c->value[m][0] = cs_point_add(
                cs, CS_NAME(n, "charger.%d.connector.%d.meter.%s", xx, yy, ms->point),
                GW_TYPE_FLOAT32, GW_ACCESS_R, 0, NULL, NULL);
        } else {
            for (int p = 0; p < 3; p++)
                c->value[m][p] = cs_point_add(
                    cs, CS_NAME(n, "charger.%d.connector.%d.meter.%s.%s", xx, yy, ms->point,
                                gw_ocpp_measurand_phase_suffix(ms, p)),
                    GW_TYPE_FLOAT32, GW_ACCESS_R, 0, NULL, NULL);
        }
        c->unit[m] = cs_point_add(
            cs, CS_NAME(n, "charger.%d.connector.%d.meter.%s.unit", xx, yy, ms->point),
            GW_TYPE_UINT16, GW_ACCESS_R, 0, NULL, NULL);
    }
    c->txn_id_tag = cs_point_add(cs, CS_NAME(n, "charger.%d.connector.%d.transaction.id_tag", xx, yy),
                                 GW_TYPE_STRING, GW_ACCESS_R, 20, NULL, NULL);
    c->txn_meter_start = cs_point_add(
        cs, CS_NAME(n, "charger.%d.connector.%d.transaction.meter_start", xx, yy), GW_TYPE_FLOAT32,
        GW_ACCESS_R, 0, NULL, NULL);
    c->txn_timestamp = cs_point_add(
        cs, CS_NAME(n, "charger.%d.connector.%d.transaction.timestamp", xx, yy),
        GW_TYPE_DATETIME, GW_ACCESS_R, 0, NULL, NULL);
    /* what the charger reports about this connector; availability is the
     * BMS's (written, then confirmed or restored by the gateway) */
    gw_ocpp_reported_add(&ch->reported, c->status);
    gw_ocpp_reported_add(&ch->reported, c->error_code);
    for (int m = 0; m < GW_OCPP_N_MEASURANDS; m++) {
        for (int p = 0; p < 3; p++)
            gw_ocpp_reported_add(&ch->reported, c->value[m][p]);
        gw_ocpp_reported_add(&ch->reported, c->unit[m]);
    }
    gw_ocpp_reported_add(&ch->reported, c->txn_id_tag);
    gw_ocpp_reported_add(&ch->reported, c->txn_meter_start);
    gw_ocpp_reported_add(&ch->reported, c->txn_timestamp);
}

static void cs_handshake_points_register(cs_t *cs, cs_charger_t *ch, cs_req_kind_t k,
                                         const char *group)
{
    cs_handshake_points_t *h = &ch->hs[k];
    char n[160];
    int xx = ch->index;
    h->flag = cs_point_add(cs, CS_NAME(n, "charger.%d.%s.flag", xx, group), GW_TYPE_UINT16,
                           GW_ACCESS_R, 0, NULL, NULL);
    h->processed = cs_point_add(cs, CS_NAME(n, "charger.%d.%s.processed", xx, group),
                                GW_TYPE_UINT16, GW_ACCESS_W, 0, cs_handshake_processed, ch);
    h->parent_id_tag = cs_point_add(cs, CS_NAME(n, "charger.%d.%s.parent_id_tag", xx, group),
                                    GW_TYPE_STRING, GW_ACCESS_W, 20, NULL, NULL);
    h->expiry_date = cs_point_add(cs, CS_NAME(n, "charger.%d.%s.expiry_date", xx, group),
                                  GW_TYPE_DATETIME, GW_ACCESS_W, 0, NULL, NULL);
    h->status = cs_point_add(cs, CS_NAME(n, "charger.%d.%s.status", xx, group), GW_TYPE_UINT16,
                             GW_ACCESS_W, 0, NULL, NULL);
}

static gw_point_id_t cs_op_flag_add(cs_t *cs, cs_charger_t *ch, cs_op_t op, const char *group)
{
    char n[160];
    ch->op_ctx[op] = (cs_op_ctx_t){ .ch = ch, .op = op };
    ch->op_flag[op] = cs_point_add(cs, CS_NAME(n, "charger.%d.%s.flag", ch->index, group),
                                   GW_TYPE_UINT16, GW_ACCESS_RW, 0, cs_op_on_flag,
                                   &ch->op_ctx[op]);
    const char *res = op == CS_OP_GET_LIST_VERSION ? "version" : "result";
    ch->op_result[op] = cs_point_add(cs, CS_NAME(n, "charger.%d.%s.%s", ch->index, group, res),
                                     GW_TYPE_UINT16, GW_ACCESS_R, 0, NULL, NULL);
    return ch->op_flag[op];
}

#define CS_PARAM(field, suffix, type, access, len)                                            \
    (ch->field = cs_point_add(cs, CS_NAME(n, "charger.%d." suffix, xx), (type), (access), (len), \
                              NULL, NULL))

/* One marker per ChargerID, the same name ocpp_bridge registers. Both
 * plugins claim their ChargerIDs from validate() (gw_ocpp_chargers_claim),
 * so the host refuses a shared one before init; the marker stays as the
 * last line of defence (the host's duplicate-name check), and says which. Registered
 * before the map's points so a clash at the same index names the ChargerID
 * too. */
static int cs_charger_marker_register(cs_t *cs, cs_charger_t *ch)
{
    char n[160];
    gw_point_id_t id = gw_point_register(
        cs->ctx, &GW_POINT_DEF(.name = CS_NAME(n, "ocpp.chargers.%s", ch->cfg->id),
                               .type = GW_TYPE_UINT16, .access = GW_ACCESS_R,
                               .description = "index of this ChargerID (ocpp_cs)"));
    if (id < 0) {
        gw_log(cs->ctx, GW_LOG_ERROR,
               "ChargerID '%s' (index %d) is configured for both ocpp_cs and ocpp_bridge "
               "(or twice): %s", ch->cfg->id, ch->index, strerror((int)-id));
        if (!cs->point_error)
            cs->point_error = (int)id;
        return (int)id;
    }
    gw_point_set_int(cs->ctx, id, ch->index);
    return 0;
}

int cs_charger_points_register(cs_t *cs, cs_charger_t *ch)
{
    char n[160];
    int xx = ch->index;
    if (cs_charger_marker_register(cs, ch) < 0)
        return cs->point_error;
    ch->comm_status = cs_point_add(cs, CS_NAME(n, "charger.%d.info.comm_status", xx),
                                   GW_TYPE_UINT16, GW_ACCESS_R, 0, NULL, NULL);
    cs_set_int(cs, ch->comm_status, 1);
    /* Viewers learn the configured ChargerID from the charger's status
     * register, connected or not, without an extra point. */
    if (ch->comm_status >= 0 &&
        gw_point_attr_set(cs->ctx, ch->comm_status, "ocpp.charger_id", ch->cfg->id) < 0)
        gw_log(cs->ctx, GW_LOG_WARNING, "%s: cannot name charger %d on its comm_status point",
               ch->cfg->id, xx);
    CS_PARAM(box_serial, "info.charge_box_serial", GW_TYPE_STRING, GW_ACCESS_R, 26);
    CS_PARAM(point_serial, "info.charge_point_serial", GW_TYPE_STRING, GW_ACCESS_R, 26);
    CS_PARAM(vendor, "info.vendor", GW_TYPE_STRING, GW_ACCESS_R, 20);
    CS_PARAM(model, "info.model", GW_TYPE_STRING, GW_ACCESS_R, 20);
    /* BootNotification's; the handshake request registers (authorize.*,
     * start.*, stop.*) are the gateway's record of a request in progress
     * with the BMS and keep their quality */
    gw_ocpp_reported_add(&ch->reported, ch->box_serial);
    gw_ocpp_reported_add(&ch->reported, ch->point_serial);
    gw_ocpp_reported_add(&ch->reported, ch->vendor);
    gw_ocpp_reported_add(&ch->reported, ch->model);

    cs_handshake_points_register(cs, ch, CS_REQ_AUTHORIZE, "authorize");
    cs_handshake_points_register(cs, ch, CS_REQ_START, "start");
    cs_handshake_points_register(cs, ch, CS_REQ_STOP, "stop");
    CS_PARAM(auth_id_tag, "authorize.id_tag", GW_TYPE_STRING, GW_ACCESS_R, 20);
    CS_PARAM(start_connector, "start.connector_id", GW_TYPE_UINT16, GW_ACCESS_R, 0);
    CS_PARAM(start_id_tag, "start.id_tag", GW_TYPE_STRING, GW_ACCESS_R, 20);
    CS_PARAM(start_meter, "start.meter", GW_TYPE_FLOAT32, GW_ACCESS_R, 0);
    CS_PARAM(start_reservation, "start.reservation_id", GW_TYPE_UINT16, GW_ACCESS_R, 0);
    CS_PARAM(start_timestamp, "start.timestamp", GW_TYPE_DATETIME, GW_ACCESS_R, 0);
    CS_PARAM(start_txn_id, "start.transaction_id", GW_TYPE_UINT16, GW_ACCESS_W, 0);
    CS_PARAM(stop_id_tag, "stop.id_tag", GW_TYPE_STRING, GW_ACCESS_R, 20);
    CS_PARAM(stop_meter, "stop.meter", GW_TYPE_FLOAT32, GW_ACCESS_R, 0);
    CS_PARAM(stop_timestamp, "stop.timestamp", GW_TYPE_DATETIME, GW_ACCESS_R, 0);
    CS_PARAM(stop_txn_id, "stop.transaction_id", GW_TYPE_UINT16, GW_ACCESS_R, 0);
    CS_PARAM(stop_reason, "stop.reason", GW_TYPE_UINT16, GW_ACCESS_R, 0);

    cs_op_flag_add(cs, ch, CS_OP_CANCEL_RESERVATION, "cancel_reservation");
    CS_PARAM(cr_reservation, "cancel_reservation.reservation_id", GW_TYPE_UINT16, GW_ACCESS_W, 0);
    cs_op_flag_add(cs, ch, CS_OP_CLEAR_CACHE, "clear_cache");
    cs_op_flag_add(cs, ch, CS_OP_CLEAR_PROFILE, "clear_charging_profile");
    CS_PARAM(cp_profile, "clear_charging_profile.profile_id", GW_TYPE_UINT16, GW_ACCESS_W, 0);
    CS_PARAM(cp_connector, "clear_charging_profile.connector_id", GW_TYPE_UINT16, GW_ACCESS_W, 0);
    CS_PARAM(cp_purpose, "clear_charging_profile.purpose", GW_TYPE_UINT16, GW_ACCESS_W, 0);
    CS_PARAM(cp_stack, "clear_charging_profile.stack_level", GW_TYPE_UINT16, GW_ACCESS_W, 0);
    cs_op_flag_add(cs, ch, CS_OP_GET_LIST_VERSION, "get_local_list_version");
    cs_op_flag_add(cs, ch, CS_OP_RESERVE_NOW, "reserve_now");
    CS_PARAM(rn_connector, "reserve_now.connector_id", GW_TYPE_UINT16, GW_ACCESS_W, 0);
    CS_PARAM(rn_expiry, "reserve_now.expiry_date", GW_TYPE_DATETIME, GW_ACCESS_W, 0);
    CS_PARAM(rn_id_tag, "reserve_now.id_tag", GW_TYPE_STRING, GW_ACCESS_W, 20);
    CS_PARAM(rn_parent, "reserve_now.parent_id_tag", GW_TYPE_STRING, GW_ACCESS_W, 20);
    CS_PARAM(rn_reservation, "reserve_now.reservation_id", GW_TYPE_UINT16, GW_ACCESS_W, 0);
    cs_op_flag_add(cs, ch, CS_OP_RESET, "reset");
    CS_PARAM(reset_type, "reset.type", GW_TYPE_UINT16, GW_ACCESS_W, 0);
    cs_op_flag_add(cs, ch, CS_OP_SEND_LOCAL_LIST, "send_local_list");
    CS_PARAM(sl_operation, "send_local_list.operation", GW_TYPE_UINT16, GW_ACCESS_W, 0);
    CS_PARAM(sl_id_tag, "send_local_list.id_tag", GW_TYPE_STRING, GW_ACCESS_W, 20);
    CS_PARAM(sl_parent, "send_local_list.parent_id_tag", GW_TYPE_STRING, GW_ACCESS_W, 20);
    CS_PARAM(sl_expiry, "send_local_list.expiry_date", GW_TYPE_DATETIME, GW_ACCESS_W, 0);
    CS_PARAM(sl_status, "send_local_list.status", GW_TYPE_UINT16, GW_ACCESS_W, 0);
    cs_op_flag_add(cs, ch, CS_OP_TRIGGER, "trigger_message");
    CS_PARAM(tm_message, "trigger_message.requested_message", GW_TYPE_UINT16, GW_ACCESS_W, 0);
    CS_PARAM(tm_connector, "trigger_message.connector_id", GW_TYPE_UINT16, GW_ACCESS_W, 0);
    cs_op_flag_add(cs, ch, CS_OP_REMOTE_START, "remote_start");
    CS_PARAM(rs_connector, "remote_start.connector_id", GW_TYPE_UINT16, GW_ACCESS_W, 0);
    CS_PARAM(rs_id_tag, "remote_start.id_tag", GW_TYPE_STRING, GW_ACCESS_W, 20);
    cs_op_flag_add(cs, ch, CS_OP_REMOTE_STOP, "remote_stop");
    CS_PARAM(rstop_txn, "remote_stop.transaction_id", GW_TYPE_UINT16, GW_ACCESS_W, 0);

    /* A connector id the BMS writes names one of this charger's connectors
     * (0: the charger as a whole, or "none" where the operation's
     * connectorId is optional): others are refused at the write, by the
     * point database, rather than sent for the charger to reject. */
    const gw_point_id_t connector_params[] = { ch->rs_connector, ch->rn_connector,
                                               ch->cp_connector, ch->tm_connector };
    for (size_t i = 0; i < sizeof connector_params / sizeof connector_params[0]; i++)
        if (connector_params[i] >= 0 &&
            gw_point_range_set(cs->ctx, connector_params[i], 0, ch->cfg->connectors) < 0)
            gw_log(cs->ctx, GW_LOG_WARNING, "%s: cannot limit connector ids", ch->cfg->id);

    for (int yy = 0; yy <= ch->cfg->connectors; yy++)
        cs_connector_points_register(cs, ch, yy);
    for (int yy = ch->cfg->connectors + 1; yy <= CS_MAX_CONNECTORS; yy++) {
        cs_connector_t *c = &ch->connector[yy];
        memset(c, 0xff, sizeof *c); /* every id -1: not registered */
    }
    return 0;
}

int cs_global_points_register(cs_t *cs)
{
    static const char *const clock_names[6] = { "bms.clock.second", "bms.clock.minute",
                                                "bms.clock.hour",   "bms.clock.day",
                                                "bms.clock.month",  "bms.clock.year" };
    cs->bms_heartbeat = cs_point_add(cs, "bms.heartbeat", GW_TYPE_UINT16, GW_ACCESS_RW, 0, NULL,
                                     NULL);
    for (int i = 0; i < 6; i++)
        cs->clock[i] = cs_point_add(cs, clock_names[i], GW_TYPE_UINT16, GW_ACCESS_RW, 0,
                                    cs_clock_on_write, cs);
    cs->bms_lost = cs_point_add_extra(cs, "bms.comm_lost", GW_TYPE_BOOL, GW_ACCESS_R, 0,
                                      "1 when the BMS stopped writing its heartbeat register");
    if (cs->bms_lost < 0)
        return cs->bms_lost;
    gw_point_set_int(cs->ctx, cs->bms_lost, 0);
    return 0;
}

void cs_points_all_away(cs_t *cs)
{
    for (int i = 0; i < cs->n_index; i++) {
        cs_charger_t *ch = cs->by_index[i];
        if (ch && !ch->conn)
            gw_ocpp_reported_away(&ch->reported, cs->ctx);
    }
}
