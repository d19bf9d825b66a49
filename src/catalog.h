/* catalog.h: the room's notices in English or Chinese (-L en|zh). */
#ifndef UCHAT_CATALOG_H
#define UCHAT_CATALOG_H
#include <stddef.h>

enum catalog_lang { CATALOG_EN, CATALOG_ZH };

/* Why a member left; CATALOG_QUIT is the member's own /quit. */
enum catalog_reason { CATALOG_QUIT, CATALOG_TIMEOUT, CATALOG_UNREACHABLE, CATALOG_KICKED };

struct catalog {
	const char *joined;   /* NAME + joined */
	const char *left;     /* NAME + left */
	const char *reason_open, *reason_close; /* around a reason */
	const char *reasons[4];                 /* indexed by enum catalog_reason */
	const char *admin;    /* prefix of an announcement */
	const char *renamed;  /* between OLD and NEW */
	const char *private_; /* prefix of a private message, before NAME */
	const char *shutdown; /* announcement text when the server stops */
};

/* Parses "en" or "zh". Returns 0 and sets *lang, or -1. */
int catalog_lang_parse(const char *s, enum catalog_lang *lang);

/* Returns the notices of a language (static, never NULL). */
const struct catalog *catalog_get(enum catalog_lang lang);

/* Returns 1 if the line s[0..len) starts with the announcement prefix of
 * either language ("[admin] ", "管理员:"), else 0. No member's line does:
 * it starts with "NAME: ", and a name never starts with '[' nor contains
 * ':', and 管理员 is reserved (docs/PROTOCOL.md). */
int catalog_is_announcement(const char *s, size_t len);

#endif
