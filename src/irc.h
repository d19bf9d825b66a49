/* irc.h: the IRC bridge's protocol core (issue 8; the program udpchatirc,
 * ircbot.c, uses it): the checked reader of one IRC line, text from IRC to the
 * room, room text cut into IRC lines, the commands the bot sends, its flood
 * pacing, alternate nicks, ISUPPORT. Pure functions over buffers the caller
 * owns: no allocation, no I/O, no global state. Untrusted bytes come back as
 * spans into the caller's line (struct proto_span), as in proto.h.
 *
 * What the IRC server we test against does (ngIRCd 26, read in its source:
 * src/ngircd/defines.h, conn.c, conn-func.c, parse.c, irc-write.c, client.c;
 * and measured on Debian's ngircd 26.1 on 127.0.0.1):
 * - A line is at most 512 bytes with its CR LF (COMMAND_LEN 513 with the
 *   NUL); a client sending a longer one gets "ERROR :Request too long" and
 *   is disconnected.
 * - Flood control is a penalty clock per connection (delaytime), not RFC
 *   1459's 2 s per line: while it is ahead of now, ngIRCd does not read the
 *   socket at all. Each pass of its loop handles at most 3 lines of a user
 *   (MAX_COMMANDS); if more wait, the clock goes 1 s ahead; 256 bytes or
 *   more handled within one second (COMMAND_LEN / 2) cost 1 s more; an error
 *   reply costs 2 s (IRC_WriteErrClient), some commands cost 1-3 s each
 *   (WHO 1, LIST 2, MOTD 3; PRIVMSG, NOTICE, JOIN, PING cost nothing).
 *   A flooding client is never disconnected: its lines wait in its socket
 *   (measured: 10 short lines written at once arrive 3, 3, 3, 1 a second
 *   apart; 10 of 400 bytes within 4 s).
 *   Other servers disconnect for "Excess Flood" (ircd-hybrid when a
 *   client's unread lines pass client_flood bytes; InspIRCd likewise), so
 *   the bot paces itself (irc_pace) by RFC 1459 8.10's rule:
 *   2 s a line once the clock is 10 s ahead, a burst of 5, which after the
 *   burst is also within ngIRCd's 256 bytes a second for lines up to 512.
 * - NICKLEN: CLIENT_NICK_LEN_DEFAULT is 10 with the NUL, so 9 bytes unless
 *   MaxNickLength is set (at most 31); 005 says "NICKLEN=9", and a longer
 *   nick gets "432 * NICK :Nickname too long, max. 9 characters". Nick
 *   characters: not starting with a digit, '-' or ';'; then 'A'-'}', digits
 *   and '-'. CHANNELLEN=50; users and hosts are at most 19 and 63 bytes
 *   (CLIENT_USER_LEN 20, CLIENT_HOST_LEN 64 with the NUL); ngIRCd puts a '~'
 *   before a user name ident did not confirm.
 * - A QUIT is relayed as QUIT :"reason" (quoted); a PING is answered as
 *   ":server PONG server :token". */
#ifndef UCHAT_IRC_H
#define UCHAT_IRC_H
#include <stddef.h>
#include <stdint.h>

#include "proto.h"

/* --- limits --------------------------------------------------------------- */

#define IRC_LINE_MAX      512   /* bytes in a line with its "\r\n" (RFC 2812 2.3) */
#define IRC_TAGS_MAX      8191  /* bytes of IRCv3 tags: "@", the tags, the space */
#define IRC_LINELEN_MAX   8192  /* the most an ISUPPORT LINELEN is believed */
#define IRC_MAX_PARAMS    15    /* parameters of one message (RFC 2812 2.3.1) */
#define IRC_NICKLEN       9     /* RFC 2812 and ngIRCd's default NICKLEN */
#define IRC_NICKLEN_MAX   64    /* the most an ISUPPORT NICKLEN is believed */
#define IRC_CHANNELLEN    50    /* RFC 2812 1.3 and ngIRCd's CHANNELLEN */
#define IRC_CHANNELLEN_MAX 200  /* the most an ISUPPORT CHANNELLEN is believed */
#define IRC_USER_MAX      20    /* a user name with ngIRCd's '~' (19 + 1) */
#define IRC_HOST_MAX      63    /* a host name (RFC 2812 1.1, ngIRCd) */
#define IRC_NICK_TRIES    100   /* irc_nick_alt: alternates 0..IRC_NICK_TRIES - 1 */
#define IRC_NICK_DEFAULT  "udpchat" /* irc_nick_alt's base for a nick refused (432) */
#define IRC_SPLIT_MIN     4     /* irc_split needs room for one 4-byte character */
#define IRC_SPLIT_SLACK   30    /* irc_split cuts at a space this close to the end */
#define IRC_SPLIT_CLUSTER 8     /* irc_split looks this many characters back for a
				 * cluster's start (e + U+0301, emoji with ZWJ) */
