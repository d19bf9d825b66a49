"""test_lifecycle.py: udpchatd's command line, start-up errors, stdin (admin
lines, EOF), SIGTERM/SIGINT and child processes (no zombies)."""
import os
import random
import signal
import socket
import subprocess
import time

from harness import basic, free_udp_port, proc_children, proc_state, scale, timeout


def _children_ok(srv, wait=1.0):
    """Waits up to `wait` s (scaled) for no zombie child; returns the children."""
    deadline = time.monotonic() + scale(wait)
    while True:
        kids = srv.children()
        if not [k for k in kids if k[1] == "Z"] or time.monotonic() > deadline:
            return kids
        time.sleep(0.05)


def _no_children(srv, wait=3.0):
    """Polls (up to `wait` s, scaled) until the server has no child process at
    all: its admin child has seen EOF on stdin, exited and been reaped."""
    deadline = time.monotonic() + scale(wait)
    while True:
        kids = srv.children()
        if not kids:
            return
        assert srv.alive(), "server exited (status %r)" % srv.proc.returncode
        assert time.monotonic() < deadline, \
            "children still there %.1fs after stdin's EOF: %r" % (scale(wait), kids)
        time.sleep(0.02)


def test_bad_flags_exit_2(ctx):
    port = free_udp_port()
    for args in (["-x"], ["-p"], ["-p", "notaport"], ["-p", "70000"], ["-p", "-1"],
                 ["-L", "fr"], ["-L"], ["-m", "abc"], ["-t", "x"], ["-t", "-5"],
                 ["-r", "fast"], ["--bogus"], ["-p", str(port), "extra"],
                 ["-D", "d" * 65], ["-D", "tab\there"], ["-D", "\udcff"]):
        r = ctx.run("udpchatd", "-c", ctx.tmp + "/c.sock", *args, timeout=5)
        assert r.returncode == 2, "udpchatd %s: exit %d, stderr %r" % (args, r.returncode, r.stderr)
        err = r.stderr.splitlines()
        assert len(err) == 1 and err[0].strip(), "udpchatd %s: stderr not one line: %r" % (args, r.stderr)
        assert r.stdout == "", r.stdout


def test_option_messages(ctx):
    """A missing value and an unknown option each have their own line (one
    message chosen by opt_next's answer, ':' or '?'), exit status 2."""
    for prog, arg, want in (("udpchatd", "-p", "udpchatd: option -p needs a value (see -h)"),
                            ("udpchatd", "-x", "udpchatd: unknown option -x (see -h)"),
                            ("udpchatctl", "-c", "udpchatctl: option -c needs a value (see -h)"),
                            ("udpchatctl", "-q", "udpchatctl: unknown option -q (see -h)")):
        r = ctx.run(prog, arg, timeout=5)
        assert r.returncode == 2 and r.stderr == want + "\n" and r.stdout == "", \
            "%s %s: exit %d, stderr %r, want %r" % (prog, arg, r.returncode, r.stderr, want)


def test_bad_option_bytes_shown_escaped(ctx):
    """An option that is not ASCII (-é) is named byte by byte in plain ASCII:
    half a UTF-8 character must not reach the user's terminal."""
    for prog, arg in (("udpchatd", "-é"), ("udpchat", "-é"), ("udpchatctl", "-é"),
                      ("udpchatd", "-S\x01")):
        r = subprocess.run(ctx.cmd(prog, arg), capture_output=True, timeout=scale(5))
        assert r.returncode == 2, "%s %r: exit %d" % (prog, arg, r.returncode)
        assert all(0x20 <= b < 0x7f for b in r.stderr.rstrip(b"\n")), \
            "%s %r: stderr not printable ASCII: %r" % (prog, arg, r.stderr)
        want = b"-\\x01" if "\x01" in arg else b"-\\xc3"
        assert want in r.stderr, "%s %r: %r not named in %r" % (prog, arg, want, r.stderr)


def test_help_and_version(ctx):
    r = ctx.run("udpchatd", "-h")
    assert r.returncode == 0, (r.returncode, r.stderr)
    text = r.stdout + r.stderr
    for flag in ("-p", "-b", "-L", "-m", "-t", "-c", "-r", "-u", "-D", "-Q", "-S", "-h", "-V"):
        assert flag in text, "-h does not mention %s: %r" % (flag, text)
    r = ctx.run("udpchatd", "-V")
    assert r.returncode == 0, (r.returncode, r.stderr)
    assert "1.0.0" in r.stdout + r.stderr, (r.stdout, r.stderr)


