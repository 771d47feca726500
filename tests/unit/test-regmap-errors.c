/*
 * test-regmap-errors - the map loader refuses bad files with
 * "FILE:LINE: reason" and accepts the directives it documents.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <glib.h>
#include <glib/gstdio.h>
#include "modbus_common/regmap.h"

/* Lines 1-6: a valid preamble every case extends. */
#define PREAMBLE \
    "@block global base=0\n" \
    "@block charger base=100 stride=2000 count=20 var=xx\n" \
    "@block connector parent=charger base=512 stride=100 count=8 var=yy\n" \
    "@group global BMS 0 6\n" \
    "@group charger Info 0 46\n" \
    "@group connector Connector 0 99\n"
#define HEADER "block,offset,registers,format,access,enabled,point,group,values,modes\n"
#define ROW_OK "global,0,1,Integer,RW,yes,bms.heartbeat,BMS,,bms\n"

typedef struct bad_case {
    const char *name;
    const char *text;
    unsigned line;
    const char *reason;
} bad_case_t;

static const bad_case_t bad_cases[] = {
    { "overlap", PREAMBLE HEADER ROW_OK "global,0,2,Float,R,yes,bms.x,BMS,,bms\n", 9,
      "overlap line 8" },
    { "overlap-string", PREAMBLE HEADER "charger,1,13,String,R,yes,charger.{xx}.a,Info,,bms\n"
                                        "charger,13,1,Integer,R,yes,charger.{xx}.b,Info,,bms\n",
      9, "overlap line 8" },
    { "unknown-format", PREAMBLE HEADER "global,0,1,Int,R,yes,bms.x,BMS,,bms\n", 8,
      "unknown format 'Int'" },
    { "float-registers", PREAMBLE HEADER "global,0,1,Float,R,yes,bms.x,BMS,,bms\n", 8,
      "Float takes 2 registers" },
    { "template-missing-var", PREAMBLE HEADER "charger,0,1,Integer,R,yes,charger.info,Info,,bms\n",
      8, "bad template" },
    { "template-wrong-var", PREAMBLE HEADER
      "connector,0,1,Integer,R,yes,charger.{xx}.connector.{zz}.s,Connector,,bms\n", 8,
      "unexpected '{zz}'" },
    { "template-var-order", PREAMBLE HEADER
      "connector,0,1,Integer,R,yes,c.{yy}.k.{xx}.s,Connector,,bms\n", 8, "bad template" },
    { "template-var-in-global", PREAMBLE HEADER "global,0,1,Integer,R,yes,bms.{xx},BMS,,bms\n", 8,
      "bad template" },
    { "template-chars", PREAMBLE HEADER "global,0,1,Integer,R,yes,bms.Heart Beat,BMS,,bms\n", 8,
      "may only use" },
    { "template-digits", PREAMBLE HEADER "global,0,1,Integer,R,yes,bms.7,BMS,,bms\n", 8,
      "only digits" },
    { "template-empty-part", PREAMBLE HEADER "global,0,1,Integer,R,yes,bms..x,BMS,,bms\n", 8,
      "empty name part" },
    { "template-duplicate", PREAMBLE HEADER ROW_OK "global,1,1,Integer,R,yes,bms.heartbeat,BMS,,bms\n",
      9, "already used by line 8" },
    { "outside-group", PREAMBLE HEADER "charger,50,1,Integer,R,yes,charger.{xx}.x,Info,,bms\n", 8,
      "outside every @group" },
    { "straddles-group", PREAMBLE HEADER "charger,46,2,Float,R,yes,charger.{xx}.x,Info,,bms\n", 8,
      "outside every @group" },
    { "unknown-block", PREAMBLE HEADER "site,0,1,Integer,R,yes,s.x,BMS,,bms\n", 8,
      "unknown block 'site'" },
    { "columns", PREAMBLE HEADER "global,0,1,Integer,R,yes,bms.x,BMS\n", 8, "columns" },
    { "access", PREAMBLE HEADER "global,0,1,Integer,X,yes,bms.x,BMS,,bms\n", 8, "unknown access" },
    { "enabled", PREAMBLE HEADER "global,0,1,Integer,R,maybe,bms.x,BMS,,bms\n", 8,
      "enabled must be" },
    { "offset", PREAMBLE HEADER "global,-1,1,Integer,R,yes,bms.x,BMS,,bms\n", 8, "bad offset" },
    { "registers-zero", PREAMBLE HEADER "global,0,0,String,R,yes,bms.x,BMS,,bms\n", 8,
      "bad register count" },
    { "enum-syntax", PREAMBLE HEADER "global,0,1,Integer,R,yes,bms.x,BMS,0=A;B,bms\n", 8,
      "not code=name" },
    { "enum-twice", PREAMBLE HEADER "global,0,1,Integer,R,yes,bms.x,BMS,0=A;0=B,bms\n", 8,
      "listed twice" },
    { "mode", PREAMBLE HEADER "global,0,1,Integer,R,yes,bms.x,BMS,,scada\n", 8, "unknown mode" },
    { "no-mode", PREAMBLE HEADER "global,0,1,Integer,R,yes,bms.x,BMS,,\n", 8, "at least one mode" },
    { "quotes", PREAMBLE HEADER "global,0,1,Integer,R,yes,bms.x,BMS,,\"bms\n", 8, "quotes" },
    { "no-header", PREAMBLE ROW_OK, 7, "expected the header" },
    { "empty", "# nothing\n", 1, "no header line" },
    { "no-rows", PREAMBLE HEADER, 7, "no rows" },
    { "unknown-directive", "@blok x base=0\n", 1, "unknown directive" },
    { "block-base", "@block g\n", 1, "base= is required" },
    { "block-parent", "@block c base=0 parent=nope\n", 1, "unknown parent" },
    { "block-repeat", "@block c base=0 count=3\n", 1, "needs var=" },
    { "block-attr", "@block c base=0 colour=red\n", 1, "unknown attribute" },
    { "group-block", "@block g base=0\n@group h G 0 1\n", 2, "unknown block 'h'" },
    { "group-extent", "@block g base=0\n@group g G 5 1\n", 2, "bad extent" },
    { "group-overlap", "@block g base=0\n@group g A 0 5\n@group g B 5 6\n", 3, "overlaps group A" },
    /* a stride too small makes chargers overlap their neighbours */
    { "stride-overlap",
      "@block global base=0\n@block charger base=100 stride=10 count=20 var=xx\n"
      "@group global BMS 0 6\n@group charger Info 0 46\n" HEADER
      "charger,0,1,Integer,R,yes,charger.{xx}.x,Info,,bms\n", 4, "overlaps group Info" },
    { "past-65535",
      "@block charger base=60000 stride=2000 count=20 var=xx\n@group charger Info 0 46\n" HEADER
      "charger,0,1,Integer,R,yes,charger.{xx}.x,Info,,bms\n", 2, "past 65535" },
    { "toggle-nothing", PREAMBLE HEADER ROW_OK "@disable group=Nope\n", 9, "matches no row" },
    { "toggle-syntax", PREAMBLE HEADER ROW_OK "@enable heartbeat\n", 9, "neither group=" },
    { "directive-after-header", PREAMBLE HEADER ROW_OK "@group global X 7 8\n", 9,
      "before the header" },
    { "binary", "@block g base=0\n\xff\xfe\n", 2, "UTF-8" },
};

