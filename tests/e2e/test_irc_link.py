"""test_irc_link.py: several boards in one IRC channel through LINKED ngIRCd
servers (issue 8, "several boards"): each ngIRCd is Debian's, started by the
test on a free 127.0.0.1 port with [Server] blocks the test writes (never the
system service); each board is a real udpchatd with a real udpchatirc that
names the other boards' bridges with -P NICK=TAG. Members: a real `nc -u`, a
real udpchat client (pipe mode), a UDP peer; the IRC user is a raw socket."""
import os
import re
import sys
import time

from harness import scale, timeout
from test_client import Client
from test_irc import CHAN, IrcUser, Ngircd, _bridge_clean, _free_tcp_port, _need

PASS = "linkpw"


class LinkedNgircd(Ngircd):
    """An ngIRCd of the test's own, linked to others by [Server] blocks:
    peers is a list of (name, port, active); an active link is one this
    server connects to (the other side waits: no Port)."""

    def __init__(self, ctx, name, port, peers):
        self.ctx, self.name, self.port = ctx, name, port
        self.dir = os.path.join(ctx.tmp, name)
        os.makedirs(self.dir, exist_ok=True)
        self.conf = os.path.join(self.dir, "ngircd.conf")
        with open(self.conf, "w") as f:
            f.write("[Global]\nName = %s\nInfo = udpchat test\nListen = 127.0.0.1\n"
                    "Ports = %d\nPidFile = %s/ngircd.pid\nMotdPhrase = test\n"
                    "ConnectRetry = 5\n"
                    "[Options]\nPAM = no\nIdent = no\nDNS = no\n"
                    % (name, port, self.dir))
            for pname, pport, active in peers:
                f.write("[Server]\nName = %s\nHost = 127.0.0.1\nMyPassword = %s\n"
                        "PeerPassword = %s\n%s" % (pname, PASS, PASS,
                                                   "Port = %d\n" % pport if active else ""))
        self.proc = None
        self.start()


def network(ctx, n):
    """n linked ngIRCds, a star: irc1 waits, the others connect to it. Returns
    them once irc1 sees every other server (LINKS)."""
    ports = [_free_tcp_port() for _ in range(n)]
    names = ["irc%d.test" % (i + 1) for i in range(n)]
    hub = LinkedNgircd(ctx, names[0], ports[0], [(names[i], ports[i], False) for i in range(1, n)])
    servers = [hub] + [LinkedNgircd(ctx, names[i], ports[i], [(names[0], ports[0], True)])
                       for i in range(1, n)]
    t0 = time.monotonic()
    probe = IrcUser(ports[0], "linkprobe", chan=None)
    deadline = t0 + scale(20)
    while True:
        probe.send("LINKS")
        got = probe.before(re.compile(r":\S+ 365 .*"), timeout=3)
        seen = {l.split()[3] for l in got if re.match(r":\S+ 364 ", l)}
        if seen >= set(names):
            break
        assert time.monotonic() < deadline, "not linked: %s; %s" % (seen, hub.logtext())
        time.sleep(0.2)
    probe.close()
    ctx.note("%d ngIRCds linked in %.1fs" % (n, time.monotonic() - t0))
    return servers


def board(ctx, irc, tag, nick, peers, *flags, bridge=()):
    """A board: udpchatd, and its bridge on irc as nick, -t irc, -P peers
    ({nick: tag}) and the flags of bridge. Returns (server, bridge process)."""
    srv = ctx.server("-r", "0", *flags)
    cmd = ctx.cmd("udpchatirc", "-c", srv.ctl_path, "-n", nick, "-t", "irc", "-N", *bridge,
                  *["-P%s=%s" % kv for kv in peers.items()],
                  "127.0.0.1:%d" % irc.port, CHAN)
    err = open(os.path.join(ctx.tmp, "udpchatirc.%s.err" % tag), "ab")
    proc = ctx.popen(cmd, stdout=err, stderr=err)
    deadline = time.monotonic() + scale(10)
    while "bridge irc attached" not in srv.stderr_text():
        assert time.monotonic() < deadline, "bridge %s not attached" % tag
        time.sleep(0.05)
    return srv, proc


def in_channel(user, nicks, timeout_s=15):
    """Waits until every nick joined the channel (seen by user)."""
    left = set(nicks) - user.names
    deadline = time.monotonic() + scale(timeout_s)
    while left:
        line = user.expect(re.compile(r":(\S+?)!\S+ JOIN :?%s\Z" % re.escape(CHAN)),
                           timeout=max(0.1, deadline - time.monotonic()), skip=True)
        left.discard(line[1:].split("!")[0])


