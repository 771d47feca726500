/*
 * cs_to_cp.c - operations the BMS starts (the reference's "messages from
 * CS"): the BMS writes the parameters, then flag = 1; the gateway sends
 * the CALL, writes the result register from the answer (a failure code on
 * timeout, CALLERROR or disconnect) and sets the flag back to 0. The
 * connector registers unlock (0) and availability (1) work the same way on
 * the register itself. Result codes are documented in docs/bms-guide.md.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cs.h"
#include "ocpp_common/ocpp_time.h"

#define CS_RESULT_REJECTED 1
#define CS_LIST_VERSION_NONE 65535

static const char *op_status(json_object *result)
{
    json_object *v;
    return result && json_object_object_get_ex(result, "status", &v) ? json_object_get_string(v)
                                                                      : NULL;
}

static int op_code(const char *status, const char *const *names, const int *codes, int fail)
{
    for (int i = 0; status && names[i]; i++)
        if (!strcmp(status, names[i]))
            return codes[i];
    return fail;
}

static void op_finish(cs_t *cs, cs_charger_t *ch, cs_op_t op, int result)
{
    cs_set_int(cs, ch->op_result[op], result);
    cs_set_int(cs, ch->op_flag[op], 0);
    ch->op_busy[op] = false;
}

static void op_done(cs_t *cs, cs_charger_t *ch, json_object *result, const char *error, void *arg)
{
    cs_op_t op = (cs_op_t)(intptr_t)arg;
    const char *st = op_status(result);
    static const char *const acc_rej[] = { "Accepted", "Rejected", NULL };
    static const int acc_rej_codes[] = { 0, 1 };
    int code = CS_RESULT_REJECTED;
    if (error)
        gw_log(cs->ctx, GW_LOG_NOTICE, "%s: operation %d failed: %s", ch->cfg->id, (int)op, error);
    switch (op) {
    case CS_OP_RESERVE_NOW: {
        static const char *const n[] = { "Accepted", "Rejected", "Unavailable", "Faulted",
                                         "Occupied", NULL };
        static const int c[] = { 0, 1, 7, 8, 9 };
        code = op_code(st, n, c, CS_RESULT_REJECTED);
        break;
    }
    case CS_OP_CLEAR_PROFILE: {
        static const char *const n[] = { "Accepted", "Unknown", NULL };
        static const int c[] = { 0, 4 };
        code = op_code(st, n, c, CS_RESULT_REJECTED);
        break;
    }
    case CS_OP_TRIGGER: {
        static const char *const n[] = { "Accepted", "Rejected", "NotImplemented", NULL };
        static const int c[] = { 0, 1, 11 };
        code = op_code(st, n, c, CS_RESULT_REJECTED);
        break;
    }
    case CS_OP_GET_LIST_VERSION: {
        json_object *v;
        int ver = result && json_object_object_get_ex(result, "listVersion", &v)
                      ? json_object_get_int(v) : -1;
        code = ver < 0 || ver > 65534 ? CS_LIST_VERSION_NONE : ver;
        break;
    }
    default:
        code = op_code(st, acc_rej, acc_rej_codes, CS_RESULT_REJECTED);
        break;
    }
    op_finish(cs, ch, op, code);
}

/* ------------------------------------------------------- SendLocalList */

typedef struct sll_ctx {
    cs_charger_t *ch;
    int operation;
    cs_auth_entry_t entry;
    bool full;
} sll_ctx_t;

static json_object *sll_entry_json(const cs_auth_entry_t *e, bool with_info)
{
    json_object *o = json_object_new_object();
    json_object_object_add(o, "idTag", json_object_new_string(e->id_tag));
    if (with_info)
        json_object_object_add(o, "idTagInfo",
                               cs_auth_info_json(e->status, e->parent_id_tag, e->expiry));
    return o;
}

static void sll_send(cs_t *cs, sll_ctx_t *s);

/* The BMS learns a list was applied only once that is on disk: after a
 * crash the gateway must still know the version the charger has. */
typedef struct sll_result {
    cs_t *cs;
    cs_charger_t *ch;
    int code;
} sll_result_t;