#define IRC_PACE_COST_MS  2000  /* irc_pace: each line sent moves the clock 2 s */
#define IRC_PACE_BURST_MS 10000 /* and lines go while it is within 10 s of now */

/* Bytes irc_text_to_room may write for len bytes of input: a latin-1 byte
 * becomes at most 3 (0x80 is U+20AC, 3 bytes in UTF-8). */
#define IRC_TEXT_OUT(len) (3 * (len))

/* --- the commands and numerics the bridge needs --------------------------- */

/* What a line means to the bridge (the class column of IRC_COMMANDS). */
enum irc_class {
	IRC_CLASS_OTHER,     /* not in the table: ignored */
	IRC_CLASS_COMMAND,   /* a command (the word's own handling) */
	IRC_CLASS_WELCOME,   /* 001: registered; the nick in params[0] */
	IRC_CLASS_ISUPPORT,  /* 005: irc_isupport_parse */
	IRC_CLASS_NICK_TAKEN,/* 433 436 437: try irc_nick_alt's next */
	IRC_CLASS_NICK_BAD,  /* 432: the nick is refused; irc_nick_alt's next */
	IRC_CLASS_JOIN_FAIL, /* the channel would not have us: params[1] */
	IRC_CLASS_SEND_FAIL  /* 404: a line was not delivered to the channel */
};

/* The one table of the IRC words and numerics the bridge knows (docs/DESIGN.md
 * "Each vocabulary in one place"):
 *   X(ID, word, class)
 * ID: IRC_ID in enum irc_cmd; word: as on the wire (numerics as 3 digits);
 * class: enum irc_class. 437 (ERR_UNAVAILRESOURCE) is about a nick before
 * registration and about a channel in reply to a JOIN: its params[1] says
 * which (a channel starts with # & + or !). */
#define IRC_COMMANDS(X) \
	X(RPL_WELCOME,          "001",     IRC_CLASS_WELCOME) \
	X(RPL_ISUPPORT,         "005",     IRC_CLASS_ISUPPORT) \
	X(ERR_NOSUCHCHANNEL,    "403",     IRC_CLASS_JOIN_FAIL) \
	X(ERR_CANNOTSENDTOCHAN, "404",     IRC_CLASS_SEND_FAIL) \
	X(ERR_ERRONEUSNICKNAME, "432",     IRC_CLASS_NICK_BAD) \
	X(ERR_NICKNAMEINUSE,    "433",     IRC_CLASS_NICK_TAKEN) \
	X(ERR_NICKCOLLISION,    "436",     IRC_CLASS_NICK_TAKEN) \
	X(ERR_UNAVAILRESOURCE,  "437",     IRC_CLASS_NICK_TAKEN) \
	X(ERR_CHANNELISFULL,    "471",     IRC_CLASS_JOIN_FAIL) \
	X(ERR_INVITEONLYCHAN,   "473",     IRC_CLASS_JOIN_FAIL) \
	X(ERR_BANNEDFROMCHAN,   "474",     IRC_CLASS_JOIN_FAIL) \
	X(ERR_BADCHANNELKEY,    "475",     IRC_CLASS_JOIN_FAIL) \
	X(PING,                 "PING",    IRC_CLASS_COMMAND) \
	X(PONG,                 "PONG",    IRC_CLASS_COMMAND) \
	X(PRIVMSG,              "PRIVMSG", IRC_CLASS_COMMAND) \
	X(NOTICE,               "NOTICE",  IRC_CLASS_COMMAND) \
	X(JOIN,                 "JOIN",    IRC_CLASS_COMMAND) \
	X(PART,                 "PART",    IRC_CLASS_COMMAND) \
	X(KICK,                 "KICK",    IRC_CLASS_COMMAND) \
	X(QUIT,                 "QUIT",    IRC_CLASS_COMMAND) \
	X(NICK,                 "NICK",    IRC_CLASS_COMMAND) \
	X(ERROR,                "ERROR",   IRC_CLASS_COMMAND)

