"""Protocol v1.1, the server side (docs/PROTOCOL.md "Protocol v1.1 (opt-in)"):
/seq and the "=SEQ " prefixes, the history ring (/since, /last, the gap after
it wrapped, private lines kept for their recipient's session only), /id and
its window, and hostile requests: bad numbers, long ids, floods of /since from
a member and from strangers (bytes out per byte in bounded, relay responsive).
A member that never sent /seq sees exactly protocol v1 throughout."""

import os
import re
import select
import signal
import socket
import time

from harness import basic, timeout

EPOCH_RE = re.compile(r"\+OK seq ([0-9a-f]{8}) (\d+)")
EVENT_RE = re.compile(r"=(\d+) (.*)")
REPLAY_RE = re.compile(r"~(\d+) (\d+) (.*)")


def opt_in(peer):
    """Sends /seq; returns (epoch, last)."""
    peer.send("/seq")
    m = EPOCH_RE.fullmatch(peer.expect(EPOCH_RE))
    return m.group(1), int(m.group(2))


def line_seqs(peer):
    """The seq of every line the peer received (None: not an event), in
    the order of peer.history: "=SEQ TEXT", or "= TEXT" numbered from the
    event line before it in its datagram (there must be one)."""
    out = []
    for d in peer.datagrams:
        prev = None
        for raw in d[:-1].split(b"\n"):
            m = EVENT_RE.fullmatch(raw.decode("utf-8", "surrogateescape"))
            if m:
                prev = int(m.group(1))
            elif raw.startswith(b"= "):
                assert prev is not None, "a short form first in its datagram: %r" % d[:200]
                prev += 1
            else:
                out.append(None)
                continue
            out.append(prev)
    return out


def event(peer, text):
    """The next line must be the event "=SEQ text" (or "= text"); returns SEQ."""
    peer.expect(re.compile(r"=(\d+)? " + re.escape(text)))
    return line_seqs(peer)[len(peer.history) - len(peer.pending) - 1]


def ask(peer, req, pad=1400):
    """Sends req padded with empty lines to about pad bytes (as udpchat
    does); returns (replayed [(seq, age, text)], end line)."""
    peer.sendraw((req + "\n").encode() + b"\n" * max(0, pad - len(req) - 1))
    got = []
    while True:
        line = peer.expect(re.compile(r"[~+-].*"))
        m = REPLAY_RE.fullmatch(line)
        if not m:
            return got, line
        got.append((int(m.group(1)), int(m.group(2)), m.group(3)))


@basic
def test_seq_prefix_only_for_opted_in(ctx):
    s = ctx.server()
    plain = s.join("plain")
    v11 = s.join("v11")
    epoch, last = opt_in(v11)
    assert epoch != "00000000"
    talker = s.join("talker", drain_others=False)
    n_join = event(v11, "talker joined the room")
    assert n_join == last + 1
    plain.expect("talker joined the room")
    seqs = []
    for i in range(5):
        talker.send("hello %d" % i)
        seqs.append(event(v11, "talker: hello %d" % i))
        plain.expect("talker: hello %d" % i)
    assert seqs == list(range(n_join + 1, n_join + 6)), seqs
    # a private line takes a seq for its recipient; replies take none
    talker.send("/msg v11 psst")
    talker.expect("+OK sent to v11")
    n_priv = event(v11, "[private] talker: psst")
    assert n_priv == seqs[-1] + 1
    talker.send("/nick talker2")
    talker.expect("+OK you are now talker2")
    n_nick = event(v11, "talker is now known as talker2")
    plain.expect("talker is now known as talker2")
    s.admin("maintenance at noon")
    event(v11, "[admin] maintenance at noon")
    plain.expect("[admin] maintenance at noon")
    talker.expect("[admin] maintenance at noon")
    talker.send("/quit")
    talker.expect("+OK bye")
    n_left = event(v11, "talker2 left the room")
    assert n_left == n_nick + 2
    plain.expect("talker2 left the room")
    # /seq again: same reply, with the latest seq; replies stay unprefixed
    assert opt_in(v11) == (epoch, n_left)
    v11.send("/ping x")
    v11.expect("+OK pong x")
    # the plain member never saw a prefix, a "~" line or a v1.1 reply
    assert all(not d.startswith((b"=", b"~")) and b"\n=" not in d and b"\n~" not in d
               for d in plain.datagrams), plain.datagrams
    # a restart: a new epoch (random), seqs from 1 again; the plain
    # member's last line is v1's shutdown notice, as it is
    s.stop(told=(plain,))
    s2 = ctx.server(port=s.port)
    again = s2.join("again")
    epoch2, last2 = opt_in(again)
    assert epoch2 != epoch and last2 == 1, (epoch, epoch2, last2)


