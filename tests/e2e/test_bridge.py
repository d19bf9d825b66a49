"""test_bridge.py: the bridges' end of udpchatd (PROTOCOL.md "Bridges", issue 8):
"bridge TAG" on the control socket, the public events written as =SEQ TEXT,
post/act/notice, the "never twice" rule, the bounded buffer and -LOST N, the
slots, a restart, the owner check, and names with '@'. The bridge is a Python
Unix-socket client; the members are real UDP peers and `nc -u`."""
import os
import re
import select
import socket
import time

import harness
from harness import SockLines, ctl_request, scale

NOBODY = 65534
USAGE = "-ERR usage: post TAG NICK TEXT | act TAG NICK TEXT | notice TEXT | as ID LINE"
BAD_TEXT = "-ERR text must be UTF-8 without control or bidi characters"
EVENT = re.compile(r"=(\d+) (.*)\Z", re.S)


class Bridge(SockLines):
    """A bridge on udpchatd's control socket: sends lines, reads its lines."""

    def __init__(self, path, tag="libera", attach=True, rcvbuf=None):
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        if rcvbuf:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
        sock.connect(path)
        super().__init__(sock, "bridge %s" % tag)
        self.ok = None
        if attach:
            self.send("bridge " + tag)
            self.ok = self.expect_prefix("+OK bridge %s " % tag)
            self.epoch, self.last = self.ok.split()[3], int(self.ok.split()[4])

    def send(self, *lines):
        data = b"".join((l.encode() if isinstance(l, str) else l) + b"\n" for l in lines)
        self.sock.sendall(data)

    def event(self, text, timeout=2.0):
        """Expects the next line to be an event with this text; returns its seq."""
        line = self.expect(lambda l: EVENT.match(l) and EVENT.match(l).group(2) == text, timeout)
        return int(EVENT.match(line).group(1))

    def close(self):
        self.sock.close()


def _attach_raw(path, req, timeout=3.0):
    """One request, everything until the server closes (None: it did not)."""
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(scale(timeout))
    s.connect(path)
    s.sendall(req)
    data = b""
    try:
        while True:
            chunk = s.recv(4096)
            if not chunk:
                return data
            data += chunk
    except socket.timeout:
        return None
    finally:
        s.close()


def test_bridge_attach_and_events(ctx):
    srv = ctx.server()
    br = Bridge(srv.ctl_path)
    assert re.fullmatch(r"[0-9a-f]{8}", br.epoch) and br.last == 0, br.ok
    alice = srv.join("alice")
    s1 = br.event("alice joined the room")
    assert s1 == 1, s1
    bob = srv.join("bob")
    br.event("bob joined the room")
    alice.send("hello 你好")
    bob.expect("alice: hello 你好")
    br.event("alice: hello 你好")
    # a private line takes a seq but is never written to a bridge
    bob.send("/msg alice secret")
    alice.expect("[private] bob: secret")
    bob.expect("+OK sent to alice")
    alice.send("/nick alicia")
    alice.expect("+OK you are now alicia")
    bob.expect("alice is now known as alicia")
    s = br.event("alice is now known as alicia")
    srv.admin("from stdin")
    br.event("[admin] from stdin")
    assert srv.ctl("say", "by ctl").returncode == 0
    br.event("[admin] by ctl")
    # a member through real netcat
    nc = ctx.nc(srv.port)
    nc.send("ncuser\n")
    nc.expect_prefix("+OK welcome ncuser ")
    nc.send("hi from nc\n")
    br.event("ncuser joined the room")
    br.event("ncuser: hi from nc")
    bob.send("/quit")
    bob.expect("+OK bye", skip=True)
    last = br.event("bob left the room")
    # v1.1: the seqs are the room's, as /seq and a v1.1 member see them
    alice.send("/seq")
    alice.expect(re.compile(r"\+OK seq %s %d\Z" % (br.epoch, last)), skip=True)
    assert s == 5, s  # 1, 2: joins, 3: chat, 4: the private line, 5: the rename
    assert not [l for l in br.history if "private" in l or "secret" in l], br.history
    assert not [l for l in br.history if l.startswith(("+OK sent", "+OK you", "+OK bye"))], br.history
    br.expect_none(0.2)
    alice.send("again")
    br.event("alicia: again")
    br.close()
    srv.stop()


