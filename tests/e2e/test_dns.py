"""test_dns.py: the client's own resolver (src/resolv.c) end to end, in
network and mount namespaces of the test's own (unshare --net --mount): a
fake DNS server in Python on 127.0.0.1:53 and [::1]:53, a private /etc with
the test's resolv.conf and hosts (inside the namespace only),
real udpchatd servers and the real udpchat client, all in there. Only the
namespace's loopback exists, so nothing can leave it.

Each test runs this file inside the namespaces (python3 test_dns.py --inside
SPEC.json), which prints one JSON object: per client run its exit status,
output and time, and the fake server's query log. Three udpchatd listen on
the same port: on 127.0.0.5 (idle timeout 600 s), on [::1] (700 s) and on
127.0.0.1 (800 s), so the welcome line tells which address the client
resolved; a decoy answer (127.0.0.9, where nothing listens) would end in
"no answer".

Needs root and unshare(1) (util-linux) and ip(8); skipped otherwise."""
import json
import os
import select
import signal
import socket
import struct
import subprocess
import sys
import threading
import time

import harness

HERE = os.path.dirname(os.path.abspath(__file__))
PORT = 8888                 # a fresh network namespace: every port is free
V4, V6, LO = "127.0.0.5", "::1", "127.0.0.1"  # where the three servers listen
WELCOME4 = "+OK welcome alice (idle timeout 600s)"
WELCOME6 = "+OK welcome alice (idle timeout 700s)"
WELCOMELO = "+OK welcome alice (idle timeout 800s)"
DECOY = "127.0.0.9"


# --- outside: the tests -------------------------------------------------------

def run_inside(ctx, spec, limit=25):
    """Runs this file inside new network + mount namespaces with spec (a
    dict); returns the JSON it prints. Skips when that cannot be done."""
    harness.namespaces_or_skip(ctx, "unshare --net --mount, mount --bind, port 53",
                               ("unshare", "ip", "mount"), ["unshare", "--net", "--mount", "true"],
                               "unshare --net --mount")
    return harness.run_inside(ctx, __file__, ["--net", "--mount"], spec, limit)


def asked(res, name, qtype=None):
    """The fake server's log entries for name (and qtype)."""
    return [q for q in res["log"] if q["name"].lower() == name.lower()
            and (qtype is None or q["type"] == qtype)]


def joined(res, case, welcome):
    r = res["runs"][case]
    assert r["rc"] == 0 and r["stdout"].startswith(welcome), (case, r)
    assert r["stderr"] == "", (case, r)


def failed(res, case, message, most=2.0):
    r = res["runs"][case]
    assert r["rc"] == 1 and r["stdout"] == "", (case, r)
    assert r["stderr"] == "udpchat: cannot resolve %s: %s\n" % (r["host"], message), (case, r)
    assert r["secs"] < most, (case, r)


ZONE = {
    "pi.lan": {"A": [V4]},
    "v6only.lan": {"AAAA": [V6]},
    "both.lan": {"A": [V4], "AAAA": [V6]},
    "box.lan": {"A": [V4]},
    "box": {"A": [DECOY]},                    # the search list comes first
    "www.lan": {"CNAME": "web.lan"},
    "web.lan": {"CNAME": "pi.lan"},
    "hosted": {"A": [DECOY]},                 # /etc/hosts comes first
    "spoof.lan": {"A": [V4], "spoof": True},
    "slow.lan": {"A": [V4], "drop_first": True},
    "fail.lan": {"rcode": 2},
    "noaddr.lan": {},
    "noaddr": {},
}

HOSTS = """# udpchat e2e hosts file
127.0.0.1\tlocalhost
%s  Hosted hosted.example   # the one in /etc/hosts
::1 hosted6
""" % V4


