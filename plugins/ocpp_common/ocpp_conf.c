/* ocpp_conf.c - configuration checks shared by the OCPP listeners. */
#include <errno.h>
#include <string.h>
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
