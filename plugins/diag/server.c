/*
 * server.c - libwebsockets on its own service thread: static assets,
 * HTTP requests handed to the loop, and the viewers' WebSocket.
 *
 * Debian's lws 4.1.6 cannot join the libevent loop (DESIGN §6), so the
 * sockets live on this thread and only requests and answers cross over.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <libwebsockets.h>
#include "asset.h"
#include "auth.h"
#include "diag.h"
#include "origin.h"
#include "stream.h"

#define GW_DIAG_STREAM_PATH "/api/v1/stream"
#define GW_DIAG_CHUNK 16384

/* How often each connection is looked at for a peer that does not read,
 * and how long a viewer closed for it has to take the close frame before
 * its socket is dropped. */
#define GW_DIAG_SLOW_CHECK_US (500 * 1000)
#define GW_DIAG_CLOSE_GRACE_S 2

/* One connection. HTTP fields are reset after every answered request
 * (keep-alive reuses them); `box` is set once the socket is a viewer. */
typedef struct gw_diag_session {
    uint64_t req_id;             /* waiting for the loop's answer */
    gw_diag_request_t *req;      /* being received (PUT body) */
    gw_diag_request_t *answer;   /* being sent */
    size_t sent;
    bool headers_sent;
    bool head;
    bool close_after;            /* body left unread: do not keep alive */
    bool closing;                /* closed for not reading: send nothing more */
    bool going_away;             /* the daemon stops: close with 1001 */
    gint64 progress_us;          /* last time the peer took data or had none waiting */
    gw_diag_outbox_t *box;
} gw_diag_session_t;

static gw_diag_t *gw_diag_server_of(struct lws *wsi)
{
    return lws_context_user(lws_get_context(wsi));
}

static void gw_diag_session_reset(gw_diag_t *diag, gw_diag_session_t *ss)
{
    if (ss->req_id)
        g_hash_table_remove(diag->sessions, &ss->req_id);
    ss->req_id = 0;
    gw_diag_request_free(ss->req);
    ss->req = NULL;
    gw_diag_request_free(ss->answer);
    ss->answer = NULL;
    ss->sent = 0;
    ss->headers_sent = false;
}

/* Answer from this thread (static files, early errors). */
static void gw_diag_server_answer(struct lws *wsi, gw_diag_session_t *ss, gw_diag_request_t *req)
{
    ss->progress_us = g_get_monotonic_time(); /* the wait for the peer starts */
    gw_diag_request_free(ss->answer);
    ss->answer = req;
    lws_callback_on_writable(wsi);
}

static void gw_diag_server_fail(gw_diag_t *diag, struct lws *wsi, gw_diag_session_t *ss,
                                int status, const char *code, const char *message)
{
    gw_diag_request_t *req = gw_diag_request_new(diag);
    gw_diag_request_fail(req, status, code, message);
    gw_diag_server_answer(wsi, ss, req);
}

/* ------------------------------------------------------------ to the loop */

void gw_diag_server_answered(gw_diag_request_t *req)
{
    gw_diag_t *diag = req->diag;
    pthread_mutex_lock(&diag->lock);
    if (diag->lws) {
        g_queue_push_tail(&diag->answers, req);
        lws_cancel_service(diag->lws);
        req = NULL;
    }
    pthread_mutex_unlock(&diag->lock);
    gw_diag_request_free(req);
}

static void gw_diag_server_run(gw_ctx_t *ctx, void *arg)
{
    gw_diag_request_t *req = arg;
    if (gw_diag_api_handle(req->diag, req))
        gw_diag_server_answered(req);
}

