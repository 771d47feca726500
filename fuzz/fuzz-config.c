/* libFuzzer: arbitrary configuration files through the real loader and the
 * typed validation of every key type. */
#define _GNU_SOURCE
#include "config.h"
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>
#include "conf.h"
#include "log.h"

static const gw_config_key_t keys[] = {
    GW_CONFIG_INT("port", "1502", 1, 65535, ""),
    GW_CONFIG_DOUBLE("ratio", "0.5", 0, 1, ""),
    GW_CONFIG_BOOL("flag", "false", ""),
    GW_CONFIG_ENUM("parity", "none", "none|even|odd", ""),
    GW_CONFIG_STRING_LIST("chargers", "", ""),
    GW_CONFIG_PATHNAME("map", "map.csv", ""),
    GW_CONFIG_STRING("name", "x", ""),
    { "secret", GW_CONFIG_TYPE_STRING, GW_CONFIG_REQUIRED, NULL, "", 0, 0, NULL, { 0 } },
    GW_CONFIG_END,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int fd = -1;
    char path[64];
    if (fd < 0) {
        gw_log_setup(GW_LOG_ERROR, false);
        fd = memfd_create("gw-fuzz-conf", 0);
    }
    if (ftruncate(fd, 0) < 0 || pwrite(fd, data, size, 0) != (ssize_t)size)
        return 0;
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    GPtrArray *errors = g_ptr_array_new_with_free_func(g_free);
    gw_conf_t *conf = gw_conf_load(path, errors);
    if (conf) {
        char **groups = gw_conf_groups(conf);
        for (char **g = groups; *g; g++) {
            gw_conf_group_enabled(conf, *g, errors);
            g_hash_table_destroy(gw_conf_validate(conf, *g, keys, true, errors));
        }
        g_hash_table_destroy(gw_conf_validate(conf, "core", gw_conf_core_keys(), false, errors));
        g_strfreev(groups);
        gw_conf_free(conf);
    }
    g_ptr_array_free(errors, TRUE);
    return 0;
}
