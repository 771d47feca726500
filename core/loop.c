/* Timers, watches and posts over libevent. */
#include "config.h"
#include "loop.h"
#include "log.h"

#include <errno.h>
#include <glib.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

/* Posts run in batches: at most this many, and no longer than the budget,
 * before the loop polls its sockets and runs its timers again. A source
 * that posts faster than the loop runs posts then waits for the loop
 * instead of holding every socket and timer behind its backlog. */
#define GW_LOOP_POST_BATCH 64
#define GW_LOOP_POST_BUDGET_US 1000

typedef enum { ITEM_TIMER, ITEM_WATCH } item_kind_t;

typedef struct gw_loop_item {
    int64_t id;
    item_kind_t kind;
    gw_loop_t *loop;
    gw_ctx_t *ctx;
    struct event *ev;
    unsigned flags;      /* timer: GW_TIMER_*; watch: GW_WATCH_* */
    int fd;
    struct timeval tv;
    gw_timer_cb timer_cb;
    gw_watch_cb watch_cb;
    void *user;
    int running;         /* inside its callback */
    bool removed;
} gw_loop_item_t;

typedef struct gw_post {
    gw_ctx_t *ctx;
    gw_post_fn fn;
    void *arg;
} gw_post_t;

struct gw_loop {
    struct event_base *base;
    GHashTable *items;   /* id -> item */
    int64_t next_id;
    pthread_mutex_t post_lock;
    GQueue posts;        /* gw_post_t*, under post_lock */
    bool scheduled;      /* a batch will run: posters need not wake the loop */
    GHashTable *closed;  /* ctx -> ctx, under post_lock */
    struct event *post_ev;
    struct event *resume_ev; /* the rest of a batch, after the next poll */
    int64_t callback_max_us; /* longest callback since gw_loop_callback_max_take() */
    uint64_t posts_run;
};

static int64_t loop_now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* One clock read per callback: cheap next to any callback worth timing. */
static void loop_note_callback(gw_loop_t *loop, int64_t t0)
{
    int64_t d = loop_now_us() - t0;
    if (d > loop->callback_max_us)
        loop->callback_max_us = d;
}

static void item_free(gw_loop_item_t *it)
{
    if (it->ev)
        event_free(it->ev);
    g_free(it);
}

static void item_forget(gw_loop_t *loop, gw_loop_item_t *it)
{
    g_hash_table_remove(loop->items, &it->id);
    if (it->running)
        it->removed = true; /* freed when its callback returns */
    else
        item_free(it);
}

/* Every post of one context (it is closing): no batching, nothing else
 * may run in between. */
static void run_posts_of(gw_loop_t *loop, gw_ctx_t *only)
{
    for (;;) {
        gw_post_t *p = NULL;
        pthread_mutex_lock(&loop->post_lock);
        for (GList *l = loop->posts.head; l; l = l->next) {
            gw_post_t *q = l->data;
            if (q->ctx == only) {
                p = q;
                g_queue_delete_link(&loop->posts, l);
                break;
            }
        }
        pthread_mutex_unlock(&loop->post_lock);
        if (!p)
            return;
        p->fn(p->ctx, p->arg);
        free(p);
    }
}

/* One bounded batch; what is left waits for resume_ev, a zero timeout,
 * which libevent runs only after it has polled the sockets again. Posters
 * wake the loop only when no batch is scheduled (see gw_loop_post), so a
 * thread posting while a batch runs cannot make libevent run another
 * batch in the same pass. */
static void run_post_batch(gw_loop_t *loop)
{
    int64_t t0 = loop_now_us();
    bool more = false;
    for (int n = 0; n < GW_LOOP_POST_BATCH; n++) {
        pthread_mutex_lock(&loop->post_lock);
        gw_post_t *p = g_queue_pop_head(&loop->posts);
        pthread_mutex_unlock(&loop->post_lock);
        if (!p)
            break;
        p->fn(p->ctx, p->arg);
        free(p);
        loop->posts_run++;
        if (loop_now_us() - t0 >= GW_LOOP_POST_BUDGET_US)
            break;
    }
    pthread_mutex_lock(&loop->post_lock);
    more = loop->posts.length > 0;
    loop->scheduled = more;
    pthread_mutex_unlock(&loop->post_lock);
    if (more) {
        static const struct timeval now = { 0, 0 };
        event_add(loop->resume_ev, &now);
    }
    loop_note_callback(loop, t0);
}

