/*
 * libFuzzer harness: arbitrary Modbus request frames through the real
 * request path - the shared engine (parse, address checks, encodings,
 * batch writes into a real host's point database) and libmodbus framing
 * the reply - with the shipped default map (etc/register-map.csv) and the
 * points the mb_points test plugin would own (chargers 0 and 1, bms mode),
 * registered here by the host's core context.
 *
 * Input: byte 0 picks the transport (bit 0: 0 TCP, 1 RTU) and, for TCP,
 * the page (bit 1: the unit id is not served -> exception 0x0B); the rest
 * is the ADU: TCP = MBAP + PDU, RTU = slave + PDU (the CRC is checked by
 * libmodbus before the engine ever sees a frame, so it is not fuzzed).
 */
#include "config.h"
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <glib.h>
#include "host.h"
#include "modbus_common/mb_engine.h"

#define CHARGERS 2

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct harness {
    gw_host_t *host;
    gw_ctx_t *ctx;
    gw_regmap_t *map;
    gw_mb_engine_t *engine;
    modbus_t *tcp, *rtu;         /* frame replies into sink[0] */
    int sink[2];
    gw_mb_reply_t reply;
} harness_t;

static harness_t h;

static gw_type_t format_type(gw_regmap_format_t f)
{
    switch (f) {
    case GW_REGMAP_FLOAT: return GW_TYPE_FLOAT32;
    case GW_REGMAP_DATETIME: return GW_TYPE_DATETIME;
    case GW_REGMAP_STRING: return GW_TYPE_STRING;
    default: return GW_TYPE_UINT16;
    }
}

/* Own every row the map enables for the BMS mode, as an OCPP plugin does. */
static int register_signal(const gw_regmap_signal_t *sig, void *user)
{
    char name[160];
    (void)user;
    if (!sig->row->enabled || !(sig->row->modes & GW_REGMAP_MODE_BMS))
        return 0;
    if (gw_regmap_point_name(sig, h.map, name, sizeof name) < 0)
        return -ENAMETOOLONG;
    if (gw_point_lookup(h.ctx, name) >= 0)
        return 0;
    gw_point_id_t id = gw_point_register(
        h.ctx, &GW_POINT_DEF(.name = name, .type = format_type(sig->row->format),
                             .access = sig->row->access, .max_len = 2 * sig->row->registers));
    return id < 0 ? (int)id : 0;
}

static void die(const char *what)
{
    fprintf(stderr, "fuzz-modbus-request: %s\n", what);
    abort();
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    GPtrArray *errors = g_ptr_array_new_with_free_func(g_free);
    gw_mb_engine_config_t cfg = { CHARGERS, 0, GW_MB_ORDER_ABCD };
    char *err = NULL;
    (void)argc;
    (void)argv;
    h.host = gw_host_new(gw_conf_new_empty(), errors);
    if (!h.host || errors->len)
        die("no host");
    g_ptr_array_free(errors, TRUE);
    h.ctx = gw_host_core_ctx(h.host);
    h.map = gw_regmap_load(GW_TOP_SRCDIR "/etc/register-map.csv", &err);
    if (!h.map)
        die(err);
    if (gw_regmap_foreach_signal(h.map, 0, CHARGERS, register_signal, NULL) != 0)
        die("cannot register the points");
    h.engine = gw_mb_engine_new(h.ctx, h.map, &cfg, &err);
    if (!h.engine || gw_mb_engine_bind(h.engine) < 0)
        die("no engine");
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, h.sink) < 0)
        die("socketpair");
    fcntl(h.sink[1], F_SETFL, O_NONBLOCK);
    h.tcp = modbus_new_tcp("127.0.0.1", 502);
    h.rtu = modbus_new_rtu("/dev/null", 19200, 'N', 8, 1);
    if (!h.tcp || !h.rtu)
        die("modbus_new");
    modbus_set_socket(h.tcp, h.sink[0]);
    modbus_set_socket(h.rtu, h.sink[0]);
    return 0;
}

static void drain(void)
{
    uint8_t buf[512];
    while (read(h.sink[1], buf, sizeof buf) > 0)
        ;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    gw_mb_request_info_t info;
    uint8_t adu[MODBUS_TCP_MAX_ADU_LENGTH + 2];
    size_t len;
    bool rtu;
    if (size < 1)
        return 0;
    rtu = data[0] & 1;
    len = size - 1;
    /* what a transport can deliver: at most one maximal ADU */
    if (len > (rtu ? MODBUS_RTU_MAX_ADU_LENGTH - 2 : MODBUS_TCP_MAX_ADU_LENGTH))
        return 0;
    memcpy(adu, data + 1, len);
    if (rtu) {
        /* the engine gets slave + PDU; libmodbus' reply wants the CRC too */
        bool broadcast = len > 0 && adu[0] == 0;
        adu[len] = adu[len + 1] = 0;
        gw_mb_engine_eval(h.engine, adu, (int)len, 1, 0, broadcast, &h.reply, &info);
        if (len >= 2)
            gw_mb_reply_send(h.rtu, adu, (int)len + 2, &h.reply);
    } else {
        int page = (data[0] & 2) ? -1 : 0;
        gw_mb_engine_eval(h.engine, adu, (int)len, 7, page, false, &h.reply, &info);
        if (len >= 8)
            gw_mb_reply_send(h.tcp, adu, (int)len, &h.reply);
    }
    /* invariants every transport relies on */
    if (h.reply.exception < 0 || h.reply.exception > 0x0B)
        abort();
    if (!h.reply.silent && info.exception != h.reply.exception)
        abort();
    drain();
    return 0;
}
