"""test_edges.py: limits and guards checked at their exact edges, through the
real interfaces, so that a one-line change to a bound or a guard fails a test:
the operator's stdin lines of 511-514 bytes, the control socket's say at 512
and 513 bytes (talking to the socket directly, not through udpchatctl, which
refuses long lines itself), the control socket's file mode and peer check
(a process of another uid), -S sending the log lines to /dev/log (a datagram
socket of the test's own, bound over /dev/log in a private mount namespace),
and the rate limiter's bucket: exactly its cap at start and after a full
refill. Every negative check is followed by a positive line on the same
channel."""
import os
import signal
import socket
import stat
import subprocess
import time

from harness import ctl_request, free_udp_port, online, scale, timeout


def _stderr_count(srv, text, n, secs=3.0):
    """Polls the server's stderr until text occurs n times; returns the count."""
    deadline = time.monotonic() + scale(secs)
    while True:
        got = srv.stderr_text().count(text)
        if got >= n or time.monotonic() > deadline:
            return got
        time.sleep(0.02)


def test_admin_stdin_boundary_lengths(ctx):
    """Operator lines of 511 and 512 bytes are announced whole; 513 and 514
    bytes are refused (one stderr line each), whichever of the stdin reader
    and the line check refuses them; the next line still goes out. (A limit
    of 513 in admin.c would announce the 513-byte line, and overflow its
    buffer by one byte: ASan stops the server.)"""
    srv = ctx.server()
    a = srv.join("a")
    refused = "udpchatd: announcement not sent: longer than 512 bytes"
    for n in (511, 512, 513, 514):
        srv.admin("%03d" % n + "y" * (n - 3))
    a.expect("[admin] 511" + "y" * 508)
    a.expect("[admin] 512" + "y" * 509)
    srv.admin("after")
    a.expect("[admin] after")                # nothing of 513 or 514 came before it
    assert _stderr_count(srv, refused, 2) == 2, srv.stderr_text()[-2000:]
    # the same lengths, one at a time, each followed by a line that must come next
    for n in (513, 514):
        srv.admin("z" * n)
        srv.admin("after %d" % n)
        a.expect("[admin] after %d" % n)
    assert _stderr_count(srv, refused, 4) == 4, srv.stderr_text()[-2000:]
    assert srv.alive()
    srv.stop()


def test_ctl_say_boundary_lengths_raw(ctx):
    """say on the socket itself: 512 bytes of text are announced, 513 are
    refused with -ERR and not announced (udpchatctl refuses long text before
    the server sees it, so only the socket shows the server's own limit)."""
    srv = ctx.server()
    alice = srv.join("alice")
    for n in (511, 512):
        text = b"%03d" % n + b"x" * (n - 3)
        r = ctl_request(srv.ctl_path, b"say " + text + b"\n")
        assert r == b"+OK sent to 1 members\n", (n, r)
        alice.expect("[admin] " + text.decode())
    for n in (513, 514, 590):
        r = ctl_request(srv.ctl_path, b"say " + b"x" * n + b"\n")
        assert r.startswith(b"-ERR ") and r.endswith(b"\n") and r.count(b"\n") == 1, (n, r)
        r = ctl_request(srv.ctl_path, b"say after %d\n" % n)
        assert r == b"+OK sent to 1 members\n", (n, r)
        alice.expect("[admin] after %d" % n)   # the refused one did not come first
    srv.stop()