#define IRC_CMD_ENUM(id, word, class) IRC_##id,
enum irc_cmd {
	IRC_CMD_OTHER,  /* a command or numeric not in IRC_COMMANDS */
	IRC_COMMANDS(IRC_CMD_ENUM)
	IRC_NCMDS
};
#undef IRC_CMD_ENUM

/* Returns the word of a command of IRC_COMMANDS ("PRIVMSG", "433"), or ""
 * for IRC_CMD_OTHER and anything out of range. */
const char *irc_cmd_word(enum irc_cmd cmd);

/* Returns the class of a command of IRC_COMMANDS; IRC_CLASS_OTHER for
 * IRC_CMD_OTHER and anything out of range. */
enum irc_class irc_cmd_class(enum irc_cmd cmd);

/* --- the reader of one line ----------------------------------------------- */

/* One message, as spans into the line it was parsed from (never
 * NUL-terminated; an absent part is an empty span). */
struct irc_msg {
	struct proto_span tags;    /* IRCv3 tags without the "@" (skipped) */
	struct proto_span prefix;  /* the prefix without its ":" */
	struct proto_span nick, user, host; /* prefix nick!user@host: a server's
					     * name is all nick (from_server) */
	int from_server;           /* the prefix has no ! nor @, and a "." */
	struct proto_span word;    /* the command word or the 3-digit numeric */
	enum irc_cmd cmd;          /* its row of IRC_COMMANDS, or IRC_CMD_OTHER */
	unsigned numeric;          /* a 3-digit numeric's value, else 0 */
	unsigned nparams;          /* 0..IRC_MAX_PARAMS */
	int trailing;              /* the last parameter came after " :" */
	struct proto_span params[IRC_MAX_PARAMS];
};

/* Parses one line (the "\r\n" already taken off, e.g. by io_lines and
 * io_drop_cr) by RFC 2812's message grammar as servers send it:
 *   [ "@" tags SPACE ] [ ":" prefix SPACE ] command { SPACE param }
 * where the last parameter may start with ":" and then holds the rest of
 * the line, spaces included; after 14 parameters the rest is the 15th (its
 * ":" optional). A run of spaces counts as one. A command is letters (any
 * case; matched against IRC_COMMANDS without case) or exactly 3 digits.
 * linelen: the most bytes of a line with its "\r\n", not counting the tags
 * (IRC_LINE_MAX when 0; a server's LINELEN, at most IRC_LINELEN_MAX).
 * Returns NULL and fills *m, or a reason for refusing the line (m then
 * holds nothing of use): "empty line", "contains a NUL byte", "contains CR
 * or LF", "tags longer than 8191 bytes", "longer than the line limit",
 * "no command", "empty prefix", "bad command". Every span points into
 * line; nothing is read outside line.p[0..line.len). */
const char *irc_parse(struct proto_span line, size_t linelen, struct irc_msg *m);

/* --- ISUPPORT (005) -------------------------------------------------------- */

/* What the bridge reads of a server's ISUPPORT; each field in bytes. */
struct irc_isupport {
	unsigned nicklen;     /* NICKLEN, default IRC_NICKLEN */
	unsigned channellen;  /* CHANNELLEN, default IRC_CHANNELLEN */
	unsigned linelen;     /* LINELEN (with "\r\n"), default IRC_LINE_MAX */
};

/* Sets the defaults (RFC 2812's, before a 005 came). */
void irc_isupport_init(struct irc_isupport *is);

/* Takes the tokens of one 005 message (params[1] up to the last one, which
 * is the human text) into *is: NICKLEN=N (1..IRC_NICKLEN_MAX),
 * CHANNELLEN=N (1..IRC_CHANNELLEN_MAX), LINELEN=N (IRC_LINE_MAX..
 * IRC_LINELEN_MAX); "-KEY" puts KEY back to its default; a value out of
 * range, or not a number, leaves the field as it was. Returns the number of
 * tokens taken, or -1 if m is not a 005. */
