/* Log queue: order, drop counting where the gap is, flush at stop, a stop
 * that does not wait for ever on a stderr nobody reads. Each test runs in a
 * subprocess (the queue is process state) with fd 2 on a pipe of its own. */
#define _GNU_SOURCE /* F_SETPIPE_SZ */
#include "config.h"
#include <errno.h>
#include <fcntl.h>
#include <glib.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "log.h"

static int saved_stderr = -1;
static int pipe_rd = -1;

/* fd 2 becomes the write end of a small pipe. */
static void stderr_to_pipe(void)
{
    int p[2];
    g_assert_cmpint(pipe(p), ==, 0);
    fcntl(p[1], F_SETPIPE_SZ, 4096); /* fills sooner; best effort */
    saved_stderr = dup(2);
    dup2(p[1], 2);
    close(p[1]);
    pipe_rd = p[0];
}

/* fd 2 back: the pipe's only write end closes, the reader sees EOF. */
static void stderr_restore(void)
{
    dup2(saved_stderr, 2);
    close(saved_stderr);
}

static void *read_all(void *arg)
{
    GString *out = arg;
    char buf[4096];
    ssize_t n;
    while ((n = read(pipe_rd, buf, sizeof buf)) > 0)
        g_string_append_len(out, buf, n);
    return NULL;
}

/* text: lines "line 0".."line logged-1" in order, each gap right after a
 * drop report of its size (a gap at the end: a report at the end), and
 * expect_dropped in all the reports. */
static void check_lines(const char *text, int logged, unsigned long expect_dropped)
{
    char **lines = g_strsplit(text, "\n", -1);
    long prev = -1;
    unsigned long pending = 0, reported = 0;
    int seen = 0;
    for (char **l = lines; *l && **l; l++) {
        const char *m;
        unsigned long n;
        m = strstr(*l, "warning [gatewayd] ");
        if (m && sscanf(m, "warning [gatewayd] %lu log lines dropped", &n) == 1) {
            g_assert_nonnull(strstr(m, "log lines dropped (stderr not draining)"));
            g_assert_cmpuint(pending, ==, 0); /* one report per gap */
            pending = n;
            reported += n;
            continue;
        }
        g_assert_nonnull((m = strstr(*l, " info    [test] line ")));
        long seq = strtol(m + strlen(" info    [test] line "), NULL, 10);
        /* in order, and a gap is exactly what the report before it says */
        g_assert_cmpint(seq, ==, prev + 1 + (long)pending);
        pending = 0;
        prev = seq;
        seen++;
    }
    /* drops after the last line written: reported at the end */
    g_assert_cmpint(prev + 1 + (long)pending, ==, logged);
    g_assert_cmpuint(reported, ==, expect_dropped);
    g_assert_cmpint(seen + (long)reported, ==, logged);
    g_strfreev(lines);
}

static void order_and_flush_child(void)
{
    gw_log_setup(GW_LOG_INFO, false);
    stderr_to_pipe();
    GString *out = g_string_new(NULL);
    pthread_t reader;
    pthread_create(&reader, NULL, read_all, out);
    g_assert_cmpint(gw_log_start(0), ==, 0);
    g_assert_cmpint(gw_log_start(0), ==, -EALREADY);
    for (int i = 0; i < 5000; i++)
        gw_log_write("test", GW_LOG_INFO, "line %d", i);
    gw_log_write("test", GW_LOG_DEBUG, "below the threshold");
    /* everything queued is written before stop returns */
    g_assert_cmpint(gw_log_stop(10000), ==, 0);
    gw_log_print("plain after stop");
    stderr_restore();
    pthread_join(reader, NULL);
    const char *tail = "plain after stop\n";
    g_assert_true(g_str_has_suffix(out->str, tail));
    out->str[out->len - strlen(tail)] = '\0';
    check_lines(out->str, 5000, 0);
    g_assert_cmpuint(gw_log_dropped(), ==, 0);
    g_string_free(out, TRUE);
}

static void test_order_and_flush(void)
{
    g_test_trap_subprocess("/log/order-and-flush/subprocess", 60 * G_USEC_PER_SEC, 0);
    g_test_trap_assert_passed();
}

