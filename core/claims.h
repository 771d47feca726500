/* Exclusive resources that plugin instances declare from validate()
 * (gw_config_claim): a listening address, a serial device, a charger index.
 * One instance cannot see another's configuration, so the host compares
 * the claims of all instances and reports each clash as a configuration
 * error, before any init() runs. */
#ifndef GW_CORE_CLAIMS_H
#define GW_CORE_CLAIMS_H

#include <stdbool.h>

typedef struct gw_claims gw_claims_t;

gw_claims_t *gw_claims_new(void);
void gw_claims_free(gw_claims_t *claims);

/**
 * Record that instance `owner` (its configuration group), through `key`,
 * uses `value` of resource `kind` exclusively.
 * @return 0, or -EINVAL: kind not [a-z0-9-]+, value empty or holding a
 *         control character
 */
int gw_claims_add(gw_claims_t *claims, const char *owner, const char *key, const char *kind,
                  const char *value);

/** Do two values of one kind name the same resource? "tcp" values are
 *  ADDRESS:PORT ([ADDRESS]:PORT for IPv6): port 0 never overlaps, a
 *  wildcard address overlaps the others of its port; other kinds are equal
 *  text. */
bool gw_claims_overlap(const char *kind, const char *a, const char *b);

/** A clash, worded for "FILE: [owner] key: reason". */
typedef void (*gw_claims_report_fn)(void *user, const char *owner, const char *key,
                                    const char *reason);

/**
 * Compare every claim with those of other instances made before it
 * (configuration order): the later instance's key is reported, naming the
 * earlier group and key. Claims of one instance, key and kind that clash
 * with the same earlier group and key share one line.
 * @return the number of lines reported
 */
unsigned gw_claims_check(gw_claims_t *claims, gw_claims_report_fn report, void *user);

#endif
