/*
 * bridge_relay.c - the relay thread: one libwebsockets context holding the
 * upstream client connections and the adopted charger connections, so a
 * frame goes from one to the other without leaving the thread (no loop hop
 * on the data path).
 *
 * Per charger, a pair of sides. The order of events is what makes the
 * coupling of the issue hold:
 *   1. the loop hands over the charger's socket with its unanswered
 *      upgrade request (bridge_accept.c);
 *   2. the upstream connection is opened with the charger's path,
 *      subprotocols and Authorization;
 *   3a. upstream open: the request is rewritten to the subprotocol upstream
 *       chose and the socket is adopted by lws, which answers 101;
 *   3b. upstream failed: the charger gets 502 (or upstream's own HTTP
 *       error status) and its socket is closed;
 *   4. from then on, when one side goes, the other is closed with the
 *      same close code once its queued frames are written.
 * Whole messages are relayed (reassembled up to max_message); their bytes
 * are never touched. A copy of each text message is posted to the loop for
 * the points.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <libwebsockets.h>
#include "ocpp_common/lws_loop.h"
#include "bridge.h"

#define BR_UPSTREAM_PROTOCOL "gw-upstream"
#define BR_REASON_MAX 123       /* a close frame's reason fits 125 bytes with the code */
#define BR_BATCH_MAX (256 * 1024) /* bytes packed into one write, unless one message is bigger */
#define BR_GATHER_PASSES 4      /* passes that may add to a write while input keeps coming */
/* Copies of a pair's frames handed to the loop and not yet taken by it:
 * past this, the pair's sender is not read until the loop catches up, so
 * a flooding charger waits in its own socket, not in the loop's queue. */
#define BR_NOTES_HELD_MAX 8
/* A charger that takes none of its answers for this long is closed: its
 * upstream is not read meanwhile, so nothing piles up here, but a peer
 * that never reads must not hold its upstream connection for ever. */
#define BR_STALL_S 10
/* OCPP 1.6 4.1.1: a charger sends its next CALL once the last one was
 * answered. The relay reads a charger's next frame only then (or after
 * call_hold_timeout without an answer), so a charger that floods CALLs
 * keeps one at a time at the Central System, like every other charger. */

typedef struct br_msg {
    struct br_msg *next;
    size_t len;
    bool binary;
    unsigned char buf[];        /* LWS_PRE + len */
} br_msg_t;

typedef struct br_pair br_pair_t;

typedef struct br_side {
    br_pair_t *pair;
    bool is_cs;
    bool attached;              /* the connection (or the unanswered socket) exists */
    bool open;                  /* WebSocket established */
    struct lws *wsi;
    br_msg_t *out_head, *out_tail;
    size_t out_bytes;
    bool peer_paused;           /* this side is slow: the other side's rx is held */
    bool loop_paused;           /* this side's rx is held: the loop is behind its pair */
    bool rx_off;                /* lws_rx_flow_control(wsi, 0) is in effect */
    bool call_paused;           /* charger: its CALL awaits upstream's answer */
    int64_t call_since_ms;
    int64_t stall_since_ms;     /* charger: peer_paused since, 0 when not */
    bool stalled;               /* charger: dropped for not reading */
    br_msg_t *rx;               /* message being reassembled */
    size_t rx_cap;
    int peer_code;              /* close code received from this side, 0 none */
    char peer_reason[BR_REASON_MAX];   /* bytes, not a C string: a NUL is valid UTF-8 */
    size_t peer_reason_len;
    int close_code;             /* != 0: close once output is written */
    char close_reason[BR_REASON_MAX];
    size_t close_reason_len;
    bool dirty;                 /* in the relay's list of sides to write after this pass */
    struct br_side *dirty_prev, *dirty_next;
} br_side_t;

struct br_pair {
    br_relay_t *relay;
    br_handover_t *h;           /* until the charger's socket is adopted */
    uint32_t conn;
    int index;
    char protocol[64];          /* what upstream agreed to */
    br_side_t cp, cs;
    bool reported_open;
    bool current;               /* the index's pair in by_index */
    bool probe;                 /* check_upstream: no charger behind it */
    char start_ids[4][GW_OCPP_ID_MAX + 1]; /* StartTransaction CALLs awaiting their answer */
    unsigned start_next;
    bool charger_spoke;          /* its first frame went to the loop (quality) */
    char why[64];               /* which side went first, and how */
    int code;
    unsigned notes_held;        /* frame copies the loop has not taken yet */
    char call_id[GW_OCPP_ID_MAX + 1]; /* the charger's CALL upstream has not answered */
};

/* How long stop() waits for the going-away closes to complete. */
#define BR_STOP_GRACE_MS 1000

struct br_relay {
    bridge_t *br;
    gw_ctx_t *ctx;
    br_relay_events_t ev;
    gw_ws_client_url_t upstream;
    bool tls_verify;
    size_t max_message;
    int64_t call_hold_ms;       /* 0: never hold */
    char *ca_file;
    struct lws_protocols *server_protocols;
    struct lws_protocols client_protocols[2];
    lws_retry_bo_t retry;
    gw_lws_loop_t *loop;        /* the context on libev, and the relay thread */
    struct lws_context *context;
    struct lws_vhost *server_vhost, *client_vhost;
    atomic_bool stopping;
    atomic_bool going_away;     /* stop(): close every pair with 1001 */
    bool went_away;             /* relay thread: ... and it was done */
    atomic_int live_pairs;      /* chargers' pairs not yet freed (stop() waits) */
    atomic_bool want_all_frames; /* somebody subscribes to ocpp.frame */

    pthread_mutex_t lock;       /* guards inbox and taken */
    GQueue inbox;               /* br_handover_t* from the loop */
    GArray *taken;              /* br_taken_t: frame copies the loop has run */

    /* relay thread only (or the loop after the thread is joined) */
    GHashTable *by_index;       /* index -> br_pair_t* */
    uint32_t next_conn;
    br_side_t *adopting;        /* the side lws is adopting right now */
    unsigned char *tx;          /* scratch: LWS_PRE + the frames of one write */
    size_t tx_cap;
    br_mask_pool_t masks;
    br_side_t *dirty_head;      /* sides with frames received during this service pass */
    unsigned calls_held;        /* chargers waiting for an answer (call_paused) */
    int64_t held_checked_ms;
    bool received;              /* a whole message arrived in this pass */
    unsigned gathered;          /* passes whose messages wait for the write */
    struct br_note *notes_head, *notes_tail; /* for the loop, posted after the pass's writes */

