/*
 * ocpp_scan.c - bounded list of refused handshakes (unknown chargers first).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ocpp_scan.h"
#include "text/gw_text.h"

int gw_ocpp_scan_init(gw_ocpp_scan_t *scan, size_t max_entries)
{
    memset(scan, 0, sizeof *scan);
    scan->max = max_entries;
    if (max_entries == 0)
        return 0;
    scan->entries = calloc(max_entries, sizeof *scan->entries);
    return scan->entries ? 0 : -ENOMEM;
}

void gw_ocpp_scan_clear(gw_ocpp_scan_t *scan)
{
    free(scan->entries);
    memset(scan, 0, sizeof *scan);
}

const gw_ocpp_scan_entry_t *gw_ocpp_scan_record(gw_ocpp_scan_t *scan, gw_ocpp_refusal_t reason,
                                                const char *charger_id, const char *address,
                                                int64_t now_ms)
{
    gw_ocpp_scan_entry_t *e = NULL;
    char id[sizeof e->charger_id];
    /* compared escaped: the same bytes always escape the same way */
    gw_text_escape(charger_id, charger_id ? strlen(charger_id) : 0, id, sizeof id, GW_TEXT_PLAIN);
    for (size_t i = 0; i < scan->n && !e; i++)
        if (scan->entries[i].reason == reason && strcmp(scan->entries[i].charger_id, id) == 0)
            e = &scan->entries[i];
    if (!e) {
        if (scan->max == 0)
            return NULL;
        if (scan->n < scan->max) {
            e = &scan->entries[scan->n++];
        } else {
            e = &scan->entries[0];
            for (size_t i = 1; i < scan->n; i++)
                if (scan->entries[i].last_seen_ms < e->last_seen_ms)
                    e = &scan->entries[i];
        }
        memset(e, 0, sizeof *e);
        memcpy(e->charger_id, id, sizeof id);
        e->reason = reason;
        e->first_seen_ms = now_ms;
    }
    gw_text_escape(address, address ? strlen(address) : 0, e->address, sizeof e->address, GW_TEXT_PLAIN);
    e->last_seen_ms = now_ms;
    e->attempts++;
    return e;
}
