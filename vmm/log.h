/* SPDX-License-Identifier: MIT */
/* Console logging with levels; one line per call, whole lines even with several CPUs. */
#ifndef VMM_LOG_H
#define VMM_LOG_H

enum log_level {
	LOG_ERR = 0,
	LOG_WARN = 1,
	LOG_INFO = 2,
	LOG_DEBUG = 3,
};

extern enum log_level log_threshold;

void log_printf(enum log_level lvl, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Writes a raw line with no level filtering (test evidence, dumps). */
void log_raw(const char *line);
int log_level_parse(const char *s, enum log_level *out) __attribute__((warn_unused_result));

#define pr_err(...)	log_printf(LOG_ERR, __VA_ARGS__)
#define pr_warn(...)	log_printf(LOG_WARN, __VA_ARGS__)
#define pr_info(...)	log_printf(LOG_INFO, __VA_ARGS__)
#define pr_debug(...)	log_printf(LOG_DEBUG, __VA_ARGS__)

#endif
