"""test_load.py: limits and load: 200 members, 2,000 datagrams of garbage,
room full (-m), the rate limit (-r), and how the server coalesces lines."""
import os
import random
import select
import socket
import time

from harness import online, timeout


def _collect(peers, until, quiet=0.3, limit=10.0):
    """Reads every peer until until(peers) is true and then nothing arrives
    for `quiet` s (or `limit` s pass). Lines land in each peer's .pending."""
    t_end = time.monotonic() + limit
    last = time.monotonic()
    socks = {p.sock.fileno(): p for p in peers}
    while time.monotonic() < t_end:
        r, _, _ = select.select(list(socks), [], [], 0.05)
        for fd in r:
            p = socks[fd]
            while True:
                try:
                    data, src = p.sock.recvfrom(65536, socket.MSG_DONTWAIT)
                except BlockingIOError:
                    break
                p.feed(data)
                last = time.monotonic()
        if until(peers) and time.monotonic() - last >= quiet:
            return True
    return until(peers)


@timeout(90)
def test_200_members_one_message(ctx):
    srv = ctx.server()
    n = 200
    peers = [ctx.peer() for _ in range(n)]
    # join in batches of 25, waiting for the welcomes (the server's socket buffer is finite)
    for b in range(0, n, 25):
        for i in range(b, min(n, b + 25)):
            peers[i].send("m%03d" % i)
            peers[i].send("")   # the second datagram confirms it: the room is told
            peers[i].name = "m%03d" % i
        ok = _collect(peers[b:b + 25],
                      lambda ps: all(any(l.startswith("+OK welcome ") for l in p.history) for p in ps),
                      quiet=0.0, limit=10)
        assert ok, "batch %d: not all welcomes arrived" % b
    # every member was told about exactly the members who joined after it
    _collect(peers, lambda ps: all(
        sum(1 for l in p.history if l.endswith(" joined the room")) >= n - 1 - i
        for i, p in enumerate(ps)), quiet=0.3, limit=15)
    for i, p in enumerate(peers):
        joined = [l[:-len(" joined the room")] for l in p.history if l.endswith(" joined the room")]
        assert joined == ["m%03d" % j for j in range(i + 1, n)], \
            "m%03d got %d join notices, expected %d" % (i, len(joined), n - 1 - i)
        w = [l for l in p.history if l.startswith("+OK welcome ")]
        assert len(w) == 1 and w[0].startswith("+OK welcome m%03d (idle timeout 600s), %d online: "
                                               % (i, i + 1)), w
        p.pending.clear()
    peers[0].send("/who")
    first = peers[0].expect_prefix("+OK %d online: " % n, timeout=3)
    names, more = peers[0].read_name_list(first)
    assert sorted(names) == ["m%03d" % i for i in range(n)]
    # one message reaches the 199 others, exactly once each
    t0 = time.monotonic()
    peers[57].send("hello two hundred")
    _collect(peers, lambda ps: all("m057: hello two hundred" in p.pending
                                   for i, p in enumerate(ps) if i != 57), quiet=0.3, limit=10)
    took = time.monotonic() - t0
    missing = [p.name for i, p in enumerate(peers) if i != 57 and "m057: hello two hundred" not in p.pending]
    assert not missing, "%d members did not get the message: %s" % (len(missing), missing[:10])
    for i, p in enumerate(peers):
        want = [] if i == 57 else ["m057: hello two hundred"]
        assert p.pending == want, "m%03d got %r" % (i, p.pending)
    assert took < 3.0, "fan-out to 199 took %.2fs" % took
    # every datagram the server sent fits one Ethernet frame
    big = max(len(d) for p in peers for d in p.datagrams)
    assert big <= 1472, "a datagram of %d bytes" % big
    srv.stop()