def test_seq_short_form(ctx):
    """Events that follow one another in a datagram: the first "=SEQ ", the
    others "= " (the previous one's seq + 1); a member's own line is not
    sent to it, so the event after it is not consecutive for it and gets
    its full prefix. Members in v1 get the lines as they are."""
    s = ctx.server("-r", "0")
    plain = s.join("plain")
    v11 = s.join("v11")
    talker = s.join("talker")
    _, last = opt_in(v11)
    opt_in(talker)
    talker.send("one", "two", "three")          # one datagram: one batch
    for text in ("one", "two", "three"):
        plain.expect("talker: " + text)
    first = v11.expect(re.compile(r"=\d+ talker: one"))
    assert v11.expect(re.compile(r"=(\d+)? talker: two")) == "= talker: two"
    assert v11.expect(re.compile(r"=(\d+)? talker: three")) == "= talker: three"
    assert b"\n".join(x.encode() for x in (first, "= talker: two", "= talker: three")) + b"\n" \
        in v11.datagrams[-1], v11.datagrams[-1]
    n = int(EVENT_RE.fullmatch(first).group(1))
    assert n == last + 1
    # v11 speaks between two of the talker's lines, in one batch (the
    # server stopped while they are sent): not sent to v11, so the
    # talker's next line (n + 5 after n + 3) gets a full prefix
    os.kill(s.pid, signal.SIGSTOP)
    try:
        talker.send("four")
        v11.send("mine")
        talker.send("five")
        time.sleep(0.2)
    finally:
        os.kill(s.pid, signal.SIGCONT)
    for text in ("four", "mine", "five"):
        plain.expect(("v11: " if text == "mine" else "talker: ") + text)
    assert v11.expect(re.compile(r"=\d+ talker: four")) == "=%d talker: four" % (n + 3)
    assert v11.expect(re.compile(r"=\d+ talker: five")) == "=%d talker: five" % (n + 5)
    assert event(talker, "v11: mine") == n + 4
    seqs = [q for q in line_seqs(v11) if q is not None]
    assert seqs == sorted(set(seqs)), seqs
    assert all(not d.startswith((b"=", b"~")) and b"\n=" not in d for d in plain.datagrams)


def test_seq_in_join_datagram(ctx):
    """printf 'alice\\n\\n/seq\\n' | nc -u: /seq in the joining datagram."""
    s = ctx.server()
    bob = s.join("bob")
    p = ctx.peer()
    p.sendraw(b"alice\n\n/seq\n")
    p.expect_prefix("+OK welcome alice")
    p.expect(EPOCH_RE)
    p.send("")  # the second datagram confirms
    bob.expect("alice joined the room")
    bob.send("hi alice")
    event(p, "bob: hi alice")


def test_history_since_and_last(ctx):
    s = ctx.server("-r", "0")
    talker = s.join("talker")
    for i in range(30):
        talker.send("line %02d" % i)
    talker.sync("t")
    late = s.join("late")
    _, last = opt_in(late)
    got, end = ask(late, "/last 20")
    # the last 20 events it may see: its own join (not sent to it) is
    # passed over, so 20 lines
    assert [t for _, _, t in got] == ["talker: line %02d" % i for i in range(10, 30)], got
    assert end == "+OK last 20 %d" % last, end
    assert all(age <= 5 for _, age, _ in got)
    seqs = [n for n, _, _ in got]
    assert seqs == sorted(seqs) and seqs[-1] == last - 1  # its own join is not for it
    # /since from the start: everything kept (the ring holds all of it)
    got, end = ask(late, "/since 0")
    texts = [t for _, _, t in got]
    assert texts == ["talker joined the room"] + ["talker: line %02d" % i for i in range(30)], texts
    assert end == "+OK since 0 %d 0" % last, end
    # N = LAST: just the end line
    assert ask(late, "/since %d" % last) == ([], "+OK since %d %d 0" % (last, last))
    # the speaker's own lines are not replayed to it; its join is not itself
    _, tl = opt_in(talker)
    got, end = ask(talker, "/since 0")
    assert [t for _, _, t in got] == ["late joined the room"], got
    # /last K counts what it may see: the talker's own 30 lines are not
    # among its last 5 (nor can they be): late's join only
    got, end = ask(talker, "/last 5")
    assert [t for _, _, t in got] == ["late joined the room"], got
    assert end == "+OK last 5 %d" % last, end


