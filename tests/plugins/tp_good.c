/* Test plugin: registers `count` points named PREFIX.N (uint16, RW), sets
 * them, and counts writes in PREFIX.writes. SIGUSR1 dumps show them. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <gw/gw.h>

typedef struct {
    gw_point_id_t writes;
} tp_t;

static const gw_config_key_t tp_keys[] = {
    GW_CONFIG_STRING("prefix", "tp", "point name prefix"),
    GW_CONFIG_INT("count", "1", 0, 10000000, "how many points to register"),
    GW_CONFIG_DOUBLE("ratio", "0.5", 0, 1, "a double key, for config tests"),
    GW_CONFIG_ENUM("mode", "a", "a|b|c", "an enum key, for config tests"),
    GW_CONFIG_STRING_LIST("items", "", "a list key, for config tests"),
    GW_CONFIG_BOOL("flag", "false", "a bool key, for config tests"),
    GW_CONFIG_PATHNAME("file", "", "a path key, for config tests"),
    GW_CONFIG_STRING("reject", "", "when set, validate() refuses it as the reason (SDK 1.1 tests)"),
    GW_CONFIG_BOOL("probe_side_effects", "false",
                   "validate() tries what it must not do and reports what the host allowed"),
    GW_CONFIG_STRING_LIST("claims", "",
                          "KIND=VALUE resources claimed with gw_config_claim (SDK 1.1 tests)"),
    GW_CONFIG_END,
};

static void tp_noop_timer(gw_ctx_t *ctx, gw_timer_id_t id, void *user)
{
    (void)ctx; (void)id; (void)user;
}

/* The checks validate() and init() share, so they cannot disagree. The
 * claims are made from both: the host records them from validate() only. */
static int tp_config_check(gw_ctx_t *ctx)
{
    const char *reject = gw_config_string(ctx, "reject");
    const char *const *claims = gw_config_list(ctx, "claims");
    int rc = 0;
    if (*reject) {
        gw_config_error(ctx, "reject", "%s", reject);
        rc = -EINVAL;
    }
    for (size_t i = 0; claims[i]; i++) {
        char kind[64];
        const char *eq = strchr(claims[i], '=');
        size_t n = eq ? (size_t)(eq - claims[i]) : 0;
        if (!eq || n >= sizeof kind) {
            gw_config_error(ctx, "claims", "'%s' is not KIND=VALUE", claims[i]);
            rc = -EINVAL;
            continue;
        }
        memcpy(kind, claims[i], n);
        kind[n] = '\0';
        int c = gw_config_claim(ctx, "claims", kind, eq + 1);
        if (c < 0) {
            gw_config_error(ctx, "claims", "'%s': gw_config_claim: %s", claims[i], strerror(-c));
            rc = c;
        }
    }
    return rc;
}

static int tp_validate(gw_ctx_t *ctx, const gw_host_api_t *api)
{
    (void)api;
    int rc = tp_config_check(ctx);
    if (gw_config_bool(ctx, "probe_side_effects")) {
        gw_point_id_t p = gw_point_register(ctx, &GW_POINT_DEF(.name = "tp.validate",
                                                               .type = GW_TYPE_UINT16,
                                                               .access = GW_ACCESS_R));
        gw_timer_id_t t = gw_timer_add(ctx, 1000, GW_TIMER_ONCE, tp_noop_timer, NULL);
        const char *dir = gw_state_dir(ctx);
        gw_config_error(ctx, "probe_side_effects", "point_register %s, timer_add %s, state_dir %s",
                        p < 0 ? "refused" : "ALLOWED", t < 0 ? "refused" : "ALLOWED",
                        dir ? "ALLOWED" : "refused");
        rc = -EINVAL;
    }
    return rc;
}

static void tp_on_write(gw_ctx_t *ctx, gw_point_id_t id, const gw_value_t *v, void *user)
{
    tp_t *tp = user;
    gw_value_t n;
    (void)id;
    (void)v;
    gw_point_get(ctx, tp->writes, &n);
    gw_point_set_int(ctx, tp->writes, n.u.i + 1);
}

static int tp_init(gw_ctx_t *ctx, const gw_host_api_t *api, void **state)
{
    (void)api;
    tp_t *tp = calloc(1, sizeof *tp);
    const char *prefix = gw_config_string(ctx, "prefix");
    int64_t count = gw_config_int(ctx, "count");
    char name[256];
    int rc = tp_config_check(ctx);
    if (rc < 0 || !tp) {
        free(tp);
        return rc < 0 ? rc : -ENOMEM;
    }
    snprintf(name, sizeof name, "%s.writes", prefix);
    tp->writes = gw_point_register(ctx, &GW_POINT_DEF(.name = name, .type = GW_TYPE_UINT32,
                                                      .access = GW_ACCESS_R));
    if (tp->writes < 0)
        rc = tp->writes;
    for (int64_t i = 0; i < count && rc == 0; i++) {
        snprintf(name, sizeof name, "%s.%lld", prefix, (long long)i);
        gw_point_id_t id = gw_point_register(ctx, &GW_POINT_DEF(.name = name, .type = GW_TYPE_UINT16,
                                                               .access = GW_ACCESS_RW,
                                                               .on_write = tp_on_write, .user = tp));
        if (id < 0)
            rc = id;
        else
            gw_point_set_int(ctx, id, i & 0xffff);
    }
    if (rc < 0) {
        free(tp); /* fini() does not follow a failed init() */
        return rc;
    }
    gw_point_set_int(ctx, tp->writes, 0);
    gw_log(ctx, GW_LOG_INFO, "registered %lld points", (long long)count);
    *state = tp;
    return 0;
}

static void tp_fini(gw_ctx_t *ctx, void *state)
{
    (void)ctx;
    free(state);
}

GW_PLUGIN_DEFINE("tp_good", "1.0", "test plugin: points", .flags = GW_PLUGIN_MULTI_INSTANCE,
                 .config_keys = tp_keys, .validate = tp_validate, .init = tp_init,
                 .fini = tp_fini);
