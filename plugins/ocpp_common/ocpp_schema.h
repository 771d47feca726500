/*
 * ocpp_schema.h - OCPP 1.6 payload validation: the schema tables (generated
 * into ocpp16_schema.c by tools/gen-ocpp16-schema.js) and the validator that
 * walks a json-c payload against them and names the CALLERROR code to answer.
 *
 * Shared by ocpp_cs and ocpp_bridge (libgwocpp.la). Pure functions, any
 * thread.
 */
#ifndef GW_OCPP_SCHEMA_H
#define GW_OCPP_SCHEMA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct json_object;

/** CALLERROR codes of OCPP-J 1.6 (section 4.2.3). GW_OCPP_OK is "no error". */
typedef enum gw_ocpp_error {
    GW_OCPP_OK = 0,
    GW_OCPP_NOT_IMPLEMENTED,          /**< action unknown */
    GW_OCPP_NOT_SUPPORTED,            /**< action known, not supported here */
    GW_OCPP_INTERNAL_ERROR,
    GW_OCPP_PROTOCOL_ERROR,           /**< frame incomplete */
    GW_OCPP_SECURITY_ERROR,
    GW_OCPP_FORMATION_VIOLATION,      /**< not JSON / not the PDU structure */
    GW_OCPP_PROPERTY_CONSTRAINT,      /**< a value is invalid (enum, length, format, extra
                                           field, an integer outside its range) */
    GW_OCPP_OCCURENCE_CONSTRAINT,     /**< a required field is missing, too few items */
    GW_OCPP_TYPE_CONSTRAINT,          /**< a field has the wrong JSON type (5.5 for an integer) */
    GW_OCPP_GENERIC_ERROR,
} gw_ocpp_error_t;

/** The code as it goes on the wire ("FormationViolation", ...). */
const char *gw_ocpp_error_name(gw_ocpp_error_t code);

typedef enum gw_ocpp_kind {
    GW_OCPP_KIND_OBJECT = 1,
    GW_OCPP_KIND_ARRAY,
    GW_OCPP_KIND_STRING,
    GW_OCPP_KIND_INTEGER,
    GW_OCPP_KIND_NUMBER,
    GW_OCPP_KIND_BOOLEAN,
} gw_ocpp_kind_t;

typedef enum gw_ocpp_format {
    GW_OCPP_FORMAT_NONE = 0,
    GW_OCPP_FORMAT_DATETIME,   /**< RFC 3339 date-time */
    GW_OCPP_FORMAT_URI,
} gw_ocpp_format_t;

typedef struct gw_ocpp_node gw_ocpp_node_t;

typedef struct gw_ocpp_prop {
    const char *name;
    const gw_ocpp_node_t *node;
    bool required;
} gw_ocpp_prop_t;

/** One schema node; only the fields of its kind are meaningful. */
struct gw_ocpp_node {
    gw_ocpp_kind_t kind;
    gw_ocpp_format_t format;
    uint32_t max_len;                 /**< STRING: CiString length, 0 = none */
    const char *const *enums;         /**< STRING: NULL-terminated, or NULL */
    const gw_ocpp_prop_t *props;      /**< OBJECT */
    uint32_t n_props;
    bool closed;                      /**< OBJECT: no other properties allowed */
    const gw_ocpp_node_t *items;      /**< ARRAY */
    uint32_t min_items;
    double multiple_of;               /**< NUMBER: 0 = none */
    int64_t minimum, maximum;         /**< INTEGER: inclusive range (OCPP integers are
                                           32-bit; some fields start at 0 or 1) */
};

/** Who sends an action's request. */
typedef enum gw_ocpp_from {
    GW_OCPP_FROM_CP = 1,   /**< charge point -> central system */
    GW_OCPP_FROM_CS = 2,   /**< central system -> charge point */
    GW_OCPP_FROM_BOTH = 3,
} gw_ocpp_from_t;

typedef struct gw_ocpp_action {
    const char *name;
    gw_ocpp_from_t from;
    const gw_ocpp_node_t *req;
    const gw_ocpp_node_t *conf;
} gw_ocpp_action_t;

/** Every action of OCPP 1.6 (with the security extension), sorted by name. */
extern const gw_ocpp_action_t gw_ocpp16_actions[];
extern const size_t gw_ocpp16_n_actions;

/** Find an action by its exact name. @return NULL when unknown. */
const gw_ocpp_action_t *gw_ocpp_action_find(const char *name);

/**
 * Validate a payload against a schema node.
 * @param why   out: a short description of the first violation ("idTag:
 *              longer than 20"), may be NULL
 * @return GW_OCPP_OK or the CALLERROR code to answer with
 */
gw_ocpp_error_t gw_ocpp_validate(const gw_ocpp_node_t *schema, struct json_object *payload,
                                 char *why, size_t why_len);

#endif