def test_gap_after_wrap(ctx):
    s = ctx.server("-r", "0", "-H", "600")
    talker = s.join("talker")
    for i in range(40):
        talker.send("line %02d %s" % (i, "x" * 40))  # 57 bytes a line
    talker.sync("t")
    late = s.join("late")
    _, last = opt_in(late)
    got, end = ask(late, "/since 0")
    m = re.fullmatch(r"\+OK since 0 (\d+) (\d+)", end)
    assert m, end
    upto, lost = int(m.group(1)), int(m.group(2))
    assert upto == last and lost > 0, end
    assert got[0][0] == lost + 1, (got[0], lost)
    # every seq in (0, upto] is either replayed or counted lost (seq 1 is
    # the talker's join, kept or not, never for the talker itself)
    assert lost + len(got) == last - 1, (lost, len(got), last)  # its own join: not for it
    assert sum(len(t) + 1 for _, _, t in got) <= 600
    assert s.stats()["seq"] == last


def test_private_kept_for_recipient_session(ctx):
    s = ctx.server()
    alice = s.join("alice")
    bob = s.join("bob")
    carol = s.join("carol")
    for p in (alice, bob, carol):
        opt_in(p)
    alice.send("/msg bob secret for bob")
    alice.expect("+OK sent to bob")
    n = event(bob, "[private] alice: secret for bob")
    alice.send("public")
    event(bob, "alice: public")
    event(carol, "alice: public")
    got, _ = ask(bob, "/since %d" % (n - 1))
    assert [t for _, _, t in got] == ["[private] alice: secret for bob", "alice: public"], got
    got, _ = ask(carol, "/since %d" % (n - 1))
    assert [t for _, _, t in got] == ["alice: public"], got
    got, _ = ask(alice, "/since %d" % (n - 1))
    assert got == [], got  # neither its private line (sent, not received) nor its own line
    got, _ = ask(bob, "/last 5")
    assert "[private] alice: secret for bob" not in [t for _, _, t in got]
    # bob again, same name, new session: the private line is not his any more
    bob.send("/quit")
    bob.expect("+OK bye")
    event(alice, "bob left the room")
    event(carol, "bob left the room")
    bob2 = s.join("bob", drain_others=False)
    event(alice, "bob joined the room")
    opt_in(bob2)
    got, _ = ask(bob2, "/since %d" % (n - 1))
    assert all("secret" not in t for _, _, t in got), got


def test_hostile_numbers(ctx):
    s = ctx.server()
    m = s.join("m")
    _, last = opt_in(m)
    for bad in ("-1", "abc", "100000000000000000000", "4294967296", "4294967295",
                "1 2", "0x10", str(last + 1)):
        m.send("/since " + bad)
        m.expect("-ERR usage: /since N")
    m.send("/since")
    m.expect("-ERR usage: /since N")
    for bad in ("0", "51", "-1", "abc", "100000000000000000000"):
        m.send("/last " + bad)
        m.expect("-ERR usage: /last K")
    got, end = ask(m, "/since 0")
    assert end.startswith("+OK since 0 ")
    m.send("/id " + "a" * 1000 + " hello")
    m.expect("-ERR line too long (1010 bytes, max 512); not relayed")
    m.send("/id " + "a" * 500 + " hello")
    m.expect("-ERR usage: /id ID LINE")
    m.send("/id " + "a" * 17 + " hello")
    m.expect("-ERR usage: /id ID LINE")
    m.send("/id a/b hello")
    m.expect("-ERR usage: /id ID LINE")
    m.send("/id x1 /who")
    m.expect("-ERR usage: /id ID LINE")
    m.send("/id x1")
    m.expect("-ERR usage: /id ID LINE")
    assert s.alive()


def test_id_window(ctx):
    s = ctx.server("-r", "0")
    a = s.join("a")
    b = s.join("b")
    a.send("/id k1 hello")
    ack = a.expect(re.compile(r"\+OK ack k1 \d+"))
    b.expect("a: hello")
    a.send("/id k1 hello")          # the ack was lost: acked again, not relayed
    assert a.expect(re.compile(r"\+OK ack k1 \d+")) == ack
    a.send("/id k2 hello")          # another id: relayed again
    a.expect(re.compile(r"\+OK ack k2 \d+"))
    b.expect("a: hello")
    b.expect_none()
    # a private line through /id: its own reply, then the ack
    a.send("/id k3 /msg b psst")
    a.expect("+OK sent to b")
    a.expect(re.compile(r"\+OK ack k3 \d+"))
    b.expect("[private] a: psst")
    a.send("/id k3 /msg b psst")
    a.expect(re.compile(r"\+OK ack k3 \d+"))
    # a refused line: no ack, and its id is not kept
    a.send("/id k4 /msg nobody x")
    a.expect("-ERR no such member: nobody")
    a.send("/id k4 hello again")
    a.expect(re.compile(r"\+OK ack k4 \d+"))
    b.expect("a: hello again")
    # the window is the bound: after 8 newer ids, k1 is new again
    for i in range(8):
        a.send("/id w%d filler %d" % (i, i))
        a.expect(re.compile(r"\+OK ack w%d \d+" % i))
        b.expect("a: filler %d" % i)
    a.send("/id k1 hello")
    a.expect(re.compile(r"\+OK ack k1 \d+"))
    b.expect("a: hello")
    b.expect_none()
    a.send("end")
    b.expect("a: end")


