"""test_client_v11.py: what the udpchat client does with protocol v1.1
(docs/PROTOCOL.md "What udpchat does with it"), as its user sees it:
history on joining (pipe and terminal), the notices for lines not kept,
missed and not delivered, a restarted server; against the real udpchatd
where it can show the behaviour, and against a fake server (a plain UDP
socket) where the real one would have to lose datagrams on cue. Loss
itself is test_loss.py's."""
import re
import time

import harness
from harness import timeout
from test_client import Client, FakeServer, Tmux, join_datagram, quits

SGR = re.compile(r"\x1b\[([0-9;]*)m")


def faint_rows(t):
    """The screen (capture-pane -e) as [(text, faint)] per row: faint if
    any character of the row is drawn with SGR 2."""
    out, faint = [], False
    for row in t.tmux("capture-pane", "-p", "-e", "-t", "0").split("\n")[:-1]:
        text, pos, any_faint = "", 0, False
        for m in SGR.finditer(row):
            chunk = row[pos:m.start()]
            text += chunk
            any_faint |= faint and bool(chunk.strip())
            pos = m.end()
            for code in (m.group(1) or "0").split(";"):
                if code in ("0", "", "22"):
                    faint = False
                elif code == "2":
                    faint = True
        chunk = row[pos:]
        any_faint |= faint and bool(chunk.strip())
        out.append(((text + chunk).rstrip(), any_faint))
    return out


def stderr_has(c, text, secs):
    """Polls the client's stderr until it holds text (a line of its own)."""
    deadline = time.monotonic() + harness.scale(secs)
    while text not in c.stderr().split("\n"):
        assert time.monotonic() < deadline, "no %r on stderr within %ss: %r" % (
            text, secs, c.stderr()[-500:])
        time.sleep(0.05)


def test_client_history_in_pipe_mode(ctx):
    """-k 5 in a pipe: the room's last 5 lines, each once, in order, as plain
    lines, before the live ones; without -k a pipe gets no history. The
    netcat-style member sees protocol v1 only."""
    srv = ctx.server("-r", "0")
    talker = srv.join("talker")
    for i in range(30):
        talker.send("old %02d" % i)
    talker.sync("t")
    bob = Client(ctx, "-k", "5", "-n", "bob", "127.0.0.1", srv.port)
    bob.expect_prefix("+OK welcome bob ", 3)
    for i in range(25, 30):
        bob.expect("talker: old %02d" % i)
    bob.expect_none(0.5)
    talker.expect("bob joined the room")
    carol = Client(ctx, "-n", "carol", "127.0.0.1", srv.port)
    carol.expect_prefix("+OK welcome carol ", 3)
    bob.expect("carol joined the room")
    talker.expect("carol joined the room")
    talker.send("live")
    bob.expect("talker: live")
    carol.expect("talker: live")      # the first line after its welcome
    bob.send("hello from bob\n")      # sent as /id 1 hello from bob
    talker.expect("bob: hello from bob")
    carol.expect("bob: hello from bob")
    talker.send("/who")
    talker.expect_prefix("+OK ")      # nothing else came in between: no ack, no =SEQ
    for c in (bob, carol):
        c.close_stdin()
        assert c.wait(5) == 0
    assert all(not re.match(r"[=~]\d|\+OK (ack|seq) ", line) for line in talker.history), \
        talker.history


@timeout(30)
def test_client_tty_history_faint(ctx):
    """On a terminal (20 lines by default): the history faint, each with its
    age; the live lines after it not faint, without an age."""
    srv = ctx.server("-r", "0")
    talker = srv.join("talker")
    talker.send("one")
    talker.send("two")
    talker.sync("t")
    t = Tmux(ctx, ["-n", "alice", "127.0.0.1", str(srv.port)])
    try:
        talker.expect("alice joined the room", 5)
        age = re.compile(r"talker: (one|two) \(\d+ s ago\)")
        t.wait_for(lambda r: sum(1 for l in r if age.fullmatch(l.rstrip())) == 2,
                   what="two lines of history")
        talker.send("three")
        t.wait_for(lambda r: any(l.rstrip() == "talker: three" for l in r), what="the live line")
        rows = faint_rows(t)
        shown = [(text, faint) for text, faint in rows if text.startswith("talker")]
        assert [x for x, _ in shown][:3] == ["talker joined the room (0 s ago)"] + [
            x for x, _ in shown if age.fullmatch(x)], rows
        assert [x for x, _ in shown][3:] == ["talker: three"], rows
        assert [f for _, f in shown] == [True, True, True, False], rows
        t.keys("/quit")
        t.key("Enter")
        assert t.exit_status() == 0
    finally:
        t.close()


