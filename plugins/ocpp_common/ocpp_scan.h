/*
 * ocpp_scan.h - the scan list: unknown ChargerIDs that tried to connect
 * (the reference product's "OCPP Scan"). Bounded; when full, the entry
 * seen longest ago makes room. Loop thread only.
 */
#ifndef GW_OCPP_SCAN_H
#define GW_OCPP_SCAN_H

#include <stddef.h>
#include <stdint.h>

typedef struct gw_ocpp_scan_entry {
    char charger_id[129];
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
/** Record a knock. @return the entry (valid until the next record), or
 *  NULL when the list has no room at all (max 0). */
const gw_ocpp_scan_entry_t *gw_ocpp_scan_record(gw_ocpp_scan_t *scan, const char *charger_id,
                                                const char *address, int64_t now_ms);

#endif
