/* Start-up, the loop, and orderly shut-down. */
#include "config.h"
#include "daemon.h"
#include "dump.h"
#include "host.h"
#include "log.h"
#include "loop_lag.h"
#include "notify.h"
#include "rlimit.h"
#include "state_dir.h"

#include <errno.h>
#include <malloc.h>
#include <event2/event.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

/* How long the exit waits for queued log lines to be written. */
#define GW_LOG_EXIT_WAIT_MS 2000

static double mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* The daemon's plain messages to stderr, in order with the log lines
 * (queued once the log writer runs, direct before); in the journal at
 * error priority all the same. */
static void print_errors(GPtrArray *errors)
{
    const char *prio = gw_log_stderr_is_journal() ? "<3>" : "";
    for (guint i = 0; i < errors->len; i++) {
        char *line = g_strdup_printf("%s%s", prio, (char *)g_ptr_array_index(errors, i));
        gw_log_print(line);
        g_free(line);
    }
}

/* Load the configuration named on the command line, or the installed
 * default; a missing default is not an error (every default applies).
 * Problems are printed; NULL then. */
static gw_conf_t *load_conf(const gw_options_t *opt)
{
    const char *def = GW_SYSCONFDIR "/gatewayd/gatewayd.conf";
    const char *path = opt->config_path;
    if (!path && g_file_test(def, G_FILE_TEST_EXISTS))
        path = def;
    if (!path)
        return gw_conf_new_empty();
    GPtrArray *errors = g_ptr_array_new_with_free_func(g_free);
    gw_conf_t *conf = gw_conf_load(path, errors);
    print_errors(errors);
    g_ptr_array_free(errors, TRUE);
    return conf;
}

static int setup_logging(gw_host_t *host, const gw_options_t *opt, GPtrArray *errors)
{
    gw_conf_value_t *lvl = g_hash_table_lookup(host->core_config, "log_level");
    gw_conf_value_t *sl = g_hash_table_lookup(host->core_config, "syslog");
    gw_log_level_t level = GW_LOG_INFO;
    if (opt->log_level) {
        if (gw_log_level_parse(opt->log_level, &level) < 0) {
            g_ptr_array_add(errors, g_strdup_printf("--log-level: '%s' is not one of "
                                                    "error|warning|notice|info|debug",
                                                    opt->log_level));
            return -EINVAL;
        }
    } else if (lvl && lvl->s && *lvl->s) {
        gw_log_level_parse(lvl->s, &level);
    }
    gw_log_setup(level, sl && sl->b);
    return 0;
}

static void on_dump(evutil_socket_t sig, short what, void *arg)
{
    (void)sig;
    (void)what;
    gw_dump_start(arg);
}

static void on_signal(evutil_socket_t sig, short what, void *arg)
{
    (void)what;
    gw_core_info("%s received, stopping", strsignal((int)sig));
    event_base_loopexit(arg, NULL);
}

int gw_daemon_run(const gw_options_t *opt)
{
    double t0 = mono_ms();
    gw_conf_t *conf = load_conf(opt);
    if (!conf)
        return GW_EXIT_BAD_INPUT;
    GPtrArray *errors = g_ptr_array_new_with_free_func(g_free);
    gw_host_t *host = gw_host_new(conf, errors);
    setup_logging(host, opt, errors);
    gw_state_dir_check(host, errors);
    /* The plugins' own checks, the same for --check-config and start-up
     * (an instance whose keys did not all parse is skipped). */
    gw_host_validate(host, errors);
    if (errors->len) {
        print_errors(errors);
        fprintf(stderr, "%sgatewayd: %u configuration problem%s, nothing started\n",
                gw_log_stderr_is_journal() ? "<3>" : "", errors->len,
                errors->len == 1 ? "" : "s");
        gw_host_free(host);
        gw_conf_free(conf);
        g_ptr_array_free(errors, TRUE);
        return GW_EXIT_BAD_INPUT;
    }
    g_ptr_array_free(errors, TRUE);
    if (opt->check_config) {
        printf("%s: configuration OK (%u plugin instance%s)\n",
               opt->config_path ? opt->config_path : "defaults", host->instances->len,
               host->instances->len == 1 ? "" : "s");
        gw_host_free(host);
        gw_conf_free(conf);
        return GW_EXIT_OK;
    }

    gw_state_lock_t *lock;
    errors = g_ptr_array_new_with_free_func(g_free);
    if (gw_state_lock_take(host, &lock, errors) < 0) {
        print_errors(errors);
        g_ptr_array_free(errors, TRUE);
        gw_host_free(host);
        gw_conf_free(conf);
        return GW_EXIT_BAD_INPUT;
    }
    g_ptr_array_free(errors, TRUE);

    signal(SIGPIPE, SIG_IGN);
    struct event *sigint = evsignal_new(host->base, SIGINT, on_signal, host->base);
    struct event *sigterm = evsignal_new(host->base, SIGTERM, on_signal, host->base);
    gw_dump_t *dump = gw_dump_new(host, stdout);
    struct event *sigusr1 = evsignal_new(host->base, SIGUSR1, on_dump, dump);
    event_add(sigint, NULL);
    event_add(sigterm, NULL);
    event_add(sigusr1, NULL);

    gw_conf_value_t *files = g_hash_table_lookup(host->core_config, "max_open_files");
    long nofile = gw_rlimit_raise_files(files ? files->i : 0);
    if (nofile < 0)
        gw_core_warn("cannot raise the open-file limit: %s", g_strerror((int)-nofile));
    else if (files && nofile < files->i)
        gw_core_info("open files limited to %ld by the hard limit (max_open_files = %ld; "
                     "each charger holds one, two through ocpp_bridge)", nofile, (long)files->i);

    int status = GW_EXIT_OK;
    gw_notify_t *notify = gw_notify_new(host->base);
    if (gw_host_start(host) < 0) {
        print_errors(host->start_errors);
        gw_core_error("start-up failed, exiting");
        gw_notify_status("start-up failed");
        status = GW_EXIT_BAD_INPUT;
    } else {
        /* Start-up builds and drops a lot (map expansion, point names):
         * hand the freed heap back rather than carry it for the daemon's life. */
        malloc_trim(0);
        gw_core_info("running: %u plugin instance%s, %zu of %zu points, started in %.1f ms",
                     host->instances->len, host->instances->len == 1 ? "" : "s",
                     gw_pointdb_count(host->points), gw_pointdb_limit(host->points),
                     mono_ms() - t0);
        /* From here the loop serves peers and must never block on a stderr
         * nobody reads: lines go through the log writer's bounded queue.
         * Start-up wrote directly, so none of its lines (configuration
         * errors, "running") can be dropped by a queue that start-up's
         * debug lines filled. */
        int lrc = gw_log_start(0);
        if (lrc < 0)
            gw_core_warn("log writer thread not started (%s): a stalled stderr stalls the loop",
                         g_strerror(-lrc));
        char *running = g_strdup_printf("running: %u plugin instance%s, %zu points",
                                        host->instances->len,
                                        host->instances->len == 1 ? "" : "s",
                                        gw_pointdb_count(host->points));
        /* after the count above, which is the plugins' against max_signals */
        gw_loop_lag_t *lag = gw_loop_lag_start(host);
        /* Every plugin started: the service manager may start what needs us. */
        int rc = gw_notify_ready(notify, running);
        if (rc < 0)
            gw_core_warn("watchdog pings not scheduled: %s", g_strerror(-rc));
        g_free(running);
        event_base_dispatch(host->base);
        gw_notify_stopping(notify, "stopping");
        gw_host_stop(host);
        gw_loop_lag_free(lag);
        gw_core_info("stopped");
    }
    gw_notify_free(notify);
    event_free(sigint);
    event_free(sigterm);
    event_free(sigusr1);
    gw_dump_free(dump);
    gw_host_free(host);
    gw_state_lock_release(lock);
    gw_conf_free(conf);
    /* what is still queued, but not for ever on a stderr nobody reads */
    gw_log_stop(GW_LOG_EXIT_WAIT_MS);
    return status;
}

