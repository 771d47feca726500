/*
 * ocpp_ws.c - libwebsockets server on its own service thread; see
 * ocpp_ws.h for the threading contract.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <glib.h>
#include <libwebsockets.h>
#include "lws_loop.h"
#include "ocpp_ws.h"

#define WS_URI_MAX 512
#define WS_ID_MAX 128
#define WS_PEER_MAX 64

/* A command from the loop, and then an entry of a session's output queue:
 * the text sits after LWS_PRE bytes of headroom so lws_write needs no copy. */
typedef struct ws_cmd {
    struct ws_cmd *next;
    enum { WS_CMD_SEND, WS_CMD_CLOSE, WS_CMD_TAKEN } kind;
    uint32_t conn;
    int close_code;
    size_t len;
    unsigned char buf[];          /* LWS_PRE + len */
} ws_cmd_t;

/* What may wait for one peer before it counts as not reading. */
#define WS_OUT_LIMIT(ws) (4 * (ws)->max_message + 65536)
/* A peer marked "not reading, closing" cannot be sent a close frame (its
 * window is shut): lws drops it after this many seconds whatever it does. */
#define WS_CLOSE_GRACE_S 2

/* Per connection, owned by lws (per-session user space). */
typedef struct ws_session {
    struct lws *wsi;
    uint32_t conn;
    int index;
    bool open;
    int close_code;               /* != 0: close on the next WRITEABLE */
    unsigned rx_held;             /* messages posted that the loop has not taken */
    ws_cmd_t *out_head, *out_tail;
    size_t out_bytes;             /* queued for this peer, bounded */
    char *rx;                     /* message being reassembled */
    size_t rx_len, rx_cap;
} ws_session_t;

struct gw_ocpp_ws {
    gw_ctx_t *ctx;
    gw_ocpp_ws_handlers_t handlers;
    void *user;
    char *prefix;                 /* "/ocpp/" or "/" */
    char *subprotocol;
    size_t max_message;
    struct lws_protocols protocols[2];
    lws_retry_bo_t retry;
    gw_lws_loop_t *loop;          /* the context and its service thread */
    struct lws_context *context;
    int port;

    pthread_mutex_t lock;         /* guards inbox */
    ws_cmd_t *inbox_head, *inbox_tail;

    /* service thread only */
    GHashTable *sessions;         /* conn -> ws_session_t* */
    uint32_t next_conn;
    atomic_int open_sessions;     /* written there, read by stop() */
};

/* How long stop() waits for the going-away close frames to be written and
 * answered before it tears down whatever is left (a peer that does not
 * read must not hold the daemon's exit). */
#define WS_STOP_GRACE_MS 1000

/* ---------------------------------------------------------- to the loop */

typedef struct ws_event {
    gw_ocpp_ws_t *ws;
    enum { WS_EV_OPENED, WS_EV_MESSAGE, WS_EV_CLOSED, WS_EV_REFUSED } kind;
    uint32_t conn;
    int index;
    char *text;
    size_t len;
    char id[WS_ID_MAX];
    char peer[WS_PEER_MAX];
    gw_ocpp_refusal_t reason;     /* WS_EV_REFUSED */
    char detail[WS_ID_MAX];       /* WS_EV_REFUSED: subprotocols offered */
} ws_event_t;

static void ws_taken(gw_ocpp_ws_t *ws, uint32_t conn);

static void ws_event_run(gw_ctx_t *ctx, void *arg)
{
    ws_event_t *ev = arg;
    const gw_ocpp_ws_handlers_t *h = &ev->ws->handlers;
    (void)ctx;
    switch (ev->kind) {
    case WS_EV_OPENED:
        if (h->opened)
            h->opened(ev->ws->user, ev->conn, ev->index, ev->peer);
        break;
    case WS_EV_MESSAGE:
        if (h->message) {
            h->message(ev->ws->user, ev->conn, ev->index, ev->text, ev->len);
            ev->text = NULL; /* the handler owns it */
        }
        ws_taken(ev->ws, ev->conn);
        break;
    case WS_EV_CLOSED:
        if (h->closed)
            h->closed(ev->ws->user, ev->conn, ev->index);
        break;
    case WS_EV_REFUSED:
        if (h->refused)
            h->refused(ev->ws->user, ev->reason, ev->id, ev->detail[0] ? ev->detail : NULL,
                       ev->peer);
        break;
    }
    free(ev->text);
    free(ev);
}

