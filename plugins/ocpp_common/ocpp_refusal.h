/*
 * ocpp_refusal.h - refused WebSocket handshakes, the same way in ocpp_cs
 * and ocpp_bridge: why (the reason), what the charger is answered (the HTTP
 * status) and how often it is logged.
 *
 * The status depends on the reason only, and the checks run in an order
 * (path, subprotocol, then the ChargerID) that makes a configured and an
 * unknown ChargerID indistinguishable until the handshake succeeds: the
 * status must not tell a scanner which ids exist.
 *
 * Logging is once per peer address and window (GW_OCPP_REFUSAL_WINDOW_MS),
 * and at most GW_OCPP_REFUSAL_LOG_BUDGET lines per window over all peers:
 * a charger knocking every second, or a scan from many addresses, cannot
 * fill the log. The refusals not logged are counted and the next line
 * says how many. Loop thread only.
 */
#ifndef GW_OCPP_REFUSAL_H
#define GW_OCPP_REFUSAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum gw_ocpp_refusal {
    GW_OCPP_REFUSED_UNKNOWN_ID = 0, /**< a ChargerID not in the charger list */
    GW_OCPP_REFUSED_PATH,           /**< not <prefix>/<ChargerID>, or no usable id in it */
    GW_OCPP_REFUSED_SUBPROTOCOL,    /**< no subprotocol offered, or none we speak */
} gw_ocpp_refusal_t;

/** "unknown id", "wrong path", "subprotocol": shown in the scan list. */
const char *gw_ocpp_refusal_name(gw_ocpp_refusal_t reason);
/** The HTTP status a refused handshake is answered with: 404 for a wrong
 *  path or an unknown id, 400 for the subprotocol. */
int gw_ocpp_refusal_status(gw_ocpp_refusal_t reason);

#define GW_OCPP_REFUSAL_WINDOW_MS 60000
#define GW_OCPP_REFUSAL_PEERS 256
#define GW_OCPP_REFUSAL_LOG_BUDGET 32

typedef struct gw_ocpp_refusal_peer {
    char address[64];
    int64_t window_start_ms;
    uint32_t suppressed;          /**< refusals not logged since its last line */
} gw_ocpp_refusal_peer_t;

typedef struct gw_ocpp_refusal_log {
    gw_ocpp_refusal_peer_t peers[GW_OCPP_REFUSAL_PEERS];
    size_t n;
    int64_t window_start_ms;      /**< the budget's window, all peers */
    uint32_t logged;              /**< lines in that window */
    uint32_t suppressed_other;    /**< refusals over budget, not counted to a peer */
} gw_ocpp_refusal_log_t;

/**
 * A handshake from `address` was refused at now_ms: may it be logged?
 * @param suppressed out: refusals that were not logged before this one
 *        (from this peer, plus those over the overall budget)
 * @return true: log one line now
 */
bool gw_ocpp_refusal_log_admit(gw_ocpp_refusal_log_t *log, const char *address, int64_t now_ms,
                               uint32_t *suppressed);

#endif
