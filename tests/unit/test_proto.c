/* test_proto.c: line splitting, command parsing, name rules (proto.c). */
#include <string.h>

#include "proto.h"
#include "test.h"
#include "utf8.h"

static struct proto_span span(const char *s)
{
	struct proto_span sp = { s, strlen(s) };

	return sp;
}

static struct proto_span spanl(const char *s, size_t len)
{
	struct proto_span sp = { s, len };

	return sp;
}

/* Splits buf[0..len) and checks the lines against want[0..n). */
static void check_lines(const char *buf, size_t len, const char *const *want, size_t n,
			int line)
{
	struct proto_lines it;
	struct proto_span l;
	size_t i = 0;

	proto_lines_init(&it, buf, len);
	while (proto_lines_next(&it, &l)) {
		if (i >= n) {
			test_fail(__FILE__, line, "input \"%s\": extra line \"%s\"",
				  test_esc(buf, len), test_esc(l.p, l.len));
			return;
		}
		if (l.p < buf || l.p + l.len > buf + len)
			test_fail(__FILE__, line, "line %zu points outside the datagram", i);
		else if (!test_mem_eq(l.p, l.len, want[i]))
			test_fail(__FILE__, line, "input \"%s\": line %zu is \"%s\", want \"%s\"",
				  test_esc(buf, len), i, test_esc(l.p, l.len), want[i]);
		i++;
	}
	if (i != n)
		test_fail(__FILE__, line, "input \"%s\": %zu lines, want %zu",
			  test_esc(buf, len), i, n);
	CHECK(!proto_lines_next(&it, &l)); /* stays at the end */
}

#define LINES(buf, ...) do { \
	static const char *const w_[] = { __VA_ARGS__ }; \
	check_lines((buf), sizeof(buf) - 1, w_, sizeof(w_) / sizeof(w_[0]), __LINE__); \
} while (0)

static void proto_lines_split(void)
{
	struct proto_lines it;
	struct proto_span l;

	LINES("alice\nhello\n/quit\n", "alice", "hello", "/quit");
	LINES("a\r\nb\r\n", "a", "b");
	LINES("a\nb", "a", "b");           /* last line without "\n" */
	LINES("no newline", "no newline");
	LINES("a\n\nb\n", "a", "", "b");   /* empty line returned, len 0 */
	LINES("\n", "");
	LINES("\r\n", "");
	LINES("\n\n", "", "");
	LINES("\r", "");                   /* a lone "\r" is dropped too */
	LINES("a\r\r\n", "a\r");           /* only one "\r" is dropped */
	LINES("a\rb\n", "a\rb");           /* "\r" inside a line stays */
	LINES("x\r\ny\nz\r", "x", "y", "z");

	/* an empty datagram has no lines */
	proto_lines_init(&it, "", 0);
	CHECK(!proto_lines_next(&it, &l));
}

static void proto_lines_nul(void)
{
	static const char buf[] = "a\0b\nc\0\n\0";
	struct proto_lines it;
	struct proto_span l;

	proto_lines_init(&it, buf, sizeof(buf) - 1);
	CHECK(proto_lines_next(&it, &l));
	CHECK_INT(l.len, 3);
	CHECK(l.p == buf);
	CHECK(l.len == 3 && memcmp(l.p, "a\0b", 3) == 0);
	CHECK(proto_lines_next(&it, &l));
	CHECK_INT(l.len, 2);
	CHECK(l.p == buf + 4);
	CHECK(proto_lines_next(&it, &l));
	CHECK_INT(l.len, 1);
	CHECK(l.len == 1 && l.p[0] == '\0');
	CHECK(!proto_lines_next(&it, &l));
}

static void proto_span_equal(void)
{
	CHECK(proto_span_eq(span("abc"), "abc"));
	CHECK(!proto_span_eq(span("abc"), "abcd"));
	CHECK(!proto_span_eq(span("abcd"), "abc"));
	CHECK(!proto_span_eq(span("abc"), "abC"));
	CHECK(proto_span_eq(spanl("abcdef", 0), ""));
	CHECK(proto_span_eq(spanl("abcdef", 3), "abc"));
}

