/* Finding and opening plugin modules with libltdl, and checking their
 * descriptor's ABI before anything of theirs runs: the majors must match
 * and the minor the plugin requires must not be newer than the host's. */
#ifndef GW_CORE_LOADER_H
#define GW_CORE_LOADER_H

#include <gw/gw.h>

typedef struct gw_module {
    char *name;
    char *path;
    void *handle;                /* lt_dlhandle */
    gw_plugin_desc_t desc;       /* the plugin's descriptor up to its size, rest zero */
} gw_module_t;

/** The directories searched, in order: $GATEWAYD_PLUGIN_PATH, plugin_dir,
 *  and the build tree's plugins/ when this gatewayd runs from the build
 *  tree. NULL-terminated (g_strfreev). */
char **gw_loader_search_path(const char *plugin_dir);

/** Open the plugin `name`. On failure *why says what went wrong in one line
 *  (g_free it) and NULL is returned. */
gw_module_t *gw_module_open(const char *name, char *const *dirs, char **why);
/** Open a module by file path (for --list-plugins). */
gw_module_t *gw_module_open_path(const char *path, char **why);
void gw_module_close(gw_module_t *m);

/** The lowest ABI minor a descriptor (as copied by the loader, up to its
 *  size) needs: abi_minor_required, or abi_minor when it ends before it. */
uint32_t gw_desc_required_minor(const gw_plugin_desc_t *desc);

/** Every plugin module file name (without .so) found in dirs, sorted,
 *  without duplicates. NULL-terminated (g_strfreev). */
char **gw_loader_scan(char *const *dirs);

#endif
