/* ircbot.h: udpchatirc, the IRC bridge (ircbot.c): its entry point is in
 * progs.h; here, the pure functions it reads room events and IRC nicks
 * with (unit-tested). */
#ifndef UCHAT_IRCBOT_H
#define UCHAT_IRCBOT_H
#include <stddef.h>

#include "bounds.h"
#include "proto.h"

/* What a public room event (the TEXT of "=SEQ TEXT") is to the bridge. */
enum ircbot_event {
	IRCBOT_EV_CHAT,    /* "name: text": a LAN member's line (PRIVMSG "<name> text") */
	IRCBOT_EV_REMOTE,  /* "nick@tag: text", "* nick@tag text", "[bridge tag] text":
			    * made by a bridge; never relayed (never twice) */
	IRCBOT_EV_OTHER    /* a join, leave, rename, announcement (NOTICE unless -N) */
};

/* Classifies the event t[0..len) (any bytes). For IRCBOT_EV_CHAT, *name_len
 * is the length of the name, and the text starts at t + *name_len + 2. A
 * chat line is a name (1-PROTO_NAME_BYTES bytes without space, ':' or '@')
 * then ": "; room names never hold '@' (docs/PROTOCOL.md "Names"), so one
 * with '@' is a remote speaker's. */
enum ircbot_event ircbot_event_kind(const char *t, size_t len, size_t *name_len);

/* Writes into out (BRIDGE_NICK_MAX + 1 bytes, NUL-terminated) the NICK of
 * "post TAG NICK TEXT" for the IRC nick nick: a nick starting with '/', '+',
 * '-' or '[' gets a '_' first; a byte that is not printable ASCII, or is
 * '@' or ':', becomes '_'; cut at BRIDGE_NICK_MAX bytes. Returns the
 * length (0 for an empty nick). */
size_t ircbot_room_nick(struct proto_span nick, char *out);

/* Reads udpchatirc's -r argument s (NUL-terminated): "BURST/SECONDS", BURST
 * 1-IRCBOT_PACE_BURST_MAX lines, SECONDS a decimal number of seconds
 * (at most 3 digits after the point), above 0 and at most
 * IRCBOT_PACE_SECS_MAX: BURST lines at once, then one every SECONDS; or
 * "0": no pacing. Sets irc_pace's *cost_ms (SECONDS in ms; 0 for "0") and
 * *burst_ms (BURST times that) and returns 0; or returns -1 (nothing set). */
int ircbot_pace_arg(const char *s, unsigned *cost_ms, unsigned *burst_ms);
/* What a line of a peer bridge (another board's udpchatirc, -P) is. */
enum ircbot_peer_line {
	IRCBOT_PEER_NONE,  /* the peer's own words: not relayed */
	IRCBOT_PEER_POST,  /* "<alice> text": alice's line on the peer's board */
	IRCBOT_PEER_ACT    /* "* alice text": an action relayed by the peer */
};

/* Reads the text t (of a peer bridge's PRIVMSG, irc_text_to_room's; any
 * bytes) as the line of a member of the peer's board: "<NAME> TEXT" or
 * "* NAME TEXT", NAME 1-PROTO_NAME_BYTES bytes without a space (a name may
 * hold '>': it ends at the first space, after its '>'), TEXT not empty.
 * Sets *name and *text (spans into t) and returns what it is, or
 * IRCBOT_PEER_NONE (*name and *text unspecified) for any other text. */
enum ircbot_peer_line ircbot_peer_text(struct proto_span t, struct proto_span *name,
				       struct proto_span *text);

#endif
