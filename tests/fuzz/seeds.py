#!/usr/bin/env python3
"""Writes the hand-made seeds of tests/fuzz/corpus/NAME/ (seed-*), in each
harness's input format (see the comment at the top of tests/fuzz/fuzz_NAME.c).
The corpus also holds inputs that libFuzzer found new coverage with (other
names), minimized with -merge=1. Run from the top directory: python3
tests/fuzz/seeds.py"""
import os
import struct

TOP = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus")


def write(harness, name, data):
    d = os.path.join(TOP, harness)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "seed-" + name), "wb") as f:
        f.write(data)


def rec(head, data):
    """A record of fuzz_server / a datagram of fuzz_client."""
    return bytes([head]) + struct.pack("<H", len(data)) + data


def dgram(data):
    return struct.pack("<H", len(data)) + data


def server():
    u = "管理员".encode()
    seeds = {
        "join": [(0, b"alice\n")],
        # discovery requests: padded (answered after the delay, the clock
        # moved on by later records), too short, and not one (no blank)
        "discover": [(0, b"/discover" + b"\n" * 247), (2, b"/discover\n"), (0, b"/discovery\n"),
                     (0x40, b"/discover  " + b" " * 100)],
        "join-say": [(0, b"/join alice\n"), (2, b"/join bob\n"), (0, b"hello\n/say hi\r\n")],
        "msg": [(0, b"alice"), (4, b"bob"), (0, b"/msg bob hi there\n/msg nobody x\n/msg\n")],
        "who-nick": [(0, b"alice"), (1, b"carol"), (1, b"/who\n/nick dave\n/nick alice\n/nick\n")],
        "ping-help": [(6, b"/ping\n/ping abc\n/help\n/quit\n/bogus\n")],
        "quit": [(0, b"alice\n"), (0, b"/quit\n"), (0, b"/quit\n")],
        "same-peer": [(0, b"alice"), (3, b"/join again\n/who\n")],
        "bad-utf8": [(0, b"alice"), (0, b"\xff\xfe\n\xc0\xaf\n\xe2\x82\n")],
        "control": [(0, b"alice"), (0, b"a\x01b\n\x7f\n\x1b[2J\n")],
        "names": [(0, b"/join " + u + b"\n"), (4, b"/join \xe2\x80\xaeevil\n"),
                  (5, b"/join a b\n/join " + b"x" * 60 + b"\n")],
        "long-line": [(0, b"alice"), (0, b"y" * 600 + b"\n")],
        "trunc": [(8, b"z" * 100)],
        "full": [(0, b"a1"), (1, b"a2"), (2, b"a3"), (4, b"a4")],
        "timeout": [(0, b"alice"), (2, b"bob"), (0xf0 | 2, b"/ping\n"), (0xf0, b"hi\n")],
        "flood": [(0, b"alice")] + [(0, b"spam %d\n" % i) for i in range(30)],
        "ctl-say": [(0, b"alice"), (7, b"say hello all\n")],
        "ctl-who": [(0, b"alice"), (2, b"bob"), (7, b"who\r\n")],
        "ctl-kick": [(0, b"alice"), (2, b"bob"), (7, b"kick alice"), (0, b"still here?\n")],
        "ctl-stats": [(0, b"alice"), (7, b"stats")],
        "ctl-bad": [(7, b"say "), (7, b"say a\x01b"), (7, b"nonsense"), (7, b"say " + b"x" * 600)],
        "crlf": [(0, b"alice\r\n\r\n\n\nhello\r\r\n")],
        "empty": [(0, b""), (1, b"\n\n")],
        # protocol v1.1
        "seq": [(0, b"alice\n\n/seq\n"), (2, b"bob"), (2, b"hi\n/msg alice psst\n"), (0, b"/seq\n")],
        "since": [(0, b"alice"), (2, b"bob"), (0, b"/seq\n")] +
                 [(2, b"line %d\n" % i) for i in range(12)] +
                 [(0, b"/since 0\n" + b"\n" * 300), (0, b"/since 3 \n/since 4294967295\n/since -1\n"
                   b"/since 100000000000000000000\n/since abc\n/since\n/since 0"),
                  (0, b"/last 5" + b" " * 200 + b"\n/last 0\n/last 51\n/last\n")],
        "id": [(0, b"alice"), (2, b"bob"), (0, b"/id a1 hi\n/id a1 hi\n/id a2 /msg bob x\n"
               b"/id a3 /msg nobody x\n/id a3 /who\n/id " + b"z" * 400 + b" x\n/id\n/id q\n")],
        "id-window": [(0, b"alice")] + [(0, b"/id w%d line %d\n" % (i % 11, i)) for i in range(30)],
        "replay-private": [(0, b"alice"), (2, b"bob"), (2, b"/msg alice secret\n"),
                           (0, b"/seq\n/since 0" + b" " * 400 + b"\n"), (2, b"/seq\n/since 0\n"),
                           (0, b"/quit\n"), (0, b"alice\n\n/seq\n/since 0" + b" " * 300 + b"\n")],
        "since-stranger": [(5, b"/since 0\n/last 50\n/seq\n/id x hi\n")],
    }
    for setup, tag in ((0x00, ""), (0x18, "-zh-v4"), (0x60, "-nolimits"), (0x80, "-ring300")):
        for name, recs in seeds.items():
            if tag == "-ring300" and name not in ("since", "replay-private", "id-window", "seq"):
                continue
            if tag in ("-zh-v4", "-nolimits") and name not in ("join-say", "full", "timeout", "flood",
                                                              "ctl-kick", "names"):
                continue
            write("server", name + tag, bytes([setup]) + b"".join(rec(h, d) for h, d in recs))