    pthread_cond_t probe_cond;  /* with lock: the check_upstream result */
    int probe_status;           /* 0 waiting, 101 open, else the refusal's HTTP status */
    char probe_why[128];
};

static int64_t br_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void br_probe_done(br_relay_t *relay, int status, const char *why)
{
    pthread_mutex_lock(&relay->lock);
    relay->probe_status = status;
    snprintf(relay->probe_why, sizeof relay->probe_why, "%s", why);
    pthread_cond_broadcast(&relay->probe_cond);
    pthread_mutex_unlock(&relay->lock);
}

void br_handover_free(br_handover_t *h)
{
    if (!h)
        return;
    if (h->fd >= 0)
        close(h->fd);
    free(h->request);
    free(h->auth);
    free(h->protocols);
    free(h);
}

/* ------------------------------------------------------------- to the loop */

typedef struct br_note {
    struct br_note *next;
    br_relay_t *relay;
    enum { BR_NOTE_OPENED, BR_NOTE_FRAME, BR_NOTE_CLOSED, BR_NOTE_REFUSED } kind;
    int index;
    uint32_t conn;
    br_dir_t dir;
    int code;
    char *text;
    size_t len;
    char charger_id[GW_OCPP_CHARGER_ID_MAX + 1];
    char peer[BR_PEER_MAX];
    char info[128];             /* protocol, or why */
} br_note_t;

static void br_note_run(gw_ctx_t *ctx, void *arg)
{
    br_note_t *n = arg;
    bridge_t *br = n->relay->br;
    const br_relay_events_t *ev = &n->relay->ev;
    (void)ctx;
    switch (n->kind) {
    case BR_NOTE_OPENED:
        if (ev->opened)
            ev->opened(br, n->index, n->conn, n->peer, n->info);
        break;
    case BR_NOTE_FRAME:
        if (ev->frame) {
            ev->frame(br, n->index, n->conn, n->dir, n->text, n->len);
            n->text = NULL;
        }
        break;
    case BR_NOTE_CLOSED:
        if (ev->closed)
            ev->closed(br, n->index, n->conn, n->info, n->code);
        break;
    case BR_NOTE_REFUSED:
        if (ev->refused)
            ev->refused(br, n->index, n->charger_id, n->peer, n->code, n->info);
        break;
    }
    free(n->text);
    free(n);
}

static br_note_t *br_note_new(br_relay_t *relay, int kind, const br_pair_t *pair)
{
    br_note_t *n = calloc(1, sizeof *n);
    if (!n)
        return NULL;
    n->relay = relay;
    n->kind = kind;
    if (pair) {
        n->index = pair->index;
        n->conn = pair->conn;
    }
    return n;
}

typedef struct br_taken {
    int index;
    uint32_t conn;
    unsigned count;
} br_taken_t;

/* Runs a pass's notes in order (loop thread), then tells the relay thread
 * how many frame copies of which pair the loop has taken. */
static void br_notes_run(gw_ctx_t *ctx, void *arg)
{
    br_note_t *n = arg;
    br_relay_t *relay = n ? n->relay : NULL;
    br_taken_t t = { .index = -1 };
    bool wake = false;
    while (n) {
        br_note_t *next = n->next;
        if (n->kind == BR_NOTE_FRAME) {
            if (t.count && (t.index != n->index || t.conn != n->conn)) {
                pthread_mutex_lock(&relay->lock);
                wake |= relay->taken->len == 0;
                g_array_append_val(relay->taken, t);
                pthread_mutex_unlock(&relay->lock);
                t.count = 0;
            }
            t.index = n->index;
            t.conn = n->conn;
            t.count++;
        }
        br_note_run(ctx, n);
        n = next;
    }
    if (t.count) {
        pthread_mutex_lock(&relay->lock);
        wake |= relay->taken->len == 0;
        g_array_append_val(relay->taken, t);
        pthread_mutex_unlock(&relay->lock);
    }
    if (wake && !atomic_load(&relay->stopping))
        lws_cancel_service(relay->context);
}

/* Queue a note; br_relay_notes_post() hands the pass's notes over. Posting
 * wakes the loop thread, and waking an idle CPU costs the waker ~10 us on
 * a virtual machine: done before the relayed frame is written, that cost
 * landed on every point-changing CALL's round trip. */
static void br_note_post(br_note_t *n)
{
    if (!n)
        return;
    br_relay_t *relay = n->relay;
    n->next = NULL;
    if (relay->notes_tail)
        relay->notes_tail->next = n;
    else
        relay->notes_head = n;
    relay->notes_tail = n;
}

/* After the pass's frames are written: all its notes in one post. */
static void br_relay_notes_post(br_relay_t *relay)
{
    br_note_t *n = relay->notes_head;
    if (!n)
        return;
    relay->notes_head = relay->notes_tail = NULL;
    if (gw_post(relay->ctx, br_notes_run, n) < 0) {
        while (n) {
            br_note_t *next = n->next;
            free(n->text);
            free(n);
            n = next;
        }
    }
}

/* ------------------------------------------------------------- sides */

static br_side_t *br_other(br_side_t *s)
{
    return s->is_cs ? &s->pair->cp : &s->pair->cs;
}

/* Read from s unless the other side is slow or the loop is behind. */
static void br_side_rx_update(br_side_t *s)
{
    bool off = br_other(s)->peer_paused || s->loop_paused || s->call_paused;
    if (off == s->rx_off || !s->wsi)
        return;
    s->rx_off = off;
    lws_rx_flow_control(s->wsi, off ? 0 : 1);
}

/* Sides that got frames during one lws service pass are written right
 * after it returns (br_relay_flush): one send for all the frames one read
 * brought, and no poll round trip for a writable callback. */
static void br_side_mark_dirty(br_side_t *s)
{
    br_relay_t *relay = s->pair->relay;
    if (s->dirty)
        return;
    s->dirty = true;
    s->dirty_prev = NULL;
    s->dirty_next = relay->dirty_head;
    if (relay->dirty_head)
        relay->dirty_head->dirty_prev = s;
    relay->dirty_head = s;
}

