/* test_irc.c: the IRC bridge's protocol core (irc.c): the line reader on
 * lines recorded from a real ngIRCd (Debian's ngircd 26.1 on 127.0.0.1), the
 * grammar's corners and refusals, ISUPPORT, text to the room, splitting
 * (Chinese, emoji, a property test), the bot's lines and injections, the
 * pacing clock, alternate nicks. */
#include <stdint.h>
#include <string.h>

#include "irc.h"
#include "ircbot.h"
#include "test.h"
#include "utf8.h"

static struct proto_span sp(const char *s)
{
	struct proto_span x = { s, strlen(s) };

	return x;
}

static struct proto_span spl(const char *s, size_t len)
{
	struct proto_span x = { s, len };

	return x;
}

/* Checks that every span of m lies within line[0..len). */
static void check_inside(const struct irc_msg *m, const char *line, size_t len, int at)
{
	const struct proto_span *s[6 + IRC_MAX_PARAMS];
	size_t i, n = 0;

	s[n++] = &m->tags;
	s[n++] = &m->prefix;
	s[n++] = &m->nick;
	s[n++] = &m->user;
	s[n++] = &m->host;
	s[n++] = &m->word;
	for (i = 0; i < IRC_MAX_PARAMS; i++)
		s[n++] = &m->params[i];
	for (i = 0; i < n; i++)
		if (s[i]->p < line || s[i]->p + s[i]->len > line + len)
			test_fail(__FILE__, at, "span %zu of \"%s\" points outside the line", i,
				  test_esc(line, len));
}

/* Parses s (NUL-terminated) with the default limit; checks it is taken. */
static void parse_ok(const char *s, struct irc_msg *m, int at)
{
	const char *err = irc_parse(sp(s), 0, m);

	if (err)
		test_fail(__FILE__, at, "\"%s\" refused: %s", test_esc(s, strlen(s)), err);
	check_inside(m, s, strlen(s), at);
}

#define PARSE_OK(s, m) parse_ok((s), (m), __LINE__)
#define PARAM(m, i, want) do { \
	CHECK_MSG((m).nparams > (i), "only %u params", (m).nparams); \
	CHECK_SPAN((m).params[i].p, (m).params[i].len, (want)); \
} while (0)

/* --- the table --------------------------------------------------------------- */

static void irc_table(void)
{
	struct irc_msg m;
	int i;

	CHECK_STR(irc_cmd_word(IRC_PRIVMSG), "PRIVMSG");
	CHECK_STR(irc_cmd_word(IRC_ERR_NICKNAMEINUSE), "433");
	CHECK_STR(irc_cmd_word(IRC_CMD_OTHER), "");
	CHECK_STR(irc_cmd_word(IRC_NCMDS), "");
	CHECK_INT(irc_cmd_class(IRC_RPL_WELCOME), IRC_CLASS_WELCOME);
	CHECK_INT(irc_cmd_class(IRC_RPL_ISUPPORT), IRC_CLASS_ISUPPORT);
	CHECK_INT(irc_cmd_class(IRC_ERR_NICKNAMEINUSE), IRC_CLASS_NICK_TAKEN);
	CHECK_INT(irc_cmd_class(IRC_ERR_NICKCOLLISION), IRC_CLASS_NICK_TAKEN);
	CHECK_INT(irc_cmd_class(IRC_ERR_UNAVAILRESOURCE), IRC_CLASS_NICK_TAKEN);
	CHECK_INT(irc_cmd_class(IRC_ERR_ERRONEUSNICKNAME), IRC_CLASS_NICK_BAD);
	CHECK_INT(irc_cmd_class(IRC_ERR_NOSUCHCHANNEL), IRC_CLASS_JOIN_FAIL);
	CHECK_INT(irc_cmd_class(IRC_ERR_CHANNELISFULL), IRC_CLASS_JOIN_FAIL);
	CHECK_INT(irc_cmd_class(IRC_ERR_INVITEONLYCHAN), IRC_CLASS_JOIN_FAIL);
	CHECK_INT(irc_cmd_class(IRC_ERR_BANNEDFROMCHAN), IRC_CLASS_JOIN_FAIL);
	CHECK_INT(irc_cmd_class(IRC_ERR_BADCHANNELKEY), IRC_CLASS_JOIN_FAIL);
	CHECK_INT(irc_cmd_class(IRC_ERR_CANNOTSENDTOCHAN), IRC_CLASS_SEND_FAIL);
	CHECK_INT(irc_cmd_class(IRC_KICK), IRC_CLASS_COMMAND);
	CHECK_INT(irc_cmd_class(IRC_CMD_OTHER), IRC_CLASS_OTHER);
	/* every row's word parses back to its row, in any case */
	for (i = IRC_CMD_OTHER + 1; i < IRC_NCMDS; i++) {
		char line[32], *p = line;
		const char *w = irc_cmd_word((enum irc_cmd)i);
		size_t k;

		for (k = 0; w[k]; k++)
			*p++ = (char)(i % 2 && w[k] >= 'A' && w[k] <= 'Z' ? w[k] + 32 : w[k]);
		memcpy(p, " x", 3);
		PARSE_OK(line, &m);
		CHECK_MSG(m.cmd == (enum irc_cmd)i, "\"%s\" is row %d, want %d", line, (int)m.cmd, i);
	}
	PARSE_OK("WALLOPS :x", &m);
	CHECK_INT(m.cmd, IRC_CMD_OTHER);
	PARSE_OK(":s 376 bot :End of MOTD command", &m);
	CHECK_INT(m.cmd, IRC_CMD_OTHER);
	CHECK_INT(m.numeric, 376);
	PARSE_OK("PRIVMSGX #c :x", &m); /* a longer word is not PRIVMSG */
	CHECK_INT(m.cmd, IRC_CMD_OTHER);
	PARSE_OK("PRIV #c :x", &m);     /* nor a shorter one */
	CHECK_INT(m.cmd, IRC_CMD_OTHER);
}

/* --- lines a real ngIRCd sent ------------------------------------------------- */

