/* snapshot.c - the point list in slices (snapshot.h). */
#include "snapshot.h"
#include "text/gw_text.h"

#include <string.h>
#include <json-c/json.h>

/* Lists being written at once; further requests wait their turn, so many
 * tabs opening together hold at most this many half-made lists. */
#define GW_DIAG_SNAPSHOT_RUNNING_MAX 2

/* Longest slice of work per loop pass, and points between looks at the clock. */
#define GW_DIAG_SNAPSHOT_SLICE_US 1000
#define GW_DIAG_SNAPSHOT_CHECK_EVERY 16

typedef struct gw_diag_snapshot {
    gw_diag_t *diag;
    gw_diag_request_t *req;
    GString *out;
    size_t at;                   /* next point id */
    size_t count;                /* points written */
    gw_timer_id_t timer;         /* the next slice, or -1 */
} gw_diag_snapshot_t;

static void gw_diag_snapshot_free(gw_diag_snapshot_t *job)
{
    gw_diag_request_free(job->req);
    if (job->out)
        g_string_free(job->out, TRUE);
    g_free(job);
}

/* Write points until done or the slice is used up; true when done. */
static bool gw_diag_snapshot_slice(gw_diag_snapshot_t *job)
{
    gw_ctx_t *ctx = job->diag->ctx;
    const char *prefix = job->req->prefix ? job->req->prefix : "";
    size_t plen = strlen(prefix), n = gw_point_count(ctx);
    gint64 until = g_get_monotonic_time() + GW_DIAG_SNAPSHOT_SLICE_US;
    unsigned since_check = 0;
    while (job->at < n) {
        gw_point_id_t id = (gw_point_id_t)job->at++;
        gw_point_info_t info = { .size = sizeof info };
        if (gw_point_info(ctx, id, &info) == 0 && strncmp(info.name, prefix, plen) == 0) {
            json_object *o = gw_diag_api_point(ctx, id, &info);
            size_t len;
            const char *text = json_object_to_json_string_length(
                o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE, &len);
            if (job->count++)
                g_string_append_c(job->out, ',');
            /* made valid here, a point at a time: validating the whole
             * list at the end would be one long pass again (valid text is
             * one validating pass and one copy) */
            gw_text_append_escaped(job->out, text, len, GW_TEXT_JSON);
            json_object_put(o);
        }
        if (++since_check >= GW_DIAG_SNAPSHOT_CHECK_EVERY) {
            since_check = 0;
            if (g_get_monotonic_time() >= until)
                return job->at >= n;
        }
    }
    return true;
}

static void gw_diag_snapshot_begin(gw_diag_t *diag, gw_diag_request_t *req);

/* A list is done (or failed): the next waiting request gets its turn. */
static void gw_diag_snapshot_done(gw_diag_t *diag, gw_diag_snapshot_t *job)
{
    diag->snapshots = g_list_remove(diag->snapshots, job);
    gw_diag_request_t *req = job->req;
    job->req = NULL;
    gw_diag_snapshot_free(job);
    gw_diag_server_answered(req);
    gw_diag_request_t *next = g_queue_pop_head(&diag->snapshot_waiting);
    if (next)
        gw_diag_snapshot_begin(diag, next);
}

static void gw_diag_snapshot_finish(gw_diag_snapshot_t *job)
{
    gw_diag_t *diag = job->diag;
    g_string_append_printf(job->out, "],\"count\":%zu}\n", job->count);
    size_t len = job->out->len;
    gw_diag_request_reply_utf8(job->req, 200, "application/json",
                               g_string_free(job->out, FALSE), len);
    job->out = NULL;
    gw_diag_snapshot_done(diag, job);
}

static void gw_diag_snapshot_next(gw_ctx_t *ctx, gw_timer_id_t tid, void *user)
{
    gw_diag_snapshot_t *job = user;
    job->timer = -1;
    if (gw_diag_snapshot_slice(job)) {
        gw_diag_snapshot_finish(job);
        return;
    }
    /* zero delay: libevent polls the sockets before this fires */
    job->timer = gw_timer_add(ctx, 0, GW_TIMER_ONCE, gw_diag_snapshot_next, job);
    if (job->timer < 0) {
        gw_diag_request_fail(job->req, 503, "unavailable", "the daemon is stopping");
        gw_diag_snapshot_done(job->diag, job);
    }
}

void gw_diag_snapshot_start(gw_diag_t *diag, gw_diag_request_t *req)
{
    if (g_list_length(diag->snapshots) >= GW_DIAG_SNAPSHOT_RUNNING_MAX) {
        g_queue_push_tail(&diag->snapshot_waiting, req);
        return;
    }
    gw_diag_snapshot_begin(diag, req);
}

static void gw_diag_snapshot_begin(gw_diag_t *diag, gw_diag_request_t *req)
{
    gw_diag_snapshot_t *job = g_new0(gw_diag_snapshot_t, 1);
    job->diag = diag;
    job->req = req;
    job->timer = -1;
    job->out = g_string_sized_new(256 * 1024);
    /* The boot id tells the page which daemon these ids belong to. */
    g_string_append_printf(job->out, "{\"boot\":\"%s\",\"points\":[", diag->boot_id);
    diag->snapshots = g_list_prepend(diag->snapshots, job);
    /* the first slice in a pass of its own too (begin may run at the end
     * of another list's last slice) */
    job->timer = gw_timer_add(diag->ctx, 0, GW_TIMER_ONCE, gw_diag_snapshot_next, job);
    if (job->timer < 0) {
        gw_diag_request_fail(job->req, 503, "unavailable", "the daemon is stopping");
        gw_diag_snapshot_done(diag, job);
    }
}

void gw_diag_snapshot_cancel_all(gw_diag_t *diag)
{
    for (GList *l = diag->snapshots; l; l = l->next) {
        gw_diag_snapshot_t *job = l->data;
        if (job->timer >= 0)
            gw_timer_cancel(diag->ctx, job->timer);
        gw_diag_snapshot_free(job);
    }
    g_list_free(diag->snapshots);
    diag->snapshots = NULL;
    gw_diag_request_t *req;
    while ((req = g_queue_pop_head(&diag->snapshot_waiting)))
        gw_diag_request_free(req);
}
