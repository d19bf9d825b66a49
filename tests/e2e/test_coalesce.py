"""test_coalesce.py: the relay's coalescing of lines waiting for the same member
(issue 4; PROTOCOL.md "Datagrams and lines"): several lines may share one
datagram, but a line is never split, a datagram never exceeds 1400 bytes,
each member gets its lines in order, a lone message is not held back, and a
netcat member sees exactly the lines it saw before coalescing existed."""
import random
import time

from harness import basic, timeout

DGRAM_MAX = 1400


def _text(rng, i):
    """A chat text of 1..~500 bytes, numbered, ASCII or Chinese filler."""
    head = "#%04d " % i
    kind = rng.randrange(3)
    if kind == 0:
        body = "".join(rng.choice("abcdefghij klmnopqrstuvwxyz") for _ in range(rng.randrange(1, 490)))
    elif kind == 1:
        body = "张三李四" * rng.randrange(1, 40)  # 3-byte characters: a split would show
    else:
        body = "x" * rng.choice((1, 200, 400, 490))
    return head + body.strip() + "."


def _datagrams_of_lines(texts, limit=2000):
    """Groups texts into datagrams of several lines each, every datagram
    under the server's 2048-byte bound."""
    out, cur, size = [], [], 0
    for t in texts:
        n = len(t.encode()) + 1
        if cur and size + n > limit:
            out.append(cur)
            cur, size = [], 0
        cur.append(t)
        size += n
    if cur:
        out.append(cur)
    return out


def _send_paced(sender, texts, receivers, per=8):
    """Sends texts from sender in datagrams of several lines, `per` datagrams
    at a time, and has every receiver expect "NAME: text" for each, in order.
    Pacing keeps a slow (sanitizer) server's socket buffer from overflowing:
    lines of one datagram are always in one batch, which is all coalescing
    needs."""
    groups = _datagrams_of_lines(texts)
    for k in range(0, len(groups), per):
        burst = groups[k:k + per]
        for g in burst:
            sender.send(*g)
        for r in receivers:
            for g in burst:
                for t in g:
                    r.expect("%s: %s" % (sender.name, t), timeout=5)


def _check_datagrams(peer, since=0):
    """Every datagram since index `since`: within the bound, whole lines.
    Returns how many held more than one line."""
    multi = 0
    for d in peer.datagrams[since:]:
        assert len(d) <= DGRAM_MAX, "%s: datagram of %d bytes > %d" % (peer.who, len(d), DGRAM_MAX)
        assert d.endswith(b"\n"), "%s: datagram not ending in a whole line" % peer.who
        d.decode("utf-8")  # a line cut inside a character would not decode
        multi += d.count(b"\n") > 1
    return multi


@basic
@timeout(60)
def test_coalesce_whole_lines_within_bound(ctx):
    srv = ctx.server("-r", "0", "-t", "0")
    alice, bob, carol = srv.join("alice"), srv.join("bob"), srv.join("carol")
    mark = {p: len(p.datagrams) for p in (bob, carol)}
    rng = random.Random(1400)
    texts = [_text(rng, i) for i in range(300)]
    # many lines per datagram: they are all waiting in one batch, so the
    # server has every reason to pack them together
    _send_paced(alice, texts, (bob, carol))
    for p in (bob, carol):
        p.expect_none(0.2)
        multi = _check_datagrams(p, mark[p])
        assert multi > 0, "%s: no datagram held more than one line (no coalescing)" % p.who
        # what arrived is fewer datagrams than lines, and nothing but the lines
        got = b"".join(p.datagrams[mark[p]:]).decode()
        assert got == "".join("alice: %s\n" % t for t in texts)
    alice.expect_none(0.1)  # no echo of its own lines, coalesced or not
    srv.stop(told=(alice, bob, carol))


@timeout(60)
def test_coalesce_exact_fits(ctx):
    # lines whose sizes add up to exactly the bound, one byte over, one under
    srv = ctx.server("-r", "0", "-t", "0")
    alice, bob = srv.join("al"), srv.join("bob")
    mark = len(bob.datagrams)
    prefix = len("al: ")
    texts = []
    for total in (DGRAM_MAX, DGRAM_MAX + 1, DGRAM_MAX - 1):
        # three lines "al: #NNNN yyy...\n" whose sizes add up to total
        a = total // 3
        for size in (a, a, total - 2 * a):
            texts.append("#%04d " % len(texts) + "y" * (size - prefix - 1 - 6))
    # a single line as large as the protocol allows (512 bytes of text)
    texts.append("z" * 512)
    for group in _datagrams_of_lines(texts):
        alice.send(*group)
    for t in texts:
        bob.expect("al: " + t, timeout=5)
    bob.expect_none(0.2)
    _check_datagrams(bob, mark)
    srv.stop(told=(bob,))


