/* Logging sink shared by the core and every plugin instance. */
#include "config.h"
#include "log.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <syslog.h>
#include <time.h>

static gw_log_level_t threshold = GW_LOG_INFO;
static bool to_syslog;
static bool to_journal;
static gw_log_hook_fn log_hook;
static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;

static const char *const level_names[] = {
    [GW_LOG_ERROR] = "error", [GW_LOG_WARNING] = "warning", [GW_LOG_NOTICE] = "notice",
    [GW_LOG_INFO] = "info", [GW_LOG_DEBUG] = "debug",
};

/* systemd sets JOURNAL_STREAM=DEV:INODE when it connects stderr to the
 * journal; compare with our stderr so that a child whose stderr was
 * redirected elsewhere does not inherit the choice. */
bool gw_log_stderr_is_journal(void)
{
    const char *js = getenv("JOURNAL_STREAM");
    unsigned long long dev, ino;
    struct stat st;
    if (!js || sscanf(js, "%llu:%llu", &dev, &ino) != 2 || fstat(2, &st) < 0)
        return false;
    return (unsigned long long)st.st_dev == dev && (unsigned long long)st.st_ino == ino;
}

void gw_log_setup(gw_log_level_t level, bool use_syslog)
{
    threshold = level;
    to_journal = gw_log_stderr_is_journal();
    if (use_syslog && !to_syslog)
        openlog("gatewayd", LOG_PID, LOG_DAEMON);
    to_syslog = use_syslog;
}

void gw_log_set_hook(gw_log_hook_fn hook)
{
    log_hook = hook;
}

int gw_log_level_parse(const char *text, gw_log_level_t *out)
{
    for (int l = GW_LOG_ERROR; l <= GW_LOG_DEBUG; l++) {
        if (strcasecmp(text, level_names[l]) == 0) {
            *out = (gw_log_level_t)l;
            return 0;
        }
    }
    if (strcasecmp(text, "warn") == 0) {
        *out = GW_LOG_WARNING;
        return 0;
    }
    if (text[0] >= '3' && text[0] <= '7' && text[1] == '\0') {
        *out = (gw_log_level_t)(text[0] - '0');
        return 0;
    }
    return -EINVAL;
}

void gw_log_writev(const char *who, gw_log_level_t level, const char *fmt, va_list ap)
{
    if (level > threshold)
        return;
    if (level < GW_LOG_ERROR)
        level = GW_LOG_ERROR;
    char msg[2048];
    vsnprintf(msg, sizeof msg, fmt, ap);

    /* One line per call even when several threads log at once. */
    pthread_mutex_lock(&log_lock);
    if (to_syslog) {
        syslog((int)level, "[%s] %s", who, msg);
    } else if (to_journal) {
        /* "<N>" is sd-daemon(3)'s priority prefix (our levels are syslog's);
         * the journal stamps the line itself. */
        fprintf(stderr, "<%d>[%s] %s\n", (int)level, who, msg);
    } else {
        struct timespec ts;
        struct tm tm;
        char stamp[32];
        clock_gettime(CLOCK_REALTIME, &ts);
        gmtime_r(&ts.tv_sec, &tm);
        strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &tm);
        fprintf(stderr, "%s.%03ldZ %-7s [%s] %s\n", stamp, ts.tv_nsec / 1000000L,
                level_names[level], who, msg);
    }
    pthread_mutex_unlock(&log_lock);
    if (log_hook)
        log_hook(who, level, msg);
}

void gw_log_write(const char *who, gw_log_level_t level, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    gw_log_writev(who, level, fmt, ap);
    va_end(ap);
}
