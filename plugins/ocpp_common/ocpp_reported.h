/*
 * ocpp_reported.h - the points whose values a charger reported (boot
 * information, connector status and error code, meter values, the running
 * transaction), shared by ocpp_cs and ocpp_bridge.
 *
 * Their quality follows the charger's presence: while it is away they
 * read GW_QUALITY_COMM_ERROR, keeping their last value; the charger's next
 * message (any frame: it is talking again) makes them GW_QUALITY_GOOD. A
 * point never set (GW_QUALITY_UNINIT) stays so. What the BMS wrote and what
 * the gateway itself states (comm_status) are not in the set. Loop thread.
 */
#ifndef GW_OCPP_REPORTED_H
#define GW_OCPP_REPORTED_H

#include <glib.h>
#include <gw/gw.h>

typedef struct gw_ocpp_reported {
    GArray *ids;                 /* gw_point_id_t */
    bool away;
} gw_ocpp_reported_t;

/** Add a point (ids < 0, i.e. not registered, are ignored). */
void gw_ocpp_reported_add(gw_ocpp_reported_t *r, gw_point_id_t id);

/** The charger is gone (or not there yet): good values turn COMM_ERROR. */
void gw_ocpp_reported_away(gw_ocpp_reported_t *r, gw_ctx_t *ctx);

/** The charger sent something: COMM_ERROR values are good again. Cheap
 *  when it was not away: call it for every frame. */
void gw_ocpp_reported_heard(gw_ocpp_reported_t *r, gw_ctx_t *ctx);

void gw_ocpp_reported_clear(gw_ocpp_reported_t *r);

#endif