static void gw_diag_server_submit(gw_diag_t *diag, struct lws *wsi, gw_diag_session_t *ss)
{
    gw_diag_request_t *req = ss->req;
    ss->req = NULL;
    req->id = ++diag->next_request_id;
    ss->req_id = req->id;
    g_hash_table_insert(diag->sessions, &ss->req_id, wsi);
    if (gw_post(diag->ctx, gw_diag_server_run, req) < 0) {
        g_hash_table_remove(diag->sessions, &ss->req_id);
        ss->req_id = 0;
        gw_diag_request_free(req);
        gw_diag_server_fail(diag, wsi, ss, 503, "unavailable", "the daemon is stopping");
    }
}

/* The loop answered: hand each answer to its connection, if still there. */
static void gw_diag_server_collect(gw_diag_t *diag)
{
    GQueue done = G_QUEUE_INIT;
    pthread_mutex_lock(&diag->lock);
    while (diag->answers.length)
        g_queue_push_tail(&done, g_queue_pop_head(&diag->answers));
    pthread_mutex_unlock(&diag->lock);
    gw_diag_request_t *req;
    while ((req = g_queue_pop_head(&done))) {
        struct lws *wsi = g_hash_table_lookup(diag->sessions, &req->id);
        gw_diag_session_t *ss = wsi ? lws_wsi_user(wsi) : NULL;
        if (!ss || ss->req_id != req->id) {
            gw_diag_request_free(req);  /* the client left */
            continue;
        }
        g_hash_table_remove(diag->sessions, &ss->req_id);
        ss->req_id = 0;
        gw_diag_server_answer(wsi, ss, req);
    }
}

void gw_diag_server_wake(gw_diag_t *diag)
{
    pthread_mutex_lock(&diag->lock);
    if (diag->lws)
        lws_cancel_service(diag->lws);
    pthread_mutex_unlock(&diag->lock);
}

/* ------------------------------------------------------------ limits */

/* Count the connection against max_clients; false when full. Every socket
 * costs an fd and its buffers: past the cap, peers get 503 instead. A set
 * of connections, not a flag in the session: lws frees the session data
 * between the requests of a keep-alive connection. */
static bool gw_diag_client_full(gw_diag_t *diag, struct lws *wsi)
{
    if (g_hash_table_contains(diag->clients, wsi) ||
        g_hash_table_size(diag->clients) < diag->max_clients)
        return false;
    g_atomic_int_inc(&diag->clients_refused);
    return true;
}

static bool gw_diag_client_take(gw_diag_t *diag, struct lws *wsi)
{
    if (gw_diag_client_full(diag, wsi))
        return false;
    g_hash_table_add(diag->clients, wsi);
    return true;
}

/* A peer that leaves what it was sent unread (a full socket, or messages
 * waiting in a viewer's outbox) keeps its connection and buffers for ever:
 * after slow_client_timeout without taking anything it is closed. A viewer
 * gets a close frame (1008) if its socket still takes one, else is dropped
 * GW_DIAG_CLOSE_GRACE_S later; an HTTP answer has no such frame: dropped. */
static int gw_diag_server_check(gw_diag_t *diag, struct lws *wsi, gw_diag_session_t *ss)
{
    if (ss->closing)
        return 0;
    gint64 now = g_get_monotonic_time();
    if (!ss->progress_us)
        ss->progress_us = now; /* a new session on a kept-alive connection */
    bool waiting = lws_send_pipe_choked(wsi) || ss->answer ||
                   (ss->box && gw_diag_stream_pending(diag->stream, ss->box));
    if (!waiting || now - ss->progress_us <= diag->slow_timeout_us) {
        if (!waiting)
            ss->progress_us = now;
        lws_set_timer_usecs(wsi, GW_DIAG_SLOW_CHECK_US);
        return 0;
    }
    char peer[64] = "";
    lws_get_peer_simple(wsi, peer, sizeof peer);
    gw_log(diag->ctx, GW_LOG_WARNING, "%s %s does not read for %lld s, closing",
           ss->box ? "viewer" : "HTTP client", peer,
           (long long)(diag->slow_timeout_us / G_USEC_PER_SEC));
    g_atomic_int_inc(ss->box ? &diag->slow_closed_viewer : &diag->slow_closed_http);
    ss->closing = true;
    if (ss->box) {
        lws_set_timeout(wsi, PENDING_TIMEOUT_CLOSE_SEND, GW_DIAG_CLOSE_GRACE_S);
        lws_callback_on_writable(wsi);
    } else {
        lws_set_timeout(wsi, PENDING_TIMEOUT_USER_OK, LWS_TO_KILL_ASYNC);
    }
    return 0;
}