static void br_side_unmark_dirty(br_side_t *s)
{
    br_relay_t *relay = s->pair->relay;
    if (!s->dirty)
        return;
    if (s->dirty_prev)
        s->dirty_prev->dirty_next = s->dirty_next;
    else
        relay->dirty_head = s->dirty_next;
    if (s->dirty_next)
        s->dirty_next->dirty_prev = s->dirty_prev;
    s->dirty = false;
    s->dirty_prev = s->dirty_next = NULL;
}

static void br_side_free_queues(br_side_t *s)
{
    while (s->out_head) {
        br_msg_t *m = s->out_head;
        s->out_head = m->next;
        free(m);
    }
    s->out_tail = NULL;
    s->out_bytes = 0;
    free(s->rx);
    s->rx = NULL;
    s->rx_cap = 0;
}

static void br_pair_maybe_free(br_pair_t *p)
{
    br_relay_t *relay = p->relay;
    if (p->cp.attached || p->cs.attached)
        return;
    if (p->current)
        g_hash_table_remove(relay->by_index, GINT_TO_POINTER(p->index));
    if (!p->probe)
        atomic_fetch_sub(&relay->live_pairs, 1);
    if (p->reported_open) {
        br_note_t *n = br_note_new(relay, BR_NOTE_CLOSED, p);
        if (n) {
            n->code = p->code;
            snprintf(n->info, sizeof n->info, "%s", p->why);
        }
        br_note_post(n);
    }
    br_handover_free(p->h);
    free(p);
}

/* Refuse the charger whose handshake is still unanswered. */
static void br_pair_refuse(br_pair_t *p, int status, const char *why)
{
    br_handover_t *h = p->h;
    if (!h)
        return;
    if (p->probe)
        br_probe_done(p->relay, status, why);
    br_http_refuse(h->fd, status);
    br_note_t *n = br_note_new(p->relay, BR_NOTE_REFUSED, p);
    if (n) {
        n->code = status;
        snprintf(n->charger_id, sizeof n->charger_id, "%s", h->charger_id);
        snprintf(n->peer, sizeof n->peer, "%s", h->peer);
        snprintf(n->info, sizeof n->info, "%s", why);
    }
    br_note_post(n);
    p->h = NULL;
    br_handover_free(h);
}

/* Close a side with a code: an open WebSocket after its queued frames, a
 * connection still in its handshake at once, an unanswered charger with an
 * HTTP refusal. */
static void br_side_close_reason(br_side_t *s, int code, const char *reason, size_t reason_len,
                                 int http_status, const char *why)
{
    if (!s->attached || s->close_code)
        return;
    if (!s->is_cs && s->pair->h) {
        br_pair_refuse(s->pair, http_status, why);
        s->attached = false;
        return;
    }
    s->close_code = code;
    s->close_reason_len = reason_len < sizeof s->close_reason ? reason_len : sizeof s->close_reason;
    if (s->close_reason_len)
        memcpy(s->close_reason, reason, s->close_reason_len);
    if (!s->wsi)
        return;
    if (s->open) {
        lws_callback_on_writable(s->wsi);
        /* a peer that never lets us write still goes, after 5 s */
        lws_set_timeout(s->wsi, PENDING_TIMEOUT_CLOSE_SEND, 5);
    } else {
        lws_set_timeout(s->wsi, PENDING_TIMEOUT_KILLED_BY_PARENT, LWS_TO_KILL_ASYNC);
    }
}

static void br_side_close(br_side_t *s, int code, const char *reason, int http_status,
                          const char *why)
{
    br_side_close_reason(s, code, reason, strlen(reason), http_status, why);
}

static void br_call_release(br_side_t *cp);

/* A side's connection is gone (or never came): close the other one with
 * the code this side's peer gave, and free the pair once both are gone. */
static void br_side_detach(br_side_t *s, const char *why, int http_status)
{
    if (!s->attached)
        return;
    br_pair_t *p = s->pair;
    s->attached = false;
    s->open = false;
    br_side_unmark_dirty(s);
    if (s->wsi)
        lws_set_opaque_user_data(s->wsi, NULL);
    s->wsi = NULL;
    if (s->stalled && !p->why[0])
        why = "charger does not read";
    br_side_free_queues(s);
    if (!p->why[0]) {
        snprintf(p->why, sizeof p->why, "%s", why);
        p->code = s->peer_code ? s->peer_code : 1006;
    }
    br_side_t *o = br_other(s);
    int code = gw_ws_client_close_code_relayable(s->peer_code ? s->peer_code : 1006);
    /* s's backlog (what o sent) is gone: read o again, or its close
     * handshake would wait for the 5 s timeout */
    s->peer_paused = false;
    o->loop_paused = false;
    br_call_release(s->is_cs ? o : s);
    br_side_rx_update(o);
    br_side_close_reason(o, code, s->peer_reason, s->peer_reason_len, http_status, why);
    br_pair_maybe_free(p);
}

static br_side_t *br_side_of(br_relay_t *relay, struct lws *wsi)
{
    br_side_t *s = lws_get_opaque_user_data(wsi);
    if (!s && relay->adopting) {
        /* lws may run the adopted socket's first callbacks inside
         * lws_adopt_socket_vhost_readbuf(), before we could tag it */
        s = relay->adopting;
        if (!s->wsi)
            s->wsi = wsi;
        if (s->wsi != wsi)
            return NULL;
        lws_set_opaque_user_data(wsi, s);
    }
    return s;
}

static void br_side_enqueue(br_side_t *to, br_msg_t *m)
{
    m->next = NULL;
    if (to->out_tail)
        to->out_tail->next = m;
    else
        to->out_head = m;
    to->out_tail = m;
    to->out_bytes += m->len;
    if (to->open)
        br_side_mark_dirty(to);
    /* A slow receiver: stop reading from the sender until it drains. */
    br_side_t *from = br_other(to);
    size_t limit = 4 * to->pair->relay->max_message;
    if (!to->peer_paused && to->out_bytes > limit && from->wsi) {
        to->peer_paused = true;
        br_side_rx_update(from);
        /* a charger that never reads is closed (br_relay_sweep); upstream
         * is the CS's own business */
        if (!to->is_cs)
            to->stall_since_ms = br_now_ms();
    }
}

/* Read a JSON string at *p (after blanks) into out; false when it is not a
 * plain one (escapes make us give up: the caller then posts the frame). */
