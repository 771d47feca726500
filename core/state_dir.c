/* The state directory at start-up: checked, created, locked. */
#include "config.h"
#include "state_dir.h"
#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#define GW_STATE_LOCK_FILE "gatewayd.lock"

struct gw_state_lock {
    int fd;
};

/* Why dir cannot be used, or NULL when it can (g_free the text). A missing
 * directory is fine when its nearest existing ancestor is a writable
 * directory: start-up creates it. */
static char *state_dir_problem(const char *dir)
{
    struct stat st;
    if (stat(dir, &st) == 0) {
        if (!S_ISDIR(st.st_mode))
            return g_strdup_printf("%s is not a directory", dir);
        /* access() reports a read-only mount (EROFS) even to root */
        if (access(dir, W_OK | X_OK) != 0)
            return g_strdup_printf("%s: %s", dir, g_strerror(errno));
        return NULL;
    }
    if (errno != ENOENT && errno != ENOTDIR)
        return g_strdup_printf("%s: %s", dir, g_strerror(errno));
    char *up = g_path_get_dirname(dir);
    char *why = NULL;
    while (stat(up, &st) != 0 && (errno == ENOENT || errno == ENOTDIR) && strcmp(up, "/") != 0 &&
           strcmp(up, ".") != 0) {
        char *next = g_path_get_dirname(up);
        g_free(up);
        up = next;
    }
    if (stat(up, &st) != 0)
        why = g_strdup_printf("cannot create %s: %s: %s", dir, up, g_strerror(errno));
    else if (!S_ISDIR(st.st_mode))
        why = g_strdup_printf("cannot create %s: %s is not a directory", dir, up);
    else if (access(up, W_OK | X_OK) != 0)
        why = g_strdup_printf("cannot create %s: %s: %s", dir, up, g_strerror(errno));
    g_free(up);
    return why;
}

void gw_state_dir_check(gw_host_t *host, GPtrArray *errors)
{
    if (!host->state_root)
        return; /* persistence off */
    char *why = state_dir_problem(host->state_root);
    if (why)
        gw_conf_error(host->conf, errors, "core", "state_dir", "%s", why);
    g_free(why);
}

/* The pid written by the daemon holding the lock, or 0. */
static long state_lock_owner(int fd)
{
    char buf[32] = "";
    ssize_t n = pread(fd, buf, sizeof buf - 1, 0);
    return n > 0 ? strtol(buf, NULL, 10) : 0;
}

int gw_state_lock_take(gw_host_t *host, gw_state_lock_t **lock, GPtrArray *errors)
{
    *lock = NULL;
    if (!host->state_root) {
        gw_core_warn("[core] persistence is off: nothing is kept across a restart (open "
                     "transactions, local lists, transaction ids)");
        return 0;
    }
    const char *dir = host->state_root;
    if (g_mkdir_with_parents(dir, 0700) != 0) {
        int e = errno;
        gw_conf_error(host->conf, errors, "core", "state_dir", "cannot create %s: %s", dir,
                      g_strerror(e));
        return -e;
    }
    char *path = g_build_filename(dir, GW_STATE_LOCK_FILE, NULL);
    /* The lock is held on a read-only descriptor: a file open for writing
     * would keep the file system from being remounted read-only. */
    int fd = open(path, O_RDONLY | O_CREAT | O_CLOEXEC, 0644);
    int rc = 0;
    if (fd < 0) {
        rc = -errno;
        gw_conf_error(host->conf, errors, "core", "state_dir", "%s: %s", path, g_strerror(-rc));
    } else if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
        rc = -errno;
        if (rc == -EWOULDBLOCK) {
            long pid = state_lock_owner(fd);
            gw_conf_error(host->conf, errors, "core", "state_dir",
                          "%s is in use by gatewayd pid %ld (lock %s); one daemon per state "
                          "directory", dir, pid, path);
        } else {
            gw_conf_error(host->conf, errors, "core", "state_dir", "cannot lock %s: %s", path,
                          g_strerror(-rc));
        }
    } else {
        /* The pid for the next one's message; writing it also proves the
         * directory takes data (a full disk fails here, not at the first
         * transaction). */
        char pid[32];
        int len = snprintf(pid, sizeof pid, "%ld\n", (long)getpid());
        int wfd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
        errno = 0; /* a short write sets none */
        if (wfd < 0 || write(wfd, pid, (size_t)len) != len || fsync(wfd) != 0) {
            rc = errno ? -errno : -EIO;
            gw_conf_error(host->conf, errors, "core", "state_dir", "cannot write %s: %s", path,
                          g_strerror(-rc));
        }
        if (wfd >= 0 && close(wfd) != 0 && rc == 0) {
            rc = -errno;
            gw_conf_error(host->conf, errors, "core", "state_dir", "cannot write %s: %s", path,
                          g_strerror(-rc));
        }
    }
    g_free(path);
    if (rc < 0) {
        if (fd >= 0)
            close(fd);
        return rc;
    }
    *lock = g_new0(gw_state_lock_t, 1);
    (*lock)->fd = fd;
    return 0;
}

void gw_state_lock_release(gw_state_lock_t *lock)
{
    if (!lock)
        return;
    close(lock->fd); /* drops the flock */
    g_free(lock);
}
