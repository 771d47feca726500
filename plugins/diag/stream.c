/* stream.c - coalesced live updates and console lines for viewers. */
#include "stream.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <libwebsockets.h>
#include "text/gw_text.h"
#include "value.h"

/* Most time one flush spends building messages, and values between looks
 * at the clock: a new viewer's 9,400 values go out over a few flushes
 * rather than in one long loop pass. */
#define GW_DIAG_STREAM_SLICE_US 1000
#define GW_DIAG_STREAM_CHECK_EVERY 32

/* While a viewer's first snapshot goes out, its outbox may hold this many
 * bytes (slices of values) instead of one round of messages: the snapshot
 * then continues on zero-delay timers rather than one slice per
 * stream_interval_ms, and memory per viewer stays bounded. */
#define GW_DIAG_OUTBOX_SNAPSHOT_MAX (256 * 1024)

/* Largest console message: 1,000 lines of 8 KiB would be one long pass. */
#define GW_DIAG_CONSOLE_MESSAGE_MAX (256 * 1024)

/* Console lines longer than this (a huge OCPP frame) are cut. */
#define GW_DIAG_CONSOLE_LINE_MAX 8192

/* Shared with the lws thread under diag->lock. */
struct gw_diag_outbox {
    uint64_t viewer;
    struct lws *wsi;             /* used on the lws thread only */
    GQueue msgs;                 /* GString* */
    size_t bytes;
};

/* Loop thread only. */
typedef struct gw_diag_viewer {
    uint64_t id;
    guint8 *dirty;               /* one bit per point id */
    size_t dirty_bits;
    GArray *dirty_ids;           /* gw_point_id_t, in order of first change */
    bool initial;                /* its first snapshot is still going out */
    GQueue console;              /* GBytes* */
    size_t console_bytes;
    guint64 console_dropped;
    bool site_changed;
} gw_diag_viewer_t;

struct gw_diag_stream {
    gw_diag_t *diag;
    GHashTable *viewers;         /* loop: id -> gw_diag_viewer_t* */
    gw_sub_id_t point_sub;
    gw_timer_id_t flush_timer;
    gw_timer_id_t again_timer;   /* zero-delay flush while snapshots go out, or -1 */
    guint64 values_sent;
    guint64 console_sent;
    guint64 console_dropped;
    /* under diag->lock */
    GHashTable *outboxes;        /* id -> gw_diag_outbox_t* */
    size_t outbox_bytes;
    uint64_t next_viewer;
};

typedef struct gw_diag_viewer_note {
    gw_diag_stream_t *stream;
    uint64_t id;
} gw_diag_viewer_note_t;

static void gw_diag_viewer_free(gpointer p)
{
    gw_diag_viewer_t *v = p;
    g_free(v->dirty);
    g_array_free(v->dirty_ids, TRUE);
    g_queue_clear_full(&v->console, (GDestroyNotify)g_bytes_unref);
    g_free(v);
}

static void gw_diag_outbox_free(gpointer p)
{
    gw_diag_outbox_t *box = p;
    GString *m;
    while ((m = g_queue_pop_head(&box->msgs)))
        g_string_free(m, TRUE);
    g_free(box);
}

gw_diag_stream_t *gw_diag_stream_new(gw_diag_t *diag)
{
    gw_diag_stream_t *s = g_new0(gw_diag_stream_t, 1);
    s->diag = diag;
    s->viewers = g_hash_table_new_full(g_int64_hash, g_int64_equal, NULL, gw_diag_viewer_free);
    s->outboxes = g_hash_table_new_full(g_int64_hash, g_int64_equal, NULL, gw_diag_outbox_free);
    s->point_sub = -1;
    s->flush_timer = -1;
    s->again_timer = -1;
    return s;
}

void gw_diag_stream_free(gw_diag_stream_t *s)
{
    if (!s)
        return;
    g_hash_table_destroy(s->viewers);
    g_hash_table_destroy(s->outboxes);
    g_free(s);
}

