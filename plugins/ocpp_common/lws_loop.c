/*
 * lws_loop.c - a libwebsockets context on a libev loop, serviced by a
 * thread of its own (see lws_loop.h for why).
 *
 * The loop is "foreign" to lws (we create it): lws then installs no SIGINT
 * watcher of its own (gatewayd's signals belong to the core), and we can
 * run it one pass at a time, which the pass callback and the spin need.
 *
 * lws 4.1.6's libev glue re-arms its timer with ev_timer_set() +
 * ev_timer_start() on a watcher that may still be active, which libev
 * ignores: a timer scheduled sooner than the one pending (a WebSocket ping
 * due in 1 s while a 10 s handshake timeout is armed) then waits for the
 * later one, or for unrelated traffic. lws runs its due timers whenever a
 * socket (its cancel pipe included) wakes it, so a tick of ours pokes that
 * pipe: lws' timers fire within GW_LWS_TICK_S of their time.
 *
 * libev is opened at run time (dlopen, local), never linked: it exports a
 * libevent emulation (event_base_new, event_del, ...) whose symbols would
 * take the place of libevent's in any program linking both, such as a
 * test linking the core and a plugin. Loaded locally it is only seen by
 * this file and by lws' evlib plugin, which needs it anyway.
 */
#include <dlfcn.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include <ev.h>
#include <libwebsockets.h>
#include "lws_loop.h"

#define GW_LWS_TICK_S 0.1
#define GW_LIBEV_SONAME "libev.so.4"

/* The libev functions this file calls, from the library opened locally. */
typedef struct gw_ev_api {
    void *dl;
    __typeof__(ev_loop_new) *loop_new;
    __typeof__(ev_loop_destroy) *loop_destroy;
    __typeof__(ev_run) *run;
    __typeof__(ev_timer_start) *timer_start;
    __typeof__(ev_timer_stop) *timer_stop;
} gw_ev_api_t;

struct gw_lws_loop {
    gw_ev_api_t api;
    struct lws_context *context;
    struct ev_loop *ev;          /* NULL: lws' own poll() */
    void *foreign[1];
    ev_timer tick;
    pthread_t thread;
    bool thread_started;
    atomic_bool stopping;
    gw_lws_loop_pass_fn pass;
    void *arg;
    unsigned spin_us;
};

static bool gw_ev_api_open(gw_ev_api_t *api)
{
    api->dl = dlopen(GW_LIBEV_SONAME, RTLD_NOW | RTLD_LOCAL);
    if (!api->dl)
        return false;
    api->loop_new = (__typeof__(ev_loop_new) *)dlsym(api->dl, "ev_loop_new");
    api->loop_destroy = (__typeof__(ev_loop_destroy) *)dlsym(api->dl, "ev_loop_destroy");
    api->run = (__typeof__(ev_run) *)dlsym(api->dl, "ev_run");
    api->timer_start = (__typeof__(ev_timer_start) *)dlsym(api->dl, "ev_timer_start");
    api->timer_stop = (__typeof__(ev_timer_stop) *)dlsym(api->dl, "ev_timer_stop");
    if (api->loop_new && api->loop_destroy && api->run && api->timer_start && api->timer_stop)
        return true;
    dlclose(api->dl);
    api->dl = NULL;
    return false;
}

static int64_t gw_lws_loop_now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* One pass: wait for something (or not), run the callbacks, then the
 * pass hook. @return what the hook says */
static gw_lws_pass_result_t gw_lws_loop_pass(gw_lws_loop_t *l, bool wait)
{
    if (l->ev)
        l->api.run(l->ev, wait ? EVRUN_ONCE : EVRUN_NOWAIT);
    else
        lws_service(l->context, wait ? 0 : -1);
    return l->pass ? l->pass(l->arg) : GW_LWS_PASS_IDLE;
}

static void gw_lws_loop_tick(struct ev_loop *ev, ev_timer *w, int revents)
{
    gw_lws_loop_t *l = w->data;
    (void)ev;
    (void)revents;
    lws_cancel_service(l->context);
}

