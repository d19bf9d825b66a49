/* log.h: the daemon's log, to stderr or to syslog (-S). */
#ifndef UCHAT_LOG_H
#define UCHAT_LOG_H

/* Sends later messages to syslog (facility daemon) as ident instead of stderr. */
void log_use_syslog(const char *ident);
/* Sets the program name that prefixes stderr messages. */
void log_set_name(const char *name);

void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Start-up only (top tier of errors): prints "NAME: message" and exits with status. */
void log_die(int status, const char *fmt, ...) __attribute__((format(printf, 2, 3), noreturn));

#endif
