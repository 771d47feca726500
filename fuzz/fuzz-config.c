/* libFuzzer: arbitrary configuration files through the real loader, the
 * typed validation of every key type, and every plugin's validate() (the
 * plugins of the build tree are loaded as gatewayd loads them, so what
 * `gatewayd --check-config` runs is what is fuzzed). validate() has no side
 * effects, which is what makes this safe to run millions of times. */
#define _GNU_SOURCE
#include "config.h"
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "conf.h"
#include "host.h"
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

static char conf_path[4096];

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The configuration lives in a directory of its own next to the default
 * register map, so that relative register_map values reach the real parser. */
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    gw_log_setup((gw_log_level_t)0, false); /* below every level: quiet */
    /* keep instrumented plugin modules mapped across iterations */
    setenv("GATEWAYD_KEEP_MODULES", "1", 1);
    /* plugins come from the build tree only, whatever the input says */
    setenv("GATEWAYD_PLUGIN_PATH", GW_TOP_BUILDDIR "/plugins", 1);
    char *dir = g_dir_make_tmp("gw-fuzz-conf-XXXXXX", NULL);
    if (!dir)
        abort();
    char *map = g_build_filename(dir, "register-map.csv", NULL);
    if (symlink(GW_TOP_SRCDIR "/etc/register-map.csv", map) < 0)
        abort();
    snprintf(conf_path, sizeof conf_path, "%s/gatewayd.conf", dir);
    g_free(map);
    g_free(dir);
    return 0;
}

/* The key tables of the core and of a made-up plugin: every key type. */
static void fuzz_key_tables(gw_conf_t *conf, GPtrArray *errors)
{
    char **groups = gw_conf_groups(conf);
    for (char **g = groups; *g; g++) {
        gw_conf_group_enabled(conf, *g, errors);
        g_hash_table_destroy(gw_conf_validate(conf, *g, keys, true, errors));
    }
    g_hash_table_destroy(gw_conf_validate(conf, "core", gw_conf_core_keys(), false, errors));
    g_strfreev(groups);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* plugin_dir would let an input dlopen any library on the machine */
    if (memmem(data, size, "plugin_dir", 10))
        return 0;
    FILE *f = fopen(conf_path, "wb");
    if (!f)
        return 0;
    size_t written = fwrite(data, 1, size, f);
    if (fclose(f) != 0 || written != size)
        return 0;
    GPtrArray *errors = g_ptr_array_new_with_free_func(g_free);
    gw_conf_t *conf = gw_conf_load(conf_path, errors);
    if (conf) {
        fuzz_key_tables(conf, errors);
        /* what --check-config does: load the plugins named, check their
         * key tables, run their validate() */
        gw_host_t *host = gw_host_new(conf, errors);
        gw_host_validate(host, errors);
        gw_host_free(host);
        gw_conf_free(conf);
    }
    g_ptr_array_free(errors, TRUE);
    return 0;
}