static void sll_result_run(void *arg, int rc)
{
    sll_result_t *r = arg;
    /* not on disk: Failed, and the BMS sends it again (a crash before the
     * next successful write ends in a VersionMismatch and a Full update) */
    op_finish(r->cs, r->ch, CS_OP_SEND_LOCAL_LIST, rc == 0 ? r->code : 8);
    free(r);
}

static void sll_done(cs_t *cs, cs_charger_t *ch, json_object *result, const char *error, void *arg)
{
    sll_ctx_t *s = arg;
    const char *st = op_status(result);
    static const char *const n[] = { "Accepted", "NotSupported", "Failed", "VersionMismatch", NULL };
    static const int c[] = { 0, 3, 8, 12 };
    int code = op_code(st, n, c, 8);
    (void)error;
    if (code == 12 && !s->full) {
        /* The charger's list is not the one we believe it has: send it all. */
        gw_log(cs->ctx, GW_LOG_NOTICE, "%s: local list version mismatch: sending a Full update",
               ch->cfg->id);
        s->full = true;
        sll_send(cs, s);
        return;
    }
    if (code == 0) {
        if (!s->full)
            cs_list_apply(ch, s->operation, &s->entry);
        ch->list_version++;
        cs_store_save(cs);
    }
    free(s);
    sll_result_t *r = malloc(sizeof *r);
    if (!r) {
        op_finish(cs, ch, CS_OP_SEND_LOCAL_LIST, code);
        return;
    }
    *r = (sll_result_t){ cs, ch, code };
    cs_store_writer_after(cs->store, sll_result_run, r);
}

static void sll_send(cs_t *cs, sll_ctx_t *s)
{
    cs_charger_t *ch = s->ch;
    json_object *p = json_object_new_object();
    json_object *list = json_object_new_array();
    json_object_object_add(p, "listVersion", json_object_new_int(ch->list_version + 1));
    if (s->full) {
        /* The full list as it is after this edit. */
        cs_list_apply(ch, s->operation, &s->entry);
        for (size_t i = 0; i < ch->list_n; i++)
            json_object_array_add(list, sll_entry_json(&ch->list[i], true));
        json_object_object_add(p, "updateType", json_object_new_string("Full"));
    } else {
        json_object_array_add(list, sll_entry_json(&s->entry, s->operation != 2));
        json_object_object_add(p, "updateType", json_object_new_string("Differential"));
    }
    json_object_object_add(p, "localAuthorizationList", list);
    cs_call(cs, ch, "SendLocalList", p, sll_done, s);
}

static void op_send_local_list(cs_t *cs, cs_charger_t *ch)
{
    sll_ctx_t *s = calloc(1, sizeof *s);
    if (!s) {
        op_finish(cs, ch, CS_OP_SEND_LOCAL_LIST, 8);
        return;
    }
    s->ch = ch;
    s->operation = (int)cs_get_int(cs, ch->sl_operation);
    cs_get_string(cs, ch->sl_id_tag, s->entry.id_tag, sizeof s->entry.id_tag);
    cs_get_string(cs, ch->sl_parent, s->entry.parent_id_tag, sizeof s->entry.parent_id_tag);
    s->entry.expiry = cs_get_int(cs, ch->sl_expiry);
    s->entry.status = (int)cs_get_int(cs, ch->sl_status);
    if (s->operation < 1 || s->operation > 3 || !s->entry.id_tag[0] ||
        (s->operation == 2 && !cs_list_find(ch, s->entry.id_tag))) {
        gw_log(cs->ctx, GW_LOG_WARNING, "%s: SendLocalList needs an operation 1-3 and a known "
               "idTag", ch->cfg->id);
        free(s);
        op_finish(cs, ch, CS_OP_SEND_LOCAL_LIST, 8);
        return;
    }
    sll_send(cs, s);
}

/* ------------------------------------------------------------ dispatch */

static void op_add_str(cs_t *cs, json_object *p, const char *key, gw_point_id_t id)
{
    char buf[24];
    cs_get_string(cs, id, buf, sizeof buf);
    if (buf[0])
        json_object_object_add(p, key, json_object_new_string(buf));
}