static void on_post(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    run_post_batch(arg);
}

gw_loop_t *gw_loop_new(struct event_base *base)
{
    gw_loop_t *loop = g_new0(gw_loop_t, 1);
    loop->base = base;
    loop->items = g_hash_table_new(g_int64_hash, g_int64_equal);
    loop->next_id = 1;
    pthread_mutex_init(&loop->post_lock, NULL);
    g_queue_init(&loop->posts);
    loop->closed = g_hash_table_new(g_direct_hash, g_direct_equal);
    loop->post_ev = event_new(base, -1, 0, on_post, loop);
    loop->resume_ev = evtimer_new(base, on_post, loop);
    return loop;
}

void gw_loop_free(gw_loop_t *loop)
{
    if (!loop)
        return;
    GHashTableIter i;
    gpointer k, v;
    g_hash_table_iter_init(&i, loop->items);
    while (g_hash_table_iter_next(&i, &k, &v))
        item_free(v);
    g_hash_table_destroy(loop->items);
    g_queue_clear_full(&loop->posts, free);
    g_hash_table_destroy(loop->closed);
    event_free(loop->post_ev);
    event_free(loop->resume_ev);
    pthread_mutex_destroy(&loop->post_lock);
    g_free(loop);
}

static gw_loop_item_t *item_new(gw_loop_t *loop, gw_ctx_t *ctx, item_kind_t kind)
{
    gw_loop_item_t *it = g_new0(gw_loop_item_t, 1);
    it->id = loop->next_id++;
    it->kind = kind;
    it->loop = loop;
    it->ctx = ctx;
    g_hash_table_insert(loop->items, &it->id, it);
    return it;
}

static gw_loop_item_t *item_find(gw_loop_t *loop, gw_ctx_t *ctx, int64_t id, item_kind_t kind)
{
    gw_loop_item_t *it = g_hash_table_lookup(loop->items, &id);
    return (it && it->ctx == ctx && it->kind == kind) ? it : NULL;
}

static void on_timer(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    gw_loop_item_t *it = arg;
    gw_loop_t *loop = it->loop;
    int64_t t0 = loop_now_us();
    it->running++;
    it->timer_cb(it->ctx, it->id, it->user);
    it->running--;
    loop_note_callback(loop, t0);
    if (it->removed) {
        if (!it->running)
            item_free(it);
    } else if (!(it->flags & GW_TIMER_REPEAT)) {
        item_forget(loop, it);
    }
}

gw_timer_id_t gw_loop_timer_add(gw_loop_t *loop, gw_ctx_t *ctx, uint32_t ms, unsigned flags,
                                gw_timer_cb cb, void *user)
{
    if (!cb || (flags & ~GW_TIMER_REPEAT))
        return -EINVAL;
    gw_loop_item_t *it = item_new(loop, ctx, ITEM_TIMER);
    it->flags = flags;
    it->timer_cb = cb;
    it->user = user;
    it->tv.tv_sec = ms / 1000;
    it->tv.tv_usec = (ms % 1000) * 1000;
    it->ev = event_new(loop->base, -1, (flags & GW_TIMER_REPEAT) ? EV_PERSIST : 0, on_timer, it);
    if (!it->ev || event_add(it->ev, &it->tv) < 0) {
        item_forget(loop, it);
        return -ENOMEM;
    }
    return it->id;
}

int gw_loop_timer_cancel(gw_loop_t *loop, gw_ctx_t *ctx, gw_timer_id_t id)
{
    gw_loop_item_t *it = item_find(loop, ctx, id, ITEM_TIMER);
    if (!it)
        return -ENOENT;
    event_del(it->ev);
    item_forget(loop, it);
    return 0;
}

static short watch_what(unsigned events)
{
    return (short)(EV_PERSIST | ((events & GW_WATCH_READ) ? EV_READ : 0) |
                   ((events & GW_WATCH_WRITE) ? EV_WRITE : 0));
}

static void on_watch(evutil_socket_t fd, short what, void *arg)
{
    gw_loop_item_t *it = arg;
    unsigned ev = ((what & EV_READ) ? GW_WATCH_READ : 0) | ((what & EV_WRITE) ? GW_WATCH_WRITE : 0);
    gw_loop_t *loop = it->loop;
    int64_t t0 = loop_now_us();
    it->running++;
    it->watch_cb(it->ctx, it->id, (int)fd, ev, it->user);
    it->running--;
    loop_note_callback(loop, t0);
    if (it->removed && !it->running)
        item_free(it);
}

