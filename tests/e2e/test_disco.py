"""test_disco.py: `udpchat` with no HOST finds the board (issue 12), in
network namespaces of the test's own: the test runs this file inside
`unshare --net` (the client's namespace, with a bridge br0 for the LAN),
and each board is a further namespace (`unshare --net sleep`, entered with
nsenter) joined to br0 by a veth pair; a router namespace links a second
LAN. Only these interfaces exist: nothing leaves the namespaces.

Each board's udpchatd has its own idle timeout (-t), so the welcome line
tells which board the client joined, and its own description (-D).
Each test runs this file inside (python3 test_disco.py --inside
SPEC.json), which prints one JSON object: per client run its exit status,
output and time, and the amplification probe's counts; the assertions are
made outside.

The pick on a terminal runs udpchat in tmux inside the namespaces; a
board bound to its interface runs as uid 65534 through setpriv(1).

Needs root, unshare(1), nsenter(1), setpriv(1) (util-linux), ip(8) and
tmux; skipped when not root or when the kernel refuses the namespaces."""
import json
import os
import select
import shlex
import shutil
import socket
import subprocess
import sys
import threading
import time

import harness

PORT = 8888                  # fresh namespaces: every port is free
PAD = 256                    # the client's request (DISCO_PAD)


# --- outside: the tests -------------------------------------------------------

def run_inside(ctx, spec, limit=40):
    harness.namespaces_or_skip(
        ctx, "unshare --net, veth, bridge", ("unshare", "nsenter", "ip", "setpriv"),
        ["unshare", "--net", "sh", "-c",
         "ip link add name pbr type bridge && ip link add name pv type veth peer name pw"],
        "unshare --net with a bridge and veth")
    return harness.run_inside(ctx, __file__, ["--net"], spec, limit)


def found(res, run, idle, most=2.0):
    """The run joined the board with idle timeout idle, within most s."""
    r = res["runs"][run]
    assert r["rc"] == 0, (run, r)
    assert r["stdout"].startswith("+OK welcome alice (idle timeout %ds)" % idle), (run, r)
    assert r["stderr"] == "", (run, r)
    assert r["secs"] < most * res["scale"], (run, r)


def not_found(res, run, most=2.0):
    r = res["runs"][run]
    assert r["rc"] == 1 and r["stdout"] == "", (run, r)
    assert r["stderr"] == ("udpchat: 0 rooms answered on the local links; "
                           "name one: udpchat HOST\n"), (run, r)
    assert r["secs"] < most * res["scale"], (run, r)


def test_disco_ipv6_link_local(ctx):
    """IPv6 link-local addresses only (no IPv4 anywhere): found through
    ff02::1 on br0, joined at its fe80:: address with the scope kept; and
    `udpchat fe80::11%br0` (a scope by name) joins it too."""
    res = run_inside(ctx, {"case": "ipv6"})
    found(res, "disco", 601)
    found(res, "by_scope", 601, most=1.0)


def test_disco_ipv4_default_route_elsewhere(ctx):
    """One board on the LAN, IPv4 only, and the default route leaves by
    another interface (up0): the request still goes out on br0, the
    board's link (the subnet's broadcast, not 255.255.255.255), and the
    board is found and joined within 2 s."""
    res = run_inside(ctx, {"case": "default_elsewhere"})
    found(res, "disco", 601)


def test_disco_two_boards_listed_and_picked(ctx):
    """Two boards on one link: in pipe mode the client fails (status 1)
    with both listed: address, port, members online, description. On a
    terminal (tmux) both are listed with a prompt; the user types the
    garage board's digit and Enter, and udpchat joins that room (its
    welcome on the screen, its udpchatctl who lists alice; the kitchen
    room has nobody)."""
    if not shutil.which("tmux"):
        ctx.skip("tmux not installed")
    res = run_inside(ctx, {"case": "two"})
    r = res["runs"]["disco"]
    assert r["rc"] == 1 and r["stdout"] == "", r
    err = r["stderr"].splitlines()
    assert len(err) == 3, r
    assert sorted(e[:3] for e in err[:2]) == ["1) ", "2) "], r
    assert sorted(e[3:] for e in err[:2]) == ["10.9.0.11:8888  0 online: kitchen board",
                                              "10.9.0.12:8888  0 online: garage board"], r
    assert err[2] == "udpchat: 2 rooms answered on the local links; name one: udpchat HOST", r
    assert r["secs"] < 2.0 * res["scale"], r
    p = res["pick"]
    screen = "\n".join(p["prompt"])
    assert "room (1-2):" in screen, screen
    listed = sorted(l[3:].rstrip() for l in p["prompt"] if l[:3] in ("1) ", "2) "))
    assert listed == ["10.9.0.11:8888  0 online: kitchen board",
                      "10.9.0.12:8888  0 online: garage board"], screen
    assert p["joined"], p                     # board 2's welcome: -t 602
    assert p["who2"].startswith("alice 10.9.0.1:"), p
    assert p["who1"] == "+OK 0 members\n", p


