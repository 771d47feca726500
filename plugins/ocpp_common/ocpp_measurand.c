/*
 * ocpp_measurand.c - the measurand table and the reading of one
 * sampledValue into the register map's terms; see ocpp_measurand.h.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ocpp_measurand.h"

/* Default units: OCPP's formal default is Wh for everything, but a meter
 * that omits the unit of a current or a voltage means its natural unit.
 * Frequency, power factor and RPM have no unit in the map's enumeration. */
const gw_ocpp_measurand_t gw_ocpp_measurands[GW_OCPP_N_MEASURANDS] = {
    { "Current.Export", "current_export", GW_OCPP_PHASE_LINE, "A" },
    { "Current.Import", "current_import", GW_OCPP_PHASE_LINE, "A" },
    { "Current.Offered", "current_offered", GW_OCPP_PHASE_LINE, "A" },
    { "Energy.Active.Export.Register", "energy_active_export_register", GW_OCPP_PHASE_NONE, "Wh" },
    { "Energy.Active.Import.Register", "energy_active_import_register", GW_OCPP_PHASE_NONE, "Wh" },
    { "Energy.Reactive.Export.Register", "energy_reactive_export_register", GW_OCPP_PHASE_NONE,
      "varh" },
    { "Energy.Reactive.Import.Register", "energy_reactive_import_register", GW_OCPP_PHASE_NONE,
      "varh" },
    { "Energy.Active.Export.Interval", "energy_active_export_interval", GW_OCPP_PHASE_NONE, "Wh" },
    { "Energy.Active.Import.Interval", "energy_active_import_interval", GW_OCPP_PHASE_NONE, "Wh" },
    { "Energy.Reactive.Export.Interval", "energy_reactive_export_interval", GW_OCPP_PHASE_NONE,
      "varh" },
    { "Energy.Reactive.Import.Interval", "energy_reactive_import_interval", GW_OCPP_PHASE_NONE,
      "varh" },
    { "Frequency", "frequency", GW_OCPP_PHASE_NONE, NULL },
    { "Power.Active.Export", "power_active_export", GW_OCPP_PHASE_NONE, "W" },
    { "Power.Active.Import", "power_active_import", GW_OCPP_PHASE_NONE, "W" },
    { "Power.Factor", "power_factor", GW_OCPP_PHASE_NONE, NULL },
    { "Power.Offered", "power_offered", GW_OCPP_PHASE_NONE, "W" },
    { "Power.Reactive.Export", "power_reactive_export", GW_OCPP_PHASE_NONE, "var" },
    { "Power.Reactive.Import", "power_reactive_import", GW_OCPP_PHASE_NONE, "var" },
    { "RPM", "rpm", GW_OCPP_PHASE_NONE, NULL },
    { "SoC", "soc", GW_OCPP_PHASE_NONE, "Percent" },
    { "Temperature", "temperature", GW_OCPP_PHASE_NONE, "Celsius" },
    { "Voltage", "voltage", GW_OCPP_PHASE_LINE_NEUTRAL, "V" },
};

/* The map's unit enumeration, in code order. */
static const char *const gw_ocpp_units[] = { "Wh", "kWh", "varh", "kvarh", "W",  "kW",
                                             "VA", "kVA", "var",  "kvar",  "A",  "V",
                                             "Celsius", "Fahrenheit", "K", "Percent" };

int gw_ocpp_measurand_find(const char *ocpp)
{
    for (int m = 0; ocpp && m < GW_OCPP_N_MEASURANDS; m++)
        if (strcmp(gw_ocpp_measurands[m].ocpp, ocpp) == 0)
            return m;
    return -1;
}

int gw_ocpp_unit_code(const char *unit)
{
    for (size_t i = 0; unit && i < sizeof gw_ocpp_units / sizeof *gw_ocpp_units; i++)
        if (strcmp(gw_ocpp_units[i], unit) == 0)
            return (int)i;
    return -1;
}

static const char *gw_ocpp_str(json_object *o, const char *key)
{
    json_object *v;
    if (!o || !json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
        return NULL;
    return json_object_get_string(v);
}

/* "L2" or "L2-N" -> 1; anything else (N, L1-L2, L3-L1) -> -1 */
static int gw_ocpp_phase_slot(const char *phase)
{
    if (phase[0] != 'L' || phase[1] < '1' || phase[1] > '3')
        return -1;
    if (phase[2] && strcmp(phase + 2, "-N") != 0)
        return -1;
    return phase[1] - '1';
}

bool gw_ocpp_sample_parse(json_object *sv, gw_ocpp_sample_t *out)
{
    const char *text = gw_ocpp_str(sv, "value");
    const char *format = gw_ocpp_str(sv, "format");
    const char *meas = gw_ocpp_str(sv, "measurand");
    const char *phase = gw_ocpp_str(sv, "phase");
    const char *unit = gw_ocpp_str(sv, "unit");
    char *end;
    if (!text || (format && strcmp(format, "Raw") != 0))
        return false; /* SignedData has nothing a register can show */
    int m = gw_ocpp_measurand_find(meas ? meas : "Energy.Active.Import.Register");
    if (m < 0)
        return false;
    double v = strtod(text, &end);
    if (end == text || *end || !isfinite(v))
        return false;
    int p = 0;
    if (gw_ocpp_measurands[m].phasing == GW_OCPP_PHASE_NONE) {
        if (phase)
            return false; /* a phase's share of a total: the map has one register */
    } else if (phase && (p = gw_ocpp_phase_slot(phase)) < 0) {
        return false;
    }
    out->measurand = m;
    out->phase = p;
    out->value = v;
    if (unit && strcmp(unit, "Celcius") == 0)
        unit = "Celsius"; /* OCPP 1.6's spelling */
    out->unit = unit ? unit : gw_ocpp_measurands[m].default_unit;
    return true;
}

const char *gw_ocpp_measurand_phase_suffix(const gw_ocpp_measurand_t *m, int phase)
{
    static const char *const line[] = { "l1", "l2", "l3" };
    static const char *const line_n[] = { "l1_n", "l2_n", "l3_n" };
    if (phase < 0 || phase > 2 || m->phasing == GW_OCPP_PHASE_NONE)
        return NULL;
    return m->phasing == GW_OCPP_PHASE_LINE ? line[phase] : line_n[phase];
}

int gw_ocpp_sample_point_name(const gw_ocpp_sample_t *s, int xx, int yy, char *buf, size_t len)
{
    const gw_ocpp_measurand_t *m = &gw_ocpp_measurands[s->measurand];
    const char *suffix = gw_ocpp_measurand_phase_suffix(m, s->phase);
    int n = snprintf(buf, len, "charger.%d.connector.%d.meter.%s%s%s", xx, yy, m->point,
                     suffix ? "." : "", suffix ? suffix : "");
    return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

int gw_ocpp_sample_unit_name(const gw_ocpp_sample_t *s, int xx, int yy, char *buf, size_t len)
{
    int n = snprintf(buf, len, "charger.%d.connector.%d.meter.%s.unit", xx, yy,
                     gw_ocpp_measurands[s->measurand].point);
    return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}