static void *gw_lws_loop_main(void *arg)
{
    gw_lws_loop_t *l = arg;
    gw_lws_pass_result_t r = GW_LWS_PASS_IDLE;
    while (!atomic_load(&l->stopping)) {
        r = gw_lws_loop_pass(l, r != GW_LWS_PASS_MORE);
        if (r != GW_LWS_PASS_MOVED || !l->spin_us)
            continue;
        /* Traffic is flowing: the answer to what was just relayed is
         * likely to come within microseconds; poll for it awake. */
        int64_t until = gw_lws_loop_now_us() + l->spin_us;
        while (!atomic_load(&l->stopping) && gw_lws_loop_now_us() < until)
            if ((r = gw_lws_loop_pass(l, false)) != GW_LWS_PASS_IDLE)
                until = gw_lws_loop_now_us() + l->spin_us;
        /* a spin ending on MORE makes the next pass not wait: held input
         * is never left behind a sleep */
    }
    return NULL;
}

gw_lws_loop_t *gw_lws_loop_new(gw_ctx_t *ctx, const struct lws_context_creation_info *info)
{
    gw_lws_loop_t *l = calloc(1, sizeof *l);
    const char *fallback = NULL;
    if (!l)
        return NULL;
    atomic_init(&l->stopping, false);
    if (gw_ev_api_open(&l->api))
        l->ev = l->api.loop_new(EVFLAG_AUTO);
    if (l->ev) {
        struct lws_context_creation_info evinfo = *info;
        l->foreign[0] = l->ev;
        evinfo.options |= LWS_SERVER_OPTION_LIBEV;
        evinfo.foreign_loops = l->foreign;
        l->context = lws_create_context(&evinfo);
        if (!l->context) {
            l->api.loop_destroy(l->ev);
            l->ev = NULL;
            fallback = "libwebsockets could not use libev (is libwebsockets-evlib-ev installed?)";
        }
    } else {
        fallback = l->api.dl ? "cannot create a libev loop" : "cannot open " GW_LIBEV_SONAME;
    }
    if (!l->context)
        l->context = lws_create_context(info);
    if (!l->context) {
        if (l->api.dl)
            dlclose(l->api.dl);
        free(l);
        return NULL;
    }
    if (fallback)
        gw_log(ctx, GW_LOG_WARNING, "%s: waiting in poll() over every socket instead", fallback);
    return l;
}

struct lws_context *gw_lws_loop_context(const gw_lws_loop_t *l)
{
    return l ? l->context : NULL;
}

int gw_lws_loop_start(gw_lws_loop_t *l, gw_lws_loop_pass_fn pass, void *arg, unsigned spin_us)
{
    l->pass = pass;
    l->arg = arg;
    /* on one CPU the answer cannot arrive while we spin */
    l->spin_us = sysconf(_SC_NPROCESSORS_ONLN) > 1 ? spin_us : 0;
    if (l->ev) {
        ev_timer_init(&l->tick, gw_lws_loop_tick, GW_LWS_TICK_S, GW_LWS_TICK_S);
        l->tick.data = l;
        l->api.timer_start(l->ev, &l->tick);
    }
    int rc = pthread_create(&l->thread, NULL, gw_lws_loop_main, l);
    if (rc != 0)
        return -rc;
    l->thread_started = true;
    return 0;
}

void gw_lws_loop_stop(gw_lws_loop_t *l)
{
    if (!l || !l->thread_started)
        return;
    atomic_store(&l->stopping, true);
    lws_cancel_service(l->context);
    pthread_join(l->thread, NULL);
    l->thread_started = false;
}

void gw_lws_loop_free(gw_lws_loop_t *l)
{
    if (!l)
        return;
    gw_lws_loop_stop(l);
    lws_context_destroy(l->context);
    if (l->ev) {
        l->api.timer_stop(l->ev, &l->tick);
        l->api.loop_destroy(l->ev);
    }
    if (l->api.dl)
        dlclose(l->api.dl);
    free(l);
}
