/*
 * tcp_client.c - one Modbus TCP client on the loop, never blocking it:
 *
 *  - bytes are read as they come into the client's own buffer; a frame is
 *    served only once its whole ADU (MBAP length) is there, so a client that
 *    sends half a frame or drips bytes costs one recv() per wake-up;
 *  - an answer is sent only when the socket has room for it; otherwise the
 *    client is paused (no more reading) until it drains, so a client that
 *    pipelines requests and never reads fills its own socket, not our
 *    memory, and is dropped after frame_timeout_ms;
 *  - a malformed MBAP header closes the connection; a malformed PDU gets an
 *    exception.
 */
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include "tcp_server.h"

#define MBAP_LENGTH 7            /* transaction, protocol, length, unit */

static void client_io(gw_ctx_t *ctx, gw_watch_id_t id, int fd, unsigned events, void *user);

static int64_t now_ms(void)
{
    return g_get_monotonic_time() / 1000;
}

int tcp_client_add(tcp_server_t *srv, int fd, const char *peer)
{
    tcp_client_t *c = g_new0(tcp_client_t, 1);
    c->srv = srv;
    c->fd = fd;
    g_strlcpy(c->peer, peer, sizeof c->peer);
    c->last_rx_ms = now_ms();
    c->watch = gw_watch_add(srv->ctx, fd, GW_WATCH_READ, client_io, c);
    if (c->watch < 0) {
        gw_log(srv->ctx, GW_LOG_WARNING, "cannot watch %s: %s", peer, strerror((int)-c->watch));
        g_free(c);
        return -ENOMEM;
    }
    g_ptr_array_add(srv->clients, c);
    gw_log(srv->ctx, GW_LOG_INFO, "client %s connected (%u of %u)", peer, srv->clients->len,
           srv->max_clients);
    return 0;
}

void tcp_client_close(tcp_client_t *c, const char *why)
{
    tcp_server_t *srv = c->srv;
    gw_log(srv->ctx, GW_LOG_INFO, "client %s closed: %s", c->peer, why);
    gw_watch_remove(srv->ctx, c->watch);
    /* FIN after any answer still in the send buffer, so the client sees an
     * orderly end of stream (stop, idle, ...), not a reset. */
    shutdown(c->fd, SHUT_WR);
    close(c->fd);
    g_ptr_array_remove_fast(srv->clients, c);
    g_free(c);
}

/* Room in the socket for one more answer? The kernel's own test: POLLOUT
 * means at least a third of the send buffer is free in its accounting,
 * which charges each small segment its whole buffer (several times the
 * answer's bytes), so a byte count such as SIOCOUTQ against SO_SNDBUF said
 * "room" while send() already failed with EAGAIN and closed a client that
 * pipelined and read. An error or hang-up counts as room: send() then
 * fails and the client is closed with the reason. */
static bool client_has_room(const tcp_client_t *c)
{
    struct pollfd p = { .fd = c->fd, .events = POLLOUT };
    if (poll(&p, 1, 0) < 0)
        return true;
    return (p.revents & (POLLOUT | POLLERR | POLLHUP)) != 0;
}

static void client_pause(tcp_client_t *c, bool pause)
{
    if (pause == (c->paused_since_ms != 0))
        return;
    c->paused_since_ms = pause ? now_ms() : 0;
    gw_watch_modify(c->srv->ctx, c->watch, pause ? GW_WATCH_WRITE : GW_WATCH_READ);
}

/* Serve one complete ADU. @return false when the client was closed. */
static bool client_serve(tcp_client_t *c, const uint8_t *adu, int len)
{
    tcp_server_t *srv = c->srv;
    gw_mb_request_info_t info;
    int page = tcp_unit_page(srv, adu[MBAP_LENGTH - 1]);
    gw_mb_engine_eval(srv->engine, adu, len, MBAP_LENGTH, page, false, &srv->reply, &info);
    gw_mb_request_publish(srv->ctx, "tcp", c->peer, &info);
    modbus_set_socket(srv->mb, c->fd);
    if (gw_mb_reply_send(srv->mb, adu, len, &srv->reply) < 0) {
        tcp_client_close(c, errno == EAGAIN || errno == EMBBADDATA ? "send buffer full"
                                                                    : modbus_strerror(errno));
        return false;
    }
    return true;
}

/* Serve every complete frame in the buffer. @return false when closed. */
static bool client_drain(tcp_client_t *c)
{
    size_t off = 0;
    bool open = true;
    while (c->len - off >= MBAP_LENGTH) {
        const uint8_t *h = c->buf + off;
        unsigned protocol = (unsigned)h[2] << 8 | h[3];
        unsigned length = (unsigned)h[4] << 8 | h[5];
        if (protocol != 0 || length < 2 || length > MODBUS_TCP_MAX_ADU_LENGTH - 6) {
            tcp_client_close(c, "malformed MBAP header");
            return false;
        }
        if (c->len - off < 6 + length)
            break;
        if (!client_has_room(c)) {
            client_pause(c, true);
            break;
        }
        open = client_serve(c, h, (int)(6 + length));
        if (!open)
            return false;
        off += 6 + length;
    }
    if (off) {
        memmove(c->buf, c->buf + off, c->len - off);
        c->len -= off;
    }
    /* the frame timeout runs from the first byte of the frame now pending */
    if (!c->len || c->paused_since_ms)
        c->partial_since_ms = 0;
    else if (off || !c->partial_since_ms)
        c->partial_since_ms = now_ms();
    return true;
}

static void client_io(gw_ctx_t *ctx, gw_watch_id_t id, int fd, unsigned events, void *user)
{
    tcp_client_t *c = user;
    ssize_t n;
    (void)ctx;
    (void)id;
    if (c->paused_since_ms) {
        /* writable again: resume once an answer fits */
        if (!client_has_room(c))
            return;
        client_pause(c, false);
        client_drain(c);
        return;
    }
    n = recv(fd, c->buf + c->len, sizeof c->buf - c->len, 0);
    if (n == 0) {
        tcp_client_close(c, "peer closed");
        return;
    }
    if (n < 0) {
        if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
            tcp_client_close(c, strerror(errno));
        return;
    }
    c->len += (size_t)n;
    c->last_rx_ms = now_ms();
    client_drain(c);
}

void tcp_client_sweep(gw_ctx_t *ctx, gw_timer_id_t id, void *user)
{
    tcp_server_t *srv = user;
    int64_t now = now_ms();
    (void)ctx;
    (void)id;
    /* walk backwards: closing removes with remove_fast (swaps in the last) */
    for (guint i = srv->clients->len; i-- > 0;) {
        tcp_client_t *c = g_ptr_array_index(srv->clients, i);
        if (c->paused_since_ms && now - c->paused_since_ms > srv->frame_timeout_ms)
            tcp_client_close(c, "not reading its answers");
        else if (c->partial_since_ms && now - c->partial_since_ms > srv->frame_timeout_ms)
            tcp_client_close(c, "incomplete frame timed out");
        else if (srv->idle_timeout_ms && now - c->last_rx_ms > srv->idle_timeout_ms)
            tcp_client_close(c, "idle");
    }
}

int tcp_unit_page(const tcp_server_t *srv, int unit)
{
    unsigned pages = gw_mb_engine_pages(srv->engine);
    int first;
    if (pages == 1)
        return srv->unit_id == 0 || unit == srv->unit_id ? 0 : -1;
    first = srv->unit_id ? srv->unit_id : 1;
    return unit >= first && unit < first + (int)pages ? unit - first : -1;
}