def ctl():
    for name, data in {
        "say": b"say hello\n", "say-crlf": b"say hello\r\n", "who": b"who\n",
        "kick": b"kick alice\n", "kick-case": b"kick ALICE\n", "kick-utf8": "kick 管理员\n".encode(),
        "kick-none": b"kick nobody\n", "stats": b"stats\n", "unknown": b"help\n",
        "empty": b"\n", "no-newline": b"who", "say-empty": b"say \n",
        "say-control": b"say a\x1bb\n", "say-nul": b"say x\x00y\n", "say-long": b"say " + b"x" * 513 + b"\n",
        "too-long": b"x" * 620, "two": b"who\nstats\n", "say-bad-utf8": b"say \xff\n",
        "bridge": b"bridge libera\npost libera carol hi\nact boardB alice waves\nnotice link up\n",
        "bridge-bad-tag": b"bridge lib era\n", "bridge-tag-long": b"bridge " + b"t" * 17 + b"\n",
        "bridge-bad": b"bridge b\npost b car@ol hi\npost b c:d hi\npost b -x hi\npost b/ c hi\n"
                      b"post b c\npost b c \nact b c\nnotice\nnotice \xff\nfrob x\n"
                      b"post b c a\x1bb\npost b c a\x00b\npost b c \xe2\x80\xaeab\r\n",
        "bridge-long": b"bridge b\npost b c " + "长".encode() * 171 + b"\npost b c " + b"y" * 700 + b"\n"
                       b"post b " + b"n" * 31 + b" hi\npost b " + b"n" * 30 + b" hi\n",
        "bridge-partial": b"bridge b\npost b c no newline",
        "bridge-as": b"bridge web\nas 1 /join bob\nas 1 /last 5\nas 1 hi\nas 1 /id a1 hey\nas 1 /who\n"
                     b"as 1 /msg alice psst\nas 2 /join alice\nas 2 /join [x]\nas 3 /who\nas 1 /nick bo\n"
                     b"as 1 /since 0\nas 1 caf\xe9\nas 0 hi\nas x hi\nas 1\nas 1 /quit\nas 4 carol\n",
    }.items():
        write("ctl", name, data)


