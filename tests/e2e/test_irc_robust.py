"""test_irc_robust.py: udpchatirc (issue 8) against IRC servers that misbehave:
a FAKE IRC server written here (a listening TCP socket on 127.0.0.1 that the
test drives line by line: what a real server would never do) and a real
ngIRCd (test_irc.py's). udpchatd and udpchatirc are the real binaries (a
build with PROGS holding udpchatirc); the members are real UDP peers.
- a server that stops reading: the bridge never waits on it (the room's
  lines still come, its queue stays bounded, it leaves such a server);
- bad lines (over 512 bytes, NUL, CR, invalid UTF-8) and a flood of 10,000
  lines a second: the bridge stays up, its memory stays bounded, the room's
  relay is not slowed, and the room is told what was not bridged;
- liveness: its own PING, a reconnect when no answer comes, backoff 1 s
  doubling (with jitter), 432 (erroneous nick);
- pacing: -r 0 (none), -r BURST/SECONDS."""
import os
import re
import select
import signal
import socket
import subprocess
import threading
import time

import harness
from harness import SockLines, scale, timeout
import test_irc as irc_base

CHAN = irc_base.CHAN


class FakeConn(SockLines):
    """One connection the bridge made to the fake server: its lines (CR LF
    taken off) as a LineBuffer; the test writes what it likes."""

    def __init__(self, sock, n):
        self.lock = threading.Lock()  # the ticker and the test both write
        self.ticking = None
        super().__init__(sock, "fake irc conn %d" % n, b"\r\n")

    def send(self, *lines, raw=False):
        data = b"".join(l if raw else (l.encode() if isinstance(l, str) else l) + b"\r\n"
                        for l in lines)
        with self.lock:
            self.sock.settimeout(scale(5))
            try:
                self.sock.sendall(data)
            except socket.timeout:
                raise AssertionError("the bridge stopped reading the IRC server")

    def wait_eof(self, timeout):
        deadline = time.monotonic() + scale(timeout)
        while not self.eof:
            assert time.monotonic() < deadline, "%s: the bridge did not close it" % self.who
            self._fill(deadline - time.monotonic())
            self.pending = []

    def register(self, nick="udpbot", refuse_first=False):
        """Plays a server's part of registration and the JOIN: 432 for the
        first nick if refuse_first. Returns the nick the bridge got."""
        self.expect("NICK " + nick, timeout=5, skip=True)
        self.expect(re.compile(r"USER \S+ 0 \* :.*"), timeout=5)
        if refuse_first:  # the next ones are shorter (a NICKLEN below 9?)
            self.send(":fake.test 432 * %s :Erroneous nickname" % nick)
            nick = nick[:len(nick) - 2] + "_"
            self.expect("NICK " + nick, timeout=5)
            self.send(":fake.test 432 * %s :Erroneous nickname" % nick)
            nick = nick[:len(nick) - 2] + "1"
            self.expect("NICK " + nick, timeout=5)
        self.send(":fake.test 001 %s :Welcome" % nick,
                  ":fake.test 005 %s NICKLEN=9 CHANNELLEN=50 :are supported" % nick)
        self.expect("JOIN " + CHAN, timeout=5)
        self.send(":%s!u@127.0.0.1 JOIN :%s" % (nick, CHAN))
        return nick

    def tick(self, every=0.5):
        """Sends a NOTICE every `every` s from a thread, until untick: the
        server is not silent (it talks, it just does not read)."""
        stop = threading.Event()

        def run():
            while not stop.wait(every):
                try:
                    self.send(":fake.test NOTICE udpbot :tick")
                except (OSError, AssertionError):
                    return
        t = threading.Thread(target=run, daemon=True)
        t.start()
        self.ticking = (stop, t)

    def untick(self):
        if self.ticking:
            self.ticking[0].set()
            self.ticking[1].join()
            self.ticking = None

    def close(self):
        self.untick()
        self.sock.close()


