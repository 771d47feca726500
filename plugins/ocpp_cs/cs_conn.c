/*
 * cs_conn.c - charger connections: admission, replacement, incoming frame
 * dispatch with validation, and the CS -> charger CALL queue (one
 * outstanding CALL per charger, the rest queued, a call timeout).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cs.h"
#include "ocpp_common/ocpp_time.h"

/* ------------------------------------------------------------- events */

void cs_publish_frame(cs_t *cs, int index, const char *dir, const char *action, const char *text)
{
    if (!gw_event_wanted(cs->ctx, "ocpp.frame"))
        return;
    const gw_ocpp_charger_cfg_t *cfg = gw_ocpp_chargers_at(cs->chargers_cfg, index);
    json_object *o = json_object_new_object();
    json_object_object_add(o, "charger", json_object_new_string(cfg ? cfg->id : ""));
    json_object_object_add(o, "index", json_object_new_int(index));
    json_object_object_add(o, "direction", json_object_new_string(dir));
    if (action)
        json_object_object_add(o, "action", json_object_new_string(action));
    json_object_object_add(o, "frame", json_object_new_string(text));
    json_object_object_add(o, "time", json_object_new_int64(cs_now_ms(cs)));
    gw_event_publish(cs->ctx, "ocpp.frame", o);
}

static void cs_publish_charger(cs_t *cs, cs_charger_t *ch, const char *event)
{
    if (!gw_event_wanted(cs->ctx, "ocpp.charger"))
        return;
    char vendor[24], model[24];
    json_object *o = json_object_new_object();
    json_object_object_add(o, "charger", json_object_new_string(ch->cfg->id));
    json_object_object_add(o, "index", json_object_new_int(ch->index));
    json_object_object_add(o, "event", json_object_new_string(event));
    json_object_object_add(o, "address", json_object_new_string(ch->peer));
    json_object_object_add(o, "vendor",
                           json_object_new_string(cs_get_string(cs, ch->vendor, vendor, sizeof vendor)));
    json_object_object_add(o, "model",
                           json_object_new_string(cs_get_string(cs, ch->model, model, sizeof model)));
    json_object_object_add(o, "time", json_object_new_int64(cs_now_ms(cs)));
    gw_event_publish(cs->ctx, "ocpp.charger", o);
}

/* ------------------------------------------------------------- sending */

void cs_send_text(cs_t *cs, uint32_t conn, const char *text, const char *action, bool out)
{
    (void)out;
    if (!text)
        return;
    int rc = gw_ocpp_ws_send(cs->ws, conn, text, strlen(text));
    if (rc < 0)
        gw_log(cs->ctx, GW_LOG_WARNING, "cannot send %s: %s", action ? action : "frame",
               strerror(-rc));
}

/* A linear scan over every index: only done when someone watches
 * ocpp.frame, never on the hot path of an unwatched reply. */
static int cs_index_of_conn(cs_t *cs, uint32_t conn)
{
    if (!gw_event_wanted(cs->ctx, "ocpp.frame"))
        return -1;
    for (int i = 0; i < cs->n_index; i++)
        if (cs->by_index[i] && cs->by_index[i]->conn == conn)
            return i;
    return -1;
}

void cs_reply(cs_t *cs, uint32_t conn, const char *msg_id, json_object *payload,
              const char *action)
{
    char *text = gw_ocpp_frame_result(msg_id, payload);
    json_object_put(payload);
    if (!text)
        return;
    cs_publish_frame(cs, cs_index_of_conn(cs, conn), "out", action, text);
    cs_send_text(cs, conn, text, action, true);
    free(text);
}

typedef struct cs_durable_reply {
    cs_t *cs;
    uint32_t conn;
    char msg_id[GW_OCPP_ID_MAX + 1];
    json_object *payload;
    const char *action;         /* static */
} cs_durable_reply_t;

/* A state the disk refused is not confirmed: the charger gets a CALLERROR,
 * keeps the message and sends it again (OCPP 1.6 §4.7: transaction-related
 * messages are retried TransactionMessageAttempts times, at
 * TransactionMessageRetryInterval × the attempt). The retry finds the
 * same transaction (cs_txn_find_same) and is confirmed once a write has
 * succeeded. */
