#!/usr/bin/env python3
"""make soak: everything at once against one udpchatd on 127.0.0.1, for
SOAK_MINUTES (default 5), bounded, loopback only.

    python3 tests/soak/soak.py BINDIR [MINUTES]

Load, all the time: native udpchat clients that stay (and type a line now and
then), native clients started and killed with SIGKILL, UDP peers joining and
leaving, garbage datagrams (200/s), forged joins from other 127.0.0.x sources
(2/s, never heard from again: the idle timeout, IDLE seconds, removes them, so
about 40 stay in the room; a faster flood fills the room and locks real
clients out, issue 10 item 2), udpchatctl who/stats/say; and every
SERVER_EVERY seconds the server is stopped (SIGTERM) and started again on the
same port. Checks: the server never dies on its own and exits 0 when stopped;
after each restart every staying native client is back in the room (who) within
RESTART_BACK seconds; the server's RSS, open fds and member count sampled every
few seconds are flat: the largest of the last minute at most the largest of the
first minute plus a small slack, and within each server's life the largest of
its last 15 s at most the largest of its 10th to 25th second plus that slack. Prints "ok soak-NAME" / "not ok soak-NAME"
lines (tests/run.sh's contract) and the samples as "# " lines."""
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

STAYING = 4           # native clients that stay the whole run
SERVER_EVERY = 60     # seconds between restarts
RESTART_BACK = 40     # seconds for every staying client to be back
SAMPLE_EVERY = 5
IDLE = 20             # -t: forged joins and killed peers go after this
RSS_SLACK_KB = 256
FD_SLACK = 2
FORGED_OPEN = 60      # forged sources kept open (2/s for IDLE s: about 40 in the room)


def free_port():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


