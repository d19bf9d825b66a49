"""test_client.py: the udpchat client against a real udpchatd on loopback:
scripted use (pipes), the terminal display in tmux, re-joining after a
server restart or a time-out, being kicked, and a fake server for what the
real one never sends (control characters)."""
import os
import re
import select
import shlex
import shutil
import signal
import socket
import subprocess
import threading
import time

import harness
from harness import online, timeout


class Client(harness.ProcLines):
    """udpchat with pipes on stdin and stdout (the scripted mode)."""

    def __init__(self, ctx, *args, stdin_data=None):
        super().__init__("udpchat")
        self.errpath = os.path.join(ctx.tmp, "udpchat%d.stderr" % len(ctx.procs))
        self._err = open(self.errpath, "wb")
        self._start(ctx.popen(ctx.cmd("udpchat", *args), stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, stderr=self._err), "udpchat")
        if stdin_data is not None:
            try:
                self.send(stdin_data)
            except BrokenPipeError:
                pass                        # it may have exited already: that is checked

    def close_stdin(self):
        self.proc.stdin.close()

    def stderr(self):
        with open(self.errpath, "rb") as f:
            return f.read().decode("utf-8", "replace")

    def wait(self, secs=3.0):
        """Waits for the exit; returns the status. Fails on a sanitizer report."""
        try:
            rc = self.proc.wait(harness.scale(secs))
        except subprocess.TimeoutExpired:
            raise AssertionError("%s still running after %.1fs" % (self.who, secs))
        err = self.stderr()
        assert not any(m in err for m in harness.SANITIZER_MARKS), "sanitizer:\n" + err[-3000:]
        return rc

    def receiver_pid(self):
        kids = harness.proc_children(self.pid)
        assert len(kids) == 1, "%s: children %r" % (self.who, kids)
        return kids[0][0]


def joined_client(ctx, srv, name, *others):
    """Starts `udpchat -n name` on srv and waits until each of others saw it join."""
    c = Client(ctx, "-n", name, "127.0.0.1", srv.port)
    c.expect_prefix("+OK welcome %s " % name, timeout=3)
    for o in others:
        o.expect("%s joined the room" % name)
    return c