/* ------------------------------------------------------------ dirty sets */

static void gw_diag_viewer_mark(gw_diag_viewer_t *v, gw_point_id_t id)
{
    size_t bit = (size_t)id;
    if (bit >= v->dirty_bits) {
        size_t bits = (bit + 1024) & ~(size_t)1023;
        v->dirty = g_realloc(v->dirty, bits / 8);
        memset(v->dirty + v->dirty_bits / 8, 0, (bits - v->dirty_bits) / 8);
        v->dirty_bits = bits;
    }
    if (v->dirty[bit / 8] & (1u << (bit % 8)))
        return;
    v->dirty[bit / 8] |= (guint8)(1u << (bit % 8));
    g_array_append_val(v->dirty_ids, id);
}

static void gw_diag_stream_point_changed(gw_ctx_t *ctx, gw_point_id_t id,
                                         const gw_value_t *value, gw_quality_t quality,
                                         void *user)
{
    gw_diag_stream_t *s = user;
    GHashTableIter it;
    gpointer k, v;
    g_hash_table_iter_init(&it, s->viewers);
    while (g_hash_table_iter_next(&it, &k, &v))
        gw_diag_viewer_mark(v, id);
}

/* ------------------------------------------------------------ messages */

/* {"t":"values","v":[[id,value,quality,changed_ms],...]} for up to batch
 * dirty points, taken off the dirty set; stops early at `until` (monotonic
 * us) so that one flush stays within a loop pass' budget. */
static GString *gw_diag_stream_values_message(gw_diag_stream_t *s, gw_diag_viewer_t *v,
                                              gint64 until)
{
    gw_ctx_t *ctx = s->diag->ctx;
    guint n = MIN(v->dirty_ids->len, s->diag->stream_batch);
    GString *m = g_string_sized_new(64 + n * 32);
    g_string_append(m, "{\"t\":\"values\",\"v\":[");
    guint written = 0;
    for (guint i = 0; i < n; i++) {
        if (i && i % GW_DIAG_STREAM_CHECK_EVERY == 0 && g_get_monotonic_time() >= until) {
            n = i; /* the rest stay dirty for the next flush */
            break;
        }
        gw_point_id_t id = g_array_index(v->dirty_ids, gw_point_id_t, i);
        v->dirty[(size_t)id / 8] &= (guint8)~(1u << ((size_t)id % 8));
        gw_point_info_t info = { .size = sizeof info };
        gw_value_t val;
        if (gw_point_info(ctx, id, &info) != 0 || gw_point_get(ctx, id, &val) != 0)
            continue;
        json_object *jv = gw_diag_value_to_json(info.type, &val);
        g_string_append_printf(m, "%s[%d,%s,%d,%lld]", written ? "," : "", (int)id,
                               jv ? json_object_to_json_string_ext(jv, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE)
                                  : "null",
                               (int)info.quality, (long long)info.changed_ms);
        json_object_put(jv);
        written++;
    }
    g_array_remove_range(v->dirty_ids, 0, n);
    g_string_append(m, "]}");
    s->values_sent += written;
    return m;
}

/* {"t":"console","dropped":N,"lines":[...]} with the queued lines, up to
 * GW_DIAG_CONSOLE_MESSAGE_MAX bytes; the rest go in the next message. */
static GString *gw_diag_stream_console_message(gw_diag_stream_t *s, gw_diag_viewer_t *v)
{
    GString *m = g_string_sized_new(64 + MIN(v->console_bytes, GW_DIAG_CONSOLE_MESSAGE_MAX));
    g_string_append_printf(m, "{\"t\":\"console\",\"dropped\":%" G_GUINT64_FORMAT ",\"lines\":[",
                           v->console_dropped);
    GBytes *b;
    bool first = true;
    /* at most ~256 KiB per message: the rest waits for the next flush */
    while (m->len < GW_DIAG_CONSOLE_MESSAGE_MAX && (b = g_queue_pop_head(&v->console))) {
        gsize len;
        const char *data = g_bytes_get_data(b, &len);
        if (!first)
            g_string_append_c(m, ',');
        g_string_append_len(m, data, (gssize)len);
        v->console_bytes -= len;
        first = false;
        s->console_sent++;
        g_bytes_unref(b);
    }
    g_string_append(m, "]}");
    v->console_dropped = 0;
    return m;
}