def test_disco_behind_router_or_quiet_not_found(ctx):
    """A board behind a router namespace (another subnet) and a board on
    the link with -Q (no answers): neither is found, though both are
    there: `udpchat 10.7.0.2` joins the first, and a padded request to the
    second's own address draws not one byte, while the same request to a
    board without -Q, started then, is answered (the probe works)."""
    res = run_inside(ctx, {"case": "router"})
    not_found(res, "disco")
    found(res, "direct", 607, most=1.0)
    assert res["probe_quiet"] == 0, res
    assert res["probe_loud"] > 0, res


def test_disco_bound_to_interface(ctx):
    """OpenWrt's way (-b IFACE): a board bound to its LAN interface eth0
    (run unprivileged, as procd runs it) is found and joined, while a board
    bound to its LAN address (-b 10.9.0.12) hears no broadcast and is not
    listed. The first answers nothing that comes by its other interface
    (eth1, a "WAN" link to the client's wan0), and a client on the board
    itself reaches it at its LAN address (as udpchatweb does there)."""
    res = run_inside(ctx, {"case": "iface"})
    found(res, "disco", 601)
    found(res, "local", 601, most=1.0)
    assert res["probe_lan"] > 0 and res["probe_wan"] == 0, res


def test_disco_no_ipv6(ctx):
    """A kernel without IPv6 (booted with ipv6.disable=1), as
    tests/e2e/noipv6.c makes one for udpchat: its socket(AF_INET6, ...)
    fails with EAFNOSUPPORT. A board with IPv4 and IPv6 link-local is found
    over IPv4 broadcast alone and joined from 10.9.0.1; `udpchat 10.9.0.11`
    joins it too; `udpchat fe80::11%br0` fails with the reason (the filter
    holds, under qemu-user too)."""
    src = os.path.join(os.path.dirname(os.path.abspath(__file__)), "noipv6.c")
    wrap = os.path.join(ctx.tmp, "noipv6")
    assert shutil.which("gcc"), "gcc not installed (make deps)"
    p = subprocess.run(["gcc", "-O", "-Wall", "-Wextra", "-Werror", "-o", wrap, src],
                       capture_output=True, text=True, timeout=60)
    if "noipv6: no seccomp architecture" in p.stderr:
        ctx.skip("tests/e2e/noipv6.c knows no seccomp architecture for this host")
    assert p.returncode == 0, p.stderr
    res = run_inside(ctx, {"case": "noipv6", "wrap": wrap})
    found(res, "disco", 601)
    found(res, "direct", 601, most=1.0)
    r = res["runs"]["v6"]
    assert (r["rc"], r["stdout"]) == (1, ""), r
    assert r["stderr"] == ("udpchat: cannot reach fe80::11%br0 port 8888: "
                           "Address family not supported by protocol\n"), r
    joins = [l for l in res["log1"].splitlines() if "alice joined from" in l]
    assert len(joins) == 2 and all("alice joined from 10.9.0.1:" in l for l in joins), res["log1"]


def test_disco_bind_no_such_interface(ctx):
    """-b with a name that is neither an address nor an interface, or with
    a link-local address whose scope names no interface: exit 1 with the
    reason (no namespace needed: the bind fails before anything is
    sent)."""
    port = harness.free_udp_port()
    for bad in ("nosuch0", "fe80::1%nosuch0"):   # a name; a scope that names none
        r = ctx.run("udpchatd", "-b", bad, "-p", str(port), "-c",
                    os.path.join(ctx.tmp, "nosuch.sock"), input="")
        assert r.returncode == 1, r
        assert r.stderr == ("udpchatd: cannot bind %s port %d: no such address or interface\n"
                            % (bad, port)), r


