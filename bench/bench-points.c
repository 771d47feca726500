/*
 * bench-points: the point database through the plugin API (the same inline
 * wrappers and function table a plugin uses), against a plain C array
 * store doing the same work in the same run.
 *
 *   registration of 10,000 and 100,000 points
 *   sets/s with 0, 1 and 10 subscribers (value changes every set)
 *   name lookups/s
 *   daemon start-up with 10,000 points (tp_good), vs `gatewayd --version`
 *
 * Each figure is the median of 5 runs.
 */
#include "config.h"
#include <glib.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "host.h"
#include "log.h"

#define RUNS 5

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
    qsort(v, n, sizeof *v, cmp_double);
    return v[n / 2];
}

typedef struct {
    gw_conf_t *conf;
    gw_host_t *host;
    gw_ctx_t *ctx;
} bench_host_t;

static void host_open(bench_host_t *b, size_t max)
{
    char text[64];
    GPtrArray *errors = g_ptr_array_new_with_free_func(g_free);
    char *dir = g_dir_make_tmp("gw-bench-XXXXXX", NULL);
    char *path = g_build_filename(dir, "b.conf", NULL);
    snprintf(text, sizeof text, "[core]\nmax_signals=%zu\n", max);
    g_file_set_contents(path, text, -1, NULL);
    b->conf = gw_conf_load(path, errors);
    b->host = gw_host_new(b->conf, errors);
    b->ctx = gw_host_core_ctx(b->host);
    g_ptr_array_free(errors, TRUE);
    g_free(path);
    g_free(dir);
}

static void host_close(bench_host_t *b)
{
    gw_host_free(b->host);
    gw_conf_free(b->conf);
}

static char **make_names(size_t n)
{
    char **names = g_new(char *, n);
    for (size_t i = 0; i < n; i++)
        names[i] = g_strdup_printf("charger.%zu.connector.%zu.meter.power_active_import", i / 8, i % 8);
    return names;
}

static double bench_register(size_t n, char **names)
{
    double r[RUNS];
    for (int k = 0; k < RUNS; k++) {
        bench_host_t b;
        host_open(&b, n);
        double t0 = now_s();
        for (size_t i = 0; i < n; i++)
            gw_point_register(b.ctx, &GW_POINT_DEF(.name = names[i], .type = GW_TYPE_FLOAT32,
                                                   .access = GW_ACCESS_R));
        r[k] = now_s() - t0;
        host_close(&b);
    }
    return median(r, RUNS);
}

static volatile uint64_t sink;

static void on_change(gw_ctx_t *ctx, gw_point_id_t id, const gw_value_t *v, gw_quality_t q, void *u)
{
    (void)ctx;
    (void)q;
    (void)u;
    sink += (uint64_t)id + (uint64_t)v->u.i;
}

/* Sets per second over `iters` sets spread across n points. */
static double bench_sets(size_t n, char **names, int subscribers, size_t iters)
{
    double r[RUNS];
    bench_host_t b;
    host_open(&b, n);
    for (size_t i = 0; i < n; i++)
        gw_point_register(b.ctx, &GW_POINT_DEF(.name = names[i], .type = GW_TYPE_INT32,
                                               .access = GW_ACCESS_R));
    for (int s = 0; s < subscribers; s++)
        gw_point_subscribe(b.ctx, "charger.", GW_SUB_PREFIX, on_change, NULL);
    for (int k = 0; k < RUNS; k++) {
        double t0 = now_s();
        for (size_t i = 0; i < iters; i++)
            gw_point_set_int(b.ctx, (gw_point_id_t)(i % n), (int64_t)(i + (size_t)k * iters));
        r[k] = iters / (now_s() - t0);
    }
    host_close(&b);
    return median(r, RUNS);
}

/* Writes per second (gw_point_write_one, as Modbus FC06 and the API do)
 * over n RW points, with or without a declared 9-code enumeration (the
 * map's connector status list): what the point database's check costs. */
static double bench_writes(size_t n, char **names, bool enumerated, size_t iters)
{
    double r[RUNS];
    bench_host_t b;
    host_open(&b, n);
    for (size_t i = 0; i < n; i++) {
        gw_point_id_t id = gw_point_register(
            b.ctx, &GW_POINT_DEF(.name = names[i], .type = GW_TYPE_UINT16, .access = GW_ACCESS_RW));
        if (enumerated)
            gw_point_enum_set(b.ctx, id, "0=Available;1=Preparing;2=Charging;3=SuspendedEVSE;"
                                         "4=SuspendedEV;5=Finishing;6=Reserved;7=Unavailable;8=Faulted");
    }
    for (int k = 0; k < RUNS; k++) {
        double t0 = now_s();
        for (size_t i = 0; i < iters; i++) {
            gw_value_t v = gw_value_int((int64_t)((i + (size_t)k) % 9));
            sink += (uint64_t)gw_point_write_one(b.ctx, (gw_point_id_t)(i % n), &v, NULL);
        }
        r[k] = iters / (now_s() - t0);
    }
    host_close(&b);
    return median(r, RUNS);
}

/* The baseline: the same values into a plain array, a call per set so the
 * compiler cannot fold the loop. */
typedef struct {
    int64_t v;
    int64_t changed;
} cell_t;

static __attribute__((noinline)) int array_set(cell_t *cells, size_t n, size_t id, int64_t v)
{
    if (id >= n)
        return -1;
    if (cells[id].v != v) {
        cells[id].v = v;
        cells[id].changed++;
    }
    return 0;
}