static void op_add_int_nz(cs_t *cs, json_object *p, const char *key, gw_point_id_t id)
{
    int64_t v = cs_get_int(cs, id);
    if (v)
        json_object_object_add(p, key, json_object_new_int64(v));
}

static void op_start(cs_t *cs, cs_charger_t *ch, cs_op_t op)
{
    static const char *const trigger_names[] = { "BootNotification", "DiagnosticsStatusNotification",
                                                 "FirmwareStatusNotification", "Heartbeat",
                                                 "MeterValues", "StatusNotification" };
    static const char *const purposes[] = { NULL, "ChargePointMaxProfile", "TxDefaultProfile",
                                            "TxProfile" };
    json_object *p = json_object_new_object();
    const char *action = NULL;
    switch (op) {
    case CS_OP_REMOTE_START:
        action = "RemoteStartTransaction";
        op_add_int_nz(cs, p, "connectorId", ch->rs_connector);
        op_add_str(cs, p, "idTag", ch->rs_id_tag);
        break;
    case CS_OP_REMOTE_STOP:
        action = "RemoteStopTransaction";
        json_object_object_add(p, "transactionId",
                               json_object_new_int64(cs_get_int(cs, ch->rstop_txn)));
        break;
    case CS_OP_RESET:
        action = "Reset";
        json_object_object_add(p, "type", json_object_new_string(
                                              cs_get_int(cs, ch->reset_type) == 1 ? "Hard" : "Soft"));
        break;
    case CS_OP_CLEAR_CACHE:
        action = "ClearCache";
        break;
    case CS_OP_RESERVE_NOW: {
        char iso[GW_OCPP_TIME_LEN];
        action = "ReserveNow";
        json_object_object_add(p, "connectorId",
                               json_object_new_int64(cs_get_int(cs, ch->rn_connector)));
        gw_ocpp_time_format(cs_get_int(cs, ch->rn_expiry) * 1000, iso, sizeof iso);
        json_object_object_add(p, "expiryDate", json_object_new_string(iso));
        op_add_str(cs, p, "idTag", ch->rn_id_tag);
        op_add_str(cs, p, "parentIdTag", ch->rn_parent);
        json_object_object_add(p, "reservationId",
                               json_object_new_int64(cs_get_int(cs, ch->rn_reservation)));
        break;
    }
    case CS_OP_CANCEL_RESERVATION:
        action = "CancelReservation";
        json_object_object_add(p, "reservationId",
                               json_object_new_int64(cs_get_int(cs, ch->cr_reservation)));
        break;
    case CS_OP_CLEAR_PROFILE: {
        int64_t purpose = cs_get_int(cs, ch->cp_purpose);
        action = "ClearChargingProfile";
        op_add_int_nz(cs, p, "id", ch->cp_profile);
        op_add_int_nz(cs, p, "connectorId", ch->cp_connector);
        if (purpose >= 1 && purpose <= 3)
            json_object_object_add(p, "chargingProfilePurpose",
                                   json_object_new_string(purposes[purpose]));
        op_add_int_nz(cs, p, "stackLevel", ch->cp_stack);
        break;
    }
    case CS_OP_GET_LIST_VERSION:
        action = "GetLocalListVersion";
        break;
    case CS_OP_TRIGGER: {
        int64_t m = cs_get_int(cs, ch->tm_message);
        action = "TriggerMessage";
        json_object_object_add(p, "requestedMessage",
                               json_object_new_string(trigger_names[m >= 0 && m <= 5 ? m : 3]));
        op_add_int_nz(cs, p, "connectorId", ch->tm_connector);
        break;
    }
    case CS_OP_SEND_LOCAL_LIST:
        json_object_put(p);
        op_send_local_list(cs, ch);
        return;
    case CS_N_OPS:
        json_object_put(p);
        return;
    }
    /* What the BMS wrote must still make a valid request. */
    const gw_ocpp_action_t *a = gw_ocpp_action_find(action);
    char why[160];
    if (!a || gw_ocpp_validate(a->req, p, why, sizeof why) != GW_OCPP_OK) {
        gw_log(cs->ctx, GW_LOG_WARNING, "%s: %s not sent: the registers make an invalid request: %s",
               ch->cfg->id, action, why);
        json_object_put(p);
        op_done(cs, ch, NULL, "invalid parameters", (void *)(intptr_t)op);
        return;
    }
    cs_call(cs, ch, action, p, op_done, (void *)(intptr_t)op);
}