class Soak:
    def __init__(self, bindir, minutes):
        self.bin = os.path.abspath(bindir)
        self.secs = minutes * 60
        self.tmp = tempfile.mkdtemp(prefix="udpchat-soak.")
        self.ctl_path = os.path.join(self.tmp, "ctl.sock")
        self.port = free_port()
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.server = None
        self.failures = []
        self.samples = []     # (t, rss_kb, fds, members, server life 0, 1, ...)
        self.counts = {"restarts": 0, "killed": 0, "joins": 0, "garbage": 0,
                       "forged": 0, "ctl": 0}
        self.procs = []
        self.ghosts = []

    def fail(self, what):
        with self.lock:
            self.failures.append(what)

    # --- the server --------------------------------------------------------
    def start_server(self):
        self.server_err = open(os.path.join(self.tmp, "server.err"), "ab")
        self.server = subprocess.Popen(
            [os.path.join(self.bin, "udpchatd"), "-b", "127.0.0.1", "-p", str(self.port),
             "-c", self.ctl_path, "-t", str(IDLE)],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=self.server_err)
        deadline = time.time() + 10
        while time.time() < deadline:
            if self.ctl("stats") is not None:
                return
            time.sleep(0.1)
        self.fail("server did not answer on its control socket within 10 s")

    def stop_server(self):
        with self.lock:
            srv, self.server = self.server, None
        if srv.poll() is not None:
            self.fail("server died on its own (status %s)" % srv.returncode)
            return
        srv.send_signal(signal.SIGTERM)
        try:
            rc = srv.wait(10)
        except subprocess.TimeoutExpired:
            srv.kill()
            srv.wait()
            rc = "hung"
        if rc != 0:
            self.fail("server exited %s when stopped" % rc)

    def ctl(self, *args):
        try:
            r = subprocess.run([os.path.join(self.bin, "udpchatctl"), "-c", self.ctl_path]
                               + list(args), capture_output=True, text=True, timeout=5)
        except subprocess.TimeoutExpired:
            return None
        return r.stdout if r.returncode == 0 else None

    def members(self):
        out = self.ctl("who")
        if out is None:
            return None
        return [line.split(" ")[0] for line in out.splitlines() if not line.startswith("+OK")]

    def sample(self):
        srv = self.server
        if srv is None or srv.poll() is not None:
            return
        try:
            with open("/proc/%d/status" % srv.pid) as f:
                rss = int(next(l for l in f if l.startswith("VmRSS:")).split()[1])
            fds = len(os.listdir("/proc/%d/fd" % srv.pid))
        except (OSError, StopIteration):
            return
        out = self.ctl("stats") or ""
        members = next((int(l.split()[1]) for l in out.splitlines() if l.startswith("members ")), -1)
        self.samples.append((time.time() - self.t0, rss, fds, members, self.counts["restarts"]))

    # --- clients -----------------------------------------------------------
    def native(self, name):
        p = subprocess.Popen([os.path.join(self.bin, "udpchat"), "-n", name, "127.0.0.1",
                              str(self.port)], stdin=subprocess.PIPE,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.procs.append(p)
        return p

    def type_line(self, p, text):
        try:
            p.stdin.write(text.encode() + b"\n")
            p.stdin.flush()
        except OSError:
            pass

    def loop(self, every, fn):
        rnd = random.Random()
        while not self.stop.is_set():
            try:
                fn(rnd)
            except OSError:
                pass
            self.stop.wait(every)

    def churn(self, rnd):
        """UDP peers that join, say something and leave, or just go away."""
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind(("127.0.0.1", 0))
        name = "p%d" % rnd.randrange(1000000)
        s.sendto(("/join %s\nhello from %s\n" % (name, name)).encode(), ("127.0.0.1", self.port))
        if rnd.random() < 0.7:
            s.sendto(b"/who\n/quit\n", ("127.0.0.1", self.port))
        s.close()   # gone: ICMP port unreachable for what comes next
        self.counts["joins"] += 1

    def garbage(self, rnd):
        s = self.garbage_sock
        for _ in range(20):
            n = rnd.choice((1, 7, 100, 511, 513, 1400, 2047, 2049, 4000))
            data = bytes(rnd.randrange(256) for _ in range(min(n, 64))) * (n // 64 + 1)
            s.sendto(data[:n], ("127.0.0.1", self.port))
            self.counts["garbage"] += 1
        # a drain, so that replies do not pile up in our buffer
        s.setblocking(False)
        try:
            while s.recv(4096):
                pass
        except OSError:
            pass

    def forged(self, rnd):
        """Joins from other loopback addresses, never heard from again. The
        socket stays open, unread (a closed one would draw an ICMP error that
        removes the member at once, which a forged LAN address does not), so
        the member stays until the idle timeout; the oldest of FORGED_OPEN
        is closed."""
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        s.bind(("127.0.0.%d" % rnd.randrange(2, 250), 0))
        s.sendto(b"g%d\n" % rnd.randrange(1000000), ("127.0.0.1", self.port))
        self.ghosts.append(s)
        if len(self.ghosts) > FORGED_OPEN:
            self.ghosts.pop(0).close()
        self.counts["forged"] += 1

    def control(self, rnd):
        self.ctl(rnd.choice(("who", "stats", "say soak test", "kick nobody")))
        self.counts["ctl"] += 1

    def killer(self, rnd):
        """A native client that joins and is killed with SIGKILL."""
        p = self.native("k%d" % rnd.randrange(1000000))
        self.stop.wait(rnd.uniform(0.5, 3))
        p.kill()
        p.wait()
        self.procs.remove(p)
        self.counts["killed"] += 1

    # --- the run -------------------------------------------------------------
    def wait_back(self, names):
        deadline = time.time() + RESTART_BACK
        while time.time() < deadline:
            who = self.members() or []
            missing = [n for n in names if n not in who]
            if not missing:
                return []
            time.sleep(0.5)
        return missing

    def run(self):
        self.t0 = time.time()
        self.garbage_sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.garbage_sock.bind(("127.0.0.1", 0))
        self.start_server()
        names = ["stay%d" % i for i in range(STAYING)]
        staying = [self.native(n) for n in names]
        missing = self.wait_back(names)
        if missing:
            self.fail("staying clients never joined: %s" % " ".join(missing))
        threads = [threading.Thread(target=self.loop, args=a, daemon=True) for a in (
            (0.05, self.churn), (0.1, self.garbage), (0.5, self.forged),
            (0.5, self.control), (1.0, self.killer))]
        for t in threads:
            t.start()
        next_restart = time.time() + SERVER_EVERY
        next_sample = time.time()
        next_type = time.time()
        end = self.t0 + self.secs
        while time.time() < end and not self.failures:
            now = time.time()
            if self.server.poll() is not None:
                self.fail("server died on its own (status %s)" % self.server.returncode)
                break
            if now >= next_sample:
                self.sample()
                next_sample += SAMPLE_EVERY
            if now >= next_type:
                for i, p in enumerate(staying):
                    self.type_line(p, "line from stay%d" % i)
                next_type = now + 7
            if now >= next_restart and end - now > RESTART_BACK + 10:
                self.stop_server()
                self.start_server()
                self.counts["restarts"] += 1
                # each staying client types a line: the new server answers
                # "not in the room" and the client joins again
                for i, p in enumerate(staying):
                    self.type_line(p, "back? stay%d" % i)
                missing = self.wait_back(names)
                if missing:
                    self.fail("after restart %d not back within %d s: %s"
                              % (self.counts["restarts"], RESTART_BACK, " ".join(missing)))
                next_restart = time.time() + SERVER_EVERY
            for i, p in enumerate(staying):
                if p.poll() is not None:
                    self.fail("staying client stay%d exited (status %s)" % (i, p.returncode))
            time.sleep(0.2)
        self.stop.set()
        for t in threads:
            t.join(10)
        self.stop_server()
        for p in self.procs:
            if p.poll() is None:
                p.kill()
                p.wait()

    def report(self):
        print("# counts: " + ", ".join("%s %d" % kv for kv in self.counts.items()))
        for t, rss, fds, members, life in self.samples:
            print("# t=%4.0fs rss %5d kB fds %3d members %3d (server %d)"
                  % (t, rss, fds, members, life))
        first = [s for s in self.samples if s[0] <= 60]
        last = [s for s in self.samples if s[0] >= self.samples[-1][0] - 60] if self.samples else []
        crash = [f for f in self.failures if "died" in f or "exited" in f or "hung" in f]
        back = [f for f in self.failures if f not in crash]
        print(("ok" if not crash else "not ok") + " soak-no-crash" +
              "".join("\n# " + f for f in crash))
        print(("ok" if not back else "not ok") + " soak-clients-back (%d restarts)"
              % self.counts["restarts"] + "".join("\n# " + f for f in back))
        if self.secs < 120 or not first or not last:
            print("ok soak-flat # SKIP under two minutes: no first and last minute to compare")
            return
        lives = {}
        for smp in self.samples:
            lives.setdefault(smp[4], []).append(smp)
        for what, i, slack in (("rss", 1, RSS_SLACK_KB), ("fds", 2, FD_SLACK), ("members", 3, 8)):
            # the run: the last minute against the first
            a = max(s[i] for s in first)
            b = max(s[i] for s in last)
            bad = [] if b <= a + slack else ["last minute max %d > first minute max %d + %d"
                                             % (b, a, slack)]
            # each server's life: its last 15 s against its 10th-25th s, so
            # that a leak that restarts with the server shows as well
            for life, smp in lives.items():
                t0, t1 = smp[0][0], smp[-1][0]
                if t1 - t0 < 45:
                    continue
                base = max(s[i] for s in smp if t0 + 10 <= s[0] <= t0 + 25)
                end = max(s[i] for s in smp if s[0] >= t1 - 15)
                if end > base + slack:
                    bad.append("server %d: %d at its end > %d after 10-25 s + %d"
                               % (life, end, base, slack))
            print("%s soak-flat-%s (first minute max %d, last minute max %d, slack %d)"
                  % ("ok" if not bad else "not ok", what, a, b, slack)
                  + "".join("\n# " + x for x in bad))


def main():
    if len(sys.argv) < 2:
        print(__doc__)
        return 2
    minutes = float(sys.argv[2]) if len(sys.argv) > 2 else 5
    s = Soak(sys.argv[1], minutes)
    try:
        s.run()
    finally:
        s.stop.set()
        if s.server and s.server.poll() is None:
            s.server.kill()
        for p in s.procs:
            if p.poll() is None:
                p.kill()
    s.report()
    with open(os.path.join(s.tmp, "server.err"), "rb") as f:
        err = f.read().decode(errors="replace")
    bad = [l for l in err.splitlines() if "ERROR" in l or "runtime error" in l]
    for l in bad[:20]:
        print("# server: " + l)
    print(("ok" if not bad else "not ok") + " soak-no-sanitizer-report")
    return 0


if __name__ == "__main__":
    sys.exit(main())
