/*
 * snapshot.h - GET /api/v1/points made over several loop passes.
 *
 * A page opening on 9,400 signals used to build the whole list in one go
 * (0.15-0.29 s in which no Modbus request, OCPP frame or timer was
 * served). The list is now written in slices of about 1 ms, each
 * continued on a zero-delay timer so that the loop serves its sockets in
 * between; the answer goes to the lws thread once complete. Values are
 * those of the moment each slice is written; the stream, which a page
 * opens right after, brings every current value anyway. At most two lists
 * are written at once; further requests wait in order. Loop thread.
 */
#ifndef GW_DIAG_SNAPSHOT_H
#define GW_DIAG_SNAPSHOT_H

#include "diag.h"

/** Answer req with the point list, later (gw_diag_server_answered). */
void gw_diag_snapshot_start(gw_diag_t *diag, gw_diag_request_t *req);

/** Drop the lists still being written (stop). */
void gw_diag_snapshot_cancel_all(gw_diag_t *diag);

#endif
