/* Timers, fd watches and cross-thread posts on the libevent loop, each
 * remembered with the instance that made it so the host can remove what an
 * instance leaves behind. */
#ifndef GW_CORE_LOOP_H
#define GW_CORE_LOOP_H

#include <event2/event.h>
#include <gw/gw.h>

typedef struct gw_loop gw_loop_t;

/** Wrap an event_base (evthread must already be enabled). */
gw_loop_t *gw_loop_new(struct event_base *base);
void gw_loop_free(gw_loop_t *loop);

gw_timer_id_t gw_loop_timer_add(gw_loop_t *loop, gw_ctx_t *ctx, uint32_t ms, unsigned flags,
                                gw_timer_cb cb, void *user);
int gw_loop_timer_cancel(gw_loop_t *loop, gw_ctx_t *ctx, gw_timer_id_t id);
gw_watch_id_t gw_loop_watch_add(gw_loop_t *loop, gw_ctx_t *ctx, int fd, unsigned events,
                                gw_watch_cb cb, void *user);
int gw_loop_watch_modify(gw_loop_t *loop, gw_ctx_t *ctx, gw_watch_id_t id, unsigned events);
int gw_loop_watch_remove(gw_loop_t *loop, gw_ctx_t *ctx, gw_watch_id_t id);

/** Thread-safe. Posts run in order, in bounded batches (64 posts or 1 ms)
 * between the loop's polls of its sockets and timers: a source must still
 * bound what it posts (stop reading its peer until its posts have run).
 * @return 0, -ENOMEM, -ESHUTDOWN (ctx closed for posts). */
int gw_loop_post(gw_loop_t *loop, gw_ctx_t *ctx, gw_post_fn fn, void *arg);
/** Refuse further posts for ctx, then run those already queued for it. */
void gw_loop_close_posts(gw_loop_t *loop, gw_ctx_t *ctx);
/** The longest single callback (timer, watch, or one batch of posts) since
 * the last call, in microseconds; resets it. Loop thread. */
int64_t gw_loop_callback_max_take(gw_loop_t *loop);
/** Posts queued and not yet run (any thread). */
size_t gw_loop_posts_waiting(gw_loop_t *loop);
/** CLOCK_MONOTONIC in microseconds. */
int64_t gw_loop_now_us(void);
/** Remove every timer and watch of ctx. */
void gw_loop_remove_all(gw_loop_t *loop, gw_ctx_t *ctx);

#endif
