"""test_alloc.py: the relay path makes no heap allocation.

Uses build/alloccount/udpchatmulti (make alloccount: the same sources linked
with -Wl,--wrap=malloc,... (every allocator: malloc, calloc, realloc,
aligned_alloc, posix_memalign, memalign) and tests/alloc/wrap.c, which writes
"allocations N" and "frees N" to $UDPCHAT_ALLOC_LOG when the server exits).
Two servers do exactly the same thing except that one relays 10 messages
through 3 members and the other 10,000: the counts must be identical.
Runs with the plain build only (BINDIR build/host); skipped for others."""
import os
import select
import socket
import time

from harness import timeout

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
# UDPCHAT_ALLOC_BINDIR: another allocation-count build (to check the test itself)
ALLOC_BIN = os.environ.get("UDPCHAT_ALLOC_BINDIR") or os.path.join(ROOT, "build", "alloccount")


def _read_log(path):
    with open(path) as f:
        kv = dict(l.split() for l in f.read().splitlines() if l.strip())
    return {k: int(v) for k, v in kv.items()}


def _relay(ctx, count):
    log = os.path.join(ctx.tmp, "alloc-%d.log" % count)
    srv = ctx.server("-r", "0", bindir=ALLOC_BIN, env={"UDPCHAT_ALLOC_LOG": log})
    a, b, c = srv.join("a"), srv.join("b"), srv.join("c")
    a.send("/who")
    a.read_name_list(a.expect_prefix("+OK 3 online: "))
    a.send("/msg b hi")
    a.expect("+OK sent to b")
    b.expect("[private] a: hi")
    per = 25                         # lines per datagram; one batch in flight at a time
    sent = 0
    want = 0
    got = {b: 0, c: 0}
    while sent < count:
        k = min(per, count - sent)
        a.send(*["message %05d" % (sent + i) for i in range(k)])
        sent += k
        want += k
        deadline = time.monotonic() + ctx.scale(5)
        while min(got.values()) < want:
            left = deadline - time.monotonic()
            assert left > 0, "relay stalled at %d/%d lines: %r" % (min(got.values()), want, got)
            r, _, _ = select.select([b.sock, c.sock], [], [], left)
            for p in (b, c):
                if p.sock in r:
                    while True:
                        try:
                            data = p.sock.recv(65536, socket.MSG_DONTWAIT)
                        except BlockingIOError:
                            break
                        got[p] += data.count(b"\n")
                        if not data.endswith(b"\n"):
                            raise AssertionError("datagram not ending in a newline")
    assert got == {b: count, c: count}, got
    b.send("bye")
    a.expect("b: bye")
    c.expect("b: bye")
    srv.stop()
    assert os.path.exists(log), "the alloccount server wrote no %s (did it exit through exit()?)" % log
    return _read_log(log)


@timeout(120)
def test_relay_makes_no_allocation(ctx):
    if os.path.basename(os.path.normpath(ctx.bindir)) != "host":
        ctx.skip("the allocation count runs with build/host only")
    if not os.path.exists(os.path.join(ALLOC_BIN, "udpchatd")):
        raise AssertionError("no %s/udpchatd: run `make alloccount` (make test does)" % ALLOC_BIN)
    small = _relay(ctx, 10)
    big = _relay(ctx, 10000)
    assert small.get("wrapped") == 1 and big.get("wrapped") == 1, \
        "the malloc wrappers are not in the call path: %r %r" % (small, big)
    ctx.note("allocations: %d with 10 messages relayed, %d with 10,000 (frees %d, %d; "
             "libc-internal %d, %d)" % (small["allocations"], big["allocations"], small["frees"],
                                        big["frees"], small.get("libc_allocations", 0),
                                        big.get("libc_allocations", 0)))
    assert small["allocations"] == big["allocations"], \
        "allocations differ: %d for 10 messages, %d for 10,000" % (small["allocations"],
                                                                   big["allocations"])
    assert small["frees"] == big["frees"], \
        "frees differ: %d for 10 messages, %d for 10,000 (an allocator that is not wrapped?)" % (
            small["frees"], big["frees"])
    assert small.get("libc_allocations") == big.get("libc_allocations"), (small, big)
