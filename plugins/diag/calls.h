/*
 * calls.h - OCPP CALLs in flight, by charger and unique id, so that the
 * CALLRESULT or CALLERROR answering one can be counted and shown under the
 * CALL's action: an ocpp.frame event names the action only when its
 * publisher knew it ("if known"), which for answers it often does not.
 * Loop thread.
 */
#ifndef GW_DIAG_CALLS_H
#define GW_DIAG_CALLS_H

#include <glib.h>
#include <json-c/json.h>

typedef struct gw_diag_calls gw_diag_calls_t;

/** At most max CALLs are remembered; the oldest are forgotten first. */
gw_diag_calls_t *gw_diag_calls_new(guint max);
void gw_diag_calls_free(gw_diag_calls_t *calls);

/**
 * Take in an ocpp.frame payload {charger, direction, action?, frame}.
 * @return a new reference: the payload itself when it names its action or
 * the CALL it answers is unknown; otherwise a shallow copy with "action"
 * added (the publisher's payload is shared and never modified).
 */
json_object *gw_diag_calls_name(gw_diag_calls_t *calls, json_object *frame_event);

#endif
