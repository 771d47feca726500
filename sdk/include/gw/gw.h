/*
 * gw/gw.h - the gatewayd plugin SDK, umbrella header.
 *
 * Plugins include this header and nothing from the daemon. Everything a
 * plugin may do goes through the function table it receives at init
 * (gw/host.h); a plugin exports exactly one symbol, its descriptor
 * (gw/plugin.h).
 *
 * ABI rules
 *   - The host loads a plugin when the plugin's GW_ABI_MAJOR equals the
 *     host's and the plugin's GW_ABI_MINOR is not newer than the host's.
 *   - Every public struct carries its size; the host reads a plugin's struct
 *     only up to that size and a plugin reads gw_host_api_t only up to
 *     api->size (GW_API_HAS). Fields are only ever appended.
 *   - Adding a function or an appended field bumps the minor. Changing or
 *     removing anything bumps the major.
 *
 * ABI changelog
 *   1.1  (gatewayd 0.2)
 *        - gw_plugin_desc_t.validate: check the whole configuration without
 *          side effects; run by --check-config and before every init();
 *          gw_host_api_t.config_error_v / gw_config_error(): report
 *          "FILE: [group] key: reason" from validate, init or start.
 *        - points: gw_point_enum_set() and gw_point_range_set() (host table
 *          point_enum_set, point_range_set; gw_point_info_t.enumeration):
 *          an owner declares the values others may write, and
 *          gw_point_write() refuses the rest for every writer.
 *        - gw_host_api_t.config_claim / gw_config_claim(),
 *          gw_config_claim_tcp(): validate() declares the resources its
 *          instance uses exclusively (a TCP port, a serial device, a
 *          charger index or id); the host reports clashes between
 *          instances as configuration errors before any init().
 *   1.0  (gatewayd 0.1) first release: descriptor, config key tables, points
 *        (register, lookup, get, set, quality, attributes, write batches,
 *        subscriptions), events, timers, fd watches, post, logging,
 *        per-instance state directory, plugin listing.
 */
#ifndef GW_GW_H
#define GW_GW_H

/** Major ABI version: a plugin built against another major is refused. */
#define GW_ABI_MAJOR 1
/** Minor ABI version: a plugin built against a newer minor is refused. */
#define GW_ABI_MINOR 1

#include <gw/types.h>
#include <gw/config.h>
#include <gw/plugin.h>
#include <gw/host.h>

#endif
