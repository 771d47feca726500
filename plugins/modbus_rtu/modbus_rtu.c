/*
 * modbus_rtu - a Modbus RTU slave on the register map (docs/modbus.md).
 * One instance is one serial line and one slave id carrying up to one
 * unit's worth of chargers (20 with the default map); more chargers on RTU
 * take further instances ([modbus_rtu:line2], first_charger = 20, ...).
 * The serial side runs on the instance's own thread (rtu_thread.c); the
 * loop only evaluates requests through the shared engine.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include "rtu_line.h"

static const gw_config_key_t rtu_keys[] = {
    GW_CONFIG_STRING("device", "/dev/ttyUSB0", "serial device (e.g. /dev/ttyUSB0, /dev/ttyS1)"),
    GW_CONFIG_ENUM("baud", "19200", "1200|2400|4800|9600|19200|38400|57600|115200",
                   "bits per second"),
    GW_CONFIG_ENUM("parity", "even", "none|even|odd", "parity (Modbus default: even)"),
    GW_CONFIG_INT("data_bits", "8", 7, 8, "data bits (RTU uses 8)"),
    GW_CONFIG_INT("stop_bits", "1", 1, 2, "stop bits (1; 2 is usual with parity none)"),
    GW_CONFIG_INT("slave_id", "1", 1, 247,
                  "the slave id answered; broadcast writes (id 0) are applied unanswered"),
    GW_CONFIG_INT("chargers", "20", 1, 4940,
                  "chargers exposed on this line, at most one unit's worth (20)"),
    GW_CONFIG_INT("first_charger", "0", 0, 4939,
                  "the charger of the first block (another line/instance: 20, 40, ...)"),
    GW_CONFIG_INT("byte_timeout_ms", "500", 1, 10000,
                  "a frame whose next byte takes longer than this is dropped"),
    GW_MB_ENGINE_CONFIG_KEYS,
    GW_CONFIG_END,
};

static void rtu_free(rtu_line_t *line)
{
    if (line->mb) {
        modbus_close(line->mb);
        modbus_free(line->mb);
    }
    gw_mb_engine_free(line->engine);
    gw_regmap_free(line->map);
    pthread_cond_destroy(&line->cond);
    pthread_mutex_destroy(&line->lock);
    g_free(line);
}

static char parity_letter(const char *name)
{
    return strcmp(name, "even") == 0 ? 'E' : strcmp(name, "odd") == 0 ? 'O' : 'N';
}

/* Open the device now, so that a wrong path or busy port stops start-up
 * with a clear message instead of a silent line. */
static int rtu_open(rtu_line_t *line)
{
    gw_ctx_t *ctx = line->ctx;
    uint32_t timeout_ms = (uint32_t)gw_config_int(ctx, "byte_timeout_ms");
    uint32_t sec = timeout_ms / 1000, usec = timeout_ms % 1000 * 1000;
    line->mb = modbus_new_rtu(line->device, atoi(gw_config_string(ctx, "baud")),
                              parity_letter(gw_config_string(ctx, "parity")),
                              (int)gw_config_int(ctx, "data_bits"),
                              (int)gw_config_int(ctx, "stop_bits"));
    if (!line->mb) {
        gw_log(ctx, GW_LOG_ERROR, "%s: %s", line->device, modbus_strerror(errno));
        return -EINVAL;
    }
    /* libmodbus drops frames for other slave ids (modbus_receive returns 0)
     * and lets broadcasts (0) through */
    if (modbus_set_slave(line->mb, line->slave) < 0 ||
        modbus_set_byte_timeout(line->mb, sec, usec) < 0 ||
        /* bounds the wait for a frame's first byte too: poll() said data */
        modbus_set_indication_timeout(line->mb, sec, usec) < 0) {
        gw_log(ctx, GW_LOG_ERROR, "%s: %s", line->device, modbus_strerror(errno));
        return -EINVAL;
    }
    if (modbus_connect(line->mb) < 0) {
        int err = errno;
        gw_config_error(ctx, "device", "cannot open serial device %s: %s", line->device,
                        modbus_strerror(err));
        return err > 0 && err < 4096 ? -err : -EIO;
    }
    return 0;
}

/* Whether a character device is a terminal, told without opening it
 * (opening some devices acts: /dev/watchdog arms a reboot): UNIX98 pty
 * slaves by their major, the rest by their sysfs class. Without sysfs the
 * answer is yes, and opening the line at init() decides. */
static bool rtu_device_is_tty(dev_t dev)
{
    char link[96], target[256];
    unsigned maj = major(dev);
    if (maj >= 136 && maj <= 143)
        return true;
    snprintf(link, sizeof link, "/sys/dev/char/%u:%u/subsystem", maj, minor(dev));
    ssize_t n = readlink(link, target, sizeof target - 1);
    if (n < 0)
        return errno == ENOENT && access("/sys/dev/char", F_OK) < 0;
    target[n] = '\0';
    return g_str_has_suffix(target, "/tty");
}

/* The serial device must exist and be a terminal (a serial port, a pty).
 * validate() must not open it, so this looks only. */
