"""test_irc.py: udpchatirc, the IRC bridge (issue 8), against a
real ngIRCd (Debian's package) that the test starts itself on a 127.0.0.1
port with a config file it writes (never the system service). udpchatd and
udpchatirc are the real binaries (a build with PROGS holding udpchatirc);
the IRC user is a raw socket; the members are real UDP peers."""
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import time

import harness
from harness import SockLines, scale, timeout

NGIRCD = shutil.which("ngircd") or "/usr/sbin/ngircd"
CHAN = "#room"
QUEUE_BYTES = 32768  # src/bounds.h IRCBOT_QUEUE_BYTES: room lines waiting for IRC


def queue_line(nick, i, size=256):
    """nick's room text "line I xxx..." whose line to the channel ("PRIVMSG
    #room :<nick> TEXT\r\n") is size bytes: the bridge's queue holds
    QUEUE_BYTES // size of them."""
    text = "line %d " % i
    return text + "x" * (size - len("PRIVMSG %s :<%s> \r\n" % (CHAN, nick)) - len(text))


def told_not_bridged(member, tag, want, timeout_s):
    """Sums the "[bridge TAG] N lines not bridged" notices member gets (one
    or several: at most one every 5 s) until they reach want or timeout_s
    passes. Returns the sum."""
    pat = re.compile(r"\[bridge %s\] (\d+) lines not bridged\Z" % re.escape(tag))
    told, deadline = 0, time.monotonic() + scale(timeout_s)
    while told < want and time.monotonic() < deadline:
        for l in member.lines(0.1):
            m = pat.match(l)
            told += int(m.group(1)) if m else 0
    return told


def _free_tcp_port():
    lo, hi = harness._port_range()
    for _ in range(200):
        port = random.randint(lo, hi)
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            s.bind(("127.0.0.1", port))
            return port
        except OSError:
            continue
        finally:
            s.close()
    raise RuntimeError("no free TCP port found")


