"""test_ctl.py: udpchatctl say/who/kick/stats over the control socket
(PROTOCOL.md "Control socket"), its mode, and its errors."""
import os
import re
import stat
import subprocess

import harness
from harness import online, scale

STATS_KEYS = ("members", "max_members", "uptime_s", "datagrams_in", "lines_in", "deliveries",
              "datagrams_out", "errors_sent", "joins", "leaves", "timeouts", "unreachable",
              "kicks", "rate_limited")


def test_ctl_socket_mode_0600(ctx):
    srv = ctx.server()
    st = os.stat(srv.ctl_path)
    assert stat.S_ISSOCK(st.st_mode), oct(st.st_mode)
    assert stat.S_IMODE(st.st_mode) == 0o600, oct(stat.S_IMODE(st.st_mode))
    srv.stop()
    # the socket file is removed at exit
    assert not os.path.exists(srv.ctl_path), "control socket left behind after exit"


def test_ctl_say(ctx):
    srv = ctx.server()
    alice, bob = srv.join("alice"), srv.join("bob")
    r = srv.ctl("say", "the server restarts at 23:00")
    assert r.returncode == 0, (r.returncode, r.stdout, r.stderr)
    assert r.stdout.splitlines() == ["+OK sent to 2 members"], r.stdout
    alice.expect("[admin] the server restarts at 23:00")
    bob.expect("[admin] the server restarts at 23:00")
    r = srv.ctl("say", "中文 公告")
    assert r.stdout.splitlines() == ["+OK sent to 2 members"], r.stdout
    alice.expect("[admin] 中文 公告")
    bob.expect("[admin] 中文 公告")
    srv.stop()


def test_ctl_say_empty_room(ctx):
    srv = ctx.server()
    r = srv.ctl("say", "anyone?")
    assert r.returncode == 0, (r.returncode, r.stdout, r.stderr)
    assert r.stdout.splitlines() == ["+OK sent to 0 members"], r.stdout
    srv.stop()


def test_ctl_who(ctx):
    srv = ctx.server()
    r = srv.ctl("who")
    assert r.returncode == 0 and r.stdout.splitlines() == ["+OK 0 members"], (r.stdout, r.stderr)
    alice, zs = srv.join("alice"), srv.join("张三")
    r = srv.ctl("who")
    assert r.returncode == 0, (r.returncode, r.stderr)
    lines = r.stdout.splitlines()
    assert lines[-1] == "+OK 2 members", r.stdout
    assert len(lines) == 3, r.stdout
    want = {"alice": alice.port, "张三": zs.port}
    for l in lines[:-1]:
        m = re.fullmatch(r"(\S+) 127\.0\.0\.1:(\d+) idle (\d+)s", l)
        assert m, "bad who line %r" % l
        assert want.pop(m.group(1)) == int(m.group(2)), l
        assert int(m.group(3)) <= 2, l
    assert not want, want
    srv.stop()


def test_ctl_kick(ctx):
    srv = ctx.server()
    alice, bob, carol = srv.join("alice"), srv.join("bob"), srv.join("carol")
    r = srv.ctl("kick", "bob")
    assert r.returncode == 0, (r.returncode, r.stdout, r.stderr)
    assert r.stdout.splitlines() == ["+OK kicked bob"], r.stdout
    bob.expect("-ERR removed from the room (kicked)")
    alice.expect("bob left the room (kicked)")
    carol.expect("bob left the room (kicked)")
    bob.expect_none(0.1)
    alice.send("/who")
    alice.expect(online("+OK ", ["alice", "carol"]))
    # bob is a stranger now and may come back
    bob.send("/ping")
    bob.expect("-ERR not in the room (send /join NAME)")
    bob.join("bob")
    # the name ignores ASCII case
    r = srv.ctl("kick", "CAROL")
    assert r.stdout.splitlines() in (["+OK kicked carol"], ["+OK kicked CAROL"]), r.stdout
    carol.expect("-ERR removed from the room (kicked)", skip=True)
    # no such member
    r = srv.ctl("kick", "zed")
    assert "-ERR no such member: zed" in (r.stdout + r.stderr).splitlines(), (r.stdout, r.stderr)
    assert r.returncode != 0, "udpchatctl kick of no member exited 0"
    srv.stop()


