/*
 * ocpp_time.h - OCPP timestamps: RFC 3339 date-times in and out.
 *
 * Received timestamps may carry fractions and any UTC offset; sent ones are
 * always UTC with a 'Z' and milliseconds, as OCPP-J asks.
 */
#ifndef GW_OCPP_TIME_H
#define GW_OCPP_TIME_H

#include <stddef.h>
#include <stdint.h>

/** Parse "2024-05-01T12:00:00.123+02:00" into Unix milliseconds.
 *  @return 0, or -EINVAL for anything that is not an RFC 3339 date-time */
int gw_ocpp_time_parse(const char *text, int64_t *unix_ms);

/** Format Unix milliseconds as "2024-05-01T10:00:00.123Z".
 *  @param buf at least GW_OCPP_TIME_LEN bytes */
#define GW_OCPP_TIME_LEN 32
void gw_ocpp_time_format(int64_t unix_ms, char *buf, size_t len);

#endif