class FakeIrc:
    """A listening socket on 127.0.0.1 (a port of the kernel's choosing)."""

    def __init__(self, rcvbuf=None):
        self.lsock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        if rcvbuf:  # inherited by what it accepts: a small window
            self.lsock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
        self.lsock.bind(("127.0.0.1", 0))
        self.lsock.listen(8)
        self.port = self.lsock.getsockname()[1]
        self.conns = []

    def accept(self, timeout=5.0):
        r, _, _ = select.select([self.lsock], [], [], scale(timeout))
        assert r, "the bridge did not connect to the fake IRC server within %.1fs" % scale(timeout)
        s, _ = self.lsock.accept()
        c = FakeConn(s, len(self.conns))
        self.conns.append(c)
        return c

    def close(self):
        for c in self.conns:
            c.close()
        self.lsock.close()


def _bridge(ctx, srv, port, *flags, tag="libera"):
    cmd = ctx.cmd("udpchatirc", "-c", srv.ctl_path, "-n", "udpbot", "-t", tag, *flags,
                  "127.0.0.1:%d" % port, CHAN)
    err = open(os.path.join(ctx.tmp, "udpchatirc.%s.err" % tag), "ab")
    return ctx.popen(cmd, stdout=err, stderr=err)


def _need(ctx):
    if subprocess.run(ctx.cmd("udpchatirc", "-V"), capture_output=True).returncode != 0:
        ctx.skip("no udpchatirc in %s (make PROGS=\"udpchatd udpchat udpchatctl udpchatirc\")"
                 % ctx.bindir)


def _hwm_kb(pid):
    with open("/proc/%d/status" % pid) as f:
        for l in f:
            if l.startswith("VmHWM:"):
                return int(l.split()[1])
    raise AssertionError("no VmHWM for %d" % pid)


def _stop(ctx, bridge, within=2.0):
    """SIGTERM: the bridge exits 0 promptly (it never sits in a write)."""
    t0 = time.monotonic()
    bridge.send_signal(signal.SIGTERM)
    try:
        rc = bridge.wait(timeout=scale(within))
    except Exception:
        raise AssertionError("udpchatirc still runs %.1fs after SIGTERM" % scale(within))
    assert rc == 0, rc
    return time.monotonic() - t0


@timeout(60)
def test_irc_robust_server_stops_reading(ctx):
    _need(ctx)
    fake = FakeIrc(rcvbuf=4096)
    srv = ctx.server("-r", "0")
    alice = srv.join("alice")
    bob = srv.join("bob")
    bridge = _bridge(ctx, srv, fake.port, "-N", "-r", "0", "-i", "3")
    c = fake.accept()
    c.register()
    alice.expect("[bridge libera] linked to IRC", timeout=5, skip=True)
    hwm0 = _hwm_kb(bridge.pid)
    # from now on the server reads nothing, and asks for PONGs of 400 bytes
    # (PINGs are what a server may send without end): the bridge's writes
    # find the socket full
    ping = b"PING :" + b"p" * 400 + b"\r\n"
    c.sock.setblocking(False)
    out, sent, t0 = ping * 256, 0, time.monotonic()
    while sent < 16 << 20 and time.monotonic() - t0 < scale(4):
        _, w, _ = select.select([], [c.sock], [], 0.5)
        if w:
            try:
                n = c.sock.send(out)
            except BlockingIOError:
                continue
            sent += n
            out = out[n:] or ping * 256
    if len(out) % len(ping):  # the rest of the PING cut in two
        c.send(out[:len(out) % len(ping)], raw=True)
    ctx.note("%.1f MB of PINGs taken by the bridge in %.1fs" % (sent / 1e6, time.monotonic() - t0))
    assert sent >= 4 << 20, "the bridge stopped reading after %d bytes" % sent
    # it still reads the server, and the room takes what comes
    c.send(":carol!c@127.0.0.1 PRIVMSG %s :still reading" % CHAN)
    alice.expect("carol@libera: still reading", timeout=3, skip=True)
    c.tick()
    # the room's lines, 256 bytes each to IRC: the queue holds 128 (32 KiB)
    # and the buffer what it still takes (at most 16), the rest are counted
    # and the room is told
    total, held = irc_base.QUEUE_BYTES // 256 + 32, irc_base.QUEUE_BYTES // 256
    for i in range(total):
        bob.send(irc_base.queue_line("bob", i))
    bob.send("/ping alive")  # udpchatd is not slowed either
    bob.expect("+OK pong alive", timeout=2, skip=True)
    # ... and the server that takes nothing for twice -i is left (it still
    # talks): the room is told both, the count perhaps in two notices 5 s
    # apart (the first drop is told at once)
    pat = re.compile(r"\[bridge libera\] (\d+ lines not bridged|link to IRC down \(the server "
                     r"reads nothing\); reconnecting)")
    n, down, deadline = 0, False, time.monotonic() + scale(15)
    while not down or n < total - held - 16:
        l = alice.expect(pat, timeout=max(0.1, deadline - time.monotonic()), skip=True)
        if "link to IRC down" in l:
            down = True
        else:
            n += int(l.split()[2])
    assert n <= total - held, n
    ctx.note("%d lines not bridged" % n)
    hwm1 = _hwm_kb(bridge.pid)
    ctx.note("bridge VmHWM %d kB before, %d kB after" % (hwm0, hwm1))
    assert hwm1 - hwm0 < 1024, (hwm0, hwm1)
    c.close()
    c2 = fake.accept(timeout=5)  # and it comes back (backoff 1 s)
    c2.register()
    alice.expect("[bridge libera] linked to IRC", timeout=5, skip=True)
    ctx.note("SIGTERM to exit: %.2fs" % _stop(ctx, bridge))
    fake.close()
    srv.stop()
    irc_base._bridge_clean(ctx)