static void irc_parse_ngircd(void)
{
	struct irc_msg m;

	PARSE_OK(":irc.test.local 001 udpchat :Welcome to the Internet Relay Network "
		 "udpchat!~udpchat@127.0.0.1", &m);
	CHECK_SPAN(m.prefix.p, m.prefix.len, "irc.test.local");
	CHECK_SPAN(m.nick.p, m.nick.len, "irc.test.local");
	CHECK_INT(m.user.len, 0);
	CHECK_INT(m.host.len, 0);
	CHECK_INT(m.from_server, 1);
	CHECK_SPAN(m.word.p, m.word.len, "001");
	CHECK_INT(m.cmd, IRC_RPL_WELCOME);
	CHECK_INT(m.numeric, 1);
	CHECK_INT(m.nparams, 2);
	CHECK_INT(m.trailing, 1);
	PARAM(m, 0, "udpchat");
	PARAM(m, 1, "Welcome to the Internet Relay Network udpchat!~udpchat@127.0.0.1");

	PARSE_OK(":carol!~carol@127.0.0.1 PRIVMSG #room :\x02" "bold\x02 \x03" "04,12red\x03"
		 " plain caf\xe9", &m);
	CHECK_SPAN(m.nick.p, m.nick.len, "carol");
	CHECK_SPAN(m.user.p, m.user.len, "~carol");
	CHECK_SPAN(m.host.p, m.host.len, "127.0.0.1");
	CHECK_INT(m.from_server, 0);
	CHECK_INT(m.cmd, IRC_PRIVMSG);
	CHECK_INT(m.numeric, 0);
	CHECK_INT(m.nparams, 2);
	PARAM(m, 0, "#room");
	PARAM(m, 1, "\x02" "bold\x02 \x03" "04,12red\x03 plain caf\xe9");

	PARSE_OK(":carol!~carol@127.0.0.1 PRIVMSG #room :\x01" "ACTION waves\x01", &m);
	PARAM(m, 1, "\x01" "ACTION waves\x01");
	PARSE_OK(":carol!~carol@127.0.0.1 PRIVMSG #room :\xe4\xbd\xa0\xe5\xa5\xbd \xf0\x9f\x98\x80",
		 &m);
	PARAM(m, 1, "你好 😀");
	PARSE_OK(":carol!~carol@127.0.0.1 NOTICE #room :a notice", &m);
	CHECK_INT(m.cmd, IRC_NOTICE);
	PARAM(m, 1, "a notice");

	PARSE_OK(":irc.test.local 433 * udpchat :Nickname already in use", &m);
	CHECK_INT(m.cmd, IRC_ERR_NICKNAMEINUSE);
	CHECK_INT(m.numeric, 433);
	PARAM(m, 0, "*");
	PARAM(m, 1, "udpchat");
	PARAM(m, 2, "Nickname already in use");
	PARSE_OK(":irc.test.local 432 * udpchat_toolong :Nickname too long, max. 9 characters", &m);
	CHECK_INT(m.cmd, IRC_ERR_ERRONEUSNICKNAME);
	PARAM(m, 1, "udpchat_toolong");
	PARSE_OK(":irc.test.local 432 * 9bad :Erroneous nickname", &m);
	CHECK_INT(m.cmd, IRC_ERR_ERRONEUSNICKNAME);

	PARSE_OK(":irc.test.local PONG irc.test.local :tok123", &m);
	CHECK_INT(m.cmd, IRC_PONG);
	PARAM(m, 0, "irc.test.local");
	PARAM(m, 1, "tok123");
	PARSE_OK("PING :irc.test.local", &m);  /* the server's own ping: no prefix */
	CHECK_INT(m.prefix.len, 0);
	CHECK_INT(m.cmd, IRC_PING);
	CHECK_INT(m.nparams, 1);
	PARAM(m, 0, "irc.test.local");

	PARSE_OK(":udpchat!~udpchat@127.0.0.1 JOIN :#room", &m);
	CHECK_INT(m.cmd, IRC_JOIN);
	PARAM(m, 0, "#room");
	CHECK_INT(m.trailing, 1);
	PARSE_OK(":udpchat!~udpchat@127.0.0.1 PART #room :leaving", &m);
	CHECK_INT(m.cmd, IRC_PART);
	PARSE_OK(":carol!~carol@127.0.0.1 QUIT :\"bye now\"", &m);
	CHECK_INT(m.cmd, IRC_QUIT);
	PARAM(m, 0, "\"bye now\"");
	PARSE_OK(":irc.test.local 353 udpchat = #room :@udpchat", &m);
	CHECK_INT(m.numeric, 353);
	CHECK_INT(m.nparams, 4);
	PARAM(m, 3, "@udpchat");

	PARSE_OK(":irc.test.local 005 udpchat RFC2812 IRCD=ngIRCd CHARSET=UTF-8 CASEMAPPING=ascii "
		 "PREFIX=(qaohv)~&@%+ CHANTYPES=#&+ CHANMODES=beI,k,l,imMnOPQRstVz "
		 "CHANLIMIT=#&+:10 :are supported on this server", &m);
	CHECK_INT(m.cmd, IRC_RPL_ISUPPORT);
	CHECK_INT(m.nparams, 10);
	PARAM(m, 9, "are supported on this server");

	PARSE_OK(":irc.test.local 475 carol #k :Cannot join channel (+k) -- Wrong channel key", &m);
	CHECK_INT(m.cmd, IRC_ERR_BADCHANNELKEY);
	PARAM(m, 1, "#k");
	PARSE_OK(":irc.test.local 471 carol #l :Cannot join channel (+l) -- Channel is full, try later",
		 &m);
	CHECK_INT(m.cmd, IRC_ERR_CHANNELISFULL);
	PARSE_OK(":irc.test.local 473 carol #i :Cannot join channel (+i) -- Invited users only", &m);
	CHECK_INT(m.cmd, IRC_ERR_INVITEONLYCHAN);
	PARSE_OK(":irc.test.local 474 carol #b :Cannot join channel (+b) -- You are banned", &m);
	CHECK_INT(m.cmd, IRC_ERR_BANNEDFROMCHAN);
	PARSE_OK(":irc.test.local 404 carol #n :Cannot send to channel", &m);
	CHECK_INT(m.cmd, IRC_ERR_CANNOTSENDTOCHAN);
	PARSE_OK(":irc.test.local 403 carol bad :No such channel", &m);
	CHECK_INT(m.cmd, IRC_ERR_NOSUCHCHANNEL);
	PARAM(m, 1, "bad");
	PARSE_OK(":irc.test.local 401 carol #nochan :No such nick or channel name", &m);
	CHECK_INT(m.cmd, IRC_CMD_OTHER);
	CHECK_INT(m.numeric, 401);

	PARSE_OK("ERROR :Request too long", &m);
	CHECK_INT(m.cmd, IRC_ERROR);
	PARAM(m, 0, "Request too long");
	PARSE_OK(":irc.test.local NOTICE flood :Connection statistics: client 4.4 kb, server 1.4 kb.",
		 &m);
	CHECK_INT(m.cmd, IRC_NOTICE);
	CHECK_INT(m.from_server, 1);
}

/* --- the grammar's corners --------------------------------------------------------- */

static void irc_parse_grammar(void)
{
	static const char *const fifteen[] = { "a", "b", "c", "d", "e", "f", "g", "h", "i", "j",
					       "k", "l", "m", "n", "o p  q" };
	struct irc_msg m;
	size_t i;

	/* IRCv3 tags are skipped, kept as a span */
	PARSE_OK("@time=2026-12-01T19:50:00.000Z;msgid=x\\sy :n!u@h PRIVMSG #c :hi", &m);
	CHECK_SPAN(m.tags.p, m.tags.len, "time=2026-12-01T19:50:00.000Z;msgid=x\\sy");
	CHECK_SPAN(m.nick.p, m.nick.len, "n");
	CHECK_INT(m.cmd, IRC_PRIVMSG);
	PARAM(m, 1, "hi");
	PARSE_OK("@a PING x", &m);
	CHECK_INT(m.cmd, IRC_PING);
	PARAM(m, 0, "x");
	CHECK_INT(m.trailing, 0);

	/* the prefix's forms */
	PARSE_OK(":nick PRIVMSG #c :x", &m);
	CHECK_SPAN(m.nick.p, m.nick.len, "nick");
	CHECK_INT(m.from_server, 0);
	PARSE_OK(":nick@host.example PRIVMSG #c :x", &m);
	CHECK_SPAN(m.nick.p, m.nick.len, "nick");
	CHECK_INT(m.user.len, 0);
	CHECK_SPAN(m.host.p, m.host.len, "host.example");
	CHECK_INT(m.from_server, 0);
	PARSE_OK(":nick!user PRIVMSG #c :x", &m);
	CHECK_SPAN(m.user.p, m.user.len, "user");
	CHECK_INT(m.host.len, 0);
	PARSE_OK(":n@h!x PRIVMSG #c :x", &m); /* a "!" after the "@" is the host's */
	CHECK_SPAN(m.nick.p, m.nick.len, "n");
	CHECK_INT(m.user.len, 0);
	CHECK_SPAN(m.host.p, m.host.len, "h!x");
	PARSE_OK(":!@ PRIVMSG #c :x", &m);
	CHECK_INT(m.nick.len, 0);
	CHECK_INT(m.user.len, 0);
	CHECK_INT(m.host.len, 0);

	/* parameters: runs of spaces, empty trailing, ":" inside, 15 of them */
	PARSE_OK("PRIVMSG   #c    :  two  spaces ", &m);
	PARAM(m, 0, "#c");
	PARAM(m, 1, "  two  spaces ");
	PARSE_OK("PRIVMSG #c :", &m);
	CHECK_INT(m.nparams, 2);
	CHECK_INT(m.trailing, 1);
	PARAM(m, 1, "");
	PARSE_OK("PRIVMSG #c a:b :c:d :e", &m);
	CHECK_INT(m.nparams, 3);
	PARAM(m, 1, "a:b");
	PARAM(m, 2, "c:d :e");
	PARSE_OK("QUIT", &m);
	CHECK_INT(m.nparams, 0);
	PARSE_OK("PING x   ", &m);
	CHECK_INT(m.nparams, 1);
	PARSE_OK("CMD a b c d e f g h i j k l m n o p  q", &m);
	CHECK_INT(m.nparams, 15);
	CHECK_INT(m.trailing, 0);
	for (i = 0; i < 15; i++)
		PARAM(m, i, fifteen[i]);
	PARSE_OK("CMD a b c d e f g h i j k l m n :o p  q", &m);
	CHECK_INT(m.nparams, 15);
	CHECK_INT(m.trailing, 1);
	PARAM(m, 14, "o p  q");
	PARSE_OK("cmd a", &m); /* a command word in any case */
	CHECK_SPAN(m.word.p, m.word.len, "cmd");
	PARSE_OK("000 x", &m);
	CHECK_INT(m.numeric, 0);
	PARSE_OK("999 x", &m);
	CHECK_INT(m.numeric, 999);
}

