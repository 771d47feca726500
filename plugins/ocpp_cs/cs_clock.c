/*
 * cs_clock.c - the gateway clock (system clock + an offset the BMS sets
 * through registers 1-6, never the system clock itself) and the BMS
 * heartbeat watchdog on register 0.
 */
#include <stdio.h>
#include <time.h>
#include <json-c/json.h>
#include "cs.h"
#include "ocpp_common/ocpp_time.h"

#define CS_CLOCK_WINDOW_MS 15000  /* all six registers within 15 s */

int64_t cs_now_ms(const cs_t *cs)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000 + cs->clock_offset_ms;
}

void cs_now_iso(const cs_t *cs, char *buf, size_t len)
{
    gw_ocpp_time_format(cs_now_ms(cs), buf, len);
}

/* Days since the epoch of a civil date, as in ocpp_time.c. */
static int64_t clock_days(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    return era * 146097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719468;
}

/* Show the gateway time (UTC) in registers 1-6, unless the BMS is in the
 * middle of setting it. */
static void clock_show(cs_t *cs)
{
    if (cs->clock_mask)
        return;
    time_t t = (time_t)(cs_now_ms(cs) / 1000);
    struct tm tm;
    gmtime_r(&t, &tm);
    int v[6] = { tm.tm_sec, tm.tm_min, tm.tm_hour, tm.tm_mday, tm.tm_mon + 1, tm.tm_year + 1900 };
    for (int i = 0; i < 6; i++)
        if (cs->clock[i] >= 0 && cs_get_int(cs, cs->clock[i]) != v[i])
            gw_point_set_int(cs->ctx, cs->clock[i], v[i]);
}

static void clock_tick(gw_ctx_t *ctx, gw_timer_id_t id, void *user)
{
    cs_t *cs = user;
    (void)ctx;
    (void)id;
    if (cs->clock_mask && cs_now_ms(cs) - cs->clock_offset_ms - cs->clock_first_write_ms >
                              CS_CLOCK_WINDOW_MS) {
        gw_log(cs->ctx, GW_LOG_WARNING, "BMS clock write incomplete after 15 s: ignored");
        cs->clock_mask = 0;
    }
    clock_show(cs);
}

static void clock_apply(cs_t *cs)
{
    const int *w = cs->clock_written;
    int64_t y = w[5];
    static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    if (y < 1970 || y > 2200 || w[4] < 1 || w[4] > 12 || w[3] < 1 || w[3] > mdays[w[4] - 1] ||
        w[2] > 23 || w[1] > 59 || w[0] > 59 ||
        (w[4] == 2 && w[3] == 29 && !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))) {
        gw_log(cs->ctx, GW_LOG_WARNING, "BMS wrote an invalid date %04d-%02d-%02d %02d:%02d:%02d",
               w[5], w[4], w[3], w[2], w[1], w[0]);
        return;
    }
    int64_t target = (clock_days(y, w[4], w[3]) * 86400 + w[2] * 3600 + w[1] * 60 + w[0]) * 1000;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    cs->clock_offset_ms = target - ((int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
    char iso[GW_OCPP_TIME_LEN];
    cs_now_iso(cs, iso, sizeof iso);
    gw_log(cs->ctx, GW_LOG_NOTICE, "gateway clock set by the BMS to %s (offset %lld ms)", iso,
           (long long)cs->clock_offset_ms);
}

void cs_clock_on_write(gw_ctx_t *ctx, gw_point_id_t id, const gw_value_t *v, void *user)
{
    cs_t *cs = user;
    (void)ctx;
    int i = 0;
    while (i < 6 && cs->clock[i] != id)
        i++;
    if (i == 6)
        return;
    int64_t real_now = cs_now_ms(cs) - cs->clock_offset_ms;
    if (!cs->clock_mask || real_now - cs->clock_first_write_ms > CS_CLOCK_WINDOW_MS) {
        cs->clock_mask = 0;
        cs->clock_first_write_ms = real_now;
    }
    cs->clock_written[i] = (int)(v->kind == GW_VALUE_FLOAT ? v->u.f : v->u.i);
    cs->clock_mask |= 1u << i;
    if (cs->clock_mask == 0x3f) {
        clock_apply(cs);
        cs->clock_mask = 0;
        clock_show(cs);
    }
}

int cs_clock_start(cs_t *cs)
{
    clock_show(cs);
    cs->clock_timer = gw_timer_add(cs->ctx, 1000, GW_TIMER_REPEAT, clock_tick, cs);
    return cs->clock_timer < 0 ? (int)cs->clock_timer : 0;
}

/* ------------------------------------------------------- BMS heartbeat */

static void bms_lost_set(cs_t *cs, bool lost)
{
    if (cs_get_int(cs, cs->bms_lost) == lost)
        return;
    gw_point_set_int(cs->ctx, cs->bms_lost, lost);
    gw_log(cs->ctx, lost ? GW_LOG_WARNING : GW_LOG_NOTICE, "BMS communication %s",
           lost ? "lost (heartbeat register not written)" : "restored");
    if (gw_event_wanted(cs->ctx, "bms.comm")) {
        json_object *o = json_object_new_object();
        json_object_object_add(o, "event", json_object_new_string(lost ? "lost" : "restored"));
        json_object_object_add(o, "time", json_object_new_int64(cs_now_ms(cs)));
        gw_event_publish(cs->ctx, "bms.comm", o); /* takes o */
    }
}

static void bms_heartbeat_tick(gw_ctx_t *ctx, gw_timer_id_t id, void *user)
{
    cs_t *cs = user;
    (void)ctx;
    (void)id;
    bms_lost_set(cs, cs_get_int(cs, cs->bms_heartbeat) == 0);
    gw_point_set_int(cs->ctx, cs->bms_heartbeat, 0);
}

void cs_bms_heartbeat_start(cs_t *cs)
{
    if (cs->bms_heartbeat < 0 || cs->bms_heartbeat_s <= 0)
        return;
    cs->bms_hb_timer = gw_timer_add(cs->ctx, (uint32_t)cs->bms_heartbeat_s * 1000,
                                    GW_TIMER_REPEAT, bms_heartbeat_tick, cs);
}
