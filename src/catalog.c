/* catalog.c: notice texts. The Chinese ones are the classic chat room's own
 * (进入了聊天室 / 退出了聊天室 / 管理员:). */
#include <string.h>

#include "catalog.h"

#define CATALOG_TEXT_EN(id, en, zh) en,
#define CATALOG_TEXT_ZH(id, en, zh) zh,
/* every text of every row is a literal with at least one byte */
#define CATALOG_FULL(id, en, zh) \
	_Static_assert(sizeof(en) > 1 && sizeof(zh) > 1, "notice " #id " has an empty text");
CATALOG_NOTICES(CATALOG_FULL)

static const char *const catalog_en[] = { CATALOG_NOTICES(CATALOG_TEXT_EN) };
static const char *const catalog_zh[] = { CATALOG_NOTICES(CATALOG_TEXT_ZH) };
_Static_assert(sizeof(catalog_en) / sizeof(catalog_en[0]) == CATALOG_NNOTICES &&
	       sizeof(catalog_zh) / sizeof(catalog_zh[0]) == CATALOG_NNOTICES,
	       "one text per notice in every language");
_Static_assert(CATALOG_QUIT == 0 && CATALOG_KICKED == 3, "the reasons come first");

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

const char *const *catalog_get(enum catalog_lang lang)
{
	return lang == CATALOG_ZH ? catalog_zh : catalog_en;
}

int catalog_is_announcement(const char *s, size_t len)
{
	return (len >= sizeof CATALOG_ADMIN_EN - 1 &&
		memcmp(s, CATALOG_ADMIN_EN, sizeof CATALOG_ADMIN_EN - 1) == 0) ||
	       (len >= sizeof CATALOG_ADMIN_ZH - 1 &&
		memcmp(s, CATALOG_ADMIN_ZH, sizeof CATALOG_ADMIN_ZH - 1) == 0);
}
