#!/usr/bin/env python3
"""bench/scaleout.py: `make bench`'s part "scaleout" (bench/run.sh,
BENCH_PARTS): several boards through linked IRC servers (issue 8), on
127.0.0.1 only, every process started here stopped by its PID.

    python3 bench/scaleout.py BINDIR [SECONDS]

BINDIR holds udpchatd and udpchatirc (a build whose PROGS name it). Starts 3
ngIRCd servers (Debian's, each with a config written here: a star, irc1
waiting, irc2 and irc3 linking to it), 6 boards (udpchatd + udpchatirc -N,
two on each server, each bridge naming the other five with -P), and 20
members on each board (UDP sockets of this process). Then for SECONDS
(default 30) member 0 of each board says a line every PERIOD s (2.2 s,
boards staggered). The bridges' pacing is off (-r 0, a network that exempts
the bots), and the rate stays below ngIRCd's own flood control (3 lines a
second per client), so no line waits in a queue and the latency is the
path's: udpchatd -> bridge -> ngIRCd -> server link -> ngIRCd -> bridge ->
udpchatd -> member. Each line carries its send time
(CLOCK_MONOTONIC); every member of the other five boards should get it
(100 deliveries a line). Prints the latency (p50, p99, max) over those
deliveries, the lines lost, and the bridges' CPU time per line they handled
(a line out to IRC or in from it), from /proc/PID/schedstat (ns) and from
/proc/PID/stat's utime + stime (clock ticks: coarse at this load).
Exit 0 when the run completed, 1 when the set-up failed."""
import os
import re
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

SERVERS, BOARDS, MEMBERS = 3, 6, 20
PERIOD = 2.2
CHAN = "#bench"
NGIRCD = shutil.which("ngircd") or "/usr/sbin/ngircd"
procs = []


def free_port(kind):
    s = socket.socket(socket.AF_INET, kind)
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def start(argv, log):
    p = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                         start_new_session=True)
    procs.append(p)
    return p


def ngircd(tmp, i, ports):
    name = "irc%d.bench" % (i + 1)
    d = os.path.join(tmp, name)
    os.makedirs(d)
    conf = os.path.join(d, "ngircd.conf")
    with open(conf, "w") as f:
        f.write("[Global]\nName = %s\nInfo = bench\nListen = 127.0.0.1\nPorts = %d\n"
                "PidFile = %s/pid\nMotdPhrase = bench\nConnectRetry = 5\n"
                "[Options]\nPAM = no\nIdent = no\nDNS = no\n" % (name, ports[i], d))
        peers = range(1, SERVERS) if i == 0 else [0]
        for j in peers:
            f.write("[Server]\nName = irc%d.bench\nHost = 127.0.0.1\nMyPassword = pw\n"
                    "PeerPassword = pw\n%s" % (j + 1, "" if i == 0 else "Port = %d\n" % ports[j]))
    return start([NGIRCD, "-n", "-f", conf], open(os.path.join(d, "log"), "wb"))


class Irc:
    """A raw IRC client: lines in, PINGs answered."""

    def __init__(self, port, nick):
        self.sock = socket.create_connection(("127.0.0.1", port), 5)
        self.buf = b""
        self.send("NICK %s" % nick, "USER %s 0 * :%s" % (nick, nick))

    def send(self, *lines):
        self.sock.sendall(b"".join(l.encode() + b"\r\n" for l in lines))

    def lines(self, wait):
        r, _, _ = select.select([self.sock], [], [], wait)
        if not r:
            return []
        data = self.sock.recv(65536)
        if not data:
            raise RuntimeError("IRC connection closed")
        self.buf += data
        *got, self.buf = self.buf.split(b"\r\n")
        out = []
        for raw in got:
            l = raw.decode("utf-8", "replace")
            if l.startswith("PING "):
                self.send("PONG " + l[5:])
            else:
                out.append(l)
        return out

    def until(self, pred, secs, what):
        deadline = time.monotonic() + secs
        while time.monotonic() < deadline:
            for l in self.lines(0.2):
                if pred(l):
                    return l
        raise RuntimeError("IRC: no %s within %ds" % (what, secs))


def cpu(pid):
    """(schedstat run time in ns, utime + stime in ns by clock ticks)"""
    with open("/proc/%d/schedstat" % pid) as f:
        run_ns = int(f.read().split()[0])
    with open("/proc/%d/stat" % pid) as f:
        st = f.read()
    fields = st[st.rfind(")") + 2:].split()
    ticks = int(fields[11]) + int(fields[12])
    return run_ns, ticks * 1e9 / os.sysconf("SC_CLK_TCK")


