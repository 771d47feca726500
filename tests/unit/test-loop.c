/* Timers, fd watches and posts from other threads onto the loop. */
#include "config.h"
#include <errno.h>
#include <glib.h>
#include <pthread.h>
#include <unistd.h>
#include "host.h"
#include "log.h"

typedef struct {
    gw_host_t *host;
    int ticks;
    int posted;
    int order_ok;
    int fired_once;
    int readable;
    gw_timer_id_t repeat;
} state_t;

static void on_post(gw_ctx_t *ctx, void *arg)
{
    (void)ctx;
    int *counter = arg;
    (*counter)++;
}

typedef struct {
    gw_ctx_t *ctx;
    int n;
    int *seen;
    int *last;
    int *in_order;
} poster_t;

typedef struct {
    int value;
    int *last;
    int *in_order;
    int *seen;
} item_t;

static void on_item(gw_ctx_t *ctx, void *arg)
{
    item_t *it = arg;
    /* Posts from one thread run in posting order, on the loop thread. */
    if (it->value != *it->last + 1)
        *it->in_order = 0;
    *it->last = it->value;
    (*it->seen)++;
    g_free(it);
}

static void *poster(void *arg)
{
    poster_t *p = arg;
    for (int i = 1; i <= p->n; i++) {
        item_t *it = g_new(item_t, 1);
        it->value = i;
        it->last = p->last;
        it->in_order = p->in_order;
        it->seen = p->seen;
        g_assert_cmpint(gw_post(p->ctx, on_item, it), ==, 0);
    }
    return NULL;
}

static void spin(gw_host_t *h, int *cond, int want)
{
    gint64 end = g_get_monotonic_time() + 5 * G_USEC_PER_SEC;
    while (*cond < want && g_get_monotonic_time() < end)
        event_base_loop(h->base, EVLOOP_ONCE);
    g_assert_cmpint(*cond, >=, want);
}

static gw_host_t *new_host(gw_conf_t **conf)
{
    GPtrArray *errors = g_ptr_array_new_with_free_func(g_free);
    *conf = gw_conf_new_empty();
    gw_host_t *h = gw_host_new(*conf, errors);
    g_assert_cmpuint(errors->len, ==, 0);
    g_ptr_array_free(errors, TRUE);
    return h;
}

static void test_post_threads(void)
{
    gw_conf_t *conf;
    gw_host_t *h = new_host(&conf);
    gw_ctx_t *ctx = gw_host_core_ctx(h);
    int seen = 0, last = 0, in_order = 1;
    poster_t p = { ctx, 20000, &seen, &last, &in_order };
    pthread_t t;
    pthread_create(&t, NULL, poster, &p);
    spin(h, &seen, 20000);
    pthread_join(t, NULL);
    g_assert_cmpint(in_order, ==, 1);

    /* Closing runs what is queued, then refuses. */
    int counter = 0;
    g_assert_cmpint(gw_post(ctx, on_post, &counter), ==, 0);
    gw_loop_close_posts(h->loop, ctx);
    g_assert_cmpint(counter, ==, 1);
    g_assert_cmpint(gw_post(ctx, on_post, &counter), ==, -ESHUTDOWN);
    gw_host_free(h);
    gw_conf_free(conf);
}

static void on_tick(gw_ctx_t *ctx, gw_timer_id_t id, void *user)
{
    state_t *s = user;
    if (++s->ticks == 3)
        g_assert_cmpint(gw_timer_cancel(ctx, id), ==, 0); /* cancel itself */
}

static void on_once(gw_ctx_t *ctx, gw_timer_id_t id, void *user)
{
    state_t *s = user;
    s->fired_once++;
}

static void on_readable(gw_ctx_t *ctx, gw_watch_id_t id, int fd, unsigned events, void *user)
{
    state_t *s = user;
    char buf[16];
    g_assert_true(events & GW_WATCH_READ);
    if (read(fd, buf, sizeof buf) > 0)
        s->readable++;
    g_assert_cmpint(gw_watch_remove(ctx, id), ==, 0);
}

