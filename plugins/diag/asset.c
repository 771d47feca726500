/* asset.c - lookup of the embedded page files. */
#include "asset.h"

#include <string.h>

const gw_diag_asset_t *gw_diag_asset_find(const char *path)
{
    for (size_t i = 0; i < gw_diag_assets_count; i++)
        if (strcmp(gw_diag_assets[i].path, path) == 0)
            return &gw_diag_assets[i];
    return NULL;
}