static void print_keys(const gw_config_key_t *keys)
{
    static const char *const types[] = { "", "bool", "int", "double", "string", "list", "enum" };
    for (const gw_config_key_t *k = keys; k && k->name; k++) {
        char range[96] = "";
        if (k->type == GW_CONFIG_TYPE_INT) /* %g would print 1e+07 */
            snprintf(range, sizeof range, " [%.0f..%.0f]", k->min, k->max);
        else if (k->type == GW_CONFIG_TYPE_DOUBLE)
            snprintf(range, sizeof range, " [%g..%g]", k->min, k->max);
        else if (k->type == GW_CONFIG_TYPE_ENUM)
            snprintf(range, sizeof range, " (%s)", k->choices);
        printf("    %-22s %-6s default %s%s%s\n        %s\n", k->name,
               k->type <= GW_CONFIG_TYPE_ENUM ? types[k->type] : "?",
               k->default_value && *k->default_value ? k->default_value : "(empty)", range,
               (k->flags & GW_CONFIG_REQUIRED) ? " required" : "",
               k->description ? k->description : "");
    }
}

int gw_daemon_list_plugins(const gw_options_t *opt)
{
    gw_conf_t *conf = load_conf(opt);
    if (!conf)
        return GW_EXIT_BAD_INPUT;
    GPtrArray *errors = g_ptr_array_new_with_free_func(g_free);
    GHashTable *core = gw_conf_validate(conf, "core", gw_conf_core_keys(), false, errors);
    gw_conf_value_t *dir = g_hash_table_lookup(core, "plugin_dir");
    char **path = gw_loader_search_path(dir->s);
    char **names = gw_loader_scan(path);
    int status = GW_EXIT_OK;
    if (opt->verbose) {
        printf("[core]\n");
        print_keys(gw_conf_core_keys());
        printf("    enabled                bool   default true (every plugin group)\n"
               "        start this plugin instance\n\n");
    }
    for (char **n = names; *n; n++) {
        char *why = NULL;
        gw_module_t *m = gw_module_open(*n, path, &why);
        if (!m) {
            printf("%-14s (unusable: %s)\n", *n, why);
            g_free(why);
            status = GW_EXIT_FAILURE;
            continue;
        }
        printf("%-14s %-8s %s\n", m->desc.name, m->desc.version ? m->desc.version : "?",
               m->desc.description ? m->desc.description : "");
        if (opt->verbose) {
            printf("  module %s (SDK ABI: built for %u.%u, requires %u.%u)\n", m->path,
                   m->desc.abi_major, m->desc.abi_minor, m->desc.abi_major,
                   gw_desc_required_minor(&m->desc));
            print_keys(m->desc.config_keys);
            printf("\n");
        }
        gw_module_close(m);
    }
    if (!names[0])
        printf("no plugins found (searched: %s)\n", g_strjoinv(", ", path));
    g_strfreev(names);
    g_strfreev(path);
    g_hash_table_destroy(core);
    gw_conf_free(conf);
    g_ptr_array_free(errors, TRUE);
    return status;
}
