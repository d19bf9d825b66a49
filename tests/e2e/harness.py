"""harness.py: start the real udpchat binaries on loopback and talk to them.

Used by tests/e2e/run.py and every tests/e2e/test_*.py. Python 3 stdlib only.

A test is a module-level function ``def test_x(ctx)``; run.py gives it a fresh
``Ctx`` and calls ``ctx.cleanup()`` afterwards, pass or fail (servers, netcat
and client processes the test started are stopped by PID, sockets closed,
the temp dir removed).

Decorators (import them from harness):
    @basic          part of the small subset run.py --basic runs (board / qemu)
    @needs_pollerr  skipped under UDPCHAT_WRAP: qemu-user loses POLLERR
    @long_run       skipped under UDPCHAT_WRAP and with run.py --no-long (why: its doc)
    @timeout(secs)  per-test time bound (default DEFAULT_TEST_TIMEOUT)

Environment:
    UDPCHAT_WRAP           command prefix put before every binary of BINDIR,
                           e.g. "qemu-aarch64-static" (split like a shell would)
    UDPCHAT_TIMEOUT_SCALE  multiplies every wait (default 1; e.g. 4 under qemu)

Ctx (what a test gets):
    ctx.bindir                   absolute path of the binaries (build/host, ...)
    ctx.tmp                      a private temp dir, removed at cleanup
    ctx.cmd(prog, *args)         argv list for prog (udpchatd|udpchat|udpchatctl)
                                 with UDPCHAT_WRAP in front
    ctx.run(prog, *args, timeout=5, input=None) -> subprocess.CompletedProcess
                                 (text mode, stdout/stderr captured)
    ctx.server(*flags, stdin='pipe'|'devnull', ctl=True, port=None, wait=True,
               bindir=None, env=None)
                                 -> Server, started and answering (a free
                                 loopback port is picked; -p and -c are added;
                                 env: extra environment variables;
                                 ctl: True (a path in ctx.tmp), False (no -c,
                                 the default path!) or a path)
    ctx.note(text)               printed as "# text" under the result
    ctx.peer(family=4|6) -> Peer   a UDP socket on 127.0.0.1:0 / [::1]:0
    ctx.nc(port, host='127.0.0.1', args=()) -> Nc   a real `nc -u` subprocess
    ctx.ipv6_ok() -> bool        whether ::1 can be used on this host
    ctx.scale(t) -> float        t times UDPCHAT_TIMEOUT_SCALE
    ctx.skip(reason)             ends the test as "ok NAME # SKIP reason"
    ctx.popen(argv, **kw)        any other process; killed by PID at cleanup
Module helpers: ctl_request(path, req, uid=None) one raw control-socket
    request (as another uid from a forked child); online(prefix, names) matches "PREFIX N online: NAMES" in any
    order; free_udp_port(); proc_children(pid); proc_state(pid); scale(t);
    LineBuffer (base of Peer and Nc: subclass it and define _fill(wait) to
    get expect/expect_none/lines for another line source); SockLines (a
    LineBuffer over a stream socket: bridges, IRC); SANITIZER_MARKS.

Server:
    .proc .pid .port .ctl_path .stderr_text()
    .addr                        ('127.0.0.1', port), or ('::1', port) with -b IPV6
    .admin(line)                 write one line on the server's stdin
    .close_stdin()
    .join(name, family=4, drain_others=True) -> Peer (joined; the join reply
                                 is in peer.welcome; others' "NAME joined the
                                 room" lines are consumed when drain_others)
    .members                     the Peers joined through .join, in order
    .ctl(*args, timeout=5)       run udpchatctl -c ctl_path ARGS
                                 -> CompletedProcess
    .stats() -> dict             `udpchatctl stats` as {key: int}
    .children() -> [(pid, state)]  child processes (from /proc)
    .alive() -> bool
    .stop(sig=SIGTERM, expect_rc=0, told=())   assert no zombie children,
                                 signal, wait, assert the exit status and no
                                 sanitizer report; each Peer in told must then
                                 get the shutdown notice as its next line on stderr
    .kill()                      SIGKILL, no checks (cleanup does this)
    .wait_ready()                poll with /help until it answers
Peer:
    .sock .addr .port .welcome (join reply) .welcome_more ("+OK more:" lines)
    .online (names listed at join)
    .join(name, confirm=True)    send NAME, expect the welcome; returns it;
                                 confirm: then an empty line (the second
                                 datagram: the room hears of the join), and
                                 /who if the welcome's list was cut
    .read_name_list(first) -> (names, more_lines)  after a "N online:" line,
                                 reads the "+OK more:" lines until N names
    .send(*lines)                one datagram: lines joined with "\n" plus "\n"
                                 (str or bytes; bytes are sent as they are)
    .sendraw(data)               one datagram, exactly these bytes
    .expect(pat, timeout=2)      the NEXT line must match; pat is an exact str,
                                 a compiled regex (fullmatch) or a callable;
                                 returns the line. skip=True skips (and keeps
                                 in .skipped) lines that do not match.
    .expect_prefix(prefix)       next line must start with prefix
    .before(pat, timeout=2) -> [lines]   waits for a line matching pat and
                                 returns the lines that came before it
    .sync(token) -> [lines]      (Peer, a member) /ping TOKEN; the lines
                                 before "+OK pong TOKEN": what arrived, without
                                 a timed snapshot
    .expect_none(timeout=0.3, final=False)   no line arrives in that time; the
                                 test fails unless an expect() on the same
                                 Peer/Nc/process follows (final=True: nothing
                                 can come any more, e.g. after the server stopped)
    .lines(timeout=0.3)          all lines that arrive within timeout
    .drain(timeout=0.05)         discard what is buffered / arriving soon
    .datagrams                   every raw datagram received (bytes)
  Every datagram from the server must end in "\n" (protocol: lines are never
  split); a Peer raises AssertionError on one that does not.
Nc:
    .proc .pid .send(text) .expect(...) .expect_none(...) .kill9() .close()
    (lines read from nc's stdout by a thread)

Only 127.0.0.1 and ::1 are ever sent to. Only processes started here are
signalled, always by PID.
"""

