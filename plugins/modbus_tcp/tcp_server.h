/* tcp_server.h - the modbus_tcp instance: listener, clients, engine. */
#ifndef GW_TCP_SERVER_H
#define GW_TCP_SERVER_H

#include <glib.h>
#include <gw/gw.h>
#include <modbus/modbus.h>
#include "modbus_common/mb_engine.h"
#include "modbus_common/regmap.h"

#define TCP_CLIENT_BUF 4096      /* several pipelined frames of 260 bytes */

typedef struct tcp_server tcp_server_t;

typedef struct tcp_client {
    tcp_server_t *srv;
    int fd;
    gw_watch_id_t watch;
    char peer[64];
    uint8_t buf[TCP_CLIENT_BUF];
    size_t len;
    int64_t last_rx_ms;          /* last byte received */
    int64_t partial_since_ms;    /* an incomplete frame waits since, or 0 */
    int64_t paused_since_ms;     /* answers back up since, or 0 */
} tcp_client_t;

struct tcp_server {
    gw_ctx_t *ctx;
    gw_regmap_t *map;
    gw_mb_engine_t *engine;
    modbus_t *mb;                /* frames replies; its socket is set per reply */
    gw_mb_reply_t reply;
    int listen_fd;
    gw_watch_id_t listen_watch;
    gw_timer_id_t sweep_timer;
    GPtrArray *clients;          /* tcp_client_t* */
    /* configuration */
    unsigned max_clients;
    int64_t idle_timeout_ms;     /* 0: never */
    int64_t frame_timeout_ms;
    int unit_id;                 /* 0: any (one page) / 1 (several pages) */
};

/** Open the listening socket. @return the fd or a negative errno (logged). */
int tcp_listen_open(gw_ctx_t *ctx, const char *address, int port);
/** Accept waiting connections, refusing those past max_clients. */
void tcp_listen_accept(gw_ctx_t *ctx, gw_watch_id_t id, int fd, unsigned events, void *user);

/** Take over an accepted socket. @return 0 or a negative errno. */
int tcp_client_add(tcp_server_t *srv, int fd, const char *peer);
void tcp_client_close(tcp_client_t *c, const char *why);
/** Drop clients that are idle, stuck in a partial frame or not reading. */
void tcp_client_sweep(gw_ctx_t *ctx, gw_timer_id_t id, void *user);

/** The page a unit id addresses, or -1 when it is not served. */
int tcp_unit_page(const tcp_server_t *srv, int unit);

#endif