static void refused(const char *s, size_t len, size_t linelen, const char *why, int at)
{
	struct irc_msg m;
	const char *err = irc_parse(spl(s, len), linelen, &m);

	if (!test_str_eq(err, why))
		test_fail(__FILE__, at, "\"%s\": \"%s\", want \"%s\"", test_esc(s, len),
			  err ? err : "(taken)", why ? why : "(taken)");
	if (!err)
		check_inside(&m, s, len, at);
}

#define REFUSED(s, why) refused((s), sizeof(s) - 1, 0, (why), __LINE__)

static void irc_parse_refused(void)
{
	static char big[IRC_TAGS_MAX + 2 * IRC_LINE_MAX + 8];
	size_t n;

	REFUSED("", "empty line");
	REFUSED("PRIVMSG #c :a\0b", "contains a NUL byte");
	REFUSED("\0", "contains a NUL byte");
	REFUSED("PRIVMSG #c :a\rQUIT", "contains CR or LF");
	REFUSED("PRIVMSG #c :a\nQUIT", "contains CR or LF");
	REFUSED(":prefix", "no command");
	REFUSED(":prefix   ", "no command");
	REFUSED("@tags", "no command");
	REFUSED("@tags :prefix", "no command");
	REFUSED("   ", "no command");
	REFUSED(": PRIVMSG #c :x", "empty prefix");
	REFUSED("12 x", "bad command");
	REFUSED("1234 x", "bad command");
	REFUSED("PRIV-MSG x", "bad command");
	REFUSED("PR1VMSG x", "bad command");
	REFUSED("\xe4\xbd\xa0 x", "bad command");
	REFUSED(":a!b@c 12a :x", "bad command");

	/* 510 bytes and "\r\n" are 512: taken; 511 are not */
	memset(big, 'x', sizeof(big));
	memcpy(big, "PRIVMSG #c :", 12);
	refused(big, 510, 0, NULL, __LINE__);
	refused(big, 511, 0, "longer than the line limit", __LINE__);
	refused(big, 511, IRC_LINE_MAX, "longer than the line limit", __LINE__);
	/* a server's LINELEN */
	refused(big, 1022, 1024, NULL, __LINE__);
	refused(big, 1023, 1024, "longer than the line limit", __LINE__);
	refused(big, sizeof(big), 0, "longer than the line limit", __LINE__);

	/* tags: "@", the tags and the space are at most 8191 bytes, and the
	 * rest is held to the line limit on its own */
	memset(big, 'x', sizeof(big));
	big[0] = '@';
	n = IRC_TAGS_MAX - 1;      /* the space is byte 8191 */
	big[n] = ' ';
	memcpy(big + n + 1, "PRIVMSG #c :", 12);
	refused(big, n + 1 + 510, 0, NULL, __LINE__);
	refused(big, n + 1 + 511, 0, "longer than the line limit", __LINE__);
	big[n] = 'x';
	big[n + 1] = ' ';          /* one byte more of tags */
	refused(big, n + 2 + 100, 0, "tags longer than 8191 bytes", __LINE__);
}

/* --- ISUPPORT --------------------------------------------------------------------- */

static void irc_isupport(void)
{
	struct irc_isupport is;
	struct irc_msg m;

	irc_isupport_init(&is);
	CHECK_INT(is.nicklen, 9);
	CHECK_INT(is.channellen, 50);
	CHECK_INT(is.linelen, 512);
	/* ngIRCd's two lines: the first has none of ours */
	PARSE_OK(":irc.test.local 005 udpchat RFC2812 IRCD=ngIRCd CHARSET=UTF-8 CASEMAPPING=ascii "
		 "PREFIX=(qaohv)~&@%+ CHANTYPES=#&+ CHANMODES=beI,k,l,imMnOPQRstVz "
		 "CHANLIMIT=#&+:10 :are supported on this server", &m);
	CHECK_INT(irc_isupport_parse(&is, &m), 0);
	PARSE_OK(":irc.test.local 005 udpchat CHANNELLEN=50 NICKLEN=9 TOPICLEN=490 AWAYLEN=127 "
		 "KICKLEN=400 MODES=5 MAXLIST=beI:50 EXCEPTS=e INVEX=I PENALTY FNC "
		 ":are supported on this server", &m);
	is.nicklen = is.channellen = 1;
	CHECK_INT(irc_isupport_parse(&is, &m), 2);
	CHECK_INT(is.nicklen, 9);
	CHECK_INT(is.channellen, 50);
	CHECK_INT(is.linelen, 512);
	/* another server's: longer nicks and lines */
	PARSE_OK(":s 005 bot NICKLEN=30 LINELEN=1024 CHANNELLEN=64 :are supported", &m);
	CHECK_INT(irc_isupport_parse(&is, &m), 3);
	CHECK_INT(is.nicklen, 30);
	CHECK_INT(is.linelen, 1024);
	CHECK_INT(is.channellen, 64);
	/* out of range or not a number: left as it was */
	PARSE_OK(":s 005 bot NICKLEN=0 NICKLEN=65 NICKLEN=x NICKLEN= NICKLEN LINELEN=511 "
		 "LINELEN=8193 CHANNELLEN=99999999999 :are supported", &m);
	CHECK_INT(irc_isupport_parse(&is, &m), 0);
	CHECK_INT(is.nicklen, 30);
	CHECK_INT(is.linelen, 1024);
	CHECK_INT(is.channellen, 64);
	/* "-KEY": back to the default; the last parameter is only text */
	PARSE_OK(":s 005 bot -NICKLEN -LINELEN :NICKLEN=20", &m);
	CHECK_INT(irc_isupport_parse(&is, &m), 2);
	CHECK_INT(is.nicklen, 9);
	CHECK_INT(is.linelen, 512);
	/* keys are whole words, in capitals */
	PARSE_OK(":s 005 bot NICKLENX=20 nicklen=20 NICK=20 :x", &m);
	CHECK_INT(irc_isupport_parse(&is, &m), 0);
	CHECK_INT(is.nicklen, 9);
	/* not a 005 */
	PARSE_OK(":s 004 bot NICKLEN=20 :x", &m);
	CHECK_INT(irc_isupport_parse(&is, &m), -1);
	PARSE_OK(":s 005", &m);
	CHECK_INT(irc_isupport_parse(&is, &m), 0);
}

/* --- text to the room ----------------------------------------------------------- */

/* Converts in[0..len) and checks kind and result; the result always passes
 * the room's own check. */
static void text_is(const char *in, size_t len, enum irc_text_kind want_kind, const char *want,
		    int at)
{
	char out[3 * 600];
	enum irc_text_kind kind = (enum irc_text_kind)99;
	long n;

	if (len > 600) {
		test_fail(__FILE__, at, "input too long for the test");
		return;
	}
	n = irc_text_to_room(spl(in, len), out, IRC_TEXT_OUT(len), &kind);
	if (n < 0) {
		test_fail(__FILE__, at, "\"%s\": refused", test_esc(in, len));
		return;
	}
	if (kind != want_kind)
		test_fail(__FILE__, at, "\"%s\": kind %d, want %d", test_esc(in, len), (int)kind,
			  (int)want_kind);
	if (!test_mem_eq(out, (size_t)n, want))
		test_fail(__FILE__, at, "\"%s\" gave \"%s\", want \"%s\"", test_esc(in, len),
			  test_esc(out, (size_t)n), test_esc(want, strlen(want)));
	if (utf8_check_text(out, (size_t)n) != 0)
		test_fail(__FILE__, at, "\"%s\" gave \"%s\", which the room refuses",
			  test_esc(in, len), test_esc(out, (size_t)n));
}