def test_disco_amplification(ctx):
    """Requests of every size, to a board with the longest description:
    no answer is longer than its request (requests too short get none),
    and a flood of 600 requests draws at most the strangers' budget
    (bursts of 400). The ratio of bytes out to bytes in is measured, and
    each answer's delay (at least 20 ms)."""
    res = run_inside(ctx, {"case": "amplify"})
    a = res["amplify"]
    ctx.note("amplification: %d bytes in, %d bytes out, ratio %.3f; flood: %d of 600 answered"
             % (a["sent"], a["got"], a["got"] / a["sent"], a["flood_answers"]))
    for size, got in a["by_size"]:
        assert got <= size, (size, got)
    assert [g for s, g in a["by_size"] if s >= 120 and g == 0] == [], a
    assert a["got"] <= a["sent"], a
    assert 0 < a["flood_answers"] <= 400 + 200 * a["flood_secs"] + 5, a
    # each answer waited its random 20-120 ms (more on a loaded machine)
    assert res["delays"] and min(res["delays"]) >= 0.019, res["delays"]
    ctx.note("answer delays: %s ms" % " ".join("%d" % (d * 1000) for d in res["delays"]))


# --- inside the namespaces ----------------------------------------------------

def _sh(*cmd, ns=None):
    if ns:
        cmd = ("nsenter", "--net=/proc/%d/ns/net" % ns) + cmd
    subprocess.run(cmd, check=True, capture_output=True, timeout=10)


def _holder():
    """A new network namespace held by a sleeping process; returns its pid."""
    me = os.readlink("/proc/self/ns/net")
    p = subprocess.Popen(["unshare", "--net", "sleep", "60"])
    deadline = time.time() + 5
    while time.time() < deadline:
        try:
            if os.readlink("/proc/%d/ns/net" % p.pid) != me:
                return p
        except OSError:
            pass
        time.sleep(0.01)
    raise RuntimeError("unshare --net sleep: no namespace")


class Net:
    def __init__(self, spec):
        self.spec, self.procs, self.holders = spec, [], []
        _sh("ip", "link", "set", "lo", "up")
        _sh("ip", "link", "add", "br0", "type", "bridge")
        _sh("ip", "link", "set", "br0", "addrgenmode", "none")
        _sh("ip", "link", "set", "br0", "up")

    def ns(self):
        h = _holder()
        self.holders.append(h)
        _sh("ip", "link", "set", "lo", "up", ns=h.pid)
        return h.pid

    def board(self, n, v4=None, v6=None, flags=(), link="br0", via=None, wrap=(), ctl=None,
              server=None):
        """A board namespace on link (the bridge here, or via: a veth of
        another namespace): eth0 with v4 (CIDR) and v6, udpchatd -t 600+n
        (server, else spec's; run through wrap, with its control socket at
        ctl)."""
        pid = self.ns()
        if via is None:
            _sh("ip", "link", "add", "vb%d" % n, "type", "veth", "peer", "name", "eth0",
                "netns", str(pid))
            _sh("ip", "link", "set", "vb%d" % n, "addrgenmode", "none")
            _sh("ip", "link", "set", "vb%d" % n, "master", link, "up")
        else:
            via(pid)
        _sh("ip", "link", "set", "eth0", "addrgenmode", "none", ns=pid)
        _sh("ip", "link", "set", "eth0", "up", ns=pid)
        if v4:
            _sh("ip", "addr", "add", v4, "dev", "eth0", ns=pid)
        if v6:
            _sh("ip", "addr", "add", v6 + "/64", "dev", "eth0", "nodad", ns=pid)
        err = open(os.path.join(self.spec["tmp"], "udpchatd%d.err" % n), "w+b")
        p = subprocess.Popen(["nsenter", "--net=/proc/%d/ns/net" % pid] + list(wrap) +
                             (server or self.spec["server"]) +
                             ["-p", str(PORT), "-t", str(600 + n), "-c",
                              ctl or os.path.join(self.spec["tmp"], "ctl%d.sock" % n)] + list(flags),
                             stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=err)
        self.procs.append(p)
        return pid

    def ready(self, problems):
        """Waits until every udpchatd has said it listens."""
        deadline = time.time() + 5 * self.spec["scale"]
        while time.time() < deadline:
            logs = [open(os.path.join(self.spec["tmp"], f)).read()
                    for f in os.listdir(self.spec["tmp"]) if f.startswith("udpchatd")]
            if all("listening" in t for t in logs) and len(logs) == len(self.procs):
                return
            time.sleep(0.02)
        problems.append("a udpchatd did not start")

    def close(self, problems):
        for p in self.procs + self.holders:
            p.kill()
            p.wait()
        for f in os.listdir(self.spec["tmp"]):  # an ASan build's reports
            if f.startswith("udpchatd") and f.endswith(".err"):
                text = open(os.path.join(self.spec["tmp"], f), errors="replace").read()
                if any(m in text for m in harness.SANITIZER_MARKS):
                    problems.append("%s: %s" % (f, text[-2000:]))


