/*
 * cs_handshake.c - Authorize, StartTransaction and StopTransaction through
 * the BMS (the reference's SEQ_Authorize / SEQ_StartTransaction /
 * SEQ_StopTransaction):
 *
 *   1. the gateway writes the request registers and sets flag = 1;
 *   2. the BMS writes the result registers, then processed = 1;
 *   3. the gateway answers the charger from them and clears flag and
 *      processed.
 *
 * One request per charger is in the registers at a time; the others wait
 * in the charger's FIFO. When the BMS stays silent for bms_timeout the
 * fallback answers: the charger's local list (as the gateway keeps it),
 * then the configured default status. A StartTransaction always gets a
 * transaction id and a StopTransaction is always answered, so no
 * transaction is lost.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cs.h"
#include "ocpp_common/ocpp_time.h"

static const char *const cs_kind_action[] = { "Authorize", "StartTransaction", "StopTransaction" };
/* The map's reason enumeration, in register order; its "Remove" (8) is
 * OCPP's "Remote". */
static const char *const cs_stop_reasons[] = { "DeAuthorized", "EmergencyStop", "EVDisconnected",
                                               "HardReset", "Local", "Other", "PowerLoss",
                                               "Reboot", "Remote", "SoftReset",
                                               "UnlockCommand", NULL };

static const char *hs_str(json_object *o, const char *key)
{
    json_object *v;
    return json_object_object_get_ex(o, key, &v) ? json_object_get_string(v) : NULL;
}

static int64_t hs_time_s(json_object *o, const char *key)
{
    int64_t ms;
    const char *s = hs_str(o, key);
    return s && gw_ocpp_time_parse(s, &ms) == 0 ? ms / 1000 : 0;
}

static void hs_start_next(cs_t *cs, cs_charger_t *ch);

/* Write the request registers, then the flag (the BMS polls the flag). */
static void hs_write_request(cs_t *cs, cs_charger_t *ch, cs_req_t *r)
{
    cs_handshake_points_t *h = &ch->hs[r->kind];
    json_object *p = r->payload, *v;
    cs_set_int(cs, h->processed, 0);
    cs_set_int(cs, h->status, 0);
    cs_set_string(cs, h->parent_id_tag, "");
    cs_set_int(cs, h->expiry_date, 0);
    switch (r->kind) {
    case CS_REQ_AUTHORIZE:
        cs_set_string(cs, ch->auth_id_tag, hs_str(p, "idTag"));
        break;
    case CS_REQ_START:
        cs_set_int(cs, ch->start_txn_id, 0);
        cs_set_int(cs, ch->start_connector, json_object_object_get_ex(p, "connectorId", &v) ?
                                                json_object_get_int(v) : 0);
        cs_set_string(cs, ch->start_id_tag, hs_str(p, "idTag"));
        cs_set_float(cs, ch->start_meter, json_object_object_get_ex(p, "meterStart", &v) ?
                                              json_object_get_double(v) : 0);
        cs_set_int(cs, ch->start_reservation, json_object_object_get_ex(p, "reservationId", &v) ?
                                                  json_object_get_int(v) & 0xffff : 0);
        cs_set_int(cs, ch->start_timestamp, hs_time_s(p, "timestamp"));
        break;
    case CS_REQ_STOP: {
        const char *reason = hs_str(p, "reason");
        int ri = 4; /* absent means Local in OCPP 1.6 */
        for (int i = 0; reason && cs_stop_reasons[i]; i++)
            if (!strcmp(reason, cs_stop_reasons[i]))
                ri = i;
        cs_set_string(cs, ch->stop_id_tag, hs_str(p, "idTag"));
        cs_set_float(cs, ch->stop_meter, json_object_object_get_ex(p, "meterStop", &v) ?
                                             json_object_get_double(v) : 0);
        cs_set_int(cs, ch->stop_timestamp, hs_time_s(p, "timestamp"));
        cs_set_int(cs, ch->stop_txn_id, json_object_object_get_ex(p, "transactionId", &v) ?
                                            json_object_get_int(v) & 0xffff : 0);
        cs_set_int(cs, ch->stop_reason, ri);
        break;
    }
    }
    cs_set_int(cs, h->flag, 1);
}

/* The status the fallback gives an idTag: the local list first. */
static int hs_fallback_status(cs_t *cs, cs_charger_t *ch, const char *id_tag,
                              const cs_auth_entry_t **entry)
{
    *entry = NULL;
    if (cs->fallback_local_list && id_tag) {
        const cs_auth_entry_t *e = cs_list_find(ch, id_tag);
        if (e) {
            *entry = e;
            if (e->expiry && e->expiry * 1000 < cs_now_ms(cs))
                return 2; /* Expired */
            return e->status;
        }
    }
    return cs->fallback_status;
}

