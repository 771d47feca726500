/* ocpp_cs' state file writer (plugins/ocpp_cs/cs_store_writer.c) on a real
 * host: snapshots reach the file in order, the newest wins, whatever waits
 * for the disk runs only once the file holds the state it waited for, a
 * failed write releases its waiters with the error (nothing confirmed) and
 * is retried until it succeeds, and stop writes the last one. */
#include "config.h"
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <event2/event.h>
#include <glib.h>
#include <glib/gstdio.h>
#include "host.h"
#include "ocpp_cs/cs.h"

typedef struct fixture {
    gw_conf_t *conf;
    gw_host_t *host;
    gw_ctx_t *ctx;
    char *dir, *path;
    cs_store_writer_t *w;       /* freed after the host: its last posts may still be queued */
} fixture_t;

typedef struct seen {
    fixture_t *f;
    int calls;
    int rc;                     /* the last call's */
    int statuses, last_status;  /* the writer's status callback */
    char *content;              /* the file when the waiter ran */
} seen_t;

static void fixture_set_up(fixture_t *f, gconstpointer data)
{
    (void)data;
    GPtrArray *errors = g_ptr_array_new_with_free_func(g_free);
    memset(f, 0, sizeof *f);
    f->conf = gw_conf_new_empty();
    f->host = gw_host_new(f->conf, errors);
    g_assert_cmpuint(errors->len, ==, 0);
    g_ptr_array_free(errors, TRUE);
    f->ctx = gw_host_core_ctx(f->host);
    f->dir = g_dir_make_tmp("gw-store-XXXXXX", NULL);
    g_assert_nonnull(f->dir);
    f->path = g_build_filename(f->dir, "state.json", NULL);
}

static void fixture_tear_down(fixture_t *f, gconstpointer data)
{
    (void)data;
    unlink(f->path);
    rmdir(f->dir);
    g_free(f->path);
    g_free(f->dir);
    gw_host_free(f->host); /* runs the posts still queued, as a stopping daemon does */
    cs_store_writer_free(f->w);
    gw_conf_free(f->conf);
}

static void on_status(void *user, int rc)
{
    seen_t *s = user;
    s->statuses++;
    s->last_status = rc;
}

static void on_durable(void *arg, int rc)
{
    seen_t *s = arg;
    s->calls++;
    s->rc = rc;
    g_free(s->content);
    s->content = NULL;
    g_file_get_contents(s->f->path, &s->content, NULL, NULL);
}

/* Run the host's loop until the waiter ran (the writer posts to it). */
static void loop_until_called(fixture_t *f, seen_t *s)
{
    for (int i = 0; i < 500 && !s->calls; i++) {
        struct timeval tv = { 0, 10000 };
        event_base_loopexit(f->host->base, &tv);
        event_base_loop(f->host->base, EVLOOP_ONCE);
    }
}

static void test_newest_wins(fixture_t *f, gconstpointer data)
{
    (void)data;
    seen_t s = { .f = f };
    cs_store_writer_t *w = f->w = cs_store_writer_start(f->ctx, f->path, NULL, NULL);
    g_assert_nonnull(w);
    cs_store_writer_put(w, g_strdup("one"));
    cs_store_writer_put(w, g_strdup("two"));
    cs_store_writer_put(w, g_strdup("three"));
    cs_store_writer_after(w, on_durable, &s);
    loop_until_called(f, &s);
    g_assert_cmpint(s.calls, ==, 1);
    g_assert_cmpstr(s.content, ==, "three");
    /* nothing pending: a waiter runs at once */
    cs_store_writer_after(w, on_durable, &s);
    g_assert_cmpint(s.calls, ==, 2);
    /* stop writes what is pending and releases its waiters */
    cs_store_writer_put(w, g_strdup("four"));
    cs_store_writer_after(w, on_durable, &s);
    cs_store_writer_stop(w);
    g_assert_cmpint(s.calls, ==, 3);
    g_assert_cmpstr(s.content, ==, "four");
    cs_store_writer_stop(w); /* idempotent */
    /* a change after stop is written at once, and nothing waits for it */
    cs_store_writer_put(w, g_strdup("five"));
    cs_store_writer_after(w, on_durable, &s);
    g_assert_cmpint(s.calls, ==, 4);
    g_assert_cmpstr(s.content, ==, "five");
    g_free(s.content);
}

