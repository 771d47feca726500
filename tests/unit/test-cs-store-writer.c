/* ocpp_cs' state file writer (plugins/ocpp_cs/cs_store_writer.c) on a real
 * host: snapshots reach the file in order, the newest wins, whatever waits
 * for the disk runs only once the file holds the state it waited for, a
 * failed write still releases its waiters, and stop writes the last one. */
#include "config.h"
#include <string.h>
#include <unistd.h>
#include <event2/event.h>
#include <glib.h>
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

static void on_durable(void *arg)
{
    seen_t *s = arg;
    s->calls++;
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
    cs_store_writer_t *w = f->w = cs_store_writer_start(f->ctx, f->path);
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

static void test_failed_write_releases(fixture_t *f, gconstpointer data)
{
    (void)data;
    seen_t s = { .f = f };
    char *missing = g_build_filename(f->dir, "no-such-dir", "state.json", NULL);
    cs_store_writer_t *w = f->w = cs_store_writer_start(f->ctx, missing);
    g_assert_nonnull(w);
    cs_store_writer_put(w, g_strdup("lost"));
    cs_store_writer_after(w, on_durable, &s);
    loop_until_called(f, &s);
    g_assert_cmpint(s.calls, ==, 1); /* the answer is not held back forever */
    g_assert_false(g_file_test(missing, G_FILE_TEST_EXISTS));
    cs_store_writer_stop(w);
    g_free(s.content);
    g_free(missing);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add("/ocpp_cs/store_writer/newest_wins", fixture_t, NULL, fixture_set_up,
               test_newest_wins, fixture_tear_down);
    g_test_add("/ocpp_cs/store_writer/failed_write_releases", fixture_t, NULL, fixture_set_up,
               test_failed_write_releases, fixture_tear_down);
    return g_test_run();
}
