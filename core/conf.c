/* Configuration: GKeyFile parsing and typed validation. */
#include "config.h"
#include "conf.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* A configuration far larger than any real one is a mistake (a device, a
 * log file), not something to read into memory. */
#define GW_CONF_MAX_BYTES ((goffset)16 << 20)

struct gw_conf {
    GKeyFile *kf;
    char *path;     /* as given, for messages */
    char *dir;      /* absolute directory of the file, for relative paths */
};

static const gw_config_key_t core_keys[] = {
    GW_CONFIG_PATHNAME("plugin_dir", GW_PLUGINDIR,
                       "directory searched for plugin modules (the build tree is searched too "
                       "when gatewayd runs from it)"),
    GW_CONFIG_ENUM("log_level", "info", "error|warning|notice|info|debug",
                   "lowest level of log lines emitted"),
    GW_CONFIG_BOOL("syslog", "false", "log to syslog instead of stderr"),
    GW_CONFIG_INT("max_signals", "10000", 1, 10000000,
                  "maximum number of points; registering more fails start-up"),
    GW_CONFIG_INT("max_open_files", "65536", 64, 1048576,
                  "raise the open-file limit to this at start (at most to the hard limit); "
                  "each charger holds one socket, two through ocpp_bridge"),
    GW_CONFIG_PATHNAME("state_dir", "",
                       "persistent state, one sub-directory per plugin instance; empty: "
                       "$STATE_DIRECTORY (systemd's StateDirectory=), else /var/lib/gatewayd "
                       "as root, $XDG_STATE_HOME/gatewayd otherwise"),
    GW_CONFIG_BOOL("persistence", "true",
                   "keep state (open transactions, transaction ids, local lists) in state_dir; "
                   "an unusable state_dir stops start-up. false: keep nothing, ids restart at 1"),
    GW_CONFIG_END,
};

const gw_config_key_t *gw_conf_core_keys(void)
{
    return core_keys;
}

void gw_conf_error(gw_conf_t *conf, GPtrArray *errors, const char *group, const char *key,
                   const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *why = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    const char *file = conf && conf->path ? conf->path : "(defaults)";
    if (group && key)
        g_ptr_array_add(errors, g_strdup_printf("%s: [%s] %s: %s", file, group, key, why));
    else if (group)
        g_ptr_array_add(errors, g_strdup_printf("%s: [%s]: %s", file, group, why));
    else
        g_ptr_array_add(errors, g_strdup_printf("%s: %s", file, why));
    g_free(why);
}

gw_conf_t *gw_conf_new_empty(void)
{
    gw_conf_t *conf = g_new0(gw_conf_t, 1);
    conf->kf = g_key_file_new();
    conf->dir = g_get_current_dir();
    return conf;
}

/* GKeyFile's messages lack line numbers; find the first bad line first. */
static bool conf_lint(gw_conf_t *conf, GPtrArray *errors)
{
    char *text = NULL;
    if (!g_file_get_contents(conf->path, &text, NULL, NULL))
        return true; /* GKeyFile will say why */
    char **lines = g_strsplit(text, "\n", -1);
    bool ok = true;
    for (int i = 0; lines[i] && ok; i++) {
        char *l = g_strstrip(lines[i]);
        if (!*l || *l == '#' || *l == ';')
            continue;
        if (*l == '[') {
            if (l[strlen(l) - 1] != ']' || strlen(l) < 3) {
                gw_conf_error(conf, errors, NULL, NULL, "line %d: malformed group header '%s'",
                              i + 1, l);
                ok = false;
            }
        } else if (!strchr(l, '=')) {
            gw_conf_error(conf, errors, NULL, NULL, "line %d: expected 'key = value', got '%s'",
                          i + 1, l);
            ok = false;
        }
    }
    g_strfreev(lines);
    g_free(text);
    return ok;
}