static void gw_diag_outbox_push(gw_diag_stream_t *s, gw_diag_outbox_t *box, GString *m)
{
    box->bytes += m->len;
    s->outbox_bytes += m->len;
    g_queue_push_tail(&box->msgs, m);
}

static void gw_diag_stream_flush(gw_ctx_t *ctx, gw_timer_id_t tid, void *user);

static void gw_diag_stream_again(gw_ctx_t *ctx, gw_timer_id_t tid, void *user)
{
    gw_diag_stream_t *s = user;
    s->again_timer = -1;
    gw_diag_stream_flush(ctx, tid, s);
}

/* Give each viewer whose socket has taken everything its next message (a
 * viewer whose first snapshot is going out: while its outbox has room). */
static void gw_diag_stream_flush(gw_ctx_t *ctx, gw_timer_id_t tid, void *user)
{
    gw_diag_stream_t *s = user;
    gw_diag_t *diag = s->diag;
    bool woke = false, again = false;
    gint64 until = g_get_monotonic_time() + GW_DIAG_STREAM_SLICE_US;
    GHashTableIter it;
    gpointer k, vp;
    g_hash_table_iter_init(&it, s->viewers);
    while (g_hash_table_iter_next(&it, &k, &vp)) {
        gw_diag_viewer_t *v = vp;
        if (!v->dirty_ids->len && !v->console.length && !v->site_changed)
            continue;
        if (g_get_monotonic_time() >= until)
            break; /* the other viewers' turn comes at the next flush */
        pthread_mutex_lock(&diag->lock);
        gw_diag_outbox_t *box = g_hash_table_lookup(s->outboxes, &v->id);
        bool idle = box && (box->msgs.length == 0 ||
                            (v->initial && box->bytes < GW_DIAG_OUTBOX_SNAPSHOT_MAX));
        pthread_mutex_unlock(&diag->lock);
        if (!idle)
            continue; /* still sending: let changes coalesce */
        GString *msgs[3] = { NULL, NULL, NULL };
        int n = 0;
        GString *values = NULL;
        if (v->dirty_ids->len)
            msgs[n++] = values = gw_diag_stream_values_message(s, v, until);
        if (v->console.length)
            msgs[n++] = gw_diag_stream_console_message(s, v);
        if (v->site_changed) {
            msgs[n++] = g_string_new("{\"t\":\"site\"}");
            v->site_changed = false;
        }
        /* A stray byte in a text frame would make the browser drop the
         * connection (gw_text.h): values are made valid here, console lines
         * when they are made (once for all viewers), the rest is ASCII. */
        if (values)
            gw_text_fix(values, GW_TEXT_JSON);
        if (!v->dirty_ids->len)
            v->initial = false; /* from now on: one round at a time, coalesced */
        pthread_mutex_lock(&diag->lock);
        box = g_hash_table_lookup(s->outboxes, &v->id);
        for (int i = 0; i < n; i++) {
            if (box)
                gw_diag_outbox_push(s, box, msgs[i]);
            else
                g_string_free(msgs[i], TRUE);
        }
        /* room for more of the snapshot: continue right after the sockets
         * had their turn; a full outbox waits for the next tick instead */
        if (box && v->initial && box->bytes < GW_DIAG_OUTBOX_SNAPSHOT_MAX)
            again = true;
        pthread_mutex_unlock(&diag->lock);
        woke = woke || box;
    }
    if (woke)
        gw_diag_server_wake(diag);
    if (again && s->again_timer < 0 && s->flush_timer >= 0)
        s->again_timer = gw_timer_add(ctx, 0, GW_TIMER_ONCE, gw_diag_stream_again, s);
}