def test_bridge_post_act_notice(ctx):
    srv = ctx.server()
    a = Bridge(srv.ctl_path, "libera")
    b = Bridge(srv.ctl_path, "boardB")
    alice = srv.join("alice")
    v11 = srv.join("vee")
    v11.send("/seq")
    v11.expect_prefix("+OK seq ")
    for br in (a, b):
        br.event("alice joined the room")
        br.event("vee joined the room")
    a.send("post libera carol hi from IRC 中文")
    alice.expect("carol@libera: hi from IRC 中文")
    seq = b.event("carol@libera: hi from IRC 中文")
    v11.expect("=%d carol@libera: hi from IRC 中文" % seq)
    a.send("act libera carol waves")
    alice.expect("* carol@libera waves")
    v11.expect("=%d * carol@libera waves" % b.event("* carol@libera waves"))
    # a peer board's line, relayed by this bridge
    a.send("post boardC dave via C")
    alice.expect("dave@boardC: via C")
    b.event("dave@boardC: via C")
    a.send("notice link up")
    alice.expect("[bridge libera] link up")
    b.event("[bridge libera] link up")
    # the other way: b's lines reach a, never b
    b.send("post boardB erin hello")
    alice.expect("erin@boardB: hello")
    a.event("erin@boardB: hello")
    # a's own lines never came back to it; each reached a member once
    alice.send("/ping done")
    alice.expect("+OK pong done")
    a.expect_none(0.3)
    b.expect_none(0.1)
    alice.send("end")
    a.event("alice: end")
    b.event("alice: end")
    v11.expect(re.compile(r"=\d+ alice: end\Z"), skip=True)
    assert [l for l in alice.history if "carol@libera: hi" in l] == ["carol@libera: hi from IRC 中文"]
    assert not [l for l in a.history if "@libera" in l or "[bridge libera]" in l], a.history
    assert not [l for l in b.history if "@boardB" in l], b.history
    st = srv.stats()
    assert st["bridged_in"] == 5, st
    assert st["bridged_out"] >= 10 and st["bridge_lost"] == 0, st
    a.close()
    b.close()
    srv.stop()


def test_bridge_names_with_at(ctx):
    srv = ctx.server()
    alice = srv.join("alice")
    for name in ("carol@libera", "x＠y", "@"):
        p = ctx.peer(server=srv)
        p.send("/join " + name)
        p.expect("-ERR invalid name: contains '@'")
        alice.expect_none(0.1)
    alice.send("/nick alice@libera")
    alice.expect("-ERR invalid name: contains '@'")
    alice.send("/nick alice＠libera")
    alice.expect("-ERR invalid name: contains '@'")
    alice.send("/who")
    alice.expect("+OK 1 online: alice")
    srv.stop()


