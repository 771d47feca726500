/*
 * ocpp_scan.h - the scan list: refused handshakes, unknown ChargerIDs first
 * among them (the reference product's "OCPP Scan"), with the reason. One
 * entry per text and reason. Bounded; when full, the entry seen longest ago
 * makes room. What a peer sent is stored escaped (text/gw_text.h, plain mode): every
 * entry is valid UTF-8. Loop thread only.
 */
#ifndef GW_OCPP_SCAN_H
#define GW_OCPP_SCAN_H

#include <stddef.h>
#include <stdint.h>
#include "ocpp_refusal.h"

typedef struct gw_ocpp_scan_entry {
    char charger_id[129];         /**< the id, or the path for GW_OCPP_REFUSED_PATH; escaped */
    gw_ocpp_refusal_t reason;
    char address[64];
    int64_t first_seen_ms;
    int64_t last_seen_ms;
    uint32_t attempts;
} gw_ocpp_scan_entry_t;

typedef struct gw_ocpp_scan {
    gw_ocpp_scan_entry_t *entries;
    size_t n, max;
} gw_ocpp_scan_t;

int gw_ocpp_scan_init(gw_ocpp_scan_t *scan, size_t max_entries);
void gw_ocpp_scan_clear(gw_ocpp_scan_t *scan);
/** Record a refused handshake: `charger_id` is the id as the peer sent it
 *  (any bytes; for a wrong path, the path). @return the entry (valid until
 *  the next record), or NULL when the list has no room at all (max 0). */
const gw_ocpp_scan_entry_t *gw_ocpp_scan_record(gw_ocpp_scan_t *scan, gw_ocpp_refusal_t reason,
                                                const char *charger_id, const char *address,
                                                int64_t now_ms);

#endif