def hops(a, b):
    """Server links a line crosses from board a to board b (board i is on
    server i % SERVERS; servers 1.. link to server 0)."""
    sa, sb = a % SERVERS, b % SERVERS
    return 0 if sa == sb else 1 if 0 in (sa, sb) else 2


def pct(sorted_v, p):
    if not sorted_v:
        return float("nan")
    return sorted_v[min(len(sorted_v) - 1, int(p / 100.0 * len(sorted_v)))]


def main():
    if len(sys.argv) < 2:
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    bindir = os.path.abspath(sys.argv[1])
    secs = float(sys.argv[2]) if len(sys.argv) > 2 else 30.0
    for prog in ("udpchatd", "udpchatirc"):
        if not os.access(os.path.join(bindir, prog), os.X_OK):
            print("scaleout: no %s in %s" % (prog, bindir))
            return 1
    if not os.path.exists(NGIRCD):
        print("scaleout: no ngircd (Debian package ngircd)")
        return 1
    tmp = tempfile.mkdtemp(prefix="udpchat-scaleout.")
    # --- 3 linked ngIRCds ------------------------------------------------
    ports = [free_port(socket.SOCK_STREAM) for _ in range(SERVERS)]
    for i in range(SERVERS):
        ngircd(tmp, i, ports)
        deadline = time.monotonic() + 5
        while True:
            try:
                socket.create_connection(("127.0.0.1", ports[i]), 0.2).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
    obs = Irc(ports[0], "observer")
    obs.until(lambda l: " 001 " in l, 5, "welcome")
    deadline = time.monotonic() + 20
    while True:
        obs.send("LINKS")
        links = []
        while True:
            got = obs.lines(1.0)
            links += got
            if not got or any(" 365 " in l for l in got):
                break
        if sum(1 for l in links if " 364 " in l) >= SERVERS:
            break
        if time.monotonic() > deadline:
            raise RuntimeError("ngIRCds not linked")
        time.sleep(0.2)
    obs.send("JOIN " + CHAN)
    # --- 6 boards ----------------------------------------------------------
    nick = ["b%d" % i for i in range(BOARDS)]
    tag = ["B%d" % i for i in range(BOARDS)]
    udp = [free_port(socket.SOCK_DGRAM) for _ in range(BOARDS)]
    bridges = []
    for i in range(BOARDS):
        ctl = os.path.join(tmp, "ctl%d.sock" % i)
        start([os.path.join(bindir, "udpchatd"), "-p", str(udp[i]), "-b", "127.0.0.1",
               "-r", "0", "-t", "0", "-m", str(MEMBERS + 4), "-c", ctl],
              open(os.path.join(tmp, "udpchatd%d.log" % i), "wb"))
        deadline = time.monotonic() + 5
        while not os.path.exists(ctl):
            if time.monotonic() > deadline:
                raise RuntimeError("udpchatd %d did not start" % i)
            time.sleep(0.02)
        peers = ",".join("%s=%s" % (nick[j], tag[j]) for j in range(BOARDS) if j != i)
        bridges.append(start([os.path.join(bindir, "udpchatirc"), "-c", ctl, "-n", nick[i],
                              "-t", "irc", "-N", "-r", "0", "-P", peers,
                              "127.0.0.1:%d" % ports[i % SERVERS], CHAN],
                             open(os.path.join(tmp, "udpchatirc%d.log" % i), "wb")))
    joined = set()
    deadline = time.monotonic() + 30
    while joined < set(nick):
        if time.monotonic() > deadline:
            raise RuntimeError("bridges in the channel: %s" % sorted(joined))
        for l in obs.lines(0.2):
            m = re.match(r":(\S+?)!\S+ JOIN :?%s$" % CHAN, l)
            if m:
                joined.add(m.group(1))
            m = re.match(r":\S+ 353 \S+ \S+ %s :(.*)" % CHAN, l)
            if m:
                joined |= {n.lstrip("@+") for n in m.group(1).split()}
    # --- 20 members a board ------------------------------------------------
    socks, board_of = [], {}
    for i in range(BOARDS):
        for k in range(MEMBERS):
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            s.bind(("127.0.0.1", 0))
            s.connect(("127.0.0.1", udp[i]))
            s.send(b"/join m%02d\n" % k)
            socks.append(s)
            board_of[s] = i
    welcome = set()
    deadline = time.monotonic() + 10
    while len(welcome) < len(socks):
        if time.monotonic() > deadline:
            raise RuntimeError("%d of %d members joined" % (len(welcome), len(socks)))
        r, _, _ = select.select(socks, [], [], 0.2)
        for s in r:
            if s.recv(65536).startswith(b"+OK welcome") and s not in welcome:
                welcome.add(s)
                s.send(b"\n")
    time.sleep(1.0)
    for s in socks:  # the join events
        try:
            while s.recv(65536, socket.MSG_DONTWAIT):
                pass
        except BlockingIOError:
            pass
    # --- the run ------------------------------------------------------------
    cpu0 = [cpu(b.pid) for b in bridges]
    lat, got = [], {}
    by_hops = {0: [], 1: [], 2: []}
    sent = 0
    t0 = time.monotonic()
    nxt = [t0 + PERIOD * i / BOARDS for i in range(BOARDS)]
    pat = re.compile(rb"m00@B(\d+): lat (\d+) (\d+)$")
    end = t0 + secs
    while True:
        now = time.monotonic()
        if now >= end + 5:  # the last lines' deliveries
            break
        for i in range(BOARDS):
            if now >= nxt[i] and now < end:
                s = socks[i * MEMBERS]
                s.send(b"lat %d %d\n" % (sent, time.monotonic_ns()))
                sent += 1
                nxt[i] += PERIOD
        r, _, _ = select.select(socks, [], [], 0.02)
        t = time.monotonic_ns()
        for s in r:
            for line in s.recv(65536).split(b"\n"):
                m = pat.search(line)
                if m and int(m.group(1)) != board_of[s]:
                    lat.append((t - int(m.group(3))) / 1e6)
                    by_hops[hops(int(m.group(1)), board_of[s])].append(lat[-1])
                    got[int(m.group(2))] = got.get(int(m.group(2)), 0) + 1
    cpu1 = [cpu(b.pid) for b in bridges]
    # --- report -------------------------------------------------------------
    want = sent * (BOARDS - 1) * MEMBERS
    lat.sort()
    handled = sent  # each bridge: its board's lines out, the other boards' in
    per_run = [(cpu1[i][0] - cpu0[i][0]) / handled / 1e3 for i in range(BOARDS)]
    per_tick = [(cpu1[i][1] - cpu0[i][1]) / handled / 1e3 for i in range(BOARDS)]
    print("%d linked ngIRCds, %d boards x %d members, %d bridges (pacing off, -r 0: a line every "
          "%.1f s per board)" % (SERVERS, BOARDS, MEMBERS, BOARDS, PERIOD))
    print("lines=%d deliveries=%d expected=%d lost=%d p50_ms=%.2f p99_ms=%.2f max_ms=%.2f"
          % (sent, len(lat), want, want - len(lat), pct(lat, 50), pct(lat, 99),
             lat[-1] if lat else float("nan")))
    for h, v in sorted(by_hops.items()):
        v.sort()
        print("  across %d server links: deliveries=%d p50_ms=%.2f p99_ms=%.2f"
              % (h, len(v), pct(v, 50), pct(v, 99)))
    print("bridge_cpu_us_per_line schedstat: mean=%.1f max=%.1f; stat ticks: mean=%.1f max=%.1f "
          "(lines handled per bridge: %d)"
          % (sum(per_run) / BOARDS, max(per_run), sum(per_tick) / BOARDS, max(per_tick), handled))
    for i in range(BOARDS):
        with open(os.path.join(tmp, "udpchatirc%d.log" % i), "rb") as f:
            log = f.read().decode("utf-8", "replace")
        if "link to IRC down" in log or "not bridged" in log:
            print("bridge %d: %s" % (i, log.strip().splitlines()[-1]))
    if os.environ.get("BENCH_KEEP") != "1":
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    try:
        rc = main()
    except (RuntimeError, OSError) as e:
        print("scaleout: set-up failed: %s" % e)
        rc = 1
    finally:
        for p in procs:
            if p.poll() is None:
                os.kill(p.pid, signal.SIGTERM)
        for p in procs:
            try:
                p.wait(5)
            except subprocess.TimeoutExpired:
                os.kill(p.pid, signal.SIGKILL)
                p.wait()
    sys.exit(rc)