@timeout(60)
def test_garbage_2000_datagrams(ctx):
    srv = ctx.server()
    alice, bob = srv.join("alice"), srv.join("bob")
    rnd = random.Random(20261125)
    senders = [ctx.peer() for _ in range(8)]
    kinds = []
    for i in range(2000):
        k = i % 6
        if k == 0:
            d = bytes(rnd.getrandbits(8) for _ in range(rnd.randint(1, 600)))
        elif k == 1:
            d = b"\x00" * rnd.randint(1, 300)
        elif k == 2:
            d = os.urandom(rnd.choice((2049, 3000, 8000, 65000)))        # oversized
        elif k == 3:
            d = b""
        elif k == 4:
            d = rnd.choice((b"/", b"/join", b"/msg \xff", b"\xff\n\xfe\r\n", b"\n" * 2000,
                            b"/join " + b"a" * 600, b"/nick \x00", b"\r", b"/say\x00",
                            b"/ping " + os.urandom(400), b"\xc0\x80" * 900, b"\xed\xa0\x80" * 5))
        else:
            d = bytes(rnd.choice(b"/\n\r :+-[\x00\x1b\x7f\xc2\x85\xe4\xb8\xadab") for _ in
                      range(rnd.randint(1, 2100)))
        kinds.append(d)
    t0 = time.monotonic()
    for i, d in enumerate(kinds):
        senders[i % len(senders)].sendraw(d)
        if i % 100 == 99:
            time.sleep(0.01)        # the server's socket buffer is finite; loss is fine, a hang is not
            for s in senders:
                s.drain(0)
    sent = time.monotonic() - t0
    assert sent < 20, "sending garbage took %.1fs" % sent
    assert srv.alive(), "server died under garbage: %s" % srv.stderr_text()[-1000:]
    # garbage may have joined some senders (a random line can be a valid name):
    # drop what alice and bob got so far, then check that chat still works
    for s in senders:
        s.drain(0.05)
    alice.drain(0.3)
    bob.drain(0.05)
    alice.send("still alive?")
    bob.expect("alice: still alive?", skip=True, timeout=3)
    bob.send("/who")
    first = bob.expect_prefix("+OK ", skip=True)
    names, _ = bob.read_name_list(first)
    assert "alice" in names and "bob" in names, names
    alice.send("/ping after")
    alice.expect("+OK pong after", skip=True)
    # nothing any member got holds a control character
    for p in [alice, bob] + senders:
        for d in p.datagrams:
            t = d.decode("utf-8", "strict")
            bad = [c for c in t if (ord(c) < 0x20 and c != "\n") or 0x7f <= ord(c) <= 0x9f]
            assert not bad, "control characters delivered: %r" % d[:200]
    took = time.monotonic() - t0
    assert took < 30, "garbage round took %.1fs" % took
    srv.stop()


def test_room_full(ctx):
    srv = ctx.server("-m", "3")
    a, b, c = srv.join("a"), srv.join("b"), srv.join("c")
    d = ctx.peer()
    d.send("d")
    d.expect("-ERR room full (3 members)")
    d.send("/join d")
    d.expect("-ERR room full (3 members)")
    for p in (a, b, c):
        p.expect_none(0.2)
    b.send("/quit")
    b.expect("+OK bye")
    a.expect("b left the room")
    c.expect("b left the room")
    d.send("d")
    d.expect(online("+OK welcome d (idle timeout 600s), ", ["a", "c", "d"]))
    d.send("")
    a.expect("d joined the room")
    srv.stop()


def _burst_lines(p, count, tag):
    # one datagram per line, as a fast typist or a script would send them
    for i in range(count):
        p.send("%s%02d" % (tag, i))


def test_rate_limit(ctx):
    srv = ctx.server()            # default -r 5: bursts of 20
    alice, bob = srv.join("alice"), srv.join("bob")
    t0 = time.monotonic()
    _burst_lines(alice, 40, "a")
    burst = time.monotonic() - t0
    got = bob.sync("a")           # bob's ping is read after alice's 40 lines
    # the bucket is full (20) and refills at 5/s during the burst
    allowed = 20 + int(burst * 5) + 1
    assert 20 <= len(got) <= allowed, "bob got %d lines (allowed 20..%d): %r" % (len(got), allowed, got)
    assert got == ["alice: a%02d" % i for i in range(len(got))], got
    replies = alice.sync("a")     # /ping is not rate limited
    assert replies == ["-ERR slow down (5 lines/s)"], replies
    # /ping is not counted
    alice.send("/ping")
    alice.expect("+OK pong")
    # one second later: still over, at most one more slow down per second
    time.sleep(1.05)
    _burst_lines(alice, 30, "b")
    got = bob.sync("b")
    assert 1 <= len(got) <= 10, got
    assert got == ["alice: b%02d" % i for i in range(len(got))], got
    replies = alice.sync("b")
    assert replies == ["-ERR slow down (5 lines/s)"], replies
    assert srv.stats()["rate_limited"] >= 1
    # others are not affected by alice's bucket
    bob.send("bob is fine")
    alice.expect("bob: bob is fine")
    srv.stop()


