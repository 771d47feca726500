/*
 * regmap.h - the register map (etc/register-map.csv, format documented in
 * docs/modbus.md): blocks, groups and signals with point-name templates.
 *
 * Shared by the Modbus plugins (addresses, encodings) and by the OCPP
 * plugins, which register a point only when the map enables its signal for
 * their mode, so the point count follows what the integrator enabled.
 *
 * Point types by register format (owners register points with these):
 *   Integer  -> GW_TYPE_UINT16 (or INT16 where a signed value makes sense)
 *   Float    -> GW_TYPE_FLOAT32
 *   DateTime -> GW_TYPE_DATETIME (Unix seconds)
 *   String   -> GW_TYPE_STRING, max_len = 2 * registers
 *
 * Point attributes set by the Modbus plugins for viewers:
 *   "modbus.address"  first register, decimal, 0-based ("612")
 *   "modbus.registers" register count ("2")
 *   "enum"            the row's enumeration ("0=Available;1=Preparing")
 *
 * Built as libgwregmap.la (no libmodbus dependency).
 */
#ifndef GW_REGMAP_H
#define GW_REGMAP_H

#include <gw/gw.h>

typedef struct gw_regmap gw_regmap_t;

/** Load and check a map file. On error returns NULL and sets *error to
 *  "FILE:LINE: reason" (g_free/free it). */
gw_regmap_t *gw_regmap_load(const char *path, char **error);
void gw_regmap_free(gw_regmap_t *map);

/**
 * What the map says about the signal behind an expanded point name, e.g.
 * "charger.3.connector.1.status", for a mode ("bms" or "bridge").
 * @return 1 enabled for that mode, 0 disabled or not part of that mode,
 *         -ENOENT when no row's template expands to that name
 */
int gw_regmap_signal_state(const gw_regmap_t *map, const char *point_name, const char *mode);

#endif
