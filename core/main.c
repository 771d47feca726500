/* gatewayd: the command line. */
#include "config.h"
#include "daemon.h"

#include <glib.h>
#include <gw/gw.h>
#include <stdio.h>

int main(int argc, char **argv)
{
    gw_options_t opt = { 0 };
    gboolean version = FALSE, check = FALSE, list = FALSE, verbose = FALSE;
    char *config = NULL, *level = NULL;
    GOptionEntry entries[] = {
        { "config", 'c', 0, G_OPTION_ARG_FILENAME, &config,
          "configuration file (default " GW_SYSCONFDIR "/gatewayd/gatewayd.conf)", "FILE" },
        { "check-config", 0, 0, G_OPTION_ARG_NONE, &check,
          "validate the configuration and its plugins, print every problem, exit 0 or 2", NULL },
        { "list-plugins", 0, 0, G_OPTION_ARG_NONE, &list,
          "list the plugins found (with -v: every configuration key)", NULL },
        { "verbose", 'v', 0, G_OPTION_ARG_NONE, &verbose, "more detail", NULL },
        { "log-level", 0, 0, G_OPTION_ARG_STRING, &level,
          "error, warning, notice, info or debug (overrides [core] log_level)", "LEVEL" },
        { "version", 0, 0, G_OPTION_ARG_NONE, &version, "print the version and exit", NULL },
        { NULL, 0, 0, 0, NULL, NULL, NULL },
    };
    GError *err = NULL;
    GOptionContext *oc = g_option_context_new("- OCPP 1.6J / Modbus gateway for EV charging sites");
    g_option_context_add_main_entries(oc, entries, NULL);
    if (!g_option_context_parse(oc, &argc, &argv, &err)) {
        fprintf(stderr, "gatewayd: %s (try --help)\n", err->message);
        g_error_free(err);
        g_option_context_free(oc);
        return GW_EXIT_BAD_INPUT;
    }
    g_option_context_free(oc);
    if (argc > 1) {
        fprintf(stderr, "gatewayd: unexpected argument '%s' (try --help)\n", argv[1]);
        return GW_EXIT_BAD_INPUT;
    }
    if (version) {
        printf("gatewayd %s (plugin SDK ABI %d.%d)\n", PACKAGE_VERSION, GW_ABI_MAJOR, GW_ABI_MINOR);
        return GW_EXIT_OK;
    }
    opt.config_path = config;
    opt.log_level = level;
    opt.check_config = check;
    opt.list_plugins = list;
    opt.verbose = verbose;
    int rc = list ? gw_daemon_list_plugins(&opt) : gw_daemon_run(&opt);
    g_free(config);
    g_free(level);
    return rc;
}