def test_bridge_bad_lines(ctx):
    srv = ctx.server()
    br = Bridge(srv.ctl_path, "libera")
    alice = srv.join("alice")
    br.event("alice joined the room")
    before = srv.stats()
    bad = [
        ("post lib/era carol hi", USAGE),
        ("post " + "t" * 17 + " carol hi", USAGE),
        ("post libera car@ol hi", USAGE),
        ("post libera c:d hi", USAGE),
        ("post libera [admin] hi", USAGE),
        ("post libera /me hi", USAGE),
        ("post libera " + "n" * 31 + " hi", USAGE),
        ("post libera car＠ol hi", USAGE),   # not ASCII: the room's rules for names
        ("post libera ［admin］ hi", USAGE),
        ("post libera 管理员 hi", USAGE),
        (b"post libera caf\xe9 hi", USAGE),
        ("post libera carol", USAGE),
        ("act libera carol", USAGE),
        ("notice", USAGE),
        ("post libera carol a\x1b[31mred", BAD_TEXT),
        ("post libera carol \u202eevil", BAD_TEXT),
        ("notice a\tb", BAD_TEXT),
        (b"post libera carol \xff\xfe", BAD_TEXT),
        ("post libera carol " + "x" * 513,
         "-ERR line too long (513 bytes, max 512); not relayed"),
        ("post libera carol " + "y" * 700,
         "-ERR line too long (718 bytes, max 512); not relayed"),
        ("say hi", USAGE),
        ("bridge again", USAGE),
    ]
    for line, err in bad:
        br.send(line)
        br.expect(err)
    br.send("post libera carol " + "z" * 512)  # at the bound: taken
    alice.expect("carol@libera: " + "z" * 512)
    br.send("post boardB 小明😀 你好")  # a peer board's member: any name the room takes
    alice.expect("小明😀@boardB: 你好")
    alice.send("/ping x")
    alice.expect("+OK pong x")  # nothing else reached alice
    after = srv.stats()
    assert after["seq"] == before["seq"] + 2, (before, after)
    assert after["bridged_in"] == before["bridged_in"] + 2, (before, after)
    # a bad TAG on attaching: usage, and closed
    for req in (b"bridge\n", b"bridge lib era\n", b"bridge " + b"t" * 17 + b"\n", b"bridge \xff\n"):
        out = _attach_raw(srv.ctl_path, req)
        assert out is not None and out.splitlines()[-1:] in ([b"-ERR usage: bridge TAG"],
                                                              [b"-ERR unknown request (say TEXT "
                                                               b"| who | kick NAME | stats | "
                                                               b"bridge TAG)"]), (req, out)
    br.close()
    srv.stop()


def test_bridge_never_reads(ctx):
    srv = ctx.server("-r", "0")
    stuck = Bridge(srv.ctl_path, "stuck", rcvbuf=4096)
    alice, bob = srv.join("alice"), srv.join("bob")
    n_dgrams, per = 400, 4
    text = "x" * 400
    start = time.monotonic()
    got = 0
    for d in range(n_dgrams):
        alice.send(*["%d %s" % (d * per + i, text) for i in range(per)])
        if d % 20 == 19:  # bob keeps up, so that loopback drops nothing
            while got < (d + 1) * per - 40:
                bob.expect(re.compile(r"alice: %d x+\Z" % got), timeout=5)
                got += 1
    while got < n_dgrams * per:
        bob.expect(re.compile(r"alice: %d x+\Z" % got), timeout=5)
        got += 1
    took = time.monotonic() - start
    assert took < scale(20), "relay took %.1fs with a bridge that never reads" % took
    alice.send("still here")
    t0 = time.monotonic()
    bob.expect("alice: still here", timeout=1)
    ctx.note("1600 lines relayed in %.2fs with a stuck bridge; one more in %.3fs"
             % (took, time.monotonic() - t0))
    st = srv.stats()
    assert st["bridge_lost"] > 0, st
    # now it reads: what was buffered, then -LOST N
    events, lost, told = [], 0, 0
    deadline = time.monotonic() + scale(10)
    quiet = 0
    while time.monotonic() < deadline and quiet < 3:
        stuck._fill(0.1)
        quiet = 0 if stuck.pending or not told else quiet + 1
        while stuck.pending:
            l = stuck.pending.pop(0)
            if l.startswith("-LOST "):
                lost += int(l[6:])
                told += 1
            else:
                m = EVENT.match(l)
                assert m, l
                events.append(int(m.group(1)))
    # told once it read (again if the socket then filled up before it read on)
    assert told >= 1, told
    assert events == sorted(events), "events out of order"
    # every event since attaching either arrived or was counted
    assert len(events) + lost == st["seq"], (len(events), lost, st["seq"])
    assert lost == srv.stats()["bridge_lost"], (lost, srv.stats())
    # and live events come again
    alice.send("after")
    bob.expect("alice: after")
    assert stuck.event("alice: after") == st["seq"] + 1
    stuck.close()
    srv.stop()