void gw_diag_server_render_metrics(gw_diag_t *diag, GString *out)
{
    g_string_append_printf(out,
        "# HELP gatewayd_diag_slow_clients_closed_total Diag connections closed for not reading "
        "for slow_client_timeout.\n"
        "# TYPE gatewayd_diag_slow_clients_closed_total counter\n"
        "gatewayd_diag_slow_clients_closed_total{kind=\"viewer\"} %u\n"
        "gatewayd_diag_slow_clients_closed_total{kind=\"http\"} %u\n"
        "# HELP gatewayd_diag_clients_refused_total Diag requests refused (503) for max_clients.\n"
        "# TYPE gatewayd_diag_clients_refused_total counter\n"
        "gatewayd_diag_clients_refused_total %u\n",
        g_atomic_int_get(&diag->slow_closed_viewer), g_atomic_int_get(&diag->slow_closed_http),
        g_atomic_int_get(&diag->clients_refused));
}

/* ------------------------------------------------------------ HTTP */

static gw_diag_method_t gw_diag_server_method(struct lws *wsi)
{
    if (lws_hdr_total_length(wsi, WSI_TOKEN_GET_URI))
        return GW_DIAG_GET;
    if (lws_hdr_total_length(wsi, WSI_TOKEN_PUT_URI))
        return GW_DIAG_PUT;
    if (lws_hdr_total_length(wsi, WSI_TOKEN_HEAD_URI))
        return GW_DIAG_HEAD;
    return GW_DIAG_OTHER;
}

static char *gw_diag_server_header(struct lws *wsi, enum lws_token_indexes t)
{
    int n = lws_hdr_total_length(wsi, t);
    if (n <= 0)
        return NULL;
    char *s = g_malloc((size_t)n + 1);
    if (lws_hdr_copy(wsi, s, n + 1, t) < 0) {
        g_free(s);
        return NULL;
    }
    return s;
}

static bool gw_diag_server_peer_loopback(struct lws *wsi)
{
    struct sockaddr_storage ss;
    socklen_t len = sizeof ss;
    int fd = lws_get_socket_fd(wsi);
    if (fd < 0 || getpeername(fd, (struct sockaddr *)&ss, &len) != 0)
        return false;
    return gw_diag_auth_is_loopback((struct sockaddr *)&ss, len);
}

/* Host and Origin name this daemon (origin.h); else the static reason. */
static const char *gw_diag_server_foreign(gw_diag_t *diag, struct lws *wsi)
{
    char *host = gw_diag_server_header(wsi, WSI_TOKEN_HOST);
    char *origin = gw_diag_server_header(wsi, WSI_TOKEN_ORIGIN);
    const char *why = !gw_diag_origin_host_ok(diag->origin, host) ? "bad_host"
                      : !gw_diag_origin_origin_ok(diag->origin, origin) ? "bad_origin"
                                                                         : NULL;
    g_free(host);
    g_free(origin);
    return why;
}

