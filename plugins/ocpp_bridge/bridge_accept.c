/*
 * bridge_accept.c - the charger-facing listener, on the loop: accept, read
 * the HTTP upgrade request without blocking (bounded in size and time),
 * refuse what is not ours (logged, listed in the scan list with the reason:
 * wrong path, subprotocol, unknown ChargerID; ocpp_common/ocpp_refusal.h),
 * and hand a known charger's socket to the relay thread, which connects
 * upstream before the charger's handshake is answered.
 */
#define _GNU_SOURCE /* accept4 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include "bridge.h"

#define BR_HANDSHAKE_TIMEOUT_MS 10000
/* Connections still sending their upgrade request. A whole site
 * reconnecting at once fits; sockets that open and say nothing (each held
 * up to the timeout) cannot take every descriptor the relay needs. */
#define BR_INCOMING_MAX 1024

typedef struct br_incoming {
    struct br_incoming *next, *prev;
    br_acceptor_t *acc;
    int fd;
    gw_watch_id_t watch;
    gw_timer_id_t timer;
    char peer[BR_PEER_MAX];
    size_t len;
    char buf[BR_REQUEST_MAX];
} br_incoming_t;

struct br_acceptor {
    bridge_t *br;
    int fd;
    int port;
    gw_watch_id_t watch;
    br_incoming_t *incoming;    /* connections still sending their request */
    unsigned n_incoming;
    bool full_logged;
};

static void br_incoming_drop(br_incoming_t *in, bool close_fd)
{
    br_acceptor_t *a = in->acc;
    gw_ctx_t *ctx = a->br->ctx;
    if (in->watch > 0)
        gw_watch_remove(ctx, in->watch);
    if (in->timer > 0)
        gw_timer_cancel(ctx, in->timer);
    if (close_fd && in->fd >= 0)
        close(in->fd);
    if (in->prev)
        in->prev->next = in->next;
    else
        a->incoming = in->next;
    if (in->next)
        in->next->prev = in->prev;
    a->n_incoming--;
    free(in);
}

static void br_incoming_timeout(gw_ctx_t *ctx, gw_timer_id_t id, void *user)
{
    br_incoming_t *in = user;
    (void)ctx;
    (void)id;
    in->timer = 0; /* one-shot: already gone */
    br_incoming_drop(in, true);
}

static char *br_auth_for(bridge_t *br, const char *charger_id, const br_request_t *req)
{
    const char *configured = g_hash_table_lookup(br->credentials, charger_id);
    if (configured)
        return strdup(configured);
    if (br->pass_authorization && req->auth)
        return strndup(req->auth, req->auth_len);
    return NULL;
}

/* The charger's offered subprotocols that the bridge may agree to, in the
 * charger's order: that is what upstream is offered. */
static char *br_protocols_for(bridge_t *br, const br_request_t *req)
{
    if (!req->protocols)
        return NULL;
    char *list = strndup(req->protocols, req->protocols_len);
    GString *out = g_string_new(NULL);
    for (char *save = NULL, *tok = list ? strtok_r(list, ", \t", &save) : NULL; tok;
         tok = strtok_r(NULL, ", \t", &save)) {
        for (char **s = br->subprotocols; s && *s; s++)
            if (!strcmp(*s, tok)) {
                if (out->len)
                    g_string_append_c(out, ',');
                g_string_append(out, tok);
            }
    }
    free(list);
    char *res = out->len ? strdup(out->str) : NULL;
    g_string_free(out, TRUE);
    return res;
}

/* What of a refused request's path or header is kept for the log and the
 * scan list. */
#define BR_PATH_SHOWN 256

/* Log (rate-limited), list in the scan list, answer and close. */
static void br_incoming_refuse(br_incoming_t *in, gw_ocpp_refusal_t reason, const char *what,
                               const char *detail)
{
    bridge_t *br = in->acc->br;
    gw_ocpp_scan_view_refuse(&br->scan, reason, what, detail, in->peer,
                             g_get_real_time() / 1000);
    br_http_refuse(in->fd, gw_ocpp_refusal_status(reason));
    br_incoming_drop(in, true);
}

