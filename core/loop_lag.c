/*
 * loop_lag.c - a timer that measures how late it fires.
 *
 * Every GW_LAG_PROBE_MS the probe is due; the time between due and run is
 * what any socket or timer that became ready at that moment waited for the
 * loop (the callbacks ahead of it in the pass). Once a second the probe
 * publishes:
 *   core.loop.lag_ms           the worst lateness in the last second,
 *   core.loop.lag_p99_ms       the 99th percentile over the last 10 s,
 *   core.loop.callback_max_ms  the longest single callback (a timer, a
 *                              socket, a batch of posts) in the last 10 s.
 *   core.log.dropped           log lines dropped on a full log queue since
 *                              start (core/log.c; published here, as the
 *                              log writer thread cannot touch points).
 * Cost: one timer 40 times a second, two clock reads per callback, and a
 * sort of 400 floats once a second.
 */
#include "config.h"
#include "loop_lag.h"
#include "log.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define GW_LAG_PROBE_MS 25
#define GW_LAG_WINDOW_S 10
#define GW_LAG_PER_S (1000 / GW_LAG_PROBE_MS)
#define GW_LAG_SAMPLES (GW_LAG_WINDOW_S * GW_LAG_PER_S)

struct gw_loop_lag {
    gw_host_t *host;
    gw_point_id_t lag, p99, callback_max, log_dropped;
    unsigned long log_dropped_seen;
    int64_t due_us;
    float samples[GW_LAG_SAMPLES];   /* ms, a ring */
    unsigned n, next;
    unsigned in_second;
    float second_max;
    int64_t callback_max_us[GW_LAG_WINDOW_S]; /* per second, a ring */
    unsigned second;
};

static int gw_lag_cmp(const void *a, const void *b)
{
    float x = *(const float *)a, y = *(const float *)b;
    return (x > y) - (x < y);
}

static void gw_lag_set(gw_loop_lag_t *l, gw_point_id_t id, double ms)
{
    gw_value_t v = gw_value_float(ms);
    gw_pointdb_set(l->host->points, gw_host_core_ctx(l->host), id, &v);
}

static void gw_lag_set_dropped(gw_loop_lag_t *l)
{
    l->log_dropped_seen = gw_log_dropped();
    gw_value_t v = gw_value_int(l->log_dropped_seen < UINT32_MAX ? (int64_t)l->log_dropped_seen
                                                                 : UINT32_MAX);
    gw_pointdb_set(l->host->points, gw_host_core_ctx(l->host), l->log_dropped, &v);
}

static void gw_lag_publish(gw_loop_lag_t *l)
{
    float sorted[GW_LAG_SAMPLES];
    memcpy(sorted, l->samples, l->n * sizeof sorted[0]);
    qsort(sorted, l->n, sizeof sorted[0], gw_lag_cmp);
    unsigned rank = (l->n * 99 + 99) / 100; /* nearest rank */
    l->callback_max_us[l->second++ % GW_LAG_WINDOW_S] = gw_loop_callback_max_take(l->host->loop);
    int64_t cb = 0;
    for (unsigned i = 0; i < GW_LAG_WINDOW_S; i++)
        if (l->callback_max_us[i] > cb)
            cb = l->callback_max_us[i];
    gw_lag_set(l, l->lag, l->second_max);
    gw_lag_set(l, l->p99, l->n ? sorted[rank ? rank - 1 : 0] : 0);
    gw_lag_set(l, l->callback_max, cb / 1000.0);
    if (gw_log_dropped() != l->log_dropped_seen)
        gw_lag_set_dropped(l);
    l->second_max = 0;
    l->in_second = 0;
}

static void gw_lag_probe(gw_ctx_t *ctx, gw_timer_id_t id, void *user)
{
    gw_loop_lag_t *l = user;
    (void)id;
    int64_t now = gw_loop_now_us();
    float ms = now > l->due_us ? (float)(now - l->due_us) / 1000.0f : 0.0f;
    l->samples[l->next] = ms;
    l->next = (l->next + 1) % GW_LAG_SAMPLES;
    if (l->n < GW_LAG_SAMPLES)
        l->n++;
    if (ms > l->second_max)
        l->second_max = ms;
    if (++l->in_second >= GW_LAG_PER_S)
        gw_lag_publish(l);
    /* one-shot, re-armed from now: lateness is never carried over */
    l->due_us = gw_loop_now_us() + GW_LAG_PROBE_MS * 1000;
    if (gw_loop_timer_add(l->host->loop, ctx, GW_LAG_PROBE_MS, GW_TIMER_ONCE, gw_lag_probe, l) < 0)
        gw_core_warn("loop lag probe stopped: cannot add its timer");
}

static gw_point_id_t gw_lag_point(gw_host_t *host, const char *name, const char *description)
{
    gw_point_def_t def = GW_POINT_DEF(.name = name, .type = GW_TYPE_FLOAT32,
                                      .access = GW_ACCESS_R, .description = description,
                                      .unit = "ms");
    return gw_pointdb_register(host->points, gw_host_core_ctx(host), &def);
}

gw_loop_lag_t *gw_loop_lag_start(gw_host_t *host)
{
    gw_loop_lag_t *l = calloc(1, sizeof *l);
    if (!l)
        return NULL;
    l->host = host;
    gw_pointdb_raise_limit(host->points, 4);
    l->lag = gw_lag_point(host, "core.loop.lag_ms",
                          "worst lateness of the loop in the last second");
    l->p99 = gw_lag_point(host, "core.loop.lag_p99_ms",
                          "99th percentile of the loop's lateness over the last 10 s");
    l->callback_max = gw_lag_point(host, "core.loop.callback_max_ms",
                                   "longest single callback of the loop in the last 10 s");
    gw_point_def_t dropped = GW_POINT_DEF(.name = "core.log.dropped", .type = GW_TYPE_UINT32,
                                          .access = GW_ACCESS_R, .unit = "lines",
                                          .description = "log lines dropped since start: "
                                                         "stderr (or syslog) not draining");
    l->log_dropped = gw_pointdb_register(host->points, gw_host_core_ctx(host), &dropped);
    if (l->lag < 0 || l->p99 < 0 || l->callback_max < 0 || l->log_dropped < 0) {
        gw_core_warn("cannot register the core.loop and core.log points: loop lag is not measured");
        free(l);
        return NULL;
    }
    gw_lag_set(l, l->lag, 0);
    gw_lag_set(l, l->p99, 0);
    gw_lag_set(l, l->callback_max, 0);
    gw_lag_set_dropped(l);
    l->due_us = gw_loop_now_us() + GW_LAG_PROBE_MS * 1000;
    if (gw_loop_timer_add(host->loop, gw_host_core_ctx(host), GW_LAG_PROBE_MS, GW_TIMER_ONCE,
                          gw_lag_probe, l) < 0) {
        free(l);
        return NULL;
    }
    return l;
}

void gw_loop_lag_free(gw_loop_lag_t *lag)
{
    free(lag);
}
