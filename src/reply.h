/* reply.h: the texts of the server's replies that a client recognises,
 * written once: the server's formats start with them and the client's
 * prefix tests use them (string literals, joined with a format at compile
 * time: nothing at run time). docs/PROTOCOL.md lists the whole replies. */
#ifndef UCHAT_REPLY_H
#define UCHAT_REPLY_H

#define REPLY_ERR          "-ERR "                      /* any refusal */
#define REPLY_WELCOME      "+OK welcome "               /* NAME (IDLE), N online: NAMES */
#define REPLY_IDLE         "(idle timeout "             /* Ns) */
#define REPLY_NO_IDLE      "(no idle timeout)"
#define REPLY_ALREADY      "-ERR already in the room"   /* as NAME */
#define REPLY_NOT_IN       "-ERR not in the room"       /* (send /join NAME), or: ... */
#define REPLY_NICK         "+OK you are now "           /* NAME */
#define REPLY_BYE          "+OK bye"
#define REPLY_REMOVED      "-ERR removed from the room" /* (REASON) */
#define REPLY_PONG         "+OK pong"                   /* [ TOKEN] */
#define REPLY_NAME_TAKEN   "-ERR name taken"            /* : NAME */
#define REPLY_INVALID_NAME "-ERR invalid name"          /* : REASON */
#define REPLY_ROOM_FULL    "-ERR room full"             /* (N members) */
#define REPLY_SLOW         "-ERR slow down"             /* (R lines/s) */
#define REPLY_UNKNOWN      "-ERR unknown command "      /* /WORD (try /help) */
/* protocol v1.1 (docs/PROTOCOL.md): replies, and the prefixes of events */
#define REPLY_SEQ          "+OK seq "                   /* EPOCH LAST */
#define REPLY_SINCE        "+OK since "                 /* N UPTO LOST */
#define REPLY_LAST         "+OK last "                  /* K UPTO */
#define REPLY_ACK          "+OK ack "                   /* ID SEQ */
/* to a bridge (control socket, docs/PROTOCOL.md "Bridges") */
#define REPLY_SEQ_BRIDGE   "+OK bridge "                /* TAG EPOCH LAST */
#define REPLY_LOST         "-LOST "                     /* N: lines not written */
/* not sent any more (a bad N gets "-ERR usage: /since N"); kept for clients */
#define REPLY_BAD_SEQ      "-ERR bad sequence number"
#define REPLY_EVENT        '='                          /* =SEQ TEXT: a live event */
#define REPLY_REPLAY       '~'                          /* ~SEQ AGE TEXT: a replayed one */
#define REPLY_NEXT         "= "                         /* = TEXT: the event after the one before it in the datagram */
/* discovery (docs/PROTOCOL.md "Discovery"): the request's first line, and
 * the answer */
#define REPLY_DISCO_ASK    "/discover"                  /* then blanks, to DISCO_PAD bytes */
#define REPLY_DISCO        "+OK discover "              /* EPOCH N online: DESCRIPTION */
/* to a member not yet confirmed, in place of the room's lines */
#define REPLY_HELD         "-ERR send a line (Enter) to get the room's lines"

#endif