static void test_failed_write_refuses_then_retries(fixture_t *f, gconstpointer data)
{
    (void)data;
    seen_t s = { .f = f };
    char *sub = g_build_filename(f->dir, "not-yet", NULL);
    char *path = g_build_filename(sub, "state.json", NULL);
    cs_store_writer_t *w = f->w = cs_store_writer_start(f->ctx, path, on_status, &s);
    g_assert_nonnull(w);
    cs_store_writer_put(w, g_strdup("kept"));
    cs_store_writer_after(w, on_durable, &s);
    loop_until_called(f, &s);
    g_assert_cmpint(s.calls, ==, 1); /* the answer is not held back forever... */
    g_assert_cmpint(s.rc, ==, -ENOENT); /* ...and it is a refusal, not a confirmation */
    g_assert_cmpint(s.last_status, ==, -ENOENT);
    g_assert_false(g_file_test(path, G_FILE_TEST_EXISTS));
    /* nothing new: a waiter now waits for the retry, which succeeds once
     * the directory is there */
    g_assert_cmpint(g_mkdir(sub, 0700), ==, 0);
    cs_store_writer_after(w, on_durable, &s);
    g_assert_cmpint(s.calls, ==, 1);
    for (int i = 0; i < 300 && s.calls < 2; i++) {
        struct timeval tv = { 0, 10000 };
        event_base_loopexit(f->host->base, &tv);
        event_base_loop(f->host->base, EVLOOP_ONCE);
    }
    g_assert_cmpint(s.calls, ==, 2);
    g_assert_cmpint(s.rc, ==, 0);
    g_assert_cmpint(s.last_status, ==, 0);
    char *text = NULL;
    g_assert_true(g_file_get_contents(path, &text, NULL, NULL));
    g_assert_cmpstr(text, ==, "kept");
    g_free(text);
    cs_store_writer_stop(w);
    unlink(path);
    rmdir(sub);
    g_free(s.content);
    g_free(path);
    g_free(sub);
}

static void test_stop_on_failing_disk(fixture_t *f, gconstpointer data)
{
    (void)data;
    seen_t s = { .f = f };
    char *missing = g_build_filename(f->dir, "no-such-dir", "state.json", NULL);
    cs_store_writer_t *w = f->w = cs_store_writer_start(f->ctx, missing, NULL, NULL);
    cs_store_writer_put(w, g_strdup("never"));
    cs_store_writer_after(w, on_durable, &s);
    cs_store_writer_stop(w); /* one more try, then gives up: no endless retry at exit */
    g_assert_cmpint(s.calls, ==, 1);
    g_assert_cmpint(s.rc, ==, -ENOENT);
    cs_store_writer_after(w, on_durable, &s); /* after stop: refused at once */
    g_assert_cmpint(s.calls, ==, 2);
    g_assert_cmpint(s.rc, <, 0);
    g_free(s.content);
    g_free(missing);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add("/ocpp_cs/store_writer/newest_wins", fixture_t, NULL, fixture_set_up,
               test_newest_wins, fixture_tear_down);
    g_test_add("/ocpp_cs/store_writer/failed_write_refuses_then_retries", fixture_t, NULL,
               fixture_set_up, test_failed_write_refuses_then_retries, fixture_tear_down);
    g_test_add("/ocpp_cs/store_writer/stop_on_failing_disk", fixture_t, NULL, fixture_set_up,
               test_stop_on_failing_disk, fixture_tear_down);
    return g_test_run();
}