def client():
    seeds = {
        "welcome": (1, [b"+OK welcome me (idle timeout 600s), 2 online: me bob\nbob joined\n"]),
        "welcome-off": (1, [b"+OK welcome me (no idle timeout), 1 online: me\n"]),
        "welcome-more": (1, [b"+OK welcome me (idle timeout 60s), 3 online: a b\n+OK more: c\n"]),
        "already": (1, [b"-ERR already in the room as me\n", b"bob: hi\n"]),
        "refused": (1, [b"-ERR name taken: me\n"]),
        "refused-escape": (1, [b"-ERR invalid name: \x1b[31mred\n"]),
        "noise-then-welcome": (1, [b"hello\n", b"+OK welcome me2 (idle timeout 9s), 1 online: me2\n"]),
        "chat": (0, [b"bob: hi\nalice: \xe2\x80\xae evil\n", b"[admin] down\n"]),
        "nick": (0, [b"+OK you are now bob\n", b"+OK you are now " + b"n" * 60 + b"\n"]),
        "bye": (0, [b"+OK bye\n"]),
        "kicked": (0, [b"-ERR removed from the room (kicked)\n"]),
        "removed": (0, [b"-ERR removed from the room (timed out)\n", b"-ERR name taken: me\n"]),
        "not-in": (0, [b"-ERR not in the room (send /join NAME)\n", b"+OK welcome me (idle timeout 600s)\n"]),
        "rejoin-refused": (2, [b"-ERR room full (2 members)\n"]),
        "rejoin-crossed": (2, [b"-ERR already in the room as me\n", b"+OK pong keepalive\n"]),
        "escapes": (0, [b"\x1b]0;title\x07\n\x9b31m\n\r\n\x00\x01\x7f\n"]),
        "long": (0, [b"z" * 4000]),
        "welcome-digits": (1, [b"+OK welcome x (idle timeout 99999999999s)\n"]),
        "welcome-bare": (1, [b"+OK welcome \n"]),
        # v1.1 (setup bits 2-3: CLIENT_SEQ_*): the short form "= TEXT"
        "seq-short": (8, [b"+OK seq 0000abcd 3\n=4 bob: four\n= bob: five\n+OK pong\n= bob: six\n",
                          b"= orphan\n", b"~6 1 x\n= y\n=7x bad\n= z\n=4294967295 w\n= wrap\n"]),
        "seq-short-early": (4, [b"=9 a\n= b\n", b"+OK seq 0000abcd 8\n"]),
        "seq-short-v1": (12, [b"= joined the room\n=5 hi\n"]),
        # discovery answers (client_disco_take reads every datagram): two
        # rooms, one of them twice (its IPv6 answer), an escape, a bare one
        "discover": (0, [b"+OK discover 0123abcd 3 online: kitchen \x1b[31mred\n",
                         b"+OK discover 0123abcd 3 online: kitchen\n",
                         b"+OK discover 89abcdef 0 online: \n", b"+OK discover 0123abc"]),
    }
    for name, (setup, dgrams) in seeds.items():
        write("client", name, bytes([setup]) + b"".join(dgram(d) for d in dgrams))


def dns_name(name):
    out = b""
    for label in name.split("."):
        if label:
            out += bytes([len(label)]) + label.encode()
    return out + b"\0"


def dns_reply(qname, qtype, answers, rcode=0, tc=False, qd=1, an=None, qid=0x1234):
    flags = 0x8180 | rcode | (0x200 if tc else 0)
    hdr = struct.pack(">HHHHHH", qid, flags, qd, len(answers) if an is None else an, 0, 0)
    q = dns_name(qname) + struct.pack(">HH", qtype, 1)
    body = b""
    for owner, rtype, rdata in answers:
        o = owner if isinstance(owner, bytes) else dns_name(owner)
        body += o + struct.pack(">HHIH", rtype, 1, 300, len(rdata)) + rdata
    return hdr + q + body


