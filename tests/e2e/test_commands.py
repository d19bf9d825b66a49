"""test_commands.py: every row of PROTOCOL.md's "Commands" table, from a member
and from an address not in the room, plus the "Other errors" table."""
import re

from harness import online

NOT_IN = "-ERR not in the room (send /join NAME)"


def test_join_row(ctx):
    srv = ctx.server()
    alice = srv.join("alice")
    # member: /join -> already in the room as NAME (its own name)
    alice.send("/join bob")
    alice.expect("-ERR already in the room as alice")
    alice.send("/join alice")
    alice.expect("-ERR already in the room as alice")
    # stranger: /join NAME joins
    bob = ctx.peer()
    bob.send("/join bob")
    bob.expect(online("+OK welcome bob (idle timeout 600s), ", ["alice", "bob"]))
    bob.send("")
    alice.expect("bob joined the room")
    # several spaces between command and argument
    carol = ctx.peer()
    carol.send("/join    carol")
    carol.expect(online("+OK welcome carol (idle timeout 600s), ", ["alice", "bob", "carol"]))
    carol.send("")
    alice.expect("carol joined the room")
    bob.expect("carol joined the room")
    srv.stop()


def test_plain_text_row(ctx):
    srv = ctx.server()
    alice, bob = srv.join("alice"), srv.join("bob")
    # member: same as /say
    alice.send("good morning everyone")
    bob.expect("alice: good morning everyone")
    alice.expect_none(0.2)
    # stranger, valid name: joins
    carol = ctx.peer()
    carol.send("carol")
    carol.expect(online("+OK welcome carol (idle timeout 600s), ", ["alice", "bob", "carol"]))
    carol.send("")
    alice.expect("carol joined the room")
    bob.expect("carol joined the room")
    # stranger, not a valid name: hint, nothing relayed
    s = ctx.peer()
    s.send("hello there")
    s.expect("-ERR not in the room: send your name first (invalid name: contains whitespace)")
    s.send("a:b")
    s.expect("-ERR not in the room: send your name first (invalid name: contains ':')")
    s.send("abcdefghijklmnopq")
    s.expect("-ERR not in the room: send your name first (invalid name: longer than 16 characters)")
    s.send("admin")
    s.expect("-ERR not in the room: send your name first (invalid name: reserved)")
    s.send("+hi")
    s.expect("-ERR not in the room: send your name first "
             "(invalid name: must not start with '/', '+', '-' or '[')")
    for p in (alice, bob, carol):
        p.expect_none(0.2)
    srv.stop(told=(alice, bob, carol))


def test_say_row(ctx):
    srv = ctx.server()
    alice, bob, carol = srv.join("alice"), srv.join("bob"), srv.join("carol")
    alice.send("/say hi all")
    bob.expect("alice: hi all")
    carol.expect("alice: hi all")
    alice.expect_none(0.2)
    # text that looks like a command or a reply is still just text after /say
    alice.send("/say /quit +OK -ERR [admin] x")
    bob.expect("alice: /quit +OK -ERR [admin] x")
    carol.expect("alice: /quit +OK -ERR [admin] x")
    s = ctx.peer()
    s.send("/say hi")
    s.expect(NOT_IN)
    for p in (alice, bob, carol):
        p.expect_none(0.2)
    srv.stop(told=(alice, bob, carol))


def test_msg_row(ctx):
    srv = ctx.server()
    alice, bob, carol = srv.join("alice"), srv.join("bob"), srv.join("carol")
    alice.send("/msg bob meet me at 5")
    alice.expect("+OK sent to bob")
    bob.expect("[private] alice: meet me at 5")
    carol.expect_none(0.2)
    # the name ignores ASCII case
    alice.send("/msg BOB again")
    alice.expect(re.compile(r"\+OK sent to (bob|BOB)"))
    bob.expect("[private] alice: again")
    alice.send("/msg zed hello")
    alice.expect("-ERR no such member: zed")
    s = ctx.peer()
    s.send("/msg bob hi")
    s.expect(NOT_IN)
    bob.expect_none(0.2)
    carol.expect_none(0.1)
    srv.stop(told=(alice, bob, carol))


def test_who_row(ctx):
    srv = ctx.server()
    alice = srv.join("alice")
    alice.send("/who")
    alice.expect("+OK 1 online: alice")
    bob, zs = srv.join("bob"), srv.join("张三")
    bob.send("/who")
    bob.expect(online("+OK ", ["alice", "bob", "张三"]))
    s = ctx.peer()
    s.send("/who")
    s.expect(NOT_IN)
    alice.expect_none(0.1)
    zs.expect_none(0.1)
    srv.stop(told=(alice, bob, zs))


