/*
 * mb_engine.h - the Modbus request engine shared by modbus_tcp and
 * modbus_rtu: register map -> points, one request -> one reply plan.
 *
 * The engine runs on the loop thread (it reads and writes points). It
 * decides what to answer and fills a gw_mb_reply_t; libmodbus then frames
 * and sends that answer (gw_mb_reply_send), on whatever thread owns the
 * connection.
 *
 * Units: one address space ("page") carries the map's chargers per unit
 * (20 in the default map). With `chargers` <= 20 there is one page. With
 * more, page p (chargers 20p .. 20p+19) answers at unit id first_unit + p.
 * The global block (BMS heartbeat, clock) is the same on every page.
 */
#ifndef GW_MB_ENGINE_H
#define GW_MB_ENGINE_H

#include <gw/gw.h>
#include <modbus/modbus.h>
#include "mb_codec.h"
#include "regmap.h"

typedef struct gw_mb_engine gw_mb_engine_t;

typedef struct gw_mb_engine_config {
    unsigned chargers;           /* chargers exposed (>= 1) */
    unsigned first_charger;      /* charger of page 0's first block (RTU lines) */
    gw_mb_order_t order;         /* Float and DateTime byte order */
} gw_mb_engine_config_t;

/** A reply as libmodbus will send it. */
typedef struct gw_mb_reply {
    int exception;               /* 0: a normal reply from mapping */
    bool silent;                 /* send nothing (RTU broadcast) */
    modbus_mapping_t mapping;    /* points into the buffers below */
    uint8_t bits[MODBUS_MAX_READ_BITS];
    uint16_t regs[MODBUS_MAX_READ_REGISTERS];
} gw_mb_reply_t;

/** What a request was, for logs and the `modbus.request` event. */
typedef struct gw_mb_request_info {
    int unit;
    int function;
    unsigned address;
    unsigned count;
    int exception;               /* 0 = none */
} gw_mb_request_info_t;

/** Build an engine over a loaded map (kept by reference: keep it alive).
 *  @return NULL with *error set (g_free it). */
gw_mb_engine_t *gw_mb_engine_new(gw_ctx_t *ctx, const gw_regmap_t *map,
                                 const gw_mb_engine_config_t *cfg, char **error);
void gw_mb_engine_free(gw_mb_engine_t *e);

/* The configuration keys every Modbus transport takes for its engine; put
 * them in the plugin's key table and hand them to gw_mb_engine_load(). */
#define GW_MB_ENGINE_CONFIG_KEYS                                                             \
    GW_CONFIG_ENUM("float_order", "abcd", "abcd|badc|cdab|dcba|big|little|big_swap|little_swap", \
                   "byte order of Float and DateTime registers (abcd = big endian)"),        \
    GW_CONFIG_PATHNAME("register_map", "register-map.csv", "the register map file")

/**
 * Load a map file and build an engine over it (what a transport's init
 * does with its `register_map` and `float_order` keys). Problems are
 * logged. @return the engine and *map (free the engine first), or NULL.
 */
gw_mb_engine_t *gw_mb_engine_load(gw_ctx_t *ctx, const char *map_path, const char *float_order,
                                  unsigned chargers, unsigned first_charger, gw_regmap_t **map);

/**
 * Look up the point of every enabled row (call from start(), once every
 * plugin registered its points), set the viewer attributes, and log how
 * many rows are absent. @return 0 or a negative errno.
 */
int gw_mb_engine_bind(gw_mb_engine_t *e);

/** Number of pages (unit ids) the engine serves. */
unsigned gw_mb_engine_pages(const gw_mb_engine_t *e);

/** Enabled rows without a point after bind (they answer exception 02). */
size_t gw_mb_engine_absent(const gw_mb_engine_t *e);

/**
 * Evaluate one whole request ADU (TCP: MBAP + PDU; RTU: slave + PDU, CRC
 * already checked) for a page. Writes go to the points as one batch.
 * @param header_length  modbus_get_header_length() of the transport
 * @param page           the page chosen from the unit id, or -1 when the
 *                       unit id is not served (exception 0x0B)
 * @param broadcast      RTU slave 0: apply writes, answer nothing
 */
void gw_mb_engine_eval(gw_mb_engine_t *e, const uint8_t *req, int len, int header_length,
                       int page, bool broadcast, gw_mb_reply_t *reply,
                       gw_mb_request_info_t *info);

/** Send a reply plan through libmodbus. @return 0, or -1 with errno. */
int gw_mb_reply_send(modbus_t *mb, const uint8_t *req, int len, gw_mb_reply_t *reply);

/** Publish `modbus.request` when somebody listens. */
void gw_mb_request_publish(gw_ctx_t *ctx, const char *transport, const char *client,
                           const gw_mb_request_info_t *info);

#endif
