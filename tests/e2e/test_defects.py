"""test_defects.py: the smaller defects of issue 10 (item 5): silent control
connections, what -c may replace, NUL and control bytes in control requests,
a stopped server (SIGSTOP/SIGCONT), and the client after a server restart."""
import os
import select
import signal
import socket
import time

import harness
from harness import online, scale, timeout

CTL_SLOTS = 4          # src/bounds.h CTLSOCK_SLOTS
CTL_REQ_MS = 3000      # src/bounds.h CTLSOCK_REQ_MS


def unix_connect(path, wait=2.0):
    """Connects to the control socket, retrying while its listen queue is
    full; a server that stops accepting fails the test instead of hanging it."""
    deadline = time.monotonic() + scale(wait)
    while True:
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.setblocking(False)
        try:
            s.connect(path)
            return s
        except BlockingIOError:        # AF_UNIX: the listen queue is full
            s.close()
            assert time.monotonic() < deadline, "%s: not accepting" % path
            time.sleep(0.01)


def read_to_eof(s, wait):
    """Reads s until the server closes it; returns (bytes, seconds waited)."""
    t0 = time.monotonic()
    deadline = t0 + scale(wait)
    out = b""
    s.setblocking(False)
    while True:
        left = deadline - time.monotonic()
        assert left > 0, "connection still open after %.1fs (got %r)" % (scale(wait), out)
        r, _, _ = select.select([s], [], [], left)
        if not r:
            continue
        try:
            chunk = s.recv(4096)
        except ConnectionResetError:
            chunk = b""
        if not chunk:
            return out, time.monotonic() - t0
        out += chunk


# --- 1. silent control connections ---------------------------------------------

@timeout(60)
def test_ctl_silent_connections_do_not_lock_out(ctx):
    srv = ctx.server()
    srv.join("alice")
    # a slow udpchatctl (its request a second after connecting) is served
    slow = unix_connect(srv.ctl_path)
    time.sleep(1)
    slow.sendall(b"who\n")
    out, _ = read_to_eof(slow, 5)
    assert out.decode().splitlines()[-1] == "+OK 1 members", out
    # twice as many silent connections as there are slots
    silent = []
    for _ in range(2 * CTL_SLOTS):
        silent.append((unix_connect(srv.ctl_path), time.monotonic()))
    t0 = time.monotonic()
    r = srv.ctl("who", timeout=10)
    took = time.monotonic() - t0
    assert r.returncode == 0, (r.returncode, r.stdout, r.stderr)
    assert r.stdout.splitlines()[-1] == "+OK 1 members", r.stdout
    # served at once, not when a silent one's deadline freed a slot
    assert took < scale(CTL_REQ_MS / 1000 - 0.5), "udpchatctl who took %.1fs" % took
    # every silent one is told why and closed: the oldest to make room, the
    # rest at their deadline, never before it
    replies = {}
    for s, since in silent:
        out, _ = read_to_eof(s, CTL_REQ_MS / 1000 + 5)
        closed_after = time.monotonic() - since
        line = out.decode()
        replies[line] = replies.get(line, 0) + 1
        if line.startswith("-ERR no request within"):
            assert closed_after >= CTL_REQ_MS / 1000 - 0.2, "closed after %.2fs" % closed_after
        else:
            assert line == "-ERR busy: %d connections wait for their request\n" % CTL_SLOTS, line
        s.close()
    assert replies.get("-ERR no request within %d ms\n" % CTL_REQ_MS) == CTL_SLOTS - 1, replies
    # and it still answers
    r = srv.ctl("who")
    assert r.returncode == 0 and r.stdout.splitlines()[-1] == "+OK 1 members", r.stdout
    srv.stop()


# --- 2. only a socket may be replaced at the -c path ---------------------------