int irc_isupport_parse(struct irc_isupport *is, const struct irc_msg *m);

/* --- text from IRC to the room --------------------------------------------- */

/* What the text of a PRIVMSG or NOTICE was. */
enum irc_text_kind {
	IRC_TEXT_PLAIN,  /* words to show */
	IRC_TEXT_ACTION, /* CTCP ACTION ("/me"): show as "* nick text" */
	IRC_TEXT_CTCP    /* another CTCP request or reply (VERSION, PING...):
			  * not for the room; nothing is written */
};

/* Converts the text of a PRIVMSG or NOTICE (its last parameter) to a line
 * the room takes: the result is valid UTF-8 without control characters and
 * without bidi controls (utf8_check_text returns 0 for it), though it may be
 * longer than the room's 512 bytes (irc_split cuts it) or empty (nothing
 * left to show). *kind: IRC_TEXT_ACTION for "\x01ACTION text\x01" (the
 * closing \x01 may be missing) and out holds text; IRC_TEXT_CTCP for any
 * other text starting with \x01 (out is empty); else IRC_TEXT_PLAIN.
 * Dropped: mIRC formatting (\x02 bold, \x1d italic, \x1f underline,
 * \x1e strike-through, \x11 monospace, \x16 reverse, \x0f reset), colours
 * (\x03 with up to 2 digits, then a comma and up to 2 digits if a digit
 * follows the comma; \x04 with 6 hex digits, then a comma and 6 more),
 * every other C0 control and DEL (a tab becomes a space), C1 controls and
 * bidi controls (U+202E and its kin: the room refuses them, so they are
 * dropped rather than the line). Encoding: text that is valid UTF-8 as a
 * whole is UTF-8; any other is taken as a latin-1 client's, byte by byte
 * as Windows-1252 (what such clients send, and a superset of ISO 8859-1's
 * printable characters: 0x80 is the euro sign; the 5 bytes it leaves
 * undefined, and C1 controls, are dropped): never passed on raw. Writes at
 * most size bytes to out (not NUL-terminated). Returns the length written,
 * or -1 (nothing written) if size < IRC_TEXT_OUT(in.len). */
long irc_text_to_room(struct proto_span in, char *out, size_t size, enum irc_text_kind *kind);

/* --- room text cut into lines ---------------------------------------------- */

/* The most bytes of text one PRIVMSG may carry so that the line the server
 * relays to the channel,
 *   ":nick!user@host PRIVMSG target :" tag text "\r\n",
 * stays within linelen bytes (IRC_LINE_MAX when 0; at most IRC_LINELEN_MAX
 * counts). prefix_len: the length
 * of ":nick!user@host " as the server will write it (irc_prefix_len(nick
 * length) when the bot has not seen it); target_len: the channel's; tag_len: the
 * speaker tag's ("<alice> "). A NOTICE is one byte shorter. Returns 0 if
 * that leaves less than IRC_SPLIT_MIN bytes. */
size_t irc_split_budget(size_t prefix_len, size_t target_len, size_t tag_len, size_t linelen);

/* The length of ":nick!user@host " for a nick of nick_len bytes and the
 * longest user (IRC_USER_MAX) and host (IRC_HOST_MAX) a server gives. */
size_t irc_prefix_len(size_t nick_len);

/* The length of the next piece of text[0..len): all of it if len <= max;
 * else at most max bytes, ending after the last space in its last
 * IRC_SPLIT_SLACK bytes if there is one, else at the last UTF-8 character
 * boundary (a byte that is not in the middle of a sequence, looking back at
 * most 3 bytes; text that is not UTF-8 is cut at max) that does not part a
 * character from a combining mark, variation selector or skin tone after it
 * or a zero width joiner on either side (such a cluster is kept whole when
 * it starts within IRC_SPLIT_CLUSTER characters back). Cutting len bytes
 * into pieces with it, text += n, len -= n, gives pieces that put together
 * are text again, each non-empty and each valid UTF-8 if text is. Returns 0
 * for len == 0, or if max < IRC_SPLIT_MIN. */
