/* ocpp_bridge's reading of what passes (bridge_frames.c, bridge_points.c)
 * on a real host: the transaction a charger starts is shown once the
 * Central System's StartTransaction.conf arrives, matched by message id and
 * by who made the call; the transactionId is the CS's; StopTransaction
 * clears it. */
#include "config.h"
#include <string.h>
#include <glib.h>
#include "host.h"
#include "ocpp_bridge/bridge.h"

typedef struct fixture {
    gw_conf_t *conf;
    gw_host_t *host;
    bridge_t br;
    br_charger_t *ch;
} fixture_t;

static void fixture_set_up(fixture_t *f, gconstpointer data)
{
    (void)data;
    GPtrArray *errors = g_ptr_array_new_with_free_func(g_free);
    char *err = NULL;
    static const char *const chargers[] = { "CP0:2", NULL };
    memset(f, 0, sizeof *f);
    f->conf = gw_conf_new_empty();
    f->host = gw_host_new(f->conf, errors);
    g_assert_cmpuint(errors->len, ==, 0);
    g_ptr_array_free(errors, TRUE);
    f->br.ctx = gw_host_core_ctx(f->host);
    f->br.map = gw_regmap_load(GW_TOP_SRCDIR "/etc/register-map.csv", &err);
    g_assert_nonnull(f->br.map);
    f->br.chargers_cfg = gw_ocpp_chargers_parse(chargers, 2, BR_MAX_CONNECTORS, 16, &err);
    g_assert_nonnull(f->br.chargers_cfg);
    f->ch = g_new0(br_charger_t, 1);
    f->ch->cfg = gw_ocpp_chargers_nth(f->br.chargers_cfg, 0);
    f->ch->index = f->ch->cfg->index;
    g_assert_cmpint(br_points_register(&f->br, f->ch), ==, 0);
    g_free(err);
}

static void fixture_tear_down(fixture_t *f, gconstpointer data)
{
    (void)data;
    g_free(f->ch);
    gw_ocpp_chargers_free(f->br.chargers_cfg);
    gw_regmap_free(f->br.map);
    gw_host_free(f->host);
    gw_conf_free(f->conf);
}

static void feed(fixture_t *f, br_dir_t dir, const char *text)
{
    br_frames_observe(&f->br, f->ch, dir, text, strlen(text));
}

static int64_t txn_id(fixture_t *f, int yy)
{
    gw_value_t v;
    g_assert_cmpint(gw_point_get(f->br.ctx, f->ch->txn_id[yy], &v), ==, 0);
    return v.kind == GW_VALUE_INT ? v.u.i : 0;
}

static gw_value_t point(fixture_t *f, const char *leaf, int yy)
{
    gw_value_t v;
    gw_point_id_t id = br_point(&f->br, "charger.0.connector.%d.transaction.%s", yy, leaf);
    g_assert_cmpint(id, >=, 0);
    g_assert_cmpint(gw_point_get(f->br.ctx, id, &v), ==, 0);
    return v;
}

#define START(id, conn, tag) \
    "[2,\"" id "\",\"StartTransaction\",{\"connectorId\":" #conn ",\"idTag\":\"" tag \
    "\",\"meterStart\":1234,\"timestamp\":\"2024-05-01T10:00:00Z\"}]"
#define START_CONF(id, txn) \
    "[3,\"" id "\",{\"transactionId\":" #txn ",\"idTagInfo\":{\"status\":\"Accepted\"}}]"

static void test_start_matched_by_message_id(fixture_t *f, gconstpointer data)
{
    (void)data;
    feed(f, BR_FROM_CHARGER, START("m1", 1, "TAG1"));
    g_assert_cmpint(txn_id(f, 1), ==, 0);             /* nothing before the answer */
    feed(f, BR_FROM_CS, START_CONF("other", 99));     /* an answer to another call */
    g_assert_cmpint(txn_id(f, 1), ==, 0);
    feed(f, BR_FROM_CS, START_CONF("m1", 42));
    g_assert_cmpint(txn_id(f, 1), ==, 42);
    gw_value_t v = point(f, "id_tag", 1);
    g_assert_cmpint(v.kind, ==, GW_VALUE_STRING);
    g_assert_cmpmem(v.u.s, v.len, "TAG1", 4);
    g_assert_cmpfloat(point(f, "meter_start", 1).u.f, ==, 1234);
    g_assert_cmpint(point(f, "timestamp", 1).u.i, ==, 1714557600);
    g_assert_cmpint(txn_id(f, 2), ==, 0);
    /* the same answer again matches nothing any more */
    feed(f, BR_FROM_CS, START_CONF("m1", 43));
    g_assert_cmpint(txn_id(f, 1), ==, 42);
    /* StopTransaction with that id clears the connector */
    feed(f, BR_FROM_CHARGER, "[2,\"m2\",\"StopTransaction\",{\"transactionId\":42,"
                             "\"meterStop\":2000,\"timestamp\":\"2024-05-01T11:00:00Z\"}]");
    g_assert_cmpint(txn_id(f, 1), ==, 0);
    v = point(f, "id_tag", 1);
    g_assert_cmpuint(v.len, ==, 0);
}

