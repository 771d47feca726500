/*
 * ocpp_scan_view.h - the scan list as an OCPP plugin shows it (the
 * reference's "OCPP Scan"): read-only points PREFIX.scan.count and
 * PREFIX.scan.N.{charger_id,reason,address,first_seen,last_seen,attempts}
 * for the first GW_OCPP_SCAN_POINTS entries, an `ocpp.scan` event per
 * refused handshake, the whole list on stdout when the core dumps its
 * points (SIGUSR1, event `core.dump`), and the refusal's log line, once
 * per peer and window (ocpp_refusal.h). Loop thread only.
 */
#ifndef GW_OCPP_SCAN_VIEW_H
#define GW_OCPP_SCAN_VIEW_H

#include <gw/gw.h>
#include "ocpp_scan.h"
#include "ocpp_refusal.h"

#define GW_OCPP_SCAN_POINTS 8

typedef struct gw_ocpp_scan_slot {
    gw_point_id_t charger_id, reason, address, first_seen, last_seen, attempts;
} gw_ocpp_scan_slot_t;

typedef struct gw_ocpp_scan_view {
    gw_ctx_t *ctx;
    char prefix[32];
    gw_ocpp_scan_t list;
    gw_point_id_t count;
    gw_ocpp_scan_slot_t slot[GW_OCPP_SCAN_POINTS];
    gw_ocpp_refusal_log_t log;
} gw_ocpp_scan_view_t;

/** Set up a list of max_entries, register its points under prefix (e.g.
 *  "ocpp_cs") and print it on SIGUSR1. Call from init. @return 0 or -errno. */
int gw_ocpp_scan_view_init(gw_ocpp_scan_view_t *v, gw_ctx_t *ctx, const char *prefix,
                           size_t max_entries);
void gw_ocpp_scan_view_clear(gw_ocpp_scan_view_t *v);
/**
 * A refused handshake: the list, its points, the event and (rate-limited)
 * a log line "unknown charger 'WHAT' from ADDRESS refused (HTTP 404)"
 * ("wrong path '/x'", "subprotocol: charger 'CP1' ... (offered ocpp2.0)").
 * @param what    the ChargerID as sent, or the path for a wrong path (raw
 *                bytes: escaped here)
 * @param detail  e.g. the subprotocols offered; may be NULL (escaped here)
 */
void gw_ocpp_scan_view_refuse(gw_ocpp_scan_view_t *v, gw_ocpp_refusal_t reason, const char *what,
                              const char *detail, const char *address, int64_t now_ms);

#endif
