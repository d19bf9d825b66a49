"""test_scope.py: IPv6 link-local addresses with their scope (issue 12),
over real interfaces of the test's own: inside a new network namespace
(unshare --net) a veth pair v0/v1, fe80::1 on v0 and fe80::2 on v1 (no
duplicate address detection). udpchatd listens on `-b fe80::1%v0`; real
udpchat clients join it as `fe80::1%v0` (the scope by name) and as
`fe80::1%N` (by number); a raw member joined through a socket with the
scope id sees their lines; a scope that names no interface is refused with
the reason. Each test runs this file inside the namespace (python3
test_scope.py --inside SPEC.json), which prints one JSON object; the
assertions are made outside.

Needs root, unshare(1) and ip(8); skipped only when not root or when the
kernel refuses the namespace or the veth pair."""
import json
import os
import select
import socket
import subprocess
import sys
import time

import harness
from harness import timeout

PORT = 8888                  # a fresh network namespace: every port is free


# --- inside the namespace -----------------------------------------------------

def _sh(*args):
    subprocess.run(args, check=True, capture_output=True, timeout=10)


def _inside(path):
    with open(path) as f:
        spec = json.load(f)
    res = {"problems": []}
    _sh("ip", "link", "set", "lo", "up")
    _sh("ip", "link", "add", "v0", "type", "veth", "peer", "name", "v1")
    for dev, addr in (("v0", "fe80::1"), ("v1", "fe80::2")):
        _sh("ip", "link", "set", dev, "up")
        _sh("ip", "-6", "addr", "add", addr + "/64", "dev", dev, "nodad")
    v0 = socket.if_nametoindex("v0")
    res["v0"] = v0
    srv = subprocess.Popen(spec["server"] + ["-p", str(PORT), "-b", "fe80::1%v0",
                                             "-c", os.path.join(spec["tmp"], "scope.ctl")],
                           stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE)
    raw = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    got = []
    try:
        # the raw member, through a socket with the scope id: joins once
        # the server answers (it polls: the server may not be up yet)
        deadline = time.monotonic() + 5 * spec["scale"]
        joined = False
        while time.monotonic() < deadline and not joined:
            raw.sendto(b"bob\n", ("fe80::1", PORT, 0, v0))
            if select.select([raw], [], [], 0.1)[0]:
                line = raw.recv(4096).decode("utf-8", "replace")
                got.append(line)
                joined = line.startswith("+OK welcome bob")
        if not joined:
            res["problems"].append("udpchatd on fe80::1%%v0 did not welcome bob: %s" % got)
            return res
        raw.sendto(b"/who\n", ("fe80::1", PORT, 0, v0))    # the second datagram confirms
        clients = {}
        for name, host in (("alice", "fe80::1%v0"), ("carol", "fe80::1%%%d" % v0)):
            p = subprocess.run(spec["client"] + ["-n", name, host],
                               input=("hello from %s\n" % name).encode(),
                               capture_output=True, timeout=15 * spec["scale"])
            clients[name] = {"rc": p.returncode,
                             "stdout": p.stdout.decode("utf-8", "replace").splitlines(),
                             "stderr": p.stderr.decode("utf-8", "replace").splitlines()}
        res["clients"] = clients
        bad = subprocess.run(spec["client"] + ["-n", "dave", "fe80::1%nosuch0"],
                             input=b"", capture_output=True, timeout=10 * spec["scale"])
        res["bad"] = {"rc": bad.returncode,
                      "stderr": bad.stderr.decode("utf-8", "replace").splitlines()}
        deadline = time.monotonic() + 3 * spec["scale"]
        while time.monotonic() < deadline:
            if select.select([raw], [], [], 0.1)[0]:
                got.extend(raw.recv(4096).decode("utf-8", "replace").splitlines())
            if "carol left the room" in got:
                break
        res["raw"] = got
    finally:
        raw.close()
        srv.terminate()
        try:
            srv.wait(5)
        except subprocess.TimeoutExpired:
            srv.kill()
    return res


if __name__ == "__main__" and len(sys.argv) == 3 and sys.argv[1] == "--inside":
    print(json.dumps(_inside(sys.argv[2])))
    sys.exit(0)


# --- outside: the test --------------------------------------------------------

@timeout(60)
def test_link_local_scope_by_name_and_number(ctx):
    harness.namespaces_or_skip(ctx, "unshare --net, a veth pair", ("unshare", "ip"),
                               ["unshare", "--net", "ip", "link", "add", "v0", "type", "veth",
                                "peer", "name", "v1"], "unshare --net with a veth pair")
    res = harness.run_inside(ctx, __file__, ["--net"], {}, 50)
    for name in ("alice", "carol"):
        c = res["clients"][name]
        assert c["rc"] == 0, (name, c)
        assert any(l.startswith("+OK welcome %s " % name) for l in c["stdout"]), (name, c)
    raw = res["raw"]
    for name in ("alice", "carol"):
        assert "%s: hello from %s" % (name, name) in raw, raw
    assert res["bad"]["rc"] == 1, res["bad"]
    assert any("no such interface nosuch0" in l for l in res["bad"]["stderr"]), res["bad"]
