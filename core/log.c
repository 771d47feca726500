/*
 * Logging sink shared by the core and every plugin instance.
 *
 * A caller formats its line and, once gw_log_start() ran, hands it to a
 * bounded queue that one writer thread drains with blocking writes to
 * stderr (or syslog). Whoever reads stderr may stop reading (a busy parent,
 * a stuck journald, a terminal paused with Ctrl-S): then the writer blocks,
 * never the loop or a service thread. When the queue is full the line is
 * dropped and counted; the writer reports the count in one warning line
 * where the gap is, so the order is kept. Before gw_log_start() and after
 * gw_log_stop() lines are written directly, as configuration errors must
 * be printed even when no thread was ever started.
 */
#include "config.h"
#include "log.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

static gw_log_level_t threshold = GW_LOG_INFO;
static bool to_syslog;
static bool to_journal;
static gw_log_hook_fn log_hook;

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

/* One formatted line on its way to its sink. */
typedef struct gw_log_entry {
    struct gw_log_entry *next;
    unsigned long dropped_before; /* lines dropped just before this one */
    int prio;                     /* syslog priority, or -1: stderr */
    size_t len;
    char text[];                  /* stderr: ends in '\n'; syslog: no newline */
} gw_log_entry_t;

static struct {
    pthread_mutex_t lock;
    pthread_cond_t wake; /* the writer: a line, a drop count or stop */
    pthread_cond_t idle; /* gw_log_stop(): nothing left to write */
    pthread_t thread;
    bool running;        /* lines go through the queue */
    bool stopping;
    bool writing;        /* the writer holds a line outside the lock */
    gw_log_entry_t *head, *tail;
    size_t bytes, limit;
    unsigned long dropped; /* since the last line queued */
} q = {
    .lock = PTHREAD_MUTEX_INITIALIZER,
    .wake = PTHREAD_COND_INITIALIZER,
    .idle = PTHREAD_COND_INITIALIZER,
};
static atomic_ulong dropped_total;

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

/* ------------------------------------------------------------ formatting */

/*
 * The text of one line for its sink: for stderr "TIME LEVEL [who] msg\n",
 * for syslog "[who] msg" (syslog adds time and priority). Formatting only,
 * no I/O: the time is the caller's, whenever the line is written.
 * @return an entry to free, or NULL (out of memory)
 */
static gw_log_entry_t *gw_log_format(const char *who, gw_log_level_t level, const char *msg,
                                     bool for_syslog)
{
    char line[2400];
    int n;
    if (for_syslog) {
        n = snprintf(line, sizeof line, "[%s] %s", who, msg);
    } else if (to_journal) {
        /* "<N>" is sd-daemon(3)'s priority prefix (our levels are syslog's);
         * the journal stamps the line itself. */
        n = snprintf(line, sizeof line, "<%d>[%s] %s\n", (int)level, who, msg);
    } else {
        struct timespec ts;
        struct tm tm;
        char stamp[32];
        clock_gettime(CLOCK_REALTIME, &ts);
        gmtime_r(&ts.tv_sec, &tm);
        strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &tm);
        n = snprintf(line, sizeof line, "%s.%03ldZ %-7s [%s] %s\n", stamp,
                     ts.tv_nsec / 1000000L, level_names[level], who, msg);
    }
    if (n < 0)
        return NULL;
    size_t len = (size_t)n < sizeof line ? (size_t)n : sizeof line - 1;
    if (!for_syslog && (size_t)n >= sizeof line)
        line[len - 1] = '\n'; /* truncated: still one line */
    gw_log_entry_t *e = malloc(sizeof *e + len + 1);
    if (!e)
        return NULL;
    e->next = NULL;
    e->dropped_before = 0;
    e->prio = for_syslog ? (int)level : -1;
    e->len = len;
    memcpy(e->text, line, len + 1);
    e->text[len] = '\0';
    return e;
}

/* --------------------------------------------------------------- writing */

/* All of buf to fd, blocking (that is the writer thread's job). */
static void gw_log_write_fd(int fd, const char *buf, size_t len)
{
    while (len) {
        ssize_t n = write(fd, buf, len);
        if (n > 0) {
            buf += n;
            len -= (size_t)n;
        } else if (n < 0 && errno == EAGAIN) {
            struct pollfd p = { .fd = fd, .events = POLLOUT }; /* stderr set non-blocking */
            poll(&p, 1, -1);
        } else if (!(n < 0 && errno == EINTR)) {
            return; /* closed or broken: nothing better to do with the line */
        }
    }
}

static void gw_log_emit(const gw_log_entry_t *e)
{
    if (e->prio >= 0)
        syslog(e->prio, "%s", e->text);
    else
        gw_log_write_fd(STDERR_FILENO, e->text, e->len);
}

/* The count of lines dropped, as a warning of the core in the lines' sink
 * (whatever the threshold: the lines were lost). */
static void gw_log_emit_dropped(unsigned long n)
{
    char msg[96];
    snprintf(msg, sizeof msg, "%lu log lines dropped (%s not draining)", n,
             to_syslog ? "syslog" : "stderr");
    gw_log_entry_t *e = gw_log_format("gatewayd", GW_LOG_WARNING, msg, to_syslog);
    if (e)
        gw_log_emit(e);
    free(e);
}