import json
import os
import random
import re
import select
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

DEFAULT_TEST_TIMEOUT = 60
SCALE = float(os.environ.get("UDPCHAT_TIMEOUT_SCALE", "1") or 1)
WRAP = shlex.split(os.environ.get("UDPCHAT_WRAP", ""))

SANITIZER_MARKS = ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer",
                   "runtime error:", "SUMMARY: UndefinedBehaviorSanitizer")


class Skip(Exception):
    """Raised by ctx.skip(reason): run.py prints "ok NAME # SKIP reason"."""


def basic(fn):
    """Marks a test as part of the basic subset (run.py --basic)."""
    fn.basic = True
    return fn


def needs_pollerr(fn):
    """Marks a test that needs poll(2) to report POLLERR when an ICMP error
    waits on a socket (the server's "unreachable" removal). qemu-user drops
    that bit (its poll returns the fd with revents 0), so run.py skips such
    tests when UDPCHAT_WRAP runs the binaries under an emulator."""
    fn.needs_pollerr = True
    return fn


def long_run(fn):
    """Marks a long statistical run: test_loss's minutes of a server and
    three clients through random loss. It runs once, on the host build:
    under qemu (UDPCHAT_WRAP: 4x the waits) and on the sanitizer build
    (make test passes --no-long) it would add minutes and tell nothing
    that the rest of the suite does not (the same C on every CPU; the
    client's recovery paths are driven one by one by test_client_v11.py
    on every build). run.py skips it there."""
    fn.long_run = True
    return fn


def namespaces_or_skip(ctx, why, tools, probe, what, stdin=None):
    """Skips the test unless it runs as root (why: what root is for) and the
    command probe (an argv, e.g. unshare with what run_inside will need)
    succeeds (else "WHAT does not work here: its stderr"); fails when one of
    tools is not installed (make test-deps installs them)."""
    if os.geteuid() != 0:
        ctx.skip("needs root (%s)" % why)
    for tool in tools:
        assert shutil.which(tool), "%s not installed (make test-deps)" % tool
    p = subprocess.run(probe, input=stdin, capture_output=True, text=True, timeout=10)
    if p.returncode != 0:
        ctx.skip("%s does not work here: %s" % (what, p.stderr.strip()[-300:]))