def everywhere(servers, nicks, timeout_s=20):
    """Waits until each server lists every nick of nicks in the channel
    (NAMES, asked by a probe of its own). A server passes a channel's line
    only to the links behind which it knows members of the channel, and a
    JOIN crosses each link at that link's pace (ngIRCd reads a link at a
    bounded rate): a JOIN seen on one server may not have reached another
    yet, and a line said there now would miss the board that joined (what
    made test_irc_link_three_boards time out, rarely, under load)."""
    for i, s in enumerate(servers):
        probe = IrcUser(s.port, "sync%d" % i, chan=None)
        deadline = time.monotonic() + scale(timeout_s)
        while True:
            probe.send("NAMES " + CHAN)
            seen = set()
            for l in probe.before(re.compile(r":\S+ 366 .*"), timeout=5):
                if re.match(r":\S+ 353 ", l):
                    seen |= {n.lstrip("~&@%+") for n in l.split(" :", 1)[1].split()}
            if seen >= set(nicks):
                break
            assert time.monotonic() < deadline, "%s: %s of %s in %s" % (s.name, seen, nicks, CHAN)
            time.sleep(0.1)
        probe.close()


def gather(r, pats, timeout_s, ctx=None):
    """Reads r until each regex of pats matches a line of its history (in
    any order: lines of several speakers interleave). On a time-out the
    message holds the bridges' stderr (ctx given)."""
    deadline = time.monotonic() + scale(timeout_s)
    while True:
        left = [p.pattern for p in pats if not any(p.match(l) for l in r.history)]
        if not left:
            return
        if time.monotonic() >= deadline:
            if ctx:  # all of it where it is not cut (the runner keeps a traceback's last lines)
                sys.stderr.write("%s: %s\nhistory %r\n" % (ctx.tmp, bridges_said(ctx), r.history))
            raise AssertionError("%s: never got %s (history %r)" % (r.who, left, r.history[-8:]))
        r.lines(0.1)


def bridges_said(ctx):
    out = []
    for name in sorted(os.listdir(ctx.tmp), reverse=True):
        if name.startswith("udpchatirc."):
            with open(os.path.join(ctx.tmp, name), "rb") as f:
                out.append("\n%s:\n%s" % (name, f.read().decode("utf-8", "replace")[-1500:]))
        log = os.path.join(ctx.tmp, name, "log")
        if name.startswith("irc") and os.path.exists(log):
            with open(log, "rb") as f:
                out.append("\n%s:\n%s" % (name, f.read().decode("utf-8", "replace")[-1500:]))
    return "".join(out)


def said(history, text):
    return [l for l in history if l.endswith(text)]


def stderr_of(ctx, tag):
    with open(os.path.join(ctx.tmp, "udpchatirc.%s.err" % tag), "rb") as f:
        return f.read().decode("utf-8", "replace")


