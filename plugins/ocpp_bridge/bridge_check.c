/*
 * bridge_check.c - check_upstream: the reference product's "Check
 * connection" button. One test connection to the external Central System
 * with a configured ChargerID, its credentials and subprotocols; the
 * outcome is logged and the daemon stops: exit status 0 when the upstream
 * accepted the WebSocket, non-zero (start-up failure) with the reason
 * otherwise.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "bridge.h"

static const br_relay_events_t br_check_events = { NULL, NULL, NULL, NULL };

int br_check_upstream(bridge_t *br, const br_relay_config_t *cfg, const char *charger_id)
{
    char *err = NULL, why[160];
    br_handover_t *h = calloc(1, sizeof *h);
    if (!h)
        return -ENOMEM;
    br->relay = br_relay_start(br, br->ctx, cfg, &br_check_events, &err);
    if (!br->relay) {
        gw_log(br->ctx, GW_LOG_ERROR, "check_upstream: %s", err);
        g_free(err);
        free(h);
        return -EIO;
    }
    snprintf(h->charger_id, sizeof h->charger_id, "%s", charger_id);
    snprintf(h->peer, sizeof h->peer, "check_upstream");
    const char *auth = g_hash_table_lookup(br->credentials, charger_id);
    h->auth = auth ? strdup(auth) : NULL;
    h->protocols = g_strjoinv(",", br->subprotocols);
    h->index = -1;
    int status = br_relay_probe(br->relay, h, cfg->connect_timeout_s + 2, why, sizeof why);
    if (status != 101) {
        gw_log(br->ctx, GW_LOG_ERROR,
               "check_upstream: %s://%s:%d%s/%s FAILED: HTTP %d, %s",
               br->upstream.tls ? "wss" : "ws", br->upstream.host, br->upstream.port,
               br->upstream.path, charger_id, status, why);
        return -ECONNREFUSED;
    }
    gw_log(br->ctx, GW_LOG_NOTICE, "check_upstream: %s://%s:%d%s/%s OK (subprotocol %s)",
           br->upstream.tls ? "wss" : "ws", br->upstream.host, br->upstream.port,
           br->upstream.path, charger_id, *why ? why : "none");
    /* the check is all this run was for: stop cleanly, exit status 0 */
    raise(SIGTERM);
    return 0;
}