def recv_not_since(fake, secs=3.0):
    """The fake server's next datagram that is not a /since (the receiver
    asks for the tail on its own)."""
    data = fake.recv_line(secs)
    while data.startswith(b"/since "):
        data = fake.recv_line(secs)
    return data


def _fake_v11(ctx, *args, stdin_data=None, last=0):
    """A fake server that speaks v1.1, and udpchat (pipe mode) joined to it
    as alice, told "+OK seq 0000abcd LAST"."""
    fake = FakeServer()
    c = Client(ctx, *args, "-n", "alice", "127.0.0.1", fake.port, stdin_data=stdin_data)
    assert fake.recv_line() == join_datagram("alice")
    fake.say("+OK welcome alice (idle timeout 600s), 2 online: bob alice\n")
    assert fake.confirmed(v11=True).rstrip(b"\n") == b"/seq"
    fake.say("+OK seq 0000abcd %d\n" % last)
    c.expect_prefix("+OK welcome alice ")
    return fake, c


@timeout(40)
def test_client_shows_in_order_once_and_tells_gaps(ctx):
    """A jump in the sequence numbers holds the later line and asks /since;
    what comes is shown once, in room order; what the server no longer
    keeps is told; a line that never comes is given up after 10 s and told;
    after a re-join a new epoch is told as a restart."""
    fake, c = _fake_v11(ctx, last=3)
    try:
        fake.say("=4 bob: four\n")
        c.expect("bob: four")
        fake.say("=8 bob: eight\n")
        ask = fake.recv_line()
        assert ask.startswith(b"/since 4\n") and len(ask) >= 1000, ask[:40]
        c.expect_none(0.3)                                # eight is held
        fake.say("~6 3 bob: six\n+OK since 4 8 1\n")      # 5 is gone, 7 not for alice
        c.expect("bob: six")
        c.expect("bob: eight")
        stderr_has(c, "udpchat: ... 1 earlier lines not kept", 2)
        fake.say("=8 bob: eight\n~6 3 bob: six\n=4 bob: four\n")   # all again: shown once
        fake.say("=9 bob: nine\n")
        c.expect("bob: nine")
        # 10 and 11 never come: after 10 s twelve is shown, and the gap told
        fake.say("=12 bob: twelve\n")
        t0 = time.monotonic()
        c.expect("bob: twelve", 15)
        took = time.monotonic() - t0
        assert 9 <= took <= harness.scale(13), took
        stderr_has(c, "udpchat: ... 2 lines missed", 2)
        # the server restarted: "not in the room", a re-join, a new epoch
        fake.say("-ERR not in the room\n")
        c.expect("-ERR not in the room")
        assert recv_not_since(fake) == join_datagram("alice")
        fake.say("+OK welcome alice (idle timeout 600s), 1 online: alice\n")
        assert recv_not_since(fake).rstrip(b"\n") == b"/seq"
        fake.say("+OK seq 0000beef 0\n")
        stderr_has(c, "udpchat: the server restarted; earlier history is gone", 3)
        fake.say("=1 bob: new\n")
        c.expect_prefix("+OK welcome alice ", skip=True)
        c.expect("bob: new")
        quits(c, fake, lambda: recv_not_since(fake))
    finally:
        fake.close()


def next_since(fake, secs):
    """The fake server's next /since (a keepalive ping in between is
    skipped); returns (the datagram, the seconds it took)."""
    t0 = time.monotonic()
    data = fake.recv_line(secs)
    while data.startswith(b"/ping "):
        data = fake.recv_line(secs)
    assert data.startswith(b"/since "), data[:40]
    return data, time.monotonic() - t0