def test_bridge_busy(ctx):
    srv = ctx.server()
    a = Bridge(srv.ctl_path, "one")
    b = Bridge(srv.ctl_path, "two")
    out = _attach_raw(srv.ctl_path, b"bridge three\n")
    assert out == b"-ERR busy\n", out
    # the others still work, and udpchatctl is still served
    r = srv.ctl("who")
    assert r.stdout.splitlines() == ["+OK 0 members"], r.stdout
    alice = srv.join("alice")
    a.event("alice joined the room")
    b.event("alice joined the room")
    a.close()  # its slot is free again
    deadline = time.monotonic() + scale(3)
    while True:
        c = Bridge(srv.ctl_path, "three", attach=False)
        c.send("bridge three")
        line = c.expect(lambda l: True)
        if line.startswith("+OK bridge three "):
            break
        assert line == "-ERR busy" and time.monotonic() < deadline, line
        c.close()
        time.sleep(0.05)
    alice.send("hi")
    c.event("alice: hi")
    b.event("alice: hi")
    b.close()
    c.close()
    srv.stop()


def test_bridge_restart(ctx):
    srv = ctx.server()
    path, port = srv.ctl_path, srv.port
    br = Bridge(path, "libera")
    alice = srv.join("alice")
    br.event("alice joined the room")
    epoch = br.epoch
    srv.stop()
    br.event("[admin] server is going down")
    br.expect_eof()
    br.close()
    srv2 = ctx.server(ctl=path, port=port)
    br2 = Bridge(path, "libera")
    assert br2.epoch != epoch and br2.last == 0, (epoch, br2.ok)
    alice2 = srv2.join("alice")
    br2.event("alice joined the room")
    del alice, alice2
    br2.close()
    srv2.stop()


def test_bridge_owner_only(ctx):
    if os.geteuid() != 0:
        ctx.skip("needs root (a second uid)")
    os.chmod(ctx.tmp, 0o711)  # a directory the other uid may pass through
    d = os.path.join(ctx.tmp, "run")
    os.mkdir(d, 0o755)
    srv = ctx.server(ctl=os.path.join(d, "c.sock"))
    os.chmod(srv.ctl_path, 0o666)
    out = ctl_request(srv.ctl_path, b"bridge libera\n", uid=NOBODY)
    assert out.splitlines() == [b"-ERR permission denied"], out
    st = srv.stats()
    assert st["bridged_out"] == 0, st
    # the owner (root) may
    br = Bridge(srv.ctl_path, "libera")
    br.close()
    os.chmod(srv.ctl_path, 0o600)
    srv.stop()


def test_udpchatctl_bridge(ctx):
    """udpchatctl bridge TAG: a live view of the room's events, no timeout."""
    srv = ctx.server()
    p = ctx.popen(ctx.cmd("udpchatctl", "-c", srv.ctl_path, "bridge", "watch"),
                  stdout=harness.subprocess.PIPE, stderr=harness.subprocess.PIPE)
    ok = p.stdout.readline().decode()
    assert ok.startswith("+OK bridge watch "), ok
    alice = srv.join("alice")
    alice.send("hi")
    assert p.stdout.readline().decode() == "=1 alice joined the room\n"
    assert p.stdout.readline().decode() == "=2 alice: hi\n"
    srv.stop()
    p.wait(scale(5))
    assert p.stdout.read().decode() == "=3 [admin] server is going down\n"