def test_ctl_path_not_a_socket_is_left_alone(ctx):
    f = os.path.join(ctx.tmp, "notes.txt")
    with open(f, "w") as fh:
        fh.write("x\n")
    r = ctx.run("udpchatd", "-p", harness.free_udp_port(), "-c", f, input="")
    assert r.returncode == 1, (r.returncode, r.stderr)
    assert r.stderr == ("udpchatd: %s exists and is not a socket; not replacing it "
                        "(choose another path with -c)\n" % f), r.stderr
    with open(f) as fh:
        assert fh.read() == "x\n", "the file was changed"
    # a directory (and what is in it) neither
    d = os.path.join(ctx.tmp, "dir")
    os.mkdir(d)
    r = ctx.run("udpchatd", "-p", harness.free_udp_port(), "-c", d, input="")
    assert r.returncode == 1 and "is not a socket" in r.stderr, (r.returncode, r.stderr)
    assert os.path.isdir(d)
    # a stale socket (nobody listens on it) is still replaced
    stale = os.path.join(ctx.tmp, "stale.sock")
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.bind(stale)
    s.close()
    assert os.path.exists(stale)
    srv = ctx.server(ctl=stale)
    r = srv.ctl("who")
    assert r.returncode == 0 and r.stdout == "+OK 0 members\n", (r.stdout, r.stderr)
    # a live one is not
    r = ctx.run("udpchatd", "-p", harness.free_udp_port(), "-c", stale, input="")
    assert r.returncode == 1 and "another udpchatd is running" in r.stderr, r.stderr
    srv.stop()


# --- 3. NUL and control bytes in a control request -----------------------------

def test_ctl_request_with_nul_is_refused(ctx):
    srv = ctx.server()
    alice = srv.join("alice")
    for raw, want in ((b"say x\x00y\n", "-ERR request contains a NUL byte"),
                      (b"say x\x01y\n", "-ERR announcement must be 1-512 bytes of UTF-8 "
                                        "without control characters"),
                      (b"say x\xffy\n", "-ERR announcement must be 1-512 bytes of UTF-8 "
                                        "without control characters"),
                      (b"kick alice\x00bob\n", "-ERR request contains a NUL byte"),
                      (b"who\x00\n", "-ERR request contains a NUL byte")):
        s = unix_connect(srv.ctl_path)
        s.sendall(raw)
        out, _ = read_to_eof(s, 5)
        s.close()
        assert out.decode("utf-8", "replace") == want + "\n", (raw, out)
    # nothing was announced or kicked: the next line alice gets is this one
    s = unix_connect(srv.ctl_path)
    s.sendall(b"say after\n")
    out, _ = read_to_eof(s, 5)
    assert out == b"+OK sent to 1 members\n", out
    alice.expect("[admin] after")
    srv.stop()


def test_ctl_refuses_control_bytes_locally(ctx):
    srv = ctx.server()
    alice = srv.join("alice")
    for arg, why in (("x\x01y", "arguments must not contain control characters (0x01)"),
                     ("x\ny", "arguments must not contain control characters (0x0a)"),
                     ("x\udcffy", "arguments must be valid UTF-8")):
        r = srv.ctl("say", arg)
        assert r.returncode == 2, (arg, r.returncode, r.stdout, r.stderr)
        assert r.stderr == "udpchatctl: %s\n" % why and r.stdout == "", (arg, r.stderr)
    r = srv.ctl("kick", "a\x02")
    assert r.returncode == 2 and "control characters (0x02)" in r.stderr, r.stderr
    r = srv.ctl("say", "tab\tin", "it")
    assert r.returncode == 2 and "(0x09)" in r.stderr, r.stderr
    # the server saw none of them: the next line alice gets is this one
    r = srv.ctl("say", "fine")
    assert r.returncode == 0 and r.stdout == "+OK sent to 1 members\n", (r.stdout, r.stderr)
    alice.expect("[admin] fine")
    srv.stop()


# --- 4. a stopped server -------------------------------------------------------