def test_nick_row(ctx):
    srv = ctx.server()
    alice, bob, carol = srv.join("alice"), srv.join("bob"), srv.join("carol")
    alice.send("/nick alicia")
    alice.expect("+OK you are now alicia")
    bob.expect("alice is now known as alicia")
    carol.expect("alice is now known as alicia")
    alice.send("hi")
    bob.expect("alicia: hi")
    carol.expect("alicia: hi")
    bob.send("/who")
    bob.expect(online("+OK ", ["alicia", "bob", "carol"]))
    # the old name is free again, the new one is taken
    d = ctx.peer()
    d.send("/join ALICIA")
    d.expect(re.compile(r"-ERR name taken: (ALICIA|alicia)"))
    d.join("alice")
    for p in (alice, bob, carol):
        p.expect("alice joined the room")
    # taken, invalid: nothing changes, nobody else told
    alice.send("/nick bob")
    alice.expect("-ERR name taken: bob")
    alice.send("/nick Carol")
    alice.expect(re.compile(r"-ERR name taken: (Carol|carol)"))
    alice.send("/nick a:b")
    alice.expect("-ERR invalid name: contains ':'")
    alice.send("/nick admin")
    alice.expect("-ERR invalid name: reserved")
    alice.send("/nick abcdefghijklmnopq")
    alice.expect("-ERR invalid name: longer than 16 characters")
    alice.send("/nick -x")
    alice.expect("-ERR invalid name: must not start with '/', '+', '-' or '['")
    alice.send("/nick")
    alice.expect("-ERR usage: /nick NEW")
    for p in (bob, carol, d):
        p.expect_none(0.2)
    alice.send("/who")
    alice.expect(online("+OK ", ["alicia", "bob", "carol", "alice"]))
    s = ctx.peer()
    s.send("/nick zed")
    s.expect(NOT_IN)
    srv.stop(told=(alice, bob, carol, d))


def test_quit_row(ctx):
    srv = ctx.server()
    alice, bob, carol = srv.join("alice"), srv.join("bob"), srv.join("carol")
    bob.send("/quit")
    bob.expect("+OK bye")
    alice.expect("bob left the room")
    carol.expect("bob left the room")
    # a stranger's /quit (bob is one now): ignored, no reply
    bob.send("/quit")
    bob.expect_none(0.3)
    bob.send("/ping")                        # the next answer he gets
    bob.expect(NOT_IN)
    s = ctx.peer()
    s.send("/quit")
    s.expect_none(0.2)
    s.send("/ping")
    s.expect(NOT_IN)
    alice.expect_none(0.1)
    carol.expect_none(0.1)
    alice.send("/who")
    alice.expect(online("+OK ", ["alice", "carol"]))
    srv.stop(told=(alice, carol))


def test_ping_row(ctx):
    srv = ctx.server()
    alice, bob = srv.join("alice"), srv.join("bob")
    alice.send("/ping")
    alice.expect("+OK pong")
    alice.send("/ping abc123")
    alice.expect("+OK pong abc123")
    alice.send("/ping   tok-42")
    alice.expect("+OK pong tok-42")
    bob.expect_none(0.2)
    s = ctx.peer()
    s.send("/ping")
    s.expect(NOT_IN)
    s.send("/ping x")
    s.expect(NOT_IN)
    srv.stop(told=(alice, bob))


def test_help_row(ctx):
    srv = ctx.server()
    alice, bob = srv.join("alice"), srv.join("bob")
    alice.send("/help")
    h = alice.expect_prefix("+OK commands: ")
    for c in ("/join", "/say", "/msg", "/who", "/nick", "/quit", "/ping", "/help"):
        assert c in h, "%s missing from %r" % (c, h)
    alice.expect_none(0.2)     # one line
    bob.expect_none(0.1)
    s = ctx.peer()
    s.send("/help")
    assert s.expect_prefix("+OK commands: ") == h
    s.expect_none(0.2)
    # /help did not make the stranger a member
    s.send("/who")
    s.expect(NOT_IN)
    srv.stop(told=(alice, bob))


def test_unknown_command_row(ctx):
    srv = ctx.server()
    alice, bob = srv.join("alice"), srv.join("bob")
    alice.send("/dance")
    alice.expect("-ERR unknown command /dance (try /help)")
    alice.send("/dance with me")
    alice.expect("-ERR unknown command /dance (try /help)")
    # commands are lower case
    alice.send("/WHO")
    alice.expect("-ERR unknown command /WHO (try /help)")
    bob.expect_none(0.2)
    s = ctx.peer()
    s.send("/dance")
    s.expect("-ERR unknown command /dance (try /help)")
    s.send("/Join bob")
    s.expect("-ERR unknown command /Join (try /help)")
    srv.stop(told=(alice, bob))


def test_usage_errors(ctx):
    srv = ctx.server()
    alice, bob = srv.join("alice"), srv.join("bob")
    s = ctx.peer()
    s.send("/join")
    s.expect("-ERR usage: /join NAME")
    s.send("/join   ")
    s.expect("-ERR usage: /join NAME")
    alice.send("/say")
    alice.expect("-ERR usage: /say TEXT")
    alice.send("/msg")
    alice.expect("-ERR usage: /msg NAME TEXT")
    alice.send("/msg bob")
    alice.expect("-ERR usage: /msg NAME TEXT")
    alice.send("/nick")
    alice.expect("-ERR usage: /nick NEW")
    bob.expect_none(0.2)
    srv.stop(told=(alice, bob))