def test_ctl_stats(ctx):
    srv = ctx.server("-m", "50")
    r = srv.ctl("stats")
    assert r.returncode == 0, (r.returncode, r.stderr)
    lines = r.stdout.splitlines()
    assert lines[-1] == "+OK", r.stdout
    s0 = {}
    for l in lines[:-1]:
        m = re.fullmatch(r"([a-z_]+) (\d+)", l)
        assert m, "bad stats line %r" % l
        s0[m.group(1)] = int(m.group(2))
    missing = [k for k in STATS_KEYS if k not in s0]
    assert not missing, "stats keys missing: %s" % missing
    assert s0["members"] == 0 and s0["max_members"] == 50, s0
    alice, bob, carol = srv.join("alice"), srv.join("bob"), srv.join("carol")
    alice.send("one", "two")                       # 2 lines, 1 datagram, 4 deliveries
    bob.expect("alice: one")
    bob.expect("alice: two")
    carol.expect("alice: one")
    carol.expect("alice: two")
    s = ctx.peer()
    s.send("/who")                                  # an error to a stranger
    s.expect("-ERR not in the room (send /join NAME)")
    srv.ctl("kick", "carol")
    carol.expect("-ERR removed from the room (kicked)")
    bob.expect("carol left the room (kicked)")
    bob.send("/quit")
    bob.expect("+OK bye")
    alice.expect("carol left the room (kicked)")
    alice.expect("bob left the room")
    s1 = srv.stats()
    assert s1["members"] == 1, s1
    assert s1["joins"] - s0["joins"] == 3, (s0, s1)
    assert s1["leaves"] - s0["leaves"] >= 1, (s0, s1)
    assert s1["kicks"] - s0["kicks"] == 1, (s0, s1)
    assert s1["datagrams_in"] - s0["datagrams_in"] >= 6, (s0, s1)
    assert s1["lines_in"] - s0["lines_in"] >= 7, (s0, s1)
    assert s1["deliveries"] - s0["deliveries"] >= 4, (s0, s1)
    assert s1["datagrams_out"] - s0["datagrams_out"] >= 6, (s0, s1)
    assert s1["errors_sent"] - s0["errors_sent"] >= 1, (s0, s1)
    assert s1["uptime_s"] >= s0["uptime_s"], (s0, s1)
    for k in ("timeouts", "unreachable", "rate_limited"):
        assert s1[k] == s0[k] == 0, (k, s0, s1)
    srv.stop()


def test_ctl_bad_command(ctx):
    srv = ctx.server()
    for args in (["frobnicate"], [], ["kick"], ["say"]):
        r = srv.ctl(*args)
        out = r.stdout + r.stderr
        assert r.returncode == 2 or (r.returncode != 0 and "-ERR" in out), \
            "udpchatctl %s: rc %d, %r" % (args, r.returncode, out)
        assert "Traceback" not in out and len(out) < 2000, out
    r = ctx.run("udpchatctl", "-c", srv.ctl_path, "-Z", "who")
    assert r.returncode == 2, (r.returncode, r.stdout, r.stderr)
    # the server is unharmed
    r = srv.ctl("who")
    assert r.returncode == 0 and r.stdout.splitlines() == ["+OK 0 members"], r.stdout
    srv.stop()


def test_ctl_no_server(ctx):
    path = os.path.join(ctx.tmp, "nothing-here.sock")
    for args in (["who"], ["say", "hi"], ["stats"], ["kick", "x"]):
        r = ctx.run("udpchatctl", "-c", path, *args)
        assert r.returncode == 1, (args, r.returncode, r.stdout, r.stderr)
        err = r.stderr.strip().splitlines()
        assert len(err) == 1 and path in err[0], "expected one line naming %s: %r" % (path, r.stderr)
        assert r.stdout == "", r.stdout


def test_ctl_raw_protocol(ctx):
    """The socket itself: one request line, reply lines, then the server closes."""
    import socket
    srv = ctx.server()
    srv.join("alice")

    def ask(req):
        return harness.ctl_request(srv.ctl_path, req).decode()

    assert ask(b"stats\n").endswith("+OK\n")
    out = ask(b"who\n").splitlines()
    assert out[-1] == "+OK 1 members", out
    out = ask(b"nonsense\n").splitlines()
    assert out and out[-1].startswith("-ERR"), out
    # a client that says nothing and hangs up does not hurt
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(srv.ctl_path)
    s.close()
    assert ask(b"who\n").splitlines()[-1] == "+OK 1 members"
    srv.stop()


