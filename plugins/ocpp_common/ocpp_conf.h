/*
 * ocpp_conf.h - configuration checks every OCPP listener shares (ocpp_cs,
 * ocpp_bridge), run by their validate() and init() alike.
 */
#ifndef GW_OCPP_CONF_H
#define GW_OCPP_CONF_H

#include <gw/gw.h>

/**
 * Check the instance's `path_prefix`: printable ASCII without spaces,
 * ? # % or \, so that a charger's URL needs no escaping and cannot be
 * read two ways. Reports "FILE: [group] path_prefix: why".
 * @return 0, or -EINVAL
 */
int gw_ocpp_conf_path_prefix(gw_ctx_t *ctx);

#endif