@timeout(60)
def test_irc_link_two_boards(ctx):
    _need(ctx)
    irc1, irc2 = network(ctx, 2)
    a, _ = board(ctx, irc1, "A", "brA", {"brB": "B"})
    b, _ = board(ctx, irc2, "B", "brB", {"brA": "A"})
    carol = IrcUser(irc1.port, "carol")
    in_channel(carol, ["brA", "brB"])
    everywhere([irc1, irc2], ["brA", "brB", "carol"])
    alice = ctx.nc(a.port)                       # alice on A: a real nc -u
    alice.send("alice\n")
    alice.expect_prefix("+OK welcome alice", timeout=3, skip=True)
    alice.send("\n")                          # the second datagram: the room hears of her
    bob = Client(ctx, "-n", "bob", "127.0.0.1", b.port)  # bob on B: a real udpchat
    bob.expect_prefix("+OK welcome bob", timeout=3, skip=True)
    lines = {"alice": ["a1 hi from A", "a2 你好，来自 A", "a3 emoji 😀 ok"],
             "bob": ["b1 hi from B", "b2 你好，来自 B", "b3 ünïcödé"],
             "carol": ["c1 hi from IRC", "c2 中文 from IRC", "c3 last"]}
    for i in range(3):
        alice.send(lines["alice"][i] + "\n")
        bob.send(lines["bob"][i] + "\n")
        carol.say(lines["carol"][i])
    # each line reaches the other two exactly once, in order, rightly attributed
    want = {alice: {"bob": "bob@B: %s", "carol": "carol@irc: %s"},
            bob: {"alice": "alice@A: %s", "carol": "carol@irc: %s"},
            carol: {"alice": ":brA!%%s PRIVMSG %s :<alice> %%s" % CHAN,
                    "bob": ":brB!%%s PRIVMSG %s :<bob> %%s" % CHAN}}

    def shown(r, who, text):
        form = want[r][who]
        if r is carol:
            return re.compile(re.escape(form % ("\x00", text)).replace("\x00", r"\S+") + r"\Z")
        return re.compile(re.escape(form % text) + r"\Z")

    for r in want:
        gather(r, [shown(r, who, t) for who in want[r] for t in lines[who]], 30, ctx)
    # a round of end marks, then count: nothing twice, no one's own line back
    alice.send("alice-end\n")
    bob.send("bob-end\n")
    carol.say("carol-end")
    for r in want:
        gather(r, [shown(r, who, who + "-end") for who in want[r]], 30, ctx)
    time.sleep(0.5)  # anything that would come twice comes now
    for r in want:
        r.drain()
        for who in want[r]:
            at = []
            for t in lines[who] + [who + "-end"]:
                hits = [i for i, l in enumerate(r.history) if shown(r, who, t).match(l)]
                assert len(hits) == 1, (r.who, t, hits)
                at += hits
            assert at == sorted(at), (r.who, who, "out of order", at)
    for r, who in ((alice, "alice"), (bob, "bob"), (carol, "carol")):
        for text in lines[who]:
            assert not [l for l in r.history if text in l], (r.who, "own line back", text)
    # the bridges' own words are never a speaker's; a bridge's lines never
    # come back as a bridge speaker (alice@A@B, brA@irc...)
    for r in (alice, bob):
        assert not [l for l in r.history if re.search(r"@\w+@|br[AB]@", l)], r.history
    # a peer's NOTICE is not relayed; a peer's own words are not its member's
    probe = IrcUser(irc1.port, "brB_", chan=CHAN)  # an alternate of brB's nick
    probe.send("NOTICE %s :<mallory> a notice" % CHAN, "PRIVMSG %s :not a relayed line" % CHAN,
               "PRIVMSG %s :<小明> 从 B 转来" % CHAN, "PRIVMSG %s :* 小明 挥手" % CHAN)
    alice.expect("小明@B: 从 B 转来", timeout=5, skip=True)
    alice.expect("* 小明@B 挥手", timeout=5, skip=True)
    assert not [l for l in alice.history if "mallory" in l or "not a relayed line" in l], \
        alice.history
    probe.close()
    carol.close()
    for tag in ("A", "B"):
        assert "link to IRC down" not in stderr_of(ctx, tag), stderr_of(ctx, tag)
    bob.close_stdin()
    a.stop()
    b.stop()
    _bridge_clean(ctx)


@timeout(90)
def test_irc_link_paste(ctx):
    """A 100-line paste on board A, paced (-r 3/0.34: a burst of 3, then
    3 lines a second, what ngIRCd takes from a client without delaying it,
    to keep the test short: ~35 s), arrives complete on board B and on IRC:
    every line once, in order; nothing is told "not bridged"; the bot is
    never disconnected for flooding (the bridges' stderr, ngIRCd's logs)."""
    _need(ctx)
    irc1, irc2 = network(ctx, 2)
    pace = ("-r", "3/0.34")
    a, _ = board(ctx, irc1, "A", "brA", {"brB": "B"}, bridge=pace)
    b, _ = board(ctx, irc2, "B", "brB", {"brA": "A"}, bridge=pace)
    carol = IrcUser(irc1.port, "carol")
    in_channel(carol, ["brA", "brB"])  # on irc1: it knows brB (the paste goes A -> B only)
    alice = a.join("alice")
    bob = b.join("bob")
    n = 100
    paste = ["%03d 粘贴 line of the paste, as a log or code would be pasted: %s" % (i, "x" * (1 + i % 40))
             for i in range(n)]
    t0 = time.monotonic()
    for i in range(0, n, 10):                 # as a paste: 10 lines a datagram
        alice.send(*paste[i:i + 10])
    got = {bob: [], carol: []}
    deadline = t0 + scale(60)
    while min(len(g) for g in got.values()) < n:
        assert time.monotonic() < deadline, "%s\n%r" % (bridges_said(ctx), {
            r.who: g[-3:] for r, g in got.items()})
        for r, pat in ((bob, r"alice@A: (.*)\Z"), (carol, r":brA!\S+ PRIVMSG \S+ :<alice> (.*)\Z")):
            r.lines(0.05)
            got[r] = [m.group(1) for m in (re.match(pat, l) for l in r.history) if m]
            assert got[r] == paste[:len(got[r])], (r.who, "not in order or twice", got[r])
    took = time.monotonic() - t0
    ctx.note("a %d-line paste on B and IRC in %.1fs (paced -r 3/0.34)" % (n, took))
    assert took >= 0.34 * (n - 3) - 1, "not paced: %.1fs" % took
    time.sleep(0.5)  # a line twice would come now
    for r, pat in ((bob, r"alice@A: (.*)\Z"), (carol, r":brA!\S+ PRIVMSG \S+ :<alice> (.*)\Z")):
        r.drain()
        assert [m.group(1) for m in (re.match(pat, l) for l in r.history) if m] == paste, r.who
    assert not [l for l in alice.history + bob.history if "not bridged" in l], \
        [l for l in alice.history + bob.history if "[bridge" in l]
    for tag in ("A", "B"):
        err = stderr_of(ctx, tag)
        assert "link to IRC down" not in err and "lood" not in err, err
    for s in (irc1, irc2):
        assert not re.search(r"(?i)flood|exhausted", s.logtext()), s.logtext()
    carol.close()
    a.stop()
    b.stop()
    _bridge_clean(ctx)