def test_ctl_silent_client_does_not_stall_the_room(ctx):
    """A control client that connects and sends half a line must not stop the relay."""
    import socket
    import time
    srv = ctx.server()
    alice, bob = srv.join("alice"), srv.join("bob")
    held = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    held.connect(srv.ctl_path)
    held.sendall(b"wh")                     # no newline, and then silence
    time.sleep(0.1)
    t0 = time.monotonic()
    alice.send("still flowing")
    bob.expect("alice: still flowing", timeout=1.0)
    assert time.monotonic() - t0 < 1.0
    srv.admin("stdin too")
    alice.expect("[admin] stdin too", timeout=1.0)
    held.close()
    r = srv.ctl("who")
    assert r.returncode == 0 and r.stdout.splitlines()[-1] == "+OK 2 members", (r.stdout, r.stderr)
    srv.stop()


def test_ctl_say_limits(ctx):
    """say obeys the line rules: too long or with a control character: -ERR, nothing sent."""
    srv = ctx.server()
    alice = srv.join("alice")
    for text in ("x" * 600, "bell\x07", "esc\x1b[2J"):
        r = srv.ctl("say", text)
        # refused by udpchatctl itself (usage, exit 2) or by the server (-ERR)
        assert r.returncode == 2 or (r.returncode != 0 and "-ERR" in r.stdout + r.stderr), \
            (text[:20], r.returncode, r.stdout, r.stderr)
        assert (r.stdout + r.stderr).strip(), "no reason given for refusing %r" % text[:20]
    alice.expect_none(0.3)
    r = srv.ctl("say", "x" * 400)
    assert r.returncode == 0, (r.returncode, r.stdout, r.stderr)
    alice.expect("[admin] " + "x" * 400)
    srv.stop()


def test_ctl_path_in_use_and_stale(ctx):
    first = ctx.server()
    path = first.ctl_path
    # a second server must not take over a live control socket: one-line error, exit 1
    second = ctx.server(ctl=path, wait=False)
    rc = second.proc.wait(ctx.scale(5))
    second.kill()
    assert rc == 1, (rc, second.stderr_text())
    assert len(second.stderr_text().strip().splitlines()) == 1, second.stderr_text()
    r = first.ctl("who")
    assert r.returncode == 0 and r.stdout.splitlines() == ["+OK 0 members"], (r.stdout, r.stderr)
    # a stale socket file (its server was killed) is taken over
    first.kill()
    assert os.path.exists(path)
    third = ctx.server(ctl=path)
    a = third.join("a")
    r = third.ctl("who")
    assert r.returncode == 0 and r.stdout.splitlines()[-1] == "+OK 1 members", (r.stdout, r.stderr)
    third.stop()
    a.expect("[admin] server is going down")


def test_ctl_who_idle_and_uptime(ctx):
    """who counts each member's idle seconds from their last datagram, stats
    the uptime: polled until a has been idle a second while b, who pings
    right before each who, shows 0 (a loaded machine only takes longer)."""
    import time
    srv = ctx.server()
    a, b = srv.join("a"), srv.join("b")
    u0 = srv.stats()["uptime_s"]
    deadline = time.monotonic() + ctx.scale(10)
    seen = []
    while True:
        b.send("/ping")
        b.expect("+OK pong")
        lines = srv.ctl("who").stdout.splitlines()
        assert lines and lines[-1] == "+OK 2 members", lines
        idle = {l.split()[0]: int(l.split()[-1].rstrip("s")) for l in lines[:-1]}
        seen.append(idle)
        if idle["a"] >= 1 and idle["b"] == 0:
            break
        assert time.monotonic() < deadline, "who never showed a idle >= 1 s, b 0 s: %r" % seen[-5:]
        time.sleep(0.1)
    assert all(i["a"] >= i["b"] for i in seen), seen
    deadline = time.monotonic() + ctx.scale(5)
    while srv.stats()["uptime_s"] < u0 + 1:
        assert time.monotonic() < deadline, "uptime_s did not grow"
        time.sleep(0.1)
    srv.stop(told=(a, b))
