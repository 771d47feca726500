/*
 * ocpp_ws.h - the OCPP-J WebSocket server on its own libwebsockets service
 * thread (DESIGN §6).
 *
 * Debian's lws 4.1.6 cannot join the libevent loop, so the lws context runs
 * on a thread of its own:
 *   loop -> lws: gw_ocpp_ws_send()/close() queue a command and wake the
 *                service thread with lws_cancel_service(); the thread moves
 *                output to its connections and writes one message per
 *                WRITEABLE callback (LWS_PRE headroom).
 *   lws -> loop: every open, message (reassembled from fragments, at most
 *                max_message bytes), close and refused handshake is handed
 *                to the loop with gw_post(); callbacks run on the loop.
 * Connections are named by a 32-bit id, never by their wsi, so nothing on
 * the loop touches lws state. Client (upstream) connections can be added on
 * the same context later: the session, queue and delivery code does not
 * care which side opened the connection.
 */
#ifndef GW_OCPP_WS_H
#define GW_OCPP_WS_H

#include <stddef.h>
#include <stdint.h>
#include <gw/gw.h>
#include "ocpp_refusal.h"

typedef struct gw_ocpp_ws gw_ocpp_ws_t;

typedef struct gw_ocpp_ws_config {
    const char *bind_address;     /**< "127.0.0.1", "0.0.0.0" or NULL (any) */
    int port;                     /**< 0 = any free port (see gw_ocpp_ws_port) */
    const char *path_prefix;      /**< "ocpp": URLs are /ocpp/<ChargerID>; "" = /<ChargerID> */
    const char *subprotocol;      /**< "ocpp1.6" */
    size_t max_message;           /**< bigger messages close the connection (1009) */
    unsigned ping_interval_s;     /**< 0 = no pings */
} gw_ocpp_ws_config_t;

typedef struct gw_ocpp_ws_handlers {
    /**
     * Service thread: is this ChargerID known? Must be thread-safe (read
     * only immutable data). @return its index >= 0, or a negative errno to
     * refuse the handshake with HTTP 404. Asked only once the path and
     * the subprotocol are right, so that the status of a refusal never
     * tells whether an id is configured.
     */
    int (*lookup)(void *user, const char *charger_id);
    /** Loop: a known charger connected (a new connection for a connected
     *  index arrives here too; the owner decides to replace). */
    void (*opened)(void *user, uint32_t conn, int index, const char *peer);
    /** Loop: one complete text message; text is NUL-terminated, owned by
     *  the callee (free() it). */
    void (*message)(void *user, uint32_t conn, int index, char *text, size_t len);
    /** Loop: the connection is gone. */
    void (*closed)(void *user, uint32_t conn, int index);
    /** Loop: a handshake was refused and answered with
     *  gw_ocpp_refusal_status(reason). `what` is the ChargerID as sent
     *  (percent-decoded, any bytes but controls) or, for a wrong path, the
     *  path; `detail` the subprotocols offered, or NULL. */
    void (*refused)(void *user, gw_ocpp_refusal_t reason, const char *what, const char *detail,
                    const char *peer);
} gw_ocpp_ws_handlers_t;

/** Create the server and start its thread (loop thread). @return NULL and
 *  *error (g_free()) on failure: bad address, port in use. */
gw_ocpp_ws_t *gw_ocpp_ws_start(gw_ctx_t *ctx, const gw_ocpp_ws_config_t *cfg,
                               const gw_ocpp_ws_handlers_t *handlers, void *user, char **error);

/** The port actually listened on. */
int gw_ocpp_ws_port(const gw_ocpp_ws_t *ws);

/** Queue a text message for a connection (loop thread; copied).
 *  @return 0, -ENOENT (connection unknown or gone, detected later), -ENOMEM */
int gw_ocpp_ws_send(gw_ocpp_ws_t *ws, uint32_t conn, const char *text, size_t len);

/** Close a connection with a WebSocket close code (loop thread). */
int gw_ocpp_ws_close(gw_ocpp_ws_t *ws, uint32_t conn, int close_code);

/** Stop the thread and close every connection (loop thread). Posted
 *  callbacks may still run until the instance's fini. */
void gw_ocpp_ws_stop(gw_ocpp_ws_t *ws);

/** Free after stop (fini). */
void gw_ocpp_ws_free(gw_ocpp_ws_t *ws);

#endif