@timeout(60)
def test_sigstop_keeps_active_members_and_queued_lines(ctx):
    idle = 3
    srv = ctx.server("-t", idle)
    alice, bob, dora = srv.join("alice"), srv.join("bob"), srv.join("dora")
    kids = [k for k, st in srv.children() if st != "Z"]
    assert len(kids) == 1, kids                       # the announcement reader
    procs = [srv.pid] + kids
    for p in (alice, bob, dora):
        p.send("/ping")
        p.expect("+OK pong")
    for pid in procs:
        os.kill(pid, signal.SIGSTOP)
    try:
        # alice and bob keep pinging, as udpchat does; dora's pings are lost
        # (a full socket buffer), so she is silent; alice queues a line
        stop = time.monotonic()
        queued = False
        while time.monotonic() - stop < 2 * idle:
            alice.send("/ping")
            bob.send("/ping")
            if not queued and time.monotonic() - stop > idle:
                alice.send("said while the server was stopped")
                queued = True
            time.sleep(0.3)
    finally:
        # the server first: the reader's stop left a SIGCHLD pending for it,
        # which interrupts its poll as it runs again
        os.kill(srv.pid, signal.SIGCONT)
        time.sleep(0.2)
        for pid in kids:
            os.kill(pid, signal.SIGCONT)
    bob.expect("alice: said while the server was stopped", timeout=5, skip=True)
    assert all(l == "+OK pong" for l in bob.skipped), bob.skipped
    alice.drain(0.5)
    for who in ("alice", "bob"):
        assert not any(l.startswith(who + " left") for l in alice.history + bob.history), (
            alice.history, bob.history)
    alice.send("/who")
    alice.expect(online("+OK ", ["alice", "bob", "dora"]), timeout=5, skip=True)
    assert not any("left the room" in l for l in alice.history + bob.history), (
        alice.history, bob.history)
    st = srv.stats()
    assert st["timeouts"] == 0 and st["members"] == 3, st
    # control: dora, still silent, times out by the idle timeout after the
    # stop, while alice and bob, pinging, stay
    deadline = time.monotonic() + scale(idle + 5)
    seen = []
    while "dora left the room (timed out)" not in seen:
        assert time.monotonic() < deadline, "dora never timed out: %r" % seen
        alice.send("/ping")
        bob.send("/ping")
        seen += alice.lines(0.3)
    assert srv.stats()["timeouts"] == 1
    alice.send("/who")
    alice.expect(online("+OK ", ["alice", "bob"]), timeout=3, skip=True)
    srv.stop()


# --- 5. the client after a server restart --------------------------------------

@timeout(90)
def test_client_back_soon_after_restart_with_its_line(ctx):
    from test_client import Client
    srv = ctx.server()                   # the default idle timeout, 600 s
    alice = Client(ctx, "-n", "alice", "127.0.0.1", srv.port)     # idle all along
    bob = Client(ctx, "-n", "bob", "127.0.0.1", srv.port)         # types after the restart
    alice.expect_prefix("+OK welcome alice (idle timeout 600s)", 3)
    bob.expect_prefix("+OK welcome bob (idle timeout 600s)", 3)
    # bob's first line is relayed once bob knows the server's epoch (a
    # pipe's lines wait for the answer to /seq): then the restart is told
    dave = srv.join("dave")
    bob.send("before the restart\n")
    dave.expect("bob: before the restart", 3, skip=True)
    srv.kill()                           # SIGKILL, by PID: no goodbye
    srv2 = ctx.server(port=srv.port)
    restarted = time.monotonic()
    carol = srv2.join("carol")
    bob.send("typed right after the restart\n")
    # bob's line draws "-ERR not in the room": bob joins again and sends it again
    line = "bob: typed right after the restart"
    seen = []
    deadline = restarted + scale(10)
    while line not in seen:
        assert time.monotonic() < deadline, "bob's line never came: %r" % seen
        seen += carol.lines(0.2)
    assert seen.index("bob joined the room") < seen.index(line), seen
    bob.expect_prefix("-ERR not in the room", 3, skip=True)
    bob.expect_prefix("+OK welcome bob ", 3, skip=True)
    # protocol v1.1 (the default): the new server's epoch is told
    from test_client_v11 import stderr_has
    stderr_has(bob, "udpchat: the server restarted; earlier history is gone", 3)
    # alice, idle, is back within 30 s of the restart (her keepalive)
    deadline = restarted + scale(30)
    while "alice joined the room" not in seen:
        assert time.monotonic() < deadline, "alice not back within 30 s: %r" % seen
        seen += carol.lines(0.5)
    ctx.note("alice back %.1f s after the restart" % (time.monotonic() - restarted))
    alice.expect_prefix("+OK welcome alice ", 3, skip=True)
    # bob's line came once, and both chat on as before
    bob.send("and again\n")
    carol.expect("bob: and again", 3, skip=True)
    seen += carol.skipped
    assert seen.count(line) == 1, seen
    for c in (alice, bob):
        c.close_stdin()
        assert c.wait(3) == 0
    srv2.stop()
