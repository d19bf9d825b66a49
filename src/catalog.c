/* catalog.c: notice texts. The Chinese ones are the classic chat room's own
 * (进入了聊天室 / 退出了聊天室 / 管理员:). */
#include <string.h>

#include "catalog.h"

/* The announcement prefixes, also recognised by catalog_is_announcement. */
#define CATALOG_ADMIN_EN "[admin] "
#define CATALOG_ADMIN_ZH "管理员:"

static const struct catalog catalog_en = {
	.joined = " joined the room",
	.left = " left the room",
	.reason_open = " (",
	.reason_close = ")",
	.reasons = { "quit", "timed out", "unreachable", "kicked" },
	.admin = CATALOG_ADMIN_EN,
	.renamed = " is now known as ",
	.private_ = "[private] ",
	.shutdown = "server is going down",
};

static const struct catalog catalog_zh = {
	.joined = "进入了聊天室",
	.left = "退出了聊天室",
	.reason_open = "（",
	.reason_close = "）",
	.reasons = { "退出", "超时", "无法送达", "被管理员移出" },
	.admin = CATALOG_ADMIN_ZH,
	.renamed = "改名为",
	.private_ = "[私聊] ",
	.shutdown = "服务器即将关闭",
};

int catalog_lang_parse(const char *s, enum catalog_lang *lang)
{
	if (strcmp(s, "en") == 0)
		*lang = CATALOG_EN;
	else if (strcmp(s, "zh") == 0)
		*lang = CATALOG_ZH;
	else
		return -1;
	return 0;
}

const struct catalog *catalog_get(enum catalog_lang lang)
{
	return lang == CATALOG_ZH ? &catalog_zh : &catalog_en;
}

int catalog_is_announcement(const char *s, size_t len)
{
	return (len >= sizeof CATALOG_ADMIN_EN - 1 &&
		memcmp(s, CATALOG_ADMIN_EN, sizeof CATALOG_ADMIN_EN - 1) == 0) ||
	       (len >= sizeof CATALOG_ADMIN_ZH - 1 &&
		memcmp(s, CATALOG_ADMIN_ZH, sizeof CATALOG_ADMIN_ZH - 1) == 0);
}
