/*
 * bridge.h - ocpp_bridge: chargers relayed byte for byte to an external
 * OCPP Central System, what passes parsed on the side into read-only
 * points (docs/bridge.md). Internal header shared by the plugin's files.
 *
 * Threads:
 *   loop    - accepts charger sockets and reads their HTTP upgrade request
 *             (bridge_accept.c), owns points, events and the scan list.
 *   relay   - one libwebsockets service thread (bridge_relay.c) that opens
 *             the upstream connection first, then adopts the charger's
 *             socket, and moves every frame between the two on that thread.
 *             Copies of the frames are posted to the loop for the points.
 */
#ifndef GW_OCPP_BRIDGE_H
#define GW_OCPP_BRIDGE_H

#include <stdbool.h>
#include <stdint.h>
#include <glib.h>
#include <json-c/json.h>
#include <gw/gw.h>
#include "modbus_common/regmap.h"
#include "ocpp_common/ocpp_chargers.h"
#include "ocpp_common/ocpp_frame.h"
#include "ocpp_common/ocpp_reported.h"
#include "ocpp_common/ocpp_scan_view.h"
#include "ocpp_common/ws_client.h"

#define BR_MAX_CONNECTORS 7     /* yy 1..7; yy 0 is the charge point */
#define BR_MAX_INDEX 4096       /* charger indexes 0..4095 */
#define BR_REQUEST_MAX 2048     /* lws adopts at most this much read-ahead */
#define BR_PEER_MAX 64
#define BR_PENDING_MAX 64       /* unanswered CALLs remembered per charger */

typedef struct bridge bridge_t;
typedef struct br_relay br_relay_t;

/* ------------------------------------------------ the HTTP upgrade request */

/* bridge_http.c: what the loop reads before anything is decided. */
typedef struct br_request {
    char charger_id[GW_OCPP_CHARGER_ID_MAX + 1];
    const char *auth;           /* Authorization value inside the buffer, or NULL */
    size_t auth_len;
    const char *protocols;      /* Sec-WebSocket-Protocol value, or NULL */
    size_t protocols_len;
    size_t protocols_off;       /* offset of that value in the request */
    size_t head_len;            /* bytes up to and including the blank line */
    const char *uri;            /* the request target inside the buffer (for a refusal) */
    size_t uri_len;
} br_request_t;

/** Status to refuse with when the request is not a usable upgrade. */
typedef enum br_http_verdict {
    BR_HTTP_INCOMPLETE = 0,     /* need more bytes */
    BR_HTTP_OK = 101,
    BR_HTTP_BAD_REQUEST = 400,
    BR_HTTP_NOT_FOUND = 404,    /* not under our path prefix */
    BR_HTTP_TOO_LARGE = 431,
} br_http_verdict_t;

br_http_verdict_t br_http_parse(const char *buf, size_t len, const char *prefix,
                                br_request_t *req);
/* A copy of the request whose Sec-WebSocket-Protocol is `protocol` (or
 * removed when NULL), so lws answers the charger what upstream chose.
 * @return malloc'd, *out_len set; NULL when out of memory */
char *br_http_with_protocol(const char *buf, size_t len, const br_request_t *req,
                            const char *protocol, size_t *out_len);
/* Send a complete refusal on a plain socket, best effort. */
void br_http_refuse(int fd, int status);

/* ------------------------------------------------- frames the relay writes */

/* bridge_wsframe.c: whole-message WebSocket frames, packed several to a
 * send. Masks (client side) come from a pool refilled by getrandom(). */
typedef struct br_mask_pool {
    unsigned char bytes[4096];
    size_t off;
    bool filled;
} br_mask_pool_t;

/** Bytes one frame of a len-byte payload takes (header, mask, payload). */
size_t br_wsframe_size(size_t len, bool masked);
/** Write one final text/binary frame at out (br_wsframe_size() bytes),
 * masked with mask[4] when mask is not NULL. @return bytes written */
size_t br_wsframe_put(unsigned char *out, bool binary, const unsigned char *payload, size_t len,
                      const unsigned char *mask);
/** The next 4 mask bytes. @return 0, or -EIO when no randomness */
int br_mask_next(br_mask_pool_t *pool, unsigned char mask[4]);

/* ------------------------------------------------------------- the relay */

/* A charger handed from the loop to the relay thread (owned by it then). */
typedef struct br_handover {
    int fd;
    int index;
    char charger_id[GW_OCPP_CHARGER_ID_MAX + 1];
    char peer[BR_PEER_MAX];
    char *request;              /* raw HTTP request, head plus read-ahead */
    size_t request_len;
    br_request_t req;           /* parsed; pointers into request */
    char *auth;                 /* Authorization to send upstream, or NULL */
    char *protocols;            /* subprotocols to offer upstream, or NULL */
} br_handover_t;

void br_handover_free(br_handover_t *h);

typedef enum br_dir { BR_FROM_CHARGER, BR_FROM_CS } br_dir_t;

/* What the relay thread reports; callbacks run on the loop. */
typedef struct br_relay_events {
    void (*opened)(bridge_t *br, int index, uint32_t conn, const char *peer,
                   const char *protocol);
    /* text is NUL-terminated and the callee's (free()) */
    void (*frame)(bridge_t *br, int index, uint32_t conn, br_dir_t dir, char *text, size_t len);
    /* code: the close code passed on (or 1006 when a side just vanished) */
    void (*closed)(bridge_t *br, int index, uint32_t conn, const char *why, int code);
    /* the charger was refused because upstream was not reachable (status
     * 502) or answered its handshake with an error (status passed on) */
    void (*refused)(bridge_t *br, int index, const char *charger_id, const char *peer,
                    int status, const char *why);
} br_relay_events_t;

