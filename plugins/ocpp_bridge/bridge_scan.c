/*
 * bridge_scan.c - the bridge's scan list (the reference's "OCPP Scan"):
 * unknown ChargerIDs that knocked, kept by the shared list code
 * (ocpp_common/ocpp_scan.c), shown as read-only points
 * ocpp_bridge.scan.count and ocpp_bridge.scan.N.* (the first
 * BR_SCAN_POINTS entries), published as `ocpp.scan` events, and printed on
 * stdout when the core dumps its points (SIGUSR1, event `core.dump`).
 * The names mirror ocpp_cs's `ocpp_cs.scan.*`. Loop thread only.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "bridge.h"
#include "ocpp_common/ocpp_time.h"

static gw_point_id_t br_scan_point(bridge_t *br, const char *name, gw_type_t type,
                                   uint32_t max_len, const char *description)
{
    gw_point_id_t id = gw_point_register(br->ctx, &GW_POINT_DEF(.name = name, .type = type,
                                                                .access = GW_ACCESS_R,
                                                                .max_len = max_len,
                                                                .description = description));
    if (id < 0)
        gw_log(br->ctx, GW_LOG_ERROR, "point %s: %s", name, strerror((int)-id));
    return id;
}

int br_scan_points_register(bridge_t *br)
{
    char name[96];
    br->scan_count = br_scan_point(br, "ocpp_bridge.scan.count", GW_TYPE_UINT16, 0,
                                   "unknown chargers that tried to connect");
    if (br->scan_count < 0)
        return (int)br->scan_count;
    gw_point_set_int(br->ctx, br->scan_count, 0);
    for (int i = 0; i < BR_SCAN_POINTS; i++) {
        br_scan_points_t *p = &br->scan_points[i];
        snprintf(name, sizeof name, "ocpp_bridge.scan.%d.charger_id", i);
        p->charger_id = br_scan_point(br, name, GW_TYPE_STRING, GW_OCPP_CHARGER_ID_MAX, NULL);
        snprintf(name, sizeof name, "ocpp_bridge.scan.%d.address", i);
        p->address = br_scan_point(br, name, GW_TYPE_STRING, BR_PEER_MAX, NULL);
        snprintf(name, sizeof name, "ocpp_bridge.scan.%d.first_seen", i);
        p->first_seen = br_scan_point(br, name, GW_TYPE_DATETIME, 0, NULL);
        snprintf(name, sizeof name, "ocpp_bridge.scan.%d.last_seen", i);
        p->last_seen = br_scan_point(br, name, GW_TYPE_DATETIME, 0, NULL);
        snprintf(name, sizeof name, "ocpp_bridge.scan.%d.attempts", i);
        p->attempts = br_scan_point(br, name, GW_TYPE_UINT32, 0, NULL);
        if (p->charger_id < 0 || p->address < 0 || p->first_seen < 0 || p->last_seen < 0 ||
            p->attempts < 0)
            return -ENOSPC;
    }
    return 0;
}

void br_scan_knock(bridge_t *br, const char *charger_id, const char *peer)
{
    const gw_ocpp_scan_entry_t *e =
        gw_ocpp_scan_record(&br->scan, charger_id, peer, g_get_real_time() / 1000);
    gw_log(br->ctx, GW_LOG_WARNING, "unknown charger '%s' from %s refused (HTTP 404)", charger_id,
           peer);
    if (!e)
        return;
    /* entries move only when the list is full; refresh every shown slot */
    gw_point_set_int(br->ctx, br->scan_count, (int64_t)br->scan.n);
    for (size_t i = 0; i < br->scan.n && i < BR_SCAN_POINTS; i++) {
        const gw_ocpp_scan_entry_t *s = &br->scan.entries[i];
        const br_scan_points_t *p = &br->scan_points[i];
        gw_point_set_string(br->ctx, p->charger_id, s->charger_id);
        gw_point_set_string(br->ctx, p->address, s->address);
        gw_point_set_int(br->ctx, p->first_seen, s->first_seen_ms / 1000);
        gw_point_set_int(br->ctx, p->last_seen, s->last_seen_ms / 1000);
        gw_point_set_int(br->ctx, p->attempts, s->attempts);
    }
    if (gw_event_wanted(br->ctx, "ocpp.scan")) {
        json_object *o = json_object_new_object();
        json_object_object_add(o, "charger_id", json_object_new_string(e->charger_id));
        json_object_object_add(o, "address", json_object_new_string(e->address));
        json_object_object_add(o, "first_seen", json_object_new_int64(e->first_seen_ms));
        json_object_object_add(o, "last_seen", json_object_new_int64(e->last_seen_ms));
        json_object_object_add(o, "attempts", json_object_new_int64(e->attempts));
        gw_event_publish(br->ctx, "ocpp.scan", o);
    }
}

void br_scan_dump(gw_ctx_t *ctx, const char *name, json_object *payload, void *user)
{
    bridge_t *br = user;
    (void)ctx;
    (void)name;
    (void)payload;
    printf("# ocpp_bridge scan list: %zu unknown charger(s)\n", br->scan.n);
    printf("# charger_id\taddress\tfirst_seen\tlast_seen\tattempts\n");
    for (size_t i = 0; i < br->scan.n; i++) {
        const gw_ocpp_scan_entry_t *e = &br->scan.entries[i];
        char first[GW_OCPP_TIME_LEN], last[GW_OCPP_TIME_LEN];
        gw_ocpp_time_format(e->first_seen_ms, first, sizeof first);
        gw_ocpp_time_format(e->last_seen_ms, last, sizeof last);
        printf("ocpp_bridge.scan\t%s\t%s\t%s\t%s\t%u\n", e->charger_id, e->address, first, last,
               e->attempts);
    }
    fflush(stdout);
}
