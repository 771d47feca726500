/* ocpp_scan_view.c - see ocpp_scan_view.h. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <glib.h>
#include <json-c/json.h>
#include "ocpp_scan_view.h"
#include "text/gw_text.h"
#include "ocpp_time.h"

static gw_point_id_t scan_point(gw_ocpp_scan_view_t *v, const char *leaf, int slot,
                                gw_type_t type, uint32_t max_len, const char *description)
{
    char name[96];
    if (slot < 0)
        snprintf(name, sizeof name, "%s.scan.%s", v->prefix, leaf);
    else
        snprintf(name, sizeof name, "%s.scan.%d.%s", v->prefix, slot, leaf);
    gw_point_id_t id = gw_point_register(v->ctx, &GW_POINT_DEF(.name = name, .type = type,
                                                               .access = GW_ACCESS_R,
                                                               .max_len = max_len,
                                                               .description = description));
    if (id < 0)
        gw_log(v->ctx, GW_LOG_ERROR, "cannot register %s: %s", name, strerror((int)-id));
    return id;
}

static void scan_dump(gw_ctx_t *ctx, const char *name, json_object *payload, void *user)
{
    gw_ocpp_scan_view_t *v = user;
    (void)ctx;
    (void)name;
    (void)payload;
    printf("# %s scan list: %zu refused handshake(s)\n", v->prefix, v->list.n);
    printf("# charger_id\taddress\tfirst_seen\tlast_seen\tattempts\treason\n");
    for (size_t i = 0; i < v->list.n; i++) {
        const gw_ocpp_scan_entry_t *e = &v->list.entries[i];
        char first[GW_OCPP_TIME_LEN], last[GW_OCPP_TIME_LEN];
        gw_ocpp_time_format(e->first_seen_ms, first, sizeof first);
        gw_ocpp_time_format(e->last_seen_ms, last, sizeof last);
        /* the reason last: the columns before it are where they were */
        printf("%s.scan\t%s\t%s\t%s\t%s\t%u\t%s\n", v->prefix, e->charger_id, e->address, first,
               last, e->attempts, gw_ocpp_refusal_name(e->reason));
    }
    fflush(stdout);
}

int gw_ocpp_scan_view_init(gw_ocpp_scan_view_t *v, gw_ctx_t *ctx, const char *prefix,
                           size_t max_entries)
{
    memset(v, 0, sizeof *v);
    v->ctx = ctx;
    snprintf(v->prefix, sizeof v->prefix, "%s", prefix);
    if (gw_ocpp_scan_init(&v->list, max_entries) < 0)
        return -ENOMEM;
    v->count = scan_point(v, "count", -1, GW_TYPE_UINT16, 0,
                          "refused handshakes (unknown chargers, wrong paths, subprotocols)");
    if (v->count < 0)
        return (int)v->count;
    gw_point_set_int(ctx, v->count, 0);
    for (int i = 0; i < GW_OCPP_SCAN_POINTS; i++) {
        gw_ocpp_scan_slot_t *s = &v->slot[i];
        s->charger_id = scan_point(v, "charger_id", i, GW_TYPE_STRING,
                                   sizeof v->list.entries[0].charger_id - 1, NULL);
        s->reason = scan_point(v, "reason", i, GW_TYPE_STRING, 16,
                               "unknown id, wrong path or subprotocol");
        s->address = scan_point(v, "address", i, GW_TYPE_STRING,
                                sizeof v->list.entries[0].address - 1, NULL);
        s->first_seen = scan_point(v, "first_seen", i, GW_TYPE_DATETIME, 0, NULL);
        s->last_seen = scan_point(v, "last_seen", i, GW_TYPE_DATETIME, 0, NULL);
        s->attempts = scan_point(v, "attempts", i, GW_TYPE_UINT32, 0, NULL);
        if (s->charger_id < 0 || s->reason < 0 || s->address < 0 || s->first_seen < 0 || s->last_seen < 0 ||
            s->attempts < 0)
            return -ENOSPC;
    }
    if (gw_event_subscribe(ctx, "core.dump", scan_dump, v) < 0)
        gw_log(ctx, GW_LOG_WARNING, "the scan list will not be printed on SIGUSR1");
    return 0;
}

