/* Event bus. Few subscribers, many events: a flat list scanned by prefix. */
#include "config.h"
#include "events.h"

#include <errno.h>
#include <glib.h>
#include <json-c/json.h>
#include <string.h>

/* Publishing from inside a subscriber is allowed; this bounds it. */
#define GW_MAX_EVENT_DEPTH 8

typedef struct gw_evsub {
    gw_sub_id_t id;
    gw_ctx_t *ctx;
    char *prefix;
    size_t len;
    gw_event_cb cb;
    void *user;
    bool dead;
} gw_evsub_t;

struct gw_eventbus {
    GPtrArray *subs;
    gw_sub_id_t next_id;
    int depth;
    size_t dead;
};

static void evsub_free(gpointer p)
{
    gw_evsub_t *s = p;
    g_free(s->prefix);
    g_free(s);
}

gw_eventbus_t *gw_eventbus_new(void)
{
    gw_eventbus_t *bus = g_new0(gw_eventbus_t, 1);
    bus->subs = g_ptr_array_new_with_free_func(evsub_free);
    bus->next_id = 1;
    return bus;
}

void gw_eventbus_free(gw_eventbus_t *bus)
{
    if (!bus)
        return;
    g_ptr_array_free(bus->subs, TRUE);
    g_free(bus);
}

static void compact(gw_eventbus_t *bus)
{
    if (bus->depth > 0 || bus->dead == 0)
        return;
    for (guint i = 0; i < bus->subs->len;) {
        gw_evsub_t *s = g_ptr_array_index(bus->subs, i);
        if (s->dead)
            g_ptr_array_remove_index(bus->subs, i);
        else
            i++;
    }
    bus->dead = 0;
}

bool gw_eventbus_wanted(gw_eventbus_t *bus, const char *name)
{
    if (!name)
        return false;
    for (guint i = 0; i < bus->subs->len; i++) {
        gw_evsub_t *s = g_ptr_array_index(bus->subs, i);
        if (!s->dead && strncmp(name, s->prefix, s->len) == 0)
            return true;
    }
    return false;
}

int gw_eventbus_publish(gw_eventbus_t *bus, gw_ctx_t *from, const char *name,
                        struct json_object *payload)
{
    (void)from;
    if (!name || !*name) {
        json_object_put(payload);
        return -EINVAL;
    }
    if (bus->depth >= GW_MAX_EVENT_DEPTH) {
        json_object_put(payload);
        return -ELOOP;
    }
    bus->depth++;
    guint n = bus->subs->len;
    for (guint i = 0; i < n; i++) {
        gw_evsub_t *s = g_ptr_array_index(bus->subs, i);
        if (!s->dead && strncmp(name, s->prefix, s->len) == 0)
            s->cb(s->ctx, name, payload, s->user);
    }
    bus->depth--;
    compact(bus);
    json_object_put(payload);
    return 0;
}

gw_sub_id_t gw_eventbus_subscribe(gw_eventbus_t *bus, gw_ctx_t *ctx, const char *prefix,
                                  gw_event_cb cb, void *user)
{
    if (!prefix || !cb)
        return -EINVAL;
    gw_evsub_t *s = g_new0(gw_evsub_t, 1);
    s->id = bus->next_id++;
    s->ctx = ctx;
    s->prefix = g_strdup(prefix);
    s->len = strlen(prefix);
    s->cb = cb;
    s->user = user;
    g_ptr_array_add(bus->subs, s);
    return s->id;
}

int gw_eventbus_unsubscribe(gw_eventbus_t *bus, gw_ctx_t *ctx, gw_sub_id_t sub)
{
    for (guint i = 0; i < bus->subs->len; i++) {
        gw_evsub_t *s = g_ptr_array_index(bus->subs, i);
        if (s->id == sub && s->ctx == ctx && !s->dead) {
            s->dead = true;
            bus->dead++;
            compact(bus);
            return 0;
        }
    }
    return -ENOENT;
}

void gw_eventbus_unsubscribe_all(gw_eventbus_t *bus, gw_ctx_t *ctx)
{
    for (guint i = 0; i < bus->subs->len; i++) {
        gw_evsub_t *s = g_ptr_array_index(bus->subs, i);
        if (s->ctx == ctx && !s->dead) {
            s->dead = true;
            bus->dead++;
        }
    }
    compact(bus);
}
