/*
 * site.h - what the viewer knows about chargers, built from events:
 * ocpp.charger (connected, disconnected, boot), ocpp.frame (last message)
 * and ocpp.scan (unknown chargers knocking). Loop thread.
 */
#ifndef GW_DIAG_SITE_H
#define GW_DIAG_SITE_H

#include <glib.h>
#include <stdbool.h>
#include <json-c/json.h>

typedef struct gw_diag_site gw_diag_site_t;

gw_diag_site_t *gw_diag_site_new(void);
void gw_diag_site_free(gw_diag_site_t *site);

/** Take in an event. @return true when the chargers or scan list changed. */
bool gw_diag_site_on_event(gw_diag_site_t *site, const char *name, json_object *payload);

/**
 * New reference: [{charger, index, connected, ...}] in index order, plus an
 * entry {charger: ids[i] (null when ids or ids[i] is NULL), index,
 * connected: false, last_event: "never connected"} for each of the n
 * configured charger indices no event named.
 */
json_object *gw_diag_site_chargers_json(gw_diag_site_t *site, const int *configured,
                                        const char *const *ids, size_t n);
/** New reference: [{charger_id, address, first_seen, last_seen, attempts}]. */
json_object *gw_diag_site_scan_json(gw_diag_site_t *site);

void gw_diag_site_render_metrics(gw_diag_site_t *site, GString *out);

#endif
