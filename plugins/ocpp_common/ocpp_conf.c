/* ocpp_conf.c - configuration checks shared by the OCPP listeners. */
#include <errno.h>
#include <string.h>
#include <glib.h>
#include "conf_common/conf_check.h"
#include "ocpp_claims.h"
#include "ocpp_conf.h"

int gw_ocpp_conf_path_prefix(gw_ctx_t *ctx)
{
    const char *prefix = gw_config_string(ctx, "path_prefix");
    for (const unsigned char *c = (const unsigned char *)prefix; *c; c++) {
        if (*c <= ' ' || *c >= 0x7f || strchr("?#%\\", *c)) {
            gw_config_error(ctx, "path_prefix",
                            "'%s': only printable ASCII without spaces, ? # %% or \\", prefix);
            return -EINVAL;
        }
    }
    return 0;
}

int gw_ocpp_conf_listener(gw_ctx_t *ctx, bool allow_ifname, int max_connectors, int max_index,
                          gw_ocpp_chargers_t **chargers)
{
    char *why = NULL;
    int rc = 0;
    const char *bind = gw_config_string(ctx, "bind_address");
    if (gw_conf_addr_check(bind, allow_ifname, &why) < 0) {
        gw_config_error(ctx, "bind_address", "%s", why);
        g_clear_pointer(&why, g_free);
        rc = -EINVAL;
    } else {
        /* the port is this instance's alone (another plugin may want it too) */
        gw_config_claim_tcp(ctx, "port", bind, (int)gw_config_int(ctx, "port"));
    }
    if (gw_ocpp_conf_path_prefix(ctx) < 0)
        rc = -EINVAL;
    *chargers = gw_ocpp_chargers_parse(gw_config_list(ctx, "chargers"),
                                       (int)gw_config_int(ctx, "connectors"), max_connectors,
                                       max_index, &why);
    if (!*chargers) {
        gw_config_error(ctx, "chargers", "%s", why);
        g_free(why);
        rc = -EINVAL;
    } else {
        /* a charger is served by one instance only: index and id */
        gw_ocpp_chargers_claim(ctx, "chargers", *chargers);
    }
    return rc;
}