static void cs_durable_reply_run(void *arg, int rc)
{
    cs_durable_reply_t *d = arg;
    if (rc == 0) {
        cs_reply(d->cs, d->conn, d->msg_id, d->payload, d->action);
    } else {
        char why[128];
        snprintf(why, sizeof why, "state not saved (%s): send it again", strerror(-rc));
        gw_log(d->cs->ctx, GW_LOG_WARNING, "%s refused with InternalError: the state holding "
               "its answer is not on disk (%s)", d->action, strerror(-rc));
        json_object_put(d->payload);
        cs_reply_error(d->cs, d->conn, d->msg_id, d->action, GW_OCPP_INTERNAL_ERROR, why);
    }
    free(d);
}

void cs_reply_durable(cs_t *cs, uint32_t conn, const char *msg_id, json_object *payload,
                      const char *action)
{
    cs_durable_reply_t *d = malloc(sizeof *d);
    if (!d) {
        json_object_put(payload);
        cs_reply_error(cs, conn, msg_id, action, GW_OCPP_INTERNAL_ERROR, "out of memory");
        return;
    }
    d->cs = cs;
    d->conn = conn;
    snprintf(d->msg_id, sizeof d->msg_id, "%s", msg_id);
    d->payload = payload;
    d->action = action;
    cs_store_writer_after(cs->store, cs_durable_reply_run, d);
}

void cs_reply_error(cs_t *cs, uint32_t conn, const char *msg_id, const char *action,
                    gw_ocpp_error_t code, const char *why)
{
    char *text = gw_ocpp_frame_error(msg_id, code, why);
    if (!text)
        return;
    cs_publish_frame(cs, cs_index_of_conn(cs, conn), "out", action, text);
    cs_send_text(cs, conn, text, "CALLERROR", true);
    free(text);
}

/* The CALLERROR for a frame as received: its id is echoed byte for byte,
 * U+0000 included (a refused id may hold one). */
static void cs_reply_frame_error(cs_t *cs, uint32_t conn, const gw_ocpp_frame_t *f,
                                 const char *action, gw_ocpp_error_t code, const char *why)
{
    char *text = gw_ocpp_frame_error_for(f, code, why);
    if (!text)
        return;
    cs_publish_frame(cs, cs_index_of_conn(cs, conn), "out", action, text);
    cs_send_text(cs, conn, text, "CALLERROR", true);
    free(text);
}

/* ------------------------------------------------- CS -> charger calls */

static void cs_call_send_next(cs_t *cs, cs_charger_t *ch);

/* Take the queue's head off and tell its waiter how it ended. */
static void cs_call_complete(cs_t *cs, cs_charger_t *ch, json_object *result, const char *error)
{
    cs_call_t *c = ch->calls_head;
    ch->calls_head = c->next;
    if (!ch->calls_head)
        ch->calls_tail = NULL;
    ch->call_outstanding = false;
    if (ch->call_timer > 0)
        gw_timer_cancel(cs->ctx, ch->call_timer);
    ch->call_timer = 0;
    if (c->done)
        c->done(cs, ch, result, error, c->arg);
    json_object_put(c->payload);
    free(c);
}

static void cs_call_finish(cs_t *cs, cs_charger_t *ch, json_object *result, const char *error)
{
    if (!ch->calls_head || !ch->call_outstanding)
        return;
    cs_call_complete(cs, ch, result, error);
    cs_call_send_next(cs, ch);
}

static void cs_call_timeout(gw_ctx_t *ctx, gw_timer_id_t id, void *user)
{
    cs_charger_t *ch = user;
    (void)ctx;
    (void)id;
    ch->call_timer = 0;
    gw_log(ch->cs->ctx, GW_LOG_WARNING, "%s: no answer to %s within the call timeout", ch->cfg->id,
           ch->calls_head ? ch->calls_head->action : "?");
    cs_call_finish(ch->cs, ch, NULL, "Timeout");
}