static bool br_scan_string(const char **p, const char *end, char *out, size_t len)
{
    const char *c = *p;
    while (c < end && (*c == ' ' || *c == '\t' || *c == '\r' || *c == '\n'))
        c++;
    if (c >= end || *c != '"')
        return false;
    size_t o = 0;
    for (c++; c < end && *c != '"'; c++) {
        if (*c == '\\' || o + 1 >= len)
            return false;
        out[o++] = *c;
    }
    if (c >= end)
        return false;
    out[o] = '\0';
    *p = c + 1;
    return true;
}

static bool br_scan_comma(const char **p, const char *end)
{
    const char *c = *p;
    while (c < end && (*c == ' ' || *c == '\t' || *c == '\r' || *c == '\n'))
        c++;
    if (c >= end || *c != ',')
        return false;
    *p = c + 1;
    return true;
}

/* The type digit and message id of an OCPP-J frame; false when the head
 * is not plain (the frame then holds nothing back). */
static bool br_frame_head(const char *t, size_t len, char *type, char *id, size_t id_len)
{
    const char *c = t, *end = t + len;
    while (c < end && (*c == ' ' || *c == '\t' || *c == '\r' || *c == '\n'))
        c++;
    if (c >= end || *c++ != '[')
        return false;
    while (c < end && (*c == ' ' || *c == '\t' || *c == '\r' || *c == '\n'))
        c++;
    if (c >= end)
        return false;
    *type = *c++;
    return br_scan_comma(&c, end) && br_scan_string(&c, end, id, id_len);
}

static void br_call_release(br_side_t *cp)
{
    if (!cp->call_paused)
        return;
    cp->call_paused = false;
    cp->pair->call_id[0] = '\0';
    cp->pair->relay->calls_held--;
    br_side_rx_update(cp);
}

/* A whole text message passed: hold the charger after its CALL, release
 * it when upstream answers that CALL. */
static void br_call_track(br_side_t *s, const char *t, size_t len)
{
    char type, id[GW_OCPP_ID_MAX + 1];
    br_pair_t *p = s->pair;
    if (!br_frame_head(t, len, &type, id, sizeof id))
        return;
    if (!s->is_cs && type == '2' && !s->call_paused && p->relay->call_hold_ms) {
        snprintf(p->call_id, sizeof p->call_id, "%s", id);
        s->call_paused = true;
        s->call_since_ms = br_now_ms();
        p->relay->calls_held++;
        br_side_rx_update(s);
    } else if (s->is_cs && (type == '3' || type == '4') && p->cp.call_paused &&
               !strcmp(p->call_id, id)) {
        br_call_release(&p->cp);
    }
}

/* Once a second at most (relay thread): release chargers whose CALL
 * upstream left unanswered, and drop chargers that took none of their
 * answers for BR_STALL_S. The drop is a kill, not a close handshake: lws
 * would otherwise wait to flush what the peer does not read, reading it
 * meanwhile. */
static void br_relay_sweep(br_relay_t *relay)
{
    int64_t now = br_now_ms();
    if (now - relay->held_checked_ms < 1000)
        return;
    relay->held_checked_ms = now;
    GHashTableIter it;
    gpointer k, v;
    g_hash_table_iter_init(&it, relay->by_index);
    while (g_hash_table_iter_next(&it, &k, &v)) {
        br_pair_t *p = v;
        br_side_t *cp = &p->cp;
        if (cp->call_paused && now - cp->call_since_ms >= relay->call_hold_ms)
            br_call_release(cp);
        if (cp->peer_paused && cp->stall_since_ms && !cp->stalled && cp->wsi &&
            now - cp->stall_since_ms >= BR_STALL_S * 1000) {
            gw_log(relay->ctx, GW_LOG_WARNING,
                   "charger %d does not read its answers (%zu bytes waiting for %d s): closing",
                   p->index, cp->out_bytes, BR_STALL_S);
            cp->stalled = true;
            lws_set_timeout(cp->wsi, PENDING_TIMEOUT_KILLED_BY_PARENT, LWS_TO_KILL_ASYNC);
        }
    }
}

/* Does the loop need this frame for the points? A cheap look at the
 * frame's head on the relay thread spares the loop the frames that change
 * no point (Heartbeat, DataTransfer, the CS's calls and most answers) when
 * nobody watches ocpp.frame. When in doubt: yes. */
static bool br_frame_wanted(br_pair_t *p, bool from_cs, const char *t, size_t len)
{
    static const char *const actions[] = { "BootNotification", "StatusNotification",
                                           "MeterValues", "StartTransaction",
                                           "StopTransaction" };
    const char *c = t, *end = t + len;
    char id[GW_OCPP_ID_MAX + 1], action[40];
    if (atomic_load(&p->relay->want_all_frames))
        return true;
    /* the charger's first frame on a connection, whatever it is, tells
     * the loop it is talking again (its values' quality turns good) */
    if (!from_cs && !p->charger_spoke) {
        p->charger_spoke = true;
        return true;
    }
    while (c < end && (*c == ' ' || *c == '\t' || *c == '\r' || *c == '\n'))
        c++;
    if (c >= end || *c++ != '[')
        return true;
    while (c < end && (*c == ' ' || *c == '\t' || *c == '\r' || *c == '\n'))
        c++;
    if (c >= end)
        return true;
    char type = *c++;
    if (!br_scan_comma(&c, end) || !br_scan_string(&c, end, id, sizeof id))
        return true;
    if (type == '2') {
        if (from_cs)
            return false;
        if (!br_scan_comma(&c, end) || !br_scan_string(&c, end, action, sizeof action))
            return true;
        for (size_t i = 0; i < G_N_ELEMENTS(actions); i++)
            if (!strcmp(action, actions[i])) {
                if (i == 3)
                    snprintf(p->start_ids[p->start_next++ % 4], sizeof p->start_ids[0], "%s", id);
                return true;
            }
        return false;
    }
    if ((type == '3' || type == '4') && from_cs) {
        for (int i = 0; i < 4; i++)
            if (!strcmp(p->start_ids[i], id)) {
                p->start_ids[i][0] = '\0';
                return true;
            }
        return false;
    }
    return type != '3' && type != '4';
}

void br_relay_want_all_frames(br_relay_t *relay, bool yes)
{
    atomic_store(&relay->want_all_frames, yes);
}