def pid_gone(pid):
    """True if pid is no longer a live process (gone, or a zombie of someone else)."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            st = f.read()
    except OSError:
        return True
    return st[st.rfind(")") + 2] == "Z"


# --- command line -----------------------------------------------------------

@harness.basic
def test_client_usage_and_flags(ctx):
    r = ctx.run("udpchat", "-h")
    assert r.returncode == 0 and r.stdout.startswith("usage: udpchat [-n NAME] [-k K] [HOST [PORT]]"), r
    r = ctx.run("udpchat", "-V")
    assert r.returncode == 0 and re.fullmatch(r"udpchat \d+\.\d+\.\d+\n", r.stdout), r
    # (no HOST: discovery, test_disco.py, inside namespaces: never here)
    for args in (["-x", "127.0.0.1"], ["-n"], ["127.0.0.1", "0"],
                 ["127.0.0.1", "65536"], ["127.0.0.1", "88x"], ["a", "1", "extra"]):
        r = ctx.run("udpchat", *args)
        assert r.returncode == 2, (args, r)
        assert r.stdout == "", (args, r)
        lines = r.stderr.splitlines()
        assert len(lines) == 1 and lines[0].startswith("udpchat: "), (args, r.stderr)


@timeout(20)
def test_client_no_answer(ctx):
    port = harness.free_udp_port()            # nobody listens there
    t0 = time.monotonic()
    r = ctx.run("udpchat", "-n", "alice", "127.0.0.1", port, timeout=10, input="")
    took = time.monotonic() - t0
    assert r.returncode == 1, r
    assert r.stderr == "udpchat: no answer from 127.0.0.1:%d\n" % port, r.stderr
    assert 3.0 <= took <= harness.scale(7.0), took


# --- scripted use (stdin and stdout are pipes) ------------------------------

@harness.basic
def test_client_pipe_chat_and_quit(ctx):
    srv = ctx.server()
    bob = srv.join("bob")
    alice = Client(ctx, "-n", "alice", "127.0.0.1", srv.port)
    alice.expect(online("+OK welcome alice (idle timeout 600s), ", ["alice", "bob"]), 3)
    bob.expect("alice joined the room")
    # a plain line goes out as /say (never as plain text)
    alice.send("hello bob\n")
    bob.expect("alice: hello bob")
    bob.send("/say hi alice")
    alice.expect("bob: hi alice")
    # commands go out as they are; replies come back one plain line each
    alice.send("/who\n")
    alice.expect(online("+OK ", ["alice", "bob"]))
    alice.send("/msg bob psst\n")
    bob.expect("[private] alice: psst")
    alice.expect("+OK sent to bob")
    alice.send("/quit\n")
    bob.expect("alice left the room")
    assert alice.wait(3) == 0
    alice.expect("+OK bye")
    out = "\n".join(alice.history)
    assert "\x1b" not in out, out        # no escape sequences for scripts
    assert alice.stderr() == "", alice.stderr()
    srv.stop()


def test_client_with_netcat_peer(ctx):
    if not shutil.which("nc"):
        ctx.skip("nc (netcat-openbsd) not installed")
    srv = ctx.server()
    nc = ctx.nc(srv.port)
    nc.send("bob\n")
    nc.expect_prefix("+OK welcome bob ", 3)
    nc.send("\n")                       # an empty line confirms bob
    # the room hears "bob joined" at that confirmation: wait for the server
    # to have read it (its answer to a later line), or under load alice may
    # join first and hear it after her welcome
    nc.send("/who\n")
    nc.expect(online("+OK ", ["bob"]))
    alice = joined_client(ctx, srv, "alice", nc)
    nc.send("hello from netcat\n")
    alice.expect("bob: hello from netcat")
    alice.send("hello from udpchat\n")
    nc.expect("alice: hello from udpchat")
    alice.close_stdin()
    nc.expect("alice left the room")
    assert alice.wait(3) == 0
    srv.stop()


def test_client_eof_leaves_after_replies(ctx):
    srv = ctx.server()
    bob = srv.join("bob")
    # everything at once, then EOF: the replies still get printed
    alice = Client(ctx, "-n", "alice", "127.0.0.1", srv.port,
                   stdin_data="one\n/who\ntwo\n")
    alice.close_stdin()
    bob.expect("alice joined the room")
    bob.expect("alice: one")
    bob.expect("alice: two")
    bob.expect("alice left the room")
    assert alice.wait(3) == 0
    alice.expect_prefix("+OK welcome alice ")
    alice.expect(online("+OK ", ["alice", "bob"]))
    alice.expect("+OK bye")
    srv.stop()


def test_client_name_from_stdin(ctx):
    srv = ctx.server()
    bob = srv.join("bob")
    c = Client(ctx, "127.0.0.1", srv.port, stdin_data="张三\r\n你好\n")
    c.expect_prefix("+OK welcome 张三 ", 3)
    bob.expect("张三 joined the room")
    bob.expect("张三: 你好")
    c.close_stdin()
    bob.expect("张三 left the room")
    assert c.wait(3) == 0
    srv.stop()


def test_client_name_refused_non_interactive(ctx):
    srv = ctx.server()
    bob = srv.join("bob")
    # taken (ignoring case): the server's reason, exit 1, nothing else
    c = Client(ctx, "-n", "BOB", "127.0.0.1", srv.port, stdin_data="hello\n")
    assert c.wait(6) == 1
    assert re.fullmatch(r"udpchat: name taken: (BOB|bob)\n", c.stderr()), c.stderr()
    deadline = time.monotonic() + harness.scale(3)
    while not c.eof:                         # the positive end of its stdout: EOF
        assert time.monotonic() < deadline, "no EOF on the stdout of an exited udpchat"
        time.sleep(0.02)
    assert c.lines(0.05) == []
    # invalid: refused with the protocol's words, never sent
    c = Client(ctx, "-n", "a:b", "127.0.0.1", srv.port)
    assert c.wait(3) == 1
    assert c.stderr() == "udpchat: invalid name: contains ':'\n", c.stderr()
    # no -n and a bad first line: the same
    c = Client(ctx, "127.0.0.1", srv.port, stdin_data="two words\n")
    assert c.wait(3) == 1
    assert c.stderr() == "udpchat: invalid name: contains whitespace\n", c.stderr()
    c = Client(ctx, "127.0.0.1", srv.port)
    c.close_stdin()
    assert c.wait(3) == 1
    assert "no name" in c.stderr(), c.stderr()
    bob.expect_none(0.2)
    assert srv.stats()["joins"] == 1
    srv.stop(told=(bob,))


def test_client_refuses_bad_lines_locally(ctx):
    srv = ctx.server()
    bob = srv.join("bob")
    alice = joined_client(ctx, srv, "alice", bob)
    alice.send(b"tab\there\n")
    alice.send(b"bad \xff utf8\n")
    alice.send(b"x" * 508 + b"\n")          # 513 bytes once "/say " is in front
    alice.send(b"/" + b"y" * 512 + b"\n")   # 513 bytes as a command
    alice.send(b"z" * 3000 + b"\n")         # longer than the client's buffer
    alice.send(b"x" * 507 + b"\n")          # exactly 512 bytes on the wire: fine
    bob.expect("alice: " + "x" * 507)
    bob.expect_none(0.3)
    alice.close_stdin()
    bob.expect("alice left the room")
    assert alice.wait(3) == 0
    err = alice.stderr().splitlines()
    assert err == [
        "udpchat: not sent: the line contains a control character (0x09)",
        "udpchat: not sent: the line is not valid UTF-8",
        "udpchat: not sent: the line is too long (508 bytes, at most 507)",
        "udpchat: not sent: the line is too long (513 bytes, at most 512)",
        "udpchat: not sent: the line is too long (3000 bytes, at most 512)",
    ], err
    srv.stop()


def test_client_signal_leaves_and_reaps(ctx):
    srv = ctx.server()
    bob = srv.join("bob")
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        alice = joined_client(ctx, srv, "alice", bob)
        child = alice.receiver_pid()
        os.kill(alice.pid, sig)
        bob.expect("alice left the room")
        assert alice.wait(3) == 0, sig
        assert pid_gone(child), "receiver %d left behind" % child
    srv.stop()


@timeout(30)
def test_client_keepalive(ctx):
    # -t 3: the client pings every second while idle, so it stays
    srv = ctx.server("-t", "3")
    bob = ctx.peer()
    bob.send("bob")
    bob.expect_prefix("+OK welcome bob (idle timeout 3s)")
    bob.send("")
    alice = Client(ctx, "-n", "alice", "127.0.0.1", srv.port)
    alice.expect_prefix("+OK welcome alice (idle timeout 3s)", 3)
    bob.expect("alice joined the room")
    for _ in range(6):
        time.sleep(1)
        bob.send("/ping")                   # bob keeps himself in the room
        bob.expect("+OK pong")
    # 6 s idle, twice the timeout: alice is still there, pongs were hidden
    bob.send("/who")
    bob.expect(online("+OK ", ["alice", "bob"]))
    alice.expect_none(0.2)
    assert not any("pong" in l for l in alice.history), alice.history
    bob.send("still here")                   # what alice does show, next
    alice.expect("bob: still here")
    assert not any("pong" in l for l in alice.history), alice.history
    alice.close_stdin()
    bob.expect("alice left the room")
    assert alice.wait(3) == 0
    srv.stop()


@timeout(40)
def test_client_rejoins_after_server_restart(ctx):
    srv = ctx.server("-t", "3")
    alice = Client(ctx, "-n", "alice", "127.0.0.1", srv.port)
    alice.expect_prefix("+OK welcome alice (idle timeout 3s)", 3)
    srv.kill()                               # SIGKILL, by PID: no goodbye
    srv2 = ctx.server("-t", "30", port=srv.port)
    carol = srv2.join("carol")
    # alice's next ping gets "-ERR not in the room": she joins by herself
    carol.expect("alice joined the room", timeout=5)
    alice.expect_prefix("-ERR not in the room", 3, skip=True)
    alice.expect_prefix("+OK welcome alice (idle timeout 30s)", 3, skip=True)
    alice.send("back again\n")
    carol.expect("alice: back again")
    alice.send("/quit\n")
    carol.expect("alice left the room")
    assert alice.wait(3) == 0
    srv2.stop()


@timeout(30)
def test_client_rejoins_after_server_stop(ctx):
    # a clean stop this time: the client is told, keeps pinging, and comes back
    srv = ctx.server("-t", "3")
    alice = Client(ctx, "-n", "alice", "127.0.0.1", srv.port)
    alice.expect_prefix("+OK welcome alice (idle timeout 3s)", 3)
    srv.stop()
    alice.expect("[admin] server is going down")
    time.sleep(1.5)                          # pings meet a closed port meanwhile
    srv2 = ctx.server("-t", "30", port=srv.port)
    carol = srv2.join("carol")
    carol.expect("alice joined the room", timeout=5)
    alice.expect_prefix("+OK welcome alice (idle timeout 30s)", 3, skip=True)
    alice.close_stdin()
    carol.expect("alice left the room")
    assert alice.wait(3) == 0
    srv2.stop()


def test_client_ipv6(ctx):
    if not ctx.ipv6_ok():
        ctx.skip("no IPv6 on this host")
    srv = ctx.server()
    bob = srv.join("bob")
    alice = Client(ctx, "-n", "alice", "::1", srv.port)
    alice.expect_prefix("+OK welcome alice ", 3)
    bob.expect("alice joined the room")
    bob.send("/say over v6")
    alice.expect("bob: over v6")
    alice.close_stdin()
    bob.expect("alice left the room")
    assert alice.wait(3) == 0
    r = ctx.run("udpchat", "-n", "alice", "::1", harness.free_udp_port(), timeout=10, input="")
    assert r.returncode == 1 and re.fullmatch(r"udpchat: no answer from \[::1\]:\d+\n", r.stderr), r
    srv.stop()


@timeout(30)
def test_client_rejoins_after_time_out(ctx):
    # carol's pings below come every scaled 0.5 s: the idle timeout scales too
    srv = ctx.server("-t", str(int(harness.scale(2))))
    carol = srv.join("carol")
    alice = joined_client(ctx, srv, "alice", carol)
    # stop the sender (it pings); the receiver still runs and hears why, and
    # the sender joins again when it runs again (it alone sends)
    os.kill(alice.pid, signal.SIGSTOP)
    left = "alice left the room (timed out)"
    seen = []
    try:
        deadline = time.monotonic() + harness.scale(10)
        while time.monotonic() < deadline and left not in seen:
            carol.send("/ping")              # carol stays; only alice goes quiet
            seen += carol.lines(0.5)
        alice.expect("-ERR removed from the room (timed out)", 3, skip=True)
    finally:
        os.kill(alice.pid, signal.SIGCONT)
    assert left in seen and "alice joined the room" not in seen, seen
    carol.expect("alice joined the room", 3, skip=True)
    alice.expect_prefix("+OK welcome alice ", 3, skip=True)
    alice.close_stdin()
    assert alice.wait(3) == 0
    srv.stop()


def test_client_rejoin_refused_exits_1(ctx):
    srv = ctx.server("-t", "3")
    alice = Client(ctx, "-n", "alice", "127.0.0.1", srv.port)
    alice.expect_prefix("+OK welcome alice ", 3)
    srv.kill()
    srv2 = ctx.server("-t", "30", port=srv.port)
    srv2.join("ALICE")                       # the name is gone on the new server
    assert alice.wait(6) == 1
    alice.expect("-ERR name taken: ALICE", skip=True)  # the present member's spelling
    assert "could not join again as alice" in alice.stderr(), alice.stderr()
    srv2.stop()


def test_client_kicked_exits_1(ctx):
    if not os.path.exists(os.path.join(ctx.bindir, "udpchatctl")):
        ctx.skip("no udpchatctl in %s" % ctx.bindir)
    srv = ctx.server()
    bob = srv.join("bob")
    alice = joined_client(ctx, srv, "alice", bob)
    r = srv.ctl("kick", "alice")
    assert r.returncode == 0, r
    bob.expect("alice left the room (kicked)")
    assert alice.wait(3) == 1
    alice.expect("-ERR removed from the room (kicked)", skip=True)
    bob.expect_none(0.3)                     # no re-join after a kick
    srv.stop(told=(bob,))


# --- a fake server: what the real one never sends --------------------------

def join_datagram(name):
    """What udpchat sends to join: /join NAME padded with empty lines to 192
    bytes (the server may answer 3x that before the address is confirmed)."""
    return ("/join %s" % name).encode().ljust(192, b"\n")


def quits(c, fake, recv=None):
    """c leaves as a user does: end of input sends "/quit" (recv: how the
    fake reads it, default its next line), the fake answers "+OK bye", and
    c exits with status 0."""
    c.close_stdin()
    assert (recv or fake.recv_line)() == b"/quit\n"
    fake.say("+OK bye\n")
    assert c.wait(3) == 0


class FakeServer:
    """A UDP socket on 127.0.0.1 that answers the join, then says what it is told."""

    def __init__(self):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.client = None

    def recv_line(self, secs=3.0):
        r, _, _ = select.select([self.sock], [], [], harness.scale(secs))
        assert r, "fake server: nothing within %.1fs" % secs
        data, self.client = self.sock.recvfrom(4096)
        return data

    def accept(self, name="alice"):
        data = self.recv_line()
        assert data == join_datagram(name), data
        self.say("+OK welcome %s (idle timeout 600s), 1 online: %s\n" % (name, name))
        self.confirmed()

    def confirmed(self, v11=False):
        """The client confirms its address: its /seq (protocol v1.1, padded
        with empty lines), answered as a v1 server (unless v11: then left
        to the caller); returns that datagram."""
        data = self.recv_line()
        assert data.rstrip(b"\n") in (b"/seq", b"/seq\n/last 20"), data
        if not v11:
            self.say("-ERR unknown command /seq (try /help)\n")
        return data

    def say(self, data):
        if isinstance(data, str):
            data = data.encode()
        self.sock.sendto(data, self.client)

    def close(self):
        self.sock.close()


EVIL = b"evil \x1b[2J\x07 \xc2\x9b \xff end\n"
EVIL_SHOWN = r"evil \x1b[2J\x07 \xc2\x9b \xff end"


def test_client_sanitizes_pipe_output(ctx):
    fake = FakeServer()
    try:
        c = Client(ctx, "-n", "alice", "127.0.0.1", fake.port)
        fake.accept()
        # several lines in one datagram, one of them hostile
        fake.say(b"first\n" + EVIL + b"+OK pong keepalive\nlast\n")
        c.expect_prefix("+OK welcome alice ")
        c.expect("first")
        c.expect(EVIL_SHOWN)
        c.expect("last")                      # the keepalive pong is hidden
        quits(c, fake)
        c.expect("+OK bye")
    finally:
        fake.close()


def test_client_k_resends_a_line_taken_late(ctx):
    """-k: a line read with the name, before the server said it speaks
    v1.1, waits, then goes tagged; when that first send is lost it goes
    again within the ack wait (0.3-0.45 s), not at the next keepalive (the
    sender's poll took its wait from before the line was taken)."""
    fake = FakeServer()
    try:
        # the name and the line in one read: the line waits in the buffer
        c = Client(ctx, "-k", "0", "127.0.0.1", fake.port, stdin_data="alice\nhello\n")
        assert fake.recv_line() == join_datagram("alice")
        fake.say("+OK welcome alice (idle timeout 600s), 1 online: alice\n")
        assert fake.recv_line().startswith(b"/seq\n")
        fake.say("+OK seq 0000abcd 0\n")
        first = fake.recv_line()
        m = re.match(rb"/id (\d+) hello\n$", first)
        assert m, first                       # lost: no ack
        t0 = time.monotonic()
        again = fake.recv_line(2.0)
        took = time.monotonic() - t0
        assert again == first, again
        assert took < harness.scale(1.5), "sent again after %.2fs" % took
        fake.say(b"+OK ack " + m.group(1) + b" 1\n")
        quits(c, fake)
    finally:
        fake.close()


def test_client_join_retried(ctx):
    fake = FakeServer()
    try:
        c = Client(ctx, "-n", "alice", "127.0.0.1", fake.port)
        t0 = time.monotonic()
        got = [fake.recv_line()]
        got.append(fake.recv_line())          # the first try "was lost"
        got.append(fake.recv_line())
        took = time.monotonic() - t0
        assert got == [join_datagram("alice")] * 3, got
        assert 0.5 <= took <= harness.scale(2.5), took   # 250 ms, then 500 ms
        # the first try got in after all: "already in the room" means joined
        fake.say("-ERR already in the room as alice\nbob: hi\n")
        fake.confirmed()                      # the client confirms its address
        c.expect("bob: hi")
        c.close_stdin()
        assert fake.recv_line() == b"/quit\n"
        assert c.wait(3) == 0
    finally:
        fake.close()


# --- the terminal (tmux) ------------------------------------------------------

class Tmux:
    """udpchat in a detached 80x24 tmux session on a private tmux server."""

    def __init__(self, ctx, args, rows=24, cols=80):
        if not shutil.which("tmux"):
            ctx.skip("tmux not installed")
        self.sock = os.path.join(ctx.tmp, "tmux.sock")
        self.status = os.path.join(ctx.tmp, "status")
        self.errpath = os.path.join(ctx.tmp, "client.stderr")
        inner = "%s 2>%s; echo $? >%s; echo EXIT; sleep 60" % (
            shlex.join(ctx.cmd("udpchat", *args)), self.errpath, self.status)
        self.tmux("new-session", "-d", "-x", str(cols), "-y", str(rows), "sh", "-c", inner)
        self.server_pid = int(self.tmux("display-message", "-p", "#{pid}").strip())
        self.pane_pid = int(self.tmux("display-message", "-p", "#{pane_pid}").strip())

    def tmux(self, *args):
        r = subprocess.run(["tmux", "-S", self.sock, "-f", "/dev/null"] + list(args),
                           capture_output=True, text=True, timeout=5)
        assert r.returncode == 0, ("tmux", args, r.stderr)
        return r.stdout

    def keys(self, text):
        self.tmux("send-keys", "-t", "0", "-l", text)

    def key(self, *names):
        self.tmux("send-keys", "-t", "0", *names)

    def rows(self):
        return self.tmux("capture-pane", "-p", "-t", "0").split("\n")[:-1]

    def wait_for(self, cond, secs=3.0, what="screen"):
        deadline = time.monotonic() + harness.scale(secs)
        while True:
            rows = self.rows()
            if cond(rows):
                return rows
            if time.monotonic() > deadline:
                raise AssertionError("%s not seen within %.1fs; screen:\n%s"
                                     % (what, secs, "\n".join(rows)))
            time.sleep(0.05)

    def stderr(self):
        with open(self.errpath, encoding="utf-8", errors="replace") as f:
            return f.read()

    def exit_status(self, secs=3.0):
        deadline = time.monotonic() + harness.scale(secs)
        while not (os.path.exists(self.status) and open(self.status).read().endswith("\n")):
            assert time.monotonic() < deadline, "udpchat still running; screen:\n" + "\n".join(self.rows())
            time.sleep(0.05)
        err = open(self.errpath, encoding="utf-8", errors="replace").read()
        assert not any(m in err for m in harness.SANITIZER_MARKS), err[-3000:]
        return int(open(self.status).read())

    def close(self):
        try:
            os.kill(self.server_pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def bottom(rows):
    return rows[-1].rstrip()


def last_text(rows):
    """The last row that is not blank (before the scroll region exists)."""
    text = [l.rstrip() for l in rows if l.strip()]
    return text[-1] if text else ""


@timeout(40)
def test_client_tty_typed_line_survives_messages(ctx):
    srv = ctx.server("-r", "0")
    bob = srv.join("bob")
    t = Tmux(ctx, ["-n", "alice", "127.0.0.1", str(srv.port)])
    try:
        bob.expect("alice joined the room", 3)
        t.wait_for(lambda r: bottom(r) == ">", what="the empty input line")
        t.keys("half typed 你好 line")
        t.wait_for(lambda r: bottom(r) == "> half typed 你好 line", what="the typed text")
        for i in range(30):
            bob.send("/say message number %02d" % i)
        rows = t.wait_for(lambda r: any("message number 29" in l for l in r),
                          what="the last message")
        # the typed line is intact on the bottom row, the messages above it in order
        assert bottom(rows) == "> half typed 你好 line", rows
        body = [l.rstrip() for l in rows[:-1]]
        want = ["bob: message number %02d" % i for i in range(7, 30)]
        assert body == want, body
        # finishing the line sends what was typed
        t.key("Enter")
        bob.expect("alice: half typed 你好 line")
        rows = t.wait_for(lambda r: bottom(r) == ">", what="a cleared input line")
        assert rows[-2].rstrip() == "alice: half typed 你好 line", rows
        # editing: backspace drops a code point, Ctrl-W a word, Ctrl-U all
        t.keys("abc 张三")
        t.key("BSpace")
        t.wait_for(lambda r: bottom(r) == "> abc 张", what="backspace over a CJK char")
        t.key("C-w")
        t.wait_for(lambda r: bottom(r) == "> abc", what="Ctrl-W")
        t.key("C-u")
        t.keys("ok")
        t.key("Enter")
        bob.expect("alice: ok")
        # a long line scrolls sideways and is sent whole
        long = "".join("%d" % (i % 10) for i in range(150))
        t.keys(long)
        rows = t.wait_for(lambda r: bottom(r).endswith(long[-40:]), what="the end of a long line")
        assert bottom(rows).startswith("< "), bottom(rows)
        assert len(bottom(rows)) <= 80, bottom(rows)
        t.key("Enter")
        bob.expect("alice: " + long)
        # Ctrl-D on an empty line leaves cleanly
        t.key("C-d")
        bob.expect("alice left the room")
        assert t.exit_status() == 0
        rows = t.wait_for(lambda r: any(l.strip() == "EXIT" for l in r), what="EXIT")
        # the cursor was left on a fresh line under the chat
        i = [l.strip() for l in rows].index("EXIT")
        assert rows[i - 1].rstrip() == "+OK bye", rows
    finally:
        t.close()
    srv.stop()


@timeout(40)
def test_client_tty_typing_while_messages_pour_in(ctx):
    srv = ctx.server("-r", "0")
    bob = srv.join("bob")
    t = Tmux(ctx, ["-n", "alice", "127.0.0.1", str(srv.port)])
    try:
        bob.expect("alice joined the room", 3)
        t.wait_for(lambda r: bottom(r) == ">", what="the empty input line")
        typed = "typing 张三 while it scrolls"
        stop = threading.Event()

        def pour():
            for i in range(60):
                if stop.is_set():
                    return
                bob.send("/say message %02d from bob with some text 你好" % i)
                time.sleep(0.01)
        th = threading.Thread(target=pour, daemon=True)
        th.start()
        try:
            for ch in typed:                 # one key at a time, racing the messages
                t.keys(ch)
        finally:
            th.join(10)
            stop.set()
        rows = t.wait_for(lambda r: any("message 59 " in l for l in r), what="the last message")
        assert bottom(rows) == "> " + typed, rows
        body = [l.rstrip() for l in rows[:-1]]
        want = ["bob: message %02d from bob with some text 你好" % i for i in range(37, 60)]
        assert body == want, body
        t.key("Enter")
        bob.expect("alice: " + typed)
        t.key("C-c")
        bob.expect("alice left the room")
        assert t.exit_status() == 0
    finally:
        t.close()
    srv.stop()


@timeout(30)
def test_client_tty_sanitizes_and_quits(ctx):
    fake = FakeServer()
    t = Tmux(ctx, ["-n", "alice", "127.0.0.1", str(fake.port)])
    try:
        fake.accept()
        t.wait_for(lambda r: any(l.startswith("+OK welcome alice") for l in r), what="welcome")
        fake.say(EVIL)
        rows = t.wait_for(lambda r: any(EVIL_SHOWN in l for l in r), what="the escaped line")
        # ESC [2J was not obeyed: the welcome is still on the screen
        assert any(l.startswith("+OK welcome alice") for l in rows), rows
        assert bottom(rows) == ">", rows
        # a control character typed is never sent; /quit leaves
        t.keys("/quit")
        t.key("Enter")
        assert fake.recv_line() == b"/quit\n"
        fake.say("+OK bye\n")
        assert t.exit_status() == 0
    finally:
        t.close()
        fake.close()


@timeout(30)
def test_client_tty_kicked_restores_terminal(ctx):
    if not os.path.exists(os.path.join(ctx.bindir, "udpchatctl")):
        ctx.skip("no udpchatctl in %s" % ctx.bindir)
    srv = ctx.server()
    bob = srv.join("bob")
    t = Tmux(ctx, ["-n", "alice", "127.0.0.1", str(srv.port)])
    try:
        bob.expect("alice joined the room", 3)
        t.keys("never sent")
        t.wait_for(lambda r: bottom(r) == "> never sent", what="the typed text")
        assert srv.ctl("kick", "alice").returncode == 0
        assert t.exit_status() == 1
        rows = t.wait_for(lambda r: any(l.strip() == "EXIT" for l in r), what="EXIT")
        assert any(l.startswith("-ERR removed from the room (kicked)") for l in rows), rows
    finally:
        t.close()
    srv.stop()


@timeout(30)
def test_client_tty_asks_name_again(ctx):
    srv = ctx.server()
    bob = srv.join("bob")
    t = Tmux(ctx, ["127.0.0.1", str(srv.port)])
    try:
        t.wait_for(lambda r: last_text(r) == "name:", what="the name prompt")
        t.keys("Bob")
        t.key("Enter")
        # (stderr goes to a file here)
        t.wait_for(lambda r: [l.rstrip() for l in r if l.strip()] == ["name: Bob", "name:"],
                   what="a second prompt")
        assert re.fullmatch(r"udpchat: name taken: (Bob|bob)\n", t.stderr()), t.stderr()
        t.keys("a:b")
        t.key("Enter")
        t.wait_for(lambda r: last_text(r) == "name:" and "name: a:b" in [l.rstrip() for l in r],
                   what="a third prompt")
        assert t.stderr().endswith("udpchat: invalid name: contains ':'\n"), t.stderr()
        t.keys("alice")
        t.key("Enter")
        bob.expect("alice joined the room", 3)
        t.wait_for(lambda r: bottom(r) == ">", what="the input line")
        # /nick: own lines are shown under the new name
        t.keys("/nick alison")
        t.key("Enter")
        bob.expect("alice is now known as alison")
        t.wait_for(lambda r: any(l.startswith("+OK you are now alison") for l in r), what="+OK")
        t.keys("hi")
        t.key("Enter")
        bob.expect("alison: hi")
        t.wait_for(lambda r: r[-2].rstrip() == "alison: hi", what="the own line")
        t.keys("/quit")
        t.key("Enter")
        bob.expect("alison left the room")
        assert t.exit_status() == 0
    finally:
        t.close()
    srv.stop()


@timeout(30)
def test_client_tty_resize(ctx):
    srv = ctx.server()
    bob = srv.join("bob")
    t = Tmux(ctx, ["-n", "alice", "127.0.0.1", str(srv.port)])
    try:
        bob.expect("alice joined the room", 3)
        t.keys("still here")
        t.wait_for(lambda r: bottom(r) == "> still here", what="the typed text")
        t.tmux("resize-window", "-x", "60", "-y", "12")
        rows = t.wait_for(lambda r: len(r) == 12 and bottom(r) == "> still here",
                          what="the input line on the new bottom row")
        bob.send("/say after resize")
        rows = t.wait_for(lambda r: any(l.rstrip() == "bob: after resize" for l in r),
                          what="a message after the resize")
        assert rows[-2].rstrip() == "bob: after resize", rows
        assert bottom(rows) == "> still here", rows
        t.key("C-c")
        bob.expect("alice left the room")
        assert t.exit_status() == 0
    finally:
        t.close()
    srv.stop()
