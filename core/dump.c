/* Point dump for integrators and tests (kill -USR1 <pid>). */
#include "config.h"
#include "dump.h"

#include <inttypes.h>

void gw_dump_value(const gw_value_t *v, char *buf, size_t size)
{
    switch (v->kind) {
    case GW_VALUE_INT:
        snprintf(buf, size, "%" PRId64, v->u.i);
        break;
    case GW_VALUE_FLOAT:
        snprintf(buf, size, "%.9g", v->u.f);
        break;
    case GW_VALUE_STRING:
        snprintf(buf, size, "\"%.*s\"", (int)v->len, v->u.s);
        break;
    default:
        snprintf(buf, size, "-");
        break;
    }
}

void gw_dump_points(gw_host_t *host, FILE *out)
{
    static const char *const types[] = { "", "bool", "int16", "uint16", "int32", "uint32",
                                         "float32", "string", "datetime" };
    static const char *const qualities[] = { "uninit", "good", "comm-error" };
    size_t n = gw_pointdb_count(host->points);
    char text[600];
    for (gw_point_id_t id = 0; (size_t)id < n; id++) {
        gw_point_info_t info = { .size = sizeof info };
        gw_value_t v;
        gw_pointdb_info(host->points, id, &info);
        gw_pointdb_get(host->points, id, &v);
        gw_dump_value(&v, text, sizeof text);
        fprintf(out, "%s\t%s\t%s\t%s\n", info.name, types[info.type], qualities[info.quality],
                text);
    }
    fprintf(out, "# %zu points\n", n);
    fflush(out);
}