/* A new transaction on a connector. One still open there is superseded:
 * a charger delivers its transaction messages in order (OCPP 1.6 §4.7),
 * so the StopTransaction of that one would have come first; it was lost
 * on the charger (a power loss, a reset that cleared its queue). The new
 * one is what is happening now, so it is accepted and the connector's
 * registers show it; refusing it would leave a real charge unrecorded. */
static cs_txn_t *hs_txn_open(cs_t *cs, cs_charger_t *ch, int yy, int wanted, const char *id_tag,
                             double meter, int64_t when)
{
    cs_txn_t *busy = cs_txn_find_on(cs, ch->index, yy);
    int busy_id = busy ? busy->id : 0;
    cs_txn_t *t = cs_txn_open(cs, ch->index, yy, wanted, id_tag, meter, when);
    if (!t || !busy_id)
        return t;
    int id = t->id;
    gw_log(cs->ctx, GW_LOG_WARNING, "%s: connector %d: transaction %d superseded by %d (its "
           "StopTransaction can no longer come)", ch->cfg->id, yy, busy_id, id);
    cs_txn_close(cs, busy_id); /* moves entries: t is found again */
    return cs_txn_find(cs, id);
}

static void hs_complete(cs_t *cs, cs_charger_t *ch, bool from_bms)
{
    cs_req_t *r = ch->fifo_head;
    if (!r)
        return;
    if (ch->bms_timer > 0)
        gw_timer_cancel(cs->ctx, ch->bms_timer);
    ch->bms_timer = 0;
    cs_handshake_points_t *h = &ch->hs[r->kind];
    const char *id_tag = hs_str(r->payload, "idTag");
    int status;
    char parent[24] = "";
    int64_t expiry = 0;
    if (from_bms) {
        status = (int)cs_get_int(cs, h->status);
        cs_get_string(cs, h->parent_id_tag, parent, sizeof parent);
        expiry = cs_get_int(cs, h->expiry_date);
    } else {
        const cs_auth_entry_t *e;
        status = hs_fallback_status(cs, ch, id_tag, &e);
        if (e) {
            snprintf(parent, sizeof parent, "%s", e->parent_id_tag);
            expiry = e->expiry;
        }
        gw_log(cs->ctx, GW_LOG_WARNING, "%s: BMS did not process %s within %u ms: fallback %s",
               ch->cfg->id, cs_kind_action[r->kind], cs->bms_timeout_ms,
               cs_auth_status_names[status < 0 || status > 4 ? 3 : status]);
    }
    if (status < 0 || status > 4)
        status = 3; /* Invalid */
    json_object *reply = json_object_new_object();
    json_object *v;
    switch (r->kind) {
    case CS_REQ_AUTHORIZE:
        json_object_object_add(reply, "idTagInfo", cs_auth_info_json(status, parent, expiry));
        break;
    case CS_REQ_START: {
        int wanted = from_bms ? (int)cs_get_int(cs, ch->start_txn_id) : 0;
        int yy = json_object_object_get_ex(r->payload, "connectorId", &v) ? json_object_get_int(v) : 0;
        double meter = json_object_object_get_ex(r->payload, "meterStart", &v)
                           ? json_object_get_double(v) : 0;
        int64_t when = hs_time_s(r->payload, "timestamp");
        cs_txn_t *t = cs_txn_find_same(cs, ch->index, yy, id_tag, meter, when);
        if (t)
            gw_log(cs->ctx, GW_LOG_NOTICE, "%s: StartTransaction repeated: transaction %d again",
                   ch->cfg->id, t->id);
        else
            t = hs_txn_open(cs, ch, yy, wanted, id_tag, meter, when);
        int txn_id = t ? t->id : 0;
        if (t)
            cs_txn_show(cs, t, true);
        cs_set_int(cs, ch->start_txn_id, txn_id);
        json_object_object_add(reply, "transactionId", json_object_new_int(txn_id));
        json_object_object_add(reply, "idTagInfo", cs_auth_info_json(status, parent, expiry));
        break;
    }
    case CS_REQ_STOP: {
        int txn_id = json_object_object_get_ex(r->payload, "transactionId", &v)
                         ? json_object_get_int(v) : -1;
        cs_txn_t *t = cs_txn_find(cs, txn_id);
        if (t) {
            cs_txn_show(cs, t, false);
            cs_txn_close(cs, txn_id);
        } else {
            gw_log(cs->ctx, GW_LOG_NOTICE, "%s: StopTransaction for unknown transaction %d answered",
                   ch->cfg->id, txn_id);
        }
        if (id_tag)
            json_object_object_add(reply, "idTagInfo", cs_auth_info_json(status, parent, expiry));
        break;
    }
    }
    if (r->kind == CS_REQ_AUTHORIZE)
        cs_reply(cs, r->conn, r->msg_id, reply, cs_kind_action[r->kind]);
    else
        cs_reply_durable(cs, r->conn, r->msg_id, reply, cs_kind_action[r->kind]);
    cs_set_int(cs, h->flag, 0);
    cs_set_int(cs, h->processed, 0);
    ch->fifo_head = r->next;
    if (!ch->fifo_head)
        ch->fifo_tail = NULL;
    json_object_put(r->payload);
    free(r);
    ch->fifo_busy = false;
    hs_start_next(cs, ch);
}