/* Only a regular file of bounded size is read: -c /dev/zero would never end. */
static bool conf_file_ok(gw_conf_t *conf, GPtrArray *errors)
{
    struct stat st;
    if (stat(conf->path, &st) < 0)
        return true; /* GKeyFile will say why */
    if (!S_ISREG(st.st_mode)) {
        gw_conf_error(conf, errors, NULL, NULL, "%s, not a regular file",
                      S_ISDIR(st.st_mode)   ? "a directory"
                      : S_ISCHR(st.st_mode) ? "a character device"
                      : S_ISFIFO(st.st_mode) ? "a FIFO"
                                             : "a special file");
        return false;
    }
    if (st.st_size > GW_CONF_MAX_BYTES) {
        gw_conf_error(conf, errors, NULL, NULL, "%lld bytes, more than the %lld allowed",
                      (long long)st.st_size, (long long)GW_CONF_MAX_BYTES);
        return false;
    }
    return true;
}

gw_conf_t *gw_conf_load(const char *path, GPtrArray *errors)
{
    gw_conf_t *conf = g_new0(gw_conf_t, 1);
    GError *err = NULL;
    conf->kf = g_key_file_new();
    conf->path = g_strdup(path);
    if (!conf_file_ok(conf, errors) || !conf_lint(conf, errors)) {
        gw_conf_free(conf);
        return NULL;
    }
    if (!g_key_file_load_from_file(conf->kf, path, G_KEY_FILE_NONE, &err)) {
        gw_conf_error(conf, errors, NULL, NULL, "%s", err->message);
        g_error_free(err);
        gw_conf_free(conf);
        return NULL;
    }
    char *abs = g_canonicalize_filename(path, NULL);
    conf->dir = g_path_get_dirname(abs);
    g_free(abs);
    return conf;
}

void gw_conf_free(gw_conf_t *conf)
{
    if (!conf)
        return;
    g_key_file_free(conf->kf);
    g_free(conf->path);
    g_free(conf->dir);
    g_free(conf);
}

char **gw_conf_groups(gw_conf_t *conf)
{
    return g_key_file_get_groups(conf->kf, NULL);
}

static void value_free(gpointer p)
{
    gw_conf_value_t *v = p;
    g_free(v->s);
    g_strfreev(v->list);
    g_free(v);
}

static int parse_bool(const char *t, bool *out)
{
    static const char *const yes[] = { "true", "yes", "on", "1" };
    static const char *const no[] = { "false", "no", "off", "0" };
    for (size_t i = 0; i < G_N_ELEMENTS(yes); i++) {
        if (g_ascii_strcasecmp(t, yes[i]) == 0)
            return *out = true, 0;
        if (g_ascii_strcasecmp(t, no[i]) == 0)
            return *out = false, 0;
    }
    return -EINVAL;
}

static char **split_list(const char *t)
{
    char **parts = g_strsplit_set(t, ";,", -1);
    GPtrArray *out = g_ptr_array_new();
    for (char **p = parts; *p; p++) {
        char *item = g_strstrip(*p);
        if (*item)
            g_ptr_array_add(out, g_strdup(item));
    }
    g_strfreev(parts);
    g_ptr_array_add(out, NULL);
    return (char **)g_ptr_array_free(out, FALSE);
}

static bool enum_has(const char *choices, const char *t)
{
    char **c = g_strsplit(choices ? choices : "", "|", -1);
    bool found = false;
    for (char **p = c; *p && !found; p++)
        found = strcmp(*p, t) == 0;
    g_strfreev(c);
    return found;
}

