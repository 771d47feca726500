/* calls.c - name OCPP answers after the CALL they answer. */
#include "calls.h"

#include <string.h>

struct gw_diag_calls {
    GHashTable *actions; /* "charger\tdirection\tuid" -> action (both owned) */
    GQueue order;        /* keys in arrival order (owned copies), for eviction */
    guint max;
};

gw_diag_calls_t *gw_diag_calls_new(guint max)
{
    gw_diag_calls_t *c = g_new0(gw_diag_calls_t, 1);
    c->actions = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    g_queue_init(&c->order);
    c->max = max ? max : 1;
    return c;
}

void gw_diag_calls_free(gw_diag_calls_t *c)
{
    if (!c)
        return;
    g_hash_table_destroy(c->actions);
    g_queue_clear_full(&c->order, g_free);
    g_free(c);
}

static const char *gw_diag_calls_str(json_object *o, const char *key)
{
    json_object *v;
    if (o && json_object_object_get_ex(o, key, &v) && json_object_is_type(v, json_type_string))
        return json_object_get_string(v);
    return NULL;
}

static void gw_diag_calls_remember(gw_diag_calls_t *c, char *key, const char *action)
{
    g_queue_push_tail(&c->order, g_strdup(key));
    g_hash_table_replace(c->actions, key, g_strdup(action));
    /* Unanswered CALLs (a charger that went away) must not pile up; an
     * answered one leaves a stale key in the queue, removed here in turn. */
    while (g_queue_get_length(&c->order) > c->max) {
        char *old = g_queue_pop_head(&c->order);
        g_hash_table_remove(c->actions, old);
        g_free(old);
    }
}

json_object *gw_diag_calls_name(gw_diag_calls_t *c, json_object *ev)
{
    const char *charger = gw_diag_calls_str(ev, "charger");
    const char *dir = gw_diag_calls_str(ev, "direction");
    const char *text = gw_diag_calls_str(ev, "frame");
    const char *action = gw_diag_calls_str(ev, "action");
    json_object *frame, *type, *uid, *named = NULL;

    if (!charger || !dir || !text)
        return json_object_get(ev);
    /* A frame that is not a well-formed OCPP-J message is shown as sent. */
    frame = json_tokener_parse(text);
    if (!frame || !json_object_is_type(frame, json_type_array) ||
        json_object_array_length(frame) < 2 ||
        !json_object_is_type(type = json_object_array_get_idx(frame, 0), json_type_int) ||
        !json_object_is_type(uid = json_object_array_get_idx(frame, 1), json_type_string)) {
        json_object_put(frame);
        return json_object_get(ev);
    }
    int t = json_object_get_int(type);
    if (t == 2 && action && *action) {
        gw_diag_calls_remember(c, g_strdup_printf("%s\t%s\t%s", charger, dir,
                                                  json_object_get_string(uid)), action);
    } else if (t == 3 || t == 4) {
        /* the answer travels the other way than its CALL */
        char *key = g_strdup_printf("%s\t%s\t%s", charger, strcmp(dir, "in") == 0 ? "out" : "in",
                                    json_object_get_string(uid));
        const char *found = g_hash_table_lookup(c->actions, key);
        if (action && *action) {
            g_hash_table_remove(c->actions, key); /* named already: just forget the CALL */
        } else if (found) {
            named = json_object_new_object();
            json_object_object_foreach(ev, k, v)
                json_object_object_add(named, k, json_object_get(v));
            json_object_object_add(named, "action", json_object_new_string(found));
            g_hash_table_remove(c->actions, key);
        }
        g_free(key);
    }
    json_object_put(frame);
    return named ? named : json_object_get(ev);
}