def test_dns_names(ctx):
    res = run_inside(ctx, {
        "resolv_conf": "# udpchat e2e\nnameserver 127.0.0.1\nnameserver ::1\nsearch lan\n",
        "hosts": HOSTS,
        "dns": ["127.0.0.1", "::1"],
        "zone": ZONE,
        "hosts_to_run": ["pi.lan", "v6only.lan", "both.lan", "box", "pi", "www.lan", "hosted",
                         "hosted6", "HOSTED.example.", "nosuch", "nosuch.lan.", "spoof.lan",
                         "slow.lan", "fail.lan", "noaddr", "bad..name"],
    })
    # an A answer; the dotted name is asked as it is, first
    joined(res, "pi.lan", WELCOME4)
    assert not asked(res, "pi.lan.lan"), res["log"]
    # both nameservers are asked at once, A and AAAA, from one port
    q = asked(res, "v6only.lan")
    assert {(x["server"], x["type"]) for x in q} == {("127.0.0.1", 1), ("127.0.0.1", 28),
                                                     ("::1", 1), ("::1", 28)}, q
    assert len({x["sport"] for x in q}) == 1, q
    assert len({x["id"] for x in q}) == 2, q
    joined(res, "v6only.lan", WELCOME6)
    joined(res, "both.lan", WELCOME4)            # IPv4 first
    # a bare name: "search lan" first, the name alone never needed
    joined(res, "box", WELCOME4)
    assert asked(res, "box.lan") and not asked(res, "box"), res["log"]
    joined(res, "pi", WELCOME4)
    joined(res, "www.lan", WELCOME4)             # www -> web -> pi
    # /etc/hosts: no DNS query at all; case and a final dot do not matter
    joined(res, "hosted", WELCOME4)
    joined(res, "hosted6", WELCOME6)
    joined(res, "HOSTED.example.", WELCOME4)
    assert not [x for x in res["log"] if x["name"].lower().startswith("hosted")], res["log"]
    # unknown: every candidate asked (search first), a clear message, fast
    failed(res, "nosuch", "unknown host")
    assert [x["name"] for x in res["log"] if x["name"].startswith("nosuch") and
            x["type"] == 1 and x["server"] == "127.0.0.1"] == ["nosuch.lan", "nosuch", "nosuch.lan"], \
        res["log"]
    failed(res, "nosuch.lan.", "unknown host")    # absolute: asked once, no search
    # forged replies (wrong ID; right ID from port 5353; another question)
    # come first and are ignored
    joined(res, "spoof.lan", WELCOME4)
    # the first queries are dropped: answered after the resend (2.5 s)
    joined(res, "slow.lan", WELCOME4)
    assert 2.0 <= res["runs"]["slow.lan"]["secs"] <= 4.5, res["runs"]["slow.lan"]
    sends = [x for x in asked(res, "slow.lan", 1) if x["server"] == "127.0.0.1"]
    assert len(sends) == 2 and sends[0]["id"] == sends[1]["id"], sends
    failed(res, "fail.lan", "DNS server failure (SERVFAIL or REFUSED) for fail.lan")
    failed(res, "noaddr", "no address (the name has no A or AAAA record)")
    failed(res, "bad..name", "bad name (want a host name or an IPv4/IPv6 address)")
    assert not asked(res, "bad..name")


def test_dns_dead_nameserver(ctx):
    """A nameserver that never answers and one with nothing listening: a
    clear message after the 5 s timeout, the query sent twice (attempts 2)."""
    res = run_inside(ctx, {
        "resolv_conf": "nameserver 127.0.0.1\nnameserver 127.0.0.4\n",
        "hosts": "127.0.0.1 localhost\n",
        "dns": ["127.0.0.1"],
        "silent": True,
        "zone": ZONE,
        "hosts_to_run": ["pi.lan"],
    })
    r = res["runs"]["pi.lan"]
    failed(res, "pi.lan", "no answer from the DNS servers in /etc/resolv.conf", most=7.0)
    assert r["secs"] >= 4.5, r
    sends = asked(res, "pi.lan", 1)
    assert len(sends) == 2 and 2.0 <= sends[1]["t"] - sends[0]["t"] <= 3.0, sends
    assert not asked(res, "pi.lan.lan") and not asked(res, "pi"), res["log"]  # stopped


def test_dns_options_and_ipv6_nameserver(ctx):
    """options timeout:1 attempts:1 are honoured; an IPv6 nameserver after a
    dead IPv4 one answers; no nameserver line means 127.0.0.1. With no
    /etc/hosts lines, "localhost" and names under it are still the loopback,
    and DNS is not asked."""
    res = run_inside(ctx, {
        "resolv_conf": "options timeout:1 attempts:1\nnameserver 127.0.0.4\nnameserver ::1\n"
                       "domain lan\n",
        "hosts": "",
        "dns": ["::1"],
        "zone": ZONE,
        "hosts_to_run": ["pi", "both.lan", "localhost", "Chat.LocalHost."],
        "then": {
            "resolv_conf": "options timeout:1 attempts:1\nsearch lan\n",
            "dns": ["127.0.0.1"],
            "silent": True,
            "hosts_to_run": ["v6only"],
        },
    })
    joined(res, "pi", WELCOME4)
    joined(res, "both.lan", WELCOME4)
    joined(res, "localhost", WELCOMELO)
    joined(res, "Chat.LocalHost.", WELCOMELO)
    assert not [x for x in res["log"] if "localhost" in x["name"].lower()], res["log"]
    assert {x["server"] for x in res["log"]} >= {"::1", "127.0.0.1"}, res["log"]
    # no nameserver line: 127.0.0.1, here silent: about 1 s, one send
    failed(res, "v6only", "no answer from the DNS servers in /etc/resolv.conf", most=2.0)
    assert res["runs"]["v6only"]["secs"] >= 0.8, res["runs"]["v6only"]
    assert len(asked(res, "v6only.lan", 1)) == 1, res["log"]