def test_ctl_socket_mode_and_peer_check(ctx):
    """The control socket is made 0600 (umask and chmod) and the server checks
    who connects (SO_PEERCRED): a process of uid 65534 cannot connect while
    the file is 0600, and when the file is opened up (0666) it is answered
    -ERR permission denied and its request has no effect; root's request on
    the same socket then works."""
    if os.geteuid() != 0:
        ctx.skip("needs root (a child process that becomes uid 65534)")
    d = os.path.join(ctx.tmp, "ctl")
    os.mkdir(d)
    os.chmod(d, 0o755)                       # the directory lets anyone reach the file
    os.chmod(ctx.tmp, 0o755)
    srv = ctx.server(ctl=os.path.join(d, "ctl.sock"))
    alice = srv.join("alice")
    st = os.stat(srv.ctl_path)
    assert stat.S_ISSOCK(st.st_mode) and stat.S_IMODE(st.st_mode) == 0o600, oct(st.st_mode)
    assert st.st_uid == os.geteuid(), st.st_uid
    assert ctl_request(srv.ctl_path, b"say from nobody\n", uid=65534) == b"EACCES"
    os.chmod(srv.ctl_path, 0o666)            # only the peer check is left
    got = ctl_request(srv.ctl_path, b"say from nobody\n", uid=65534)
    assert got == b"-ERR permission denied\n", got
    got = ctl_request(srv.ctl_path, b"who\n", uid=65534)
    assert got == b"-ERR permission denied\n", got
    r = ctl_request(srv.ctl_path, b"say from root\n")
    assert r == b"+OK sent to 1 members\n", r
    alice.expect("[admin] from root")        # and not "from nobody" before it
    srv.stop()


def test_ctl_socket_umask_before_bind(ctx):
    """The socket file is private from the moment bind() creates it, before
    the chmod that follows: run under strace with every chmod made a no-op
    (inject retval=0), the file keeps the mode bind() gave it under the
    server's umask: 0700, not 0777. 0700 rather than 0600 also shows that
    the chmod was indeed suppressed."""
    import shutil
    if not shutil.which("strace"):
        raise AssertionError("strace is missing (make test-deps installs it)")
    path = os.path.join(ctx.tmp, "um.sock")
    calls = "chmod,fchmodat,fchmodat2"  # fchmodat2: Linux 6.6
    probe = subprocess.run(["strace", "-o", "/dev/null", "-e", "trace=" + calls, "true"],
                           capture_output=True, timeout=10)
    if probe.returncode != 0:
        calls = "chmod,fchmodat"             # an strace that does not know fchmodat2
    argv = ["strace", "-f", "-o", "/dev/null", "-e", "trace=" + calls,
            "-e", "inject=%s:retval=0" % calls] + ctx.cmd("udpchatd", "-p", free_udp_port(), "-c", path)
    p = ctx.popen(argv, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                  stderr=subprocess.PIPE)
    try:
        _umask_checks(ctx, p, path)
    finally:
        _stop_traced(ctx, p)


def _descendants(pid):
    """The PIDs of pid's children and theirs (from /proc), deepest last."""
    out, todo = [], [pid]
    while todo:
        t = todo.pop()
        try:
            with open("/proc/%d/task/%d/children" % (t, t)) as f:
                kids = [int(k) for k in f.read().split()]
        except OSError:
            kids = []
        out += kids
        todo += kids
    return out


def _stop_traced(ctx, p):
    """Stops strace and what it started: a tracer killed alone detaches, and
    its udpchatd would run on. SIGKILL to each of strace's descendants (ours:
    strace started them for this test), by PID, then strace ends by itself."""
    for k in _descendants(p.pid):
        try:
            os.kill(k, signal.SIGKILL)
        except ProcessLookupError:
            pass
    p.stdin.close()
    try:
        p.wait(ctx.scale(10))
    except subprocess.TimeoutExpired:
        raise AssertionError("strace did not end after its udpchatd was killed")


def _umask_checks(ctx, p, path):
    deadline = time.monotonic() + ctx.scale(10)
    while not os.path.exists(path):
        assert p.poll() is None, "udpchatd under strace exited: %r" % p.stderr.read()
        assert time.monotonic() < deadline, "no control socket within %.0fs" % ctx.scale(10)
        time.sleep(0.02)
    # the file exists from bind() on; poll until the server answers on it
    while True:
        try:
            r = ctl_request(path, b"who\n")
            break
        except OSError:
            assert time.monotonic() < deadline, "the control socket does not answer"
            time.sleep(0.05)
    assert r == b"+OK 0 members\n", r
    mode = stat.S_IMODE(os.stat(path).st_mode)
    assert mode == 0o700, "control socket mode %o with chmod suppressed (want 0700)" % mode