static int br_side_receive(br_side_t *s, struct lws *wsi, const void *in, size_t len)
{
    br_relay_t *relay = s->pair->relay;
    br_side_t *o = br_other(s);
    size_t have = s->rx ? s->rx->len : 0;
    if (s->stalled)
        return -1; /* being dropped: nothing more from it is relayed */
    if (have + len > relay->max_message) {
        gw_log(relay->ctx, GW_LOG_WARNING, "charger %d: %s message over max_message_size (%zu)",
               s->pair->index, s->is_cs ? "upstream" : "charger", relay->max_message);
        br_side_close(s, LWS_CLOSE_STATUS_MESSAGE_TOO_LARGE, "message too large", 502, "");
        return 0;
    }
    if (!s->rx || have + len > s->rx_cap) {
        size_t cap = s->rx_cap ? s->rx_cap : 1024;
        while (cap < have + len)
            cap *= 2;
        br_msg_t *m = realloc(s->rx, sizeof *m + LWS_PRE + cap + 1);
        if (!m)
            return -1;
        if (!s->rx) {
            m->len = 0;
            m->binary = lws_frame_is_binary(wsi);
        }
        s->rx = m;
        s->rx_cap = cap;
    }
    memcpy(s->rx->buf + LWS_PRE + have, in, len);
    s->rx->len = have + len;
    if (!lws_is_final_fragment(wsi) || lws_remaining_packet_payload(wsi))
        return 0;

    br_msg_t *m = s->rx;
    s->rx = NULL;
    s->rx_cap = 0;
    if (!m->binary)
        br_call_track(s, (const char *)m->buf + LWS_PRE, m->len);
    if (!m->binary && br_frame_wanted(s->pair, s->is_cs, (const char *)m->buf + LWS_PRE, m->len)) {
        br_note_t *n = br_note_new(relay, BR_NOTE_FRAME, s->pair);
        if (n && (n->text = malloc(m->len + 1))) {
            memcpy(n->text, m->buf + LWS_PRE, m->len);
            n->text[m->len] = '\0';
            n->len = m->len;
            n->dir = s->is_cs ? BR_FROM_CS : BR_FROM_CHARGER;
            br_note_post(n);
            if (++s->pair->notes_held >= BR_NOTES_HELD_MAX && !s->loop_paused) {
                s->loop_paused = true;
                br_side_rx_update(s);
            }
        } else {
            free(n);
        }
    }
    if (o->attached && !o->close_code) {
        br_side_enqueue(o, m);
        relay->received = true;
    } else {
        free(m);
    }
    return 0;
}

/* Pack what is queued for a side (at least one message, at most about
 * BR_BATCH_MAX bytes) into frames in the relay's scratch buffer.
 * @return the bytes to send, 0 on failure (out of memory, no mask) */
static size_t br_side_pack(br_side_t *s)
{
    br_relay_t *relay = s->pair->relay;
    size_t total = 0;
    br_msg_t *m, *stop;
    for (m = s->out_head; m; m = m->next) {
        size_t f = br_wsframe_size(m->len, s->is_cs);
        if (total && total + f > BR_BATCH_MAX)
            break;
        total += f;
    }
    stop = m;
    if (LWS_PRE + total > relay->tx_cap) {
        unsigned char *b = realloc(relay->tx, LWS_PRE + total);
        if (!b)
            return 0;
        relay->tx = b;
        relay->tx_cap = LWS_PRE + total;
    }
    unsigned char *out = relay->tx + LWS_PRE;
    size_t o = 0;
    while (s->out_head != stop) {
        unsigned char mask[4];
        m = s->out_head;
        /* the upstream side is a WebSocket client: its frames are masked */
        if (s->is_cs && br_mask_next(&relay->masks, mask) < 0)
            return 0;
        o += br_wsframe_put(out + o, m->binary, m->buf + LWS_PRE, m->len, s->is_cs ? mask : NULL);
        s->out_head = m->next;
        s->out_bytes -= m->len;
        free(m);
    }
    if (!s->out_head)
        s->out_tail = NULL;
    return o;
}

/* Write what is queued as one raw send of whole frames: one syscall for
 * many messages (lws keeps what the socket did not take and calls the
 * writable callback only once that is written).
 * @return 0, or -1 when the connection is broken */
static int br_side_send(br_side_t *s, struct lws *wsi)
{
    size_t len = br_side_pack(s);
    if (!len)
        return -1;
    int n = lws_write(wsi, s->pair->relay->tx + LWS_PRE, len, LWS_WRITE_RAW);
    if (n < (int)len)
        return -1;
    br_side_t *from = br_other(s);
    if (s->peer_paused && s->out_bytes <= s->pair->relay->max_message) {
        s->peer_paused = false;
        br_side_rx_update(from);
        s->stall_since_ms = 0;
    }
    if (s->out_head || s->close_code)
        lws_callback_on_writable(wsi);
    return 0;
}

/* After a service pass: write to every side that got frames in it. Not
 * from a callback, so a broken connection is killed asynchronously; a
 * side whose last write lws still holds waits for its writable callback,
 * which keeps the slow-reader accounting in out_bytes honest. */
static bool br_relay_flush(br_relay_t *relay)
{
    br_side_t *s;
    bool wrote = false;
    while ((s = relay->dirty_head)) {
        br_side_unmark_dirty(s);
        if (!s->open || !s->wsi || !s->out_head)
            continue;
        if (lws_partial_buffered(s->wsi)) {
            lws_callback_on_writable(s->wsi);
            continue;
        }
        if (br_side_send(s, s->wsi) < 0)
            lws_set_timeout(s->wsi, PENDING_TIMEOUT_KILLED_BY_PARENT, LWS_TO_KILL_ASYNC);
        wrote = true;
    }
    return wrote;
}

static int br_side_writeable(br_side_t *s, struct lws *wsi)
{
    if (s->out_head)
        return br_side_send(s, wsi);
    if (s->close_code) {
        lws_close_reason(wsi, (enum lws_close_status)s->close_code,
                         (unsigned char *)s->close_reason, s->close_reason_len);
        return -1;
    }
    return 0;
}

/* ---------------------------------------------------------- upstream first */

