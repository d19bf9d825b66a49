/* bounds.h: every compile-time bound of udpchat in one place. */
#ifndef UCHAT_BOUNDS_H
#define UCHAT_BOUNDS_H

/* protocol (docs/PROTOCOL.md) */
#define PROTO_MAX_LINE      512   /* bytes in one line, without "\n" */
#define PROTO_MAX_DGRAM     2048  /* bytes in one datagram we accept */
#define PROTO_NAME_CHARS    16    /* code points in a name */
#define PROTO_NAME_BYTES    48    /* bytes in a name */
#define PROTO_DEFAULT_PORT  8888
/* protocol v1.1 (opt-in, docs/PROTOCOL.md) */
#define PROTO_ID_MAX        16    /* bytes in an ID of /id */
#define SEQWIN_HOLD         128   /* udpchat: events held while an earlier one is missing */
#define ROOM_LAST_MAX       50    /* /last K: K at most */
#define ROOM_ACK_WINDOW     8     /* /id: IDs remembered per member */
/* the history ring (ring.h): -H BYTES of lines, at most RING_MAX_BYTES, and
 * at most RING_MAX_EVENTS events (16 bytes each); the default keeps the
 * server's peak RSS within 256 KiB at 256 members (docs/DESIGN.md) */
#define RING_DEFAULT_BYTES  2048  /* 4096 measured 256-260 KiB in make bench */
#define RING_MAX_BYTES      65536
#define RING_MAX_EVENTS     256
/* one /since or /last reply (its "~" lines and its end line): at most 3x
 * the bytes of the datagram that asked (ROOM_UNCONFIRMED_FACTOR), and at
 * most this (three full datagrams) */
#define RING_REPLAY_MAX     4200

/* A bound as a string literal, for texts joined at compile time:
 * "port " UCHAT_STR(PROTO_DEFAULT_PORT) is "port 8888". */
#define UCHAT_STR_(x) #x
#define UCHAT_STR(x)  UCHAT_STR_(x)

/* room: the member pool is static; -m picks a count up to this */
#ifndef UCHAT_MAX_MEMBERS
#define UCHAT_MAX_MEMBERS   1024
#endif
#define ROOM_DEFAULT_MEMBERS 256
#define ROOM_DEFAULT_IDLE_S  600
#define ROOM_DEFAULT_RATE    5     /* lines/s per member */
#define ROOM_RATE_BURST      4     /* a member may send this many seconds' lines at once */
#define ROOM_MAX_IDLE_S      (86400 * 7) /* -t at most a week */
#define ROOM_MAX_RATE        100000 /* -r at most */
/* anti-amplification (docs/PROTOCOL.md, "Strangers"): toward an address not
 * yet heard from twice, at most FACTOR times the bytes of its datagram, or
 * FLOOR bytes if more (room for one short answer: the welcome, an error) */
#define ROOM_UNCONFIRMED_FACTOR 3
#define ROOM_UNCONFIRMED_FLOOR  128
/* discovery (udpchat with no HOST, docs/PROTOCOL.md "Discovery") */
#define DISCO_DESC_MAX      64    /* bytes of udpchatd -D's room description */
#define DISCO_PAD           256   /* bytes of a request: no answer is longer */
#define DISCO_QUEUE         32    /* answers waiting out their 20-120 ms */

/* relay path */
#define NET_RECV_BATCH      8     /* datagrams per recvmmsg */
#define NET_RECV_COALESCE   32    /* datagrams read between two flushes */
#define FANOUT_DGRAM_MAX    1400  /* coalesced datagram bound: one Ethernet frame */
#define FANOUT_ARENA_BYTES  16384 /* formatted lines waiting to be sent */
#define FANOUT_MAX_ITEMS    512   /* queued lines (broadcast or unicast) */
#define FANOUT_SEND_BATCH   64    /* datagrams per sendmmsg */
#define FANOUT_MAX_IOV      256   /* iovecs per sendmmsg (a run of lines is one) */
#define FANOUT_PFX_MAX      12    /* "=4294967295 ": a v1.1 event's prefix */

/* control socket: connections waiting for their request line at once (when
 * all are taken, the oldest is told so and closed), and how long each may
 * take to send it (a real udpchatctl sends it right after connecting) */
#define CTLSOCK_SLOTS       4
#define CTLSOCK_REQ_MS      3000
/* bridges (udpchatirc, docs/PROTOCOL.md "Bridges"): control connections
 * kept open by "bridge TAG", at most this many at once, each with a static
 * buffer of events not yet written (when full, it is written to the socket
 * as far as the socket takes it now; what still does not fit is counted,
 * not written: the relay never waits for a bridge) */
#define UCHAT_BRIDGES       2
#define BRIDGE_OUT_BYTES    8192
#define BRIDGE_NICK_MAX     30    /* bytes in a remote speaker's NICK */
#define BRIDGE_READS        8     /* reads per bridge per wake-up */
/* udpchatirc (ircbot.c): room lines waiting for the IRC pacing or for the
 * link to come back, formatted IRC lines one after the other (a 100-line
 * paste of lines up to ~250 bytes; when full, lines are counted and the
 * room is told), and its IRC and control line buffers */
#define IRCBOT_QUEUE_BYTES  32768
#define IRCBOT_PEERS        8     /* -P: other boards' bridges on the channel */
#define IRCBOT_IN_BYTES     1024
#define IRCBOT_CONNECT_MS   10000 /* a TCP connect may take this long */
#define IRCBOT_BACKOFF_MS   1000  /* reconnect: 1 s doubling to 60 s, plus jitter */
#define IRCBOT_BACKOFF_MAX_MS 60000
#define IRCBOT_IDLE_S       120   /* -i: silence before the bot's own PING (twice
				   * that: the link counts as dead) */
#define IRCBOT_IDLE_MAX_S   3600
#define IRCBOT_TELL_MS      5000  /* "N lines not bridged": at most this often */
/* what waits to be written, never waited for: to the IRC server (a full
 * buffer holds the queue's lines back; a command that finds it full is
 * dropped) and to udpchatd (posts leave IRCBOT_CTL_RESERVE for notices) */
#define IRCBOT_OUT_BYTES    4096
#define IRCBOT_CTL_OUT_BYTES 8192
#define IRCBOT_CTL_RESERVE  1024
/* IRC lines to the room: a burst of 20, then 10 a second (udpchatd does not
 * rate-limit a bridge's posts); the rest are counted and the room is told */
#define IRCBOT_IN_COST_MS   100
#define IRCBOT_IN_BURST_MS  2000
#define IRCBOT_PACE_BURST_MAX 100 /* -r BURST/SECONDS: at most */
#define IRCBOT_PACE_SECS_MAX  60
/* where udpchatd makes it and udpchatctl looks (-c PATH) */
#define CTLSOCK_DEFAULT_PATH "/var/run/udpchatd.sock"

/* formatted line bound: a 512-byte line plus a name and a prefix */
#define OUT_LINE_MAX        (PROTO_MAX_LINE + 2 * PROTO_NAME_BYTES + 64)

#endif
