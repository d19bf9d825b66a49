"""test_text.py: PROTOCOL.md "Datagrams and lines": UTF-8 and control
characters, line and datagram limits, CRLF, several lines in one datagram,
empty lines and datagrams, IPv6."""
import re

from harness import online


def _pair(ctx):
    srv = ctx.server("-r", "0")
    return srv, srv.join("alice"), srv.join("bob")


def test_invalid_utf8_rejected(ctx):
    srv, alice, bob = _pair(ctx)
    for bad in (b"\xff\xfe", b"abc\x80def", b"\xc0\xaf", b"\xe0\x80\xaf",     # stray, overlong
                b"\xed\xa0\x80", b"\xf4\x90\x80\x80", b"\xe4\xb8",              # surrogate, >U+10FFFF, cut
                b"ok \xe4\xb8 ok", b"/say \xfe"):
        alice.send(bad)
        alice.expect("-ERR text is not valid UTF-8")
    bob.expect_none(0.3)
    alice.send("still fine")
    bob.expect("alice: still fine")
    srv.stop()


def test_control_chars_rejected(ctx):
    srv, alice, bob = _pair(ctx)
    cases = [(b"a\x1b[2Jb", 0x1b), (b"\x1b]0;pwned\x07", 0x1b), (b"nul\x00here", 0x00),
             (b"tab\there", 0x09), (b"del\x7f", 0x7f), (b"bell\x07", 0x07),
             (b"cr\rin the middle", 0x0d), (b"c1 \xc2\x85 nel", 0x85), (b"csi \xc2\x9b", 0x9b),
             (b"/say x\x1by", 0x1b), (b"/msg bob x\x00y", 0x00)]
    for raw, code in cases:
        alice.send(raw)
        alice.expect(re.compile(r"-ERR text contains a control character \(0x%02x\)" % code,
                                re.IGNORECASE))
    bob.expect_none(0.3)
    # nothing any member received holds a control character
    alice.send("clean")
    bob.expect("alice: clean")
    for d in bob.datagrams + alice.datagrams:
        bad = [c for c in d.decode("utf-8", "replace")
               if (ord(c) < 0x20 and c != "\n") or 0x7f <= ord(c) <= 0x9f]
        assert not bad, "control characters delivered: %r" % d
    srv.stop()


def test_line_512_relayed_513_rejected(ctx):
    srv, alice, bob = _pair(ctx)
    line = "x" * 510 + "yz"                     # 512 bytes
    alice.send(line)
    bob.expect("alice: " + line)
    cjk = "字" * 170 + "ab"                    # 512 bytes in 3-byte characters
    assert len(cjk.encode()) == 512
    alice.send(cjk)
    bob.expect("alice: " + cjk)
    alice.send("x" * 513)
    alice.expect("-ERR line too long (513 bytes, max 512); not relayed")
    alice.send("y" * 1000)
    alice.expect("-ERR line too long (1000 bytes, max 512); not relayed")
    alice.send("/say " + "z" * 508)            # 513 bytes with the command
    alice.expect("-ERR line too long (513 bytes, max 512); not relayed")
    bob.expect_none(0.3)
    srv.stop(told=(alice, bob))


def test_datagram_over_2048_rejected(ctx):
    srv, alice, bob = _pair(ctx)
    lines = ["%d" % i + "a" * 400 for i in range(5)]          # 5 lines, 2030 bytes + 5 "\n"
    dgram = ("\n".join(lines) + "\n").encode()
    assert len(dgram) > 2048 - 60 and len(dgram) <= 2048, len(dgram)
    pad = 2048 - len(dgram)
    dgram = dgram[:-1] + b"b" * pad + b"\n"                   # exactly 2048 bytes: all read
    alice.sendraw(dgram)
    for i in range(4):
        bob.expect("alice: " + lines[i])
    bob.expect("alice: " + lines[4] + "b" * pad)
    alice.expect_none(0.2)
    alice.sendraw(dgram[:-1] + b"c\n")                        # 2049 bytes: nothing read
    alice.expect("-ERR datagram too long (max 2048 bytes); nothing in it was read")
    alice.sendraw(b"/quit\n" + b"q" * 5000 + b"\n")           # not even the /quit
    alice.expect("-ERR datagram too long (max 2048 bytes); nothing in it was read")
    bob.expect_none(0.3)
    alice.send("/ping")
    alice.expect("+OK pong")
    srv.stop(told=(alice, bob))