# --- inside the namespaces ------------------------------------------------------

def _name(msg, pos):
    labels = []
    while msg[pos]:
        n = msg[pos]
        labels.append(msg[pos + 1:pos + 1 + n].decode("ascii", "replace"))
        pos += 1 + n
    return ".".join(labels), pos + 1


def _wire(name):
    return b"".join(bytes([len(l)]) + l.encode() for l in name.split(".") if l) + b"\0"


def _rr(owner, rtype, rdata):
    return owner + struct.pack("!HHIH", rtype, 1, 60, len(rdata)) + rdata


def _reply(query, rcode, records, qid=None):
    qid = struct.unpack("!H", query[:2])[0] if qid is None else qid
    qend = 12 + len(_name(query, 12)[0]) + 2 + 4
    if query[12] == 0:
        qend = 12 + 1 + 4
    return (struct.pack("!HHHHHH", qid, 0x8180 | rcode, 1, len(records), 0, 0)
            + query[12:qend] + b"".join(records))


def _answer(zone, name, qtype):
    """(rcode, records) for a query, following CNAMEs like dnsmasq does."""
    recs, owner, cur = [], b"\xc0\x0c", name.lower()
    for _ in range(10):
        e = zone.get(cur)
        if e is None:
            return 3, recs
        if "rcode" in e:
            return e["rcode"], []
        if "CNAME" in e:
            recs.append(_rr(owner, 5, _wire(e["CNAME"])))
            cur = e["CNAME"]
            owner = _wire(cur)
            continue
        fam, key = (socket.AF_INET, "A") if qtype == 1 else (socket.AF_INET6, "AAAA")
        if qtype in (1, 28):
            recs += [_rr(owner, qtype, socket.inet_pton(fam, ip)) for ip in e.get(key, [])]
        return 0, recs
    return 2, []


class FakeDNS:
    """UDP DNS on (addr, 53) for each addr, answering from a zone; logs every
    query. silent: log only, never answer."""

    def __init__(self, addrs, zone, silent=False):
        self.zone, self.silent, self.log = zone, silent, []
        self.t0 = time.monotonic()
        self.stop = threading.Event()
        self.dropped = set()
        self.socks = []
        for a in addrs:
            fam = socket.AF_INET6 if ":" in a else socket.AF_INET
            s, spoof = socket.socket(fam, socket.SOCK_DGRAM), socket.socket(fam, socket.SOCK_DGRAM)
            s.bind((a, 53))
            spoof.bind((a, 5353))
            self.socks.append((a, s, spoof))
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        by_fd = {s.fileno(): (a, s, sp) for a, s, sp in self.socks}
        while not self.stop.is_set():
            r, _, _ = select.select(list(by_fd), [], [], 0.05)
            for fd in r:
                a, s, spoof = by_fd[fd]
                try:
                    q, src = s.recvfrom(4096)
                    self._one(a, s, spoof, q, src)
                except (OSError, IndexError, struct.error) as e:
                    self.log.append({"error": repr(e)})

    def _one(self, a, s, spoof, q, src):
        qid, = struct.unpack("!H", q[:2])
        name, pos = _name(q, 12)
        qtype, = struct.unpack("!H", q[pos:pos + 2])
        self.log.append({"server": a, "name": name, "type": qtype, "id": qid, "sport": src[1],
                         "t": round(time.monotonic() - self.t0, 3)})
        if self.silent:
            return
        e = self.zone.get(name.lower(), {})
        if e.get("drop_first") and (a, qtype) not in self.dropped:
            self.dropped.add((a, qtype))
            return
        if e.get("spoof") and qtype == 1:
            decoy = [_rr(b"\xc0\x0c", 1, socket.inet_pton(socket.AF_INET, DECOY))]
            s.sendto(_reply(q, 0, decoy, qid ^ 0x5555), src)         # wrong ID
            spoof.sendto(_reply(q, 0, decoy), src)                    # wrong port
            other = q[:13] + (b"x" if q[13:14] != b"x" else b"y") + q[14:]
            s.sendto(_reply(other, 0, decoy), src)                    # wrong question
        rcode, recs = _answer(self.zone, name, qtype)
        s.sendto(_reply(q, rcode, recs), src)

    def close(self):
        self.stop.set()
        self.thread.join(2)
        for _, s, spoof in self.socks:
            s.close()
            spoof.close()


