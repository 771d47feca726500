/*
 * cs_store_writer.c - the state file written off the loop.
 *
 * Replacing the file durably (temporary file, fsync, rename, fsync of the
 * directory) takes ~0.4 ms on a server disk and tens of milliseconds on the
 * SD cards and eMMC of DIN-rail gateways; done on the loop, every Modbus
 * request and OCPP frame would wait for it at each transaction start and
 * stop. A thread writes instead. The loop hands it snapshots (the newest
 * replaces one not yet started: only the last state matters), and what
 * must not be said before it is on disk (a StartTransaction's
 * transactionId, a StopTransaction's acknowledgement) waits for
 * cs_store_writer_after().
 *
 * A write that fails (a full disk, a file system remounted read-only)
 * confirms nothing: whoever waits for that state hears the error and
 * refuses (cs_reply_durable() answers a CALLERROR the charger retries).
 * The snapshot is kept and tried again every CS_STORE_RETRY_MS until a
 * write succeeds, so the state catches up as soon as space returns; each
 * attempt's result reaches the loop (on_status) for the points and events
 * that report it.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "cs.h"

/* A failed write is tried again this often, so that the state reaches the
 * disk soon after space returns (or the file system is writable again). */
#define CS_STORE_RETRY_MS 1000

typedef struct cs_store_waiter {
    struct cs_store_waiter *next;
    uint64_t gen;
    cs_store_after_fn fn;
    void *arg;
} cs_store_waiter_t;

struct cs_store_writer {
    gw_ctx_t *ctx;
    char *path;
    cs_store_status_fn on_status;
    void *status_user;
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    /* guarded by lock */
    char *pending;              /* next snapshot to write (or to retry), or NULL */
    uint64_t pending_gen;
    bool stopping;
    uint64_t thread_durable_gen; /* last snapshot the thread wrote */
    int thread_rc;              /* its last attempt: 0 or -errno */
    /* loop thread only */
    bool joined;
    uint64_t put_gen;           /* last snapshot handed over */
    uint64_t durable_gen;       /* last snapshot known to be on disk */
    int last_rc;                /* the last attempt the loop heard of */
    cs_store_waiter_t *waiters, *waiters_tail;
};

typedef struct cs_store_done {
    cs_store_writer_t *w;
    uint64_t gen;
    int rc;
} cs_store_done_t;

/* Replace path with text durably. @return 0 or -errno */
static int cs_store_write_file(const char *path, const char *text)
{
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0)
        return -errno;
    size_t len = strlen(text), done = 0;
    int rc = 0;
    /* a short write is followed by one that says why (ENOSPC, EDQUOT) */
    while (done < len && rc == 0) {
        ssize_t n = write(fd, text + done, len - done);
        if (n > 0)
            done += (size_t)n;
        else if (n < 0 && errno != EINTR)
            rc = -errno;
        else if (n == 0)
            rc = -EIO;
    }
    if (rc == 0 && fsync(fd) != 0)
        rc = -errno;
    if (close(fd) != 0 && rc == 0)
        rc = -errno;
    if (rc == 0 && rename(tmp, path) != 0)
        rc = -errno;
    if (rc < 0) {
        unlink(tmp);
        return rc;
    }
    /* make the rename itself durable: until the directory is on disk a
     * power cut may bring the old file back, so this failing is a failure */
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    if (slash) {
        *slash = '\0';
        int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd < 0)
            return -errno;
        if (fsync(dfd) != 0)
            rc = -errno;
        close(dfd);
    }
    return rc;
}

/* Loop: the attempt to write snapshot gen ended with rc. Waiters for a
 * state on disk hear 0; waiters for a state whose write failed hear the
 * error (and answer so); later ones wait for the next attempt. */
static void cs_store_settle(cs_store_writer_t *w, uint64_t gen, int rc)
{
    if (rc == 0 && gen > w->durable_gen)
        w->durable_gen = gen;
    w->last_rc = rc;
    while (w->waiters && (w->waiters->gen <= w->durable_gen || (rc < 0 && w->waiters->gen <= gen))) {
        cs_store_waiter_t *x = w->waiters;
        w->waiters = x->next;
        if (!w->waiters)
            w->waiters_tail = NULL;
        x->fn(x->arg, x->gen <= w->durable_gen ? 0 : rc);
        free(x);
    }
}

static void cs_store_done_run(gw_ctx_t *ctx, void *arg)
{
    cs_store_done_t *d = arg;
    cs_store_writer_t *w = d->w;
    (void)ctx;
    cs_store_settle(w, d->gen, d->rc);
    if (w->on_status)
        w->on_status(w->status_user, d->rc);
    free(d);
}