#define TEXT(in, want) text_is((in), sizeof(in) - 1, IRC_TEXT_PLAIN, (want), __LINE__)
#define TEXT_KIND(in, kind, want) text_is((in), sizeof(in) - 1, (kind), (want), __LINE__)

static void irc_text_format(void)
{
	TEXT("hello", "hello");
	TEXT("", "");
	TEXT("你好 😀", "你好 😀");
	/* what carol's irssi sent through ngIRCd: bold, colours, latin-1 */
	TEXT("\x02" "bold\x02 \x03" "04,12red\x03 plain caf\xe9", "bold red plain café");
	/* formatting codes */
	TEXT("\x02" "b\x1d" "i\x1f" "u\x1e" "s\x11" "m\x16" "r\x0f" "o", "biusmro");
	/* \x03: up to 2 digits, a comma only before a digit, then up to 2 */
	TEXT("\x03" "4red", "red");
	TEXT("\x03" "04red", "red");
	TEXT("\x03" "123", "3");
	TEXT("\x03" "4,5x", "x");
	TEXT("\x03" "04,05x", "x");
	TEXT("\x03" "99,999", "9");
	TEXT("\x03" "4,x", ",x");
	TEXT("\x03" ",5x", ",5x");
	TEXT("\x03" "4,", ",");
	TEXT("a\x03", "a");
	TEXT("\x03\x03" "5x", "x");
	/* \x04: 6 hex digits, then a comma and 6 more */
	TEXT("\x04" "FF0000red", "red");
	TEXT("\x04" "ff00aa,00FF00x", "x");
	TEXT("\x04" "FF0000,00FF0x", ",00FF0x");
	TEXT("\x04" "FF000x", "FF000x");
	TEXT("\x04", "");
	/* every other control character, DEL; a tab is a space */
	TEXT("a\tb", "a b");
	TEXT("\x1b[31mred\x1b[0m", "[31mred[0m");
	TEXT("a\x7f" "b\x07\x08\x0b\x0c\x1a", "ab");
	TEXT("a\x01" "b", "ab");
	/* C1 controls and bidi controls, encoded in UTF-8 */
	TEXT("a\xc2\x85" "b\xc2\x9b" "c", "abc");
	TEXT("abc\xe2\x80\xae" "def\xe2\x80\xac", "abcdef");
	TEXT("\xe2\x81\xa6" "x\xe2\x81\xa9\xe2\x80\x8f\xd8\x9c", "x");
	/* Arabic, Hebrew, combining marks and emoji sequences stay */
	TEXT("שלום مرحبا", "שלום مرحبا");
	TEXT("e\xcc\x81 👩\xe2\x80\x8d💻", "e\xcc\x81 👩\xe2\x80\x8d💻");
}

static void irc_text_ctcp(void)
{
	TEXT_KIND("\x01" "ACTION waves\x01", IRC_TEXT_ACTION, "waves");
	TEXT_KIND("\x01" "ACTION waves", IRC_TEXT_ACTION, "waves");
	TEXT_KIND("\x01" "ACTION \x02waves\x02 at caf\xe9\x01", IRC_TEXT_ACTION, "waves at café");
	TEXT_KIND("\x01" "ACTION\x01", IRC_TEXT_ACTION, "");
	TEXT_KIND("\x01" "ACTION", IRC_TEXT_ACTION, "");
	TEXT_KIND("\x01" "ACTION  two\x01", IRC_TEXT_ACTION, " two");
	TEXT_KIND("\x01" "VERSION\x01", IRC_TEXT_CTCP, "");
	TEXT_KIND("\x01" "PING 12345\x01", IRC_TEXT_CTCP, "");
	TEXT_KIND("\x01" "ACTIONS x\x01", IRC_TEXT_CTCP, "");
	TEXT_KIND("\x01" "action x\x01", IRC_TEXT_CTCP, "");
	TEXT_KIND("\x01", IRC_TEXT_CTCP, "");
	TEXT_KIND("\x01" "ACT", IRC_TEXT_CTCP, "");
	/* \x01 not first: not CTCP, dropped */
	TEXT_KIND(" \x01" "ACTION x\x01", IRC_TEXT_PLAIN, " ACTION x");
}

static void irc_text_latin1(void)
{
	char out[16];
	enum irc_text_kind kind;

	TEXT("caf\xe9", "café");
	TEXT("\xa0\xff", "\xc2\xa0ÿ");
	TEXT("Gr\xfc\xdf" "e", "Grüße");
	/* Windows-1252's 0x80-0x9f; its 5 holes are dropped */
	TEXT("\x80 \x85 \x93q\x94 \x99", "€ … “q” ™");
	TEXT("a\x81\x8d\x8f\x90\x9d" "b", "ab");
	/* one byte that is not UTF-8 makes all of it latin-1 */
	TEXT("\xc3\xa9\xe9", "Ã©é");
	/* a truncated sequence, overlongs, a surrogate */
	TEXT("\xe4\xbd", "ä½");
	TEXT("\xc0\xaf", "À¯");
	TEXT("\xed\xa0\x80", "í\xc2\xa0€");
	/* a buffer smaller than IRC_TEXT_OUT: refused, nothing written */
	memset(out, 'z', sizeof(out));
	CHECK_INT(irc_text_to_room(sp("hello"), out, 14, &kind), -1);
	CHECK(out[0] == 'z');
	CHECK_INT(irc_text_to_room(sp("hello"), out, 15, &kind), 5);
	CHECK_INT(irc_text_to_room(sp(""), out, 0, &kind), 0);
	/* the worst case fills IRC_TEXT_OUT exactly */
	CHECK_INT(irc_text_to_room(sp("\x80\x80\x80\x80\x80"), out, 15, &kind), 15);
}

/* Every byte alone and every pair, after a \x01ACTION and not: the result
 * always passes the room's check. */
static void irc_text_all_bytes(void)
{
	char in[12], out[36];
	enum irc_text_kind kind;
	unsigned a, b, pre;
	long n;

	for (pre = 0; pre < 2; pre++) {
		for (a = 0; a < 256; a++) {
			for (b = 0; b < 256; b++) {
				size_t len = 0;

				if (pre) {
					memcpy(in, "\x01" "ACTION ", 8);
					len = 8;
				}
				in[len++] = (char)a;
				in[len++] = (char)b;
				n = irc_text_to_room(spl(in, len), out, sizeof(out), &kind);
				if (n < 0 || utf8_check_text(out, (size_t)n) != 0) {
					test_fail(__FILE__, __LINE__, "\"%s\" gave \"%s\"",
						  test_esc(in, len), test_esc(out, n < 0 ? 0 : (size_t)n));
					return;
				}
			}
		}
	}
}

/* --- splitting ------------------------------------------------------------------- */

/* Cuts text[0..len) with max and checks: each piece 1..max bytes, valid
 * UTF-8 if text is, the pieces together are text. Returns the count. */
static size_t split_check(const char *text, size_t len, size_t max, int at)
{
	static char joined[8192];
	size_t n, off = 0, pieces = 0;
	int valid = utf8_valid(text, len);

	while (off < len) {
		n = irc_split(text + off, len - off, max);
		if (n == 0 || n > max || n > len - off) {
			test_fail(__FILE__, at, "piece %zu at %zu: %zu bytes (max %zu, %zu left)",
				  pieces, off, n, max, len - off);
			return pieces;
		}
		if (valid && !utf8_valid(text + off, n))
			test_fail(__FILE__, at, "piece %zu at %zu (%zu bytes) is not UTF-8", pieces,
				  off, n);
		memcpy(joined + off, text + off, n);
		off += n;
		pieces++;
	}
	if (off != len || (len > 0 && memcmp(joined, text, len) != 0))
		test_fail(__FILE__, at, "the pieces are not the text again");
	return pieces;
}