static void br_incoming_decide(br_incoming_t *in)
{
    bridge_t *br = in->acc->br;
    br_request_t req;
    br_http_verdict_t v = br_http_parse(in->buf, in->len, br->prefix, &req);
    if (v == BR_HTTP_INCOMPLETE)
        return;
    if (v == BR_HTTP_NOT_FOUND) {
        char path[BR_PATH_SHOWN];
        snprintf(path, sizeof path, "%.*s", (int)req.uri_len, req.uri);
        br_incoming_refuse(in, GW_OCPP_REFUSED_PATH, path, NULL);
        return;
    }
    if (v != BR_HTTP_OK) {
        br_http_refuse(in->fd, v);
        br_incoming_drop(in, true);
        return;
    }
    /* The subprotocol before the id: the answer must not tell which ids
     * are configured. OCPP-J §3.1.2: a charger names its subprotocol;
     * one that offers none, or none of `subprotocols`, is refused here
     * rather than relayed to an upstream that might let it in. */
    char *protocols = br_protocols_for(br, &req);
    if (!protocols) {
        char offered[BR_PATH_SHOWN] = "no subprotocol offered";
        if (req.protocols)
            snprintf(offered, sizeof offered, "offered %.*s", (int)req.protocols_len, req.protocols);
        br_incoming_refuse(in, GW_OCPP_REFUSED_SUBPROTOCOL, req.charger_id, offered);
        return;
    }
    int index = gw_ocpp_chargers_find(br->chargers_cfg, req.charger_id);
    if (index < 0) {
        free(protocols);
        br_incoming_refuse(in, GW_OCPP_REFUSED_UNKNOWN_ID, req.charger_id, NULL);
        return;
    }
    br_handover_t *h = calloc(1, sizeof *h);
    if (!h || !(h->request = malloc(in->len))) {
        free(h);
        free(protocols);
        br_incoming_drop(in, true);
        return;
    }
    memcpy(h->request, in->buf, in->len);
    h->request_len = in->len;
    /* re-parse on the copy so the request's pointers point into it */
    br_http_parse(h->request, h->request_len, br->prefix, &h->req);
    h->fd = in->fd;
    h->index = index;
    snprintf(h->charger_id, sizeof h->charger_id, "%s", req.charger_id);
    snprintf(h->peer, sizeof h->peer, "%s", in->peer);
    h->auth = br_auth_for(br, req.charger_id, &req);
    h->protocols = protocols;
    in->fd = -1; /* the relay owns it now */
    br_incoming_drop(in, false);
    br_relay_submit(br->relay, h);
}

static void br_incoming_read(gw_ctx_t *ctx, gw_watch_id_t id, int fd, unsigned events,
                             void *user)
{
    br_incoming_t *in = user;
    (void)ctx;
    (void)id;
    (void)events;
    ssize_t n = recv(fd, in->buf + in->len, sizeof in->buf - in->len, 0);
    if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
        br_incoming_drop(in, true);
        return;
    }
    if (n < 0)
        return;
    in->len += (size_t)n;
    br_incoming_decide(in);
}