/* Wait before retrying a failed snapshot, unless a newer one or stop comes. */
static void cs_store_retry_wait(cs_store_writer_t *w, uint64_t gen)
{
    struct timespec until;
    clock_gettime(CLOCK_MONOTONIC, &until);
    until.tv_sec += CS_STORE_RETRY_MS / 1000;
    until.tv_nsec += (long)(CS_STORE_RETRY_MS % 1000) * 1000000L;
    if (until.tv_nsec >= 1000000000L) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000L;
    }
    while (!w->stopping && w->pending_gen == gen &&
           pthread_cond_timedwait(&w->cond, &w->lock, &until) == 0)
        ;
}

static void *cs_store_writer_main(void *arg)
{
    cs_store_writer_t *w = arg;
    pthread_mutex_lock(&w->lock);
    for (;;) {
        while (!w->pending && !w->stopping)
            pthread_cond_wait(&w->cond, &w->lock);
        if (!w->pending)
            break; /* stopping, nothing left */
        char *text = w->pending;
        uint64_t gen = w->pending_gen;
        w->pending = NULL;
        pthread_mutex_unlock(&w->lock);
        int rc = cs_store_write_file(w->path, text);
        pthread_mutex_lock(&w->lock);
        w->thread_rc = rc;
        if (rc == 0)
            w->thread_durable_gen = gen;
        else if (!w->pending && !w->stopping) {
            w->pending = text; /* no newer state: this one is tried again */
            text = NULL;
        }
        free(text);
        /* once stop() is waiting it settles the waiters itself: a post
         * now could outlive the writer */
        cs_store_done_t *d = w->stopping ? NULL : malloc(sizeof *d);
        if (d) {
            *d = (cs_store_done_t){ w, gen, rc };
            if (gw_post(w->ctx, cs_store_done_run, d) < 0)
                free(d);
        }
        if (rc < 0 && w->stopping && !w->pending)
            break; /* one last try only: a full disk must not hold up the exit */
        if (rc < 0)
            cs_store_retry_wait(w, gen);
    }
    pthread_mutex_unlock(&w->lock);
    return NULL;
}

cs_store_writer_t *cs_store_writer_start(gw_ctx_t *ctx, const char *path,
                                         cs_store_status_fn on_status, void *user)
{
    cs_store_writer_t *w = calloc(1, sizeof *w);
    if (!w || !(w->path = strdup(path))) {
        free(w);
        return NULL;
    }
    w->ctx = ctx;
    w->on_status = on_status;
    w->status_user = user;
    pthread_mutex_init(&w->lock, NULL);
    /* the retry wait must not stretch when the wall clock is set back */
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&w->cond, &ca);
    pthread_condattr_destroy(&ca);
    if (pthread_create(&w->thread, NULL, cs_store_writer_main, w) != 0) {
        pthread_mutex_destroy(&w->lock);
        pthread_cond_destroy(&w->cond);
        free(w->path);
        free(w);
        return NULL;
    }
    return w;
}

void cs_store_writer_put(cs_store_writer_t *w, char *text)
{
    if (w->joined) {
        /* after stop (nothing should change then): written here and now */
        int rc = cs_store_write_file(w->path, text);
        free(text);
        cs_store_settle(w, ++w->put_gen, rc);
        if (w->on_status)
            w->on_status(w->status_user, rc);
        return;
    }
    pthread_mutex_lock(&w->lock);
    free(w->pending);
    w->pending = text;
    w->pending_gen = ++w->put_gen;
    pthread_cond_signal(&w->cond);
    pthread_mutex_unlock(&w->lock);
}

void cs_store_writer_after(cs_store_writer_t *w, cs_store_after_fn fn, void *arg)
{
    if (!w || w->durable_gen >= w->put_gen) {
        fn(arg, 0);
        return;
    }
    if (w->joined) {
        fn(arg, w->last_rc < 0 ? w->last_rc : -EIO);
        return;
    }
    cs_store_waiter_t *x = malloc(sizeof *x);
    if (!x) {
        fn(arg, -ENOMEM); /* refused now rather than confirmed unsaved */
        return;
    }
    x->next = NULL;
    x->gen = w->put_gen;
    x->fn = fn;
    x->arg = arg;
    if (w->waiters_tail)
        w->waiters_tail->next = x;
    else
        w->waiters = x;
    w->waiters_tail = x;
}

void cs_store_writer_stop(cs_store_writer_t *w)
{
    if (!w || w->joined)
        return;
    pthread_mutex_lock(&w->lock);
    w->stopping = true;
    pthread_cond_signal(&w->cond);
    pthread_mutex_unlock(&w->lock);
    pthread_join(w->thread, NULL); /* the last snapshot is tried once more first */
    w->joined = true;
    cs_store_settle(w, w->thread_durable_gen, 0);
    if (w->durable_gen < w->put_gen) /* the last try failed too */
        cs_store_settle(w, w->put_gen, w->thread_rc < 0 ? w->thread_rc : -EIO);
}

void cs_store_writer_free(cs_store_writer_t *w)
{
    if (!w)
        return;
    cs_store_writer_stop(w);
    free(w->pending);
    pthread_mutex_destroy(&w->lock);
    pthread_cond_destroy(&w->cond);
    free(w->path);
    free(w);
}