static void irc_split_budgets(void)
{
	/* ":" + 9 + "!" + 20 + "@" + 63 + " " */
	CHECK_INT(irc_prefix_len(9), 96);
	CHECK_INT(irc_prefix_len(0), 87);
	/* 512 - (96 + "PRIVMSG " + "#udpchat" + " :" + "<alice> " + "\r\n") */
	CHECK_INT(irc_split_budget(96, 8, 8, 0), 388);
	CHECK_INT(irc_split_budget(96, 8, 8, 512), 388);
	CHECK_INT(irc_split_budget(96, 8, 8, 1024), 900);
	CHECK_INT(irc_split_budget(0, 0, 0, 0), 500);
	/* too little room */
	CHECK_INT(irc_split_budget(400, 50, 47, 0), 0);  /* 3 bytes left */
	CHECK_INT(irc_split_budget(400, 50, 46, 0), 4);
	CHECK_INT(irc_split_budget(600, 0, 0, 0), 0);
	CHECK_INT(irc_split_budget((size_t)-1, 0, 0, 0), 0);
}

static void irc_split_basic(void)
{
	char s[64];
	size_t k;

	CHECK_INT(irc_split("", 0, 10), 0);
	CHECK_INT(irc_split("abc", 3, 3), 3);
	CHECK_INT(irc_split("abc", 3, 300), 3);
	CHECK_INT(irc_split("abcdef", 6, 3), 0);  /* max below IRC_SPLIT_MIN */
	CHECK_INT(irc_split("abcdef", 6, 4), 4);
	CHECK_INT(irc_split("abcdef", 6, 5), 5);
	/* a space within the last IRC_SPLIT_SLACK bytes: cut after it */
	CHECK_INT(irc_split("hello world, again", 18, 12), 6);
	CHECK_INT(irc_split("hello world", 11, 6), 6);
	CHECK_INT(irc_split("hello  world", 12, 7), 7);
	/* one byte beyond the slack: not that space */
	memset(s, 'x', sizeof(s));
	s[9] = ' ';               /* among the last 30 of 39 bytes, not of 40 */
	CHECK_INT(irc_split(s, sizeof(s), 39), 10);
	CHECK_INT(irc_split(s, sizeof(s), 40), 40);
	/* never in a character: 中 is 3 bytes, 😀 4, é 2 */
	CHECK_INT(irc_split("中中中", 9, 4), 3);
	CHECK_INT(irc_split("中中中", 9, 5), 3);
	CHECK_INT(irc_split("中中中", 9, 6), 6);
	CHECK_INT(irc_split("😀😀", 8, 4), 4);
	CHECK_INT(irc_split("😀😀", 8, 7), 4);
	CHECK_INT(irc_split("a😀", 5, 4), 1);
	CHECK_INT(irc_split("éééé", 8, 5), 4);
	/* not between a character and its combining mark, variation selector
	 * or skin tone, nor next to a zero width joiner */
	CHECK_INT(irc_split("abce\xcc\x81" "fgh", 9, 4), 3);
	CHECK_INT(irc_split("abce\xcc\x81" "fgh", 9, 5), 3);
	CHECK_INT(irc_split("abce\xcc\x81" "fgh", 9, 6), 6);
	CHECK_INT(irc_split("ab👩\xe2\x80\x8d💻cd", 15, 9), 2);
	CHECK_INT(irc_split("ab👩\xe2\x80\x8d💻cd", 15, 6), 2);
	CHECK_INT(irc_split("ab👩\xe2\x80\x8d💻cd", 15, 13), 13);
	CHECK_INT(irc_split("ab👍🏽cd", 12, 6), 2);
	CHECK_INT(irc_split("ab❤\xef\xb8\x8f" "cd", 10, 5), 2);
	CHECK_INT(irc_split("a b\xcc\x81" "cdef", 9, 4), 2);  /* a space before b + U+0301 */
	CHECK_INT(irc_split("a \xcc\x81" "cdef", 8, 4), 4);   /* a space with a mark: not there */
	/* a cluster longer than IRC_SPLIT_CLUSTER characters is cut */
	memcpy(s, "xyza", 4);      /* "a" and 20 x U+0301 after "xyz" */
	for (k = 4; k < 44; k += 2)
		memcpy(s + k, "\xcc\x81", 2);
	CHECK_INT(irc_split(s, 44, 10), 3);  /* 3 characters back: whole */
	CHECK_INT(irc_split(s, 44, 21), 20);
	CHECK_INT(irc_split(s, 44, 30), 30); /* 13 back: cut */
	/* not UTF-8 (continuation bytes only): cut at max */
	CHECK_INT(irc_split("\x80\x80\x80\x80\x80\x80", 6, 5), 5);
}

/* The issue's 500-byte Chinese line and a line of emoji, cut for a relay
 * line of at most 512 bytes with the longest prefix the server may give. */
static void irc_split_chinese_emoji(void)
{
	static const char nick[] = "udpchat_1", chan[] = "#udpchat", tag[] = "<alice> ";
	char line[600], msg[IRC_LINE_MAX + 1], relayed[1024];
	size_t budget, len, off, n, pieces, rlen, plen;
	int k;

	budget = irc_split_budget(irc_prefix_len(sizeof(nick) - 1), sizeof(chan) - 1,
				  sizeof(tag) - 1, 0);
	CHECK_INT(budget, 388);
	/* 166 x 中 (498 bytes) and "ok" */
	for (len = 0; len < 498; len += 3)
		memcpy(line + len, "中", 3);
	memcpy(line + len, "ok", 2);
	len += 2;
	CHECK_INT(len, 500);
	pieces = split_check(line, len, budget, __LINE__);
	CHECK_INT(pieces, 2);
	CHECK_INT(irc_split(line, len, budget), 387); /* 129 characters */
	/* each piece as the bot sends it, and as the server relays it */
	plen = irc_prefix_len(sizeof(nick) - 1);
	for (off = 0; off < len; off += n) {
		char text[400];

		n = irc_split(line + off, len - off, budget);
		memcpy(text, tag, sizeof(tag) - 1);
		memcpy(text + sizeof(tag) - 1, line + off, n);
		k = irc_fmt_msg(msg, sizeof(msg), IRC_PRIVMSG, chan,
				spl(text, sizeof(tag) - 1 + n));
		CHECK(k > 0);
		if (k <= 0)
			return;
		rlen = plen + (size_t)k;  /* ":nick!user@host " + the line */
		CHECK_MSG(rlen <= IRC_LINE_MAX, "relayed line of %zu bytes", rlen);
		memset(relayed, 'h', plen);
		memcpy(relayed + plen, msg, (size_t)k);
		CHECK(utf8_valid(relayed, rlen));
	}
	/* 125 x 😀: 500 bytes; the budget is a multiple of 4, and one less */
	for (len = 0; len < 500; len += 4)
		memcpy(line + len, "😀", 4);
	CHECK_INT(split_check(line, len, budget, __LINE__), 2);
	CHECK_INT(irc_split(line, len, budget), 388);
	CHECK_INT(irc_split(line, len, budget - 1), 384);
	CHECK_INT(split_check(line, len, 5, __LINE__), 125);
	CHECK_INT(split_check(line, len, 4, __LINE__), 125);
	CHECK_INT(split_check(line, len, 7, __LINE__), 125);
}

/* Random text from ASCII, spaces, 2-, 3- and 4-byte characters and a
 * combining mark, cut with random maxima: the pieces give the text back,
 * each is valid UTF-8 and at most max bytes. */
