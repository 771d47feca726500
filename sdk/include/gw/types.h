/*
 * gw/types.h - handles, values and enumerations shared by the whole SDK.
 *
 * Errors: every SDK function that can fail returns 0 (or a non-negative id)
 * on success and a negative errno value on failure. Nothing else.
 */
#ifndef GW_TYPES_H
#define GW_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** One plugin instance as the host sees it. Opaque except for its first
 *  field, the host's function table, which the inline wrappers of gw/host.h
 *  read. */
typedef struct gw_ctx gw_ctx_t;

/** A point handle: a dense index >= 0, valid for the life of the daemon.
 *  Negative values are errors. */
typedef int32_t gw_point_id_t;

/** Subscription, timer and watch handles: > 0 when valid, negative errno on
 *  failure. */
typedef int64_t gw_sub_id_t;
typedef int64_t gw_timer_id_t;
typedef int64_t gw_watch_id_t;

/** Point types. The type fixes which values a point accepts. */
typedef enum gw_type {
    GW_TYPE_BOOL = 1,  /**< 0 or 1, held as GW_VALUE_INT */
    GW_TYPE_INT16,     /**< -32768..32767, GW_VALUE_INT */
    GW_TYPE_UINT16,    /**< 0..65535, GW_VALUE_INT */
    GW_TYPE_INT32,     /**< GW_VALUE_INT */
    GW_TYPE_UINT32,    /**< GW_VALUE_INT */
    GW_TYPE_FLOAT32,   /**< GW_VALUE_FLOAT, stored with float precision;
                            GW_VALUE_INT is converted */
    GW_TYPE_STRING,    /**< GW_VALUE_STRING of at most max_len bytes */
    GW_TYPE_DATETIME,  /**< Unix epoch seconds, GW_VALUE_INT */
} gw_type_t;

/** Access from the outside world's view (a BMS, the viewer). The owner may
 *  always set its own points. */
typedef enum gw_access {
    GW_ACCESS_R = 1,   /**< read only: writes are refused with -EACCES */
    GW_ACCESS_W = 2,   /**< written by the outside world */
    GW_ACCESS_RW = 3,
} gw_access_t;

/** Quality of a point's value. */
typedef enum gw_quality {
    GW_QUALITY_UNINIT = 0,     /**< never set since registration */
    GW_QUALITY_GOOD = 1,
    GW_QUALITY_COMM_ERROR = 2, /**< last value kept, source unreachable */
} gw_quality_t;

/** The kind of data a gw_value_t holds. */
typedef enum gw_value_kind {
    GW_VALUE_NONE = 0,
    GW_VALUE_INT,
    GW_VALUE_FLOAT,
    GW_VALUE_STRING,
} gw_value_kind_t;

/** A value in flight. Strings are borrowed: the pointer is valid for the
 *  duration of the call that hands it over (the host copies what it keeps;
 *  copy what you keep). Strings need not be NUL-terminated: len counts. */
typedef struct gw_value {
    gw_value_kind_t kind;
    uint32_t len;              /**< GW_VALUE_STRING: length in bytes */
    union {
        int64_t i;
        double f;
        const char *s;
    } u;
} gw_value_t;

/** Build an integer value (also for bool and datetime points). */
static inline gw_value_t gw_value_int(int64_t i)
{
    gw_value_t v = { GW_VALUE_INT, 0, { 0 } };
    v.u.i = i;
    return v;
}

/** Build a floating-point value. */
static inline gw_value_t gw_value_float(double f)
{
    gw_value_t v = { GW_VALUE_FLOAT, 0, { 0 } };
    v.u.f = f;
    return v;
}

/** Build a string value from a NUL-terminated string (borrowed). */
static inline gw_value_t gw_value_string(const char *s)
{
    gw_value_t v = { GW_VALUE_STRING, 0, { 0 } };
    size_t n = 0;
    while (s && s[n])
        n++;
    v.len = (uint32_t)n;
    v.u.s = s ? s : "";
    return v;
}

/** Build a string value from a buffer and its length (borrowed). */
static inline gw_value_t gw_value_string_len(const char *s, uint32_t len)
{
    gw_value_t v = { GW_VALUE_STRING, len, { 0 } };
    v.u.s = s;
    return v;
}

/** Log levels, numerically equal to syslog's. */
typedef enum gw_log_level {
    GW_LOG_ERROR = 3,
    GW_LOG_WARNING = 4,
    GW_LOG_NOTICE = 5,
    GW_LOG_INFO = 6,
    GW_LOG_DEBUG = 7,
} gw_log_level_t;

#ifdef __cplusplus
}
#endif

#endif