@timeout(40)
def test_client_tail_asks_on_after_its_answer(ctx):
    """The receiver's tail: 1.5 s after the last event it asks /since; the
    answer comes, and the room's next line (relayed later: its sender was
    still sending it through the loss) is lost on its way. The receiver
    asks again 3 s after that answer, then 6 s after the next, and shows
    the line, instead of waiting for its keepalive (25 s)."""
    fake, c = _fake_v11(ctx, last=3)
    try:
        fake.say("=4 bob: four\n")
        c.expect("bob: four")
        ask, took = next_since(fake, 5)
        assert ask.startswith(b"/since 4\n") and 1.0 <= took, (ask[:40], took)
        fake.say("+OK since 4 4 0\n")
        ask, took = next_since(fake, 8)       # "=5 bob: five" was lost
        assert ask.startswith(b"/since 4\n") and 2.5 <= took, (ask[:40], took)
        fake.say("~5 1 bob: five\n+OK since 4 5 0\n")
        c.expect("bob: five")
        ask, took = next_since(fake, 12)
        assert ask.startswith(b"/since 5\n") and 5.5 <= took, (ask[:40], took)
        fake.say("+OK since 5 5 0\n")
        quits(c, fake, lambda: recv_not_since(fake))
    finally:
        fake.close()


@timeout(75)
def test_client_not_delivered_after_15_sends(ctx):
    """A line never acknowledged: the same datagram 15 times, the waits
    growing from 0.3-0.45 s to 2-3 s, then "not delivered" on stderr; the
    next line goes after it."""
    fake, c = _fake_v11(ctx)
    try:
        c.send("hello\n")
        sends, times = [], []
        while len(sends) < 15:
            sends.append(recv_not_since(fake, 5))
            times.append(time.monotonic())
        assert sends == [b"/id 1 hello\n"] * 15, sends[:3]
        gaps = [b - a for a, b in zip(times, times[1:])]
        assert 0.25 <= gaps[0] <= harness.scale(0.8), gaps
        assert all(g >= 1.9 for g in gaps[4:]), gaps
        assert all(g <= harness.scale(3.5) for g in gaps), gaps
        stderr_has(c, "udpchat: not delivered: hello", 5)
        c.send("again\n")
        data = recv_not_since(fake)
        assert data == b"/id 2 again\n", data
        fake.say("+OK ack 2 1\n")
        quits(c, fake, lambda: recv_not_since(fake))
        assert c.stderr().count("not delivered") == 1, c.stderr()
    finally:
        fake.close()


@timeout(30)
def test_client_short_event_form(ctx):
    """"= TEXT" is the event after the previous event line of its datagram
    (a reply between them does not count); with none before it in its
    datagram (alone, or after a "~" replay line or a malformed "=" line)
    it is ignored. Against a v1 server, lines starting with "= " or "=5 "
    (members named "=" and "=5") are plain lines."""
    fake, c = _fake_v11(ctx, last=3)
    try:
        fake.say("=4 bob: four\n= bob: five\n+OK pong\n= bob: six\n")
        for line in ("bob: four", "bob: five", "+OK pong", "bob: six"):
            c.expect(line)
        fake.say("= bob: orphan\n")                  # no event before it
        fake.say("~6 1 bob: six\n= bob: after a replay\n")
        fake.say("=7x bob: bad\n= bob: after a bad one\n")
        fake.say("=7 bob: seven\n= bob: eight\n")
        c.expect("bob: seven")                       # not taken as 7 before
        c.expect("bob: eight")
        fake.say("=8 bob: eight\n= bob: nine\n")     # 8 again: shown once
        c.expect("bob: nine")
        fake.say("=10 bob: ten\n")
        c.expect("bob: ten")                         # nothing else in between
        quits(c, fake, lambda: recv_not_since(fake))
    finally:
        fake.close()
    fake = FakeServer()
    try:
        c = Client(ctx, "-n", "alice", "127.0.0.1", fake.port)
        fake.accept()
        c.expect_prefix("+OK welcome alice ")
        fake.say("= joined the room\n=: hi\n=5 joined the room\n")
        c.expect("= joined the room")
        c.expect("=: hi")
        c.expect("=5 joined the room")
        quits(c, fake)
    finally:
        fake.close()