gw_watch_id_t gw_loop_watch_add(gw_loop_t *loop, gw_ctx_t *ctx, int fd, unsigned events,
                                gw_watch_cb cb, void *user)
{
    if (!cb || fd < 0 || !events || (events & ~(GW_WATCH_READ | GW_WATCH_WRITE)))
        return -EINVAL;
    gw_loop_item_t *it = item_new(loop, ctx, ITEM_WATCH);
    it->fd = fd;
    it->flags = events;
    it->watch_cb = cb;
    it->user = user;
    it->ev = event_new(loop->base, fd, watch_what(events), on_watch, it);
    if (!it->ev || event_add(it->ev, NULL) < 0) {
        item_forget(loop, it);
        return -ENOMEM;
    }
    return it->id;
}

int gw_loop_watch_modify(gw_loop_t *loop, gw_ctx_t *ctx, gw_watch_id_t id, unsigned events)
{
    gw_loop_item_t *it = item_find(loop, ctx, id, ITEM_WATCH);
    if (!it)
        return -ENOENT;
    if (!events || (events & ~(GW_WATCH_READ | GW_WATCH_WRITE)))
        return -EINVAL;
    if (events == it->flags)
        return 0;
    event_del(it->ev);
    if (event_assign(it->ev, loop->base, it->fd, watch_what(events), on_watch, it) < 0)
        return -EINVAL;
    it->flags = events;
    return event_add(it->ev, NULL) < 0 ? -ENOMEM : 0;
}

int gw_loop_watch_remove(gw_loop_t *loop, gw_ctx_t *ctx, gw_watch_id_t id)
{
    gw_loop_item_t *it = item_find(loop, ctx, id, ITEM_WATCH);
    if (!it)
        return -ENOENT;
    event_del(it->ev);
    item_forget(loop, it);
    return 0;
}

int gw_loop_post(gw_loop_t *loop, gw_ctx_t *ctx, gw_post_fn fn, void *arg)
{
    if (!fn)
        return -EINVAL;
    gw_post_t *p = malloc(sizeof *p);
    if (!p)
        return -ENOMEM;
    p->ctx = ctx;
    p->fn = fn;
    p->arg = arg;
    pthread_mutex_lock(&loop->post_lock);
    if (g_hash_table_contains(loop->closed, ctx)) {
        pthread_mutex_unlock(&loop->post_lock);
        free(p);
        return -ESHUTDOWN;
    }
    g_queue_push_tail(&loop->posts, p);
    bool wake = !loop->scheduled;
    loop->scheduled = true;
    pthread_mutex_unlock(&loop->post_lock);
    /* Thread-safe because the host enabled evthread before creating the base. */
    if (wake)
        event_active(loop->post_ev, EV_READ, 0);
    return 0;
}

void gw_loop_close_posts(gw_loop_t *loop, gw_ctx_t *ctx)
{
    pthread_mutex_lock(&loop->post_lock);
    g_hash_table_add(loop->closed, ctx);
    pthread_mutex_unlock(&loop->post_lock);
    run_posts_of(loop, ctx);
}

int64_t gw_loop_callback_max_take(gw_loop_t *loop)
{
    int64_t m = loop->callback_max_us;
    loop->callback_max_us = 0;
    return m;
}

size_t gw_loop_posts_waiting(gw_loop_t *loop)
{
    pthread_mutex_lock(&loop->post_lock);
    size_t n = loop->posts.length;
    pthread_mutex_unlock(&loop->post_lock);
    return n;
}

int64_t gw_loop_now_us(void)
{
    return loop_now_us();
}

void gw_loop_remove_all(gw_loop_t *loop, gw_ctx_t *ctx)
{
    GHashTableIter i;
    gpointer k, v;
    GSList *mine = NULL;
    g_hash_table_iter_init(&i, loop->items);
    while (g_hash_table_iter_next(&i, &k, &v))
        if (((gw_loop_item_t *)v)->ctx == ctx)
            mine = g_slist_prepend(mine, v);
    for (GSList *l = mine; l; l = l->next) {
        gw_loop_item_t *it = l->data;
        event_del(it->ev);
        item_forget(loop, it);
    }
    g_slist_free(mine);
}