def test_port_in_use(ctx):
    first = ctx.server()
    second = ctx.server(port=first.port, wait=False)
    try:
        rc = second.proc.wait(ctx.scale(5))
    except subprocess.TimeoutExpired:
        raise AssertionError("second server on the same port did not exit")
    second.stopped = True
    err = second.stderr_text()
    assert rc == 1, "exit %d: %r" % (rc, err)
    assert str(first.port) in err or "in use" in err.lower(), "unclear error: %r" % err
    assert len(err.strip().splitlines()) == 1, err
    # the first one was not disturbed
    a = first.join("a")
    a.send("/ping")
    a.expect("+OK pong")
    first.stop()


def test_bind_address(ctx):
    srv = ctx.server("-b", "127.0.0.1")
    a = srv.join("a")
    b = srv.join("b")
    a.send("hi")
    b.expect("a: hi")
    if ctx.ipv6_ok():
        s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
        s.bind(("::1", 0))
        s.settimeout(0.3)
        s.sendto(b"/help\n", ("::1", srv.port))
        try:
            try:
                s.recv(100)
                raise AssertionError("-b 127.0.0.1 answers on ::1")
            except (socket.timeout, ConnectionRefusedError):
                pass
            # the positive control on the same socket: a second server on ::1
            # and the same port (free there: the first is on 127.0.0.1 only)
            srv6 = ctx.server("-b", "::1", port=srv.port)
            s.settimeout(scale(2))
            s.sendto(b"/help\n", ("::1", srv.port))
            assert s.recv(4096).startswith(b"+OK commands: ")
            srv6.stop()
        finally:
            s.close()
    srv.stop(told=(a, b))


@basic
def test_stdin_eof_is_not_an_error(ctx):
    srv = ctx.server(stdin="devnull")
    a, b = srv.join("a"), srv.join("b")
    _no_children(srv)                        # the admin child saw EOF and was reaped
    assert srv.alive()
    a.send("after eof")
    b.expect("a: after eof")
    kids = _children_ok(srv)
    assert not [k for k in kids if k[1] == "Z"], "zombie children: %r" % kids
    assert srv.ctl("say", "ctl still works").returncode == 0
    a.expect("[admin] ctl still works")
    srv.stop()


def test_stdin_closed_later(ctx):
    srv = ctx.server()
    a = srv.join("a")
    srv.admin("first")
    a.expect("[admin] first")
    srv.close_stdin()
    _no_children(srv)                        # the admin child saw EOF and was reaped
    assert srv.alive(), "server exited when its stdin closed"
    b = srv.join("b")
    b.send("hi")
    a.expect("b: hi")
    srv.stop()


def test_admin_lines_not_forgeable_over_udp(ctx):
    srv = ctx.server()
    a, b = srv.join("a"), srv.join("b")
    a.send("[admin] fake")             # a chat line, prefixed with its sender
    b.expect("a: [admin] fake")
    s = ctx.peer()
    s.send("[admin] fake")
    s.expect("-ERR not in the room: send your name first (invalid name: contains whitespace)")
    b.expect_none(0.2)
    # an admin line from stdin with a control character is not announced (so
    # it cannot reach a terminal raw); the reason is on stderr, and the next
    # operator line is the next line everyone gets
    srv.admin(b"bell\x07 esc\x1b[2J")
    srv.admin("after the bell")
    for p in (a, b):
        p.expect("[admin] after the bell")
    why = "udpchatd: announcement not sent: contains a control character (0x07)"
    deadline = time.monotonic() + scale(2)
    while why not in srv.stderr_text():
        assert time.monotonic() < deadline, srv.stderr_text()[-500:]
        time.sleep(0.02)
    srv.stop(told=(a, b))


def test_admin_many_lines_in_order(ctx):
    srv = ctx.server()
    a = srv.join("a")
    for i in range(30):
        srv.admin("notice %02d" % i)
    for i in range(30):
        a.expect("[admin] notice %02d" % i)
    srv.stop()


@basic
def test_sigterm_shutdown(ctx):
    srv = ctx.server()
    a, b = srv.join("a"), srv.join("b")
    kids = _children_ok(srv, 0)
    srv.stop(signal.SIGTERM, expect_rc=0)
    a.expect("[admin] server is going down")
    b.expect("[admin] server is going down")
    a.expect_none(0.1, final=True)           # the server is gone: the notice was the last line
    # the admin child went with it (polled: it may take a moment to see EOF)
    assert kids, "no admin child to watch"
    deadline = time.monotonic() + scale(3)
    for pid, _ in kids:
        while True:
            try:
                st = open("/proc/%d/stat" % pid).read()
            except OSError:
                break
            if ") Z" in st or ") X" in st:
                break
            assert time.monotonic() < deadline, "child %d of the server still runs: %s" % (pid, st)
            time.sleep(0.02)


