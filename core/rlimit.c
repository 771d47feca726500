/*
 * rlimit.c - the open-file limit (see rlimit.h). Raising it is safe here:
 * nothing in gatewayd uses select(), whose fd_set stops at 1,024.
 */
#include <errno.h>
#include <sys/resource.h>
#include "rlimit.h"

long gw_rlimit_raise_files(long want)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
        return -errno;
    if (want <= 0 || (rlim_t)want <= rl.rlim_cur)
        return (long)rl.rlim_cur;
    rlim_t target = (rlim_t)want;
    if (rl.rlim_max != RLIM_INFINITY && target > rl.rlim_max)
        target = rl.rlim_max;
    if (target <= rl.rlim_cur)
        return (long)rl.rlim_cur;
    rl.rlim_cur = target;
    if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
        return -errno;
    return (long)target;
}
