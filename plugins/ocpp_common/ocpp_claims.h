/*
 * ocpp_claims.h - claim the configured chargers (gw_config_claim) so that
 * two OCPP plugin instances cannot both take one.
 */
#ifndef GW_OCPP_CLAIMS_H
#define GW_OCPP_CLAIMS_H

#include <gw/gw.h>
#include "ocpp_chargers.h"

/**
 * Claim every charger of the list: "charger-index" N and "charger-id" ID,
 * both through `key` (the chargers key). Does nothing outside validate().
 * @return 0 or the first negative errno of gw_config_claim()
 */
int gw_ocpp_chargers_claim(gw_ctx_t *ctx, const char *key, const gw_ocpp_chargers_t *chargers);

#endif
