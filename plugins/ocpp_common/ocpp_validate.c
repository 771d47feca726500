/*
 * ocpp_validate.c - walk a json-c payload against the generated OCPP 1.6
 * schema tables and choose the CALLERROR code for the first violation.
 *
 * Code choice (OCPP-J 1.6 §4.2.3): wrong JSON type -> TypeConstraintViolation;
 * a required field missing or an array with too few items ->
 * OccurenceConstraintViolation; a value outside its enumeration, longer than
 * its CiString, a malformed date-time, an unknown field, an integer outside
 * its range (32 bits, or the spec's bound such as connectorId > 0) ->
 * PropertyConstraintViolation; a payload that is not an object ->
 * FormationViolation.
 */
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <json-c/json.h>
#include "ocpp_schema.h"
#include "ocpp_time.h"

const char *gw_ocpp_error_name(gw_ocpp_error_t code)
{
    switch (code) {
    case GW_OCPP_OK: return "OK";
    case GW_OCPP_NOT_IMPLEMENTED: return "NotImplemented";
    case GW_OCPP_NOT_SUPPORTED: return "NotSupported";
    case GW_OCPP_INTERNAL_ERROR: return "InternalError";
    case GW_OCPP_PROTOCOL_ERROR: return "ProtocolError";
    case GW_OCPP_SECURITY_ERROR: return "SecurityError";
    case GW_OCPP_FORMATION_VIOLATION: return "FormationViolation";
    case GW_OCPP_PROPERTY_CONSTRAINT: return "PropertyConstraintViolation";
    case GW_OCPP_OCCURENCE_CONSTRAINT: return "OccurenceConstraintViolation";
    case GW_OCPP_TYPE_CONSTRAINT: return "TypeConstraintViolation";
    case GW_OCPP_GENERIC_ERROR: return "GenericError";
    }
    return "GenericError";
}

const gw_ocpp_action_t *gw_ocpp_action_find(const char *name)
{
    size_t lo = 0, hi = gw_ocpp16_n_actions;
    if (!name)
        return NULL;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int c = strcmp(name, gw_ocpp16_actions[mid].name);
        if (c == 0)
            return &gw_ocpp16_actions[mid];
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return NULL;
}

typedef struct validate_ctx {
    char *why;
    size_t why_len;
    char path[128];
} validate_ctx_t;

