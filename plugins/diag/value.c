/* value.c - converting point values between the SDK and JSON. */
#include "value.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

const char *gw_diag_type_name(gw_type_t type)
{
    switch (type) {
    case GW_TYPE_BOOL: return "bool";
    case GW_TYPE_INT16: return "int16";
    case GW_TYPE_UINT16: return "uint16";
    case GW_TYPE_INT32: return "int32";
    case GW_TYPE_UINT32: return "uint32";
    case GW_TYPE_FLOAT32: return "float32";
    case GW_TYPE_STRING: return "string";
    case GW_TYPE_DATETIME: return "datetime";
    }
    return "unknown";
}

const char *gw_diag_access_name(gw_access_t access)
{
    switch (access) {
    case GW_ACCESS_R: return "R";
    case GW_ACCESS_W: return "W";
    case GW_ACCESS_RW: return "RW";
    }
    return "?";
}

const char *gw_diag_quality_name(gw_quality_t quality)
{
    switch (quality) {
    case GW_QUALITY_UNINIT: return "uninit";
    case GW_QUALITY_GOOD: return "good";
    case GW_QUALITY_COMM_ERROR: return "comm_error";
    }
    return "unknown";
}

json_object *gw_diag_value_to_json(gw_type_t type, const gw_value_t *value)
{
    switch (value->kind) {
    case GW_VALUE_INT:
        return json_object_new_int64(value->u.i);
    case GW_VALUE_FLOAT: {
        /* Points store float32: print what was stored, not the double's
         * noise (16.1 rather than 16.100000381469727). */
        char text[48];
        if (!isfinite(value->u.f))
            return json_object_new_string(isnan(value->u.f) ? "NaN"
                                          : value->u.f > 0 ? "Infinity" : "-Infinity");
        snprintf(text, sizeof text, type == GW_TYPE_FLOAT32 ? "%.7g" : "%.17g", value->u.f);
        return json_object_new_double_s(value->u.f, text);
    }
    case GW_VALUE_STRING:
        return json_object_new_string_len(value->u.s ? value->u.s : "", (int)value->len);
    case GW_VALUE_NONE:
        break;
    }
    return NULL;
}

int gw_diag_enum_lookup(const char *enums, const char *label, int64_t *out)
{
    size_t want = strlen(label);
    const char *p = enums;
    while (p && *p) {
        const char *end = strchr(p, ';');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        const char *eq = memchr(p, '=', n);
        if (eq) {
            size_t ln = n - (size_t)(eq + 1 - p);
            if (ln == want && strncasecmp(eq + 1, label, want) == 0) {
                char num[32];
                size_t kn = (size_t)(eq - p);
                if (kn == 0 || kn >= sizeof num)
                    return -ENOENT;
                memcpy(num, p, kn);
                num[kn] = '\0';
                char *e;
                long long v = strtoll(num, &e, 10);
                if (*e)
                    return -ENOENT;
                *out = v;
                return 0;
            }
        }
        p = end ? end + 1 : NULL;
    }
    return -ENOENT;
}

static int gw_diag_int_from_string(const char *s, const char *enums, int64_t *out)
{
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 0);
    if (*s && !*end && errno == 0) {
        *out = v;
        return 0;
    }
    return enums ? gw_diag_enum_lookup(enums, s, out) : -EINVAL;
}

int gw_diag_value_from_json(gw_type_t type, const char *enums, json_object *in,
                            gw_value_t *out, const char **why)
{
    json_type jt = json_object_get_type(in);
    if (type == GW_TYPE_STRING) {
        if (jt != json_type_string) {
            *why = "this point expects a string";
            return -EINVAL;
        }
        *out = gw_value_string_len(json_object_get_string(in),
                                   (uint32_t)json_object_get_string_len(in));
        return 0;
    }
    if (type == GW_TYPE_FLOAT32) {
        if (jt == json_type_int || jt == json_type_double) {
            *out = gw_value_float(json_object_get_double(in));
            return 0;
        }
        if (jt == json_type_string) {
            const char *s = json_object_get_string(in);
            char *end;
            double d = strtod(s, &end);
            if (*s && !*end) {
                *out = gw_value_float(d);
                return 0;
            }
        }
        *why = "this point expects a number";
        return -EINVAL;
    }
    /* the integer kinds: bool, (u)int16/32, datetime */
    switch (jt) {
    case json_type_boolean:
        *out = gw_value_int(json_object_get_boolean(in) ? 1 : 0);
        return 0;
    case json_type_int:
        *out = gw_value_int(json_object_get_int64(in));
        return 0;
    case json_type_double: {
        double d = json_object_get_double(in);
        if (d == floor(d) && fabs(d) < 9.0e15) {
            *out = gw_value_int((int64_t)d);
            return 0;
        }
        *why = "this point expects an integer";
        return -EINVAL;
    }
    case json_type_string: {
        int64_t v;
        if (gw_diag_int_from_string(json_object_get_string(in), enums, &v) == 0) {
            *out = gw_value_int(v);
            return 0;
        }
        *why = enums ? "not an integer nor one of the point's enumeration labels"
                     : "this point expects an integer";
        return -EINVAL;
    }
    default:
        break;
    }
    *why = "this point expects an integer";
    return -EINVAL;
}