static void br_accept_ready(gw_ctx_t *ctx, gw_watch_id_t id, int fd, unsigned events, void *user)
{
    br_acceptor_t *a = user;
    (void)id;
    (void)events;
    /* Accept a bounded batch per wake-up so a connection storm cannot hold
     * the loop. */
    for (int i = 0; i < 64; i++) {
        struct sockaddr_storage ss;
        socklen_t sl = sizeof ss;
        int cfd = accept4(fd, (struct sockaddr *)&ss, &sl, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (cfd < 0) {
            if (errno != EAGAIN && errno != EINTR && errno != ECONNABORTED)
                gw_log(ctx, GW_LOG_WARNING, "accept: %s", strerror(errno));
            return;
        }
        if (a->n_incoming >= BR_INCOMING_MAX) {
            if (!a->full_logged)
                gw_log(ctx, GW_LOG_WARNING, "%d connections are still sending their "
                       "handshake: refusing more (HTTP 503) until they finish or time out",
                       BR_INCOMING_MAX);
            a->full_logged = true;
            br_http_refuse(cfd, 503);
            close(cfd);
            continue;
        }
        a->full_logged = false;
        int one = 1;
        setsockopt(cfd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        br_incoming_t *in = calloc(1, sizeof *in);
        if (!in) {
            close(cfd);
            continue;
        }
        in->acc = a;
        in->fd = cfd;
        a->n_incoming++;
        char host[NI_MAXHOST] = "?";
        getnameinfo((struct sockaddr *)&ss, sl, host, sizeof host, NULL, 0, NI_NUMERICHOST);
        snprintf(in->peer, sizeof in->peer, "%s", host);
        in->next = a->incoming;
        if (a->incoming)
            a->incoming->prev = in;
        a->incoming = in;
        in->watch = gw_watch_add(ctx, cfd, GW_WATCH_READ, br_incoming_read, in);
        in->timer = gw_timer_add(ctx, BR_HANDSHAKE_TIMEOUT_MS, GW_TIMER_ONCE, br_incoming_timeout,
                                 in);
        if (in->watch < 0 || in->timer < 0)
            br_incoming_drop(in, true);
    }
}

br_acceptor_t *br_accept_start(bridge_t *br, const char *address, int port, char **error)
{
    struct addrinfo hints = { .ai_flags = AI_PASSIVE | AI_NUMERICHOST | AI_NUMERICSERV,
                              .ai_socktype = SOCK_STREAM };
    struct addrinfo *ai = NULL;
    char ps[16];
    snprintf(ps, sizeof ps, "%d", port);
    int rc = getaddrinfo(address && *address ? address : NULL, ps, &hints, &ai);
    if (rc) {
        *error = g_strdup_printf("bind_address '%s': %s", address, gai_strerror(rc));
        return NULL;
    }
    br_acceptor_t *a = calloc(1, sizeof *a);
    if (!a) {
        freeaddrinfo(ai);
        *error = g_strdup("out of memory");
        return NULL;
    }
    a->br = br;
    a->fd = socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    int one = 1;
    if (a->fd < 0 || setsockopt(a->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0 ||
        bind(a->fd, ai->ai_addr, ai->ai_addrlen) < 0 || listen(a->fd, 1024) < 0) {
        *error = g_strdup_printf("cannot listen on %s port %d: %s",
                                 address && *address ? address : "*", port, strerror(errno));
        freeaddrinfo(ai);
        if (a->fd >= 0)
            close(a->fd);
        free(a);
        return NULL;
    }
    freeaddrinfo(ai);
    struct sockaddr_storage ss;
    socklen_t sl = sizeof ss;
    getsockname(a->fd, (struct sockaddr *)&ss, &sl);
    a->port = ntohs(ss.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
                                             : ((struct sockaddr_in *)&ss)->sin_port);
    a->watch = gw_watch_add(br->ctx, a->fd, GW_WATCH_READ, br_accept_ready, a);
    if (a->watch < 0) {
        *error = g_strdup_printf("cannot watch the listener: %s", strerror((int)-a->watch));
        close(a->fd);
        free(a);
        return NULL;
    }
    return a;
}

int br_accept_port(const br_acceptor_t *a)
{
    return a->port;
}

void br_accept_stop(br_acceptor_t *a)
{
    if (!a)
        return;
    while (a->incoming)
        br_incoming_drop(a->incoming, true);
    gw_watch_remove(a->br->ctx, a->watch);
    close(a->fd);
    free(a);
}
