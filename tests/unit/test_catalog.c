/* test_catalog.c: -L parsing and the notice texts (catalog.c). */
#include <string.h>

#include "catalog.h"
#include "test.h"

static void catalog_lang(void)
{
	enum catalog_lang l = CATALOG_ZH;

	CHECK_INT(catalog_lang_parse("en", &l), 0);
	CHECK_INT(l, CATALOG_EN);
	CHECK_INT(catalog_lang_parse("zh", &l), 0);
	CHECK_INT(l, CATALOG_ZH);
	CHECK_INT(catalog_lang_parse("fr", &l), -1);
	CHECK_INT(catalog_lang_parse("", &l), -1);
	CHECK_INT(catalog_lang_parse("e", &l), -1);
	CHECK_INT(catalog_lang_parse("english", &l), -1);
	CHECK_INT(catalog_lang_parse("zh_CN", &l), -1);
	CHECK_INT(catalog_lang_parse("en ", &l), -1);
}

/* The texts of docs/PROTOCOL.md's event table. */
static void catalog_texts(void)
{
	const char *const *en = catalog_get(CATALOG_EN), *const *zh = catalog_get(CATALOG_ZH);

	CHECK(en != NULL && zh != NULL && en != zh);
	if (!en || !zh)
		return;
	CHECK_STR(en[CATALOG_JOINED], " joined the room");
	CHECK_STR(en[CATALOG_LEFT], " left the room");
	CHECK_STR(en[CATALOG_ADMIN], "[admin] ");
	CHECK_STR(en[CATALOG_QUIT], "quit");
	CHECK_STR(en[CATALOG_TIMEOUT], "timed out");
	CHECK_STR(en[CATALOG_UNREACHABLE], "unreachable");
	CHECK_STR(en[CATALOG_KICKED], "kicked");
	CHECK_STR(en[CATALOG_REASON_OPEN], " (");
	CHECK_STR(en[CATALOG_REASON_CLOSE], ")");
	CHECK_STR(en[CATALOG_RENAMED], " is now known as ");
	CHECK_STR(en[CATALOG_PRIVATE], "[private] ");
	CHECK_STR(en[CATALOG_SHUTDOWN], "server is going down");

	CHECK_STR(zh[CATALOG_JOINED], "进入了聊天室");
	CHECK_STR(zh[CATALOG_LEFT], "退出了聊天室");
	CHECK_STR(zh[CATALOG_ADMIN], "管理员:");
	CHECK_STR(zh[CATALOG_QUIT], "退出");
	CHECK_STR(zh[CATALOG_TIMEOUT], "超时");
	CHECK_STR(zh[CATALOG_UNREACHABLE], "无法送达");
	CHECK_STR(zh[CATALOG_KICKED], "被管理员移出");
	CHECK_STR(zh[CATALOG_REASON_OPEN], "（");
	CHECK_STR(zh[CATALOG_REASON_CLOSE], "）");
	CHECK_STR(zh[CATALOG_RENAMED], "改名为");
	CHECK_STR(zh[CATALOG_PRIVATE], "[私聊] ");
	CHECK_STR(zh[CATALOG_SHUTDOWN], "服务器即将关闭");
}

/* Every notice has a text in every language (a forgotten one would print
 * "(null)"), and no two languages share one table. */
static void catalog_complete(void)
{
	int l, n;

	for (l = 0; l < CATALOG_NLANGS; l++) {
		const char *const *t = catalog_get((enum catalog_lang)l);

		CHECK(t != NULL);
		if (!t)
			continue;
		for (n = 0; n < CATALOG_NNOTICES; n++)
			CHECK(t[n] != NULL && t[n][0] != '\0');
	}
	CHECK_INT(CATALOG_NNOTICES, 12);
}

#define ANN(s) catalog_is_announcement((s), strlen(s))

/* What the client shows as an announcement: the prefix of either language,
 * and no line a member can make (a name never starts with '[', never holds
 * ':', and 管理员 is reserved). */
static void catalog_announcement(void)
{
	CHECK_INT(ANN("[admin] server is going down"), 1);
	CHECK_INT(ANN("[admin] "), 1);
	CHECK_INT(ANN("管理员:服务器即将关闭"), 1);
	CHECK_INT(ANN("管理员:"), 1);
	CHECK_INT(ANN(""), 0);
	CHECK_INT(ANN("[admin]"), 0);             /* cut before the space */
	CHECK_INT(ANN("[admin]x"), 0);
	CHECK_INT(ANN("[Admin] x"), 0);
	CHECK_INT(ANN("管理员"), 0);
	CHECK_INT(ANN("管理员: x"), 1);           /* the prefix, then text with a space */
	CHECK_INT(ANN("管理員:x"), 0);            /* the traditional form is another name */
	CHECK_INT(ANN("bob: [admin] x"), 0);
	CHECK_INT(ANN(" [admin] x"), 0);
	CHECK_INT(ANN("  [admin] x"), 0);
	CHECK_INT(ANN("[private] bob: [admin] x"), 0);
	CHECK_INT(ANN("admin: x"), 0);
	CHECK_INT(catalog_is_announcement("[admin] x", 7), 0);   /* the length bounds it */
}

void suite_catalog(void)
{
	TEST_RUN(catalog_lang);
	TEST_RUN(catalog_texts);
	TEST_RUN(catalog_complete);
	TEST_RUN(catalog_announcement);
}