def test_rate_limit_custom_and_off(ctx):
    srv = ctx.server("-r", "2")    # bursts of 8
    alice, bob = srv.join("alice"), srv.join("bob")
    _burst_lines(alice, 12, "x")
    got = bob.sync("x")           # bob's ping is read after alice's 12 lines
    assert 8 <= len(got) <= 9, got
    assert got == ["alice: x%02d" % i for i in range(len(got))], got
    assert alice.sync("x") == ["-ERR slow down (2 lines/s)"]
    srv.stop(told=(alice, bob))
    srv = ctx.server("-r", "0")
    alice, bob = srv.join("alice"), srv.join("bob")
    _burst_lines(alice, 100, "y")
    _collect([bob], lambda ps: len(ps[0].pending) >= 100, quiet=0.2, limit=5)
    assert bob.pending == ["alice: y%02d" % i for i in range(100)], bob.pending[-3:]
    alice.expect_none(0.1)
    srv.stop(told=(alice,))


def test_coalescing_lines_never_split(ctx):
    srv = ctx.server("-r", "0")
    alice, bob = srv.join("alice"), srv.join("bob")
    lines = ["%03d " % i + "w" * 300 for i in range(6)]
    alice.send(*lines)                                  # 1830 bytes in one datagram
    for l in lines:
        bob.expect("alice: " + l)
    for d in bob.datagrams:
        assert len(d) <= 1472, "datagram of %d bytes" % len(d)
    srv.stop()


def test_quit_not_rate_limited(ctx):
    srv = ctx.server()
    alice, bob = srv.join("alice"), srv.join("bob")
    _burst_lines(alice, 30, "q")
    alice.send("/quit")
    got = bob.sync("q")
    assert got[-1] == "alice left the room", got[-3:]
    # alice is a stranger now: her /ping's answer comes after all she was sent
    alice.send("/ping")
    replies = alice.before("-ERR not in the room (send /join NAME)")
    assert replies == ["-ERR slow down (5 lines/s)", "+OK bye"], replies
    srv.stop(told=(bob,))


def test_rate_limit_sustained(ctx):
    """20 lines/s for 3 s against -r 5 (bursts of 20): about 20 + 5*3 lines get
    through, and "slow down" comes at most once a second."""
    srv = ctx.server()
    alice, bob = srv.join("alice"), srv.join("bob")
    t0 = time.monotonic()
    slow = []
    relayed = []
    i = 0
    while time.monotonic() - t0 < 3.0:
        alice.send("s%02d" % i)
        i += 1
        for l in alice.lines(0.0):
            assert l == "-ERR slow down (5 lines/s)", l
            slow.append(time.monotonic() - t0)
        relayed += bob.lines(0.0)
        time.sleep(max(0.0, t0 + i * 0.05 - time.monotonic()))
    elapsed = time.monotonic() - t0
    for l in alice.sync("end"):   # the rest of what alice was sent
        assert l == "-ERR slow down (5 lines/s)", l
        slow.append(time.monotonic() - t0)
    relayed += bob.sync("end")    # and of what bob was
    assert all(l.startswith("alice: s") for l in relayed), relayed
    # lines are relayed in the order sent, none twice
    nums = [int(l[len("alice: s"):]) for l in relayed]
    assert nums == sorted(set(nums)), nums
    want = 20 + 5 * elapsed
    assert want - 3 <= len(relayed) <= want + 3, \
        "%d of %d lines relayed in %.2fs (expected about %.0f)" % (len(relayed), i, elapsed, want)
    assert 1 <= len(slow) <= 3, slow
    gaps = [b - a for a, b in zip(slow, slow[1:])]
    assert all(g >= 0.9 for g in gaps), "slow down replies closer than 1 s: %r" % slow
    ctx.note("%d of %d lines relayed in %.2fs; slow down at %s s" % (
        len(relayed), i, elapsed, ", ".join("%.2f" % t for t in slow)))
    srv.stop()