size_t irc_split(const char *text, size_t len, size_t max);

/* --- lines the bot sends --------------------------------------------------- */

/* Each writes one line with its "\r\n" into buf[0..size), NUL-terminated
 * (size counts the NUL), and returns its length without the NUL (what to
 * write to the socket), or -1 (buf's content unspecified) if an argument
 * would change the command: any CR, LF or NUL (a second command); a nick,
 * channel, key, user or target that is empty, holds a space or starts with
 * ":" (a channel or key also: a ","; a channel: BEL); a PING or PONG token
 * that is empty; a PRIVMSG or NOTICE text that is empty; or if the line is
 * longer than IRC_LINE_MAX (with "\r\n") or than buf holds. Text arguments
 * are spans (a piece of room text, a token from a PING); the others are
 * NUL-terminated strings (the configuration's). */
int irc_fmt_nick(char *buf, size_t size, const char *nick);
/* "USER user 0 * :realname" (RFC 2812 3.1.3) */
int irc_fmt_user(char *buf, size_t size, const char *user, const char *realname);
/* "JOIN #chan" or "JOIN #chan key"; key NULL or "" for none */
int irc_fmt_join(char *buf, size_t size, const char *chan, const char *key);
int irc_fmt_ping(char *buf, size_t size, struct proto_span token);
int irc_fmt_pong(char *buf, size_t size, struct proto_span token);
/* cmd: IRC_PRIVMSG or IRC_NOTICE (anything else: -1) */
int irc_fmt_msg(char *buf, size_t size, enum irc_cmd cmd, const char *target,
		struct proto_span text);
/* "QUIT :reason", or "QUIT" for an empty reason */
int irc_fmt_quit(char *buf, size_t size, struct proto_span reason);

/* --- pacing ---------------------------------------------------------------- */

/* RFC 1459 8.10's penalty clock, kept by the sender: each line sent moves
 * the clock cost_ms ahead (from now, if it was behind); a line may go when,
 * with its cost, the clock stays within burst_ms of now. With 2000 and
 * 10000, 5 lines go at once, then one every 2 s; cost_ms 0 never waits
 * (a network that exempts the bot). */
struct irc_pace {
	int64_t clock_ms;
	unsigned cost_ms, burst_ms;
};

/* Starts a clock at now_ms (a full burst may go). */
void irc_pace_init(struct irc_pace *p, unsigned cost_ms, unsigned burst_ms, int64_t now_ms);

/* Returns 0 if a line may be sent at now_ms, else the milliseconds to wait
 * until one may (a poll timeout). Changes nothing. */
int64_t irc_pace_wait(const struct irc_pace *p, int64_t now_ms);

/* Counts one line sent at now_ms (whether or not irc_pace_wait allowed it:
 * a PONG is never held back, but it counts). */
void irc_pace_sent(struct irc_pace *p, int64_t now_ms);

/* --- nicks ----------------------------------------------------------------- */

/* Returns 1 if nick is an IRC nick of at most nicklen bytes by RFC 2812
 * 2.3.1: a letter or one of [ ] \ ` _ ^ { | }, then letters, digits, those
 * and "-"; else 0. */
int irc_nick_ok(struct proto_span nick, unsigned nicklen);

/* Writes alternate number n of the nick base into out (nicklen + 1 bytes
 * room; nicklen 1..IRC_NICKLEN_MAX, 0 means IRC_NICKLEN), NUL-terminated,
 * for the next try after a 433 or 432: n 0 is base itself, 1 base with a
 * "_", 2.. base with 1, 2, ..., 98: base cut to leave room for the suffix
 * within nicklen ("udpchat", "udpchat_", "udpchat1", ... "udpchat98"; with
 * nicklen 9, "longnickname" gives "longnickn", "longnick_", "longnick1",
 * "longnic10"). A base that is not a nick (irc_nick_ok, at any length) is
 * replaced by IRC_NICK_DEFAULT. Returns the length, or -1 for n >=
 * IRC_NICK_TRIES, or when nicklen leaves no room for the suffix (the
 * caller waits and starts again at 0). */
int irc_nick_alt(char *out, const char *base, unsigned nicklen, unsigned n);

#endif