/* Parses s and checks the command and its arguments (NULL: not checked). */
static void check_parse(const char *s, enum proto_cmd cmd, const char *arg,
			const char *arg2, int line)
{
	struct proto_req r;

	memset(&r, 0x55, sizeof(r));
	proto_parse(span(s), &r);
	if (r.cmd != cmd) {
		test_fail(__FILE__, line, "\"%s\": cmd %d, want %d", s, (int)r.cmd, (int)cmd);
		return;
	}
	if (arg && !test_mem_eq(r.arg.p, r.arg.len, arg))
		test_fail(__FILE__, line, "\"%s\": arg \"%s\", want \"%s\"", s,
			  test_esc(r.arg.p, r.arg.len), arg);
	if (arg2 && !test_mem_eq(r.arg2.p, r.arg2.len, arg2))
		test_fail(__FILE__, line, "\"%s\": arg2 \"%s\", want \"%s\"", s,
			  test_esc(r.arg2.p, r.arg2.len), arg2);
	/* spans always point into the line */
	if (r.arg.p < s || r.arg.p + r.arg.len > s + strlen(s) ||
	    r.arg2.p < s || r.arg2.p + r.arg2.len > s + strlen(s))
		test_fail(__FILE__, line, "\"%s\": an argument span points outside the line", s);
}

#define PARSE(s, cmd, arg, arg2) check_parse((s), (cmd), (arg), (arg2), __LINE__)

static void proto_parse_commands(void)
{
	PARSE("/join alice", PROTO_JOIN, "alice", "");
	PARSE("/join   alice", PROTO_JOIN, "alice", "");
	PARSE("/join alice   ", PROTO_JOIN, "alice", "");
	PARSE("/join 张三", PROTO_JOIN, "张三", "");
	PARSE("/say hello world", PROTO_SAY, "hello world", "");
	PARSE("/say    hello  world", PROTO_SAY, "hello  world", "");
	PARSE("/msg bob hi there", PROTO_MSG, "bob", "hi there");
	PARSE("/msg   bob    hi  there", PROTO_MSG, "bob", "hi  there");
	PARSE("/msg 张三 你好", PROTO_MSG, "张三", "你好");
	PARSE("/who", PROTO_WHO, NULL, NULL);
	PARSE("/who  ", PROTO_WHO, NULL, NULL);
	PARSE("/nick bob", PROTO_NICK, "bob", "");
	PARSE("/nick  bob  ", PROTO_NICK, "bob", "");
	PARSE("/quit", PROTO_QUIT, NULL, NULL);
	PARSE("/ping", PROTO_PING, "", "");
	PARSE("/ping 42", PROTO_PING, "42", "");
	PARSE("/ping   tok  ", PROTO_PING, "tok", "");
	PARSE("/help", PROTO_HELP, NULL, NULL);
	PARSE("/seq", PROTO_SEQ, NULL, NULL);
	PARSE("/since 17", PROTO_SINCE, "17", "");
	PARSE("/since  17  ", PROTO_SINCE, "17", "");
	PARSE("/last 20", PROTO_LAST, "20", "");
	PARSE("/id a1 hello world", PROTO_ID, "a1", "hello world");
	PARSE("/id a1 /msg bob hi", PROTO_ID, "a1", "/msg bob hi");
	PARSE("/sequence", PROTO_UNKNOWN, "/sequence", NULL);
	PARSE("/idx a b", PROTO_UNKNOWN, "/idx", NULL);
}

/* proto_uint32 on hostile numbers: the reader /since and /last use. */
static int num(const char *s, uint32_t *v)
{
	*v = 12345;
	return proto_uint32(span(s), v);
}

static void proto_uint32_hostile(void)
{
	char big[1001];
	uint32_t v;

	CHECK_INT(num("0", &v), 0);
	CHECK_INT((int)v, 0);
	CHECK_INT(num("17", &v), 0);
	CHECK_INT((int)v, 17);
	CHECK_INT(num("4294967295", &v), 0);
	CHECK(v == 4294967295u);
	CHECK_INT(num("0004294967295", &v), 0);
	CHECK(v == 4294967295u);
	CHECK_INT(num("4294967296", &v), -1);
	CHECK(v == 12345); /* untouched on error */
	CHECK_INT(num("4294967300", &v), -1);
	CHECK_INT(num("42949672950", &v), -1);
	CHECK_INT(num("100000000000000000000", &v), -1); /* 10^20 */
	CHECK_INT(num("-1", &v), -1);
	CHECK_INT(num("+1", &v), -1);
	CHECK_INT(num("abc", &v), -1);
	CHECK_INT(num("12a", &v), -1);
	CHECK_INT(num("1 2", &v), -1);
	CHECK_INT(num("", &v), -1);
	CHECK_INT(num(" 1", &v), -1);
	CHECK_INT(proto_uint32(spanl("12\0", 3), &v), -1);
	CHECK_INT(proto_uint32(spanl("129", 2), &v), 0); /* its length, not a NUL */
	CHECK_INT((int)v, 12);
	memset(big, '9', 1000);
	big[1000] = '\0';
	CHECK_INT(num(big, &v), -1);
	memset(big, '0', 999);
	big[999] = '7';
	CHECK_INT(num(big, &v), 0);
	CHECK_INT((int)v, 7);
}