/* ------------------------------------------------------------ viewers */

static void gw_diag_stream_viewer_added(gw_ctx_t *ctx, void *arg)
{
    gw_diag_viewer_note_t *note = arg;
    gw_diag_stream_t *s = note->stream;
    gw_diag_viewer_t *v = g_new0(gw_diag_viewer_t, 1);
    v->id = note->id;
    v->dirty_ids = g_array_new(FALSE, FALSE, sizeof(gw_point_id_t));
    v->initial = true;
    g_queue_init(&v->console);
    g_free(note);
    /* A new viewer gets every current value first. */
    size_t count = gw_point_count(ctx);
    for (size_t id = 0; id < count; id++)
        gw_diag_viewer_mark(v, (gw_point_id_t)id);
    g_hash_table_insert(s->viewers, &v->id, v);
    /* First message: which daemon this is. A page that loaded its point
     * list from another boot reloads it (ids are per boot). */
    GString *hello = g_string_new(NULL);
    g_string_append_printf(hello, "{\"t\":\"hello\",\"boot\":\"%s\",\"points\":%zu}",
                           s->diag->boot_id, count);
    pthread_mutex_lock(&s->diag->lock);
    gw_diag_outbox_t *box = g_hash_table_lookup(s->outboxes, &v->id);
    if (box)
        gw_diag_outbox_push(s, box, hello);
    else
        g_string_free(hello, TRUE);
    pthread_mutex_unlock(&s->diag->lock);
    if (box)
        gw_diag_server_wake(s->diag);
    /* Watching every point costs each set a callback: only while watched. */
    if (s->point_sub < 0) {
        s->point_sub = gw_point_subscribe(ctx, "", GW_SUB_PREFIX, gw_diag_stream_point_changed, s);
        if (s->point_sub < 0)
            gw_log(ctx, GW_LOG_ERROR, "cannot watch points: %s", g_strerror((int)-s->point_sub));
    }
}

static void gw_diag_stream_viewer_removed(gw_ctx_t *ctx, void *arg)
{
    gw_diag_viewer_note_t *note = arg;
    gw_diag_stream_t *s = note->stream;
    g_hash_table_remove(s->viewers, &note->id);
    g_free(note);
    if (g_hash_table_size(s->viewers) == 0 && s->point_sub >= 0) {
        gw_point_unsubscribe(ctx, s->point_sub);
        s->point_sub = -1;
    }
}

static void gw_diag_stream_note(gw_diag_stream_t *s, uint64_t id, gw_post_fn fn)
{
    gw_diag_viewer_note_t *note = g_new(gw_diag_viewer_note_t, 1);
    note->stream = s;
    note->id = id;
    if (gw_post(s->diag->ctx, fn, note) < 0)
        g_free(note); /* shutting down: the loop no longer cares */
}

gw_diag_outbox_t *gw_diag_stream_open(gw_diag_stream_t *s, struct lws *wsi)
{
    gw_diag_outbox_t *box = g_new0(gw_diag_outbox_t, 1);
    box->wsi = wsi;
    g_queue_init(&box->msgs);
    pthread_mutex_lock(&s->diag->lock);
    box->viewer = ++s->next_viewer;
    g_hash_table_insert(s->outboxes, &box->viewer, box);
    pthread_mutex_unlock(&s->diag->lock);
    gw_diag_stream_note(s, box->viewer, gw_diag_stream_viewer_added);
    return box;
}

void gw_diag_stream_close(gw_diag_stream_t *s, gw_diag_outbox_t *box)
{
    uint64_t id = box->viewer;
    pthread_mutex_lock(&s->diag->lock);
    s->outbox_bytes -= box->bytes;
    g_hash_table_remove(s->outboxes, &id);
    pthread_mutex_unlock(&s->diag->lock);
    gw_diag_stream_note(s, id, gw_diag_stream_viewer_removed);
}