/* Nobody reads: the writer blocks, the callers do not; once read again
 * every line is there or counted, each count where its gap is. */
static void drops_child(void)
{
    gw_log_setup(GW_LOG_INFO, false);
    stderr_to_pipe();
    g_assert_cmpint(gw_log_start(8192), ==, 0);
    const int n = 20000; /* far over pipe and queue: would block for ever if written directly */
    for (int i = 0; i < n; i++)
        gw_log_write("test", GW_LOG_INFO, "line %d", i);
    unsigned long dropped = gw_log_dropped();
    g_assert_cmpuint(dropped, >, 0);
    g_assert_cmpuint(dropped, <, (unsigned long)n);
    GString *out = g_string_new(NULL);
    pthread_t reader;
    pthread_create(&reader, NULL, read_all, out);
    /* Read again: once there is room, the next line queued carries the
     * report of the gap before it (none of it is direct: the writer and
     * the reader run as they like). */
    int i = n;
    for (int tries = 0; tries < 1000; tries++) {
        unsigned long before = gw_log_dropped();
        gw_log_write("test", GW_LOG_INFO, "line %d", i++);
        if (gw_log_dropped() == before)
            break;
        g_usleep(10000);
    }
    g_assert_cmpuint(gw_log_dropped(), <, (unsigned long)i);
    for (int j = 0; j < 10; j++)
        gw_log_write("test", GW_LOG_INFO, "line %d", i++);
    g_assert_cmpint(gw_log_stop(10000), ==, 0);
    stderr_restore();
    pthread_join(reader, NULL);
    check_lines(out->str, i, gw_log_dropped());
    g_string_free(out, TRUE);
}

static void test_drops(void)
{
    g_test_trap_subprocess("/log/drops/subprocess", 60 * G_USEC_PER_SEC, 0);
    g_test_trap_assert_passed();
}

/* A stderr that never drains: stop gives up after its timeout. */
static void stop_timeout_child(void)
{
    gw_log_setup(GW_LOG_INFO, false);
    stderr_to_pipe();
    g_assert_cmpint(gw_log_start(0), ==, 0);
    for (int i = 0; i < 2000; i++)
        gw_log_write("test", GW_LOG_INFO, "line %d", i);
    g_assert_cmpint(gw_log_stop(200), ==, -ETIMEDOUT);
    g_assert_cmpint(gw_log_stop(0), ==, -ETIMEDOUT);
    gw_log_write("test", GW_LOG_INFO, "queued, not blocking");
    /* the process exits with the writer blocked: that is the point */
}

static void test_stop_timeout(void)
{
    g_test_trap_subprocess("/log/stop-timeout/subprocess", 60 * G_USEC_PER_SEC, 0);
    g_test_trap_assert_passed();
}

/* Without gw_log_start() a line is written before the call returns. */
static void direct_child(void)
{
    gw_log_setup(GW_LOG_INFO, false);
    stderr_to_pipe();
    gw_log_write("test", GW_LOG_INFO, "line %d", 0);
    gw_log_print("file.conf: [core] log_level: bad");
    g_assert_cmpint(gw_log_stop(0), ==, 0);
    stderr_restore();
    GString *out = g_string_new(NULL);
    read_all(out);
    g_assert_true(g_str_has_suffix(out->str, " info    [test] line 0\nfile.conf: [core] log_level: bad\n"));
    g_string_free(out, TRUE);
}

static void test_direct(void)
{
    g_test_trap_subprocess("/log/direct/subprocess", 60 * G_USEC_PER_SEC, 0);
    g_test_trap_assert_passed();
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/log/order-and-flush", test_order_and_flush);
    g_test_add_func("/log/order-and-flush/subprocess", order_and_flush_child);
    g_test_add_func("/log/drops", test_drops);
    g_test_add_func("/log/drops/subprocess", drops_child);
    g_test_add_func("/log/stop-timeout", test_stop_timeout);
    g_test_add_func("/log/stop-timeout/subprocess", stop_timeout_child);
    g_test_add_func("/log/direct", test_direct);
    g_test_add_func("/log/direct/subprocess", direct_child);
    return g_test_run();
}
