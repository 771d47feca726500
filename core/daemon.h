/* What `gatewayd` does once its command line is parsed. */
#ifndef GW_CORE_DAEMON_H
#define GW_CORE_DAEMON_H

#include <stdbool.h>

typedef struct gw_options {
    const char *config_path;     /* NULL: the installed default */
    const char *log_level;       /* NULL: from the configuration */
    bool check_config;
    bool list_plugins;
    bool verbose;
} gw_options_t;

/** Exit statuses. */
enum { GW_EXIT_OK = 0, GW_EXIT_FAILURE = 1, GW_EXIT_BAD_INPUT = 2 };

int gw_daemon_run(const gw_options_t *opt);
int gw_daemon_list_plugins(const gw_options_t *opt);

#endif
