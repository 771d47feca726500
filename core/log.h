/* Logging: stderr in the foreground, syslog optional. Thread-safe. */
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

void gw_log_writev(const char *who, gw_log_level_t level, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));
void gw_log_write(const char *who, gw_log_level_t level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#define gw_core_error(...) gw_log_write("gatewayd", GW_LOG_ERROR, __VA_ARGS__)
#define gw_core_warn(...)  gw_log_write("gatewayd", GW_LOG_WARNING, __VA_ARGS__)
#define gw_core_info(...)  gw_log_write("gatewayd", GW_LOG_INFO, __VA_ARGS__)
#define gw_core_debug(...) gw_log_write("gatewayd", GW_LOG_DEBUG, __VA_ARGS__)

#endif
