"""test_liveness.py: PROTOCOL.md "Liveness": the idle timeout, and a member
whose port closed (a real netcat killed with -9) removed within 1 s."""
import re
import time

from harness import needs_pollerr, online


def test_idle_timeout(ctx):
    srv = ctx.server("-t", "2")
    silent = ctx.peer()
    silent.send("silent")
    silent.expect("+OK welcome silent (idle timeout 2s), 1 online: silent")
    silent.send("")                 # confirmed: its leave is told
    t0 = time.monotonic()
    srv.members.append(silent)
    pinger, talker = srv.join("pinger"), srv.join("talker")
    gone = "silent left the room (timed out)"
    seen = {}
    n = 0
    while len(seen) < 2 and time.monotonic() - t0 < ctx.scale(5):
        n += 1
        pinger.send("/ping")            # /ping keeps a member
        talker.send("/who") if n % 2 else talker.send("tick %d" % n)   # so does any datagram
        time.sleep(0.3)
        for name, p in (("pinger", pinger), ("talker", talker)):
            for l in p.lines(0.01):
                if l == gone:
                    seen.setdefault(name, time.monotonic() - t0)
                else:
                    assert re.fullmatch(r"\+OK pong|\+OK \d online: .*|talker: tick \d+", l), l
    assert len(seen) == 2, "silent not removed within 5s with -t 2 (seen by %r)" % seen
    took = max(seen.values())
    assert 1.8 <= took <= 4.0, "removed after %.2fs with -t 2" % took
    silent.expect("-ERR removed from the room (timed out)", skip=True)
    assert all(re.fullmatch(r"(pinger|talker) joined the room|talker: tick \d+", l)
               for l in silent.skipped), silent.skipped
    pinger.send("/who")
    pinger.expect(online("+OK ", ["pinger", "talker"]))
    # the removed member is a stranger now
    silent.send("/ping")
    silent.expect("-ERR not in the room (send /join NAME)")
    assert srv.stats()["timeouts"] == 1
    srv.stop()


def test_no_idle_timeout(ctx):
    srv = ctx.server("-t", "0")
    a = ctx.peer()
    a.send("a")
    a.expect("+OK welcome a (no idle timeout), 1 online: a")
    a.send("")
    b = ctx.peer()
    b.join("b")
    a.expect("b joined the room")
    time.sleep(1.2)
    a.send("still here")
    b.expect("a: still here")
    srv.stop()


@needs_pollerr
def test_netcat_kill9_removed_within_1s(ctx):
    srv = ctx.server()
    alice, bob = srv.join("alice"), srv.join("bob")
    nc = ctx.nc(srv.port)
    nc.send("dave\n")
    nc.expect(online("+OK welcome dave (idle timeout 600s), ", ["alice", "bob", "dave"]))
    nc.send("\n")                   # an empty line confirms dave
    alice.expect("dave joined the room")
    bob.expect("dave joined the room")
    alice.send("hi dave")
    nc.expect("alice: hi dave")
    bob.expect("alice: hi dave")
    nc.kill9()
    t0 = time.monotonic()
    alice.send("are you there")
    bob.expect("alice: are you there", timeout=1.0)
    alice.expect("dave left the room (unreachable)", timeout=1.0)
    bob.expect("dave left the room (unreachable)", timeout=1.0)
    took = time.monotonic() - t0
    assert took < 1.0, "removed %.2fs after the message" % took
    alice.send("/who")
    alice.expect(online("+OK ", ["alice", "bob"]))
    r = srv.ctl("who")
    assert "dave" not in r.stdout, r.stdout
    assert srv.stats()["unreachable"] == 1
    # the rest of the room goes on
    bob.send("still here")
    alice.expect("bob: still here")
    alice.expect_none(0.2)
    srv.stop(told=(alice, bob))


@needs_pollerr
def test_unreachable_without_idle_timeout(ctx):
    """With -t 0 (no timer pending) the leave notice must still go out at once."""
    srv = ctx.server("-t", "0")
    alice, bob, eve = srv.join("alice"), srv.join("bob"), srv.join("eve")
    eve.close()
    alice.send("anyone there")
    bob.expect("alice: anyone there", timeout=1.0)
    alice.expect("eve left the room (unreachable)", timeout=1.0)
    bob.expect("eve left the room (unreachable)", timeout=1.0)
    srv.stop()


@needs_pollerr
def test_unreachable_ipv6(ctx):
    if not ctx.ipv6_ok():
        ctx.skip("::1 is not available on this host")
    srv = ctx.server()
    alice = srv.join("alice")
    six = srv.join("six", family=6)
    six.close()
    alice.send("x")
    alice.expect("six left the room (unreachable)", timeout=1.0)
    alice.send("/who")
    alice.expect("+OK 1 online: alice")
    srv.stop()


def test_any_datagram_keeps_a_member(ctx):
    """'Any datagram from the member keeps it': even lines the server refuses."""
    srv = ctx.server("-t", "1")
    a, b = srv.join("a"), srv.join("b")
    t0 = time.monotonic()
    while time.monotonic() - t0 < 2.2:
        a.send(b"bad \xff")                 # refused: not UTF-8
        a.expect("-ERR text is not valid UTF-8")
        b.send("/ping")
        b.expect("+OK pong")
        time.sleep(0.3)
    b.send("/who")
    b.expect(online("+OK ", ["a", "b"]))
    srv.stop()