static void ws_event_post(gw_ocpp_ws_t *ws, ws_event_t *ev)
{
    ev->ws = ws;
    int rc = gw_post(ws->ctx, ws_event_run, ev);
    if (rc < 0) {
        gw_log(ws->ctx, GW_LOG_ERROR, "ocpp ws: cannot hand an event to the loop: %s",
               strerror(-rc));
        free(ev->text);
        free(ev);
    }
}

/* ---------------------------------------------------- service thread side */

/* "/prefix/CP 01" -> "CP 01"; false when the path is not ours. lws has
 * already percent-decoded the path and moved the query to URI_ARGS
 * (lib/roles/http/parsers.c): decoding again would let "CP%2530" in as
 * "CP0" and cut "CP0%3Fx" to "CP0". */
static bool ws_charger_id_from_uri(gw_ocpp_ws_t *ws, struct lws *wsi, char *id, size_t len)
{
    char uri[WS_URI_MAX];
    int n = lws_hdr_copy(wsi, uri, sizeof uri, WSI_TOKEN_GET_URI);
    size_t plen = strlen(ws->prefix);
    if (n <= 0 || (size_t)n <= plen || strncmp(uri, ws->prefix, plen) != 0 ||
        (size_t)n - plen >= len)
        return false;
    for (size_t i = plen; i < (size_t)n; i++) {
        unsigned char c = (unsigned char)uri[i];
        /* "CP%00x" must not be looked up as "CP": no NUL or control bytes */
        if (c == '/' || c < 0x20 || c == 0x7f)
            return false;
    }
    memcpy(id, uri + plen, (size_t)n - plen);
    id[(size_t)n - plen] = '\0';
    return true;
}

/* `offered` gets the header as sent ("" when there is none), for the log. */
static bool ws_offers_subprotocol(gw_ocpp_ws_t *ws, struct lws *wsi, char *offered, size_t len)
{
    char list[256];
    offered[0] = '\0';
    if (lws_hdr_copy(wsi, list, sizeof list, WSI_TOKEN_PROTOCOL) <= 0)
        return false;
    snprintf(offered, len, "offered %.110s", list);
    for (char *save = NULL, *tok = strtok_r(list, ", ", &save); tok;
         tok = strtok_r(NULL, ", ", &save))
        if (strcmp(tok, ws->subprotocol) == 0)
            return true;
    return false;
}

/* Hand the refusal to the loop (log, scan list) and answer the charger. */
static int ws_refuse(gw_ocpp_ws_t *ws, struct lws *wsi, gw_ocpp_refusal_t reason,
                     const char *what, const char *detail)
{
    ws_event_t *ev = calloc(1, sizeof *ev);
    if (ev) {
        ev->kind = WS_EV_REFUSED;
        ev->reason = reason;
        snprintf(ev->id, sizeof ev->id, "%s", what);
        snprintf(ev->detail, sizeof ev->detail, "%s",
                 detail && *detail ? detail : reason == GW_OCPP_REFUSED_SUBPROTOCOL
                                                  ? "no subprotocol offered" : "");
        lws_get_peer_simple(wsi, ev->peer, sizeof ev->peer);
        ws_event_post(ws, ev);
    }
    lws_return_http_status(wsi, (unsigned)gw_ocpp_refusal_status(reason), NULL);
    return 1;
}

/* Path, then subprotocol, then the id: a configured and an unknown id get
 * the same answer unless everything else is right. */