def test_join_reply_continuation(ctx):
    """Many long names: the join reply and /who go on with "+OK more:" lines,
    none over 512 bytes, each name exactly once."""
    srv = ctx.server()
    names = []
    # 16 characters of 3 bytes each: 48 bytes, the longest name there is
    for i in range(24):
        names.append(chr(0x4e00 + i) * 16)
    for i in range(16):
        names.append("n%015d" % i)
    peers = []
    for n in names:
        p = ctx.peer()
        p.join(n)
        peers.append(p)
    # a join padded to 192 bytes, as udpchat sends it: 576 bytes may answer
    # it before the address is confirmed, so the welcome is one line of at
    # most 512 bytes that ends "[N more: /who]"
    last = ctx.peer()
    last.sendraw(b"/join zz" + b"\n" * 184)
    first = last.expect_prefix("+OK welcome zz (idle timeout 600s), %d online: " % (len(names) + 1))
    assert 400 < len(first.encode()) <= 512, "line of %d bytes: %r" % (len(first.encode()), first)
    got, more = last.read_name_list(first)
    assert not more and None in got, first
    assert set(got) - {None} < set(names + ["zz"]), got
    last.expect_none(0.2)
    # confirmed (its second datagram): the whole list, continued
    last.send("/who")
    first = last.expect_prefix("+OK %d online: " % (len(names) + 1))
    got, more = last.read_name_list(first)
    assert more, "expected '+OK more:' lines in /who"
    for line in [first] + more:
        assert len(line.encode()) <= 512, "line of %d bytes" % len(line.encode())
    assert sorted(got) == sorted(names + ["zz"]), got
    srv.stop()


def test_stranger_gets_no_room_events(ctx):
    """Room events go to members only: an address that only asked /help
    hears nothing of joins, chat, renames, private lines, leaves, notices."""
    srv = ctx.server()
    s = ctx.peer()
    s.send("/help")
    s.expect_prefix("+OK commands: ")
    alice, bob = srv.join("alice"), srv.join("bob")
    alice.send("hello")
    bob.expect("alice: hello")
    alice.send("/msg bob hi")
    alice.expect("+OK sent to bob")
    bob.expect("[private] alice: hi")
    bob.send("/nick robert")
    bob.expect("+OK you are now robert")
    alice.expect("bob is now known as robert")
    srv.admin("notice")
    alice.expect("[admin] notice")
    bob.expect("[admin] notice")
    bob.send("/quit")
    bob.expect("+OK bye")
    alice.expect("robert left the room")
    s.expect_none(0.3)
    s.send("/help")                          # the next line s gets is this answer
    s.expect_prefix("+OK commands: ")
    srv.stop(told=(alice,))
    s.expect_none(0.1, final=True)           # not told either (s works: just above)


def test_argument_spaces(ctx):
    """Arguments are separated by one or more spaces; the text keeps its own."""
    srv = ctx.server()
    alice, bob = srv.join("alice"), srv.join("bob")
    alice.send("/msg   bob   hi  there")
    alice.expect("+OK sent to bob")
    bob.expect("[private] alice: hi  there")
    alice.send("/say   two  spaces")
    bob.expect("alice: two  spaces")
    alice.send("/nick   alicia")
    alice.expect("+OK you are now alicia")
    bob.expect("alice is now known as alicia")
    srv.stop()


def test_who_line_boundaries(ctx):
    """Names of every length, joined one by one; after each join /who (and the
    join reply) list everyone, on lines of at most 512 bytes, so every way of
    landing on the 512-byte boundary is met."""
    srv = ctx.server("-r", "0")
    asker = srv.join("q")
    names = ["q"]
    lengths = [16, 15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1]
    for i in range(150):
        n = ("%c%d" % (chr(ord("a") + i % 26), i) + "z" * 16)[:lengths[i % 16]]
        if n.lower() in [x.lower() for x in names] or n in ("admin", "server"):
            continue
        p = ctx.peer()
        p.sendraw(("/join %s" % n).encode().ljust(192, b"\n"))
        first = p.expect_prefix("+OK welcome %s " % n)
        names.append(n)
        got, more = p.read_name_list(first)
        assert not more, more  # unconfirmed: one line, cut to fit 3x 192 bytes
        assert len(first.encode()) <= 512, "join reply line of %d bytes" % len(first.encode())
        assert len(got) == len(names) and set(got) - {None} <= set(names), (n, got)
        assert None not in got or len(first.encode()) > 470, first  # cut only when full
        p.send("")
        asker.drain(0)
        asker.pending.clear()
        asker.send("/who")
        first = asker.expect_prefix("+OK %d online: " % len(names), skip=True)
        got, more = asker.read_name_list(first)
        for line in [first] + more:
            assert len(line.encode()) <= 512, "/who line of %d bytes" % len(line.encode())
        assert sorted(got) == sorted(names), (n, sorted(set(names) ^ set(got)))
    srv.stop()