static void cs_call_send_next(cs_t *cs, cs_charger_t *ch)
{
    if (ch->call_outstanding || !ch->calls_head)
        return;
    if (!ch->conn) {
        cs_calls_fail_all(cs, ch);
        return;
    }
    cs_call_t *c = ch->calls_head;
    char *text = gw_ocpp_frame_call(c->msg_id, c->action, c->payload);
    if (!text) {
        ch->call_outstanding = true;
        cs_call_finish(cs, ch, NULL, "InternalError");
        return;
    }
    ch->call_outstanding = true;
    ch->call_timer = gw_timer_add(cs->ctx, cs->call_timeout_ms, GW_TIMER_ONCE, cs_call_timeout, ch);
    cs_publish_frame(cs, ch->index, "out", c->action, text);
    cs_send_text(cs, ch->conn, text, c->action, true);
    free(text);
}

void cs_call(cs_t *cs, cs_charger_t *ch, const char *action, json_object *payload,
             cs_call_done_fn done, void *arg)
{
    cs_call_t *c = calloc(1, sizeof *c);
    if (!c) {
        json_object_put(payload);
        if (done)
            done(cs, ch, NULL, "InternalError", arg);
        return;
    }
    snprintf(c->msg_id, sizeof c->msg_id, "gw-%llu", (unsigned long long)++cs->next_msg_id);
    snprintf(c->action, sizeof c->action, "%s", action);
    c->payload = payload;
    c->done = done;
    c->arg = arg;
    if (!ch->conn) {
        /* Nobody to ask: fail at once, like a disconnect. */
        if (done)
            done(cs, ch, NULL, "NotConnected", arg);
        json_object_put(payload);
        free(c);
        return;
    }
    if (ch->calls_tail)
        ch->calls_tail->next = c;
    else
        ch->calls_head = c;
    ch->calls_tail = c;
    cs_call_send_next(cs, ch);
}

void cs_calls_fail_all(cs_t *cs, cs_charger_t *ch)
{
    while (ch->calls_head)
        cs_call_complete(cs, ch, NULL, "NotConnected");
}

/* ------------------------------------------------------ ws callbacks */

static int cs_ws_lookup(void *user, const char *charger_id)
{
    cs_t *cs = user;
    return gw_ocpp_chargers_find(cs->chargers_cfg, charger_id);
}

static void cs_ws_opened(void *user, uint32_t conn, int index, const char *peer)
{
    cs_t *cs = user;
    cs_charger_t *ch = index >= 0 && index < cs->n_index ? cs->by_index[index] : NULL;
    if (!ch) {
        gw_ocpp_ws_close(cs->ws, conn, 1008);
        return;
    }
    if (ch->conn) {
        /* The charger reconnected before its old socket timed out: the new
         * connection wins, every state (transactions, FIFO, list) stays. */
        gw_log(cs->ctx, GW_LOG_NOTICE, "%s: new connection from %s replaces the old one",
               ch->cfg->id, peer);
        gw_ocpp_ws_close(cs->ws, ch->conn, 1001);
        /* the call in flight died with the old socket; the queue's next one
         * goes to the new connection (below), not to the closing one */
        if (ch->call_outstanding && ch->calls_head)
            cs_call_complete(cs, ch, NULL, "NotConnected");
    } else {
        gw_log(cs->ctx, GW_LOG_INFO, "%s connected from %s", ch->cfg->id, peer);
    }
    ch->conn = conn;
    snprintf(ch->peer, sizeof ch->peer, "%s", peer);
    cs_set_int(cs, ch->comm_status, 0);
    cs_publish_charger(cs, ch, "connected");
    cs_call_send_next(cs, ch);
}

static void cs_ws_closed(void *user, uint32_t conn, int index)
{
    cs_t *cs = user;
    cs_charger_t *ch = index >= 0 && index < cs->n_index ? cs->by_index[index] : NULL;
    if (!ch || ch->conn != conn)
        return; /* a replaced connection: the charger is still here */
    ch->conn = 0;
    cs_set_int(cs, ch->comm_status, 1);
    gw_ocpp_reported_away(&ch->reported, cs->ctx);
    gw_log(cs->ctx, GW_LOG_INFO, "%s disconnected", ch->cfg->id);
    cs_publish_charger(cs, ch, "disconnected");
    cs_calls_fail_all(cs, ch);
}

static void cs_ws_refused(void *user, gw_ocpp_refusal_t reason, const char *what,
                          const char *detail, const char *peer)
{
    cs_t *cs = user;
    gw_ocpp_scan_view_refuse(&cs->scan, reason, what, detail, peer, cs_now_ms(cs));
}