static void test_timers_watches(void)
{
    gw_conf_t *conf;
    gw_host_t *h = new_host(&conf);
    gw_ctx_t *ctx = gw_host_core_ctx(h);
    state_t s = { h };
    gw_timer_id_t once = gw_timer_add(ctx, 5, GW_TIMER_ONCE, on_once, &s);
    g_assert_cmpint(once, >, 0);
    g_assert_cmpint(gw_timer_add(ctx, 1, GW_TIMER_REPEAT, on_tick, &s), >, 0);
    g_assert_cmpint(gw_timer_add(ctx, 1, 0x80, on_once, &s), ==, -EINVAL);
    spin(h, &s.ticks, 3);
    spin(h, &s.fired_once, 1);
    g_assert_cmpint(gw_timer_cancel(ctx, once), ==, -ENOENT); /* gone after firing */

    int fds[2];
    g_assert_cmpint(pipe(fds), ==, 0);
    gw_watch_id_t w = gw_watch_add(ctx, fds[0], GW_WATCH_READ, on_readable, &s);
    g_assert_cmpint(w, >, 0);
    g_assert_cmpint(gw_watch_add(ctx, -1, GW_WATCH_READ, on_readable, &s), ==, -EINVAL);
    g_assert_cmpint(write(fds[1], "x", 1), ==, 1);
    spin(h, &s.readable, 1);
    g_assert_cmpint(gw_watch_remove(ctx, w), ==, -ENOENT);

    /* Leftovers are removed for the instance. */
    g_assert_cmpint(gw_timer_add(ctx, 100000, GW_TIMER_REPEAT, on_once, &s), >, 0);
    g_assert_cmpint(gw_watch_add(ctx, fds[0], GW_WATCH_READ, on_readable, &s), >, 0);
    gw_loop_remove_all(h->loop, ctx);
    close(fds[0]);
    close(fds[1]);
    gw_host_free(h);
    gw_conf_free(conf);
}

/* Bounded batches: with thousands of posts queued, a socket that becomes
 * readable is served long before the queue is empty (the loop polls
 * between batches), and every post still runs, in order. */
typedef struct {
    int posts_run;
    int posts_at_read;       /* posts run when the watch fired, -1 before */
    int last, in_order;
} batch_t;

static void on_batch_post(gw_ctx_t *ctx, void *arg)
{
    (void)ctx;
    item_t *it = arg;
    batch_t *b = (batch_t *)it->seen;
    if (it->value != b->last + 1)
        b->in_order = 0;
    b->last = it->value;
    b->posts_run++;
    g_usleep(20); /* a post that costs something */
    g_free(it);
}

static void on_batch_read(gw_ctx_t *ctx, gw_watch_id_t id, int fd, unsigned events, void *user)
{
    batch_t *b = user;
    char c;
    (void)events;
    if (read(fd, &c, 1) == 1 && b->posts_at_read < 0)
        b->posts_at_read = b->posts_run;
    gw_watch_remove(ctx, id);
}

static void test_post_batches(void)
{
    gw_conf_t *conf;
    gw_host_t *h = new_host(&conf);
    gw_ctx_t *ctx = gw_host_core_ctx(h);
    batch_t b = { .posts_at_read = -1, .in_order = 1 };
    enum { N = 5000 };
    for (int i = 1; i <= N; i++) {
        item_t *it = g_new0(item_t, 1);
        it->value = i;
        it->seen = (int *)&b;
        g_assert_cmpint(gw_post(ctx, on_batch_post, it), ==, 0);
    }
    int fds[2];
    g_assert_cmpint(pipe(fds), ==, 0);
    g_assert_cmpint(write(fds[1], "x", 1), ==, 1);
    g_assert_cmpint(gw_watch_add(ctx, fds[0], GW_WATCH_READ, on_batch_read, &b), >, 0);
    g_assert_cmpint(gw_loop_posts_waiting(h->loop), ==, N);
    spin(h, &b.posts_run, N);
    g_assert_cmpint(b.in_order, ==, 1);
    g_assert_cmpint(b.posts_at_read, >=, 0);
    g_assert_cmpint(b.posts_at_read, <, N / 10);
    g_assert_cmpint(gw_loop_posts_waiting(h->loop), ==, 0);
    /* the longest callback is measured, and reset once taken */
    g_assert_cmpint(gw_loop_callback_max_take(h->loop), >, 0);
    g_assert_cmpint(gw_loop_callback_max_take(h->loop), ==, 0); /* taken: reset */
    close(fds[0]);
    close(fds[1]);
    gw_host_free(h);
    gw_conf_free(conf);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    gw_log_setup(GW_LOG_ERROR, false);
    g_test_add_func("/loop/post-threads", test_post_threads);
    g_test_add_func("/loop/timers-watches", test_timers_watches);
    g_test_add_func("/loop/post-batches", test_post_batches);
    return g_test_run();
}