static int gw_diag_server_http(gw_diag_t *diag, struct lws *wsi, gw_diag_session_t *ss,
                               const char *uri)
{
    gw_diag_session_reset(diag, ss);
    gw_diag_method_t method = gw_diag_server_method(wsi);
    ss->head = method == GW_DIAG_HEAD;
    ss->progress_us = g_get_monotonic_time();
    lws_set_timer_usecs(wsi, GW_DIAG_SLOW_CHECK_US);
    if (!gw_diag_client_take(diag, wsi)) {
        ss->close_after = true;
        gw_diag_server_fail(diag, wsi, ss, 503, "busy",
                            "too many connections to diag (see max_clients)");
        return 0;
    }
    const char *foreign = gw_diag_server_foreign(diag, wsi);
    if (foreign) {
        /* every resource, reads too: live frames carry idTags; a body
         * may follow that nobody reads */
        ss->close_after = method != GW_DIAG_GET && method != GW_DIAG_HEAD;
        gw_diag_server_fail(diag, wsi, ss, 403, foreign,
                            strcmp(foreign, "bad_host") == 0
                                ? "Host names no address of this daemon (see allowed_hosts)"
                                : "requests from other web pages are refused (see allowed_origins)");
        return 0;
    }
    bool api = g_str_has_prefix(uri, "/api/") || strcmp(uri, "/metrics") == 0;

    if (!api) {
        const gw_diag_asset_t *a = gw_diag_asset_find(uri);
        if (!a) {
            gw_diag_server_fail(diag, wsi, ss, 404, "not_found", "no such resource");
        } else if (method != GW_DIAG_GET && method != GW_DIAG_HEAD) {
            ss->close_after = true;
            gw_diag_server_fail(diag, wsi, ss, 405, "method_not_allowed", "use GET");
        } else {
            gw_diag_request_t *req = gw_diag_request_new(diag);
            req->status = 200;
            req->content_type = a->content_type;
            req->reply = g_bytes_new_static(a->data, a->len);
            gw_diag_server_answer(wsi, ss, req);
        }
        return 0;
    }
    if (method == GW_DIAG_OTHER) {
        ss->close_after = true;
        gw_diag_server_fail(diag, wsi, ss, 405, "method_not_allowed", "use GET or PUT");
        return 0;
    }

    gw_diag_request_t *req = gw_diag_request_new(diag);
    req->method = method == GW_DIAG_HEAD ? GW_DIAG_GET : method;
    req->path = g_strdup(uri);
    req->authorization = gw_diag_server_header(wsi, WSI_TOKEN_HTTP_AUTHORIZATION);
    req->loopback = gw_diag_server_peer_loopback(wsi);
    char arg[1024];
    const char *prefix = lws_get_urlarg_by_name(wsi, "prefix=", arg, sizeof arg);
    if (prefix)
        req->prefix = g_strdup(prefix);
    ss->req = req;

    if (method != GW_DIAG_PUT) {
        gw_diag_server_submit(diag, wsi, ss);
        return 0;
    }
    char *cl = gw_diag_server_header(wsi, WSI_TOKEN_HTTP_CONTENT_LENGTH);
    long long clen = cl ? strtoll(cl, NULL, 10) : 0;
    g_free(cl);
    if (clen < 0 || (unsigned long long)clen > diag->max_request) {
        gw_diag_request_free(ss->req);
        ss->req = NULL;
        ss->close_after = true;
        gw_diag_server_fail(diag, wsi, ss, 413, "too_large", "request body exceeds max_request");
        return 0;
    }
    if (clen == 0)
        gw_diag_server_submit(diag, wsi, ss); /* nothing to wait for */
    return 0;
}

static int gw_diag_server_body(gw_diag_t *diag, struct lws *wsi, gw_diag_session_t *ss,
                               const void *in, size_t len)
{
    if (!ss->req)
        return 0; /* already answered (too large): discard */
    if (ss->req->body->len + len > diag->max_request) {
        gw_diag_request_free(ss->req);
        ss->req = NULL;
        ss->close_after = true;
        gw_diag_server_fail(diag, wsi, ss, 413, "too_large", "request body exceeds max_request");
        return 0;
    }
    g_byte_array_append(ss->req->body, in, (guint)len);
    return 0;
}