@timeout(60)
def test_irc_link_three_boards(ctx):
    """Three boards, one on each of 3 linked ngIRCds, each bridge given the
    same -P list (itself included): every line counted, no loop, no
    duplicate."""
    _need(ctx)
    nets = network(ctx, 3)
    nicks = {"A": "brA", "B": "brB", "C": "brC"}
    boards = {}
    peers = {nicks[t]: t for t in "ABC"}  # one list for all: a bridge's own nick is ignored
    for i, tag in enumerate("ABC"):
        boards[tag] = board(ctx, nets[i], tag, nicks[tag], peers)[0]
    carol = IrcUser(nets[2].port, "carol")
    in_channel(carol, nicks.values())
    everywhere(nets, list(nicks.values()) + ["carol"])
    members = {t: boards[t].join("m" + t.lower()) for t in "ABC"}
    k = 5  # a bridge's burst: no pacing wait

    def line(t, i):
        return "%s%d 第%d行" % (t, i, i)

    for i in range(k):
        for t in "ABC":
            members[t].send(line(t, i))
        carol.say("C%d irc" % i)

    for t in "ABC":
        gather(members[t], [re.compile(re.escape("m%s@%s: %s" % (u.lower(), u, line(u, i))) + r"\Z")
                            for u in "ABC" if u != t for i in range(k)] +
               [re.compile(re.escape("carol@irc: C%d irc" % i) + r"\Z") for i in range(k)], 30, ctx)
    gather(carol, [re.compile(r":%s!\S+ PRIVMSG %s :%s\Z" % (nicks[t], CHAN, re.escape(
        "<m%s> %s" % (t.lower(), line(t, i))))) for t in "ABC" for i in range(k)], 30, ctx)
    time.sleep(1.0)  # a loop or a duplicate would show by now
    for m in list(members.values()) + [carol]:
        m.drain()
    for t in "ABC":
        h = members[t].history
        chat = [l for l in h if re.search(r"@(?:[ABC]|irc): ", l)]
        assert len(chat) == 2 * k + k, (t, chat)          # 2 boards, carol
        assert len(set(chat)) == len(chat), chat
        for u in [u for u in "ABC" if u != t]:             # each speaker's in order
            assert [l for l in chat if l.startswith("m%s@" % u.lower())] == \
                ["m%s@%s: %s" % (u.lower(), u, line(u, i)) for i in range(k)], (t, u, chat)
        assert not [l for l in h if re.search(r"@\w+@|br[ABC]@|<m", l)], h
    relayed = [l for l in carol.history if " PRIVMSG %s :" % CHAN in l]
    assert len(relayed) == 3 * k and len(set(relayed)) == 3 * k, relayed
    carol.close()
    for s in boards.values():
        s.stop()
    _bridge_clean(ctx)


@timeout(10)
def test_irc_link_peer_flags(ctx):
    """-P NICK=TAG: repeatable or a list; a bad one is refused at start."""
    _need(ctx)
    assert "-P NICK=TAG" in ctx.run("udpchatirc", "-h").stdout
    many = ",".join("p%d=T%d" % (i, i) for i in range(9))
    for args, err in ((["-P", "brB"], "NICK=TAG"), (["-P", "brB=B,"], None),
                      (["-P", "9x=B"], "NICK=TAG"), (["-P", "brB="], "bad tag"),
                      (["-P", "brB=b/x"], "bad tag"), (["-P", "a=A,,b=B"], "NICK=TAG"),
                      (["-P", many], "at most 8"),
                      (["-P", "a=A,b=B,c=C,d=D", "-P", "e=E,f=F,g=G,h=H", "-P", "i=I"],
                       "at most 8")):
        r = ctx.run("udpchatirc", *args, "-c", "/nonexistent/x.sock", "-V")
        if err is None:  # valid: -V after it prints the version
            assert r.returncode == 0 and "udpchatirc" in r.stdout, (args, r.stderr)
            continue
        assert r.returncode == 2 and err in r.stderr, (args, r.returncode, r.stderr)
