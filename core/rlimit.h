/*
 * rlimit.h - process limits the daemon sets for itself at start-up.
 */
#ifndef GW_CORE_RLIMIT_H
#define GW_CORE_RLIMIT_H

/**
 * Raise the soft limit on open files (RLIMIT_NOFILE) to want, or to the
 * hard limit when that is lower; never lower it. Debian starts users'
 * processes at a soft limit of 1,024, and every charger holds a socket
 * (two through ocpp_bridge): 1,000 chargers need more.
 * @return the soft limit now in force, or -errno
 */
long gw_rlimit_raise_files(long want);

#endif