static void irc_split_property(void)
{
	static const char *const parts[] = { "a", "Z", " ", "  ", "é", "中", "😀", "e\xcc\x81",
					     "ש", ".", "\xf4\x8f\xbf\xbf" };
	static char text[4096];
	uint32_t seed = 12345;
	size_t len, target, max, k;
	int round;

	for (round = 0; round < 3000; round++) {
		seed = seed * 1103515245u + 12345u;
		target = (seed >> 8) % 1500;
		for (len = 0; len < target;) {
			seed = seed * 1103515245u + 12345u;
			k = (seed >> 16) % (sizeof(parts) / sizeof(parts[0]));
			memcpy(text + len, parts[k], strlen(parts[k]));
			len += strlen(parts[k]);
		}
		seed = seed * 1103515245u + 12345u;
		max = IRC_SPLIT_MIN + (seed >> 12) % 600;
		split_check(text, len, max, __LINE__);
	}
}

/* --- the bot's lines --------------------------------------------------------------- */

#define FMT(call, want) do { \
	char b_[IRC_LINE_MAX + 8]; \
	int n_; \
	memset(b_, 'z', sizeof(b_)); \
	n_ = (call); \
	CHECK_MSG(n_ == (int)strlen(want) && memcmp(b_, (want), strlen(want) + 1) == 0, \
		  "%s gave %d \"%s\", want \"%s\"", #call, n_, \
		  n_ < 0 ? "" : test_esc(b_, (size_t)n_), test_esc((want), strlen(want))); \
} while (0)
#define FMT_BAD(call) do { \
	char b_[IRC_LINE_MAX + 8]; \
	int n_ = (call); \
	CHECK_MSG(n_ == -1, "%s gave %d, want -1", #call, n_); \
} while (0)
#define B b_, sizeof(b_)

static void irc_fmt_lines(void)
{
	FMT(irc_fmt_nick(B, "udpchat"), "NICK udpchat\r\n");
	FMT(irc_fmt_user(B, "udpchat", "udpchat bridge"), "USER udpchat 0 * :udpchat bridge\r\n");
	FMT(irc_fmt_join(B, "#room", NULL), "JOIN #room\r\n");
	FMT(irc_fmt_join(B, "#room", ""), "JOIN #room\r\n");
	FMT(irc_fmt_join(B, "#k", "sekrit"), "JOIN #k sekrit\r\n");
	FMT(irc_fmt_ping(B, sp("udpchat")), "PING :udpchat\r\n");
	FMT(irc_fmt_pong(B, sp("irc.test.local")), "PONG :irc.test.local\r\n");
	FMT(irc_fmt_pong(B, sp("two words")), "PONG :two words\r\n");
	FMT(irc_fmt_msg(B, IRC_PRIVMSG, "#room", sp("<alice> 你好")),
	    "PRIVMSG #room :<alice> 你好\r\n");
	FMT(irc_fmt_msg(B, IRC_NOTICE, "#room", sp("alice joined the room")),
	    "NOTICE #room :alice joined the room\r\n");
	FMT(irc_fmt_msg(B, IRC_PRIVMSG, "#room", sp(":colon first")),
	    "PRIVMSG #room ::colon first\r\n");
	FMT(irc_fmt_quit(B, sp("udpchatd stopped")), "QUIT :udpchatd stopped\r\n");
	FMT(irc_fmt_quit(B, sp("")), "QUIT\r\n");
	/* a span is used to its length, not to a NUL */
	FMT(irc_fmt_msg(B, IRC_PRIVMSG, "#r", spl("abcdef", 3)), "PRIVMSG #r :abc\r\n");
}

static void irc_fmt_injection(void)
{
	/* a second command smuggled in with CR, LF or NUL */
	FMT_BAD(irc_fmt_nick(B, "a\r\nQUIT"));
	FMT_BAD(irc_fmt_nick(B, "a\nQUIT"));
	FMT_BAD(irc_fmt_user(B, "u", "real\r\nQUIT :x"));
	FMT_BAD(irc_fmt_join(B, "#room\r\nPRIVMSG #x :y", NULL));
	FMT_BAD(irc_fmt_join(B, "#room", "key\nQUIT"));
	FMT_BAD(irc_fmt_ping(B, sp("x\r\nQUIT")));
	FMT_BAD(irc_fmt_pong(B, sp("x\rQUIT")));
	FMT_BAD(irc_fmt_pong(B, spl("x\0QUIT", 6)));
	FMT_BAD(irc_fmt_msg(B, IRC_PRIVMSG, "#room", sp("hi\r\nQUIT :pwned")));
	FMT_BAD(irc_fmt_msg(B, IRC_PRIVMSG, "#room", sp("hi\nJOIN #other")));
	FMT_BAD(irc_fmt_msg(B, IRC_PRIVMSG, "#room", spl("hi\0there", 8)));
	FMT_BAD(irc_fmt_msg(B, IRC_NOTICE, "#room\r\nQUIT", sp("x")));
	FMT_BAD(irc_fmt_quit(B, sp("bye\r\nNICK x")));
	/* a space would make a second parameter; ":" first makes a trailing */
	FMT_BAD(irc_fmt_nick(B, "a b"));
	FMT_BAD(irc_fmt_nick(B, ":a"));
	FMT_BAD(irc_fmt_nick(B, ""));
	FMT_BAD(irc_fmt_user(B, "u v", "r"));
	FMT_BAD(irc_fmt_user(B, "u@h", "r"));
	FMT_BAD(irc_fmt_user(B, "", "r"));
	FMT_BAD(irc_fmt_join(B, "#a b", NULL));
	FMT_BAD(irc_fmt_join(B, "#a", "k k"));
	FMT_BAD(irc_fmt_join(B, "", NULL));
	FMT_BAD(irc_fmt_join(B, ":#a", NULL));
	FMT_BAD(irc_fmt_msg(B, IRC_PRIVMSG, "#a b", sp("x")));
	FMT_BAD(irc_fmt_msg(B, IRC_PRIVMSG, "", sp("x")));
	/* a list where one channel is meant; BEL in a channel (RFC 2812 1.3) */
	FMT_BAD(irc_fmt_join(B, "#a,#b", NULL));
	FMT_BAD(irc_fmt_join(B, "#a", "k,l"));
	FMT_BAD(irc_fmt_join(B, "#a\a", NULL));
	FMT_BAD(irc_fmt_msg(B, IRC_PRIVMSG, "#a,#b", sp("x")));
	/* nothing to say; a command that is not PRIVMSG or NOTICE */
	FMT_BAD(irc_fmt_msg(B, IRC_PRIVMSG, "#a", sp("")));
	FMT_BAD(irc_fmt_ping(B, sp("")));
	FMT_BAD(irc_fmt_pong(B, sp("")));
	FMT_BAD(irc_fmt_msg(B, IRC_JOIN, "#a", sp("x")));
	FMT_BAD(irc_fmt_msg(B, IRC_CMD_OTHER, "#a", sp("x")));
}

static void irc_fmt_limits(void)
{
	static char text[600];
	char buf[IRC_LINE_MAX + 8];
	size_t n = IRC_LINE_MAX - (sizeof("PRIVMSG #c :\r\n") - 1);

	memset(text, 'x', sizeof(text));
	/* 512 bytes with "\r\n": taken; 513: refused */
	CHECK_INT(irc_fmt_msg(buf, sizeof(buf), IRC_PRIVMSG, "#c", spl(text, n)), 512);
	CHECK_INT(irc_fmt_msg(buf, sizeof(buf), IRC_PRIVMSG, "#c", spl(text, n + 1)), -1);
	CHECK_INT(irc_fmt_msg(buf, sizeof(buf), IRC_PRIVMSG, "#c", spl(text, sizeof(text))), -1);
	/* the buffer holds the line and its NUL, or nothing is promised */
	CHECK_INT(irc_fmt_nick(buf, 14, "udpchat"), -1);
	CHECK_INT(irc_fmt_nick(buf, 15, "udpchat"), 14);
	CHECK(memcmp(buf, "NICK udpchat\r\n", 15) == 0);
	CHECK_INT(irc_fmt_nick(buf, 0, "udpchat"), -1);
	CHECK_INT(irc_fmt_quit(buf, 6, sp("")), -1);
	CHECK_INT(irc_fmt_quit(buf, 7, sp("")), 6);
}

/* --- pacing ------------------------------------------------------------------------ */