def _pdeathsig():
    """In a child: die with the inside runner (no udpchatd left behind)."""
    try:
        import ctypes
        ctypes.CDLL(None).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def _inside(spec_path):
    with open(spec_path) as f:
        spec = json.load(f)
    signal.alarm(22)  # a bound of our own, below the outer one
    problems, runs, log, servers = [], {}, [], []
    tmp = spec["tmp"]
    subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
    # A private /etc in this mount namespace: the test's hosts and
    # resolv.conf, links to the rest of the real /etc (kept reachable under
    # tmp/etc.real). Not a bind over the two files: a minimal root may have
    # no /etc/hosts to bind over.
    real, etc = os.path.join(tmp, "etc.real"), os.path.join(tmp, "etc")
    os.mkdir(real)
    os.mkdir(etc)
    subprocess.run(["mount", "--bind", "/etc", real], check=True)
    for name in os.listdir(real):
        if name not in ("hosts", "resolv.conf"):
            os.symlink(os.path.join(real, name), os.path.join(etc, name))
    for name, text in (("resolv.conf", spec["resolv_conf"]), ("hosts", spec["hosts"])):
        with open(os.path.join(etc, name), "w") as f:
            f.write(text)
    subprocess.run(["mount", "--bind", etc, "/etc"], check=True)
    conf = "/etc/resolv.conf"
    with open("/etc/resolv.conf") as f:
        if f.read() != spec["resolv_conf"]:
            problems.append("the private /etc did not take")
    try:
        for addr, idle in ((V4, 600), (V6, 700), (LO, 800)):
            errf = open(os.path.join(tmp, "udpchatd-%d.stderr" % idle), "wb")
            servers.append((subprocess.Popen(
                spec["server"] + ["-p", str(PORT), "-b", addr, "-t", str(idle),
                                  "-c", os.path.join(tmp, "ctl%d.sock" % idle)],
                stdin=subprocess.DEVNULL, stdout=errf, stderr=errf,
                preexec_fn=_pdeathsig), errf))
        for addr in (V4, V6, LO):
            _wait_ready(addr, problems)
        phase = spec
        while phase:
            dns = FakeDNS(phase["dns"], spec["zone"], phase.get("silent", False))
            try:
                if phase is not spec:
                    with open(conf, "w") as f:  # the same file, in the private /etc
                        f.write(phase["resolv_conf"])
                for host in phase["hosts_to_run"]:
                    t0 = time.monotonic()
                    r = subprocess.run(spec["client"] + ["-n", "alice", host, str(PORT)],
                                       stdin=subprocess.DEVNULL, capture_output=True,
                                       text=True, timeout=12, preexec_fn=_pdeathsig)
                    runs[host] = {"host": host, "rc": r.returncode, "stdout": r.stdout,
                                  "stderr": r.stderr, "secs": round(time.monotonic() - t0, 3)}
            finally:
                dns.close()
                log += dns.log
            phase = phase.get("then")
    finally:
        for p, errf in servers:
            p.send_signal(signal.SIGTERM)
            try:
                rc = p.wait(5)
            except subprocess.TimeoutExpired:
                p.kill()
                rc = "killed"
            errf.close()
            if rc != 0:
                problems.append("udpchatd %r exited %r" % (p.args[-7:], rc))
        for p, errf in servers:
            with open(errf.name, "rb") as f:
                text = f.read().decode("utf-8", "replace")
            if any(m in text for m in ("ERROR: AddressSanitizer", "runtime error:")):
                problems.append("sanitizer report from udpchatd: " + text[-1500:])
    for r in runs.values():
        if "AddressSanitizer" in r["stderr"] or "runtime error:" in r["stderr"]:
            problems.append("sanitizer report from udpchat: " + r["stderr"][-1500:])
    problems += ["fake DNS: %s" % x["error"] for x in log if "error" in x]
    json.dump({"runs": runs, "log": [x for x in log if "error" not in x],
               "problems": problems}, sys.stdout)


def _wait_ready(addr, problems):
    fam = socket.AF_INET6 if ":" in addr else socket.AF_INET
    s = socket.socket(fam, socket.SOCK_DGRAM)
    try:
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            s.sendto(b"/help\n", (addr, PORT))
            if select.select([s], [], [], 0.02)[0] and s.recv(4096).startswith(b"+OK"):
                return
        problems.append("udpchatd on %s did not answer" % addr)
    finally:
        s.close()


if __name__ == "__main__" and len(sys.argv) == 3 and sys.argv[1] == "--inside":
    _inside(sys.argv[2])
