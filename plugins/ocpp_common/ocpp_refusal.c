/* ocpp_refusal.c - see ocpp_refusal.h. */
#include <stdio.h>
#include <string.h>
#include "ocpp_refusal.h"

const char *gw_ocpp_refusal_name(gw_ocpp_refusal_t reason)
{
    switch (reason) {
    case GW_OCPP_REFUSED_UNKNOWN_ID: return "unknown id";
    case GW_OCPP_REFUSED_PATH: return "wrong path";
    case GW_OCPP_REFUSED_SUBPROTOCOL: return "subprotocol";
    }
    return "refused";
}

int gw_ocpp_refusal_status(gw_ocpp_refusal_t reason)
{
    return reason == GW_OCPP_REFUSED_SUBPROTOCOL ? 400 : 404;
}

/* The peer's slot; a new one takes a free slot or the one whose window
 * started longest ago (its count is lost: the table stays bounded). */
static gw_ocpp_refusal_peer_t *refusal_peer(gw_ocpp_refusal_log_t *log, const char *address,
                                            bool *fresh)
{
    gw_ocpp_refusal_peer_t *oldest = NULL;
    for (size_t i = 0; i < log->n; i++) {
        if (strcmp(log->peers[i].address, address) == 0) {
            *fresh = false;
            return &log->peers[i];
        }
        if (!oldest || log->peers[i].window_start_ms < oldest->window_start_ms)
            oldest = &log->peers[i];
    }
    gw_ocpp_refusal_peer_t *p = log->n < GW_OCPP_REFUSAL_PEERS ? &log->peers[log->n++] : oldest;
    memset(p, 0, sizeof *p);
    snprintf(p->address, sizeof p->address, "%s", address);
    *fresh = true;
    return p;
}

bool gw_ocpp_refusal_log_admit(gw_ocpp_refusal_log_t *log, const char *address, int64_t now_ms,
                               uint32_t *suppressed)
{
    bool fresh;
    gw_ocpp_refusal_peer_t *p = refusal_peer(log, address ? address : "", &fresh);
    *suppressed = 0;
    if (!fresh && now_ms - p->window_start_ms < GW_OCPP_REFUSAL_WINDOW_MS) {
        p->suppressed++;
        return false;
    }
    if (now_ms - log->window_start_ms >= GW_OCPP_REFUSAL_WINDOW_MS) {
        log->window_start_ms = now_ms;
        log->logged = 0;
    }
    if (log->logged >= GW_OCPP_REFUSAL_LOG_BUDGET) {
        /* over budget: this peer gets its line in a later window */
        log->suppressed_other++;
        return false;
    }
    log->logged++;
    *suppressed = p->suppressed + log->suppressed_other;
    p->suppressed = 0;
    log->suppressed_other = 0;
    p->window_start_ms = now_ms;
    return true;
}