static void br_pair_connect(br_relay_t *relay, br_handover_t *h)
{
    br_pair_t *p = calloc(1, sizeof *p);
    if (!p) {
        br_http_refuse(h->fd, 503);
        br_handover_free(h);
        return;
    }
    p->relay = relay;
    p->h = h;
    p->index = h->index;
    p->conn = ++relay->next_conn ? relay->next_conn : ++relay->next_conn;
    p->cp.pair = p;
    p->cs.pair = p;
    p->cs.is_cs = true;
    p->cp.attached = true;
    p->cs.attached = true;
    p->probe = h->fd < 0;

    /* A charger that reconnects while its old connection lingers (a dead
     * TCP path) replaces it. */
    br_pair_t *old = p->probe ? NULL
                              : g_hash_table_lookup(relay->by_index, GINT_TO_POINTER(h->index));
    if (old) {
        old->current = false;
        br_side_close(&old->cp, LWS_CLOSE_STATUS_GOINGAWAY, "replaced by a new connection",
                      409, "replaced");
        br_side_close(&old->cs, LWS_CLOSE_STATUS_GOINGAWAY, "charger reconnected", 409,
                      "replaced");
    }
    if (!p->probe) {
        g_hash_table_insert(relay->by_index, GINT_TO_POINTER(h->index), p);
        p->current = true;
        atomic_fetch_add(&relay->live_pairs, 1);
    }

    char path[GW_WS_CLIENT_PATH_MAX + 3 * GW_OCPP_CHARGER_ID_MAX + 2];
    if (gw_ws_client_charger_path(&relay->upstream, h->charger_id, path, sizeof path) < 0) {
        br_side_detach(&p->cs, "upstream path too long", 502);
        return;
    }
    gw_ws_client_target_t t = {
        .url = &relay->upstream,
        .path = path,
        .subprotocols = h->protocols,
        .local_protocol = BR_UPSTREAM_PROTOCOL,
        .tls = { .verify = relay->tls_verify },
        .retry = relay->retry.secs_since_valid_ping ? &relay->retry : NULL,
        .opaque = &p->cs,
    };
    struct lws *w = gw_ws_client_connect(relay->context, relay->client_vhost, &t, &p->cs.wsi);
    if (!w && p->cs.attached)
        br_side_detach(&p->cs, "cannot start the upstream connection", 502);
}

static void br_pair_adopt(br_relay_t *relay, br_pair_t *p)
{
    br_handover_t *h = p->h;
    size_t n = 0;
    if (p->probe) {
        /* a probe (check_upstream) has no charger: report and hang up */
        br_probe_done(relay, 101, p->protocol);
        p->h = NULL;
        br_handover_free(h);
        p->cp.attached = false;
        br_side_close(&p->cs, LWS_CLOSE_STATUS_NORMAL, "check done", 0, "");
        return;
    }
    char *req = br_http_with_protocol(h->request, h->request_len, &h->req,
                                      p->protocol[0] ? p->protocol : NULL, &n);
    if (!req) {
        br_side_detach(&p->cp, "out of memory", 503);
        return;
    }
    int fd = h->fd;
    h->fd = -1;             /* lws owns it from here, even on failure */
    p->h = NULL;
    br_handover_free(h);
    relay->adopting = &p->cp;
    struct lws *w = lws_adopt_socket_vhost_readbuf(relay->server_vhost, fd, req, n);
    relay->adopting = NULL;
    free(req);
    if (!w) {
        br_side_detach(&p->cp, "cannot adopt the charger's socket", 503);
        return;
    }
    if (p->cp.attached && !p->cp.wsi) {
        p->cp.wsi = w;
        lws_set_opaque_user_data(w, &p->cp);
    }
}

static void br_inbox_drain(br_relay_t *relay)
{
    for (;;) {
        pthread_mutex_lock(&relay->lock);
        br_handover_t *h = g_queue_pop_head(&relay->inbox);
        pthread_mutex_unlock(&relay->lock);
        if (!h)
            return;
        br_pair_connect(relay, h);
    }
}

/* The loop took frame copies: read their pairs again once it caught up. */
static void br_taken_drain(br_relay_t *relay)
{
    pthread_mutex_lock(&relay->lock);
    GArray *taken = relay->taken;
    if (!taken->len) {
        pthread_mutex_unlock(&relay->lock);
        return;
    }
    relay->taken = g_array_new(FALSE, FALSE, sizeof(br_taken_t));
    pthread_mutex_unlock(&relay->lock);
    for (guint i = 0; i < taken->len; i++) {
        br_taken_t *t = &g_array_index(taken, br_taken_t, i);
        br_pair_t *p = g_hash_table_lookup(relay->by_index, GINT_TO_POINTER(t->index));
        if (!p || p->conn != t->conn)
            continue; /* gone or replaced: nothing to resume */
        p->notes_held = p->notes_held > t->count ? p->notes_held - t->count : 0;
        if (p->notes_held > BR_NOTES_HELD_MAX / 2)
            continue;
        for (br_side_t *s = &p->cp; s; s = s == &p->cp ? &p->cs : NULL)
            if (s->loop_paused) {
                s->loop_paused = false;
                br_side_rx_update(s);
            }
    }
    g_array_free(taken, TRUE);
}

/* --------------------------------------------------------- lws callback */