def test_sigint_shutdown(ctx):
    srv = ctx.server("-L", "zh")
    a = srv.join("a")
    srv.stop(signal.SIGINT, expect_rc=0)
    a.expect("管理员:服务器即将关闭")


def test_no_zombies(ctx):
    srv = ctx.server()
    a = srv.join("a")
    # some work, some control connections (a fork-per-request server would leave zombies)
    for i in range(5):
        assert srv.ctl("who").returncode == 0
    srv.admin("x")
    a.expect("[admin] x")
    srv.close_stdin()                  # the admin child exits now
    _no_children(srv)                  # and is reaped: no zombie left
    srv.stop()


def test_restart_same_port(ctx):
    srv = ctx.server()
    a = srv.join("a")
    srv.stop()
    a.expect("[admin] server is going down")
    srv2 = ctx.server(port=srv.port)
    a.send("hello there")
    a.expect("-ERR not in the room: send your name first (invalid name: contains whitespace)")
    a.send("/ping")
    a.expect("-ERR not in the room (send /join NAME)")
    a.join("a")
    srv2.stop()


def test_admin_stdin_line_limits(ctx):
    """An operator line over 512 bytes or not UTF-8 is not announced (nor cut);
    the lines after it still are."""
    srv = ctx.server()
    a = srv.join("a")
    srv.admin("y" * 600)
    srv.admin(b"bad \xff utf8")
    srv.admin("z" * 512)
    a.expect("[admin] " + "z" * 512)
    srv.admin("after")
    a.expect("[admin] after")
    a.expect_none(0.1)
    srv.stop(told=(a,))


@timeout(60)
def test_sigterm_during_startup(ctx):
    """SIGTERM at any moment of start-up: the server exits (0, or killed by the
    signal before its handlers exist), never hangs. Catches a signal arriving
    between fork() and the admin child's own signal set-up, where the child
    would run the server's handler and the server wait for it forever."""
    t0 = time.monotonic()
    first = ctx.server()
    ready = time.monotonic() - t0          # how long start-up takes here
    first.stop()
    rnd = random.Random(7)
    outcomes = {}
    for i in range(120):
        port = free_udp_port()
        p = ctx.popen(ctx.cmd("udpchatd", "-p", port, "-c", os.path.join(ctx.tmp, "s%d.sock" % i)),
                      stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        delay = rnd.uniform(0, ready)
        time.sleep(delay)
        os.kill(p.pid, signal.SIGTERM)
        try:
            rc = p.wait(ctx.scale(2))
        except subprocess.TimeoutExpired:
            state = proc_state(p.pid) + "; children " + "; ".join(
                proc_state(k) for k, _ in proc_children(p.pid))
            p.stdin.close()                # the admin child sees EOF and ends; so does the server
            p.wait(5)
            raise AssertionError("run %d: udpchatd hangs after SIGTERM %.1f ms into start-up (%s)"
                                 % (i, 1000 * delay, state))
        p.stdin.close()
        outcomes[rc] = outcomes.get(rc, 0) + 1
        assert rc in (0, -signal.SIGTERM), "run %d: exit status %r" % (i, rc)
    ctx.note("start-up SIGTERM outcomes: %r (start-up takes %.1f ms)" % (outcomes, 1000 * ready))


def test_syslog_flag(ctx):
    """-S: logs go to syslog (or, without a syslog daemon, still somewhere
    sane); the server works the same."""
    srv = ctx.server("-S")
    a, b = srv.join("a"), srv.join("b")
    a.send("hi")
    b.expect("a: hi")
    srv.stop()


def test_bind_ipv6_only(ctx):
    if not ctx.ipv6_ok():
        ctx.skip("::1 is not available on this host")
    srv = ctx.server("-b", "::1")
    six = srv.join("six", family=6)
    six.send("/who")
    six.expect("+OK 1 online: six")
    four = ctx.peer(4)
    four.send("/help")
    four.expect_none(0.3)
    # the positive control on four's socket: a second server, on 127.0.0.1
    # and the same port (free on IPv4 since the first is on ::1 only), answers
    srv4 = ctx.server("-b", "127.0.0.1", port=srv.port)
    four.send("/help")
    four.expect_prefix("+OK commands: ")
    srv4.stop()
    srv.stop(told=(six,))