static size_t gw_log_cost(const gw_log_entry_t *e)
{
    return sizeof *e + e->len + 1;
}

static void *gw_log_writer(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&q.lock);
    for (;;) {
        if (q.head) {
            gw_log_entry_t *e = q.head;
            q.head = e->next;
            if (!q.head)
                q.tail = NULL;
            q.writing = true;
            pthread_mutex_unlock(&q.lock);
            if (e->dropped_before)
                gw_log_emit_dropped(e->dropped_before);
            gw_log_emit(e);
            size_t cost = gw_log_cost(e);
            free(e);
            pthread_mutex_lock(&q.lock);
            q.bytes -= cost; /* room only once written: the bound holds */
            q.writing = false;
        } else if (q.dropped) {
            /* dropped after the last line queued, and nothing since */
            unsigned long n = q.dropped;
            q.dropped = 0;
            q.writing = true;
            pthread_mutex_unlock(&q.lock);
            gw_log_emit_dropped(n);
            pthread_mutex_lock(&q.lock);
            q.writing = false;
        } else if (q.stopping) {
            break;
        } else {
            pthread_cond_broadcast(&q.idle);
            pthread_cond_wait(&q.wake, &q.lock);
        }
    }
    pthread_cond_broadcast(&q.idle);
    pthread_mutex_unlock(&q.lock);
    return NULL;
}

int gw_log_start(size_t queue_bytes)
{
    pthread_mutex_lock(&q.lock);
    if (q.running) {
        pthread_mutex_unlock(&q.lock);
        return -EALREADY;
    }
    q.limit = queue_bytes ? queue_bytes : GW_LOG_QUEUE_BYTES;
    q.stopping = false;
    /* Signals go to the other threads (the loop handles them). */
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    int rc = pthread_create(&q.thread, NULL, gw_log_writer, NULL);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    q.running = rc == 0;
    pthread_mutex_unlock(&q.lock);
    return -rc;
}

int gw_log_stop(unsigned timeout_ms)
{
    pthread_mutex_lock(&q.lock);
    if (!q.running || q.stopping) { /* not started, or an earlier stop timed out */
        int rc = q.running ? -ETIMEDOUT : 0;
        pthread_mutex_unlock(&q.lock);
        return rc;
    }
    q.stopping = true;
    pthread_cond_signal(&q.wake);
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += timeout_ms / 1000;
    until.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
    if (until.tv_nsec >= 1000000000L) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000L;
    }
    int rc = 0;
    while ((q.head || q.dropped || q.writing) && rc != ETIMEDOUT)
        rc = pthread_cond_timedwait(&q.idle, &q.lock, &until);
    if (q.head || q.dropped || q.writing) {
        /* The writer is blocked on a sink that does not drain: leave it
         * (and what is queued) to the exit rather than wait for ever. */
        pthread_mutex_unlock(&q.lock);
        pthread_detach(q.thread);
        return -ETIMEDOUT;
    }
    pthread_mutex_unlock(&q.lock);
    pthread_join(q.thread, NULL);
    pthread_mutex_lock(&q.lock);
    q.running = false;
    q.stopping = false;
    pthread_mutex_unlock(&q.lock);
    return 0;
}

unsigned long gw_log_dropped(void)
{
    return atomic_load(&dropped_total);
}

/* Queue e, or write it now when there is no writer thread. Takes e. */
static void gw_log_submit(gw_log_entry_t *e)
{
    pthread_mutex_lock(&q.lock);
    if (!q.running) {
        /* Direct; under the lock: one line per call even across threads. */
        gw_log_emit(e);
        pthread_mutex_unlock(&q.lock);
        free(e);
        return;
    }
    size_t cost = gw_log_cost(e);
    if (q.bytes + cost > q.limit) {
        q.dropped++;
        atomic_fetch_add(&dropped_total, 1);
        pthread_mutex_unlock(&q.lock);
        free(e);
        return;
    }
    e->dropped_before = q.dropped;
    q.dropped = 0;
    if (q.tail)
        q.tail->next = e;
    else
        q.head = e;
    q.tail = e;
    q.bytes += cost;
    pthread_cond_signal(&q.wake);
    pthread_mutex_unlock(&q.lock);
}

void gw_log_print(const char *text)
{
    size_t len = strlen(text);
    gw_log_entry_t *e = malloc(sizeof *e + len + 2);
    if (!e)
        return;
    e->next = NULL;
    e->dropped_before = 0;
    e->prio = -1;
    e->len = len + 1;
    memcpy(e->text, text, len);
    e->text[len] = '\n';
    e->text[len + 1] = '\0';
    gw_log_submit(e);
}

void gw_log_writev(const char *who, gw_log_level_t level, const char *fmt, va_list ap)
{
    if (level > threshold)
        return;
    if (level < GW_LOG_ERROR)
        level = GW_LOG_ERROR;
    char msg[2048];
    vsnprintf(msg, sizeof msg, fmt, ap);
    gw_log_entry_t *e = gw_log_format(who, level, msg, to_syslog);
    if (e)
        gw_log_submit(e);
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