static int br_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
                       size_t len)
{
    struct lws_vhost *vh = lws_get_vhost(wsi);
    br_relay_t *relay = vh ? lws_get_vhost_user(vh) : NULL;
    br_side_t *s;
    char buf[128];
    (void)user;
    if (!relay)
        return 0;

    switch (reason) {
    case LWS_CALLBACK_EVENT_WAIT_CANCELLED:
        br_inbox_drain(relay);
        br_taken_drain(relay);
        return 0;

    /* ---- upstream */
    case LWS_CALLBACK_CLIENT_APPEND_HANDSHAKE_HEADER:
        s = br_side_of(relay, wsi);
        if (s && s->pair->h && s->pair->h->auth &&
            gw_ws_client_append_auth(wsi, in, len, s->pair->h->auth) < 0)
            return -1;
        return 0;
    case LWS_CALLBACK_CLIENT_FILTER_PRE_ESTABLISH:
        s = br_side_of(relay, wsi);
        if (s && lws_hdr_copy(wsi, s->pair->protocol, sizeof s->pair->protocol,
                              WSI_TOKEN_PROTOCOL) <= 0)
            s->pair->protocol[0] = '\0';
        return 0;
    case LWS_CALLBACK_CLIENT_ESTABLISHED:
        s = br_side_of(relay, wsi);
        if (!s)
            return -1;
        s->open = true;
        if (s->pair->cp.attached && !s->close_code)
            br_pair_adopt(relay, s->pair);
        else
            br_side_close(s, LWS_CLOSE_STATUS_GOINGAWAY, "charger gone", 0, "");
        if (s->out_head || s->close_code)
            lws_callback_on_writable(wsi);
        return 0;
    case LWS_CALLBACK_CLIENT_CONNECTION_ERROR: {
        s = br_side_of(relay, wsi);
        if (!s)
            return 0;
        unsigned status = lws_http_client_http_response(wsi);
        snprintf(buf, sizeof buf, "upstream: %.*s", in ? (int)len : 12,
                 in ? (const char *)in : "unreachable");
        /* upstream's own refusal (401, 403, 404 ...) is the charger's
         * answer; anything else means it cannot be reached: 502 */
        br_side_detach(s, buf, status >= 400 && status < 500 ? (int)status : 502);
        return 0;
    }
    case LWS_CALLBACK_CLIENT_RECEIVE:
    case LWS_CALLBACK_RECEIVE:
        s = br_side_of(relay, wsi);
        return s ? br_side_receive(s, wsi, in, len) : -1;
    case LWS_CALLBACK_CLIENT_WRITEABLE:
    case LWS_CALLBACK_SERVER_WRITEABLE:
        s = br_side_of(relay, wsi);
        return s ? br_side_writeable(s, wsi) : -1;
    case LWS_CALLBACK_WS_PEER_INITIATED_CLOSE:
        s = br_side_of(relay, wsi);
        if (s) {
            s->peer_code = gw_ws_client_close_code(in, len);
            size_t rl = len > 2 ? len - 2 : 0;
            if (rl > BR_REASON_MAX)
                rl = BR_REASON_MAX;
            memcpy(s->peer_reason, (const char *)in + 2, rl);
            s->peer_reason_len = rl;
        }
        return 0;

    /* ---- charger */
    case LWS_CALLBACK_HTTP:
        /* a plain HTTP request on an adopted socket: not an upgrade */
        lws_return_http_status(wsi, HTTP_STATUS_BAD_REQUEST, NULL);
        return -1;
    case LWS_CALLBACK_ESTABLISHED:
        s = br_side_of(relay, wsi);
        if (!s)
            return -1;
        s->open = true;
        s->pair->reported_open = true;
        {
            br_note_t *n = br_note_new(relay, BR_NOTE_OPENED, s->pair);
            if (n) {
                lws_get_peer_simple(wsi, n->peer, sizeof n->peer);
                snprintf(n->info, sizeof n->info, "%s", s->pair->protocol);
            }
            br_note_post(n);
        }
        if (!s->pair->cs.attached && !s->close_code)
            br_side_close(s, LWS_CLOSE_STATUS_GOINGAWAY, "upstream gone", 502, "");
        if (s->out_head || s->close_code)
            lws_callback_on_writable(wsi);
        return 0;

    /* ---- either side is gone */
    case LWS_CALLBACK_CLOSED:
    case LWS_CALLBACK_CLIENT_CLOSED:
    case LWS_CALLBACK_CLOSED_HTTP:
    case LWS_CALLBACK_WSI_DESTROY:
        s = lws_get_opaque_user_data(wsi);
        if (s && s->wsi == wsi)
            br_side_detach(s, s->is_cs ? "upstream closed" : "charger closed", 502);
        return 0;
    default:
        return 0;
    }
}

/* ------------------------------------------------------------- lifecycle */

/* lws logs through a process-wide hook without a user pointer; this one
 * keeps errors and drops a debugging line lws 4.1.6 prints at error level
 * on every adopted socket. */
static void br_lws_emit(int level, const char *line)
{
    (void)level;
    if (strstr(line, "adopt_socket_readbuf"))
        return;
    fputs(line, stderr);
}

/* After each service pass, on the relay thread. While messages keep
 * arriving pass after pass (a loaded site), a few passes are gathered into
 * one write per side: fewer, fuller segments for the peers to read. With
 * nothing more ready the write goes at once, so an isolated CALL waits
 * only for one non-blocking poll. */
static gw_lws_pass_result_t br_relay_pass(void *arg)
{
    br_relay_t *relay = arg;
    if (!relay->went_away && atomic_load(&relay->going_away)) {
        /* A normal stop: both peers of every pair hear "going away" (1001)
         * rather than a dropped connection (1006). Replaced pairs are
         * closing already. */
        relay->went_away = true;
        GHashTableIter it;
        gpointer v;
        g_hash_table_iter_init(&it, relay->by_index);
        while (g_hash_table_iter_next(&it, NULL, &v)) {
            br_pair_t *p = v;
            br_side_close(&p->cp, LWS_CLOSE_STATUS_GOINGAWAY, "gateway stopping", 503,
                          "stopping");
            br_side_close(&p->cs, LWS_CLOSE_STATUS_GOINGAWAY, "gateway stopping", 503,
                          "stopping");
        }
    }
    if (relay->received && relay->gathered < BR_GATHER_PASSES) {
        relay->received = false;
        relay->gathered++;
        return GW_LWS_PASS_MORE;
    }
    relay->received = false;
    relay->gathered = 0;
    br_relay_sweep(relay);
    bool wrote = br_relay_flush(relay);
    br_relay_notes_post(relay);
    return wrote ? GW_LWS_PASS_MOVED : GW_LWS_PASS_IDLE;
}