GString *gw_diag_stream_pop(gw_diag_stream_t *s, gw_diag_outbox_t *box, bool *more)
{
    pthread_mutex_lock(&s->diag->lock);
    GString *m = g_queue_pop_head(&box->msgs);
    if (m) {
        box->bytes -= m->len;
        s->outbox_bytes -= m->len;
    }
    *more = box->msgs.length > 0;
    pthread_mutex_unlock(&s->diag->lock);
    return m;
}

bool gw_diag_stream_pending(gw_diag_stream_t *s, gw_diag_outbox_t *box)
{
    pthread_mutex_lock(&s->diag->lock);
    bool pending = box->msgs.length > 0;
    pthread_mutex_unlock(&s->diag->lock);
    return pending;
}

void gw_diag_stream_kick(gw_diag_stream_t *s)
{
    pthread_mutex_lock(&s->diag->lock);
    GHashTableIter it;
    gpointer k, v;
    g_hash_table_iter_init(&it, s->outboxes);
    while (g_hash_table_iter_next(&it, &k, &v)) {
        gw_diag_outbox_t *box = v;
        if (box->msgs.length)
            lws_callback_on_writable(box->wsi);
    }
    pthread_mutex_unlock(&s->diag->lock);
}

/* ------------------------------------------------------------ console */

static bool gw_diag_stream_console_wanted(const char *name)
{
    return strcmp(name, "log") == 0 || g_str_has_prefix(name, "ocpp.") ||
           g_str_has_prefix(name, "modbus.") || g_str_has_prefix(name, "bms.");
}

/* One serialised line shared by every viewer: {"event": name, "data":
 * payload}, long strings (a huge OCPP frame) cut. */
static GBytes *gw_diag_stream_console_line(const char *name, json_object *payload)
{
    json_object *line = json_object_new_object();
    json_object *data = json_object_new_object();
    json_object_object_add(line, "event", json_object_new_string(name));
    json_object_object_add(line, "data", data);
    if (payload && json_object_is_type(payload, json_type_object)) {
        json_object_object_foreach(payload, k, val) {
            if (json_object_is_type(val, json_type_string) &&
                json_object_get_string_len(val) > GW_DIAG_CONSOLE_LINE_MAX) {
                /* cut between characters, never inside one, and say how
                 * much is missing */
                const char *text = json_object_get_string(val);
                size_t len = (size_t)json_object_get_string_len(val);
                size_t keep = gw_text_cut(text, len, GW_DIAG_CONSOLE_LINE_MAX);
                GString *cut = g_string_new_len(text, (gssize)keep);
                g_string_append_printf(cut, "… (%zu more bytes)", len - keep);
                json_object_object_add(data, k, json_object_new_string_len(cut->str, (int)cut->len));
                g_string_free(cut, TRUE);
            } else {
                json_object_object_add(data, k, json_object_get(val));
            }
        }
    }
    size_t len;
    const char *text = json_object_to_json_string_length(
        line, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE, &len);
    GString *valid = g_string_new_len(text, (gssize)len);
    gw_text_fix(valid, GW_TEXT_JSON); /* once here, for every viewer (gw_text.h) */
    json_object_put(line);
    len = valid->len;
    return g_bytes_new_take(g_string_free(valid, FALSE), len);
}

void gw_diag_stream_on_event(gw_diag_stream_t *s, const char *name, json_object *payload)
{
    if (!g_hash_table_size(s->viewers) || !gw_diag_stream_console_wanted(name))
        return;
    GBytes *line = gw_diag_stream_console_line(name, payload);
    GHashTableIter it;
    gpointer k, vp;
    g_hash_table_iter_init(&it, s->viewers);
    while (g_hash_table_iter_next(&it, &k, &vp)) {
        gw_diag_viewer_t *v = vp;
        while (v->console.length >= s->diag->console_depth) {
            GBytes *old = g_queue_pop_head(&v->console);
            v->console_bytes -= g_bytes_get_size(old);
            g_bytes_unref(old);
            v->console_dropped++;
            s->console_dropped++;
        }
        g_queue_push_tail(&v->console, g_bytes_ref(line));
        v->console_bytes += g_bytes_get_size(line);
    }
    g_bytes_unref(line);
}

