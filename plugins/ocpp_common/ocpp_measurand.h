/*
 * ocpp_measurand.h - the OCPP 1.6 measurands the register map has
 * registers for, and how one sampledValue of a MeterValues (or a
 * transaction's meter data) lands in them. Shared by ocpp_cs (which writes
 * the registers) and ocpp_bridge (which shows what it relays) so both read
 * the same sample into the same point.
 *
 * Point names (etc/register-map.csv):
 *   charger.{xx}.connector.{yy}.meter.<point>            one value
 *   charger.{xx}.connector.{yy}.meter.<point>.l1|l2|l3   per phase (currents)
 *   charger.{xx}.connector.{yy}.meter.<point>.l1_n|...   per phase (voltage)
 *   charger.{xx}.connector.{yy}.meter.<point>.unit       the unit enumeration
 */
#ifndef GW_OCPP_MEASURAND_H
#define GW_OCPP_MEASURAND_H

#include <stdbool.h>
#include <stddef.h>
#include <json-c/json.h>

typedef enum gw_ocpp_phasing {
    GW_OCPP_PHASE_NONE,         /* one register */
    GW_OCPP_PHASE_LINE,         /* .l1 .l2 .l3 */
    GW_OCPP_PHASE_LINE_NEUTRAL, /* .l1_n .l2_n .l3_n (Voltage) */
} gw_ocpp_phasing_t;

typedef struct gw_ocpp_measurand {
    const char *ocpp;           /* "Current.Import" */
    const char *point;          /* "current_import" */
    gw_ocpp_phasing_t phasing;
    const char *default_unit;   /* shown when the charger gives none; NULL: leave the register */
} gw_ocpp_measurand_t;

#define GW_OCPP_N_MEASURANDS 22
extern const gw_ocpp_measurand_t gw_ocpp_measurands[GW_OCPP_N_MEASURANDS];

/** @return the measurand's position in gw_ocpp_measurands, or -1. */
int gw_ocpp_measurand_find(const char *ocpp);

/** One sampledValue, read as the registers see it. */
typedef struct gw_ocpp_sample {
    int measurand;              /* index into gw_ocpp_measurands */
    int phase;                  /* 0..2 = L1..L3; 0 for a one-register measurand */
    double value;
    const char *unit;           /* as given ("Celcius" read as "Celsius"), the
                                 * measurand's default, or NULL */
} gw_ocpp_sample_t;

/**
 * Read a sampledValue object (already validated against OCPP 1.6).
 * @return false when it has no register: an unknown measurand, signed
 * data, a value that is not a finite number, a phase the map has no
 * register for (N or L1-L2 anywhere, any phase of a one-register total).
 * A per-phase measurand without a phase is a single-phase meter: L1.
 */
bool gw_ocpp_sample_parse(json_object *sampled_value, gw_ocpp_sample_t *out);

/** "charger.XX.connector.YY.meter.<point>[.lN|.lN_n]" into buf.
 *  @return 0, or -ENAMETOOLONG */
int gw_ocpp_sample_point_name(const gw_ocpp_sample_t *s, int xx, int yy, char *buf, size_t len);

/** "charger.XX.connector.YY.meter.<point>.unit" into buf. */
int gw_ocpp_sample_unit_name(const gw_ocpp_sample_t *s, int xx, int yy, char *buf, size_t len);

/** The phase suffix of a per-phase point ("l2", "l3_n"), or NULL for a
 *  one-register measurand. */
const char *gw_ocpp_measurand_phase_suffix(const gw_ocpp_measurand_t *m, int phase);

/** The register map's unit enumeration (0=Wh ... 15=Percent).
 *  @return the code, or -1 for a unit the map cannot show */
int gw_ocpp_unit_code(const char *unit);

#endif
