/* Plugin loading. Modules are opened without exposing their symbols to each
 * other (lt_dladvise_local); the only symbol read is the descriptor. */
#include "config.h"
#include "loader.h"

#include <errno.h>
#include <glib.h>
#include <ltdl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void loader_init_once(void)
{
    static bool done;
    if (!done) {
        lt_dlinit();
        done = true;
    }
}

/* True when the running executable lies inside the build tree. */
static bool running_from_build_tree(void)
{
    char exe[4096];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0)
        return false;
    exe[n] = '\0';
    size_t len = strlen(GW_BUILDDIR);
    return strncmp(exe, GW_BUILDDIR, len) == 0 && exe[len] == '/';
}

char **gw_loader_search_path(const char *plugin_dir)
{
    GPtrArray *dirs = g_ptr_array_new();
    const char *env = g_getenv("GATEWAYD_PLUGIN_PATH");
    if (env) {
        char **parts = g_strsplit(env, ":", -1);
        for (char **p = parts; *p; p++)
            if (**p)
                g_ptr_array_add(dirs, g_strdup(*p));
        g_strfreev(parts);
    }
    if (plugin_dir && *plugin_dir)
        g_ptr_array_add(dirs, g_strdup(plugin_dir));
    if (running_from_build_tree()) {
        g_ptr_array_add(dirs, g_strdup(GW_BUILDDIR "/plugins"));
        g_ptr_array_add(dirs, g_strdup(GW_BUILDDIR "/sdk/.libs")); /* the template's example */
    }
    g_ptr_array_add(dirs, NULL);
    return (char **)g_ptr_array_free(dirs, FALSE);
}

static bool valid_plugin_name(const char *name)
{
    if (!name || !*name || strlen(name) > 64)
        return false;
    for (const char *c = name; *c; c++)
        if (!(g_ascii_islower(*c) || g_ascii_isdigit(*c) || *c == '_'))
            return false;
    return true;
}

uint32_t gw_desc_required_minor(const gw_plugin_desc_t *desc)
{
    /* a descriptor from before the field needs what it was built with */
    size_t end = offsetof(gw_plugin_desc_t, abi_minor_required) + sizeof desc->abi_minor_required;
    return desc->size >= end ? desc->abi_minor_required : desc->abi_minor;
}

gw_module_t *gw_module_open_path(const char *path, char **why)
{
    loader_init_once();
    lt_dladvise advise;
    lt_dladvise_init(&advise);
    lt_dladvise_local(&advise);
    lt_dlhandle h = lt_dlopenadvise(path, advise);
    lt_dladvise_destroy(&advise);
    if (!h) {
        *why = g_strdup_printf("%s: cannot load: %s", path, lt_dlerror());
        return NULL;
    }
    const gw_plugin_desc_t *d = lt_dlsym(h, GW_PLUGIN_SYMBOL);
    if (!d) {
        *why = g_strdup_printf("%s: not a gatewayd plugin (no %s symbol)", path, GW_PLUGIN_SYMBOL);
        lt_dlclose(h);
        return NULL;
    }
    if (d->abi_major != GW_ABI_MAJOR) {
        *why = g_strdup_printf("%s: ABI mismatch: built for SDK ABI %u.%u, this gatewayd "
                               "provides %d.%d", path, d->abi_major, d->abi_minor,
                               GW_ABI_MAJOR, GW_ABI_MINOR);
        lt_dlclose(h);
        return NULL;
    }
    /* The fields every 1.x plugin has: up to and including init. */
    size_t need = offsetof(gw_plugin_desc_t, init) + sizeof d->init;
    if (d->size < need || !d->name || !d->init) {
        *why = g_strdup_printf("%s: malformed descriptor (size %u, needs %zu, name and init)",
                               path, d->size, need);
        lt_dlclose(h);
        return NULL;
    }
    /* Only what this host knows, and only what the plugin has (Varnish's
     * rule): a plugin built for a newer minor may have a longer descriptor. */
    gw_plugin_desc_t desc;
    memset(&desc, 0, sizeof desc);
    memcpy(&desc, d, d->size < sizeof desc ? d->size : sizeof desc);
    uint32_t required = gw_desc_required_minor(&desc);
    if (required > desc.abi_minor) {
        *why = g_strdup_printf("%s: malformed descriptor (requires SDK ABI %u.%u but was built "
                               "for %u.%u)", path, desc.abi_major, required, desc.abi_major,
                               desc.abi_minor);
        lt_dlclose(h);
        return NULL;
    }
    if (required > GW_ABI_MINOR) {
        *why = g_strdup_printf("%s: requires SDK ABI %u.%u or later (built for %u.%u), this "
                               "gatewayd provides %d.%d", path, desc.abi_major, required,
                               desc.abi_major, desc.abi_minor, GW_ABI_MAJOR, GW_ABI_MINOR);
        lt_dlclose(h);
        return NULL;
    }
    gw_module_t *m = g_new0(gw_module_t, 1);
    m->desc = desc;
    m->name = g_strdup(d->name);
    m->path = g_strdup(path);
    m->handle = h;
    return m;
}