static gw_ocpp_error_t validate_fail(validate_ctx_t *vc, gw_ocpp_error_t code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static gw_ocpp_error_t validate_fail(validate_ctx_t *vc, gw_ocpp_error_t code, const char *fmt, ...)
{
    if (vc->why && vc->why_len) {
        char msg[160];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(msg, sizeof msg, fmt, ap);
        va_end(ap);
        snprintf(vc->why, vc->why_len, "%s%s%s", vc->path, vc->path[0] ? ": " : "", msg);
    }
    return code;
}

/* Characters, not bytes: CiString lengths count characters. */
static size_t validate_utf8_len(const char *s, size_t bytes)
{
    size_t n = 0;
    for (size_t i = 0; i < bytes; i++)
        if (((unsigned char)s[i] & 0xC0) != 0x80)
            n++;
    return n;
}

static gw_ocpp_error_t validate_node(validate_ctx_t *vc, const gw_ocpp_node_t *node,
                                     json_object *v);

static gw_ocpp_error_t validate_object(validate_ctx_t *vc, const gw_ocpp_node_t *node,
                                       json_object *v)
{
    size_t saved = strlen(vc->path);
    /* Occurrence first: a missing field is the most useful report. */
    for (uint32_t i = 0; i < node->n_props; i++) {
        if (node->props[i].required && !json_object_object_get_ex(v, node->props[i].name, NULL))
            return validate_fail(vc, GW_OCPP_OCCURENCE_CONSTRAINT, "required field %s missing",
                                 node->props[i].name);
    }
    json_object_object_foreach(v, key, child) {
        const gw_ocpp_prop_t *prop = NULL;
        for (uint32_t i = 0; i < node->n_props; i++) {
            if (strcmp(node->props[i].name, key) == 0) {
                prop = &node->props[i];
                break;
            }
        }
        if (!prop) {
            if (node->closed)
                return validate_fail(vc, GW_OCPP_PROPERTY_CONSTRAINT, "unknown field %.40s", key);
            continue;
        }
        snprintf(vc->path + saved, sizeof vc->path - saved, "%s%s", saved ? "." : "", key);
        gw_ocpp_error_t rc = validate_node(vc, prop->node, child);
        if (rc != GW_OCPP_OK)
            return rc;
        vc->path[saved] = '\0';
    }
    return GW_OCPP_OK;
}

static gw_ocpp_error_t validate_array(validate_ctx_t *vc, const gw_ocpp_node_t *node,
                                      json_object *v)
{
    size_t n = json_object_array_length(v);
    size_t saved = strlen(vc->path);
    if (n < node->min_items)
        return validate_fail(vc, GW_OCPP_OCCURENCE_CONSTRAINT, "needs at least %u items",
                             node->min_items);
    for (size_t i = 0; i < n; i++) {
        snprintf(vc->path + saved, sizeof vc->path - saved, "[%zu]", i);
        gw_ocpp_error_t rc = validate_node(vc, node->items, json_object_array_get_idx(v, i));
        if (rc != GW_OCPP_OK)
            return rc;
        vc->path[saved] = '\0';
    }
    return GW_OCPP_OK;
}

static gw_ocpp_error_t validate_string(validate_ctx_t *vc, const gw_ocpp_node_t *node,
                                       json_object *v)
{
    const char *s = json_object_get_string(v);
    size_t bytes = (size_t)json_object_get_string_len(v);
    if (node->max_len && validate_utf8_len(s, bytes) > node->max_len)
        return validate_fail(vc, GW_OCPP_PROPERTY_CONSTRAINT, "longer than %u", node->max_len);
    if (node->enums) {
        for (const char *const *e = node->enums; *e; e++)
            if (strcmp(*e, s) == 0)
                return GW_OCPP_OK;
        return validate_fail(vc, GW_OCPP_PROPERTY_CONSTRAINT, "'%.40s' is not allowed", s);
    }
    if (node->format == GW_OCPP_FORMAT_DATETIME) {
        int64_t ms;
        if (strlen(s) != bytes || gw_ocpp_time_parse(s, &ms) != 0)
            return validate_fail(vc, GW_OCPP_PROPERTY_CONSTRAINT, "not an RFC 3339 date-time");
    }
    if (node->format == GW_OCPP_FORMAT_URI && (bytes == 0 || !strchr(s, ':')))
        return validate_fail(vc, GW_OCPP_PROPERTY_CONSTRAINT, "not a URI");
    return GW_OCPP_OK;
}

/*
 * An integer field. The type is the JSON value's: a number without a
 * fraction is an integer however it is written (5, 5.0, 1E2, 1e400), as in
 * JSON Schema; 5.5 or a string is a TypeConstraintViolation. Its value must
 * then lie in the field's range (OCPP integers are 32-bit, connectorId >= 0
 * or > 0 where §6 says so): outside it is a valid integer with an invalid
 * value, PropertyConstraintViolation. Never json_object_get_int(), which
 * would turn 4294967297 into 1: json-c saturates int64 and uint64 values,
 * and saturated values are out of range too.
 */
static gw_ocpp_error_t validate_integer(validate_ctx_t *vc, const gw_ocpp_node_t *node,
                                        json_object *v)
{
    json_type t = json_object_get_type(v);
    bool in_range;
    if (t == json_type_int) {
        int64_t i = json_object_get_int64(v);
        in_range = i >= node->minimum && i <= node->maximum;
    } else if (t == json_type_double) {
        double d = json_object_get_double(v);
        if (isfinite(d) && d != floor(d))
            return validate_fail(vc, GW_OCPP_TYPE_CONSTRAINT, "must be an integer");
        in_range = isfinite(d) && d >= (double)node->minimum && d <= (double)node->maximum;
    } else {
        return validate_fail(vc, GW_OCPP_TYPE_CONSTRAINT, "must be an integer");
    }
    if (!in_range)
        return validate_fail(vc, GW_OCPP_PROPERTY_CONSTRAINT,
                             "out of range %" PRId64 "..%" PRId64, node->minimum, node->maximum);
    return GW_OCPP_OK;
}

static gw_ocpp_error_t validate_node(validate_ctx_t *vc, const gw_ocpp_node_t *node,
                                     json_object *v)
{
    json_type t = json_object_get_type(v);
    switch (node->kind) {
    case GW_OCPP_KIND_OBJECT:
        if (t != json_type_object)
            return validate_fail(vc, GW_OCPP_TYPE_CONSTRAINT, "must be an object");
        return validate_object(vc, node, v);
    case GW_OCPP_KIND_ARRAY:
        if (t != json_type_array)
            return validate_fail(vc, GW_OCPP_TYPE_CONSTRAINT, "must be an array");
        return validate_array(vc, node, v);
    case GW_OCPP_KIND_STRING:
        if (t != json_type_string)
            return validate_fail(vc, GW_OCPP_TYPE_CONSTRAINT, "must be a string");
        return validate_string(vc, node, v);
    case GW_OCPP_KIND_INTEGER:
        return validate_integer(vc, node, v);
    case GW_OCPP_KIND_NUMBER:
        if (t != json_type_int && t != json_type_double)
            return validate_fail(vc, GW_OCPP_TYPE_CONSTRAINT, "must be a number");
        /* 1e400 parses as infinity: no register or field can hold it */
        if (!isfinite(json_object_get_double(v)))
            return validate_fail(vc, GW_OCPP_PROPERTY_CONSTRAINT, "out of range");
        if (node->multiple_of > 0) {
            double q = json_object_get_double(v) / node->multiple_of;
            if (fabs(q - round(q)) > 1e-6)
                return validate_fail(vc, GW_OCPP_PROPERTY_CONSTRAINT, "not a multiple of %g",
                                     node->multiple_of);
        }
        return GW_OCPP_OK;
    case GW_OCPP_KIND_BOOLEAN:
        if (t != json_type_boolean)
            return validate_fail(vc, GW_OCPP_TYPE_CONSTRAINT, "must be a boolean");
        return GW_OCPP_OK;
    }
    return validate_fail(vc, GW_OCPP_INTERNAL_ERROR, "bad schema node");
}

gw_ocpp_error_t gw_ocpp_validate(const gw_ocpp_node_t *schema, json_object *payload, char *why,
                                 size_t why_len)
{
    validate_ctx_t vc = { .why = why, .why_len = why_len };
    if (why && why_len)
        why[0] = '\0';
    if (!schema)
        return GW_OCPP_INTERNAL_ERROR;
    if (json_object_get_type(payload) != json_type_object)
        return validate_fail(&vc, GW_OCPP_FORMATION_VIOLATION, "payload must be a JSON object");
    return validate_node(&vc, schema, payload);
}