static void proto_id_rules(void)
{
	char big[1001];

	CHECK(proto_id_ok(span("1")));
	CHECK(proto_id_ok(span("a.b_c-D9")));
	CHECK(proto_id_ok(span("0123456789abcdef")));   /* 16 */
	CHECK(!proto_id_ok(span("0123456789abcdefg"))); /* 17 */
	CHECK(!proto_id_ok(span("")));
	CHECK(!proto_id_ok(span("a b")));
	CHECK(!proto_id_ok(span("a/b")));
	CHECK(!proto_id_ok(span("a:b")));
	CHECK(!proto_id_ok(span("\xc3\xa9")));
	CHECK(!proto_id_ok(spanl("a\0", 2)));
	memset(big, 'a', 1000);
	big[1000] = '\0';
	CHECK(!proto_id_ok(span(big)));
	CHECK(proto_id_ok(spanl(big, 16)));
}

static void proto_parse_missing_args(void)
{
	PARSE("/join", PROTO_JOIN, "", "");
	PARSE("/join ", PROTO_JOIN, "", "");
	PARSE("/join     ", PROTO_JOIN, "", "");
	PARSE("/say", PROTO_SAY, "", "");
	PARSE("/say   ", PROTO_SAY, "", "");
	PARSE("/nick", PROTO_NICK, "", "");
	PARSE("/msg", PROTO_MSG, "", "");
	PARSE("/msg ", PROTO_MSG, "", "");
	PARSE("/msg bob", PROTO_MSG, "bob", "");
	PARSE("/msg bob   ", PROTO_MSG, "bob", "");
	PARSE("/since", PROTO_SINCE, "", "");
	PARSE("/since   ", PROTO_SINCE, "", "");
	PARSE("/last", PROTO_LAST, "", "");
	PARSE("/id", PROTO_ID, "", "");
	PARSE("/id x", PROTO_ID, "x", "");
}

/* req.missing: set when an argument the command's usage names is empty;
 * /ping's token is optional, and plain text or an unknown word never lack one. */
static int missing(const char *s)
{
	struct proto_req r;

	memset(&r, 0x55, sizeof(r));
	proto_parse(span(s), &r);
	return r.missing;
}

static void proto_parse_missing_flag(void)
{
	CHECK_INT(missing("/join"), 1);
	CHECK_INT(missing("/join   "), 1);
	CHECK_INT(missing("/join a"), 0);
	CHECK_INT(missing("/say"), 1);
	CHECK_INT(missing("/say x"), 0);
	CHECK_INT(missing("/msg"), 1);
	CHECK_INT(missing("/msg bob"), 1);
	CHECK_INT(missing("/msg bob   "), 1);
	CHECK_INT(missing("/msg bob hi"), 0);
	CHECK_INT(missing("/nick"), 1);
	CHECK_INT(missing("/nick b"), 0);
	CHECK_INT(missing("/who"), 0);
	CHECK_INT(missing("/ping"), 0);
	CHECK_INT(missing("/quit"), 0);
	CHECK_INT(missing("/help"), 0);
	CHECK_INT(missing("/seq"), 0);
	CHECK_INT(missing("/since"), 1);
	CHECK_INT(missing("/since 0"), 0);
	CHECK_INT(missing("/last"), 1);
	CHECK_INT(missing("/id"), 1);
	CHECK_INT(missing("/id x"), 1);
	CHECK_INT(missing("/id x y"), 0);
	CHECK_INT(missing("hello"), 0);
	CHECK_INT(missing("/dance"), 0);
}

/* The command table: each usage starts with its word, /help's list and
 * udpchat -h's are built from it. */
static void proto_usages(void)
{
	CHECK_STR(proto_usage(PROTO_MSG), "/msg NAME TEXT");
	CHECK_STR(proto_usage(PROTO_WHO), "/who");
	CHECK_STR(proto_usage(PROTO_TEXT), "");
	CHECK_STR(proto_usage(PROTO_UNKNOWN), "");
	CHECK_STR(PROTO_USAGES + 2, "/join NAME, /say TEXT, /msg NAME TEXT, /who, /nick NEW, "
		  "/ping, /quit, /help");
	CHECK_STR(proto_usage(PROTO_SINCE), "/since N");
	CHECK_STR(PROTO_USAGES_SHOWN + 2, "/msg NAME TEXT, /who, /nick NEW, /quit, /help");
}

