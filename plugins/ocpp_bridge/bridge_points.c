/*
 * bridge_points.c - the read-only points of a relayed charger. Which exist
 * is the register map's decision: every row enabled for mode "bridge", for
 * this charger and its connectors. Nothing is writable; the BMS-only rows
 * have no point, so the Modbus side answers exception 02 for them.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "bridge.h"

gw_point_id_t br_point(bridge_t *br, const char *fmt, ...)
{
    char name[160];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(name, sizeof name, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof name)
        return -ENAMETOOLONG;
    return gw_point_lookup(br->ctx, name);
}

int br_enum_code(const char *values, const char *name)
{
    size_t nl = strlen(name);
    for (const char *p = values; p && *p;) {
        const char *eq = strchr(p, '=');
        const char *semi = strchr(p, ';');
        if (!eq)
            return -1;
        if (!semi)
            semi = p + strlen(p);
        if ((size_t)(semi - eq - 1) == nl && !strncmp(eq + 1, name, nl))
            return atoi(p);
        p = *semi ? semi + 1 : semi;
    }
    return -1;
}

typedef struct br_reg {
    bridge_t *br;
    br_charger_t *ch;
    int rc;
} br_reg_t;

static gw_type_t br_type_of(gw_regmap_format_t f)
{
    switch (f) {
    case GW_REGMAP_FLOAT:
        return GW_TYPE_FLOAT32;
    case GW_REGMAP_DATETIME:
        return GW_TYPE_DATETIME;
    case GW_REGMAP_STRING:
        return GW_TYPE_STRING;
    default:
        return GW_TYPE_UINT16;
    }
}

static gw_point_id_t br_point_add(bridge_t *br, const char *name, gw_type_t type,
                                  uint32_t max_len, const char *description)
{
    gw_point_id_t id = gw_point_register(br->ctx, &GW_POINT_DEF(.name = name, .type = type,
                                                                .access = GW_ACCESS_R,
                                                                .max_len = max_len,
                                                                .description = description));
    if (id < 0) {
        gw_log(br->ctx, GW_LOG_ERROR, "point %s: %s%s", name, strerror((int)-id),
               id == -EEXIST ? " (is this charger index also configured for ocpp_cs?)" : "");
        if (!br->point_error)
            br->point_error = (int)id;
    }
    return id;
}

static int br_reg_signal(const gw_regmap_signal_t *sig, void *user)
{
    br_reg_t *r = user;
    const gw_regmap_row_t *row = sig->row;
    char name[160];
    if (!row->enabled || !(row->modes & GW_REGMAP_MODE_BRIDGE))
        return 0;
    /* connector blocks beyond what this charger has get no points */
    if (strstr(row->point, "{yy}") && (int)sig->index[1] > r->ch->cfg->connectors)
        return 0;
    if (gw_regmap_point_name(sig, r->br->map, name, sizeof name) < 0)
        return 0;
    /* remember the enumerations for name -> code (same for every charger) */
    if (g_str_has_suffix(row->point, "{yy}.status"))
        r->br->status_enum = row->values;
    else if (g_str_has_suffix(row->point, "{yy}.error_code"))
        r->br->error_enum = row->values;
    else if (g_str_has_suffix(row->point, ".unit") && *row->values)
        r->br->unit_enum = row->values;
    gw_point_id_t id = br_point_add(r->br, name, br_type_of(row->format),
                                    row->format == GW_REGMAP_STRING ? 2 * row->registers : 0, NULL);
    if (id < 0) {
        r->rc = (int)id;
        return 1;
    }
    if (!g_str_has_suffix(row->point, ".info.comm_status"))
        gw_ocpp_reported_add(&r->ch->reported, id);
    /* read-only, but declared like ocpp_cs's: viewers show the labels and
     * the point database holds the same list whoever owns the point */
    if (*row->values && row->format == GW_REGMAP_INTEGER &&
        gw_point_enum_set(r->br->ctx, id, row->values) < 0)
        gw_log(r->br->ctx, GW_LOG_WARNING, "%s: the map's values \"%s\" are not a valid list",
               name, row->values);
    return 0;
}

int br_points_register(bridge_t *br, br_charger_t *ch)
{
    br_reg_t r = { br, ch, 0 };
    char name[160];
    gw_regmap_foreach_signal(br->map, (unsigned)ch->index, 1, br_reg_signal, &r);
    if (r.rc < 0)
        return r.rc;

    /* One marker per ChargerID: ocpp_cs registers the same name. The
     * claims from validate() find a shared ChargerID before init; this is
     * the last line of defence (the host's duplicate-name check). */
    snprintf(name, sizeof name, "ocpp.chargers.%s", ch->cfg->id);
    gw_point_id_t marker = gw_point_register(
        br->ctx, &GW_POINT_DEF(.name = name, .type = GW_TYPE_UINT16, .access = GW_ACCESS_R,
                               .description = "index of this ChargerID (ocpp_bridge)"));
    if (marker < 0) {
        gw_log(br->ctx, GW_LOG_ERROR, "ChargerID '%s' is configured for both ocpp_cs and "
               "ocpp_bridge (or twice): %s", ch->cfg->id, strerror((int)-marker));
        return (int)marker;
    }
    gw_point_set_int(br->ctx, marker, ch->index);

    ch->comm_status = br_point(br, "charger.%d.info.comm_status", ch->index);
    ch->box_serial = br_point(br, "charger.%d.info.charge_box_serial", ch->index);
    ch->point_serial = br_point(br, "charger.%d.info.charge_point_serial", ch->index);
    ch->vendor = br_point(br, "charger.%d.info.vendor", ch->index);
    ch->model = br_point(br, "charger.%d.info.model", ch->index);
    /* Not in the register map (it has no transactionId row for the
     * bridge): visible in the viewer and the API. */
    snprintf(name, sizeof name, "charger.%d.bridge.upstream_error", ch->index);
    ch->upstream_error = br_point_add(br, name, GW_TYPE_STRING, 160,
                                      "last refusal: HTTP status and reason");
    for (int yy = 0; yy <= ch->cfg->connectors; yy++) {
        snprintf(name, sizeof name, "charger.%d.connector.%d.transaction.id", ch->index, yy);
        ch->txn_id[yy] = br_point_add(br, name, GW_TYPE_INT32, 0,
                                      "transactionId from the Central System's answer");
        gw_ocpp_reported_add(&ch->reported, ch->txn_id[yy]);
    }
    if (br->point_error)
        return br->point_error;
    if (ch->comm_status >= 0)
        gw_point_set_int(br->ctx, ch->comm_status, 1);
    return 0;
}

void br_points_comm(bridge_t *br, br_charger_t *ch, bool up)
{
    if (ch->comm_status >= 0)
        gw_point_set_int(br->ctx, ch->comm_status, up ? 0 : 1);
    /* connected is not talking: the values turn good on its next frame */
    if (!up)
        gw_ocpp_reported_away(&ch->reported, br->ctx);
}
