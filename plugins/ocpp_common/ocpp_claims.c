/*
 * ocpp_claims.c - the chargers an OCPP plugin instance takes for itself:
 * each index (its points, charger.N.*, and its Modbus registers) and each
 * ChargerID (a charger connects to one Central System) belongs to one
 * instance. Claimed from validate(), so the host finds two plugins given
 * the same charger before either initialises.
 */
#include <stdio.h>
#include <gw/gw.h>
#include "ocpp_chargers.h"
#include "ocpp_claims.h"

int gw_ocpp_chargers_claim(gw_ctx_t *ctx, const char *key, const gw_ocpp_chargers_t *chargers)
{
    int rc = 0;
    for (size_t i = 0; i < gw_ocpp_chargers_count(chargers); i++) {
        const gw_ocpp_charger_cfg_t *cfg = gw_ocpp_chargers_nth(chargers, i);
        char index[16];
        snprintf(index, sizeof index, "%d", cfg->index);
        int a = gw_config_claim(ctx, key, "charger-index", index);
        int b = gw_config_claim(ctx, key, "charger-id", cfg->id);
        if (rc == 0)
            rc = a < 0 ? a : b;
    }
    return rc;
}