def test_bridge_as_members(ctx):
    """"as ID LINE": a bridge's members (udpchatweb's pages) are room members
    like UDP ones: joined, named, checked and rate-limited by the same code;
    what the room sends one comes as "@ID LINE", the public events once on
    the bridge's own stream ("=SEQ!ID" for an event not for member ID)."""
    srv = ctx.server()
    br = Bridge(srv.ctl_path, "web")
    alice = srv.join("alice")
    br.event("alice joined the room")
    br.send("as 1 /join bob")
    br.expect_prefix("@1 +OK welcome bob ")
    br.send("as 1 /last 5")  # the second line: the room hears of bob
    alice.expect("bob joined the room")
    join = int(br.expect(re.compile(r"=(\d+)!1 bob joined the room\Z")).split("!")[0][1:])
    br.expect("@1 ~1 0 alice joined the room")
    br.expect("@1 +OK last 5 %d" % join)
    # chat both ways; an acknowledged line
    br.send("as 1 hello 你好")
    alice.expect("bob: hello 你好")
    br.expect("=%d!1 bob: hello 你好" % (join + 1))
    alice.send("hi bob")
    br.event("alice: hi bob")
    br.send("as 1 /id a1 acked")
    alice.expect("bob: acked")
    br.expect("=%d!1 bob: acked" % (join + 3))
    br.expect("@1 +OK ack a1 %d" % (join + 3))
    # /who shows both kinds; /msg both ways, private lines as "@ID =SEQ LINE"
    br.send("as 1 /who")
    br.expect("@1 +OK 2 online: alice bob")
    alice.send("/who")
    alice.expect("+OK 2 online: alice bob")
    br.send("as 1 /msg alice psst")
    alice.expect("[private] bob: psst")
    br.expect("@1 +OK sent to alice")
    alice.send("/msg bob back")
    br.expect("@1 =%d [private] alice: back" % (join + 5))
    alice.expect("+OK sent to bob")
    who = srv.ctl("who").stdout
    assert re.search(r"^bob \[::%1\]:0 idle \d+s$", who, re.M), who
    # a member of the second slot shows it as :1
    br2 = Bridge(srv.ctl_path, "web2")
    br2.send("as 3 /join dave")
    br2.expect_prefix("@3 +OK welcome dave ")
    who = srv.ctl("who").stdout
    assert re.search(r"^dave \[::%3\]:1 idle \d+s$", who, re.M), who
    br2.close()  # dave goes with it (never confirmed: no line told the room)
    deadline = time.monotonic() + scale(3)
    while "dave" in srv.ctl("who").stdout:
        assert time.monotonic() < deadline, "dave stayed after his bridge closed"
        time.sleep(0.05)
    # refused as a UDP peer is refused: bad names, a taken one, no member
    for name in ("[admin]", "a b", "alice", "ＡＬＩＣＥ"):
        udp = ctx.peer(server=srv)
        udp.send("/join " + name)
        want = udp.expect_prefix("-ERR ")
        br.send("as 2 /join " + name)
        br.expect("@2 " + want)
    br.send("as 2 /who")
    br.expect("@2 -ERR not in the room (send /join NAME)")
    br.send(b"as 1 caf\xe9")
    br.expect("@1 -ERR text is not valid UTF-8")
    for bad in ("as 0 hi", "as x hi", "as 1", "as -1 /who", "as 4294967296 /who"):
        br.send(bad)
        br.expect(USAGE)
    # the member's rate limit (5 lines/s, a burst of 20 lines)
    br.send(*["as 1 flood %d" % i for i in range(30)])
    br.expect("@1 -ERR slow down (5 lines/s)", skip=True)
    got = [l for l in alice.lines(0.5) if l.startswith("bob: flood")]
    assert 10 < len(got) < 30, got
    assert not [l for l in br.history if l.startswith("=") and "private" in l], br.history
    # the bridge closes: its members leave the room
    br.close()
    alice.expect("bob left the room", skip=True)
    alice.send("/who")
    alice.expect("+OK 1 online: alice", skip=True)
    srv.stop()
