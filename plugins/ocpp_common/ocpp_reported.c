/*
 * ocpp_reported.c - the quality of what a charger reported follows its
 * presence (see ocpp_reported.h).
 */
#include "ocpp_reported.h"

void gw_ocpp_reported_add(gw_ocpp_reported_t *r, gw_point_id_t id)
{
    if (id < 0)
        return;
    if (!r->ids)
        r->ids = g_array_new(FALSE, FALSE, sizeof(gw_point_id_t));
    g_array_append_val(r->ids, id);
}

/* Move every point of quality `from` to `to`, keeping values. */
static void reported_requalify(gw_ocpp_reported_t *r, gw_ctx_t *ctx, gw_quality_t from,
                               gw_quality_t to)
{
    for (guint i = 0; r->ids && i < r->ids->len; i++) {
        gw_point_id_t id = g_array_index(r->ids, gw_point_id_t, i);
        gw_point_info_t info = { .size = sizeof info };
        if (gw_point_info(ctx, id, &info) == 0 && info.quality == from)
            gw_point_set_quality(ctx, id, to);
    }
}

void gw_ocpp_reported_away(gw_ocpp_reported_t *r, gw_ctx_t *ctx)
{
    r->away = true;
    reported_requalify(r, ctx, GW_QUALITY_GOOD, GW_QUALITY_COMM_ERROR);
}

void gw_ocpp_reported_heard(gw_ocpp_reported_t *r, gw_ctx_t *ctx)
{
    if (!r->away)
        return;
    r->away = false;
    reported_requalify(r, ctx, GW_QUALITY_COMM_ERROR, GW_QUALITY_GOOD);
}

void gw_ocpp_reported_clear(gw_ocpp_reported_t *r)
{
    if (r->ids)
        g_array_free(r->ids, TRUE);
    r->ids = NULL;
    r->away = false;
}