static void proto_parse_text_and_unknown(void)
{
	PARSE("hello", PROTO_TEXT, "hello", "");
	PARSE("hello world  ", PROTO_TEXT, "hello world  ", "");
	PARSE("alice", PROTO_TEXT, "alice", "");
	PARSE(" /join alice", PROTO_TEXT, " /join alice", "");
	PARSE("a/join", PROTO_TEXT, "a/join", "");
	PARSE("+OK", PROTO_TEXT, "+OK", "");
	/* commands are lower case: /JOIN is an unknown word */
	PARSE("/JOIN alice", PROTO_UNKNOWN, "/JOIN", NULL);
	PARSE("/Join alice", PROTO_UNKNOWN, "/Join", NULL);
	PARSE("/QUIT", PROTO_UNKNOWN, "/QUIT", NULL);
	PARSE("/foo bar baz", PROTO_UNKNOWN, "/foo", NULL);
	PARSE("/joinx alice", PROTO_UNKNOWN, "/joinx", NULL);
	PARSE("/jo", PROTO_UNKNOWN, "/jo", NULL);
	PARSE("/", PROTO_UNKNOWN, "/", NULL);
	PARSE("/ join", PROTO_UNKNOWN, "/", NULL);
	PARSE("//join x", PROTO_UNKNOWN, "//join", NULL);
	/* only spaces separate arguments */
	PARSE("/join\talice", PROTO_UNKNOWN, "/join\talice", NULL);
}

static void proto_parse_embedded_nul(void)
{
	static const char line[] = "/msg bob a\0b";
	struct proto_req r;

	proto_parse(spanl(line, sizeof(line) - 1), &r);
	CHECK_INT(r.cmd, PROTO_MSG);
	CHECK_SPAN(r.arg.p, r.arg.len, "bob");
	CHECK_INT(r.arg2.len, 3);
	CHECK(r.arg2.len == 3 && memcmp(r.arg2.p, "a\0b", 3) == 0);
}

#define NAME_OK(s) CHECK_STR(proto_name_error(span(s)), NULL)
#define NAME_ERR(s, why) CHECK_STR(proto_name_error(span(s)), (why))

static const char NAME_START[] = "must not start with '/', '+', '-' or '['";

static void proto_name_rules(void)
{
	NAME_OK("alice");
	NAME_OK("Alice_2");
	NAME_OK("张三");
	NAME_OK("a");
	NAME_OK("a-b");
	NAME_OK("a[b]");
	NAME_OK("a+b/c");
	NAME_OK("bob.smith");
	NAME_OK("é");
	NAME_OK("😀");
	NAME_OK("admin2");
	NAME_OK("administrator");
	NAME_OK("myserver");
	NAME_OK("管理");
	NAME_OK("管理员2");

	NAME_ERR("", "empty");
	CHECK_STR(proto_name_error(spanl("x", 0)), "empty");
}

static void proto_name_lengths(void)
{
	char buf[128];
	size_t i;

	/* 16 code points ok, 17 not */
	NAME_OK("abcdefghijklmnop");
	NAME_ERR("abcdefghijklmnopq", "longer than 16 characters");
	/* 16 three-byte characters = 48 bytes: ok */
	buf[0] = '\0';
	for (i = 0; i < 16; i++)
		strcat(buf, "张");
	CHECK_INT(strlen(buf), 48);
	NAME_OK(buf);
	/* 17 of them: 51 bytes, over both bounds; the byte bound is checked first */
	strcat(buf, "张");
	NAME_ERR(buf, "longer than 48 bytes");
	/* 12 four-byte emoji = 48 bytes, 12 code points: ok; one byte more is not */
	buf[0] = '\0';
	for (i = 0; i < 12; i++)
		strcat(buf, "😀");
	CHECK_INT(strlen(buf), 48);
	NAME_OK(buf);
	strcat(buf, "a");
	CHECK_INT(strlen(buf), 49);
	NAME_ERR(buf, "longer than 48 bytes");
	/* 16 four-byte emoji: 16 code points but 64 bytes */
	buf[0] = '\0';
	for (i = 0; i < 16; i++)
		strcat(buf, "😀");
	CHECK_INT(strlen(buf), 64);
	NAME_ERR(buf, "longer than 48 bytes");
	/* 17 code points within 48 bytes */
	NAME_ERR("张三abcdefghijklmno", "longer than 16 characters");
	NAME_OK("张三abcdefghijklmn");
}

static void proto_name_whitespace(void)
{
	NAME_ERR("a b", "contains whitespace");
	NAME_ERR(" alice", "contains whitespace");
	NAME_ERR("alice ", "contains whitespace");
	NAME_ERR("张\u3000三", "contains whitespace");  /* ideographic space */
	NAME_ERR("a\u00a0b", "contains whitespace");    /* no-break space */
	NAME_ERR("a\u2003b", "contains whitespace");    /* em space */
	NAME_ERR("a\u202fb", "contains whitespace");
	NAME_ERR("a\u2028b", "contains whitespace");    /* line separator */
	NAME_ERR("a\ufeffb", "contains an invisible character"); /* BOM / ZWNBSP */
	NAME_ERR("\u1680x", "contains whitespace");
}

