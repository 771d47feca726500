/* site.c - the chargers panel and the scan list. */
#include "site.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Both tables are keyed by a charger id a peer chose: bound them so that a
 * stream of made-up ids cannot grow memory without limit. */
#define GW_DIAG_SITE_MAX 1024

struct gw_diag_site {
    GHashTable *chargers;  /* charger id -> json_object* (owned) */
    GHashTable *scan;      /* charger id -> json_object* (owned) */
};

static void gw_diag_site_json_free(gpointer o)
{
    json_object_put(o);
}

gw_diag_site_t *gw_diag_site_new(void)
{
    gw_diag_site_t *s = g_new0(gw_diag_site_t, 1);
    s->chargers = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                        gw_diag_site_json_free);
    s->scan = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                    gw_diag_site_json_free);
    return s;
}

void gw_diag_site_free(gw_diag_site_t *s)
{
    if (!s)
        return;
    g_hash_table_destroy(s->chargers);
    g_hash_table_destroy(s->scan);
    g_free(s);
}

static const char *gw_diag_site_str(json_object *o, const char *key)
{
    json_object *v;
    if (o && json_object_object_get_ex(o, key, &v) && json_object_is_type(v, json_type_string))
        return json_object_get_string(v);
    return NULL;
}

/* Copy key from the event into the record when present. */
static void gw_diag_site_copy(json_object *rec, json_object *ev, const char *key,
                              const char *as)
{
    json_object *v;
    if (json_object_object_get_ex(ev, key, &v) && v)
        json_object_object_add(rec, as ? as : key, json_object_get(v));
}

/* Drop the entry seen longest ago to make room for a new one. */
static void gw_diag_site_evict(GHashTable *t, const char *time_key)
{
    GHashTableIter it;
    gpointer k, v;
    const char *oldest = NULL;
    int64_t oldest_t = INT64_MAX;
    g_hash_table_iter_init(&it, t);
    while (g_hash_table_iter_next(&it, &k, &v)) {
        json_object *t_obj;
        int64_t tm = json_object_object_get_ex(v, time_key, &t_obj)
                         ? json_object_get_int64(t_obj) : 0;
        if (tm < oldest_t) {
            oldest_t = tm;
            oldest = k;
        }
    }
    if (oldest)
        g_hash_table_remove(t, oldest);
}

/* The record of id in t, created (with id under id_key) when new. */
static json_object *gw_diag_site_record(GHashTable *t, const char *id, const char *id_key,
                                        const char *time_key)
{
    json_object *rec = g_hash_table_lookup(t, id);
    if (rec)
        return rec;
    if (g_hash_table_size(t) >= GW_DIAG_SITE_MAX)
        gw_diag_site_evict(t, time_key);
    rec = json_object_new_object();
    json_object_object_add(rec, id_key, json_object_new_string(id));
    g_hash_table_insert(t, g_strdup(id), rec);
    return rec;
}

bool gw_diag_site_on_event(gw_diag_site_t *s, const char *name, json_object *ev)
{
    if (strcmp(name, "ocpp.charger") == 0) {
        const char *id = gw_diag_site_str(ev, "charger");
        const char *what = gw_diag_site_str(ev, "event");
        if (!id || !what)
            return false;
        json_object *rec = gw_diag_site_record(s->chargers, id, "charger", "last_event_time");
        gw_diag_site_copy(rec, ev, "index", NULL);
        gw_diag_site_copy(rec, ev, "address", NULL);
        gw_diag_site_copy(rec, ev, "time", "last_event_time");
        json_object_object_add(rec, "last_event", json_object_new_string(what));
        if (strcmp(what, "connected") == 0) {
            json_object_object_add(rec, "connected", json_object_new_boolean(1));
            gw_diag_site_copy(rec, ev, "time", "connected_since");
        } else if (strcmp(what, "disconnected") == 0) {
            json_object_object_add(rec, "connected", json_object_new_boolean(0));
        } else if (strcmp(what, "boot") == 0) {
            gw_diag_site_copy(rec, ev, "vendor", NULL);
            gw_diag_site_copy(rec, ev, "model", NULL);
            gw_diag_site_copy(rec, ev, "time", "boot_time");
        }
        return true;
    }
    if (strcmp(name, "ocpp.frame") == 0) {
        const char *id = gw_diag_site_str(ev, "charger");
        if (!id)
            return false;
        json_object *rec = gw_diag_site_record(s->chargers, id, "charger", "last_event_time");
        gw_diag_site_copy(rec, ev, "time", "last_message_time");
        gw_diag_site_copy(rec, ev, "direction", "last_message_direction");
        gw_diag_site_copy(rec, ev, "action", "last_message_action");
        return true;
    }
    if (strcmp(name, "ocpp.scan") == 0) {
        const char *id = gw_diag_site_str(ev, "charger_id");
        if (!id)
            return false;
        json_object *rec = gw_diag_site_record(s->scan, id, "charger_id", "last_seen");
        json_object_object_foreach(ev, k, v)
            json_object_object_add(rec, k, json_object_get(v));
        return true;
    }
    return false;
}