def _client(spec, args, name="alice"):
    """Runs udpchat args in pipe mode with name on stdin; its result."""
    t = time.time()
    p = subprocess.run(spec["client"] + args, input=name + "\n", capture_output=True,
                       text=True, timeout=10 * spec["scale"])
    return {"rc": p.returncode, "stdout": p.stdout, "stderr": p.stderr,
            "secs": round(time.time() - t, 3), "args": args}


def _ask(reqs, want, scale):
    """Sends each request (ADDR, SIZE, WHAT: WHAT padded with empty lines
    to SIZE bytes) at once, each from a socket of its own, and takes
    answers until want of them have answered and 0.3 s more have passed
    (any other answer would come with them: one batch), or for 3 s (scaled)
    at most; returns per request the bytes answered and the first answer's
    delay in s (None if none)."""
    socks, got, delay = [], [0] * len(reqs), [None] * len(reqs)
    t = time.monotonic()
    for addr, size, what in reqs:
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.sendto((what + b"\n" * PAD)[:size], addr)
        socks.append(s)
    deadline = t + 3 * scale
    while time.monotonic() < deadline:
        for s in select.select(socks, [], [], max(0, deadline - time.monotonic()))[0]:
            i = socks.index(s)
            if delay[i] is None:
                delay[i] = time.monotonic() - t
                if sum(d is not None for d in delay) == want:
                    deadline = min(deadline, time.monotonic() + 0.3)
            got[i] += len(s.recv(4096))
    for s in socks:
        s.close()
    return list(zip(got, delay))


def _flood(addr, count, size, scale):
    """Sends count requests of size bytes to addr back to back; returns the
    answers (taken until 0.3 s after the first, or 3 s scaled) and the
    seconds the sending took."""
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
    req = (b"/discover" + b"\n" * PAD)[:size]
    t = time.time()
    for _ in range(count):
        s.sendto(req, addr)
    secs = time.time() - t
    answers, deadline = 0, time.time() + 3 * scale
    while time.time() < deadline:
        if select.select([s], [], [], max(0, deadline - time.time()))[0]:
            s.recv(4096)
            if not answers:
                deadline = min(deadline, time.time() + 0.3)
            answers += 1
    s.close()
    return answers, secs


