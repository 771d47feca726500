/*
 * conf_file.c - files named by configuration values are read only when
 * they are regular files of bounded size: a typo pointing at /dev/zero, a
 * directory or a FIFO must give a clear error, not hang or eat memory.
 */
#include <errno.h>
#include <fcntl.h>
#include <glib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "conf_check.h"

/* Say what path is when it is not a regular file. */
static const char *conf_file_kind(mode_t mode)
{
    if (S_ISDIR(mode))
        return "a directory";
    if (S_ISCHR(mode))
        return "a character device";
    if (S_ISBLK(mode))
        return "a block device";
    if (S_ISFIFO(mode))
        return "a FIFO";
    if (S_ISSOCK(mode))
        return "a socket";
    return "not a regular file";
}

static int conf_file_stat_ok(const char *path, const struct stat *st, size_t max, char **why)
{
    if (!S_ISREG(st->st_mode)) {
        *why = g_strdup_printf("%s: %s, not a regular file", path, conf_file_kind(st->st_mode));
        return -EINVAL;
    }
    if ((unsigned long long)st->st_size > max) {
        *why = g_strdup_printf("%s: %lld bytes, more than the %zu allowed", path,
                               (long long)st->st_size, max);
        return -EFBIG;
    }
    return 0;
}

int gw_conf_file_check(const char *path, size_t max, char **why)
{
    struct stat st;
    if (!path || !*path) {
        *why = g_strdup("no file named");
        return -EINVAL;
    }
    if (stat(path, &st) < 0) {
        int e = errno;
        *why = g_strdup_printf("%s: %s", path, g_strerror(e));
        return -e;
    }
    int rc = conf_file_stat_ok(path, &st, max, why);
    if (rc == 0 && access(path, R_OK) < 0) {
        rc = -errno;
        *why = g_strdup_printf("%s: %s", path, g_strerror(-rc));
    }
    return rc;
}

int gw_conf_file_read(const char *path, size_t max, char **text, size_t *len, char **why)
{
    struct stat st;
    *text = NULL;
    if (!path || !*path) {
        *why = g_strdup("no file named");
        return -EINVAL;
    }
    /* O_NONBLOCK: opening a FIFO must not wait for a writer */
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
    if (fd < 0) {
        int e = errno;
        *why = g_strdup_printf("%s: %s", path, g_strerror(e));
        return -e;
    }
    int rc = fstat(fd, &st) < 0 ? -errno : 0;
    if (rc < 0)
        *why = g_strdup_printf("%s: %s", path, g_strerror(-rc));
    else
        rc = conf_file_stat_ok(path, &st, max, why);
    /* read up to max + 1: a file that grew past the cap since fstat is refused too */
    size_t cap = rc == 0 ? (size_t)st.st_size + 1 : 0, n = 0;
    char *buf = rc == 0 ? g_malloc(cap + 1) : NULL;
    while (rc == 0) {
        ssize_t r = read(fd, buf + n, cap - n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            rc = -errno;
            *why = g_strdup_printf("%s: %s", path, g_strerror(-rc));
        } else if (r == 0) {
            break;
        } else if ((n += (size_t)r) == cap) {
            if (cap > max) {
                rc = -EFBIG;
                *why = g_strdup_printf("%s: more than the %zu bytes allowed", path, max);
            } else {
                cap = MIN(cap * 2, max + 1); /* it grew: follow it up to the cap */
                buf = g_realloc(buf, cap + 1);
            }
        }
    }
    close(fd);
    if (rc < 0) {
        g_free(buf);
        return rc;
    }
    buf[n] = '\0';
    *text = buf;
    if (len)
        *len = n;
    return 0;
}