static gint gw_diag_site_cmp(gconstpointer a, gconstpointer b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static json_object *gw_diag_site_list(GHashTable *t)
{
    json_object *arr = json_object_new_array();
    guint n;
    gpointer *keys = g_hash_table_get_keys_as_array(t, &n);
    qsort(keys, n, sizeof *keys, (int (*)(const void *, const void *))gw_diag_site_cmp);
    for (guint i = 0; i < n; i++)
        json_object_array_add(arr, json_object_get(g_hash_table_lookup(t, keys[i])));
    g_free(keys);
    return arr;
}

static int64_t gw_diag_site_index_of(json_object *rec)
{
    json_object *v;
    return json_object_object_get_ex(rec, "index", &v) && json_object_is_type(v, json_type_int)
               ? json_object_get_int64(v) : INT64_MAX;
}

/* Chargers in map order (index), then by id. */
static int gw_diag_site_charger_cmp(const void *a, const void *b)
{
    json_object *x = *(json_object *const *)a, *y = *(json_object *const *)b;
    int64_t ix = gw_diag_site_index_of(x), iy = gw_diag_site_index_of(y);
    if (ix != iy)
        return ix < iy ? -1 : 1;
    const char *cx = gw_diag_site_str(x, "charger"), *cy = gw_diag_site_str(y, "charger");
    return strcmp(cx ? cx : "", cy ? cy : "");
}

json_object *gw_diag_site_chargers_json(gw_diag_site_t *s, const int *configured,
                                        const char *const *ids, size_t n)
{
    json_object *arr = gw_diag_site_list(s->chargers);
    /* A configured charger that never connected has sent no event: its
     * index is known from its points, its ChargerID from the configuration
     * the OCPP plugin put on them (ids). List it so the integrator sees
     * which one is missing, not just that something is. */
    for (size_t i = 0; i < n; i++) {
        bool known = false;
        for (size_t j = 0; j < json_object_array_length(arr) && !known; j++)
            known = gw_diag_site_index_of(json_object_array_get_idx(arr, j)) == configured[i];
        if (known)
            continue;
        json_object *rec = json_object_new_object();
        const char *id = ids ? ids[i] : NULL;
        json_object_object_add(rec, "charger", id ? json_object_new_string(id) : NULL);
        json_object_object_add(rec, "index", json_object_new_int(configured[i]));
        json_object_object_add(rec, "connected", json_object_new_boolean(0));
        json_object_object_add(rec, "last_event", json_object_new_string("never connected"));
        json_object_array_add(arr, rec);
    }
    json_object_array_sort(arr, gw_diag_site_charger_cmp);
    return arr;
}

json_object *gw_diag_site_scan_json(gw_diag_site_t *s)
{
    return gw_diag_site_list(s->scan);
}

void gw_diag_site_render_metrics(gw_diag_site_t *s, GString *out)
{
    GHashTableIter it;
    gpointer k, v;
    unsigned connected = 0;
    g_hash_table_iter_init(&it, s->chargers);
    while (g_hash_table_iter_next(&it, &k, &v)) {
        json_object *c;
        if (json_object_object_get_ex(v, "connected", &c) && json_object_get_boolean(c))
            connected++;
    }
    g_string_append_printf(out,
                           "# HELP gatewayd_chargers_connected Chargers connected now.\n"
                           "# TYPE gatewayd_chargers_connected gauge\n"
                           "gatewayd_chargers_connected %u\n"
                           "# HELP gatewayd_ocpp_scan_unknown_chargers Unknown charger ids seen knocking.\n"
                           "# TYPE gatewayd_ocpp_scan_unknown_chargers gauge\n"
                           "gatewayd_ocpp_scan_unknown_chargers %u\n",
                           connected, g_hash_table_size(s->scan));
}