static int ws_confirm_upgrade(gw_ocpp_ws_t *ws, struct lws *wsi)
{
    char id[WS_ID_MAX], offered[WS_ID_MAX];
    if (!ws_charger_id_from_uri(ws, wsi, id, sizeof id)) {
        char uri[WS_URI_MAX] = "";
        if (lws_hdr_copy(wsi, uri, sizeof uri, WSI_TOKEN_GET_URI) < 0)
            uri[0] = '\0';
        return ws_refuse(ws, wsi, GW_OCPP_REFUSED_PATH, uri, NULL);
    }
    if (!ws_offers_subprotocol(ws, wsi, offered, sizeof offered))
        return ws_refuse(ws, wsi, GW_OCPP_REFUSED_SUBPROTOCOL, id, offered);
    if (ws->handlers.lookup(ws->user, id) < 0)
        return ws_refuse(ws, wsi, GW_OCPP_REFUSED_UNKNOWN_ID, id, NULL);
    return 0;
}

static void ws_session_established(gw_ocpp_ws_t *ws, struct lws *wsi, ws_session_t *s)
{
    char id[WS_ID_MAX];
    memset(s, 0, sizeof *s);
    s->wsi = wsi;
    s->index = -1;
    if (ws_charger_id_from_uri(ws, wsi, id, sizeof id))
        s->index = ws->handlers.lookup(ws->user, id);
    if (s->index < 0) { /* cannot happen after confirm_upgrade, but never trust */
        s->close_code = LWS_CLOSE_STATUS_POLICY_VIOLATION;
        lws_callback_on_writable(wsi);
        return;
    }
    s->conn = ++ws->next_conn ? ws->next_conn : ++ws->next_conn;
    s->open = true;
    g_hash_table_insert(ws->sessions, GUINT_TO_POINTER(s->conn), s);
    atomic_fetch_add(&ws->open_sessions, 1);
    ws_event_t *ev = calloc(1, sizeof *ev);
    if (!ev)
        return;
    ev->kind = WS_EV_OPENED;
    ev->conn = s->conn;
    ev->index = s->index;
    lws_get_peer_simple(wsi, ev->peer, sizeof ev->peer);
    ws_event_post(ws, ev);
}

static int ws_session_receive(gw_ocpp_ws_t *ws, struct lws *wsi, ws_session_t *s,
                              const void *in, size_t len)
{
    if (!s->open)
        return -1;
    if (lws_frame_is_binary(wsi)) {
        lws_close_reason(wsi, LWS_CLOSE_STATUS_UNACCEPTABLE_OPCODE,
                         (unsigned char *)"OCPP-J is text", 14);
        return -1;
    }
    if (s->rx_len + len > ws->max_message) {
        lws_close_reason(wsi, LWS_CLOSE_STATUS_MESSAGE_TOO_LARGE,
                         (unsigned char *)"message too big", 15);
        return -1;
    }
    if (s->rx_len + len + 1 > s->rx_cap) {
        size_t cap = s->rx_cap ? s->rx_cap : 1024;
        while (cap < s->rx_len + len + 1)
            cap *= 2;
        char *n = realloc(s->rx, cap);
        if (!n)
            return -1;
        s->rx = n;
        s->rx_cap = cap;
    }
    memcpy(s->rx + s->rx_len, in, len);
    s->rx_len += len;
    if (!lws_is_final_fragment(wsi) || lws_remaining_packet_payload(wsi) > 0)
        return 0;
    ws_event_t *ev = calloc(1, sizeof *ev);
    if (!ev)
        return -1;
    s->rx[s->rx_len] = '\0';
    ev->kind = WS_EV_MESSAGE;
    ev->conn = s->conn;
    ev->index = s->index;
    ev->text = s->rx;
    ev->len = s->rx_len;
    /* Hand the buffer over; small idle connections keep no rx memory. */
    s->rx = NULL;
    s->rx_len = s->rx_cap = 0;
    /* Back-pressure: read nothing more from this peer until the loop has
     * taken this message (OCPP 1.6 4.1.1: one CALL at a time per charger).
     * A flood then waits in the peer's socket, not in our memory. */
    if (s->rx_held++ == 0)
        lws_rx_flow_control(wsi, 0);
    ws_event_post(ws, ev);
    return 0;
}