br_relay_t *br_relay_start(bridge_t *br, gw_ctx_t *ctx, const br_relay_config_t *cfg,
                           const br_relay_events_t *events, char **error)
{
    br_relay_t *relay = calloc(1, sizeof *relay);
    size_t n = 0;
    if (!relay) {
        *error = g_strdup("out of memory");
        return NULL;
    }
    relay->br = br;
    relay->ctx = ctx;
    relay->ev = *events;
    relay->upstream = *cfg->upstream;
    relay->tls_verify = cfg->tls_verify;
    relay->max_message = cfg->max_message;
    relay->call_hold_ms = (int64_t)cfg->call_hold_s * 1000;
    relay->ca_file = cfg->ca_file && *cfg->ca_file ? strdup(cfg->ca_file) : NULL;
    relay->by_index = g_hash_table_new(g_direct_hash, g_direct_equal);
    pthread_mutex_init(&relay->lock, NULL);
    pthread_cond_init(&relay->probe_cond, NULL);
    g_queue_init(&relay->inbox);
    relay->taken = g_array_new(FALSE, FALSE, sizeof(br_taken_t));
    atomic_init(&relay->stopping, false);
    atomic_init(&relay->going_away, false);
    atomic_init(&relay->live_pairs, 0);
    atomic_init(&relay->want_all_frames, true);

    relay->retry.secs_since_valid_ping = (uint16_t)cfg->ping_interval_s;
    relay->retry.secs_since_valid_hangup = (uint16_t)(cfg->ping_interval_s * 2 + 10);

    /* The charger side agrees to the configured subprotocols, each an lws
     * protocol with the same handler (lws picks the name it answers). */
    while (cfg->subprotocols && cfg->subprotocols[n])
        n++;
    relay->server_protocols = calloc(n + 2, sizeof *relay->server_protocols);
    if (!relay->server_protocols) {
        *error = g_strdup("out of memory");
        br_relay_free(relay);
        return NULL;
    }
    for (size_t i = 0; i < n; i++) {
        relay->server_protocols[i].name = cfg->subprotocols[i];
        relay->server_protocols[i].callback = br_callback;
        relay->server_protocols[i].rx_buffer_size = 16384;
    }
    if (n == 0) {
        relay->server_protocols[0].name = "ocpp1.6";
        relay->server_protocols[0].callback = br_callback;
    }
    relay->client_protocols[0].name = BR_UPSTREAM_PROTOCOL;
    relay->client_protocols[0].callback = br_callback;
    relay->client_protocols[0].rx_buffer_size = 16384;

    struct lws_context_creation_info info;
    lws_set_log_level(LLL_ERR, br_lws_emit);
    memset(&info, 0, sizeof info);
    info.options = LWS_SERVER_OPTION_EXPLICIT_VHOSTS | LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT;
    info.count_threads = 1;
    info.timeout_secs = cfg->connect_timeout_s;
    info.connect_timeout_secs = cfg->connect_timeout_s;
    relay->loop = gw_lws_loop_new(ctx, &info);
    relay->context = gw_lws_loop_context(relay->loop);
    if (!relay->context) {
        *error = g_strdup("cannot create the libwebsockets context");
        br_relay_free(relay);
        return NULL;
    }

    memset(&info, 0, sizeof info);
    info.vhost_name = "chargers";
    info.port = CONTEXT_PORT_NO_LISTEN_SERVER;
    info.protocols = relay->server_protocols;
    info.user = relay;
    info.options = LWS_SERVER_OPTION_VALIDATE_UTF8;
    if (relay->retry.secs_since_valid_ping)
        info.retry_and_idle_policy = &relay->retry;
    relay->server_vhost = lws_create_vhost(relay->context, &info);

    memset(&info, 0, sizeof info);
    info.vhost_name = "upstream";
    info.port = CONTEXT_PORT_NO_LISTEN;
    info.protocols = relay->client_protocols;
    info.user = relay;
    info.options = LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT;
    info.client_ssl_ca_filepath = relay->ca_file;
    relay->client_vhost = lws_create_vhost(relay->context, &info);
    if (!relay->server_vhost || !relay->client_vhost) {
        *error = g_strdup_printf("cannot create the relay's vhosts%s",
                                 relay->ca_file ? " (is ca_file readable?)" : "");
        br_relay_free(relay);
        return NULL;
    }
    if (gw_lws_loop_start(relay->loop, br_relay_pass, relay, cfg->busy_poll_us) < 0) {
        *error = g_strdup("cannot start the relay thread");
        br_relay_free(relay);
        return NULL;
    }
    return relay;
}

int br_relay_submit(br_relay_t *relay, br_handover_t *h)
{
    if (!relay || atomic_load(&relay->stopping)) {
        if (h->fd >= 0)
            br_http_refuse(h->fd, 503);
        br_handover_free(h);
        return -ESHUTDOWN;
    }
    pthread_mutex_lock(&relay->lock);
    g_queue_push_tail(&relay->inbox, h);
    pthread_mutex_unlock(&relay->lock);
    lws_cancel_service(relay->context);
    return 0;
}

int br_relay_probe(br_relay_t *relay, br_handover_t *h, unsigned timeout_s, char *why,
                   size_t why_len)
{
    struct timespec until;
    int rc = 0;
    h->fd = -1;
    pthread_mutex_lock(&relay->lock);
    relay->probe_status = 0;
    pthread_mutex_unlock(&relay->lock);
    if (br_relay_submit(relay, h) < 0) {
        snprintf(why, why_len, "the relay is stopping");
        return 503;
    }
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += timeout_s;
    pthread_mutex_lock(&relay->lock);
    while (!relay->probe_status && rc == 0)
        rc = pthread_cond_timedwait(&relay->probe_cond, &relay->lock, &until);
    int status = relay->probe_status ? relay->probe_status : 504;
    snprintf(why, why_len, "%s", relay->probe_status ? relay->probe_why : "no answer in time");
    pthread_mutex_unlock(&relay->lock);
    return status;
}

void br_relay_stop(br_relay_t *relay)
{
    if (!relay)
        return;
    if (!atomic_exchange(&relay->stopping, true) && relay->context) {
        /* The relay thread sends the close frames (br_relay_pass); wait,
         * bounded, for the pairs to finish closing: a peer that does not
         * read or answer must not hold the stop. */
        atomic_store(&relay->going_away, true);
        lws_cancel_service(relay->context);
        for (int ms = 0; ms < BR_STOP_GRACE_MS && atomic_load(&relay->live_pairs) > 0; ms += 10)
            g_usleep(10000);
    }
    gw_lws_loop_stop(relay->loop);
}

void br_relay_free(br_relay_t *relay)
{
    if (!relay)
        return;
    br_relay_stop(relay);
    /* Destroying the context closes every connection; their callbacks run
     * here, on the calling thread, now that the relay thread is gone. */
    gw_lws_loop_free(relay->loop);
    relay->context = NULL;
    br_relay_notes_post(relay);
    br_handover_t *h;
    while ((h = g_queue_pop_head(&relay->inbox)))
        br_handover_free(h);
    if (relay->by_index)
        g_hash_table_destroy(relay->by_index);
    if (relay->taken)
        g_array_free(relay->taken, TRUE);
    pthread_mutex_destroy(&relay->lock);
    pthread_cond_destroy(&relay->probe_cond);
    free(relay->server_protocols);
    free(relay->ca_file);
    free(relay->tx);
    free(relay);
}