def run_inside(ctx, script, unshare, spec, limit):
    """Runs `python3 script --inside SPEC.json` under `unshare` (its flags,
    e.g. ["--net"]) with spec (a dict) written for it, bounded by limit
    seconds (scaled); returns the JSON object it prints. Fails on a
    timeout, a non-zero exit or a problem it reports (res["problems"],
    each also noted). The caller checks first that it can run at all
    (namespaces_or_skip). spec gets the programs' argvs (client, server,
    ctl), tmp (ctx.tmp) and scale (ctx.scale(1)) added."""
    spec = dict(spec, client=ctx.cmd("udpchat"), server=ctx.cmd("udpchatd"),
                ctl=ctx.cmd("udpchatctl"), tmp=ctx.tmp, scale=ctx.scale(1))
    path = os.path.join(ctx.tmp, "spec.json")
    with open(path, "w") as f:
        json.dump(spec, f)
    p = ctx.popen(["unshare"] + unshare + [sys.executable, os.path.abspath(script),
                                           "--inside", path],
                  stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        out, err = p.communicate(timeout=ctx.scale(limit))
    except subprocess.TimeoutExpired:
        p.kill()
        out, err = p.communicate()
        raise AssertionError("inside run took over %ds; stderr: %s"
                             % (limit, err.decode("utf-8", "replace")[-2000:]))
    err = err.decode("utf-8", "replace")
    assert p.returncode == 0, "inside run exited %d: %s" % (p.returncode, err[-3000:])
    res = json.loads(out)
    for problem in res["problems"]:
        ctx.note(problem)
    assert not res["problems"], "inside run: %s" % res["problems"]
    return res


def timeout(secs):
    """Sets the per-test time bound of a test, in seconds."""
    def deco(fn):
        fn.timeout = secs
        return fn
    return deco


def scale(t):
    return t * SCALE


def _port_range():
    """Ports a test server may take: below the kernel's ephemeral range, so
    that no socket bound to port 0 (a peer, a client, nc) is ever handed the
    port between the check here and the server's bind."""
    try:
        lo = int(open("/proc/sys/net/ipv4/ip_local_port_range").read().split()[0])
    except (OSError, ValueError, IndexError):
        lo = 32768
    return (10000, lo - 1) if lo > 12000 else (lo + 30000, 65535)


def free_udp_port():
    """A UDP port free now on every IPv4 address (the server binds them all,
    and a test may hold ports on 127.0.0.x) and on ::1, outside the ephemeral
    range (still racy against another test picking the same one: Server
    retries with another port when its bind fails)."""
    lo, hi = _port_range()
    for _ in range(200):
        port = random.randint(lo, hi)
        s4 = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        try:
            s4.bind(("0.0.0.0", port))   # bound only to test the port; nothing is sent
        except OSError:
            continue
        finally:
            s4.close()
        try:
            s6 = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
        except OSError:
            return port
        try:
            s6.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
            s6.bind(("::", port))
            return port
        except OSError as e:
            if e.errno == 99:  # EADDRNOTAVAIL: no IPv6 at all
                return port
        finally:
            s6.close()
    raise RuntimeError("no free UDP port found")


def _ctl_exchange(path, req, timeout):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(timeout)
    try:
        s.connect(path)
        try:
            s.sendall(req)
        except (BrokenPipeError, ConnectionResetError):
            pass                    # refused at once: the reply is there to read
        data = b""
        while True:
            try:
                chunk = s.recv(4096)
            except ConnectionResetError:
                return data         # closed with our request unread: that was all
            if not chunk:
                return data
            data += chunk
    finally:
        s.close()


def ctl_request(path, req, uid=None, timeout=5.0):
    """One request on the control socket at path in its wire format (req:
    bytes, one line; then the server's reply lines until it closes). With
    uid, from a forked child that drops to that uid (and gid) first. Returns
    the reply as bytes, or b"EACCES" when the file itself may not be opened;
    raises OSError when nobody answers (run as root only: a child as uid)."""
    timeout = scale(timeout)
    if uid is None:
        return _ctl_exchange(path, req, timeout)
    rfd, wfd = os.pipe()
    pid = os.fork()
    if pid == 0:                    # the child: never returns into the runner
        out = b"child failed"
        try:
            os.close(rfd)
            os.setgroups([])
            os.setgid(uid)
            os.setuid(uid)
            out = _ctl_exchange(path, req, timeout)
        except PermissionError:
            out = b"EACCES"
        except BaseException as e:  # noqa: B902 - reported through the pipe
            out = ("child failed: %r" % e).encode()
        finally:
            os.write(wfd, out)
            os._exit(0)
    os.close(wfd)
    with os.fdopen(rfd, "rb") as f:
        out = f.read()
    os.waitpid(pid, 0)
    return out


def online(prefix, names):
    """A matcher for "PREFIX N online: A B ..." with the names in any order."""
    want = sorted(names)
    head = "%s%d online: " % (prefix, len(want))

    def m(line):
        return line.startswith(head) and sorted(line[len(head):].split(" ")) == want
    m.__name__ = "%r + %s in any order" % (head, " ".join(want))
    return m


def _match(pat, line):
    if isinstance(pat, str):
        return line == pat
    if hasattr(pat, "fullmatch"):
        return pat.fullmatch(line) is not None
    return bool(pat(line))


def _desc(pat):
    if isinstance(pat, str):
        return repr(pat)
    if hasattr(pat, "pattern"):
        return "/%s/" % pat.pattern
    return getattr(pat, "__name__", repr(pat))


# Every LineBuffer made during the running test (run.py empties it before
# each test and calls unproven_negatives() after it).
LINE_BUFFERS = []


def unproven_negatives():
    """The negative checks of the test that just ran that no positive line on
    the same channel followed: ["who: expect_none at FILE:LINE", ...]."""
    out = []
    for b in LINE_BUFFERS:
        out += ["%s: expect_none at %s has no expect() on the same channel after it"
                % (b.who, where) for where in b.owed]
    return out


class LineBuffer:
    """Lines waiting to be expected, shared by Peer and Nc.

    A negative check (expect_none) proves nothing if the channel is dead: it
    must be followed by a positive one (a successful expect) on the same
    channel, which also shows that what was not to come did not come before
    it. run.py fails a test that leaves an expect_none without one, unless
    it was called with final=True (nothing can come any more: the server has
    stopped, the peer was removed; the positive line is the one before)."""

    def __init__(self, who):
        self.who = who
        self.pending = []       # decoded lines not yet consumed
        self.history = []       # every line ever received
        self.skipped = []
        self.owed = []          # expect_none calls not yet followed by an expect
        LINE_BUFFERS.append(self)

    def _fill(self, wait):      # subclass: wait up to `wait` s for more lines
        raise NotImplementedError

    def expect(self, pat, timeout=2.0, skip=False):
        deadline = time.monotonic() + scale(timeout)
        while True:
            while self.pending:
                line = self.pending.pop(0)
                if _match(pat, line):
                    self.owed = []
                    return line
                if not skip:
                    raise AssertionError("%s: expected %s, got %r (then pending %r)"
                                         % (self.who, _desc(pat), line, self.pending[:5]))
                self.skipped.append(line)
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError("%s: expected %s, nothing within %.1fs%s"
                                     % (self.who, _desc(pat), scale(timeout),
                                        (" (skipped %r)" % self.skipped[-5:]) if skip else ""))
            self._fill(left)

    def before(self, pat, timeout=2.0):
        """Waits for a line matching pat (consumed) and returns the lines that
        came before it: with a request whose answer comes after everything
        already on its way (sync), "what arrived" without a snapshot."""
        n = len(self.skipped)
        self.expect(pat, timeout, skip=True)
        return self.skipped[n:]

    def expect_prefix(self, prefix, timeout=2.0, skip=False):
        def starts(line):
            return line.startswith(prefix)
        starts.__name__ = "line starting with %r" % prefix
        return self.expect(starts, timeout, skip)

    def expect_none(self, timeout=0.3, final=False):
        deadline = time.monotonic() + scale(timeout)
        while not self.pending:
            left = deadline - time.monotonic()
            if left <= 0:
                if not final:
                    f = sys._getframe(1)
                    self.owed.append("%s:%d" % (os.path.basename(f.f_code.co_filename),
                                                f.f_lineno))
                return
            self._fill(left)
        raise AssertionError("%s: expected nothing, got %r" % (self.who, self.pending[:5]))

    def lines(self, timeout=0.3):
        deadline = time.monotonic() + scale(timeout)
        while True:
            self._fill(max(0.0, deadline - time.monotonic()))
            if time.monotonic() >= deadline:
                break
        out, self.pending = self.pending, []
        return out

    def drain(self, timeout=0.05):
        return self.lines(timeout)


class SockLines(LineBuffer):
    """A LineBuffer over a stream socket (a bridge's control connection, an
    IRC connection): lines split at sep, decoded with surrogateescape.
    on_line(line) -> True keeps a line out of the buffer (it was answered on
    the way, e.g. an IRC PING). End of file or a reset sets .eof."""

    def __init__(self, sock, who, sep=b"\n", on_line=None):
        self.sock = sock
        self.sep = sep
        self.on_line = on_line
        self.buf = b""
        self.eof = False
        super().__init__(who)

    def _fill(self, wait):
        if self.eof:
            time.sleep(max(0.0, min(wait, 0.05)))
            return
        # select, then recv: on a socket with a timeout (create_connection's)
        # Python's recv waits that long where MSG_DONTWAIT would fail at once
        while select.select([self.sock], [], [], max(0.0, wait))[0]:
            wait = 0
            try:
                data = self.sock.recv(1 << 16)
            except OSError:
                data = b""
            if not data:
                self.eof = True
                return
            self.buf += data
            *lines, self.buf = self.buf.split(self.sep)
            for raw in lines:
                line = raw.decode("utf-8", "surrogateescape")
                if self.on_line and self.on_line(line):
                    continue
                self.pending.append(line)
                self.history.append(line)

    def expect_eof(self, timeout=3.0):
        deadline = time.monotonic() + scale(timeout)
        while not self.eof and time.monotonic() < deadline:
            self._fill(deadline - time.monotonic())
        assert self.eof, "%s: no end of file within %.1fs" % (self.who, scale(timeout))


class Peer(LineBuffer):
    """A UDP chat participant on loopback, talking to one server."""

    def __init__(self, server_addr, family=4, name=None):
        fam = socket.AF_INET if family == 4 else socket.AF_INET6
        host = "127.0.0.1" if family == 4 else "::1"
        self.sock = socket.socket(fam, socket.SOCK_DGRAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
        self.sock.bind((host, 0))
        self.addr = self.sock.getsockname()
        self.port = self.addr[1]
        self.server = (host, server_addr[1])
        self.name = name
        self.welcome = None
        self.datagrams = []
        super().__init__("peer %s:%d%s" % (host, self.port, " (%s)" % name if name else ""))

    def fileno(self):
        return self.sock.fileno()

    def sendraw(self, data):
        if isinstance(data, str):
            data = data.encode()
        self.sock.sendto(data, self.server)

    def send(self, *lines):
        parts = [l.encode() if isinstance(l, str) else l for l in lines]
        self.sendraw(b"\n".join(parts) + b"\n")

    def feed(self, data):
        """Takes one received datagram (also used by tests doing their own select)."""
        self.datagrams.append(data)
        if not data.endswith(b"\n"):
            raise AssertionError("%s: datagram not ending in \\n: %r" % (self.who, data[-80:]))
        for raw in data[:-1].split(b"\n"):
            line = raw.decode("utf-8", "surrogateescape")
            self.pending.append(line)
            self.history.append(line)

    def _fill(self, wait):
        r, _, _ = select.select([self.sock], [], [], max(0.0, wait))
        if not r:
            return
        while True:
            try:
                data, src = self.sock.recvfrom(65536, socket.MSG_DONTWAIT)
            except BlockingIOError:
                return
            if src[1] != self.server[1]:
                continue
            self.feed(data)

    def sync(self, token="sync", timeout=2.0):
        """Sends "/ping TOKEN" (a member's) and returns every line that came
        before "+OK pong TOKEN": all the server sent this peer before it read
        the ping, i.e. everything caused by datagrams that reached it first."""
        self.send("/ping " + token)
        return self.before("+OK pong " + token, timeout)

    def join(self, name, timeout=2.0, confirm=True):
        """Sends NAME, expects the welcome (and any '+OK more:' lines after it).
        confirm: then sends an empty line, the second datagram that confirms
        the address (the room hears of the join; the 3x bound ends); if the
        welcome's list was cut ("[N more: /who]"), .online is then read from
        /who."""
        self.name = name
        self.who = "peer %s:%d (%s)" % (self.addr[0], self.port, name)
        self.send(name)
        self.welcome = self.expect_prefix("+OK welcome %s " % name, timeout)
        self.online, self.welcome_more = self.read_name_list(self.welcome, timeout)
        if confirm:
            self.send("")
            if self.welcome.endswith(" more: /who]"):
                self.send("/who")
                self.online, _ = self.read_name_list(
                    self.expect_prefix("+OK %d online: " % len(self.online), timeout), timeout)
        return self.welcome

    def read_name_list(self, first, timeout=2.0):
        """After a join reply or /who line "... N online: A B ...", consumes the
        "+OK more: ..." lines until N names are seen; returns (names, more_lines).
        A line cut short for an unconfirmed address ("... [K more: /who]")
        ends the list: then N names are returned, the unlisted as None."""
        m = re.search(r"(\d+) online: ?(.*)$", first)
        if not m:
            raise AssertionError("%s: no 'N online:' in %r" % (self.who, first))
        total, names = int(m.group(1)), m.group(2).split()
        cut = re.fullmatch(r"(.*?) ?\[(\d+) more: /who\]", m.group(2))
        if cut:
            names = cut.group(1).split()
            if len(names) + int(cut.group(2)) != total:
                raise AssertionError("%s: %r does not add up" % (self.who, first))
            return names + [None] * int(cut.group(2)), []
        more = []
        while len(names) < total:
            l = self.expect_prefix("+OK more: ", timeout)
            more.append(l)
            names += l[len("+OK more: "):].split()
        if len(names) != total:
            raise AssertionError("%s: %d names listed, %d announced" % (self.who, len(names), total))
        return names, more

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass


def _kill_wait(proc):
    """SIGKILL a process we started (by its PID) if it still runs; reap it."""
    if proc.poll() is None:
        try:
            os.kill(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        try:
            proc.wait(scale(5))
        except subprocess.TimeoutExpired:
            pass


class ProcLines(LineBuffer):
    """A subprocess with pipes; a thread cuts its stdout into lines for expect()."""

    def _start(self, proc, who):
        self.proc = proc
        self.pid = proc.pid
        self.who = "%s[%d]" % (who, self.pid)
        self._cv = threading.Condition()
        self._raw = []
        self.eof = False
        self._t = threading.Thread(target=self._reader, daemon=True)
        self._t.start()

    def _reader(self):
        buf = b""
        fd = self.proc.stdout.fileno()
        while True:
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                chunk = b""
            with self._cv:
                if not chunk:
                    self.eof = True
                    self._cv.notify_all()
                    return
                buf += chunk
                *done, buf = buf.split(b"\n")
                self._raw.extend(done)
                self._cv.notify_all()

    def _fill(self, wait):
        with self._cv:
            if not self._raw and not self.eof:
                self._cv.wait(wait)
            got, self._raw = self._raw, []
            if not got and self.eof:
                time.sleep(min(wait, 0.05))
        for raw in got:
            line = raw.decode("utf-8", "surrogateescape")
            self.pending.append(line)
            self.history.append(line)

    def send(self, text):
        """Writes text to the process's stdin (nc sends each read as a datagram)."""
        if isinstance(text, str):
            text = text.encode()
        self.proc.stdin.write(text)
        self.proc.stdin.flush()


class Nc(ProcLines):
    """A real `nc -u` subprocess (netcat-openbsd); its stdout is read by a thread."""

    def __init__(self, ctx, port, host="127.0.0.1", args=(), stdin_data=None):
        super().__init__("nc")
        argv = ["nc", "-u"] + list(args) + [host, str(port)]
        self._start(subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, start_new_session=True), "nc")
        if stdin_data is not None:
            self.send(stdin_data)

    def local_port(self):
        """nc's UDP source port (from /proc/net/udp{,6}, by its socket inode)."""
        inodes = set()
        fddir = "/proc/%d/fd" % self.pid
        for fd in os.listdir(fddir):
            try:
                t = os.readlink(os.path.join(fddir, fd))
            except OSError:
                continue
            m = re.match(r"socket:\[(\d+)\]", t)
            if m:
                inodes.add(m.group(1))
        for f in ("/proc/net/udp", "/proc/net/udp6"):
            try:
                rows = open(f).read().splitlines()[1:]
            except OSError:
                continue
            for row in rows:
                cols = row.split()
                if cols[9] in inodes:
                    return int(cols[1].split(":")[1], 16)
        return None

    def kill9(self):
        if self.proc.poll() is None:
            os.kill(self.pid, signal.SIGKILL)
        self.proc.wait(scale(5))

    def close(self):
        _kill_wait(self.proc)
        for f in (self.proc.stdin, self.proc.stdout, self.proc.stderr):
            try:
                f.close()
            except (OSError, ValueError):
                pass


def proc_children(pid):
    """[(child_pid, state)] of the processes whose parent is pid (from /proc)."""
    out = []
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            st = open("/proc/%s/stat" % d).read()
        except OSError:
            continue
        rest = st[st.rfind(")") + 2:].split()
        if int(rest[1]) == pid:
            out.append((int(d), rest[0]))
    return out


def proc_state(pid):
    """"PID STATE wchan=... sigcgt=..." for a diagnostic (from /proc)."""
    out = [str(pid)]
    try:
        st = open("/proc/%d/stat" % pid).read()
        out.append(st[st.rfind(")") + 2:].split()[0])
        out.append("wchan=" + open("/proc/%d/wchan" % pid).read())
        for l in open("/proc/%d/status" % pid):
            if l.startswith(("SigCgt", "SigBlk", "SigPnd", "ShdPnd")):
                out.append(l.split()[0].lower() + l.split()[1])
    except OSError:
        out.append("gone")
    return " ".join(out)


class PortTaken(AssertionError):
    """The server could not bind the port picked for it."""


class Server:
    """A running udpchatd, started by Ctx.server()."""

    def __init__(self, ctx, flags, stdin="pipe", ctl=True, port=None, wait=True,
                 bindir=None, env=None):
        self.ctx = ctx
        self.port = port or free_udp_port()
        bind = flags[flags.index("-b") + 1] if "-b" in flags[:-1] else ""
        self.addr = ("::1" if ":" in bind else "127.0.0.1", self.port)
        if isinstance(ctl, str):
            self.ctl_path = ctl
        else:
            self.ctl_path = os.path.join(ctx.tmp, "ctl%d.sock" % len(ctx.servers)) if ctl else None
        argv = ctx.cmd("udpchatd", "-p", str(self.port), bindir=bindir)
        if self.ctl_path:
            argv += ["-c", self.ctl_path]
        argv += list(flags)
        self.argv = argv
        self.members = []
        self.lang = flags[flags.index("-L") + 1] if "-L" in flags else "en"
        self._errpath = os.path.join(ctx.tmp, "server%d.stderr" % len(ctx.servers))
        self._err = open(self._errpath, "wb")
        stdin_f = subprocess.PIPE if stdin == "pipe" else subprocess.DEVNULL
        penv = None
        if env:
            penv = dict(os.environ)
            penv.update(env)
        self.proc = subprocess.Popen(argv, stdin=stdin_f, stdout=self._err, stderr=self._err,
                                     start_new_session=True, env=penv)
        self.pid = self.proc.pid
        self.stopped = False
        self._probes = []  # wait_ready's sockets, closed by close_probes()
        ctx.servers.append(self)
        if wait:
            self.wait_ready()

    def wait_ready(self, timeout=5.0):
        """Polls with /help from a socket of its own until the server answers.
        The socket stays open until the server is gone: under qemu the server
        answers the probes it queued long after the first reply, and a closed
        probe port could be handed to a test's next member, which would read
        those answers instead of its welcome."""
        deadline = time.monotonic() + scale(timeout)
        v6 = ":" in self.addr[0]
        s = socket.socket(socket.AF_INET6 if v6 else socket.AF_INET, socket.SOCK_DGRAM)
        self._probes.append(s)
        s.bind((self.addr[0], 0))
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                err = self.stderr_text()
                raise (PortTaken if "Address in use" in err else AssertionError)(
                    "server exited with %s at start-up: %s" % (self.proc.returncode, err[-500:]))
            s.sendto(b"/help\n", self.addr)
            r, _, _ = select.select([s], [], [], scale(0.01))
            if r:
                try:
                    data = s.recv(4096)
                except OSError:
                    continue
                if data.startswith(b"+OK"):
                    break
        else:
            raise AssertionError("server did not answer /help within %.1fs; stderr: %s"
                                 % (scale(timeout), self.stderr_text()[-500:]))
        if self.ctl_path:
            while not os.path.exists(self.ctl_path):
                if time.monotonic() > deadline:
                    raise AssertionError("control socket %s not created" % self.ctl_path)
                time.sleep(0.01)

    def stderr_text(self):
        try:
            with open(self._errpath, "rb") as f:
                return f.read().decode("utf-8", "replace")
        except OSError:
            return ""

    def admin(self, line):
        if isinstance(line, str):
            line = line.encode()
        self.proc.stdin.write(line + b"\n")
        self.proc.stdin.flush()

    def close_stdin(self):
        if self.proc.stdin:
            self.proc.stdin.close()

    def join(self, name, family=4, drain_others=True):
        p = self.ctx.peer(family, server=self)
        others = list(self.members)
        p.join(name)
        if drain_others:
            notice = ("%s进入了聊天室" if self.lang == "zh" else "%s joined the room") % name
            for o in others:
                o.expect(notice)
        self.members.append(p)
        return p

    def ctl(self, *args, timeout=5):
        return self.ctx.run("udpchatctl", "-c", self.ctl_path, *args, timeout=timeout)

    def stats(self):
        r = self.ctl("stats")
        assert r.returncode == 0, "udpchatctl stats: rc %d %r" % (r.returncode, r.stderr)
        lines = r.stdout.splitlines()
        assert lines and lines[-1].startswith("+OK"), "stats: %r" % r.stdout
        out = {}
        for l in lines[:-1]:
            k, v = l.split(" ", 1)
            out[k] = int(v)
        return out

    def children(self):
        return proc_children(self.pid)

    def alive(self):
        return self.proc.poll() is None

    def sanitizer_report(self):
        t = self.stderr_text()
        return any(m in t for m in SANITIZER_MARKS)

    def close_probes(self):
        for s in self._probes:
            s.close()
        self._probes = []

    def stop(self, sig=signal.SIGTERM, expect_rc=0, timeout=5.0, told=()):
        """Signals the server, waits for it; asserts its status and no sanitizer
        report; then each Peer in told must get the shutdown notice as its
        next line (the positive line after a test's last negative check)."""
        if self.stopped:
            return self.proc.returncode
        self.stopped = True
        zombies = []
        if self.proc.poll() is None:
            # no zombie children while it runs (a just-exited child gets 0.5 s to be reaped)
            deadline = time.monotonic() + scale(0.5)
            while True:
                zombies = [k for k in self.children() if k[1] == "Z"]
                if not zombies or time.monotonic() > deadline:
                    break
                time.sleep(0.02)
            os.kill(self.pid, sig)
        try:
            rc = self.proc.wait(scale(timeout))
        except subprocess.TimeoutExpired:
            state = proc_state(self.pid)
            for kid, _ in self.children():
                state += "; child " + proc_state(kid)
            os.kill(self.pid, signal.SIGKILL)
            self.proc.wait(scale(5))
            raise AssertionError("server did not exit within %.1fs of signal %d (%s)"
                                 % (scale(timeout), sig, state))
        finally:
            if self.proc.stdin:
                try:
                    self.proc.stdin.close()
                except OSError:
                    pass
            self._err.close()
        assert not self.sanitizer_report(), "sanitizer report:\n" + self.stderr_text()[-3000:]
        assert not zombies, "zombie children of the server before the stop: %r" % zombies
        if expect_rc is not None:
            assert rc == expect_rc, "server exit status %r, expected %r; stderr: %s" % (
                rc, expect_rc, self.stderr_text()[-500:])
        for p in told:
            p.expect("管理员:服务器即将关闭" if self.lang == "zh" else "[admin] server is going down")
        return rc

    def kill(self):
        """SIGKILL by PID (cleanup). Closing stdin lets the orphaned admin child
        see EOF and end; waits (up to 2 s) until it has, so that nothing of
        this server (e.g. an inherited control socket) outlives kill()."""
        kids = [k for k, st in self.children() if st != "Z"] if self.proc.poll() is None else []
        if self.proc.stdin:
            try:
                self.proc.stdin.close()
            except OSError:
                pass
        _kill_wait(self.proc)
        deadline = time.monotonic() + scale(2)
        for k in kids:
            while time.monotonic() < deadline:
                try:
                    st = open("/proc/%d/stat" % k).read()
                except OSError:
                    break
                if st[st.rfind(")") + 2] in "ZX":
                    break
                time.sleep(0.01)
        self.stopped = True
        try:
            self._err.close()
        except OSError:
            pass


class Ctx:
    """Per-test context: binaries, temp dir, and everything the test started."""

    def __init__(self, bindir):
        self.bindir = os.path.abspath(bindir)
        self.tmp = tempfile.mkdtemp(prefix="udpchat-e2e.")
        self.servers = []
        self.peers = []
        self.ncs = []
        self.procs = []
        self.notes = []
        self.wrap = list(WRAP)

    @staticmethod
    def scale(t):
        return scale(t)

    @staticmethod
    def skip(reason):
        raise Skip(reason)

    def cmd(self, prog, *args, bindir=None):
        return self.wrap + [os.path.join(bindir or self.bindir, prog)] + [str(a) for a in args]

    def run(self, prog, *args, timeout=5, input=None):
        return subprocess.run(self.cmd(prog, *args), input=input, capture_output=True,
                              text=True, timeout=scale(timeout))

    def popen(self, argv, **kw):
        """Starts any process the test needs; it is killed by PID at cleanup."""
        kw.setdefault("start_new_session", True)
        p = subprocess.Popen(argv, **kw)
        self.procs.append(p)
        return p

    def server(self, *flags, stdin="pipe", ctl=True, port=None, wait=True, bindir=None, env=None):
        flags = [str(f) for f in flags]
        for attempt in range(5):
            try:
                return Server(self, flags, stdin=stdin, ctl=ctl, port=port, wait=wait,
                              bindir=bindir, env=env)
            except PortTaken:
                # another test's server took the port we picked: pick again,
                # unless the test asked for this port
                if port is not None or attempt == 4:
                    raise
                failed = self.servers.pop()
                failed.kill()
                failed.close_probes()

    def note(self, text):
        """A line run.py prints as "# text" under the test's result."""
        self.notes.append(text)

    def peer(self, family=4, server=None):
        server = server or self.servers[-1]
        p = Peer(server.addr, family)
        self.peers.append(p)
        return p

    def nc(self, port, host="127.0.0.1", args=(), stdin_data=None):
        n = Nc(self, port, host, args, stdin_data)
        self.ncs.append(n)
        return n

    _ipv6 = None

    @classmethod
    def ipv6_ok(cls):
        if cls._ipv6 is None:
            try:
                s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
                s.bind(("::1", 0))
                s.close()
                cls._ipv6 = True
            except OSError:
                cls._ipv6 = False
        return cls._ipv6

    def diagnostics(self):
        """Tail of each server's stderr, for a failing test's report."""
        out = []
        for i, s in enumerate(self.servers):
            t = s.stderr_text().strip()
            if t:
                out.append("server %d (%s) stderr:" % (i, " ".join(s.argv[len(self.wrap):])))
                out.extend(t.splitlines()[-15:])
        return out

    def cleanup(self):
        for n in self.ncs:
            n.close()
        for p in self.procs:
            _kill_wait(p)
        for s in self.servers:
            s.kill()
            s.close_probes()
        for p in self.peers:
            p.close()
        shutil.rmtree(self.tmp, ignore_errors=True)