static void proto_name_control(void)
{
	static const char nul[] = "a\0b";

	NAME_ERR("a\tb", "contains a control character");
	NAME_ERR("a\x1b[31m", "contains a control character");
	NAME_ERR("a\x7f", "contains a control character");
	NAME_ERR("a\xc2\x85" "b", "contains a control character"); /* C1 NEL */
	NAME_ERR("\xc2\x9b" "2J", "contains a control character"); /* C1 CSI */
	NAME_ERR("a\x01", "contains a control character");
	NAME_ERR("a\rb", "contains a control character");
	CHECK_STR(proto_name_error(spanl(nul, 3)), "contains a control character");
}

static void proto_name_colon_and_start(void)
{
	NAME_ERR("a:b", "contains ':'");
	NAME_ERR(":", "contains ':'");
	NAME_ERR("alice:", "contains ':'");
	NAME_ERR("/join", NAME_START);
	NAME_ERR("+OK", NAME_START);
	NAME_ERR("-ERR", NAME_START);
	NAME_ERR("[admin]", NAME_START);
	NAME_ERR("/", NAME_START);
	NAME_ERR("-", NAME_START);
	NAME_OK("a/");
	NAME_OK("x[");
}

static void proto_name_reserved(void)
{
	NAME_ERR("admin", "reserved");
	NAME_ERR("ADMIN", "reserved");
	NAME_ERR("Admin", "reserved");
	NAME_ERR("server", "reserved");
	NAME_ERR("Server", "reserved");
	NAME_ERR("SERVER", "reserved");
	NAME_ERR("管理员", "reserved");
}

static void proto_name_bad_utf8(void)
{
	NAME_ERR("\xff", "not valid UTF-8");
	NAME_ERR("a\xc0\x80", "not valid UTF-8");      /* overlong NUL */
	NAME_ERR("\xe5\xbc", "not valid UTF-8");       /* truncated 张 */
	NAME_ERR("\x80" "abc", "not valid UTF-8");     /* stray continuation */
	NAME_ERR("\xed\xa0\x80", "not valid UTF-8");   /* surrogate */
	NAME_ERR("\xf4\x90\x80\x80", "not valid UTF-8"); /* > U+10FFFF */
}

static void proto_name_key_fold(void)
{
	char key[PROTO_NAME_BYTES + 1];
	size_t n;

	memset(key, 'x', sizeof(key));
	n = proto_name_key(span("AbCxYZ"), key);
	CHECK_INT(n, 6);
	CHECK_STR(key, "abcxyz");
	/* only A-Z fold: neighbours '@' '[' '`' '{' and digits stay */
	n = proto_name_key(span("@AZ[`az{09_"), key);
	CHECK_INT(n, 11);
	CHECK_STR(key, "@az[`az{09_");
	/* non-ASCII bytes are kept as they are (no Unicode folding) */
	n = proto_name_key(span("ÄÖ张三Éa"), key);
	CHECK_INT(n, strlen("ÄÖ张三Éa"));
	CHECK_STR(key, "ÄÖ张三Éa");
	n = proto_name_key(span("ADMIN"), key);
	CHECK_INT(n, 5);
	CHECK_STR(key, "admin");
	/* a name of the full 48 bytes fits with its NUL */
	n = proto_name_key(span("ABCDEFGHIJKLMNOPABCDEFGHIJKLMNOPABCDEFGHIJKLMNOP"), key);
	CHECK_INT(n, 48);
	CHECK_STR(key, "abcdefghijklmnopabcdefghijklmnopabcdefghijklmnop");
}

/* The examples of issue 10 ("Names that look like someone else's"), each
 * accepted before, each refused now with its reason; and the names beside
 * them that stay fine. */
