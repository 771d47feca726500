/*
 * cs_store_health.c - whether the state file is being written: a full disk
 * or a file system gone read-only turns every transaction answer into a
 * CALLERROR (cs_conn.c), so the operator must learn of it at once and from
 * wherever they look: points (state.write_failed, state.write_errors,
 * state.error), a state.write event on each change, and a log line on each
 * change (not on every retry).
 */
#include <stdio.h>
#include <string.h>
#include "cs.h"

int cs_store_health_register(cs_t *cs)
{
    cs->state_write_failed = cs_point_add_extra(
        cs, "state.write_failed", GW_TYPE_BOOL, GW_ACCESS_R, 0,
        "1 while ocpp_cs cannot write its state file (transaction answers are refused until "
        "it can)");
    cs->state_write_errors = cs_point_add_extra(cs, "state.write_errors", GW_TYPE_UINT32,
                                                GW_ACCESS_R, 0,
                                                "failed writes of the state file since start");
    cs->state_error = cs_point_add_extra(cs, "state.error", GW_TYPE_STRING, GW_ACCESS_R, 64,
                                         "why the last write of the state file failed; empty "
                                         "once one succeeds");
    if (cs->state_write_failed < 0)
        return (int)cs->state_write_failed;
    if (cs->state_write_errors < 0)
        return (int)cs->state_write_errors;
    if (cs->state_error < 0)
        return (int)cs->state_error;
    cs_set_int(cs, cs->state_write_failed, 0);
    cs_set_int(cs, cs->state_write_errors, 0);
    cs_set_string(cs, cs->state_error, "");
    return 0;
}

static void health_event(cs_t *cs, const char *what, int rc)
{
    if (!gw_event_wanted(cs->ctx, "state.write"))
        return;
    json_object *o = json_object_new_object();
    json_object_object_add(o, "event", json_object_new_string(what));
    json_object_object_add(o, "path", json_object_new_string(cs->state_path));
    json_object_object_add(o, "error", json_object_new_string(rc < 0 ? strerror(-rc) : ""));
    json_object_object_add(o, "failed_writes", json_object_new_int64(cs->state_failed_writes));
    json_object_object_add(o, "time", json_object_new_int64(cs_now_ms(cs)));
    gw_event_publish(cs->ctx, "state.write", o); /* takes o */
}

void cs_store_health_on_write(void *user, int rc)
{
    cs_t *cs = user;
    if (rc < 0) {
        cs->state_failed_writes++;
        cs_set_int(cs, cs->state_write_errors, cs->state_failed_writes);
        if (cs->state_failing)
            return;
        cs->state_failing = true;
        cs_set_int(cs, cs->state_write_failed, 1);
        cs_set_string(cs, cs->state_error, strerror(-rc));
        gw_log(cs->ctx, GW_LOG_ERROR, "cannot save %s: %s; StartTransaction, StopTransaction "
               "and SendLocalList are refused until it can (retried every second)",
               cs->state_path, strerror(-rc));
        health_event(cs, "failed", rc);
    } else if (cs->state_failing) {
        cs->state_failing = false;
        cs_set_int(cs, cs->state_write_failed, 0);
        cs_set_string(cs, cs->state_error, "");
        gw_log(cs->ctx, GW_LOG_NOTICE, "state saved again to %s (%u failed writes)",
               cs->state_path, cs->state_failed_writes);
        health_event(cs, "saved", 0);
    }
}