static void irc_pace_burst(void)
{
	struct irc_pace p;
	int i;

	irc_pace_init(&p, IRC_PACE_COST_MS, IRC_PACE_BURST_MS, 1000);
	for (i = 0; i < 5; i++) {
		CHECK_MSG(irc_pace_wait(&p, 1000) == 0, "line %d of the burst held", i);
		irc_pace_sent(&p, 1000);
	}
	CHECK_INT(irc_pace_wait(&p, 1000), 2000);
	CHECK_INT(irc_pace_wait(&p, 1500), 1500);
	CHECK_INT(irc_pace_wait(&p, 2999), 1);
	CHECK_INT(irc_pace_wait(&p, 3000), 0);
	irc_pace_sent(&p, 3000);
	CHECK_INT(irc_pace_wait(&p, 3000), 2000);
	/* time going back does not let a line through */
	CHECK_INT(irc_pace_wait(&p, 0), 5000);
	/* idle long enough: a whole burst again, not more */
	for (i = 0; irc_pace_wait(&p, 60000) == 0 && i < 100; i++)
		irc_pace_sent(&p, 60000);
	CHECK_INT(i, 5);
}

/* A sender that sends whenever it may, for a minute: 5 at once, then one
 * every 2 s; its lines of 512 bytes stay within ngIRCd's 256 bytes a
 * second after the burst. */
static void irc_pace_minute(void)
{
	struct irc_pace p;
	int64_t now = 0, w;
	int sent = 0, after = 0;

	irc_pace_init(&p, IRC_PACE_COST_MS, IRC_PACE_BURST_MS, 0);
	while (now <= 60000) {
		w = irc_pace_wait(&p, now);
		if (w > 0) {
			now += w;  /* the poll timeout it asks for */
			continue;
		}
		irc_pace_sent(&p, now);
		sent++;
		if (now >= 10000)
			after++;
	}
	CHECK_INT(sent, 5 + 30);
	CHECK_INT(after, 26);      /* 10 s .. 60 s: one each 2 s */
	/* pacing off */
	irc_pace_init(&p, 0, IRC_PACE_BURST_MS, 0);
	for (sent = 0; sent < 1000; sent++) {
		CHECK_INT(irc_pace_wait(&p, 0), 0);
		irc_pace_sent(&p, 0);
	}
	/* another rule: 1 s a line, bursts of 4 */
	irc_pace_init(&p, 1000, 4000, 0);
	for (sent = 0; irc_pace_wait(&p, 0) == 0 && sent < 100; sent++)
		irc_pace_sent(&p, 0);
	CHECK_INT(sent, 4);
	CHECK_INT(irc_pace_wait(&p, 0), 1000);
}

/* --- nicks --------------------------------------------------------------------------- */

static void irc_nicks_ok(void)
{
	CHECK_INT(irc_nick_ok(sp("udpchat"), 9), 1);
	CHECK_INT(irc_nick_ok(sp("udpchat_1"), 9), 1);
	CHECK_INT(irc_nick_ok(sp("udpchat_10"), 9), 0);
	CHECK_INT(irc_nick_ok(sp("udpchat_10"), 10), 1);
	CHECK_INT(irc_nick_ok(sp("[bot]`^{|}"), 10), 1);
	CHECK_INT(irc_nick_ok(sp("a-1"), 9), 1);
	CHECK_INT(irc_nick_ok(sp("9bad"), 9), 0);
	CHECK_INT(irc_nick_ok(sp("-bad"), 9), 0);
	CHECK_INT(irc_nick_ok(sp("a b"), 9), 0);
	CHECK_INT(irc_nick_ok(sp("a.b"), 9), 0);
	CHECK_INT(irc_nick_ok(sp("a~b"), 9), 0);
	CHECK_INT(irc_nick_ok(sp("张三"), 9), 0);
	CHECK_INT(irc_nick_ok(sp(""), 9), 0);
}

static void nick_is(const char *base, unsigned nicklen, unsigned n, const char *want, int at)
{
	char out[IRC_NICKLEN_MAX + 1];
	int r = irc_nick_alt(out, base, nicklen, n);

	if (r < 0 || !test_str_eq(out, want) || (size_t)r != strlen(want))
		test_fail(__FILE__, at, "alternate %u of \"%s\" (%u): %d \"%s\", want \"%s\"", n,
			  base, nicklen, r, r < 0 ? "" : out, want);
}

#define NICK(base, nicklen, n, want) nick_is((base), (nicklen), (n), (want), __LINE__)

static void irc_nick_alternates(void)
{
	char out[IRC_NICKLEN_MAX + 1], seen[IRC_NICK_TRIES][IRC_NICKLEN_MAX + 1];
	unsigned n, k;
	int r;

	NICK("udpchat", 9, 0, "udpchat");
	NICK("udpchat", 9, 1, "udpchat_");
	NICK("udpchat", 9, 2, "udpchat1");
	NICK("udpchat", 9, 10, "udpchat9");
	NICK("udpchat", 9, 11, "udpchat10");
	NICK("udpchat", 9, 99, "udpchat98");
	NICK("udpchat", 0, 1, "udpchat_"); /* 0: RFC's 9 */
	NICK("longnickname", 9, 0, "longnickn");
	NICK("longnickname", 9, 1, "longnick_");
	NICK("longnickname", 9, 2, "longnick1");
	NICK("longnickname", 9, 11, "longnic10");
	NICK("longnickname", 30, 1, "longnickname_");
	NICK("a", 9, 1, "a_");
	NICK("a", 9, 11, "a10");
	NICK("ab", 2, 2, "a1");
	NICK("9bad", 9, 0, "udpchat"); /* not a nick: the default */
	NICK("张三", 9, 1, "udpchat_");
	NICK("", 9, 2, "udpchat1");
	NICK("a b", 9, 0, "udpchat");
	NICK("udpchat", 100, 1, "udpchat_"); /* NICKLEN above the maximum */
	CHECK_INT(irc_nick_alt(out, "udpchat", 9, IRC_NICK_TRIES), -1);
	CHECK_INT(irc_nick_alt(out, "udpchat", 9, 1000000), -1);
	CHECK_INT(irc_nick_alt(out, "ab", 1, 0), 1);
	CHECK_INT(irc_nick_alt(out, "ab", 1, 1), -1);
	CHECK_INT(irc_nick_alt(out, "ab", 2, 11), -1);  /* "10" would be all suffix */
	/* all IRC_NICK_TRIES alternates are nicks within 9 bytes, all different */
	for (n = 0; n < IRC_NICK_TRIES; n++) {
		r = irc_nick_alt(seen[n], "udpchat", 9, n);
		CHECK_MSG(r > 0 && irc_nick_ok(sp(seen[n]), 9), "alternate %u: \"%s\"", n,
			  r > 0 ? seen[n] : "");
		for (k = 0; k < n; k++)
			CHECK_MSG(strcmp(seen[k], seen[n]) != 0, "alternates %u and %u: \"%s\"", k, n,
				  seen[n]);
	}
}

/* udpchatirc's reading of room events: chat lines to PRIVMSG, a bridge's
 * lines never (never twice), the rest NOTICEs */