class Ngircd:
    """An ngIRCd of the test's own: its config in the test's temp dir."""

    def __init__(self, ctx, name="irc1.test", port=None):
        self.ctx, self.name = ctx, name
        self.port = port or _free_tcp_port()
        self.dir = os.path.join(ctx.tmp, name)
        os.makedirs(self.dir, exist_ok=True)
        self.conf = os.path.join(self.dir, "ngircd.conf")
        with open(self.conf, "w") as f:
            f.write("[Global]\nName = %s\nInfo = udpchat test\nListen = 127.0.0.1\n"
                    "Ports = %d\nPidFile = %s/ngircd.pid\nMotdPhrase = test\n"
                    "[Options]\nPAM = no\nIdent = no\nDNS = no\n"
                    % (name, self.port, self.dir))
        self.proc = None
        self.start()

    def start(self):
        self.log = open(os.path.join(self.dir, "log"), "ab")
        self.proc = self.ctx.popen([NGIRCD, "-n", "-f", self.conf],
                                   stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + scale(5)
        while time.monotonic() < deadline:
            assert self.proc.poll() is None, "ngircd exited: %s" % self.logtext()
            try:
                socket.create_connection(("127.0.0.1", self.port), 0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        raise AssertionError("ngircd not listening on %d" % self.port)

    def kill9(self):
        os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait()

    def logtext(self):
        with open(os.path.join(self.dir, "log"), "rb") as f:
            return f.read()[-2000:].decode("utf-8", "replace")


class IrcUser(SockLines):
    """An IRC user as a raw socket: registers, joins, reads lines (PINGs
    answered on the way)."""

    def __init__(self, port, nick, chan=CHAN):
        self.nick = nick
        super().__init__(socket.create_connection(("127.0.0.1", port), scale(3)),
                         "irc " + nick, b"\r\n", self._ping)
        self.send("NICK " + nick, "USER %s 0 * :%s" % (nick, nick))
        self.expect(re.compile(r":\S+ 001 .*"), timeout=5, skip=True)
        if chan:
            self.send("JOIN " + chan)
            self.expect(re.compile(r":\S+ 366 .*"), timeout=5, skip=True)
            self.names = set()  # the channel's members when we joined (353)
            for l in self.skipped:
                if re.match(r":\S+ 353 ", l):
                    self.names |= {n.lstrip("~&@%+") for n in l.split(" :", 1)[1].split()}

    def send(self, *lines):
        self.sock.sendall(b"".join((l.encode() if isinstance(l, str) else l) + b"\r\n"
                                   for l in lines))

    def _ping(self, line):
        if line.startswith("PING "):
            self.send("PONG " + line[5:])
            return True
        return False

    def say(self, text):
        self.send("PRIVMSG %s :%s" % (CHAN, text))

    def expect_msg(self, nick, text, cmd="PRIVMSG", timeout=3.0):
        pat = re.compile(r":%s!\S+ %s %s :%s\Z" % (re.escape(nick), cmd, re.escape(CHAN),
                                                     re.escape(text)))
        return self.expect(pat, timeout, skip=True)

    def close(self):
        self.sock.close()


def _bridge(ctx, srv, irc, *flags, nick="udpbot", tag="libera"):
    cmd = ctx.cmd("udpchatirc", "-c", srv.ctl_path, "-n", nick, "-t", tag, *flags,
                  "127.0.0.1:%d" % irc.port, CHAN)
    err = open(os.path.join(ctx.tmp, "udpchatirc.%s.err" % tag), "ab")
    return ctx.popen(cmd, stdout=err, stderr=err)


def _bridge_clean(ctx):
    """The bridges' stderr holds no sanitizer report (an ASan build)."""
    for name in os.listdir(ctx.tmp):
        if name.startswith("udpchatirc."):
            with open(os.path.join(ctx.tmp, name), "rb") as f:
                text = f.read().decode("utf-8", "replace")
            assert "Sanitizer" not in text and "runtime error" not in text, text[-3000:]


def _need(ctx):
    if not os.path.exists(NGIRCD):
        ctx.skip("no ngircd (Debian package ngircd: make test-deps)")
    if subprocess.run(ctx.cmd("udpchatirc", "-V"), capture_output=True).returncode != 0:
        ctx.skip("no udpchatirc in %s (make PROGS=\"udpchatd udpchat udpchatctl udpchatirc\")"
                 % ctx.bindir)


@timeout(60)
def test_irc_relay_both_ways(ctx):
    _need(ctx)
    irc = Ngircd(ctx)
    srv = ctx.server()
    carol = IrcUser(irc.port, "carol")
    alice = srv.join("alice")
    bridge = _bridge(ctx, srv, irc)
    carol.expect(re.compile(r":udpbot!\S+ JOIN :?%s\Z" % re.escape(CHAN)), timeout=10, skip=True)
    alice.expect("[bridge libera] linked to IRC", timeout=5)
    srv.join("bob")
    carol.expect_msg("udpbot", "bob joined the room", "NOTICE")
    # room -> IRC
    alice.send("hi")
    carol.expect_msg("udpbot", "<alice> hi")
    alice.send("你好，世界")
    carol.expect_msg("udpbot", "<alice> 你好，世界")
    # IRC -> room
    carol.say("hello from irc")
    alice.expect("carol@libera: hello from irc")
    carol.say("中文也行")
    alice.expect("carol@libera: 中文也行")
    carol.say("\x01ACTION waves\x01")
    alice.expect("* carol@libera waves")
    # colours stripped; a NOTICE is never relayed
    carol.say("\x0304red\x03 and \x02bold\x02")
    alice.expect("carol@libera: red and bold")
    carol.send(b"PRIVMSG #room :caf\xe9 \x80 latin-1")  # not UTF-8: Windows-1252
    alice.expect("carol@libera: café € latin-1")
    carol.send("PRIVMSG %s :\x01VERSION\x01" % CHAN)     # a CTCP request: not for the room
    carol.send("NOTICE %s :not for the room" % CHAN)
    carol.say("after the notice")
    alice.expect("carol@libera: after the notice")
    # never twice: carol's own lines do not come back from the bot
    alice.send("sync")
    got = carol.before(re.compile(r":udpbot!\S+ PRIVMSG %s :<alice> sync\Z" % CHAN), timeout=3)
    assert not [l for l in got if "carol@" in l or "hello from irc" in l], got
    # a 500-byte Chinese line arrives whole on IRC, split at characters
    text = "你好" * 83 + "ab"
    assert len(text.encode()) == 500
    alice.send(text)
    pieces = []
    deadline = time.monotonic() + scale(10)
    while "".join(pieces) != text and time.monotonic() < deadline:
        line = carol.expect(re.compile(r":udpbot!\S+ PRIVMSG %s :<alice> .*" % CHAN),
                            timeout=max(0.1, deadline - time.monotonic()), skip=True)
        assert len(line.encode()) + 2 <= 512, len(line.encode())
        assert not re.search("[\udc80-\udcff]", line), line  # valid UTF-8
        pieces.append(line.split(" :<alice> ", 1)[1])
    assert "".join(pieces) == text, pieces
    assert len(pieces) >= 2, pieces
    # a member's join, rename, leave as NOTICEs
    alice.send("/nick alicia")
    carol.expect_msg("udpbot", "alice is now known as alicia", "NOTICE")
    # SIGTERM: the room is told, the bot quits IRC
    bridge.send_signal(signal.SIGTERM)
    assert bridge.wait(timeout=scale(5)) == 0
    alice.expect("[bridge libera] bridge stopped", skip=True)
    carol.expect(re.compile(r":udpbot!\S+ QUIT :.*bridge stopped.*"), timeout=3, skip=True)
    carol.close()
    srv.stop()
    _bridge_clean(ctx)


@timeout(90)
def test_irc_nick_in_use_and_restart(ctx):
    _need(ctx)
    irc = Ngircd(ctx)
    srv = ctx.server()
    squatter = IrcUser(irc.port, "udpbot", chan=None)
    carol = IrcUser(irc.port, "carol")
    alice = srv.join("alice")
    _bridge(ctx, srv, irc, "-N")
    carol.expect(re.compile(r":udpbot_!\S+ JOIN :?%s\Z" % re.escape(CHAN)), timeout=10, skip=True)
    alice.expect("[bridge libera] linked to IRC", timeout=5)
    alice.send("through the alternate")
    carol.expect_msg("udpbot_", "<alice> through the alternate")
    carol.say("back to you")
    alice.expect("carol@libera: back to you")
    squatter.close()
    carol.close()
    # ngIRCd killed and restarted: the bridge is back in the channel
    irc.kill9()
    alice.expect("[bridge libera] link to IRC down (connection closed); reconnecting",
                 timeout=5, skip=True)
    alice.send("said during the outage")
    # the bridge tried again after 1-1.25 s and failed; its next try is
    # 2-2.5 s after that: carol is in the channel before it
    time.sleep(1.6)
    irc.start()
    t0 = time.monotonic()
    carol = IrcUser(irc.port, "carol")
    assert "udpbot" not in carol.names, carol.names
    carol.expect(re.compile(r":udpbot!\S+ JOIN :?%s\Z" % re.escape(CHAN)), timeout=40, skip=True)
    ctx.note("bridge back in the channel %.1fs after the restart" % (time.monotonic() - t0))
    alice.expect("[bridge libera] linked to IRC", timeout=5, skip=True)
    # the line said during the outage was queued and follows
    carol.expect_msg("udpbot", "<alice> said during the outage")
    carol.say("and again")
    alice.expect("carol@libera: and again", skip=True)
    carol.close()
    srv.stop()
    _bridge_clean(ctx)


@timeout(90)
def test_irc_outage_queue_and_udpchatd_restart(ctx):
    _need(ctx)
    irc = Ngircd(ctx)
    srv = ctx.server("-r", "0")
    carol = IrcUser(irc.port, "carol")
    alice = srv.join("alice")
    _bridge(ctx, srv, irc, "-N")
    carol.expect(re.compile(r":udpbot!\S+ JOIN :?%s\Z" % re.escape(CHAN)), timeout=10, skip=True)
    alice.expect("[bridge libera] linked to IRC", timeout=5)
    alice.send("before")
    carol.expect_msg("udpbot", "<alice> before")
    carol.close()
    # during an outage lines are queued up to the bound (32 KiB: 128 lines
    # of 256 bytes); the rest are counted and the room is told (in one
    # notice, or several 5 s apart)
    irc.kill9()
    alice.expect("[bridge libera] link to IRC down (connection closed); reconnecting",
                 timeout=5, skip=True)
    t0 = time.monotonic()
    n = QUEUE_BYTES // 256 + 6
    for i in range(n):
        alice.send(queue_line("alice", i))
    told = told_not_bridged(alice, "libera", 6, 12)
    assert told == 6, (told, alice.history[-5:])
    # start ngIRCd between two tries of the bridge (1-1.25, 3-3.75, 7-8.75 s
    # after the kill): carol is in the channel before it
    time.sleep(max(0.0, 4.5 - (time.monotonic() - t0)))
    irc.start()
    carol = IrcUser(irc.port, "carol")
    assert "udpbot" not in carol.names, carol.names
    carol.expect(re.compile(r":udpbot!\S+ JOIN :?%s\Z" % re.escape(CHAN)), timeout=40, skip=True)
    for i in range(6):  # the first of the queue, in order, paced (a burst of 5, then 2 s)
        carol.expect_msg("udpbot", "<alice> " + queue_line("alice", i), timeout=6)
    # udpchatd restarted: the bridge re-attaches to the new one
    ctl_path, port = srv.ctl_path, srv.port
    srv.stop()
    srv2 = ctx.server("-r", "0", ctl=ctl_path, port=port)
    bob = srv2.join("bob")
    deadline = time.monotonic() + scale(20)
    n = 0
    while True:  # carol's lines are dropped until the bridge is attached again
        n += 1
        carol.say("probe %d" % n)
        try:
            bob.expect(re.compile(r"carol@libera: probe \d+"), timeout=1, skip=True)
            break
        except AssertionError:
            assert time.monotonic() < deadline, "the bridge did not re-attach to udpchatd"
    ctx.note("re-attached to the new udpchatd after %d probes" % n)
    carol.say("to the new room")
    bob.expect("carol@libera: to the new room", timeout=5, skip=True)
    carol.close()
    srv2.stop()
    _bridge_clean(ctx)
