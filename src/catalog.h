/* catalog.h: the room's notices in English or Chinese (-L en|zh). */
#ifndef UCHAT_CATALOG_H
#define UCHAT_CATALOG_H
#include <stddef.h>

enum catalog_lang { CATALOG_EN, CATALOG_ZH, CATALOG_NLANGS };

/* The announcement prefixes, also recognised by catalog_is_announcement. */
#define CATALOG_ADMIN_EN "[admin] "
#define CATALOG_ADMIN_ZH "管理员:"

/* The notices, one row each with every language: X(ID, en, zh). A row
 * without a language does not compile, nor one with an empty text. The
 * first four are the reasons a member left (CATALOG_QUIT is its own /quit);
 * the English reasons are also those of "-ERR removed from the room (...)"
 * and of the log. Adding a language: a column here, a row in catalog.c. */
#define CATALOG_NOTICES(X) \
	X(QUIT,         "quit",               "退出") \
	X(TIMEOUT,      "timed out",          "超时") \
	X(UNREACHABLE,  "unreachable",        "无法送达") \
	X(KICKED,       "kicked",             "被管理员移出") \
	X(JOINED,       " joined the room",   "进入了聊天室")   /* NAME + it */ \
	X(LEFT,         " left the room",     "退出了聊天室")   /* NAME + it */ \
	X(REASON_OPEN,  " (",                 "（")             /* around a reason */ \
	X(REASON_CLOSE, ")",                  "）") \
	X(ADMIN,        CATALOG_ADMIN_EN,     CATALOG_ADMIN_ZH) /* an announcement's prefix */ \
	X(RENAMED,      " is now known as ",  "改名为")         /* between OLD and NEW */ \
	X(PRIVATE,      "[private] ",         "[私聊] ")        /* before NAME: TEXT */ \
	X(SHUTDOWN,     "server is going down", "服务器即将关闭") /* announced at exit */

#define CATALOG_ID(id, en, zh) CATALOG_##id,
enum catalog_notice { CATALOG_NOTICES(CATALOG_ID) CATALOG_NNOTICES };
#undef CATALOG_ID

/* Parses "en" or "zh". Returns 0 and sets *lang, or -1. */
int catalog_lang_parse(const char *s, enum catalog_lang *lang);

/* Returns the texts of a language, indexed by enum catalog_notice (static,
 * never NULL, each text a non-empty string). */
const char *const *catalog_get(enum catalog_lang lang);

/* Returns 1 if the line s[0..len) starts with the announcement prefix of
 * either language ("[admin] ", "管理员:"), else 0. No member's line does:
 * it starts with "NAME: ", and a name never starts with '[' nor contains
 * ':', and 管理员 is reserved (docs/PROTOCOL.md). */
int catalog_is_announcement(const char *s, size_t len);

#endif