@timeout(60)
def test_irc_robust_bad_lines_and_flood(ctx):
    _need(ctx)
    fake = FakeIrc()
    srv = ctx.server()
    alice = srv.join("alice")
    bob = srv.join("bob")
    bridge = _bridge(ctx, srv, fake.port, "-N")
    c = fake.accept()
    c.register()
    alice.expect("[bridge libera] linked to IRC", timeout=5, skip=True)
    carol = b":carol!c@127.0.0.1 PRIVMSG #room :"
    c.send(carol + b"x" * 600,                      # over 512 bytes: refused
           b"y" * 3000,                             # over the bridge's buffer
           carol + b"nul\x00byte",                  # a NUL: refused
           carol + b"cr\ronly",                     # a CR inside: refused
           carol + b"caf\xe9 cr\xe8me",             # latin-1: Windows-1252
           carol + b"\xe9" * 400,                   # 800 bytes in UTF-8: split
           carol + b"\x01ACTION \xff\xfe\x01",      # bytes left to nothing
           carol + b"after the bad ones")
    got = bob.before("carol@libera: after the bad ones", timeout=5)
    got = [l for l in got if "@libera" in l]
    assert got[0] == "carol@libera: café crème", got
    assert got[1] == "carol@libera: " + "é" * 256 and got[2] == "carol@libera: " + "é" * 144, got
    assert got[3:] == ["* carol@libera ÿþ"], got
    assert bridge.poll() is None
    hwm0 = _hwm_kb(bridge.pid)
    # 10,000 lines a second for 2 s; meanwhile alice's line reaches bob at once
    total, secs, done = 20000, 2.0, threading.Event()

    def flood():
        batch, t0 = 100, time.monotonic()
        for k in range(0, total, batch):
            c.send(*[carol + b"flood %d" % i for i in range(k, k + batch)])
            delay = t0 + (k + batch) * secs / total - time.monotonic()
            if delay > 0:
                time.sleep(delay)
        done.set()
    t0 = time.monotonic()
    th = threading.Thread(target=flood, daemon=True)
    th.start()
    time.sleep(1.0)
    t1 = time.monotonic()
    alice.send("during the flood")
    bob.expect("alice: during the flood", timeout=1, skip=True)
    ctx.note("alice -> bob during the flood: %.3fs" % (time.monotonic() - t1))
    th.join(scale(30))
    assert done.is_set(), "the flood did not end: the bridge stopped reading"
    flood_s = time.monotonic() - t0
    ctx.note("%d lines in %.1fs" % (total, flood_s))
    # every line is either in the room or counted in a notice, told at most
    # once every 5 s
    relayed, told, notices = 0, 0, []
    deadline = time.monotonic() + scale(12)
    while relayed + told < total:
        assert time.monotonic() < deadline, (relayed, told, notices)
        l = alice.expect(re.compile(r"carol@libera: flood \d+|\[bridge libera\] \d+ lines "
                                    r"from IRC not bridged \(at most 10 a second\)"),
                         timeout=max(0.1, deadline - time.monotonic()), skip=True)
        if l.startswith("carol@"):
            relayed += 1
        else:
            told += int(l.split()[2])
            notices.append(time.monotonic())
    elapsed = time.monotonic() - t0
    ctx.note("%d relayed, %d told in %d notices" % (relayed, told, len(notices)))
    assert relayed <= 20 + 10 * (elapsed + 1), (relayed, elapsed)
    assert len(notices) <= elapsed / 5 + 1, notices
    hwm1 = _hwm_kb(bridge.pid)
    ctx.note("bridge VmHWM %d kB before, %d kB after" % (hwm0, hwm1))
    assert hwm1 - hwm0 < 1024, (hwm0, hwm1)
    # still up, and the bucket fills again
    time.sleep(2.1)
    c.send(carol + b"after the flood")
    alice.expect("carol@libera: after the flood", timeout=3, skip=True)
    alice.send("and back")
    c.expect("PRIVMSG %s :<alice> and back" % CHAN, timeout=5, skip=True)
    _stop(ctx, bridge)
    fake.close()
    srv.stop()
    irc_base._bridge_clean(ctx)