/* Headers first, then the body in chunks: one lws_write per callback. */
static int gw_diag_server_write_http(gw_diag_t *diag, struct lws *wsi, gw_diag_session_t *ss)
{
    gw_diag_request_t *a = ss->answer;
    ss->progress_us = g_get_monotonic_time(); /* the socket took what it had */
    if (!a || ss->closing)
        return 0;
    gsize total = 0;
    const unsigned char *data = a->reply ? g_bytes_get_data(a->reply, &total) : NULL;
    if (ss->head)
        data = NULL;
    if (!ss->headers_sent) {
        unsigned char buf[LWS_PRE + 1024];
        unsigned char *start = buf + LWS_PRE, *p = start, *end = buf + sizeof buf - 1;
        if (lws_add_http_common_headers(wsi, (unsigned)a->status, a->content_type,
                                        (lws_filepos_t)total, &p, end) ||
            lws_add_http_header_by_name(wsi, (const unsigned char *)"cache-control:",
                                        (const unsigned char *)"no-store", 8, &p, end) ||
            lws_add_http_header_by_name(wsi, (const unsigned char *)"x-content-type-options:",
                                        (const unsigned char *)"nosniff", 7, &p, end))
            return -1;
        /* say so when the connection ends here, or a keep-alive client
         * sends its next request into a closed socket */
        if (ss->close_after &&
            lws_add_http_header_by_token(wsi, WSI_TOKEN_CONNECTION,
                                         (const unsigned char *)"close", 5, &p, end))
            return -1;
        if (a->www_authenticate &&
            lws_add_http_header_by_token(wsi, WSI_TOKEN_HTTP_WWW_AUTHENTICATE,
                                         (const unsigned char *)a->www_authenticate,
                                         (int)strlen(a->www_authenticate), &p, end))
            return -1;
        if (lws_finalize_write_http_header(wsi, start, &p, end))
            return -1;
        ss->headers_sent = true;
        if (data && total) {
            lws_callback_on_writable(wsi);
            return 0;
        }
    } else if (data && ss->sent < total) {
        unsigned char buf[LWS_PRE + GW_DIAG_CHUNK];
        size_t n = MIN(total - ss->sent, (size_t)GW_DIAG_CHUNK);
        bool last = ss->sent + n == total;
        memcpy(buf + LWS_PRE, data + ss->sent, n);
        if (lws_write(wsi, buf + LWS_PRE, n, last ? LWS_WRITE_HTTP_FINAL : LWS_WRITE_HTTP) < (int)n)
            return -1;
        ss->sent += n;
        if (!last) {
            lws_callback_on_writable(wsi);
            return 0;
        }
    }
    bool close_after = ss->close_after;
    gw_diag_session_reset(diag, ss);
    ss->close_after = false;
    if (close_after)
        return -1;
    return lws_http_transaction_completed(wsi) ? -1 : 0;
}

/* ------------------------------------------------------------ WebSocket */

static bool gw_diag_server_is_stream(struct lws *wsi)
{
    char uri[64];
    return lws_hdr_copy(wsi, uri, sizeof uri, WSI_TOKEN_GET_URI) > 0 &&
           strcmp(uri, GW_DIAG_STREAM_PATH) == 0;
}

static int gw_diag_server_write_ws(gw_diag_t *diag, struct lws *wsi, gw_diag_session_t *ss)
{
    bool more = false;
    ss->progress_us = g_get_monotonic_time(); /* the socket took what it had */
    if (ss->going_away) {
        lws_close_reason(wsi, LWS_CLOSE_STATUS_GOINGAWAY, NULL, 0);
        return -1;
    }
    if (ss->closing) {
        static const char why[] = "not reading";
        lws_close_reason(wsi, LWS_CLOSE_STATUS_POLICY_VIOLATION, (unsigned char *)why,
                         sizeof why - 1);
        return -1;
    }
    if (!ss->box)
        return 0;
    GString *m = gw_diag_stream_pop(diag->stream, ss->box, &more);
    if (!m)
        return 0;
    unsigned char *buf = g_malloc(LWS_PRE + m->len);
    memcpy(buf + LWS_PRE, m->str, m->len);
    int n = lws_write(wsi, buf + LWS_PRE, m->len, LWS_WRITE_TEXT);
    bool ok = n >= (int)m->len;
    g_free(buf);
    g_string_free(m, TRUE);
    if (!ok)
        return -1;
    if (more)
        lws_callback_on_writable(wsi);
    return 0;
}