static void proto_name_lookalikes(void)
{
	NAME_ERR("admin\uFE0F", "contains an invisible character");     /* variation selectors */
	NAME_ERR("管理员\uFE0F", "contains an invisible character");
	NAME_ERR("admin\U000E0100", "contains an invisible character");
	NAME_ERR("a\U0001D173b", "contains an invisible character");    /* musical beam */
	NAME_ERR("\u3164", "contains an invisible character");          /* Hangul fillers */
	NAME_ERR("bob\u115F", "contains an invisible character");
	NAME_ERR("a\uFFA0b", "contains an invisible character");
	NAME_ERR("a\u180Bb", "contains an invisible character");        /* Mongolian FVS1 */
	NAME_ERR("a\u2800b", "contains an invisible character");        /* blank Braille */
	NAME_ERR("ａｄｍｉｎ", "reserved");                              /* fullwidth */
	NAME_ERR("ＡＤＭＩＮ", "reserved");
	NAME_ERR("аdmin", "reserved");                                  /* Cyrillic а */
	NAME_ERR("Αdmin", "reserved");                                  /* Greek Α */
	NAME_ERR("ѕеrvеr", "reserved");                                 /* Cyrillic ѕ е */
	NAME_ERR("𝐚𝐝𝐦𝐢𝐧", "reserved");                              /* mathematical bold */
	NAME_ERR("𝚜𝚎𝚛𝚟𝚎𝚛", "reserved");                              /* mathematical monospace */
	NAME_ERR("aⅾⅿⅰn", "reserved");                                  /* Roman numerals */
	NAME_ERR("［admin］", NAME_START);
	NAME_ERR("＋OK", NAME_START);
	NAME_ERR("／join", NAME_START);
	NAME_ERR("－x", NAME_START);
	NAME_ERR("a：b", "contains ':'");                                /* fullwidth colon */
	NAME_ERR("管理員", "reserved");                                  /* traditional 员 */
	NAME_ERR("管\uF9E4员", "reserved");                              /* compatibility 理 */
	NAME_ERR("服务器", "reserved");
	NAME_ERR("服務器", "reserved");                                  /* traditional 务 */
	NAME_ERR("伺服器", "reserved");                                  /* Taiwan's word */
	NAME_ERR("伺服\uFA38", "reserved");                              /* compatibility 器 */
	NAME_ERR("observer\u0300", "contains a combining mark");
	NAME_ERR("\u0301x", "contains a combining mark");               /* a lone mark */
	NAME_ERR("\u0301", "contains a combining mark");
	NAME_ERR("jose\u0301", "contains a combining mark");            /* josé decomposed */
	NAME_ERR("a\u20DD", "contains a combining mark");               /* enclosing circle */
	NAME_ERR("か\u3099", "contains a combining mark");               /* が decomposed */
	NAME_ERR("\u034Fx", "contains an invisible character");         /* CGJ: both; this first */

	NAME_OK("josé");                                                /* precomposed */
	NAME_OK("Zoë");
	NAME_OK("Ålesund");
	NAME_OK("张三");
	NAME_OK("管理");
	NAME_OK("服务");
	NAME_OK("伺服");
	NAME_OK("管理员2");
	NAME_OK("服务器2");
	NAME_OK("сергей");                                              /* Cyrillic, not a lookalike */
	NAME_OK("Ωmega");
	NAME_OK("が");
	NAME_OK("สมศักดิ์");                                             /* Thai marks are kept */
	NAME_OK("राम");
	NAME_OK("김철수");
	NAME_OK("❤");
	NAME_OK("⠁b");                                                  /* a Braille dot */
	NAME_OK("ａｄｍｉｎ2");
	NAME_OK("a／b");
}

/* Checks proto_name_key(s) against want, and that the key of the key is
 * the key. */
static void check_key(const char *s, const char *want, int line)
{
	char key[PROTO_NAME_BYTES + 1], again[PROTO_NAME_BYTES + 1];
	size_t n = proto_name_key(span(s), key);

	if (n != strlen(key) || strcmp(key, want) != 0)
		test_fail(__FILE__, line, "key of \"%s\" is \"%s\" (%zu), want \"%s\"",
			  test_esc(s, strlen(s)), test_esc(key, strlen(key)), n,
			  test_esc(want, strlen(want)));
	if (proto_name_key(spanl(key, n), again) != n || strcmp(again, key) != 0)
		test_fail(__FILE__, line, "key of the key of \"%s\" is \"%s\"",
			  test_esc(s, strlen(s)), test_esc(again, strlen(again)));
}
#define KEY(s, want) check_key((s), (want), __LINE__)