@timeout(60)
def test_irc_robust_ping_backoff_432(ctx):
    _need(ctx)
    fake = FakeIrc()
    srv = ctx.server()
    alice = srv.join("alice")
    _bridge(ctx, srv, fake.port, "-N", "-i", "2")
    c = fake.accept()
    c.register()
    t0 = time.monotonic()  # after the server's last word: silent from now on
    alice.expect("[bridge libera] linked to IRC", timeout=5, skip=True)
    c.expect(re.compile(r"PING :?\S+"), timeout=5, skip=True)
    t_ping = time.monotonic() - t0
    alice.expect("[bridge libera] link to IRC down (no answer to PING); reconnecting",
                 timeout=5, skip=True)
    t_down = time.monotonic() - t0
    c.wait_eof(2)
    ctx.note("PING after %.1fs of silence, link down after %.1fs" % (t_ping, t_down))
    assert 1.9 <= t_ping <= 2 + scale(1.5), t_ping
    assert 3.9 <= t_down <= 4 + scale(2), t_down
    # reconnects: 1 s doubling, plus 0-25 % jitter (the server hangs up at once)
    times = [time.monotonic()]
    fake.accept(timeout=10).close()
    times.append(time.monotonic())
    # the second: 432 for the nick, then shorter alternates
    c = fake.accept(timeout=10)
    times.append(time.monotonic())
    waits = [b - a for a, b in zip(times, times[1:])]
    ctx.note("reconnect waits: %s" % " ".join("%.2f" % w for w in waits))
    for k, w in enumerate(waits):  # (the first one measured from a little late)
        assert 2 ** k - 0.25 <= w <= 2 ** k * 1.25 + scale(0.5), waits
    assert c.register(refuse_first=True) == "udp1"
    c.tick()  # not silent: no PING (each would cost 2 s of the pacing)
    alice.expect("[bridge libera] linked to IRC", timeout=5, skip=True)
    alice.send("as udp1")
    c.expect("PRIVMSG %s :<alice> as udp1" % CHAN, timeout=5, skip=True)
    fake.close()
    srv.stop()
    irc_base._bridge_clean(ctx)


def _paste(c, alice, n):
    """alice says n lines; returns when each reached the fake server."""
    for i in range(n):
        alice.send("paste %d" % i)
    times = []
    for i in range(n):
        c.expect("PRIVMSG %s :<alice> paste %d" % (CHAN, i), timeout=10, skip=True)
        times.append(time.monotonic())
    return times