/* stop(): tell every viewer "going away" (1001) rather than dropping it
 * (1006); one that does not let us write is dropped by the timeout, and
 * stop() waits a bounded time anyway. */
static void gw_diag_server_go_away(gw_diag_t *diag)
{
    diag->went_away = true;
    GHashTableIter it;
    gpointer key;
    g_hash_table_iter_init(&it, diag->clients);
    while (g_hash_table_iter_next(&it, &key, NULL)) {
        struct lws *wsi = key;
        gw_diag_session_t *ss = lws_wsi_user(wsi);
        if (!ss || !ss->box || ss->closing || ss->going_away)
            continue;
        ss->going_away = true;
        lws_set_timeout(wsi, PENDING_TIMEOUT_CLOSE_SEND, 1);
        lws_callback_on_writable(wsi);
    }
}

/* ------------------------------------------------------------ dispatch */

static int gw_diag_server_cb(struct lws *wsi, enum lws_callback_reasons reason, void *user,
                             void *in, size_t len)
{
    gw_diag_session_t *ss = user;
    gw_diag_t *diag = gw_diag_server_of(wsi);
    if (!diag)
        return 0;
    switch (reason) {
    case LWS_CALLBACK_EVENT_WAIT_CANCELLED:
        if (g_atomic_int_get(&diag->going_away) && !diag->went_away)
            gw_diag_server_go_away(diag);
        gw_diag_server_collect(diag);
        gw_diag_stream_kick(diag->stream);
        return 0;
    case LWS_CALLBACK_HTTP:
        return ss ? gw_diag_server_http(diag, wsi, ss, in ? in : "/") : -1;
    case LWS_CALLBACK_HTTP_BODY:
        return ss ? gw_diag_server_body(diag, wsi, ss, in, len) : -1;
    case LWS_CALLBACK_HTTP_BODY_COMPLETION:
        if (ss && ss->req)
            gw_diag_server_submit(diag, wsi, ss);
        return 0;
    case LWS_CALLBACK_HTTP_WRITEABLE:
        return ss ? gw_diag_server_write_http(diag, wsi, ss) : -1;
    case LWS_CALLBACK_CLOSED_HTTP:
    case LWS_CALLBACK_HTTP_DROP_PROTOCOL:
        if (ss)
            gw_diag_session_reset(diag, ss);
        return 0;
    case LWS_CALLBACK_FILTER_PROTOCOL_CONNECTION:
        /* the upgrade is refused like any request from a foreign page,
         * and like any request beyond max_clients */
        if (!gw_diag_server_is_stream(wsi) || gw_diag_server_foreign(diag, wsi))
            return 1;
        if (gw_diag_client_full(diag, wsi)) {
            lws_return_http_status(wsi, HTTP_STATUS_SERVICE_UNAVAILABLE, "too many connections");
            return 1;
        }
        return 0;
    case LWS_CALLBACK_ESTABLISHED:
        if (!ss)
            return -1;
        memset(ss, 0, sizeof *ss);
        if (!gw_diag_client_take(diag, wsi))
            return -1;
        ss->progress_us = g_get_monotonic_time();
        lws_set_timer_usecs(wsi, GW_DIAG_SLOW_CHECK_US);
        ss->box = gw_diag_stream_open(diag->stream, wsi);
        if (ss->box)
            g_atomic_int_inc(&diag->viewers);
        return ss->box ? 0 : -1;
    case LWS_CALLBACK_TIMER:
        return ss ? gw_diag_server_check(diag, wsi, ss) : 0;
    case LWS_CALLBACK_SERVER_WRITEABLE:
        return ss ? gw_diag_server_write_ws(diag, wsi, ss) : -1;
    case LWS_CALLBACK_RECEIVE:
        return 0; /* viewers only listen */
    case LWS_CALLBACK_CLOSED:
        if (ss && ss->box) {
            gw_diag_stream_close(diag->stream, ss->box);
            ss->box = NULL;
            g_atomic_int_add(&diag->viewers, -1);
        }
        return 0;
    case LWS_CALLBACK_WSI_DESTROY:
        g_hash_table_remove(diag->clients, wsi); /* every connection ends here */
        return 0;
    default:
        return 0;
    }
}

