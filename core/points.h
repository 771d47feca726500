/* The point database: every signal of the gateway, owned by one plugin
 * instance each. Loop thread only. Lookups by id and by name are O(1). */
#ifndef GW_CORE_POINTS_H
#define GW_CORE_POINTS_H

#include <gw/gw.h>

typedef struct gw_pointdb gw_pointdb_t;

/** A database that holds at most max_points points. */
gw_pointdb_t *gw_pointdb_new(size_t max_points);
void gw_pointdb_free(gw_pointdb_t *db);

/** Name of the owner instance for messages; set by the host. */
typedef const char *(*gw_pointdb_owner_name_fn)(gw_ctx_t *owner);
void gw_pointdb_set_owner_namer(gw_pointdb_t *db, gw_pointdb_owner_name_fn fn);

gw_point_id_t gw_pointdb_register(gw_pointdb_t *db, gw_ctx_t *owner, const gw_point_def_t *def);
gw_point_id_t gw_pointdb_lookup(gw_pointdb_t *db, const char *name);
size_t gw_pointdb_count(gw_pointdb_t *db);
size_t gw_pointdb_limit(gw_pointdb_t *db);
/** Room for extra points of the core's own (loop lag) that must not take
 * a plugin's place under [core] max_signals. */
void gw_pointdb_raise_limit(gw_pointdb_t *db, size_t extra);
int gw_pointdb_info(gw_pointdb_t *db, gw_point_id_t id, gw_point_info_t *out);
int gw_pointdb_get(gw_pointdb_t *db, gw_point_id_t id, gw_value_t *out);
int gw_pointdb_set(gw_pointdb_t *db, gw_ctx_t *ctx, gw_point_id_t id, const gw_value_t *v);
int gw_pointdb_set_quality(gw_pointdb_t *db, gw_ctx_t *ctx, gw_point_id_t id, gw_quality_t q);
int gw_pointdb_write(gw_pointdb_t *db, const gw_point_write_t *w, size_t n, gw_write_error_t *err);
/** Owner only: the values others may write ("code=label;..."; NULL or ""
 *  removes the list), and the range of an integer point. */
int gw_pointdb_enum_set(gw_pointdb_t *db, gw_ctx_t *ctx, gw_point_id_t id, const char *values);
int gw_pointdb_range_set(gw_pointdb_t *db, gw_ctx_t *ctx, gw_point_id_t id, int64_t min,
                         int64_t max);
int gw_pointdb_attr_set(gw_pointdb_t *db, gw_point_id_t id, const char *key, const char *value);
const char *gw_pointdb_attr_get(gw_pointdb_t *db, gw_point_id_t id, const char *key);
gw_sub_id_t gw_pointdb_subscribe(gw_pointdb_t *db, gw_ctx_t *ctx, const char *pattern,
                                 unsigned flags, gw_point_cb cb, void *user);
int gw_pointdb_unsubscribe(gw_pointdb_t *db, gw_ctx_t *ctx, gw_sub_id_t sub);
/** Drop every subscription an instance left behind. */
void gw_pointdb_unsubscribe_all(gw_pointdb_t *db, gw_ctx_t *ctx);

#endif
