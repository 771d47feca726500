/*
 * value.h - points as JSON: names of types, access and quality; values to
 * JSON and back (with enumeration labels). Pure functions, unit-tested.
 */
#ifndef GW_DIAG_VALUE_H
#define GW_DIAG_VALUE_H

#include <json-c/json.h>
#include <gw/gw.h>

const char *gw_diag_type_name(gw_type_t type);
const char *gw_diag_access_name(gw_access_t access);
const char *gw_diag_quality_name(gw_quality_t quality);

/** A point's value as JSON: number or string; floats with float precision. */
json_object *gw_diag_value_to_json(gw_type_t type, const gw_value_t *value);

/**
 * Convert what a client sent into a value for a point of `type`.
 * Integers accept JSON integers, booleans, integral numbers, decimal
 * strings and, with `enums` ("0=Available;1=Preparing"), a label.
 * Floats accept numbers and numeric strings; strings accept strings.
 * A returned string borrows from `in`.
 * @return 0, or -EINVAL with *why set
 */
int gw_diag_value_from_json(gw_type_t type, const char *enums, json_object *in,
                            gw_value_t *out, const char **why);

/** Look up a label in an enumeration attribute. @return 0 or -ENOENT. */
int gw_diag_enum_lookup(const char *enums, const char *label, int64_t *out);

#endif