def dns():
    A, AAAA, CNAME = 1, 28, 5
    host = "host.example.com"
    # selector: bit 0 AAAA, bits 1-2 name index (1 = host.example.com), bits 3-6 max
    sel_a = (8 << 3) | (1 << 1)
    sel_aaaa = sel_a | 1
    ptr = b"\xc0\x0c"  # the question's name
    seeds = {
        "a": (sel_a, dns_reply(host, A, [(ptr, A, bytes([192, 0, 2, 1]))])),
        "a-two": (sel_a, dns_reply(host, A, [(ptr, A, bytes([192, 0, 2, 1])), (host, A, bytes([192, 0, 2, 2]))])),
        "aaaa": (sel_aaaa, dns_reply(host, AAAA, [(ptr, AAAA, bytes(15) + b"\1")])),
        "cname": (sel_a, dns_reply(host, A, [(ptr, CNAME, dns_name("real.example.net")),
                                             ("real.example.net", A, bytes([10, 0, 0, 1]))])),
        "cname-loop": (sel_a, dns_reply(host, A, [(ptr, CNAME, ptr)])),
        "nxdomain": (sel_a, dns_reply(host, A, [], rcode=3)),
        "servfail": (sel_a, dns_reply(host, A, [], rcode=2)),
        "nodata": (sel_a, dns_reply(host, A, [])),
        "tc": (sel_a, dns_reply(host, A, [], tc=True)),
        "ptr-loop": (sel_a, dns_reply(host, A, [(b"\xc0\x22", A, bytes(4))])),
        "ptr-out": (sel_a, dns_reply(host, A, [(b"\xc1\xff", A, bytes(4))])),
        "short-rdata": (sel_a, dns_reply(host, A, [(ptr, A, bytes(3))])),
        "an-lies": (sel_a, dns_reply(host, A, [(ptr, A, bytes(4))], an=9)),
        "other-name": (sel_a, dns_reply("other.example.com", A, [])),
        "case": ((8 << 3) | (2 << 1), dns_reply("HOST.example.com", A, [(ptr, A, bytes(4))])),
        "header-only": (sel_a, struct.pack(">HHHHHH", 1, 0x8180, 1, 0, 0, 0)),
        "many": ((2 << 3) | (1 << 1), dns_reply(host, A, [(ptr, A, bytes([1, 2, 3, i])) for i in range(6)])),
        "long-name": ((8 << 3) | (3 << 1), dns_reply("a.b.c.d.e.f.g.h.i.j.k.l.m.n.o.p", A, [(ptr, A, bytes(4))])),
    }
    for name, (sel, msg) in seeds.items():
        write("dns", name, bytes([sel]) + msg)


def resolvconf():
    for name, text in {
        "resolv": "nameserver 192.0.2.53\nnameserver ::1\nsearch lan example.com\noptions ndots:2 timeout:1 attempts:3\n",
        "resolv-many": "nameserver 1.1.1.1\nnameserver 8.8.8.8\nnameserver 9.9.9.9\nnameserver 4.4.4.4\n",
        "domain": "domain home.arpa.\n# comment\n; comment\noptions rotate ndots:99 timeout:0\n",
        "search-bad": "search a..b -x " + "l" * 70 + ".com ok.lan\nsearch\n",
        "scope": "nameserver fe80::1%2\nnameserver fe80::1%eth0\nnameserver 1.2.3\n",
        "hosts": "127.0.0.1 localhost\n::1 localhost ip6-localhost\n192.0.2.7 host host.lan # me\n",
        "hosts-case": "10.0.0.1\tA.B x.example.com\n10.0.0.2 a.b\r\n",
        "long-line": "#" + "x" * 600 + "\n10.0.0.3 host\n",
        "no-newline": "10.0.0.4 host",
        "blank": "\n\n   \n\t\n",
        "nul": "nameserver 10.0.0.1\x00\nsearch a\x00b\n",
    }.items():
        write("resolvconf", name, text.encode())


def chunks(size, *parts):
    """An input of fuzz_lines: the buffer's size (2-64), then chunks."""
    return bytes([size - 2]) + b"".join(bytes([len(c)]) + c for c in parts)


def lines():
    for name, data in {
        "split": chunks(16, b"ab", b"c\r\nd", b"e\n"),
        "several": chunks(32, b"a\nbb\n\nccc\nd", b"\n\n"),
        "exact-fit": chunks(8, b"1234567\n", b"12345678\nnext\n", b"abcdefg"),
        "one-over-eof": chunks(8, b"abcdefgh"),
        "long-pieces": chunks(2, *[b"x" * 200] * 4, b"\nafter\n", b"y" * 255, b"y" * 10),
        "empty-lines": chunks(2, b"\n", b"\n\n", b"", b"\r\n"),
        "byte-by-byte": chunks(5, *[bytes([c]) for c in b"ab\ncd\nefgh\nij"]),
        "nul-cr": chunks(22, b"a\x00b\r\n\r\r\n", b"\x00\n"),
    }.items():
        write("lines", name, data)