@timeout(60)
def test_irc_robust_pacing_flag(ctx):
    _need(ctx)
    fake = FakeIrc()
    srv = ctx.server("-r", "0")
    alice = srv.join("alice")
    # -r 0: a 20-line paste goes at once
    bridge = _bridge(ctx, srv, fake.port, "-N", "-r", "0")
    c = fake.accept()
    c.register()
    alice.expect("[bridge libera] linked to IRC", timeout=5, skip=True)
    t0 = time.monotonic()
    times = _paste(c, alice, 20)
    ctx.note("-r 0: 20 lines in %.2fs" % (times[-1] - t0))
    assert times[-1] - t0 < scale(1.5), times[-1] - t0
    _stop(ctx, bridge)
    c.close()
    # -r 3/0.5: 3 at once, then one every 0.5 s
    bridge = _bridge(ctx, srv, fake.port, "-N", "-r", "3/0.5")
    c = fake.accept()
    c.register()
    alice.expect("[bridge libera] linked to IRC", timeout=5, skip=True)
    time.sleep(1.6)  # NICK, USER and JOIN counted too: their 1.5 s are past
    times = _paste(c, alice, 7)
    gaps = [b - a for a, b in zip(times, times[1:])]
    ctx.note("-r 3/0.5: gaps %s" % " ".join("%.2f" % g for g in gaps))
    assert times[2] - times[0] < scale(0.3), gaps
    assert times[6] - times[0] >= 1.9, gaps  # 4 more, 0.5 s apart
    assert all(g >= 0.4 for g in gaps[2:]), gaps
    _stop(ctx, bridge)
    # bad values are refused at start
    for bad in ("5", "0/2", "101/1", "5/0", "5/61", "5/1.2345", "5/x", "-1/2"):
        r = ctx.run("udpchatirc", "-r", bad, "127.0.0.1", CHAN)
        assert r.returncode == 2 and "bad -r" in r.stderr, (bad, r.returncode, r.stderr)
    fake.close()
    srv.stop()
    irc_base._bridge_clean(ctx)


@timeout(60)
def test_irc_robust_ngircd_unpaced_paste(ctx):
    """A real ngIRCd throttles a client that sends faster than it likes (its
    penalty clock: 3 lines a second) and never disconnects it for that:
    with -r 0 a 12-line paste arrives whole and in order, faster than the
    default pacing would send it (14 s), and the bot stays."""
    irc_base._need(ctx)
    irc = irc_base.Ngircd(ctx)
    srv = ctx.server("-r", "0")
    carol = irc_base.IrcUser(irc.port, "carol")
    alice = srv.join("alice")
    _bridge(ctx, srv, irc.port, "-N", "-r", "0")
    carol.expect(re.compile(r":udpbot!\S+ JOIN :?%s\Z" % re.escape(CHAN)), timeout=10, skip=True)
    alice.expect("[bridge libera] linked to IRC", timeout=5, skip=True)
    t0 = time.monotonic()
    for i in range(12):
        alice.send("paste %d" % i)
    for i in range(12):
        carol.expect_msg("udpbot", "<alice> paste %d" % i, timeout=10)
    took = time.monotonic() - t0
    ctx.note("12 lines through ngIRCd in %.1fs" % took)
    assert took < scale(10), took
    carol.say("still there")
    alice.expect("carol@libera: still there", timeout=5, skip=True)
    assert not [l for l in carol.history if re.match(r":udpbot!\S+ QUIT", l)], carol.history
    carol.close()
    srv.stop()
    irc_base._bridge_clean(ctx)


@timeout(30)
def test_irc_robust_udpchatd_stopped(ctx):
    """udpchatd stopped (SIGSTOP: it reads nothing) while the channel floods:
    the bridge still answers the IRC server at once; when udpchatd goes on,
    the room is told what was not bridged, and lines flow again."""
    _need(ctx)
    fake = FakeIrc()
    srv = ctx.server()
    alice = srv.join("alice")
    bridge = _bridge(ctx, srv, fake.port, "-N")
    c = fake.accept()
    c.register()
    alice.expect("[bridge libera] linked to IRC", timeout=5, skip=True)
    os.kill(srv.pid, signal.SIGSTOP)
    try:
        carol = b":carol!c@127.0.0.1 PRIVMSG #room :"
        for k in range(0, 20000, 500):
            c.send(*[carol + b"%d " % i + b"z" * 400 for i in range(k, k + 500)])
        t0 = time.monotonic()
        c.send("PING :still-there")
        c.expect(re.compile(r"PONG :?still-there"), timeout=2, skip=True)
        ctx.note("PONG %.3fs after the PING, udpchatd stopped" % (time.monotonic() - t0))
    finally:
        os.kill(srv.pid, signal.SIGCONT)
    alice.expect(re.compile(r"\[bridge libera\] \d+ lines from IRC not bridged .*"), timeout=8,
                 skip=True)
    time.sleep(2.1)  # the bucket fills again
    c.send(carol + b"after the stop")
    alice.expect("carol@libera: after the stop", timeout=3, skip=True)
    assert bridge.poll() is None
    _stop(ctx, bridge)
    fake.close()
    srv.stop()
    irc_base._bridge_clean(ctx)