static int ws_session_writeable(ws_session_t *s)
{
    if (s->close_code) {
        lws_close_reason(s->wsi, (enum lws_close_status)s->close_code, NULL, 0);
        return -1;
    }
    ws_cmd_t *c = s->out_head;
    if (!c)
        return 0;
    s->out_head = c->next;
    if (!s->out_head)
        s->out_tail = NULL;
    s->out_bytes -= c->len;
    int n = lws_write(s->wsi, c->buf + LWS_PRE, c->len, LWS_WRITE_TEXT);
    free(c);
    if (n < 0)
        return -1;
    if (s->out_head)
        lws_callback_on_writable(s->wsi);
    return 0;
}

static void ws_session_closed(gw_ocpp_ws_t *ws, ws_session_t *s)
{
    free(s->rx);
    s->rx = NULL;
    while (s->out_head) {
        ws_cmd_t *c = s->out_head;
        s->out_head = c->next;
        free(c);
    }
    s->out_tail = NULL;
    s->out_bytes = 0;
    if (!s->open)
        return;
    s->open = false;
    g_hash_table_remove(ws->sessions, GUINT_TO_POINTER(s->conn));
    atomic_fetch_sub(&ws->open_sessions, 1);
    ws_event_t *ev = calloc(1, sizeof *ev);
    if (!ev)
        return;
    ev->kind = WS_EV_CLOSED;
    ev->conn = s->conn;
    ev->index = s->index;
    ws_event_post(ws, ev);
}

/* Close after what is queued, with a close frame if the peer lets us
 * write one; a peer that does not read is dropped after the grace time
 * (lws closes the socket itself on the timeout). Reading stays under the
 * per-message flow control, so the peer's close answer can still come in. */
static void ws_session_close(ws_session_t *s, int code)
{
    if (s->close_code)
        return;
    s->close_code = code;
    lws_set_timeout(s->wsi, PENDING_TIMEOUT_CLOSE_SEND, WS_CLOSE_GRACE_S);
    lws_callback_on_writable(s->wsi);
}

/* Move the loop's commands to their sessions and ask for WRITEABLE. */
static void ws_inbox_drain(gw_ocpp_ws_t *ws)
{
    pthread_mutex_lock(&ws->lock);
    ws_cmd_t *c = ws->inbox_head;
    ws->inbox_head = ws->inbox_tail = NULL;
    pthread_mutex_unlock(&ws->lock);
    while (c) {
        ws_cmd_t *next = c->next;
        if (c->kind == WS_CMD_CLOSE && c->conn == 0) {
            /* stop(): every session goes away (1001) */
            GHashTableIter it;
            gpointer v;
            g_hash_table_iter_init(&it, ws->sessions);
            while (g_hash_table_iter_next(&it, NULL, &v))
                ws_session_close(v, c->close_code);
            free(c);
            c = next;
            continue;
        }
        ws_session_t *s = g_hash_table_lookup(ws->sessions, GUINT_TO_POINTER(c->conn));
        c->next = NULL;
        if (!s) {
            free(c);
        } else if (c->kind == WS_CMD_TAKEN) {
            if (s->rx_held && --s->rx_held == 0)
                lws_rx_flow_control(s->wsi, 1);
            free(c);
        } else if (c->kind == WS_CMD_CLOSE) {
            ws_session_close(s, c->close_code);
            free(c);
        } else if (s->out_bytes + c->len > WS_OUT_LIMIT(ws)) {
            /* A peer that sends but never reads would grow this without
             * end: close it (1008, policy violation) instead. */
            if (!s->close_code)
                gw_log(ws->ctx, GW_LOG_WARNING,
                       "connection %u: the peer does not read its answers (%zu bytes waiting), "
                       "closing", s->conn, s->out_bytes);
            ws_session_close(s, LWS_CLOSE_STATUS_POLICY_VIOLATION);
            free(c);
        } else {
            if (s->out_tail)
                s->out_tail->next = c;
            else
                s->out_head = c;
            s->out_tail = c;
            s->out_bytes += c->len;
            lws_callback_on_writable(s->wsi);
        }
        c = next;
    }
}