static void hs_timeout(gw_ctx_t *ctx, gw_timer_id_t id, void *user)
{
    cs_charger_t *ch = user;
    (void)ctx;
    (void)id;
    ch->bms_timer = 0;
    hs_complete(ch->cs, ch, false);
}

static void hs_start_next(cs_t *cs, cs_charger_t *ch)
{
    cs_req_t *r = ch->fifo_head;
    if (ch->fifo_busy || !r)
        return;
    ch->fifo_busy = true;
    if (ch->hs[r->kind].flag < 0 || ch->hs[r->kind].processed < 0) {
        /* The map does not carry this handshake: answer from the fallback. */
        hs_complete(cs, ch, false);
        return;
    }
    hs_write_request(cs, ch, r);
    ch->bms_timer = gw_timer_add(cs->ctx, cs->bms_timeout_ms, GW_TIMER_ONCE, hs_timeout, ch);
    if (ch->bms_timer < 0)
        hs_complete(cs, ch, false);
}

/* OCPP-J lets a charger have one CALL outstanding; a queue this long is a
 * misbehaving peer, whose calls must not starve the BMS or memory. */
#define CS_FIFO_MAX 16

void cs_handshake_enqueue(cs_t *cs, cs_charger_t *ch, cs_req_kind_t kind, uint32_t conn,
                          const char *msg_id, json_object *payload)
{
    size_t queued = 0;
    for (const cs_req_t *q = ch->fifo_head; q; q = q->next)
        queued++;
    if (queued >= CS_FIFO_MAX) {
        gw_log(cs->ctx, GW_LOG_WARNING, "%s: %zu requests already wait for the BMS, %s refused",
               ch->cfg->id, queued, cs_kind_action[kind]);
        cs_reply_error(cs, conn, msg_id, cs_kind_action[kind], GW_OCPP_GENERIC_ERROR,
                       "too many requests waiting for the BMS");
        return;
    }
    cs_req_t *r = calloc(1, sizeof *r);
    if (!r) {
        cs_reply_error(cs, conn, msg_id, cs_kind_action[kind], GW_OCPP_INTERNAL_ERROR,
                       "out of memory");
        return;
    }
    r->kind = kind;
    r->conn = conn;
    snprintf(r->msg_id, sizeof r->msg_id, "%s", msg_id);
    r->payload = json_object_get(payload);
    if (ch->fifo_tail)
        ch->fifo_tail->next = r;
    else
        ch->fifo_head = r;
    ch->fifo_tail = r;
    hs_start_next(cs, ch);
}

void cs_handshake_processed(gw_ctx_t *ctx, gw_point_id_t id, const gw_value_t *v, void *user)
{
    cs_charger_t *ch = user;
    cs_req_t *r = ch->fifo_head;
    (void)ctx;
    if (!r || !ch->fifo_busy || ch->hs[r->kind].processed != id)
        return;
    if ((v->kind == GW_VALUE_FLOAT ? v->u.f : (double)v->u.i) == 1)
        hs_complete(ch->cs, ch, true);
}

void cs_handshake_clear(cs_t *cs, cs_charger_t *ch)
{
    if (ch->bms_timer > 0)
        gw_timer_cancel(cs->ctx, ch->bms_timer);
    ch->bms_timer = 0;
    while (ch->fifo_head) {
        cs_req_t *r = ch->fifo_head;
        ch->fifo_head = r->next;
        json_object_put(r->payload);
        free(r);
    }
    ch->fifo_tail = NULL;
    ch->fifo_busy = false;
}
