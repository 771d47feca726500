/*
 * stream.h - live updates for viewers of /api/v1/stream.
 *
 * A slow browser must never make the daemon queue without bound, so a
 * viewer does not get a queue of changes: it has a set of dirty points (a
 * bitmap plus the ids in order of first change) on the loop side. Every
 * stream_interval_ms the loop turns the dirty set into one message with the
 * current values, but only for a viewer whose outbox is empty, i.e. whose
 * previous message the socket has taken. Meanwhile changes coalesce: a
 * point that changed 100 times is sent once, with its latest value. The
 * console (events) is a ring of console_depth lines that drops the oldest
 * and says how many it dropped.
 *
 * Outboxes are shared with the lws thread under diag->lock; everything
 * else is the loop's.
 */
#ifndef GW_DIAG_STREAM_H
#define GW_DIAG_STREAM_H

#include <glib.h>
#include <json-c/json.h>
#include "diag.h"

typedef struct gw_diag_outbox gw_diag_outbox_t;

gw_diag_stream_t *gw_diag_stream_new(gw_diag_t *diag);
void gw_diag_stream_free(gw_diag_stream_t *stream);

/* loop thread */
int gw_diag_stream_start(gw_diag_stream_t *stream);
void gw_diag_stream_stop(gw_diag_stream_t *stream);
/** An event for the console of every viewer. */
void gw_diag_stream_on_event(gw_diag_stream_t *stream, const char *name, json_object *payload);
/** The chargers or the scan list changed: viewers refetch them. */
void gw_diag_stream_site_changed(gw_diag_stream_t *stream);
void gw_diag_stream_render_metrics(gw_diag_stream_t *stream, GString *out);

/* lws thread */
/** A viewer connected: its outbox, and the loop learns of it. NULL on error. */
gw_diag_outbox_t *gw_diag_stream_open(gw_diag_stream_t *stream, struct lws *wsi);
/** A viewer went away. */
void gw_diag_stream_close(gw_diag_stream_t *stream, gw_diag_outbox_t *box);
/** The next message to send (caller frees), or NULL. *more: others wait. */
GString *gw_diag_stream_pop(gw_diag_stream_t *stream, gw_diag_outbox_t *box, bool *more);
/** Messages wait in the outbox. */
bool gw_diag_stream_pending(gw_diag_stream_t *stream, gw_diag_outbox_t *box);
/** Ask for WRITEABLE on every viewer with something to send. */
void gw_diag_stream_kick(gw_diag_stream_t *stream);

#endif