_SYSLOG_NS = r"""
set -e
d=$1; shift
mount --make-rprivate /
mkdir -p "$d/realdev"
mount --rbind /dev "$d/realdev"
mount -t tmpfs -o mode=0755 udpchat-dev /dev
for f in null zero random urandom; do
    : > "/dev/$f"
    mount --bind "$d/realdev/$f" "/dev/$f"
done
: > /dev/log
mount --bind "$d/log.sock" /dev/log
exec "$@"
"""


@timeout(60)
def test_syslog_lines(ctx):
    """-S: the log lines go to /dev/log as "<PRI>udpchatd[PID]: TEXT" (LOG_DAEMON),
    not to stderr. The server runs in a private mount namespace whose /dev/log
    is a datagram socket this test reads."""
    if os.geteuid() != 0:
        ctx.skip("needs root (unshare --mount, mount --bind)")
    probe = subprocess.run(["unshare", "--mount", "true"], capture_output=True, timeout=10)
    if probe.returncode != 0:
        ctx.skip("unshare --mount does not work here: %s" % probe.stderr.decode().strip())
    log = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    log.bind(os.path.join(ctx.tmp, "log.sock"))
    wrap = ctx.wrap
    ctx.wrap = ["unshare", "--mount", "sh", "-c", _SYSLOG_NS, "sh", ctx.tmp] + wrap
    try:
        srv = ctx.server("-S")
    finally:
        ctx.wrap = wrap
    pid = srv.pid
    lines = []

    def wait_for(text, secs=5.0):
        deadline = time.monotonic() + scale(secs)
        while not any(text in l for l in lines):
            left = deadline - time.monotonic()
            assert left > 0, "%r not logged to /dev/log within %.1fs: %r; stderr %r" % (
                text, scale(secs), lines, srv.stderr_text()[-500:])
            log.settimeout(left)
            try:
                lines.append(log.recv(4096).decode("utf-8", "replace"))
            except socket.timeout:
                pass

    wait_for(" listening on all addresses port %d " % srv.port)
    a = srv.join("a")
    wait_for("a joined from 127.0.0.1:%d" % a.port)
    a.send("/quit")
    a.expect("+OK bye")
    wait_for("a left (")
    srv.stop()
    wait_for("shutting down, 0 members told")
    head = "<30>udpchatd[%d]: " % pid           # LOG_DAEMON | LOG_INFO
    for l in lines:
        assert l.startswith(head) and not l.endswith("\n") and "\n" not in l, (l, head)
    assert any(l == head + "a joined from 127.0.0.1:%d" % a.port for l in lines), lines
    err = srv.stderr_text()
    assert "joined from" not in err and "listening" not in err, err
    log.close()


@timeout(60)
def test_rate_limit_cap_is_the_initial_burst(ctx):
    """-r 2: the bucket holds 8 lines (4x the rate) at start and holds 8 again,
    no more, after a refill of longer than it takes to fill (4 s): a burst of
    exactly 8 lines is relayed, the 9th refused (-ERR slow down), both times.
    At start the burst comes in the join's own datagram (the same instant
    as the bucket's filling: no refill, no clamp to the cap yet). A third
    member's line is the positive control: it arrives right after the 8
    relayed lines, with nothing between."""
    srv = ctx.server("-r", "2")
    b, c = srv.join("b"), srv.join("c")
    a = ctx.peer()
    for tag in ("start", "refilled"):
        lines = ["%s %02d" % (tag, i) for i in range(9)]
        if tag == "start":
            a.send("a", *lines)               # one datagram: join, then 9 lines
            a.expect(online("+OK welcome a (idle timeout 600s), ", ["a", "b", "c"]))
        else:
            time.sleep(5.5)                  # > 4 s: a bucket of 11 would hold 9 now
            a.send(*lines)                   # one datagram: one instant
            # a's second datagram confirms its address: the room hears of
            # the join now, before its lines
            b.expect("a joined the room")
        for i in range(8):
            b.expect("a: %s %02d" % (tag, i))
        a.expect("-ERR slow down (2 lines/s)")
        c.send("control %s" % tag)
        b.expect("c: control %s" % tag)      # not "a: TAG 08" first
        a.expect("c: control %s" % tag)
    st = srv.stats()
    assert st["rate_limited"] == 2, st
    srv.stop()
