/*
 * ocpp_conf.h - configuration checks every OCPP listener shares (ocpp_cs,
 * ocpp_bridge), run by their validate() and init() alike.
 */
#ifndef GW_OCPP_CONF_H
#define GW_OCPP_CONF_H

#include <stdbool.h>
#include <gw/gw.h>
#include "ocpp_chargers.h"

/**
 * Check the instance's `path_prefix`: printable ASCII without spaces,
 * ? # % or \, so that a charger's URL needs no escaping and cannot be
 * read two ways. Reports "FILE: [group] path_prefix: why".
 * @return 0, or -EINVAL
 */
int gw_ocpp_conf_path_prefix(gw_ctx_t *ctx);

/**
 * The keys every OCPP listener has, checked and claimed the same way:
 * `bind_address` (an address of this host; an interface name too when
 * allow_ifname) and its `port` claimed for this instance, `path_prefix`,
 * and the `chargers` list (parsed with `connectors` as the default count,
 * each charger's index and id claimed). Every problem is reported with
 * gw_config_error(); claims only count inside validate().
 * @param chargers out: the parsed list (gw_ocpp_chargers_free()), or NULL
 *                 when it did not parse
 * @return 0, or -EINVAL when any key is wrong
 */
int gw_ocpp_conf_listener(gw_ctx_t *ctx, bool allow_ifname, int max_connectors, int max_index,
                          gw_ocpp_chargers_t **chargers);

#endif