static char *write_map(const char *text)
{
    char *path = NULL;
    GError *err = NULL;
    int fd = g_file_open_tmp("regmap-XXXXXX.csv", &path, &err);
    g_assert_no_error(err);
    g_assert_cmpint(write(fd, text, strlen(text)), ==, (int)strlen(text));
    close(fd);
    return path;
}

static void test_bad(gconstpointer data)
{
    const bad_case_t *c = data;
    char *path = write_map(c->text);
    char *err = NULL;
    char *prefix = g_strdup_printf("%s:%u: ", path, c->line);
    gw_regmap_t *map = gw_regmap_load(path, &err);
    g_assert_null(map);
    g_assert_nonnull(err);
    g_test_message("%s", err);
    g_assert_true(g_str_has_prefix(err, prefix));
    g_assert_nonnull(strstr(err, c->reason));
    g_free(err);
    g_free(prefix);
    g_unlink(path);
    g_free(path);
}

static void test_missing_file(void)
{
    char *err = NULL;
    g_assert_null(gw_regmap_load("/nonexistent/map.csv", &err));
    g_assert_true(g_str_has_prefix(err, "/nonexistent/map.csv:0: "));
    g_free(err);
    g_assert_null(gw_regmap_load(NULL, NULL));
}

/* Enable/disable by group and by point glob; later directives win. */
static void test_toggles(void)
{
    char *path = write_map(PREAMBLE HEADER ROW_OK
                           "charger,0,1,Integer,R,yes,charger.{xx}.info.comm,Info,0=OK;1=Err,bms bridge\r\n"
                           "connector,70,2,Float,R,no,charger.{xx}.connector.{yy}.meter.rpm,Connector,,bms bridge\n"
                           "connector,72,1,Integer,R,no,charger.{xx}.connector.{yy}.meter.rpm.unit,Connector,,\"bms,bridge\"\n"
                           "@disable group=Info\n"
                           "@enable point=*.meter.rpm*\n"
                           "@disable point=*.rpm.unit\n");
    char *err = NULL;
    gw_regmap_t *map = gw_regmap_load(path, &err);
    if (!map)
        g_test_message("%s", err);
    g_assert_nonnull(map);
    g_assert_null(err);
    g_assert_cmpint(gw_regmap_signal_state(map, "charger.0.info.comm", "bms"), ==, 0);
    g_assert_cmpint(gw_regmap_signal_state(map, "charger.1.connector.2.meter.rpm", "bms"), ==, 1);
    g_assert_cmpint(gw_regmap_signal_state(map, "charger.1.connector.2.meter.rpm.unit", "bridge"),
                    ==, 0);
    /* the values an owner declares to the point database */
    g_assert_cmpuint(gw_regmap_row(map, 1)->n_enum, ==, 2);
    g_assert_cmpstr(gw_regmap_signal_values(map, "charger.3.info.comm"), ==, "0=OK;1=Err");
    g_assert_null(gw_regmap_signal_values(map, "charger.3.connector.1.meter.rpm"));
    g_assert_null(gw_regmap_signal_values(map, "no.such.point"));
    g_assert_true(gw_regmap_values_equal("0=OK;1=Err", "00=OK;1=Err"));
    g_assert_false(gw_regmap_values_equal("0=OK;1=Err", "0=OK"));
    g_assert_false(gw_regmap_values_equal("0=OK", ""));
    g_assert_true(gw_regmap_values_equal("", ""));
    /* 1 global + 20 chargers x 8 blocks x rpm */
    g_assert_cmpuint(gw_regmap_enabled_count(map, 20, 0), ==, 1 + 160);
    g_assert_cmpuint(gw_regmap_enabled_count(map, 20, GW_REGMAP_MODE_BRIDGE), ==, 160);
    gw_regmap_free(map);
    g_unlink(path);
    g_free(path);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    for (size_t i = 0; i < G_N_ELEMENTS(bad_cases); i++) {
        char *name = g_strdup_printf("/regmap/errors/%s", bad_cases[i].name);
        g_test_add_data_func(name, &bad_cases[i], test_bad);
        g_free(name);
    }
    g_test_add_func("/regmap/errors/missing-file", test_missing_file);
    g_test_add_func("/regmap/toggles", test_toggles);
    return g_test_run();
}