def irc():
    """Inputs of fuzz_irc: a setup byte (split maximum, LINELEN 1024 in bit 7),
    then one line as an IRC server sends it, "\r\n" taken off. Most were
    recorded from ngIRCd 26.1 (Debian's ngircd) on 127.0.0.1."""
    for name, (setup, line) in {
        "welcome": (96, b":irc.test.local 001 udpchat :Welcome to the Internet Relay Network "
                        b"udpchat!~udpchat@127.0.0.1"),
        "isupport1": (96, b":irc.test.local 005 udpchat RFC2812 IRCD=ngIRCd CHARSET=UTF-8 "
                          b"CASEMAPPING=ascii PREFIX=(qaohv)~&@%+ CHANTYPES=#&+ "
                          b"CHANMODES=beI,k,l,imMnOPQRstVz CHANLIMIT=#&+:10 "
                          b":are supported on this server"),
        "isupport2": (96, b":irc.test.local 005 udpchat CHANNELLEN=50 NICKLEN=9 TOPICLEN=490 "
                          b"AWAYLEN=127 KICKLEN=400 MODES=5 MAXLIST=beI:50 EXCEPTS=e INVEX=I "
                          b"PENALTY FNC :are supported on this server"),
        "isupport-linelen": (0x80 | 20, b":s 005 bot NICKLEN=30 LINELEN=1024 -CHANNELLEN :x"),
        "nick-in-use": (96, b":irc.test.local 433 * udpchat :Nickname already in use"),
        "nick-too-long": (96, b":irc.test.local 432 * udpchat_toolong :Nickname too long, "
                              b"max. 9 characters"),
        "badkey": (96, b":irc.test.local 475 carol #k :Cannot join channel (+k) -- Wrong "
                       b"channel key"),
        "privmsg-format": (96, b":carol!~carol@127.0.0.1 PRIVMSG #room :\x02bold\x02 "
                               b"\x0304,12red\x03 plain caf\xe9"),
        "action": (96, b":carol!~carol@127.0.0.1 PRIVMSG #room :\x01ACTION waves\x01"),
        "ctcp": (96, b":carol!~carol@127.0.0.1 PRIVMSG #room :\x01VERSION\x01"),
        "chinese": (2, b":carol!~carol@127.0.0.1 PRIVMSG #room :" + "你好 😀 ".encode() * 20),
        "hexcolour": (10, b":c!u@h PRIVMSG #r :\x04FF0000,00ff00x\x04abc \x03,5 \x0399,999"),
        "bidi": (10, b":c!u@h NOTICE #r :a\xe2\x80\xaeb\xc2\x85c\t\x1b[0m"),
        "ping": (96, b"PING :irc.test.local"),
        "pong": (96, b":irc.test.local PONG irc.test.local :tok123"),
        "quit": (96, b":carol!~carol@127.0.0.1 QUIT :\"bye now\""),
        "error": (96, b"ERROR :Request too long"),
        "tags": (96, b"@time=2026-12-01T19:50:00.000Z;msgid=x :n!u@h PRIVMSG #c :hi"),
        "fifteen": (96, b"CMD a b c d e f g h i j k l m n o p  q"),
        "long": (96, b"PRIVMSG #c :" + b"x" * 499),
        "too-long": (96, b"PRIVMSG #c :" + b"x" * 600),
        "nul": (96, b"PRIVMSG #c :a\x00b"),
        "latin1-long": (0, b":c!u@h PRIVMSG #r :" + bytes(range(0x80, 0x100)) * 2),
    }.items():
        write("irc", name, bytes([setup]) + line)


if __name__ == "__main__":
    server()
    ctl()
    client()
    dns()
    resolvconf()
    lines()
    irc()