def test_crlf(ctx):
    srv = ctx.server()
    alice = srv.join("alice")
    bob = ctx.peer()
    bob.sendraw(b"bob\r\n")
    bob.expect(online("+OK welcome bob (idle timeout 600s), ", ["alice", "bob"]))
    bob.sendraw(b"hello\r\nworld\r\n/who\r\n")
    alice.expect("bob joined the room")  # at bob's second datagram
    alice.expect("bob: hello")
    alice.expect("bob: world")
    bob.expect(online("+OK ", ["alice", "bob"]))
    bob.sendraw(b"/ping tok\r\n")
    bob.expect("+OK pong tok")
    srv.stop()


def test_multiline_datagram_in_order(ctx):
    srv = ctx.server()
    alice = srv.join("alice")
    p = ctx.peer()
    # joins, speaks, asks, renames, speaks, leaves: all in one datagram, in order
    p.send("bob", "one", "two", "/who", "/nick robert", "three", "/quit")
    p.expect(online("+OK welcome bob (idle timeout 600s), ", ["alice", "bob"]))
    p.expect(online("+OK ", ["alice", "bob"]))
    p.expect("+OK you are now robert")
    p.expect("+OK bye")
    p.expect_none(0.2)
    p.send("/ping")                          # no longer a member: a stranger's answer
    p.expect("-ERR not in the room (send /join NAME)")
    # one datagram: the room never heard of bob (an address heard once), so
    # no join, rename or leave notice; the lines are relayed
    for l in ("bob: one", "bob: two", "robert: three"):
        alice.expect(l)
    alice.expect_none(0.2)
    srv.stop(told=(alice,))


def test_empty_lines_and_datagrams_ignored(ctx):
    srv = ctx.server()
    alice, bob = srv.join("alice"), srv.join("bob")
    s = ctx.peer()
    for p in (alice, s):
        p.sendraw(b"")
        p.sendraw(b"\n")
        p.sendraw(b"\n\n\r\n\n")
        p.sendraw(b"\r\n")
    alice.sendraw(b"\n\nhi\n\n\nthere\n")
    bob.expect("alice: hi")
    bob.expect("alice: there")
    # nothing answered the empty ones: the next line is the pong
    alice.send("/ping 1")
    alice.expect("+OK pong 1")
    s.send("/help")
    s.expect_prefix("+OK commands: ")
    bob.expect_none(0.2)
    srv.stop(told=(alice, bob))


def test_last_line_without_newline(ctx):
    srv = ctx.server()
    alice, bob = srv.join("alice"), srv.join("bob")
    alice.sendraw(b"no newline at the end")
    bob.expect("alice: no newline at the end")
    alice.sendraw(b"a\nb")
    bob.expect("alice: a")
    bob.expect("alice: b")
    srv.stop()


def test_ipv6_member_with_ipv4_member(ctx):
    if not ctx.ipv6_ok():
        ctx.skip("::1 is not available on this host")
    srv = ctx.server()
    v4 = srv.join("four")
    v6 = srv.join("six", family=6)
    v4.send("hello six")
    v6.expect("four: hello six")
    v6.send("hello four")
    v4.expect("six: hello four")
    v6.send("/msg four psst")
    v6.expect("+OK sent to four")
    v4.expect("[private] six: psst")
    r = srv.ctl("who")
    assert re.search(r"^six \[::1\]:%d idle \d+s$" % v6.port, r.stdout, re.M), r.stdout
    assert re.search(r"^four 127\.0\.0\.1:%d idle \d+s$" % v4.port, r.stdout, re.M), r.stdout
    v6.send("/quit")
    v6.expect("+OK bye")
    v4.expect("six left the room")
    srv.stop()


def test_bad_line_among_good_ones(ctx):
    """One bad line in a datagram is refused alone; the lines around it are handled, in order."""
    srv = ctx.server()
    alice, bob = srv.join("alice"), srv.join("bob")
    alice.sendraw(b"one\n" + b"x" * 600 + b"\ntwo\nbad \xff utf8\nthree\nesc \x1b here\nfour\n")
    alice.expect("-ERR line too long (600 bytes, max 512); not relayed")
    alice.expect("-ERR text is not valid UTF-8")
    alice.expect(re.compile(r"-ERR text contains a control character \(0x1b\)", re.IGNORECASE))
    for w in ("one", "two", "three", "four"):
        bob.expect("alice: " + w)
    bob.expect_none(0.2)
    srv.stop(told=(alice, bob))