void cs_op_on_flag(gw_ctx_t *ctx, gw_point_id_t id, const gw_value_t *v, void *user)
{
    cs_op_ctx_t *oc = user;
    cs_charger_t *ch = oc->ch;
    (void)ctx;
    (void)id;
    if ((v->kind == GW_VALUE_FLOAT ? v->u.f : (double)v->u.i) != 1 || ch->op_busy[oc->op])
        return;
    ch->op_busy[oc->op] = true;
    op_start(ch->cs, ch, oc->op);
}

/* -------------------------------------------- unlock and availability */

typedef struct conn_op {
    cs_charger_t *ch;
    int connector;
    bool availability;
    int64_t value;              /* availability: what was sent */
} conn_op_t;

static void conn_op_send(cs_t *cs, cs_charger_t *ch, int connector, bool availability,
                         int64_t value);

static void conn_op_done(cs_t *cs, cs_charger_t *ch, json_object *result, const char *error,
                         void *arg)
{
    conn_op_t *o = arg;
    cs_connector_t *c = &ch->connector[o->connector];
    const char *st = op_status(result);
    (void)error;
    if (o->availability) {
        c->availability_busy = false;
        if (st && (!strcmp(st, "Accepted") || !strcmp(st, "Scheduled")))
            c->availability_prev = o->value;
        int64_t now = cs_get_int(cs, c->availability);
        if (now != c->availability_prev) {
            if (now == o->value)
                /* refused or unanswered: the register shows what is true */
                cs_set_int(cs, c->availability, c->availability_prev);
            else
                /* the BMS wrote again while this one was pending */
                conn_op_send(cs, ch, o->connector, true, now);
        }
    } else {
        static const char *const n[] = { "Unlocked", "UnlockFailed", "NotSupported", NULL };
        static const int codes[] = { 0, 2, 3 };
        c->unlock_busy = false;
        cs_set_int(cs, c->unlock, op_code(st, n, codes, 4));
    }
    free(o);
}

void cs_connector_on_write(gw_ctx_t *ctx, gw_point_id_t id, const gw_value_t *v, void *user)
{
    cs_op_ctx_t *oc = user;
    cs_charger_t *ch = oc->ch;
    cs_t *cs = ch->cs;
    cs_connector_t *c = &ch->connector[oc->connector];
    int64_t value = v->kind == GW_VALUE_FLOAT ? (int64_t)v->u.f : v->u.i;
    (void)ctx;
    bool availability = id == c->availability;
    if (!availability && value != 1)
        return;
    if (availability ? c->availability_busy : c->unlock_busy)
        return;
    if (!availability && oc->connector == 0) {
        cs_set_int(cs, c->unlock, 3); /* UnlockConnector needs a connector > 0 */
        return;
    }
    conn_op_send(cs, ch, oc->connector, availability, value);
}

static void conn_op_send(cs_t *cs, cs_charger_t *ch, int connector, bool availability,
                         int64_t value)
{
    cs_connector_t *c = &ch->connector[connector];
    conn_op_t *o = calloc(1, sizeof *o);
    if (!o)
        return;
    o->ch = ch;
    o->connector = connector;
    o->availability = availability;
    o->value = value;
    json_object *p = json_object_new_object();
    json_object_object_add(p, "connectorId", json_object_new_int(connector));
    if (availability) {
        c->availability_busy = true;
        json_object_object_add(p, "type", json_object_new_string(value ? "Operative" : "Inoperative"));
        cs_call(cs, ch, "ChangeAvailability", p, conn_op_done, o);
    } else {
        c->unlock_busy = true;
        cs_call(cs, ch, "UnlockConnector", p, conn_op_done, o);
    }
}
