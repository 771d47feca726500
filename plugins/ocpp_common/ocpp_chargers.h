/*
 * ocpp_chargers.h - the configured chargers: index (the register map's xx)
 * -> ChargerID and number of connectors.
 *
 * Configuration syntax (a string list, one item per charger):
 *   [INDEX=]CHARGER_ID[:CONNECTORS]
 * e.g. "CP001", "5=CP-Garage:2". Without INDEX an item takes the next
 * index after the previous item; without CONNECTORS the default applies.
 * After parsing the table is immutable, so any thread may look it up.
 */
#ifndef GW_OCPP_CHARGERS_H
#define GW_OCPP_CHARGERS_H

#include <stddef.h>

#define GW_OCPP_CHARGER_ID_MAX 48   /* OCPP chargeBoxIdentity */

typedef struct gw_ocpp_charger_cfg {
    int index;
    char id[GW_OCPP_CHARGER_ID_MAX + 1];
    int connectors;
} gw_ocpp_charger_cfg_t;

typedef struct gw_ocpp_chargers gw_ocpp_chargers_t;

/**
 * Parse the list. Indexes must be unique and < max_index, ids unique,
 * connectors within 1..max_connectors.
 * @return the table, or NULL with *error set ("charger 'x': why"; g_free())
 */
gw_ocpp_chargers_t *gw_ocpp_chargers_parse(const char *const *items, int default_connectors,
                                           int max_connectors, int max_index, char **error);
void gw_ocpp_chargers_free(gw_ocpp_chargers_t *chargers);

size_t gw_ocpp_chargers_count(const gw_ocpp_chargers_t *chargers);
/** The n-th configured charger (0 <= n < count), in configuration order. */
const gw_ocpp_charger_cfg_t *gw_ocpp_chargers_nth(const gw_ocpp_chargers_t *chargers, size_t n);
/** Thread-safe. @return the charger's index, or -ENOENT. */
int gw_ocpp_chargers_find(const gw_ocpp_chargers_t *chargers, const char *id);
/** The charger configured at an index, or NULL. */
const gw_ocpp_charger_cfg_t *gw_ocpp_chargers_at(const gw_ocpp_chargers_t *chargers, int index);

#endif
