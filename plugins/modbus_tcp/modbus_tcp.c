/*
 * modbus_tcp - a Modbus TCP server on the register map (docs/modbus.md).
 * The loop does all the work: a non-blocking listener and clients
 * (tcp_listen.c, tcp_client.c) and the shared request engine
 * (modbus_common/mb_engine.h).
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include "conf_common/conf_check.h"
#include "tcp_server.h"

static const gw_config_key_t tcp_keys[] = {
    GW_CONFIG_STRING("bind_address", "0.0.0.0",
                     "address to listen on (0.0.0.0 all IPv4, :: all IPv6, 127.0.0.1 local)"),
    GW_CONFIG_INT("port", "1502", 1, 65535,
                  "TCP port; the standard 502 needs root or CAP_NET_BIND_SERVICE"),
    GW_CONFIG_INT("max_clients", "6", 1, 1024,
                  "simultaneous clients; the next one is accepted and closed at once"),
    GW_CONFIG_INT("idle_timeout", "60", 0, 86400,
                  "seconds without a request before a client is dropped (0: never)"),
    GW_CONFIG_INT("frame_timeout_ms", "2000", 10, 600000,
                  "a partial frame, or answers the client does not read, are dropped after this"),
    GW_CONFIG_INT("unit_id", "0", 0, 247,
                  "0: answer any unit id (up to 20 chargers); else the unit id of chargers 0-19, "
                  "further units carry chargers 20-39, 40-59, ..."),
    GW_CONFIG_INT("chargers", "20", 1, 4940, "chargers exposed; 20 per unit id"),
    GW_MB_ENGINE_CONFIG_KEYS,
    GW_CONFIG_END,
};

static void tcp_free(tcp_server_t *srv)
{
    if (srv->listen_fd >= 0)
        close(srv->listen_fd);
    if (srv->mb)
        modbus_free(srv->mb);
    gw_mb_engine_free(srv->engine);
    gw_regmap_free(srv->map);
    if (srv->clients)
        g_ptr_array_unref(srv->clients);
    g_free(srv);
}

/* What both validate() and init() check: the address and the map. The
 * engine and map are handed back for init to keep. */
static int tcp_config_parse(gw_ctx_t *ctx, gw_mb_engine_t **engine, gw_regmap_t **map)
{
    char *why = NULL;
    int rc = 0;
    if (gw_conf_addr_check(gw_config_string(ctx, "bind_address"), false, &why) < 0) {
        gw_config_error(ctx, "bind_address", "%s", why);
        g_free(why);
        rc = -EINVAL;
    } else {
        /* another listener (a second [modbus_tcp:NAME], ocpp_cs, diag) may want it */
        gw_config_claim_tcp(ctx, "port", gw_config_string(ctx, "bind_address"),
                            (int)gw_config_int(ctx, "port"));
    }
    *engine = gw_mb_engine_load(ctx, gw_config_string(ctx, "register_map"),
                                gw_config_string(ctx, "float_order"),
                                (unsigned)gw_config_int(ctx, "chargers"), 0, map);
    if (!*engine)
        rc = -EINVAL;
    if (rc < 0) {
        gw_mb_engine_free(*engine);
        gw_regmap_free(*map);
        *engine = NULL;
        *map = NULL;
    }
    return rc;
}

static int tcp_validate(gw_ctx_t *ctx, const gw_host_api_t *api)
{
    gw_mb_engine_t *engine;
    gw_regmap_t *map;
    (void)api;
    int rc = tcp_config_parse(ctx, &engine, &map);
    gw_mb_engine_free(engine); /* before the map it points into */
    gw_regmap_free(map);
    return rc;
}

static int tcp_init(gw_ctx_t *ctx, const gw_host_api_t *api, void **state)
{
    tcp_server_t *srv = g_new0(tcp_server_t, 1);
    (void)api;
    srv->ctx = ctx;
    srv->listen_fd = -1;
    srv->clients = g_ptr_array_new();
    srv->max_clients = (unsigned)gw_config_int(ctx, "max_clients");
    srv->idle_timeout_ms = gw_config_int(ctx, "idle_timeout") * 1000;
    srv->frame_timeout_ms = gw_config_int(ctx, "frame_timeout_ms");
    srv->unit_id = (int)gw_config_int(ctx, "unit_id");
    if (tcp_config_parse(ctx, &srv->engine, &srv->map) < 0) {
        tcp_free(srv);
        return -EINVAL;
    }
    srv->mb = modbus_new_tcp("127.0.0.1", 502);   /* only frames replies */
    if (!srv->mb) {
        if (!srv->mb)
            gw_log(ctx, GW_LOG_ERROR, "modbus_new_tcp failed");
        tcp_free(srv);
        return -EINVAL;
    }
    /* bind now: a port in use stops start-up with a clear message */
    srv->listen_fd = tcp_listen_open(ctx, gw_config_string(ctx, "bind_address"),
                                     (int)gw_config_int(ctx, "port"));
    if (srv->listen_fd < 0) {
        int rc = srv->listen_fd;
        tcp_free(srv);
        return rc;
    }
    *state = srv;
    return 0;
}

static int tcp_start(gw_ctx_t *ctx, void *state)
{
    tcp_server_t *srv = state;
    uint32_t sweep = (uint32_t)MIN(srv->frame_timeout_ms, 1000);
    gw_mb_engine_bind(srv->engine);
    srv->listen_watch = gw_watch_add(ctx, srv->listen_fd, GW_WATCH_READ, tcp_listen_accept, srv);
    if (srv->listen_watch < 0)
        return (int)srv->listen_watch;
    srv->sweep_timer = gw_timer_add(ctx, sweep / 2 ? sweep / 2 : 1, GW_TIMER_REPEAT,
                                    tcp_client_sweep, srv);
    if (srv->sweep_timer < 0)
        return (int)srv->sweep_timer;
    gw_log(ctx, GW_LOG_INFO, "listening on %s port %d, max_clients %u, %u unit(s)",
           gw_config_string(ctx, "bind_address"), (int)gw_config_int(ctx, "port"),
           srv->max_clients, gw_mb_engine_pages(srv->engine));
    return 0;
}

static void tcp_stop(gw_ctx_t *ctx, void *state)
{
    tcp_server_t *srv = state;
    while (srv->clients->len)
        tcp_client_close(g_ptr_array_index(srv->clients, srv->clients->len - 1), "stopping");
    if (srv->listen_watch > 0)
        gw_watch_remove(ctx, srv->listen_watch);
    if (srv->sweep_timer > 0)
        gw_timer_cancel(ctx, srv->sweep_timer);
    srv->listen_watch = srv->sweep_timer = 0;
    close(srv->listen_fd);
    srv->listen_fd = -1;
}

static void tcp_fini(gw_ctx_t *ctx, void *state)
{
    (void)ctx;
    tcp_free(state);
}

GW_PLUGIN_DEFINE("modbus_tcp", "1.0", "Modbus TCP server on the register map",
                 .flags = GW_PLUGIN_MULTI_INSTANCE, .config_keys = tcp_keys, .validate = tcp_validate, .init = tcp_init,
                 .start = tcp_start, .stop = tcp_stop, .fini = tcp_fini);