static int ws_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
                       size_t len)
{
    struct lws_context *context = lws_get_context(wsi);
    gw_ocpp_ws_t *ws = context ? lws_context_user(context) : NULL;
    ws_session_t *s = user;
    if (!ws)
        return 0;
    switch (reason) {
    case LWS_CALLBACK_HTTP_CONFIRM_UPGRADE:
        if (!in || strcmp(in, "websocket") != 0) {
            lws_return_http_status(wsi, HTTP_STATUS_BAD_REQUEST, NULL);
            return 1;
        }
        return ws_confirm_upgrade(ws, wsi);
    case LWS_CALLBACK_HTTP:
        /* Plain HTTP requests: only WebSocket upgrades live here. */
        lws_return_http_status(wsi, HTTP_STATUS_NOT_FOUND, NULL);
        return -1;
    case LWS_CALLBACK_ESTABLISHED:
        ws_session_established(ws, wsi, s);
        return 0;
    case LWS_CALLBACK_RECEIVE:
        return ws_session_receive(ws, wsi, s, in, len);
    case LWS_CALLBACK_SERVER_WRITEABLE:
        return ws_session_writeable(s);
    case LWS_CALLBACK_CLOSED:
        ws_session_closed(ws, s);
        return 0;
    case LWS_CALLBACK_EVENT_WAIT_CANCELLED:
        ws_inbox_drain(ws);
        return 0;
    default:
        return 0;
    }
}

/* --------------------------------------------------------------- loop side */

static int ws_enqueue(gw_ocpp_ws_t *ws, ws_cmd_t *c)
{
    pthread_mutex_lock(&ws->lock);
    /* one wake-up per batch: a non-empty inbox has already woken the thread */
    bool wake = !ws->inbox_head;
    if (ws->inbox_tail)
        ws->inbox_tail->next = c;
    else
        ws->inbox_head = c;
    ws->inbox_tail = c;
    pthread_mutex_unlock(&ws->lock);
    if (wake)
        lws_cancel_service(ws->context);
    return 0;
}

/* Loop: a message of conn was handled; its peer may be read again. */
static void ws_taken(gw_ocpp_ws_t *ws, uint32_t conn)
{
    if (!ws->context)
        return;
    ws_cmd_t *c = calloc(1, sizeof *c);
    if (!c)
        return; /* the peer stays paused; its ping timeout or the charger ends it */
    c->kind = WS_CMD_TAKEN;
    c->conn = conn;
    ws_enqueue(ws, c);
}

int gw_ocpp_ws_send(gw_ocpp_ws_t *ws, uint32_t conn, const char *text, size_t len)
{
    if (!ws || !ws->context || conn == 0)
        return -ENOENT;
    ws_cmd_t *c = malloc(sizeof *c + LWS_PRE + len);
    if (!c)
        return -ENOMEM;
    c->next = NULL;
    c->kind = WS_CMD_SEND;
    c->conn = conn;
    c->close_code = 0;
    c->len = len;
    memcpy(c->buf + LWS_PRE, text, len);
    return ws_enqueue(ws, c);
}

int gw_ocpp_ws_close(gw_ocpp_ws_t *ws, uint32_t conn, int close_code)
{
    if (!ws || !ws->context || conn == 0)
        return -ENOENT;
    ws_cmd_t *c = calloc(1, sizeof *c);
    if (!c)
        return -ENOMEM;
    c->kind = WS_CMD_CLOSE;
    c->conn = conn;
    c->close_code = close_code ? close_code : LWS_CLOSE_STATUS_NORMAL;
    return ws_enqueue(ws, c);
}

int gw_ocpp_ws_port(const gw_ocpp_ws_t *ws)
{
    return ws ? ws->port : -1;
}