gw_module_t *gw_module_open(const char *name, char *const *dirs, char **why)
{
    if (!valid_plugin_name(name)) {
        *why = g_strdup_printf("'%s' is not a valid plugin name ([a-z0-9_])", name);
        return NULL;
    }
    for (char *const *d = dirs; d && *d; d++) {
        char *file = g_strdup_printf("%s.so", name);
        char *candidates[] = {
            g_build_filename(*d, file, NULL),
            g_build_filename(*d, name, ".libs", file, NULL), /* build tree layout */
        };
        g_free(file);
        gw_module_t *m = NULL;
        for (size_t i = 0; i < G_N_ELEMENTS(candidates); i++) {
            if (!m && !*why && g_file_test(candidates[i], G_FILE_TEST_EXISTS)) {
                m = gw_module_open_path(candidates[i], why);
                if (m && strcmp(m->name, name) != 0) {
                    *why = g_strdup_printf("%s: its descriptor names plugin '%s'", m->path,
                                           m->name);
                    gw_module_close(m);
                    m = NULL;
                }
            }
            g_free(candidates[i]);
        }
        if (m || *why)
            return m;
    }
    char *searched = g_strjoinv(", ", (char **)dirs);
    *why = g_strdup_printf("not found (searched: %s)", *searched ? searched : "nothing");
    g_free(searched);
    return NULL;
}

void gw_module_close(gw_module_t *m)
{
    if (!m)
        return;
    /* Sanitizer builds keep modules mapped so leak reports can name them. */
    if (!g_getenv("GATEWAYD_KEEP_MODULES"))
        lt_dlclose(m->handle);
    g_free(m->name);
    g_free(m->path);
    g_free(m);
}

static int str_ptr_cmp(gconstpointer a, gconstpointer b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void scan_dir(GHashTable *found, const char *dir, bool build_layout)
{
    GDir *d = g_dir_open(dir, 0, NULL);
    if (!d)
        return;
    const char *e;
    while ((e = g_dir_read_name(d))) {
        if (build_layout) {
            char *so = g_strdup_printf("%s/%s/.libs/%s.so", dir, e, e);
            if (g_file_test(so, G_FILE_TEST_EXISTS) && valid_plugin_name(e))
                g_hash_table_add(found, g_strdup(e));
            g_free(so);
        } else if (g_str_has_suffix(e, ".so")) {
            char *name = g_strndup(e, strlen(e) - 3);
            if (valid_plugin_name(name))
                g_hash_table_add(found, name);
            else
                g_free(name);
        }
    }
    g_dir_close(d);
}

char **gw_loader_scan(char *const *dirs)
{
    GHashTable *found = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    for (char *const *d = dirs; d && *d; d++) {
        scan_dir(found, *d, false);
        scan_dir(found, *d, true);
    }
    GPtrArray *names = g_ptr_array_new();
    GHashTableIter it;
    gpointer k;
    g_hash_table_iter_init(&it, found);
    while (g_hash_table_iter_next(&it, &k, NULL))
        g_ptr_array_add(names, g_strdup(k));
    g_hash_table_destroy(found);
    g_ptr_array_sort(names, str_ptr_cmp);
    g_ptr_array_add(names, NULL);
    return (char **)g_ptr_array_free(names, FALSE);
}