typedef struct br_relay_config {
    const gw_ws_client_url_t *upstream;
    const char *ca_file;        /* NULL or "": the system's default */
    bool tls_verify;
    const char *const *subprotocols;  /* what the charger side may agree to */
    size_t max_message;
    unsigned ping_interval_s;
    unsigned connect_timeout_s;
    unsigned busy_poll_us;      /* see gw_lws_loop_start() */
    unsigned call_hold_s;       /* hold a charger after its CALL this long; 0 = never */
} br_relay_config_t;

br_relay_t *br_relay_start(bridge_t *br, gw_ctx_t *ctx, const br_relay_config_t *cfg,
                           const br_relay_events_t *events, char **error);
/* Hand a charger over (loop thread); ownership passes even on failure. */
int br_relay_submit(br_relay_t *relay, br_handover_t *h);
/* Open one upstream connection without a charger (check_upstream), wait
 * for the outcome (loop thread, blocking, bounded).
 * @return 101 when it opened, else the HTTP status a charger would get;
 *         why says what happened (the subprotocol on success) */
int br_relay_probe(br_relay_t *relay, br_handover_t *h, unsigned timeout_s, char *why,
                   size_t why_len);
void br_relay_stop(br_relay_t *relay);
/* Hand every frame to the loop (somebody watches ocpp.frame), or only
 * those that change points. Any thread. */
void br_relay_want_all_frames(br_relay_t *relay, bool yes);
void br_relay_free(br_relay_t *relay);

/* ---------------------------------------------------------- the acceptor */

typedef struct br_acceptor br_acceptor_t;
br_acceptor_t *br_accept_start(bridge_t *br, const char *address, int port, char **error);
int br_accept_port(const br_acceptor_t *a);
void br_accept_stop(br_acceptor_t *a);

/* --------------------------------------------------------------- points */

typedef struct br_txn_slot {
    char msg_id[GW_OCPP_ID_MAX + 1];
    int connector;
    char id_tag[21];
    double meter_start;
    int64_t timestamp;
} br_txn_slot_t;

typedef struct br_pending {
    char msg_id[GW_OCPP_ID_MAX + 1];
    char action[40];
    br_dir_t dir;               /* who sent the CALL */
    br_txn_slot_t txn;          /* StartTransaction: what the answer completes */
} br_pending_t;

typedef struct br_charger {
    int index;
    const gw_ocpp_charger_cfg_t *cfg;
    uint32_t conn;              /* 0 = not connected */
    gw_point_id_t comm_status, box_serial, point_serial, vendor, model, upstream_error;
    gw_point_id_t txn_id[BR_MAX_CONNECTORS + 1];
    /* what the charger reported (every map point but comm_status, and the
     * transaction ids): comm_error while it is away */
    gw_ocpp_reported_t reported;
    int64_t txn_of[BR_MAX_CONNECTORS + 1];   /* open transactionId per connector, 0 none */
    br_pending_t pending[BR_PENDING_MAX];    /* ring of unanswered CALLs */
    unsigned pending_next;
} br_charger_t;

struct bridge {
    gw_ctx_t *ctx;
    gw_regmap_t *map;
    gw_ocpp_chargers_t *chargers_cfg;
    br_charger_t **by_index;
    int n_index;
    gw_ocpp_scan_view_t scan;   /* unknown chargers: list, points, event, dump */
    char *prefix;               /* "/ocpp/" */
    gw_ws_client_url_t upstream;
    GHashTable *credentials;    /* ChargerID -> Authorization value */
    bool pass_authorization;
    char **subprotocols;
    /* enumerations read from the map, for names -> register codes */
    const char *status_enum, *error_enum, *unit_enum;
    br_relay_t *relay;
    br_acceptor_t *acceptor;
    gw_timer_id_t watch_timer;  /* follows whether ocpp.frame is wanted */
    int point_error;
};

/* bridge_config.c: what the key table cannot check, parsed once for both
 * validate() and init(); problems are reported with gw_config_error(). */
typedef struct br_config {
    gw_ws_client_url_t upstream;
    GHashTable *credentials;    /* ChargerID -> Authorization value */
    char **subprotocols;
    gw_ocpp_chargers_t *chargers;
    gw_regmap_t *map;
} br_config_t;
int br_config_parse(gw_ctx_t *ctx, br_config_t *out);
void br_config_clear(br_config_t *cfg);

/* bridge_points.c */
int br_points_register(bridge_t *br, br_charger_t *ch);
void br_points_comm(bridge_t *br, br_charger_t *ch, bool up);
/* "code=Name;..." -> the code of name, or -1 */
int br_enum_code(const char *values, const char *name);
gw_point_id_t br_point(bridge_t *br, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* bridge_frames.c: parse what passed, on the loop */
void br_frames_observe(bridge_t *br, br_charger_t *ch, br_dir_t dir, const char *text,
                       size_t len);

/* bridge_check.c: the check_upstream mode */
int br_check_upstream(bridge_t *br, const br_relay_config_t *cfg, const char *charger_id);

#endif