static const struct lws_protocols gw_diag_protocols[] = {
    { "gw-diag", gw_diag_server_cb, sizeof(gw_diag_session_t), 4096, 0, NULL, 0 },
    { NULL, NULL, 0, 0, 0, NULL, 0 },
};

static void *gw_diag_server_main(void *arg)
{
    gw_diag_t *diag = arg;
    while (!diag->stopping)
        if (lws_service(diag->lws, 0) < 0)
            break;
    return NULL;
}

int gw_diag_server_start(gw_diag_t *diag)
{
    struct lws_context_creation_info info;
    memset(&info, 0, sizeof info);
    info.port = diag->port;
    info.iface = diag->bind;
    info.protocols = gw_diag_protocols;
    info.user = diag;
    info.max_http_header_data = 4096;
    info.timeout_secs = 30;
    info.options = LWS_SERVER_OPTION_VALIDATE_UTF8;
    if (!strchr(diag->bind, ':'))
        info.options |= LWS_SERVER_OPTION_DISABLE_IPV6;
    diag->sessions = g_hash_table_new(g_int64_hash, g_int64_equal);
    diag->clients = g_hash_table_new(NULL, NULL);
    struct lws_context *lws = lws_create_context(&info);
    if (!lws) {
        gw_config_error(diag->ctx, "port", "cannot serve on %s:%d (address in use or not local?)",
                        diag->bind, diag->port);
        return -EADDRINUSE;
    }
    pthread_mutex_lock(&diag->lock);
    diag->lws = lws;
    pthread_mutex_unlock(&diag->lock);
    int rc = pthread_create(&diag->thread, NULL, gw_diag_server_main, diag);
    if (rc) {
        gw_diag_server_stop(diag);
        return -rc;
    }
    diag->thread_started = true;
    return 0;
}

void gw_diag_server_stop(gw_diag_t *diag)
{
    if (diag->thread_started) {
        g_atomic_int_set(&diag->going_away, 1);
        gw_diag_server_wake(diag);
        for (int ms = 0; ms < 1000 && g_atomic_int_get(&diag->viewers) > 0; ms += 10)
            g_usleep(10000);
    }
    diag->stopping = 1;
    if (diag->thread_started) {
        gw_diag_server_wake(diag);
        pthread_join(diag->thread, NULL);
        diag->thread_started = false;
    }
    pthread_mutex_lock(&diag->lock);
    struct lws_context *lws = diag->lws;
    diag->lws = NULL;
    pthread_mutex_unlock(&diag->lock);
    /* Destroying closes the sockets, running their CLOSED callbacks here:
     * the service thread is gone, so nothing races. */
    if (lws)
        lws_context_destroy(lws);
    gw_diag_request_t *req;
    while ((req = g_queue_pop_head(&diag->answers)))
        gw_diag_request_free(req);
    if (diag->sessions)
        g_hash_table_destroy(diag->sessions);
    diag->sessions = NULL;
    if (diag->clients)
        g_hash_table_destroy(diag->clients);
    diag->clients = NULL;
}
