"""test_server_basic.py: the basic server behaviour (the subset run on boards
under qemu with --basic): join, duplicate name, chat, admin notice, leave,
netcat. Texts are docs/PROTOCOL.md's, exactly."""
import re
import subprocess

from harness import basic, online, scale


@basic
def test_join(ctx):
    srv = ctx.server()
    alice = ctx.peer()
    alice.send("alice")
    alice.expect("+OK welcome alice (idle timeout 600s), 1 online: alice")
    alice.send("")                           # confirmed: past the bound on a stranger
    bob = ctx.peer()
    bob.send("/join bob")
    w = bob.expect(re.compile(r"\+OK welcome bob \(idle timeout 600s\), 2 online: (\S+) (\S+)"))
    assert sorted(w.split(": ")[1].split()) == ["alice", "bob"], w
    # the room hears of bob at his second datagram (any: an empty line)
    alice.expect_none(0.3)
    bob.send("")
    alice.expect("bob joined the room")
    alice.expect_none()
    bob.expect_none()
    srv.stop(told=(alice, bob))


@basic
def test_duplicate_name(ctx):
    srv = ctx.server()
    alice = srv.join("alice")
    p = ctx.peer()
    p.send("alice")
    p.expect("-ERR name taken: alice")
    p.send("/join alice")
    p.expect("-ERR name taken: alice")
    # ignoring ASCII case: Alice is the same name (the reply names the one asked for
    # or the one in the room; the document does not say which)
    p.send("/join ALICE")
    p.expect(re.compile(r"-ERR name taken: (ALICE|alice)"))
    p.send("Alice")
    p.expect(re.compile(r"-ERR name taken: (Alice|alice)"))
    alice.expect_none()
    # still not a member
    p.send("/who")
    p.expect("-ERR not in the room (send /join NAME)")
    p.join("alice2")
    alice.expect("alice2 joined the room")   # the next line alice gets
    srv.stop(told=(alice, p))


@basic
def test_chat(ctx):
    srv = ctx.server()
    alice, bob, carol = srv.join("alice"), srv.join("bob"), srv.join("carol")
    alice.send("hello")
    bob.expect("alice: hello")
    carol.expect("alice: hello")
    alice.send("/say hello again")
    bob.expect("alice: hello again")
    carol.expect("alice: hello again")
    # UTF-8 text and a name in Chinese
    zs = srv.join("张三")
    zs.send("你好，世界")
    for p in (alice, bob, carol):
        p.expect("张三: 你好，世界")
    # no echo to the sender
    alice.expect_none(0.2)
    zs.expect_none(0.2)
    srv.stop(told=(alice, bob, carol, zs))


@basic
def test_admin_notice_stdin(ctx):
    srv = ctx.server()
    alice, bob = srv.join("alice"), srv.join("bob")
    srv.admin("maintenance at 10pm")
    alice.expect("[admin] maintenance at 10pm")
    bob.expect("[admin] maintenance at 10pm")
    srv.admin("第二条 公告")
    alice.expect("[admin] 第二条 公告")
    bob.expect("[admin] 第二条 公告")
    srv.stop()


@basic
def test_admin_notice_stdin_zh(ctx):
    srv = ctx.server("-L", "zh")
    alice = srv.join("alice")
    srv.admin("hello")
    alice.expect("管理员:hello")
    srv.stop()


@basic
def test_leave(ctx):
    srv = ctx.server()
    alice, bob = srv.join("alice"), srv.join("bob")
    alice.send("/quit")
    alice.expect("+OK bye")
    bob.expect("alice left the room")
    bob.send("/who")
    bob.expect("+OK 1 online: bob")
    # alice is a stranger now
    alice.send("hi")
    alice.expect(online("+OK welcome hi (idle timeout 600s), ", ["bob", "hi"]))
    alice.send("")
    bob.expect("hi joined the room")
    srv.stop()


@basic
def test_netcat_oneshot(ctx):
    srv = ctx.server()
    bob = srv.join("bob")
    # the document's example, with the real netcat: one datagram, so the
    # room hears the line but no join or leave (the address was heard once)
    r = subprocess.run("printf 'alice\\nhello\\n/quit\\n' | nc -u -q1 127.0.0.1 %d" % srv.port,
                       shell=True, capture_output=True, timeout=scale(10))
    bob.expect("alice: hello")
    # nc -q1 may quit before printing the replies (netcat-openbsd stops reading
    # at stdin's EOF); what it did print must be the welcome and the bye
    out = r.stdout.decode()
    assert out in ("", ) or out.startswith("+OK welcome alice "), out
    bob.expect_none(0.1)
    srv.stop(told=(bob,))


@basic
def test_netcat_session(ctx):
    srv = ctx.server()
    bob = srv.join("bob")
    nc = ctx.nc(srv.port)
    nc.send("carol\n")
    nc.expect(re.compile(r"\+OK welcome carol \(idle timeout 600s\), 2 online: (bob carol|carol bob)"))
    # carol's address was heard once: the room hears of her at her next line
    bob.expect_none(0.3)
    bob.send("hi carol")
    nc.expect("bob: hi carol")
    nc.send("hi bob\n")
    bob.expect("carol joined the room")
    bob.expect("carol: hi bob")
    nc.send("/who\n")
    nc.expect(re.compile(r"\+OK 2 online: (bob carol|carol bob)"))
    nc.send("/msg bob psst\n")
    nc.expect("+OK sent to bob")
    bob.expect("[private] carol: psst")
    nc.send("/quit\n")
    nc.expect("+OK bye")
    bob.expect("carol left the room")
    srv.stop()