void gw_ocpp_scan_view_clear(gw_ocpp_scan_view_t *v)
{
    gw_ocpp_scan_clear(&v->list);
}

static void scan_log(gw_ocpp_scan_view_t *v, gw_ocpp_refusal_t reason, const char *what,
                     const char *detail, const char *address)
{
    uint32_t suppressed;
    /* monotonic: a clock set back by the BMS must not silence a peer */
    int64_t mono_ms = g_get_monotonic_time() / 1000;
    if (!gw_ocpp_refusal_log_admit(&v->log, address, mono_ms, &suppressed))
        return;
    char w[200], d[200], a[80], more[96] = "";
    gw_text_escape(what, what ? strlen(what) : 0, w, sizeof w, GW_TEXT_PLAIN);
    gw_text_escape(detail, detail ? strlen(detail) : 0, d, sizeof d, GW_TEXT_PLAIN);
    gw_text_escape(address, address ? strlen(address) : 0, a, sizeof a, GW_TEXT_PLAIN);
    if (suppressed)
        snprintf(more, sizeof more, "; %u more refused handshake(s) were not logged", suppressed);
    /* "unknown charger 'X' from A refused (HTTP 404)": the wording kept
     * from before the other reasons were logged */
    static const char *const what_is[] = { [GW_OCPP_REFUSED_UNKNOWN_ID] = "unknown charger",
                                           [GW_OCPP_REFUSED_PATH] = "wrong path",
                                           [GW_OCPP_REFUSED_SUBPROTOCOL] = "subprotocol: charger" };
    gw_log(v->ctx, GW_LOG_WARNING, "%s '%s' from %s refused%s%s%s (HTTP %d)%s", what_is[reason], w,
           a, d[0] ? " (" : "", d, d[0] ? ")" : "", gw_ocpp_refusal_status(reason), more);
}

void gw_ocpp_scan_view_refuse(gw_ocpp_scan_view_t *v, gw_ocpp_refusal_t reason, const char *what,
                              const char *detail, const char *address, int64_t now_ms)
{
    scan_log(v, reason, what, detail, address);
    const gw_ocpp_scan_entry_t *e = gw_ocpp_scan_record(&v->list, reason, what, address, now_ms);
    if (!e)
        return;
    /* entries move only when the list is full; refresh every shown slot */
    gw_point_set_int(v->ctx, v->count, (int64_t)v->list.n);
    for (size_t i = 0; i < v->list.n && i < GW_OCPP_SCAN_POINTS; i++) {
        const gw_ocpp_scan_entry_t *s = &v->list.entries[i];
        const gw_ocpp_scan_slot_t *p = &v->slot[i];
        gw_point_set_string(v->ctx, p->charger_id, s->charger_id);
        gw_point_set_string(v->ctx, p->reason, gw_ocpp_refusal_name(s->reason));
        gw_point_set_string(v->ctx, p->address, s->address);
        gw_point_set_int(v->ctx, p->first_seen, s->first_seen_ms / 1000);
        gw_point_set_int(v->ctx, p->last_seen, s->last_seen_ms / 1000);
        gw_point_set_int(v->ctx, p->attempts, s->attempts);
    }
    if (gw_event_wanted(v->ctx, "ocpp.scan")) {
        json_object *o = json_object_new_object();
        json_object_object_add(o, "charger_id", json_object_new_string(e->charger_id));
        json_object_object_add(o, "reason", json_object_new_string(gw_ocpp_refusal_name(e->reason)));
        json_object_object_add(o, "address", json_object_new_string(e->address));
        json_object_object_add(o, "first_seen", json_object_new_int64(e->first_seen_ms));
        json_object_object_add(o, "last_seen", json_object_new_int64(e->last_seen_ms));
        json_object_object_add(o, "attempts", json_object_new_int64(e->attempts));
        gw_event_publish(v->ctx, "ocpp.scan", o);
    }
}
