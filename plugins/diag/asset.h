/*
 * asset.h - the page's files, embedded at build time from web/ by
 * embed-assets.sh (no files to install, nothing read from disk, so no path
 * can reach outside them).
 */
#ifndef GW_DIAG_ASSET_H
#define GW_DIAG_ASSET_H

#include <stddef.h>

typedef struct gw_diag_asset {
    const char *path;            /* URL path: "/", "/app.js" */
    const char *content_type;
    const unsigned char *data;
    size_t len;
} gw_diag_asset_t;

/* generated: assets.c */
extern const gw_diag_asset_t gw_diag_assets[];
extern const size_t gw_diag_assets_count;

/** The asset served at exactly this URL path, or NULL. */
const gw_diag_asset_t *gw_diag_asset_find(const char *path);

#endif