static int rtu_device_check(gw_ctx_t *ctx, const char *device)
{
    struct stat st;
    if (!*device) {
        gw_config_error(ctx, "device", "no serial device named");
        return -EINVAL;
    }
    if (strlen(device) >= sizeof(((rtu_line_t *)NULL)->device)) {
        gw_config_error(ctx, "device", "'%s': path too long", device);
        return -ENAMETOOLONG;
    }
    if (stat(device, &st) < 0) {
        int e = errno;
        gw_config_error(ctx, "device", "%s: %s", device, strerror(e));
        return -e;
    }
    if (!S_ISCHR(st.st_mode)) {
        gw_config_error(ctx, "device", "%s: not a character device (a serial port)", device);
        return -ENOTTY;
    }
    if (!rtu_device_is_tty(st.st_rdev)) {
        gw_config_error(ctx, "device", "%s: not a serial port (not a terminal device)", device);
        return -ENOTTY;
    }
    /* one line, one slave: two instances on a device would steal each
     * other's frames. The resolved path, so that /dev/serial/by-id/...
     * clashes with the /dev/ttyUSB0 it points to. */
    char *real = realpath(device, NULL);
    gw_config_claim(ctx, "device", "serial", real ? real : device);
    free(real);
    return 0;
}

/* What both validate() and init() check: device, map, chargers per line.
 * The engine and map are handed back for init to keep. */
static int rtu_config_parse(gw_ctx_t *ctx, gw_mb_engine_t **engine, gw_regmap_t **map)
{
    unsigned chargers = (unsigned)gw_config_int(ctx, "chargers");
    unsigned first = (unsigned)gw_config_int(ctx, "first_charger");
    int rc = rtu_device_check(ctx, gw_config_string(ctx, "device")) < 0 ? -EINVAL : 0;
    *engine = gw_mb_engine_load(ctx, gw_config_string(ctx, "register_map"),
                                gw_config_string(ctx, "float_order"), chargers, first, map);
    if (!*engine) {
        rc = -EINVAL;
    } else if (chargers > gw_regmap_chargers_per_unit(*map)) {
        /* libmodbus' RTU slave answers exactly one slave id */
        unsigned per_unit = gw_regmap_chargers_per_unit(*map);
        gw_config_error(ctx, "chargers",
                        "%u: one RTU line (one slave id) carries at most %u; add a "
                        "[modbus_rtu:NAME] instance with first_charger = %u for the next ones",
                        chargers, per_unit, first + per_unit);
        rc = -EINVAL;
    }
    if (rc < 0) {
        gw_mb_engine_free(*engine);
        gw_regmap_free(*map);
        *engine = NULL;
        *map = NULL;
    }
    return rc;
}

static int rtu_validate(gw_ctx_t *ctx, const gw_host_api_t *api)
{
    gw_mb_engine_t *engine;
    gw_regmap_t *map;
    (void)api;
    int rc = rtu_config_parse(ctx, &engine, &map);
    gw_mb_engine_free(engine); /* before the map it points into */
    gw_regmap_free(map);
    return rc;
}

static int rtu_init(gw_ctx_t *ctx, const gw_host_api_t *api, void **state)
{
    rtu_line_t *line = g_new0(rtu_line_t, 1);
    int rc;
    (void)api;
    line->ctx = ctx;
    line->wake_fd = -1;
    line->slave = (int)gw_config_int(ctx, "slave_id");
    pthread_mutex_init(&line->lock, NULL);
    pthread_cond_init(&line->cond, NULL);
    g_strlcpy(line->device, gw_config_string(ctx, "device"), sizeof line->device);

    if (rtu_config_parse(ctx, &line->engine, &line->map) < 0) {
        rtu_free(line);
        return -EINVAL;
    }
    rc = rtu_open(line);
    if (rc < 0) {
        rtu_free(line);
        return rc;
    }
    *state = line;
    return 0;
}

static int rtu_start(gw_ctx_t *ctx, void *state)
{
    rtu_line_t *line = state;
    int rc = gw_mb_engine_bind(line->engine);
    if (rc < 0)
        return rc;
    rc = rtu_line_start(line);
    if (rc < 0) {
        gw_log(ctx, GW_LOG_ERROR, "cannot start the serial thread: %s", strerror(-rc));
        return rc;
    }
    gw_log(ctx, GW_LOG_INFO, "serial %s %s baud %s %d/%d, slave id %d", line->device,
           gw_config_string(ctx, "baud"), gw_config_string(ctx, "parity"),
           (int)gw_config_int(ctx, "data_bits"), (int)gw_config_int(ctx, "stop_bits"),
           line->slave);
    return 0;
}

static void rtu_stop(gw_ctx_t *ctx, void *state)
{
    rtu_line_t *line = state;
    rtu_line_stop(line);
    gw_log(ctx, GW_LOG_INFO, "%s: %lu requests served, %lu for other slaves, %lu bad frames",
           line->device, line->served, line->ignored, line->bad_frames);
}

static void rtu_fini(gw_ctx_t *ctx, void *state)
{
    (void)ctx;
    /* the host (core/host.c instance_teardown) also calls fini after a
     * failed init, with no state */
    if (state)
        rtu_free(state);
}

GW_PLUGIN_DEFINE("modbus_rtu", "1.0", "Modbus RTU slave on the register map",
                 .flags = GW_PLUGIN_MULTI_INSTANCE, .config_keys = rtu_keys, .validate = rtu_validate, .init = rtu_init,
                 .start = rtu_start, .stop = rtu_stop, .fini = rtu_fini);
