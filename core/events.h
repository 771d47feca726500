/* The event bus: named events with a json-c payload, delivered
 * synchronously to subscribers by name prefix. Loop thread only. */
#ifndef GW_CORE_EVENTS_H
#define GW_CORE_EVENTS_H

#include <gw/gw.h>

typedef struct gw_eventbus gw_eventbus_t;

gw_eventbus_t *gw_eventbus_new(void);
void gw_eventbus_free(gw_eventbus_t *bus);
bool gw_eventbus_wanted(gw_eventbus_t *bus, const char *name);
/** Takes the caller's reference to payload (which may be NULL). */
int gw_eventbus_publish(gw_eventbus_t *bus, gw_ctx_t *from, const char *name,
                        struct json_object *payload);
gw_sub_id_t gw_eventbus_subscribe(gw_eventbus_t *bus, gw_ctx_t *ctx, const char *prefix,
                                  gw_event_cb cb, void *user);
int gw_eventbus_unsubscribe(gw_eventbus_t *bus, gw_ctx_t *ctx, gw_sub_id_t sub);
void gw_eventbus_unsubscribe_all(gw_eventbus_t *bus, gw_ctx_t *ctx);

#endif