static void test_answers_out_of_order(fixture_t *f, gconstpointer data)
{
    (void)data;
    feed(f, BR_FROM_CHARGER, START("a", 1, "T1"));
    feed(f, BR_FROM_CHARGER, START("b", 2, "T2"));
    feed(f, BR_FROM_CHARGER, "[2,\"c\",\"Heartbeat\",{}]");
    feed(f, BR_FROM_CS, START_CONF("b", 7));
    feed(f, BR_FROM_CS, "[3,\"c\",{\"currentTime\":\"2024-05-01T10:00:00Z\"}]");
    feed(f, BR_FROM_CS, START_CONF("a", 6));
    g_assert_cmpint(txn_id(f, 1), ==, 6);
    g_assert_cmpint(txn_id(f, 2), ==, 7);
    /* stopping 7 leaves connector 1 alone */
    feed(f, BR_FROM_CHARGER, "[2,\"d\",\"StopTransaction\",{\"transactionId\":7,"
                             "\"meterStop\":1,\"timestamp\":\"2024-05-01T11:00:00Z\"}]");
    g_assert_cmpint(txn_id(f, 1), ==, 6);
    g_assert_cmpint(txn_id(f, 2), ==, 0);
}

static void test_direction_and_errors(fixture_t *f, gconstpointer data)
{
    (void)data;
    /* the CS uses the same message id for a call of its own */
    feed(f, BR_FROM_CHARGER, START("x", 1, "T1"));
    feed(f, BR_FROM_CS, "[2,\"x\",\"GetConfiguration\",{}]");
    /* an answer from the charger is to the CS's call, not to StartTransaction */
    feed(f, BR_FROM_CHARGER, START_CONF("x", 5));
    g_assert_cmpint(txn_id(f, 1), ==, 0);
    feed(f, BR_FROM_CS, START_CONF("x", 8));
    g_assert_cmpint(txn_id(f, 1), ==, 8);

    /* a CALLERROR, a malformed answer or a wrong-typed id shows nothing */
    feed(f, BR_FROM_CHARGER, START("y", 2, "T2"));
    feed(f, BR_FROM_CS, "[4,\"y\",\"InternalError\",\"down\",{}]");
    g_assert_cmpint(txn_id(f, 2), ==, 0);
    feed(f, BR_FROM_CHARGER, START("z", 2, "T2"));
    feed(f, BR_FROM_CS, "[3,\"z\",{\"transactionId\":\"nine\"}]");
    g_assert_cmpint(txn_id(f, 2), ==, 0);
    feed(f, BR_FROM_CS, "[3,\"z\",{\"transactionId\":9}");   /* not even JSON */
    feed(f, BR_FROM_CS, "garbage");
    g_assert_cmpint(txn_id(f, 2), ==, 0);
    /* a start on a connector the charger does not have shows nothing */
    feed(f, BR_FROM_CHARGER, START("w", 5, "T5"));
    feed(f, BR_FROM_CS, START_CONF("w", 11));
    g_assert_cmpint(txn_id(f, 1), ==, 8);
    g_assert_cmpint(txn_id(f, 2), ==, 0);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add("/bridge/frames/start-matched-by-message-id", fixture_t, NULL, fixture_set_up,
               test_start_matched_by_message_id, fixture_tear_down);
    g_test_add("/bridge/frames/answers-out-of-order", fixture_t, NULL, fixture_set_up,
               test_answers_out_of_order, fixture_tear_down);
    g_test_add("/bridge/frames/direction-and-errors", fixture_t, NULL, fixture_set_up,
               test_direction_and_errors, fixture_tear_down);
    return g_test_run();
}