/* Every row of the lookalike tables, by what it must fold to. */
static void proto_fold_rows(void)
{
	static const struct {
		uint32_t cp;
		char to;
	} look[] = {
		{ 0x037f, 'j' }, { 0x0391, 'a' }, { 0x0392, 'b' }, { 0x0395, 'e' }, /* Ϳ Α Β Ε */
		{ 0x0396, 'z' }, { 0x0397, 'h' }, { 0x0399, 'i' }, { 0x039a, 'k' }, /* Ζ Η Ι Κ */
		{ 0x039c, 'm' }, { 0x039d, 'n' }, { 0x039f, 'o' }, { 0x03a1, 'p' }, /* Μ Ν Ο Ρ */
		{ 0x03a4, 't' }, { 0x03a5, 'y' }, { 0x03a7, 'x' }, { 0x03b1, 'a' }, /* Τ Υ Χ α */
		{ 0x03b9, 'i' }, { 0x03bd, 'v' }, { 0x03bf, 'o' }, { 0x03c1, 'p' }, /* ι ν ο ρ */
		{ 0x03c5, 'u' }, { 0x03f2, 'c' }, { 0x03f3, 'j' }, { 0x03f9, 'c' }, /* υ ϲ ϳ Ϲ */
		{ 0x0405, 's' }, { 0x0406, 'i' }, { 0x0408, 'j' }, { 0x0410, 'a' }, /* Ѕ І Ј А */
		{ 0x0412, 'b' }, { 0x0415, 'e' }, { 0x041a, 'k' }, { 0x041c, 'm' }, /* В Е К М */
		{ 0x041d, 'h' }, { 0x041e, 'o' }, { 0x0420, 'p' }, { 0x0421, 'c' }, /* Н О Р С */
		{ 0x0422, 't' }, { 0x0425, 'x' }, { 0x0430, 'a' }, { 0x0435, 'e' }, /* Т Х а е */
		{ 0x043e, 'o' }, { 0x0440, 'p' }, { 0x0441, 'c' }, { 0x0443, 'y' }, /* о р с у */
		{ 0x0445, 'x' }, { 0x0455, 's' }, { 0x0456, 'i' }, { 0x0458, 'j' }, /* х ѕ і ј */
		{ 0x04ae, 'y' }, { 0x04ba, 'h' }, { 0x04bb, 'h' }, { 0x04c0, 'l' }, /* Ү Һ һ Ӏ */
		{ 0x04cf, 'l' }, { 0x0501, 'd' }, { 0x051a, 'q' }, { 0x051b, 'q' }, /* ӏ ԁ Ԛ ԛ */
		{ 0x051c, 'w' }, { 0x051d, 'w' },                                   /* Ԝ ԝ */
		{ 0x0578, 'n' }, { 0x057d, 'u' }, { 0x0585, 'o' },                  /* ո ս օ */
		{ 0x2160, 'i' }, { 0x2164, 'v' }, { 0x2169, 'x' }, { 0x216c, 'l' }, /* Ⅰ Ⅴ Ⅹ Ⅼ */
		{ 0x216d, 'c' }, { 0x216e, 'd' }, { 0x216f, 'm' },                  /* Ⅽ Ⅾ Ⅿ */
		{ 0x2170, 'i' }, { 0x2174, 'v' }, { 0x2179, 'x' }, { 0x217c, 'l' }, /* ⅰ ⅴ ⅹ ⅼ */
		{ 0x217d, 'c' }, { 0x217e, 'd' }, { 0x217f, 'm' },                  /* ⅽ ⅾ ⅿ */
		{ 0xff01, '!' }, { 0xff21, 'a' }, { 0xff3a, 'z' }, { 0xff41, 'a' }, /* fullwidth */
		{ 0xff5a, 'z' }, { 0xff5e, '~' }, { 0xff10, '0' }, { 0xff1a, ':' },
		{ 0x1d400, 'a' }, { 0x1d41a, 'a' }, { 0x1d433, 'z' }, { 0x1d434, 'a' }, /* math */
		{ 0x1d455, 'h' }, { 0x1d670, 'a' }, { 0x1d6a3, 'z' },
		{ 0x1d7ce, '0' }, { 0x1d7d7, '9' }, { 0x1d7d8, '0' }, { 0x1d7ff, '9' },
		{ 'A', 'a' }, { 'Z', 'z' },
	};
	/* the neighbours of each range and code points close to a row: as they are */
	static const uint32_t same[] = {
		0x0370, 0x0390, 0x0393, 0x03a9, 0x03b2, 0x03c9, 0x0404, 0x0411, 0x0431,
		0x0442, 0x0457, 0x0500, 0x0586, 0x215f, 0x2161, 0x2180, 0xff00, 0xff5f,
		0xff61, 0x1d3ff, 0x1d6a4, 0x1d7cd, 0x1d800, 'a', 'z', '@', '[', '`', '{',
		0xe9, 0xc4, 0x5f20, 0x5458, 0x2126, 0x212a, 0x54e1,
	};
	size_t i;
	uint32_t cp, f;
	char a[4], b[4];

	for (i = 0; i < sizeof(look) / sizeof(look[0]); i++)
		CHECK_MSG(proto_fold_cp(look[i].cp) == (uint32_t)(unsigned char)look[i].to,
			  "U+%04X folds to U+%04X, want '%c'", (unsigned)look[i].cp,
			  (unsigned)proto_fold_cp(look[i].cp), look[i].to);
	for (i = 0; i < sizeof(same) / sizeof(same[0]); i++)
		CHECK_MSG(proto_fold_cp(same[i]) == same[i], "U+%04X folds to U+%04X",
			  (unsigned)same[i], (unsigned)proto_fold_cp(same[i]));
	/* every fullwidth ASCII character and mathematical letter */
	for (cp = 0xff01; cp <= 0xff5e; cp++) {
		f = cp - 0xff01 + 0x21;
		CHECK_MSG(proto_fold_cp(cp) == (f >= 'A' && f <= 'Z' ? f + 32 : f), "U+%04X",
			  (unsigned)cp);
	}
	for (cp = 0x1d400; cp <= 0x1d6a3; cp++)
		CHECK_MSG(proto_fold_cp(cp) == 'a' + (cp - 0x1d400) % 26, "U+%04X", (unsigned)cp);
	/* for every code point: the fold of a fold is the fold, never longer */
	for (cp = 0; cp <= 0x10ffff; cp++) {
		if (cp == 0xd800)
			cp = 0xe000;
		f = proto_fold_cp(cp);
		if (proto_fold_cp(f) != f || utf8_encode(f, a) > utf8_encode(cp, b)) {
			test_fail(__FILE__, __LINE__, "U+%04X folds to U+%04X", (unsigned)cp,
				  (unsigned)f);
			break;
		}
	}
}