gw_ocpp_ws_t *gw_ocpp_ws_start(gw_ctx_t *ctx, const gw_ocpp_ws_config_t *cfg,
                               const gw_ocpp_ws_handlers_t *handlers, void *user, char **error)
{
    gw_ocpp_ws_t *ws = calloc(1, sizeof *ws);
    if (!ws) {
        *error = g_strdup("out of memory");
        return NULL;
    }
    ws->ctx = ctx;
    ws->handlers = *handlers;
    ws->user = user;
    ws->max_message = cfg->max_message ? cfg->max_message : 65536;
    const char *pre = cfg->path_prefix ? cfg->path_prefix : "";
    while (*pre == '/')
        pre++;
    ws->prefix = *pre ? g_strdup_printf("/%s%s", pre, pre[strlen(pre) - 1] == '/' ? "" : "/")
                      : g_strdup("/");
    ws->subprotocol = g_strdup(cfg->subprotocol ? cfg->subprotocol : "ocpp1.6");
    pthread_mutex_init(&ws->lock, NULL);
    ws->sessions = g_hash_table_new(g_direct_hash, g_direct_equal);

    ws->protocols[0].name = ws->subprotocol;
    ws->protocols[0].callback = ws_callback;
    ws->protocols[0].per_session_data_size = sizeof(ws_session_t);
    ws->protocols[0].rx_buffer_size = 4096;
    ws->retry.secs_since_valid_ping = (uint16_t)cfg->ping_interval_s;
    ws->retry.secs_since_valid_hangup =
        (uint16_t)(cfg->ping_interval_s ? cfg->ping_interval_s * 2 + 5 : 0);

    /* lws logs through its own global sink; keep it to errors. */
    lws_set_log_level(LLL_ERR, NULL);
    struct lws_context_creation_info info;
    memset(&info, 0, sizeof info);
    info.port = cfg->port;
    info.iface = cfg->bind_address && *cfg->bind_address ? cfg->bind_address : NULL;
    info.protocols = ws->protocols;
    info.user = ws;
    info.count_threads = 1;
    info.options = LWS_SERVER_OPTION_VALIDATE_UTF8;
    if (info.iface && strchr(info.iface, '.'))
        info.options |= LWS_SERVER_OPTION_DISABLE_IPV6;
    if (cfg->ping_interval_s)
        info.retry_and_idle_policy = &ws->retry;
    info.timeout_secs = 10; /* handshakes that stall */
    ws->loop = gw_lws_loop_new(ctx, &info);
    ws->context = gw_lws_loop_context(ws->loop);
    if (!ws->context) {
        *error = g_strdup_printf("cannot listen on %s port %d", info.iface ? info.iface : "*",
                                 cfg->port);
        gw_ocpp_ws_free(ws);
        return NULL;
    }
    struct lws_vhost *vh = lws_get_vhost_by_name(ws->context, "default");
    ws->port = vh ? lws_get_vhost_listen_port(vh) : cfg->port;
    if (gw_lws_loop_start(ws->loop, NULL, NULL, 0) < 0) {
        *error = g_strdup("cannot start the WebSocket service thread");
        gw_ocpp_ws_free(ws);
        return NULL;
    }
    return ws;
}

void gw_ocpp_ws_stop(gw_ocpp_ws_t *ws)
{
    if (!ws || !ws->context)
        return;
    /* Say "going away" (1001) to every peer rather than just dropping it
     * (1006): the service thread writes the close frames; wait, bounded,
     * until the peers have answered them or the time is up. */
    ws_cmd_t *c = calloc(1, sizeof *c);
    if (c) {
        c->kind = WS_CMD_CLOSE;
        c->conn = 0; /* every session */
        c->close_code = LWS_CLOSE_STATUS_GOINGAWAY;
        ws_enqueue(ws, c);
        for (int ms = 0; ms < WS_STOP_GRACE_MS && atomic_load(&ws->open_sessions) > 0; ms += 10)
            g_usleep(10000);
    }
    /* Runs the CLOSED callbacks of sessions still open here, after the join. */
    gw_lws_loop_free(ws->loop);
    ws->loop = NULL;
    ws->context = NULL;
}

void gw_ocpp_ws_free(gw_ocpp_ws_t *ws)
{
    if (!ws)
        return;
    gw_ocpp_ws_stop(ws);
    while (ws->inbox_head) {
        ws_cmd_t *c = ws->inbox_head;
        ws->inbox_head = c->next;
        free(c);
    }
    g_hash_table_destroy(ws->sessions);
    pthread_mutex_destroy(&ws->lock);
    g_free(ws->prefix);
    g_free(ws->subprotocol);
    free(ws);
}