void gw_diag_stream_site_changed(gw_diag_stream_t *s)
{
    GHashTableIter it;
    gpointer k, vp;
    g_hash_table_iter_init(&it, s->viewers);
    while (g_hash_table_iter_next(&it, &k, &vp))
        ((gw_diag_viewer_t *)vp)->site_changed = true;
}

/* ------------------------------------------------------------ lifecycle */

int gw_diag_stream_start(gw_diag_stream_t *s)
{
    s->flush_timer = gw_timer_add(s->diag->ctx, s->diag->stream_interval_ms, GW_TIMER_REPEAT,
                                  gw_diag_stream_flush, s);
    return s->flush_timer < 0 ? (int)s->flush_timer : 0;
}

void gw_diag_stream_stop(gw_diag_stream_t *s)
{
    gw_ctx_t *ctx = s->diag->ctx;
    if (s->flush_timer >= 0)
        gw_timer_cancel(ctx, s->flush_timer);
    s->flush_timer = -1;
    if (s->again_timer >= 0)
        gw_timer_cancel(ctx, s->again_timer);
    s->again_timer = -1;
    if (s->point_sub >= 0)
        gw_point_unsubscribe(ctx, s->point_sub);
    s->point_sub = -1;
}

void gw_diag_stream_render_metrics(gw_diag_stream_t *s, GString *out)
{
    size_t dirty = 0, console_bytes = 0, bitmap = 0;
    GHashTableIter it;
    gpointer k, vp;
    g_hash_table_iter_init(&it, s->viewers);
    while (g_hash_table_iter_next(&it, &k, &vp)) {
        gw_diag_viewer_t *v = vp;
        dirty += v->dirty_ids->len;
        console_bytes += v->console_bytes;
        bitmap += v->dirty_bits / 8 + v->dirty_ids->len * sizeof(gw_point_id_t);
    }
    pthread_mutex_lock(&s->diag->lock);
    size_t outbox = s->outbox_bytes;
    pthread_mutex_unlock(&s->diag->lock);
    g_string_append_printf(out,
        "# HELP gatewayd_diag_viewers Viewers attached to /api/v1/stream.\n"
        "# TYPE gatewayd_diag_viewers gauge\n"
        "gatewayd_diag_viewers %u\n"
        "# HELP gatewayd_diag_stream_dirty_points Changed points waiting to be sent, all viewers.\n"
        "# TYPE gatewayd_diag_stream_dirty_points gauge\n"
        "gatewayd_diag_stream_dirty_points %zu\n"
        "# HELP gatewayd_diag_stream_queue_bytes Bytes held for viewers: outboxes, console rings, dirty sets.\n"
        "# TYPE gatewayd_diag_stream_queue_bytes gauge\n"
        "gatewayd_diag_stream_queue_bytes %zu\n"
        "# HELP gatewayd_diag_stream_values_total Point values sent to viewers.\n"
        "# TYPE gatewayd_diag_stream_values_total counter\n"
        "gatewayd_diag_stream_values_total %" G_GUINT64_FORMAT "\n"
        "# HELP gatewayd_diag_console_lines_total Console lines sent to viewers.\n"
        "# TYPE gatewayd_diag_console_lines_total counter\n"
        "gatewayd_diag_console_lines_total %" G_GUINT64_FORMAT "\n"
        "# HELP gatewayd_diag_console_dropped_total Console lines dropped for slow viewers.\n"
        "# TYPE gatewayd_diag_console_dropped_total counter\n"
        "gatewayd_diag_console_dropped_total %" G_GUINT64_FORMAT "\n",
        g_hash_table_size(s->viewers), dirty, outbox + console_bytes + bitmap,
        s->values_sent, s->console_sent, s->console_dropped);
}