static void proto_name_key_lookalikes(void)
{
	char name[8], key[PROTO_NAME_BYTES + 1], again[PROTO_NAME_BYTES + 1];
	uint32_t cp;
	size_t n, k;

	KEY("ａｄｍｉｎ", "admin");
	KEY("ＡＤＭＩＮ", "admin");
	KEY("аdmin", "admin");
	KEY("АDMIN", "admin");
	KEY("ѕеrvеr", "server");
	KEY("𝐀𝐝𝐦𝐢𝐧", "admin");
	KEY("［admin］", "[admin]");
	KEY("管理員", "管理员");
	KEY("管\uF9E4员", "管理员");
	KEY("服務器", "服务器");
	KEY("伺服\uFA38", "伺服器");
	KEY("\u212Aate", "kate");           /* Kelvin sign */
	KEY("\u212Bsa", "Åsa");             /* Ångström sign: Å */
	KEY("\u2126", "Ω");                 /* Ohm sign: Ω */
	KEY("josé", "josé");                /* accents are kept */
	KEY("ÄÖ张三Éa", "ÄÖ张三Éa");
	KEY("сергей", "cepгeй");            /* only the lookalikes fold */
	KEY("a\xff" "B", "a\xff" "b");      /* not UTF-8 (a lookup): the byte kept */
	KEY("\xe5\xbc" "Ａ", "\xe5\xbc" "a");
	/* every code point alone: the key is not longer, and is its own key */
	for (cp = 1; cp <= 0x10ffff; cp++) {
		if (cp == 0xd800)
			cp = 0xe000;
		n = utf8_encode(cp, name);
		k = proto_name_key(spanl(name, n), key);
		if (k > n || k == 0 || proto_name_key(spanl(key, k), again) != k ||
		    memcmp(again, key, k) != 0) {
			test_fail(__FILE__, __LINE__, "U+%04X: key \"%s\"", (unsigned)cp,
				  test_esc(key, k));
			break;
		}
	}
}

void suite_proto(void)
{
	TEST_RUN(proto_lines_split);
	TEST_RUN(proto_lines_nul);
	TEST_RUN(proto_span_equal);
	TEST_RUN(proto_parse_missing_flag);
	TEST_RUN(proto_usages);
	TEST_RUN(proto_parse_commands);
	TEST_RUN(proto_parse_missing_args);
	TEST_RUN(proto_uint32_hostile);
	TEST_RUN(proto_id_rules);
	TEST_RUN(proto_parse_text_and_unknown);
	TEST_RUN(proto_parse_embedded_nul);
	TEST_RUN(proto_name_rules);
	TEST_RUN(proto_name_lengths);
	TEST_RUN(proto_name_whitespace);
	TEST_RUN(proto_name_control);
	TEST_RUN(proto_name_colon_and_start);
	TEST_RUN(proto_name_reserved);
	TEST_RUN(proto_name_bad_utf8);
	TEST_RUN(proto_name_key_fold);
	TEST_RUN(proto_name_lookalikes);
	TEST_RUN(proto_fold_rows);
	TEST_RUN(proto_name_key_lookalikes);
}