def _pick(spec):
    """udpchat -n alice with no host in a detached 80x24 tmux session (a
    private tmux server, killed by PID): waits for the list and its prompt,
    types the garage board's digit and Enter, and waits for the welcome.
    Returns the screen at the prompt, whether it joined, and each room's
    udpchatctl who."""
    sock = os.path.join(spec["tmp"], "tmux.sock")
    tmux = ["tmux", "-S", sock, "-f", "/dev/null"]
    inner = "%s 2>&1; sleep 60" % shlex.join(spec["client"] + ["-n", "alice"])
    subprocess.run(tmux + ["new-session", "-d", "-x", "80", "-y", "24", "sh", "-c", inner],
                   check=True, capture_output=True, timeout=10)
    server = int(subprocess.run(tmux + ["display-message", "-p", "#{pid}"], check=True,
                                capture_output=True, text=True, timeout=10).stdout)

    def screen():
        return subprocess.run(tmux + ["capture-pane", "-p", "-t", "0"], capture_output=True,
                              text=True, timeout=10).stdout.split("\n")

    def wait_for(cond, secs):
        deadline = time.time() + secs * spec["scale"]
        while time.time() < deadline:
            rows = screen()
            if cond(rows):
                return rows, True
            time.sleep(0.05)
        return screen(), False

    def who(n):
        return subprocess.run(spec["ctl"] + ["-c", os.path.join(spec["tmp"], "ctl%d.sock" % n), "who"],
                              capture_output=True, text=True, timeout=10).stdout

    out = {}
    try:
        rows, _ = wait_for(lambda r: any("room (1-2):" in l for l in r), 5)
        out["prompt"] = rows
        digit = [l[0] for l in rows if l[1:3] == ") " and "garage board" in l]
        if digit:
            subprocess.run(tmux + ["send-keys", "-t", "0", "-l", digit[0]], timeout=10)
            subprocess.run(tmux + ["send-keys", "-t", "0", "Enter"], timeout=10)
            rows, out["joined"] = wait_for(lambda r: any("+OK welcome alice (idle timeout 602s)" in l
                                                        for l in r), 5)
        else:
            out["joined"] = False
        out["screen"] = rows
        out["who1"], out["who2"] = who(1), who(2)
    finally:
        subprocess.run(tmux + ["kill-server"], capture_output=True, timeout=10)
        try:
            os.kill(server, 9)
        except ProcessLookupError:
            pass
    return out


