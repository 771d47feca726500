/* Logging: stderr in the foreground, syslog optional. Thread-safe; once
 * gw_log_start() ran, a caller never blocks on a sink that does not drain. */
#ifndef GW_CORE_LOG_H
#define GW_CORE_LOG_H

#include <stdarg.h>
#include <stdbool.h>
#include <gw/types.h>

/** Set the threshold and the sink. Not thread-safe: call before threads.
 *  When stderr is the journal (JOURNAL_STREAM names it), lines carry an
 *  sd-daemon "<N>" priority prefix instead of a time stamp and level. */
void gw_log_setup(gw_log_level_t level, bool use_syslog);
/** Whether stderr is the journal's stream (JOURNAL_STREAM names it). */
bool gw_log_stderr_is_journal(void);
/** Parse "error|warning|notice|info|debug" or 3..7. @return 0 or -EINVAL. */
int gw_log_level_parse(const char *text, gw_log_level_t *out);
/** Install a hook that sees every emitted line (the host turns them into
 *  "log" events on the loop thread). */
typedef void (*gw_log_hook_fn)(const char *who, gw_log_level_t level, const char *msg);
void gw_log_set_hook(gw_log_hook_fn hook);

/** The queue's default bound: lines beyond it are dropped (and counted). */
#define GW_LOG_QUEUE_BYTES (1024 * 1024)
/**
 * From now on lines are queued (at most queue_bytes, 0: GW_LOG_QUEUE_BYTES)
 * and written by a thread of their own. Before, they are written directly.
 * @return 0, -EALREADY or a negative errno (lines stay direct)
 */
int gw_log_start(size_t queue_bytes);
/**
 * Write what is queued (waiting at most timeout_ms) and end the thread;
 * later lines are direct again. No-op when not started.
 * @return 0, or -ETIMEDOUT: the sink did not drain; the thread is left
 *         blocked in its write and lines keep being queued
 */
int gw_log_stop(unsigned timeout_ms);
/** Lines dropped on a full queue since the process started. */
unsigned long gw_log_dropped(void);
/** A line as it is (no time, level or source; a newline added), to
 *  stderr in order with the log lines: the daemon's plain messages. */
void gw_log_print(const char *text);

void gw_log_writev(const char *who, gw_log_level_t level, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));
void gw_log_write(const char *who, gw_log_level_t level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#define gw_core_error(...) gw_log_write("gatewayd", GW_LOG_ERROR, __VA_ARGS__)
#define gw_core_warn(...)  gw_log_write("gatewayd", GW_LOG_WARNING, __VA_ARGS__)
#define gw_core_info(...)  gw_log_write("gatewayd", GW_LOG_INFO, __VA_ARGS__)
#define gw_core_debug(...) gw_log_write("gatewayd", GW_LOG_DEBUG, __VA_ARGS__)

#endif