@timeout(60)
def test_coalesce_keeps_each_members_order(ctx):
    srv = ctx.server("-r", "0", "-t", "0")
    senders = [srv.join(n) for n in ("s1", "s2", "s3")]
    listeners = [srv.join(n) for n in ("l1", "l2")]
    everyone = senders + listeners
    marks = {p: len(p.datagrams) for p in everyone}
    rounds, per = 40, 5
    pings = 0
    for k in range(rounds):
        for s in senders:
            s.send(*["%s n=%d" % (s.name, k * per + j) for j in range(per)])
        if k % 8 == 0:
            # a unicast reply mixed into the broadcasts must keep its place too
            listeners[0].send("/ping t%d" % pings)
            pings += 1
    total = rounds * per
    deadline = time.monotonic() + ctx.scale(10)
    for p in everyone:
        want = {s.name: total for s in senders if s is not p}
        got = {name: [] for name in want}
        replies = []
        while sum(len(v) for v in got.values()) < sum(want.values()) or \
                (p is listeners[0] and len(replies) < pings):
            left = deadline - time.monotonic()
            assert left > 0, "%s: only %r lines, %d replies" % (
                p.who, {k: len(v) for k, v in got.items()}, len(replies))
            for line in p.lines(min(left, 0.2)):
                if line.startswith("+OK pong"):
                    replies.append(line)
                    continue
                name, _, rest = line.partition(": ")
                assert name in got, "%s: unexpected line %r" % (p.who, line)
                got[name].append(int(rest.split("=")[1]))
        for name, seqs in got.items():
            assert seqs == list(range(total)), "%s: lines of %s out of order or missing: %r" % (
                p.who, name, [x for i, x in enumerate(seqs) if x != i][:10])
        if p is listeners[0]:
            assert replies == ["+OK pong t%d" % i for i in range(pings)], replies
        p.expect_none(0.2)
        _check_datagrams(p, marks[p])
    srv.stop(told=everyone)


@basic
@timeout(30)
def test_lone_message_not_delayed(ctx):
    srv = ctx.server("-r", "0", "-t", "0")
    alice, bob = srv.join("alice"), srv.join("bob")
    bob.drain(0.1)
    delays = []
    for i in range(12):
        t0 = time.monotonic()
        alice.send("lone %d" % i)
        bob.expect("alice: lone %d" % i, timeout=2)
        delays.append(time.monotonic() - t0)
        # alone in the room's queue, so alone in its datagram
        assert bob.datagrams[-1] == b"alice: lone %d\n" % i, bob.datagrams[-1]
        time.sleep(0.02)
    delays.sort()
    median = delays[len(delays) // 2]
    # no coalescing timer: a quiet room relays at once (generous for ASan/CI)
    assert median < ctx.scale(0.05), "median delay %.1f ms: %r" % (median * 1e3, delays)
    assert delays[-1] < ctx.scale(0.5), "max delay %.1f ms" % (delays[-1] * 1e3)
    srv.stop()


@basic
@timeout(60)
def test_netcat_member_sees_the_same_lines(ctx):
    srv = ctx.server("-r", "0", "-t", "0")
    alice, bob = srv.join("alice"), srv.join("bob")
    nc = ctx.nc(srv.port)
    nc.send("carol\n")
    nc.expect_prefix("+OK welcome carol ")
    nc.send("\n")                   # an empty line confirms carol
    alice.expect("carol joined the room")
    bob.expect("carol joined the room")
    mark = len(bob.datagrams)
    rng = random.Random(8888)
    texts = [_text(rng, i) for i in range(120)]
    _send_paced(alice, texts, (nc, bob))
    # bob (a plain socket) shows the lines did share datagrams
    assert _check_datagrams(bob, mark) > 0
    # and after the burst, a lone line still comes through at once
    alice.send("/say bye carol")
    nc.expect("alice: bye carol")
    bob.expect("alice: bye carol")
    nc.send("/quit\n")
    nc.expect("+OK bye")
    alice.expect("carol left the room")
    nc.expect_none(0.2)
    nc.send("/ping\n")                       # no longer a member: a stranger's answer
    nc.expect("-ERR not in the room (send /join NAME)")
    bob.expect("carol left the room")
    srv.stop(told=(alice, bob))