static double bench_array(size_t n, size_t iters)
{
    double r[RUNS];
    cell_t *cells = calloc(n, sizeof *cells);
    for (int k = 0; k < RUNS; k++) {
        double t0 = now_s();
        for (size_t i = 0; i < iters; i++)
            array_set(cells, n, i % n, (int64_t)(i + (size_t)k * iters));
        r[k] = iters / (now_s() - t0);
    }
    sink += (uint64_t)cells[n / 2].changed;
    free(cells);
    return median(r, RUNS);
}

static double bench_lookups(size_t n, char **names, size_t iters)
{
    double r[RUNS];
    bench_host_t b;
    host_open(&b, n);
    for (size_t i = 0; i < n; i++)
        gw_point_register(b.ctx, &GW_POINT_DEF(.name = names[i], .type = GW_TYPE_INT32,
                                               .access = GW_ACCESS_R));
    for (int k = 0; k < RUNS; k++) {
        double t0 = now_s();
        for (size_t i = 0; i < iters; i++)
            sink += (uint64_t)gw_point_lookup(b.ctx, names[(i * 7919) % n]);
        r[k] = iters / (now_s() - t0);
    }
    host_close(&b);
    return median(r, RUNS);
}

/* Start a gatewayd, wait for "running:", stop it; seconds until running. */
static double run_daemon(char *const argv[], bool wait_running)
{
    int pipefd[2];
    if (pipe(pipefd) < 0)
        return -1;
    double t0 = now_s();
    pid_t pid = fork();
    if (pid == 0) {
        dup2(pipefd[1], 2);
        dup2(pipefd[1], 1);
        close(pipefd[0]);
        execv(argv[0], argv);
        _exit(127);
    }
    close(pipefd[1]);
    char buf[4096];
    size_t len = 0;
    double t = -1;
    ssize_t got;
    while ((got = read(pipefd[0], buf + len, sizeof buf - 1 - len)) > 0) {
        len += (size_t)got;
        buf[len] = '\0';
        if (wait_running && strstr(buf, "] running: ")) {
            t = now_s() - t0;
            kill(pid, SIGTERM);
            break;
        }
        if (len > sizeof buf / 2)
            len = 0;
    }
    if (!wait_running)
        t = now_s() - t0;
    close(pipefd[0]);
    waitpid(pid, NULL, 0);
    return t;
}

static void bench_startup(void)
{
    char *dir = g_dir_make_tmp("gw-bench-XXXXXX", NULL);
    char *conf = g_build_filename(dir, "gw.conf", NULL);
    char *text = g_strdup_printf("[core]\nplugin_dir=%s/tests/plugins\nstate_dir=%s\nlog_level=notice\n"
                                 "[tp_good]\ncount=9999\n", GW_TOP_BUILDDIR, dir);
    g_file_set_contents(conf, text, -1, NULL);
    char *gw = GW_TOP_BUILDDIR "/core/gatewayd";
    char *run_argv[] = { gw, "-c", conf, "--log-level", "info", NULL };
    char *ver_argv[] = { gw, "--version", NULL };
    double r[RUNS], base[RUNS];
    for (int k = 0; k < RUNS; k++) {
        r[k] = run_daemon(run_argv, true);
        base[k] = run_daemon(ver_argv, false);
    }
    double m = median(r, RUNS), mb = median(base, RUNS);
    printf("start-up with 10,000 points   %8.1f ms   (gatewayd --version: %.1f ms; difference %.1f ms; target <= 100 ms)\n",
           m * 1e3, mb * 1e3, (m - mb) * 1e3);
    g_free(text);
    g_free(conf);
    g_free(dir);
}

int main(void)
{
    gw_log_setup(GW_LOG_ERROR, false);
    size_t big = 100000, small = 10000, iters = 20000000;
    char **names = make_names(big);

    printf("bench-points (median of %d runs)\n", RUNS);
    printf("register 10,000 points        %8.2f ms\n", bench_register(small, names) * 1e3);
    printf("register 100,000 points       %8.2f ms\n", bench_register(big, names) * 1e3);

    double arr = bench_array(small, iters);
    double s0 = bench_sets(small, names, 0, iters);
    double s1 = bench_sets(small, names, 1, iters / 4);
    double s10 = bench_sets(small, names, 10, iters / 20);
    printf("plain C array store           %8.2f M sets/s (baseline)\n", arr / 1e6);
    printf("sets, no subscriber           %8.2f M sets/s  ratio %.2f of the array  (target >= 10 M/s)\n", s0 / 1e6, s0 / arr);
    printf("sets, 1 subscriber            %8.2f M sets/s  ratio %.2f of the array  (target >= 2 M/s)\n", s1 / 1e6, s1 / arr);
    printf("sets, 10 subscribers          %8.2f M sets/s  ratio %.2f of the array\n", s10 / 1e6, s10 / arr);
    double w0 = bench_writes(small, names, false, iters / 4);
    double we = bench_writes(small, names, true, iters / 4);
    printf("writes, no enumeration        %8.2f M writes/s\n", w0 / 1e6);
    printf("writes, 9-code enumeration    %8.2f M writes/s  ratio %.2f of no enumeration\n", we / 1e6, we / w0);
    printf("name lookups (10,000 points)  %8.2f M lookups/s\n", bench_lookups(small, names, iters / 4) / 1e6);
    printf("name lookups (100,000 points) %8.2f M lookups/s\n", bench_lookups(big, names, iters / 4) / 1e6);
    bench_startup();
    for (size_t i = 0; i < big; i++)
        g_free(names[i]);
    g_free(names);
    return 0;
}