static void ircbot_events(void)
{
	static const struct {
		const char *t;
		enum ircbot_event want;
		size_t name;
	} cases[] = {
		{ "alice: hi", IRCBOT_EV_CHAT, 5 },
		{ "张三: 你好", IRCBOT_EV_CHAT, 6 },
		{ "alice: ", IRCBOT_EV_CHAT, 5 },          /* empty text: ircbot_say sends nothing */
		{ "alice: a: b", IRCBOT_EV_CHAT, 5 },
		{ "carol@libera: hi", IRCBOT_EV_REMOTE, 0 },
		{ "* carol@libera waves", IRCBOT_EV_REMOTE, 0 },
		{ "[bridge boardB] link to IRC down", IRCBOT_EV_REMOTE, 0 },
		{ "alice joined the room", IRCBOT_EV_OTHER, 0 },
		{ "alice is now known as bob", IRCBOT_EV_OTHER, 0 },
		{ "[admin] the printer is fixed", IRCBOT_EV_OTHER, 0 },
		{ "管理员:服务器即将关闭", IRCBOT_EV_OTHER, 0 }, /* ':' without a space */
		{ "* alice waves", IRCBOT_EV_OTHER, 0 },
		{ ": x", IRCBOT_EV_OTHER, 0 },
		{ "alice:", IRCBOT_EV_OTHER, 0 },
		{ "", IRCBOT_EV_OTHER, 0 },
		{ "abcdefghijabcdefghijabcdefghijabcdefghijabcdefghij: long", IRCBOT_EV_REMOTE, 0 },
	};
	size_t i, name;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		name = 0;
		CHECK_MSG(ircbot_event_kind(cases[i].t, strlen(cases[i].t), &name) == cases[i].want &&
			  name == cases[i].name, "\"%s\": kind %d name %zu", cases[i].t,
			  (int)ircbot_event_kind(cases[i].t, strlen(cases[i].t), &name), name);
	}
}

/* a peer bridge's (-P) lines: its member's "<name> text" or "* name text";
 * anything else is the peer's own words, never relayed */
static void ircbot_peer_lines(void)
{
	static const struct {
		const char *t;
		enum ircbot_peer_line want;
		const char *name, *text;
	} cases[] = {
		{ "<alice> hi", IRCBOT_PEER_POST, "alice", "hi" },
		{ "<小明> 你好 世界", IRCBOT_PEER_POST, "小明", "你好 世界" },
		{ "<a>> x", IRCBOT_PEER_POST, "a>", "x" },        /* a name may hold '>' */
		{ "<<b> x", IRCBOT_PEER_POST, "<b", "x" },
		{ "<alice>  two", IRCBOT_PEER_POST, "alice", " two" },
		{ "<alice> <bob> hi", IRCBOT_PEER_POST, "alice", "<bob> hi" },
		{ "* alice waves", IRCBOT_PEER_ACT, "alice", "waves" },
		{ "* 小明 挥手 两次", IRCBOT_PEER_ACT, "小明", "挥手 两次" },
		{ "<alice>", IRCBOT_PEER_NONE, 0, 0 },
		{ "<alice> ", IRCBOT_PEER_NONE, 0, 0 },
		{ "<> hi", IRCBOT_PEER_NONE, 0, 0 },
		{ "<alice hi", IRCBOT_PEER_NONE, 0, 0 },
		{ "<al ice> hi", IRCBOT_PEER_NONE, 0, 0 },
		{ "alice: hi", IRCBOT_PEER_NONE, 0, 0 },
		{ "bob joined the room", IRCBOT_PEER_NONE, 0, 0 },
		{ "* alice", IRCBOT_PEER_NONE, 0, 0 },
		{ "*  alice x", IRCBOT_PEER_NONE, 0, 0 },
		{ "*alice x", IRCBOT_PEER_NONE, 0, 0 },
		{ "<", IRCBOT_PEER_NONE, 0, 0 },
		{ "", IRCBOT_PEER_NONE, 0, 0 },
		{ "<一二三四五六七八九十一二三四五六> x", IRCBOT_PEER_POST, "一二三四五六七八九十一二三四五六", "x" },
		{ "<一二三四五六七八九十一二三四五六七> x", IRCBOT_PEER_NONE, 0, 0 }, /* 51 bytes */
	};
	struct proto_span name, text;
	enum ircbot_peer_line got;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		got = ircbot_peer_text(sp(cases[i].t), &name, &text);
		CHECK_MSG(got == cases[i].want, "\"%s\": %d", cases[i].t, (int)got);
		if (got != cases[i].want || got == IRCBOT_PEER_NONE)
			continue;
		CHECK_MSG(name.len == strlen(cases[i].name) &&
			  memcmp(name.p, cases[i].name, name.len) == 0 &&
			  text.len == strlen(cases[i].text) &&
			  memcmp(text.p, cases[i].text, text.len) == 0,
			  "\"%s\": name \"%.*s\" text \"%.*s\"", cases[i].t, (int)name.len, name.p,
			  (int)text.len, text.p);
	}
	/* nothing is read past the end: a span cut inside a line */
	CHECK_INT(ircbot_peer_text(spl("<alice> hi", 7), &name, &text), IRCBOT_PEER_NONE);
	CHECK_INT(ircbot_peer_text(spl("<alice> hi", 9), &name, &text), IRCBOT_PEER_POST);
	CHECK_INT(text.len, 1);
}

static void ircbot_nicks(void)
{
	char out[BRIDGE_NICK_MAX + 1];

	CHECK_INT(ircbot_room_nick(sp("carol"), out), 5);
	CHECK_STR(out, "carol");
	CHECK_INT(ircbot_room_nick(sp("[x]"), out), 4);
	CHECK_STR(out, "_[x]");
	CHECK_INT(ircbot_room_nick(sp("-dash"), out), 6);
	CHECK_STR(out, "_-dash");
	CHECK_INT(ircbot_room_nick(spl("a@b:c\x01\xff", 7), out), 7);
	CHECK_STR(out, "a_b_c__");
	CHECK_INT(ircbot_room_nick(sp("abcdefghijabcdefghijabcdefghijXYZ"), out), BRIDGE_NICK_MAX);
	CHECK_STR(out, "abcdefghijabcdefghijabcdefghij");
	CHECK_INT(ircbot_room_nick(sp(""), out), 0);
	CHECK_STR(out, "");
}

/* udpchatirc's -r BURST/SECONDS: irc_pace's cost and burst, and the
 * values it refuses. */
static void ircbot_pace_args(void)
{
	static const struct { const char *s; unsigned cost, burst; } ok[] = {
		{ "0", 0, 0 }, { "5/2", 2000, 10000 }, { "1/1", 1000, 1000 },
		{ "10/0.5", 500, 5000 }, { "3/0.25", 250, 750 }, { "100/60", 60000, 6000000 },
		{ "2/1.5", 1500, 3000 }, { "5/0.001", 1, 5 }, { "4/002", 2000, 8000 },
	};
	static const char *const bad[] = {
		"", "5", "5/", "/2", "0/2", "101/2", "5/0", "5/0.0", "5/60.001", "5/61",
		"5/1.2345", "5/x", "5/2x", "5/2.", "5/.5", "-1/2", "+5/2", "5/-2", "5 /2",
		"1000/2", "5/99999999999999999999", "00", "0/0",
	};
	unsigned cost, burst, i;

	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		cost = burst = 7;
		CHECK_MSG(ircbot_pace_arg(ok[i].s, &cost, &burst) == 0 && cost == ok[i].cost &&
			  burst == ok[i].burst, "%s: %u %u", ok[i].s, cost, burst);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cost = burst = 7;
		CHECK_MSG(ircbot_pace_arg(bad[i], &cost, &burst) == -1 && cost == 7 && burst == 7,
			  "%s taken: %u %u", bad[i], cost, burst);
	}
}

void suite_irc(void)
{
	TEST_RUN(irc_table);
	TEST_RUN(irc_parse_ngircd);
	TEST_RUN(irc_parse_grammar);
	TEST_RUN(irc_parse_refused);
	TEST_RUN(irc_isupport);
	TEST_RUN(irc_text_format);
	TEST_RUN(irc_text_ctcp);
	TEST_RUN(irc_text_latin1);
	TEST_RUN(irc_text_all_bytes);
	TEST_RUN(irc_split_budgets);
	TEST_RUN(irc_split_basic);
	TEST_RUN(irc_split_chinese_emoji);
	TEST_RUN(irc_split_property);
	TEST_RUN(irc_fmt_lines);
	TEST_RUN(irc_fmt_injection);
	TEST_RUN(irc_fmt_limits);
	TEST_RUN(irc_pace_burst);
	TEST_RUN(irc_pace_minute);
	TEST_RUN(irc_nicks_ok);
	TEST_RUN(irc_nick_alternates);
	TEST_RUN(ircbot_events);
	TEST_RUN(ircbot_peer_lines);
	TEST_RUN(ircbot_nicks);
	TEST_RUN(ircbot_pace_args);
}
