/*
 * ocpp_scan_view.h - the scan list as an OCPP plugin shows it (the
 * reference's "OCPP Scan"): read-only points PREFIX.scan.count and
 * PREFIX.scan.N.{charger_id,address,first_seen,last_seen,attempts} for the
 * first GW_OCPP_SCAN_POINTS entries, an `ocpp.scan` event per knock, and
 * the whole list on stdout when the core dumps its points (SIGUSR1,
 * event `core.dump`). Loop thread only.
 */
#ifndef GW_OCPP_SCAN_VIEW_H
#define GW_OCPP_SCAN_VIEW_H

#include <gw/gw.h>
#include "ocpp_scan.h"

#define GW_OCPP_SCAN_POINTS 8

typedef struct gw_ocpp_scan_slot {
    gw_point_id_t charger_id, address, first_seen, last_seen, attempts;
} gw_ocpp_scan_slot_t;

typedef struct gw_ocpp_scan_view {
    gw_ctx_t *ctx;
    char prefix[32];
    gw_ocpp_scan_t list;
    gw_point_id_t count;
    gw_ocpp_scan_slot_t slot[GW_OCPP_SCAN_POINTS];
} gw_ocpp_scan_view_t;

/** Set up a list of max_entries, register its points under prefix (e.g.
 *  "ocpp_cs") and print it on SIGUSR1. Call from init. @return 0 or -errno. */
int gw_ocpp_scan_view_init(gw_ocpp_scan_view_t *v, gw_ctx_t *ctx, const char *prefix,
                           size_t max_entries);
void gw_ocpp_scan_view_clear(gw_ocpp_scan_view_t *v);
/** Record a refused ChargerID: the list, its points and the event. */
void gw_ocpp_scan_view_knock(gw_ocpp_scan_view_t *v, const char *charger_id, const char *address,
                             int64_t now_ms);

#endif
