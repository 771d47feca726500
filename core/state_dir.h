/*
 * state_dir.h - the state directory ([core] state_dir) as start-up sees it:
 * usable or not, and held by one daemon at a time.
 *
 * What gatewayd confirms to a peer lives there (DESIGN §3 "Durability"), so
 * a directory it cannot write stops start-up instead of turning every
 * later confirmation into a lie; [core] persistence = false is the
 * explicit way to run without one.
 */
#ifndef GW_CORE_STATE_DIR_H
#define GW_CORE_STATE_DIR_H

#include <glib.h>
#include "host.h"

typedef struct gw_state_lock gw_state_lock_t;

/**
 * Can the state root be created (if missing) and written? Changes nothing,
 * so --check-config and start-up can both run it. A problem is appended to
 * errors as "FILE: [core] state_dir: reason". Nothing to check when
 * persistence is off.
 */
void gw_state_dir_check(gw_host_t *host, GPtrArray *errors);

/**
 * Create the state root and take its lock (an flock on gatewayd.lock,
 * holding the owner's pid), so that a second daemon on the same directory
 * refuses to start instead of overwriting the first one's state. The
 * kernel drops the lock when the process ends, SIGKILL included.
 * @param lock out: to release at exit; NULL when persistence is off
 * @return 0, or -errno with "FILE: [core] state_dir: reason" in errors
 */
int gw_state_lock_take(gw_host_t *host, gw_state_lock_t **lock, GPtrArray *errors);

/** Release and free (NULL is fine). The file stays: removing it would race
 *  with a daemon that is starting. */
void gw_state_lock_release(gw_state_lock_t *lock);

#endif