/* Parse one value; on failure say why and return NULL. */
static gw_conf_value_t *parse_value(gw_conf_t *conf, const gw_config_key_t *k, const char *text,
                                    char **why)
{
    gw_conf_value_t *v = g_new0(gw_conf_value_t, 1);
    char *end = NULL;
    v->type = k->type;
    v->s = g_strdup(text);
    switch (k->type) {
    case GW_CONFIG_TYPE_BOOL:
        if (parse_bool(text, &v->b) < 0)
            *why = g_strdup_printf("'%s' is not a boolean (true/false)", text);
        break;
    case GW_CONFIG_TYPE_INT: {
        errno = 0;
        long long n = g_ascii_strtoll(text, &end, 10);
        if (!*text || *end || errno)
            *why = g_strdup_printf("'%s' is not an integer", text);
        else if ((double)n < k->min || (double)n > k->max)
            *why = g_strdup_printf("%lld is out of range [%.0f, %.0f]", n, k->min, k->max);
        v->i = n;
        v->d = (double)n;
        break;
    }
    case GW_CONFIG_TYPE_DOUBLE: {
        errno = 0;
        double d = g_ascii_strtod(text, &end);
        if (!*text || *end || errno || !isfinite(d))
            *why = g_strdup_printf("'%s' is not a number", text);
        else if (d < k->min || d > k->max)
            *why = g_strdup_printf("%g is out of range [%g, %g]", d, k->min, k->max);
        v->d = d;
        v->i = (int64_t)d;
        break;
    }
    case GW_CONFIG_TYPE_ENUM:
        if (!enum_has(k->choices, text))
            *why = g_strdup_printf("'%s' is not one of %s", text, k->choices);
        break;
    case GW_CONFIG_TYPE_STRING_LIST:
        v->list = split_list(text);
        break;
    case GW_CONFIG_TYPE_STRING:
        if ((k->flags & GW_CONFIG_PATH) && *text && !g_path_is_absolute(text)) {
            g_free(v->s);
            v->s = g_build_filename(conf->dir, text, NULL);
        }
        break;
    default:
        *why = g_strdup("key declared with an unknown type");
        break;
    }
    if (*why) {
        value_free(v);
        return NULL;
    }
    return v;
}

GHashTable *gw_conf_validate(gw_conf_t *conf, const char *group, const gw_config_key_t *keys,
                             bool allow_enabled, GPtrArray *errors)
{
    GHashTable *vals = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, value_free);
    bool has_group = g_key_file_has_group(conf->kf, group);

    /* Keys in the file that nobody declared. */
    if (has_group) {
        char **present = g_key_file_get_keys(conf->kf, group, NULL, NULL);
        for (char **p = present; p && *p; p++) {
            if (allow_enabled && strcmp(*p, "enabled") == 0)
                continue;
            bool known = false;
            for (const gw_config_key_t *k = keys; k && k->name && !known; k++)
                known = strcmp(k->name, *p) == 0;
            if (!known)
                gw_conf_error(conf, errors, group, *p, "unknown key");
        }
        g_strfreev(present);
    }

    for (const gw_config_key_t *k = keys; k && k->name; k++) {
        char *raw = has_group ? g_key_file_get_value(conf->kf, group, k->name, NULL) : NULL;
        const char *text = raw ? g_strstrip(raw) : (k->default_value ? k->default_value : "");
        if (!raw && (k->flags & GW_CONFIG_REQUIRED)) {
            gw_conf_error(conf, errors, group, k->name, "required key missing");
            text = "";
        }
        char *why = NULL;
        gw_conf_value_t *v = parse_value(conf, k, text, &why);
        if (!v) {
            if (raw)
                gw_conf_error(conf, errors, group, k->name, "%s", why);
            else
                gw_conf_error(conf, errors, group, k->name, "bad default: %s", why);
            g_free(why);
            /* Keep a zero value so later code never meets a missing key. */
            v = g_new0(gw_conf_value_t, 1);
            v->type = k->type;
            v->s = g_strdup("");
            v->list = g_new0(char *, 1);
        }
        if (!v->list && k->type == GW_CONFIG_TYPE_STRING_LIST)
            v->list = g_new0(char *, 1);
        g_hash_table_replace(vals, g_strdup(k->name), v);
        g_free(raw);
    }
    return vals;
}

bool gw_conf_group_enabled(gw_conf_t *conf, const char *group, GPtrArray *errors)
{
    char *raw = g_key_file_get_value(conf->kf, group, "enabled", NULL);
    bool on = true;
    if (raw && parse_bool(g_strstrip(raw), &on) < 0) {
        gw_conf_error(conf, errors, group, "enabled", "'%s' is not a boolean (true/false)", raw);
        on = false;
    }
    g_free(raw);
    return on;
}