static void cs_ws_message(void *user, uint32_t conn, int index, char *text, size_t len)
{
    cs_t *cs = user;
    cs_charger_t *ch = index >= 0 && index < cs->n_index ? cs->by_index[index] : NULL;
    gw_ocpp_frame_t f;
    char why[200];
    if (!ch || ch->conn != conn) {
        free(text);
        return;
    }
    /* whatever it says, it is talking again: its values are current */
    gw_ocpp_reported_heard(&ch->reported, cs->ctx);
    gw_ocpp_error_t rc = gw_ocpp_frame_parse(text, len, &f, why, sizeof why);
    /* An answer is labelled with the action of the CALL it answers, so a
     * viewer needs no matching of its own. */
    bool answers_call = rc == GW_OCPP_OK && f.type != GW_OCPP_CALL && ch->call_outstanding &&
                        ch->calls_head && strcmp(ch->calls_head->msg_id, f.id) == 0;
    cs_publish_frame(cs, index, "in",
                     rc != GW_OCPP_OK      ? NULL
                     : answers_call        ? ch->calls_head->action
                     : f.type == GW_OCPP_CALL ? f.action
                                              : NULL,
                     text);
    if (rc != GW_OCPP_OK) {
        gw_log(cs->ctx, GW_LOG_WARNING, "%s: malformed frame: %s", ch->cfg->id, why);
        if (f.type == GW_OCPP_CALLRESULT || f.type == GW_OCPP_CALLERROR) {
            /* OCPP-J never answers an answer; a broken answer to the call in
             * flight fails that call now rather than at its timeout */
            if (ch->call_outstanding && ch->calls_head && f.id[0] &&
                strcmp(ch->calls_head->msg_id, f.id) == 0)
                cs_call_finish(cs, ch, NULL, gw_ocpp_error_name(rc));
        } else {
            cs_reply_frame_error(cs, conn, &f, NULL, rc, why);
        }
        free(text);
        return;
    }
    free(text);
    if (f.type == GW_OCPP_CALL) {
        const gw_ocpp_action_t *a = NULL;
        rc = gw_ocpp_frame_check_call(&f, GW_OCPP_FROM_CS, &a, why, sizeof why);
        if (rc != GW_OCPP_OK) {
            gw_log(cs->ctx, GW_LOG_WARNING, "%s: %s refused: %s: %s", ch->cfg->id, f.action,
                   gw_ocpp_error_name(rc), why);
            cs_reply_frame_error(cs, conn, &f, f.action, rc, why);
        } else {
            cs_handle_call(cs, ch, conn, f.id, a->name, f.payload);
        }
    } else if (answers_call) {
        if (f.type == GW_OCPP_CALLRESULT) {
            const gw_ocpp_action_t *a = gw_ocpp_action_find(ch->calls_head->action);
            rc = a ? gw_ocpp_validate(a->conf, f.payload, why, sizeof why) : GW_OCPP_OK;
            if (rc != GW_OCPP_OK) {
                gw_log(cs->ctx, GW_LOG_WARNING, "%s: invalid %s.conf: %s", ch->cfg->id,
                       ch->calls_head->action, why);
                cs_call_finish(cs, ch, NULL, gw_ocpp_error_name(rc));
            } else {
                cs_call_finish(cs, ch, f.payload, NULL);
            }
        } else {
            gw_log(cs->ctx, GW_LOG_NOTICE, "%s: %s answered %s: %s", ch->cfg->id,
                   ch->calls_head->action, f.error_code, f.error_description);
            cs_call_finish(cs, ch, NULL, f.error_code);
        }
    } else {
        gw_log(cs->ctx, GW_LOG_NOTICE, "%s: answer to unknown message id '%s' ignored",
               ch->cfg->id, f.id);
    }
    gw_ocpp_frame_free(&f);
}

const gw_ocpp_ws_handlers_t cs_ws_handlers = {
    .lookup = cs_ws_lookup,
    .opened = cs_ws_opened,
    .message = cs_ws_message,
    .closed = cs_ws_closed,
    .refused = cs_ws_refused,
};