def _inside(spec_path):
    with open(spec_path) as f:
        spec = json.load(f)
    case = spec["case"]
    problems, runs = [], {}
    res = {"problems": problems, "runs": runs, "scale": spec["scale"]}
    net = Net(spec)
    try:
        if case in ("default_elsewhere", "two", "router", "amplify", "iface", "noipv6"):
            _sh("ip", "addr", "add", "10.9.0.1/24", "dev", "br0")
        if case in ("ipv6", "noipv6"):
            _sh("ip", "addr", "add", "fe80::1/64", "dev", "br0", "nodad")
        if case == "ipv6":
            net.board(1, v6="fe80::11")
        elif case == "noipv6":
            net.board(1, v4="10.9.0.11/24", v6="fe80::11")
        elif case == "two":
            net.board(1, v4="10.9.0.11/24", flags=("-D", "kitchen board"))
            net.board(2, v4="10.9.0.12/24", flags=("-D", "garage board"))
        elif case == "router":
            r = net.ns()
            _sh("ip", "link", "add", "vr", "type", "veth", "peer", "name", "r0", "netns", str(r))
            _sh("ip", "link", "set", "vr", "master", "br0", "up")
            _sh("ip", "addr", "add", "10.9.0.254/24", "dev", "r0", ns=r)
            _sh("ip", "link", "set", "r0", "up", ns=r)
            _sh("sh", "-c", "echo 1 > /proc/sys/net/ipv4/ip_forward", ns=r)

            def far_link(pid):
                _sh("ip", "link", "add", "r1", "type", "veth", "peer", "name", "eth0",
                    "netns", str(pid), ns=r)
                _sh("ip", "addr", "add", "10.7.0.1/24", "dev", "r1", ns=r)
                _sh("ip", "link", "set", "r1", "up", ns=r)
            far = net.board(7, v4="10.7.0.2/24", v6="fe80::77", via=far_link)
            _sh("ip", "route", "add", "default", "via", "10.7.0.1", ns=far)
            _sh("ip", "route", "add", "10.7.0.0/24", "via", "10.9.0.254")
            net.board(1, v4="10.9.0.11/24", v6="fe80::11", flags=("-Q",))
        elif case == "iface":
            # the ctl socket where uid 65534 may make it
            os.chmod(spec["tmp"], 0o711)
            nobody = os.path.join(spec["tmp"], "nobody")
            os.mkdir(nobody)
            os.chmod(nobody, 0o777)
            # uid 65534 runs a copy of the binary: the tree may lie under a
            # directory it cannot enter (a clone in /root, mode 0700; qemu-user
            # opens the binary as that user)
            real = os.path.realpath(spec["server"][-1])
            shutil.copy(real, os.path.join(nobody, os.path.basename(real)))
            os.symlink(os.path.basename(real), os.path.join(nobody, "udpchatd"))
            b1 = net.board(1, v4="10.9.0.11/24", flags=("-b", "eth0"),
                           wrap=("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"),
                           ctl=os.path.join(nobody, "ctl1.sock"),
                           server=spec["server"][:-1] + [os.path.join(nobody, "udpchatd")])
            _sh("ip", "link", "add", "wan0", "type", "veth", "peer", "name", "eth1",
                "netns", str(b1))
            _sh("ip", "addr", "add", "10.6.0.1/24", "dev", "wan0")
            _sh("ip", "link", "set", "wan0", "up")
            _sh("ip", "addr", "add", "10.6.0.2/24", "dev", "eth1", ns=b1)
            _sh("ip", "link", "set", "eth1", "up", ns=b1)
            net.board(2, v4="10.9.0.12/24", flags=("-b", "10.9.0.12"))
        else:  # default_elsewhere, amplify
            net.board(1, v4="10.9.0.11/24",
                      flags=("-D", "d" * 64) if case == "amplify" else ())
        if case == "default_elsewhere":
            # the uplink: a veth pair (its far end stays here, unused)
            _sh("ip", "link", "add", "name", "up0", "type", "veth", "peer", "name", "up1")
            _sh("ip", "addr", "add", "10.8.0.1/24", "dev", "up0")
            _sh("ip", "link", "set", "up1", "up")
            _sh("ip", "link", "set", "up0", "up")
            _sh("ip", "route", "add", "default", "via", "10.8.0.254", "dev", "up0")
        net.ready(problems)
        if case == "amplify":
            sizes = [10, 40, 80, 90, 100, 120, 256, 1000, 2048]
            # the 96-byte answer goes to the 5 requests of 100 bytes and more
            answers = _ask([(("10.9.0.11", PORT), n, b"/discover") for n in sizes], 5, spec["scale"])
            by_size = [(n, g) for n, (g, _) in zip(sizes, answers)]
            res["delays"] = [d for _, d in answers if d is not None]
            flood, secs = _flood(("10.9.0.11", PORT), 600, PAD, spec["scale"])
            res["amplify"] = {"by_size": by_size, "sent": sum(sizes),
                              "got": sum(g for _, g in by_size),
                              "flood_answers": flood, "flood_secs": secs}
        elif case == "two":
            # the pipe and the terminal look at once (each its own socket)
            pipe = threading.Thread(target=lambda: runs.update(disco=_client(spec, [])))
            pipe.start()
            res["pick"] = _pick(spec)
            pipe.join()
        elif case != "noipv6":
            runs["disco"] = _client(spec, [])
        if case == "ipv6":
            runs["by_scope"] = _client(spec, ["fe80::11%br0"])
        if case == "noipv6":
            runs["disco"] = _client(dict(spec, client=[spec["wrap"]] + spec["client"]), [])
            runs["direct"] = _client(dict(spec, client=[spec["wrap"]] + spec["client"]),
                                     ["10.9.0.11"])
            runs["v6"] = _client(dict(spec, client=[spec["wrap"]] + spec["client"]),
                                 ["fe80::11%br0"])
            res["log1"] = open(os.path.join(spec["tmp"], "udpchatd1.err"),
                               errors="replace").read()
        if case == "iface":
            runs["local"] = _client(dict(spec, client=["nsenter", "--net=/proc/%d/ns/net" % b1] +
                                         spec["client"]), ["10.9.0.11"])
            (res["probe_lan"], _), (res["probe_wan"], _) = _ask(
                [(("10.9.0.11", PORT), PAD, b"/help\n"), (("10.6.0.2", PORT), PAD, b"/help\n")],
                1, spec["scale"])
        if case == "router":
            runs["direct"] = _client(spec, ["10.7.0.2"])
            net.board(2, v4="10.9.0.12/24")
            net.ready(problems)
            (res["probe_quiet"], _), (res["probe_loud"], _) = _ask(
                [(("10.9.0.11", PORT), PAD, b"/discover"), (("10.9.0.12", PORT), PAD, b"/discover")],
                1, spec["scale"])
    except Exception as e:  # reported, not a traceback on stdout
        problems.append("%s: %s" % (type(e).__name__, e))
    finally:
        net.close(problems)
    print(json.dumps(res))


if __name__ == "__main__" and len(sys.argv) == 3 and sys.argv[1] == "--inside":
    _inside(sys.argv[2])
