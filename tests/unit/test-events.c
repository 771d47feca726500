/* Event bus: prefix subscriptions, wanted(), payload ownership, cancelling. */
#include "config.h"
#include <errno.h>
#include <glib.h>
#include <json-c/json.h>
#include "events.h"

static int owner;
#define CTX ((gw_ctx_t *)&owner)

typedef struct {
    gw_eventbus_t *bus;
    int calls;
    char last[64];
    gw_sub_id_t self;
    json_object *kept;
} rec_t;

static void rec_cb(gw_ctx_t *ctx, const char *name, json_object *payload, void *user)
{
    rec_t *r = user;
    r->calls++;
    g_strlcpy(r->last, name, sizeof r->last);
    if (!r->kept && payload)
        r->kept = json_object_get(payload); /* a subscriber may keep it */
}

static void unsub_cb(gw_ctx_t *ctx, const char *name, json_object *payload, void *user)
{
    rec_t *r = user;
    r->calls++;
    gw_eventbus_unsubscribe(r->bus, ctx, r->self);
    /* Publishing from inside a subscriber is allowed. */
    gw_eventbus_publish(r->bus, ctx, "nested.event", NULL);
}

static void test_prefix(void)
{
    gw_eventbus_t *bus = gw_eventbus_new();
    rec_t ocpp = { bus }, all = { bus };
    g_assert_false(gw_eventbus_wanted(bus, "ocpp.frame"));
    g_assert_cmpint(gw_eventbus_subscribe(bus, CTX, "ocpp.", rec_cb, &ocpp), >, 0);
    g_assert_cmpint(gw_eventbus_subscribe(bus, CTX, "", rec_cb, &all), >, 0);
    g_assert_true(gw_eventbus_wanted(bus, "ocpp.frame"));
    g_assert_true(gw_eventbus_wanted(bus, "modbus.request"));

    json_object *p = json_object_new_object();
    json_object_object_add(p, "x", json_object_new_int(1));
    g_assert_cmpint(gw_eventbus_publish(bus, CTX, "ocpp.frame", p), ==, 0);
    g_assert_cmpint(gw_eventbus_publish(bus, CTX, "modbus.request", NULL), ==, 0);
    g_assert_cmpint(ocpp.calls, ==, 1);
    g_assert_cmpint(all.calls, ==, 2);
    g_assert_cmpstr(all.last, ==, "modbus.request");
    /* The bus dropped its reference; ours is still valid. */
    g_assert_cmpint(json_object_get_int(json_object_object_get(ocpp.kept, "x")), ==, 1);
    json_object_put(ocpp.kept);
    json_object_put(all.kept);
    g_assert_cmpint(gw_eventbus_publish(bus, CTX, "", NULL), ==, -EINVAL);
    gw_eventbus_free(bus);
}

static void test_unsubscribe(void)
{
    gw_eventbus_t *bus = gw_eventbus_new();
    rec_t r = { bus }, nested = { bus };
    r.self = gw_eventbus_subscribe(bus, CTX, "a", unsub_cb, &r);
    gw_eventbus_subscribe(bus, CTX, "nested", rec_cb, &nested);
    gw_eventbus_publish(bus, CTX, "a.b", NULL);
    gw_eventbus_publish(bus, CTX, "a.b", NULL);
    g_assert_cmpint(r.calls, ==, 1);
    g_assert_cmpint(nested.calls, ==, 1);
    g_assert_cmpint(gw_eventbus_unsubscribe(bus, CTX, r.self), ==, -ENOENT);
    gw_eventbus_unsubscribe_all(bus, CTX);
    g_assert_false(gw_eventbus_wanted(bus, "nested.x"));
    gw_eventbus_free(bus);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/events/prefix", test_prefix);
    g_test_add_func("/events/unsubscribe", test_unsubscribe);
    return g_test_run();
}
