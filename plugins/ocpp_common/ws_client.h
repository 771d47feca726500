/*
 * ws_client.h - the upstream side of an OCPP-J WebSocket: a client
 * connection from gatewayd to an external Central System (ocpp_bridge; any
 * OCPP plugin that dials out).
 *
 * The helpers here are pure (URL parsing, Authorization values, close
 * codes) except gw_ws_client_connect() and gw_ws_client_append_auth(),
 * which must run on the lws service thread that owns the context.
 */
#ifndef GW_WS_CLIENT_H
#define GW_WS_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct lws;
struct lws_context;
struct lws_vhost;
struct lws_retry_bo;

#define GW_WS_CLIENT_HOST_MAX 256
#define GW_WS_CLIENT_PATH_MAX 512

/** A parsed ws:// or wss:// URL. */
typedef struct gw_ws_client_url {
    bool tls;                            /**< wss:// */
    char host[GW_WS_CLIENT_HOST_MAX];    /**< name or address, without brackets */
    int port;                            /**< explicit, else 80 / 443 */
    char path[GW_WS_CLIENT_PATH_MAX];    /**< "/ocpp" or "" (never ends with '/') */
} gw_ws_client_url_t;

/**
 * Parse "ws[s]://host[:port][/path]". A query or fragment is refused (the
 * ChargerID is appended to the path).
 * @return 0, or -EINVAL with *error set (g_free())
 */
int gw_ws_client_url_parse(const char *text, gw_ws_client_url_t *url, char **error);

/**
 * The request path for one charger: url->path + "/" + the ChargerID,
 * percent-encoded where it is not an RFC 3986 unreserved character.
 * @return 0 or -ENAMETOOLONG
 */
int gw_ws_client_charger_path(const gw_ws_client_url_t *url, const char *charger_id,
                              char *buf, size_t len);

/** "Basic " + base64("user:password"). @return a g_malloc'd string. */
char *gw_ws_client_basic_auth(const char *user_password);

/** TLS policy for wss:// connections. */
typedef struct gw_ws_client_tls {
    bool verify;                 /**< check the chain against the CA file and the host name */
} gw_ws_client_tls_t;

/** What one upstream connection needs. */
typedef struct gw_ws_client_target {
    const gw_ws_client_url_t *url;
    const char *path;            /**< from gw_ws_client_charger_path() */
    const char *subprotocols;    /**< "ocpp1.6" or a comma list; NULL: none */
    const char *local_protocol;  /**< name of the lws protocol handling the wsi */
    gw_ws_client_tls_t tls;
    const struct lws_retry_bo *retry;  /**< ping/idle policy, may be NULL */
    void *opaque;                /**< lws_get_opaque_user_data() of the wsi */
} gw_ws_client_target_t;

/**
 * Start connecting (service thread). The result arrives as
 * LWS_CALLBACK_CLIENT_ESTABLISHED or LWS_CALLBACK_CLIENT_CONNECTION_ERROR.
 * @param pwsi set early, before any callback, as lws documents
 * @return the wsi, or NULL when the attempt failed at once (the error
 *         callback may already have run)
 */
struct lws *gw_ws_client_connect(struct lws_context *context, struct lws_vhost *vhost,
                                 const gw_ws_client_target_t *target, struct lws **pwsi);

/**
 * In LWS_CALLBACK_CLIENT_APPEND_HANDSHAKE_HEADER: add "Authorization:
 * value" (in and len are the callback's). @return 0, or -1 when it does not
 * fit (the callback should then fail the connection).
 */
int gw_ws_client_append_auth(struct lws *wsi, void *in, size_t len, const char *value);

/**
 * The close code of a peer's close frame (LWS_CALLBACK_WS_PEER_INITIATED_CLOSE
 * hands its payload): 2 bytes big-endian, then an optional reason.
 * @return the code, or 1005 (no status) when the payload has none
 */
int gw_ws_client_close_code(const void *payload, size_t len);

/**
 * The close code to send on when passing a peer's close on: codes that must
 * not appear on the wire (1005 no status, 1006 abnormal, 1015 TLS) become
 * 1001 (going away); others pass unchanged.
 */
int gw_ws_client_close_code_relayable(int code);

#endif