def test_id_not_rate_counted_when_repeated(ctx):
    s = ctx.server("-r", "1")      # bursts of 4 lines
    a = s.join("a")
    b = s.join("b")
    a.send("/id r1 once")
    ack = a.expect(re.compile(r"\+OK ack r1 \d+"))
    b.expect("a: once")
    for _ in range(10):             # resends: acked, never "slow down"
        a.send("/id r1 once")
        assert a.expect(re.compile(r"\+OK ack r1 \d+")) == ack
    a.send("/id r2 twice")
    a.expect(re.compile(r"\+OK ack r2 \d+"))
    b.expect("a: twice")
    b.expect_none()
    a.send("/id r2 twice")
    a.expect(re.compile(r"\+OK ack r2 \d+"))
    a.send("/id r3 thrice")
    a.expect(re.compile(r"\+OK ack r3 \d+"))
    b.expect("a: thrice")


@timeout(60)
def test_since_flood_member_bounded(ctx):
    """1,000 /since 0 a second from a member: rate limited, and every reply
    at most 3x the bytes of the datagram that asked."""
    s = ctx.server()
    talker = s.join("talker")
    flooder = s.join("flooder")
    normal = s.join("normal")
    listener = s.join("listener")
    opt_in(flooder)
    for i in range(20):
        talker.send("history line %02d %s" % (i, "y" * 60))
        time.sleep(0.01)
    talker.sync("t")
    listener.drain(0.5)
    flooder.drain(0.5)
    sent = got = 0
    req = b"/since 0\n" + b"\n" * 100
    start = time.monotonic()
    worst = 0.0
    latencies = []
    for i in range(1000):
        flooder.sendraw(req)
        sent += len(req)
        if i % 100 == 50:
            t0 = time.monotonic()
            normal.send("ping %d" % i)
            listener.expect("normal: ping %d" % i, timeout=ctx.scale(2))
            latencies.append(time.monotonic() - t0)
        while True:
            r, _, _ = select.select([flooder.sock], [], [], 0)
            if not r:
                break
            d = flooder.sock.recv(65536)
            got += len(d)
        time.sleep(max(0, start + (i + 1) / 1000.0 - time.monotonic()))
    end = time.monotonic() + ctx.scale(1)
    while time.monotonic() < end:
        r, _, _ = select.select([flooder.sock], [], [], 0.2)
        if not r:
            break
        got += len(flooder.sock.recv(65536))
    worst = max(latencies)
    ctx.note("member flood: %d bytes in, %d out (%.2f per byte), relay latency max %.0f ms"
             % (sent, got, got / sent, worst * 1000))
    assert got <= 3 * sent
    st = s.stats()
    assert st["rate_limited"] > 500, st
    assert worst < ctx.scale(1.0), latencies


@timeout(60)
def test_since_from_strangers_bounded(ctx):
    """Strangers (many source ports) asking /since and /last: told they are not
    in the room, within the strangers' budget; no history drawn out."""
    s = ctx.server()
    talker = s.join("talker")
    listener = s.join("listener")
    for i in range(10):
        talker.send("secret history %d" % i)
    socks = []
    for i in range(50):
        so = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        so.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
        so.bind(("127.0.0.1", 0))
        socks.append(so)
    sent = got = 0
    start = time.monotonic()
    data = []
    for i in range(1000):
        req = (b"/since 0\n", b"/last 50\n", b"/seq\n/since 0\n")[i % 3]
        socks[i % 50].sendto(req, s.addr)
        sent += len(req)
        if i == 500:
            talker.send("still relayed")
            listener.expect("talker: still relayed", timeout=ctx.scale(2), skip=True)
        time.sleep(max(0, start + (i + 1) / 1000.0 - time.monotonic()))
    end = time.monotonic() + ctx.scale(1)
    while time.monotonic() < end:
        r, _, _ = select.select(socks, [], [], 0.3)
        if not r:
            break
        for so in r:
            d = so.recv(65536)
            got += len(d)
            data.append(d)
    elapsed = time.monotonic() - start
    ctx.note("strangers: %d bytes in, %d out (%.2f per byte) in %.1fs"
             % (sent, got, got / sent, elapsed))
    assert all(b"secret" not in d and not d.startswith((b"~", b"=", b"+OK")) for d in data), data[:3]
    assert all(d.startswith(b"-ERR not in the room") for d in data), data[:3]
    # within max(3x, 128 bytes) per datagram and 200 replies a second (+400 burst)
    assert len(data) <= 400 + 200 * elapsed + 50, len(data)
    for so in socks:
        so.close()
