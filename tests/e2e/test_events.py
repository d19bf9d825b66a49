"""test_events.py: every row of PROTOCOL.md "Room events" in -L en and -L zh:
join, chat, leave, admin, timed out, unreachable, kicked, rename, private,
shutdown; and the lines told to a removed member."""
import time

from harness import needs_pollerr, online

TEXTS = {
    "en": {
        "join": "{} joined the room", "leave": "{} left the room",
        "admin": "[admin] {}", "timeout": "{} left the room (timed out)",
        "unreach": "{} left the room (unreachable)", "kicked": "{} left the room (kicked)",
        "rename": "{} is now known as {}", "private": "[private] {}: {}",
        "shutdown": "[admin] server is going down",
    },
    "zh": {
        "join": "{}进入了聊天室", "leave": "{}退出了聊天室",
        "admin": "管理员:{}", "timeout": "{}退出了聊天室（超时）",
        "unreach": "{}退出了聊天室（无法送达）", "kicked": "{}退出了聊天室（被管理员移出）",
        "rename": "{}改名为{}", "private": "[私聊] {}: {}",
        "shutdown": "管理员:服务器即将关闭",
    },
}


def _events(ctx, lang):
    T = TEXTS[lang]
    srv = ctx.server("-L", lang, "-t", "0")
    alice = ctx.peer()
    alice.send("alice")
    alice.expect("+OK welcome alice (no idle timeout), 1 online: alice")
    alice.send("")                  # the second datagram confirms alice
    srv.members.append(alice)
    bob = ctx.peer()
    bob.send("bob")
    bob.expect(online("+OK welcome bob (no idle timeout), ", ["alice", "bob"]))
    bob.send("")                    # the second datagram: the room hears of bob
    alice.expect(T["join"].format("bob"))                       # join
    srv.members.append(bob)
    carol = srv.join("carol")
    # chat (the same in both languages)
    alice.send("hello 你好")
    bob.expect("alice: hello 你好")
    carol.expect("alice: hello 你好")
    # admin announcement, from stdin and from udpchatctl
    srv.admin("notice one")
    for p in (alice, bob, carol):
        p.expect(T["admin"].format("notice one"))
    r = srv.ctl("say", "notice two")
    assert r.stdout.strip().splitlines()[-1] == "+OK sent to 3 members", r.stdout
    for p in (alice, bob, carol):
        p.expect(T["admin"].format("notice two"))
    # private
    alice.send("/msg bob secret")
    alice.expect("+OK sent to bob")
    bob.expect(T["private"].format("alice", "secret"))
    carol.expect_none(0.1)
    # rename
    carol.send("/nick dave")
    carol.expect("+OK you are now dave")
    alice.expect(T["rename"].format("carol", "dave"))
    bob.expect(T["rename"].format("carol", "dave"))
    # kicked
    r = srv.ctl("kick", "dave")
    assert r.stdout.strip().splitlines()[-1] == "+OK kicked dave", (r.stdout, r.stderr)
    carol.expect("-ERR removed from the room (kicked)")
    alice.expect(T["kicked"].format("dave"))
    bob.expect(T["kicked"].format("dave"))
    carol.expect_none(0.1)
    carol.send("/ping")                      # a stranger now: the next line carol gets
    carol.expect("-ERR not in the room (send /join NAME)")
    srv.members.remove(carol)
    # unreachable: in _unreachable (needs POLLERR)
    # leave
    bob.send("/quit")
    bob.expect("+OK bye")
    alice.expect(T["leave"].format("bob"))
    # shutdown
    srv.stop()
    alice.expect(T["shutdown"])
    alice.expect_none(0.1, final=True)       # the server is gone: the notice was the last line


def test_events_en(ctx):
    _events(ctx, "en")


def test_events_zh(ctx):
    _events(ctx, "zh")


def _unreachable(ctx, lang):
    """eve's port closes; the next line sent to her removes her. The one
    row of the catalogue that needs POLLERR (skipped under qemu-user)."""
    T = TEXTS[lang]
    srv = ctx.server("-L", lang, "-t", "0")
    alice, bob = srv.join("alice"), srv.join("bob")
    eve = srv.join("eve")
    eve.close()
    alice.send("anyone there")
    bob.expect("alice: anyone there")
    alice.expect(T["unreach"].format("eve"), timeout=1.0)
    bob.expect(T["unreach"].format("eve"), timeout=1.0)
    alice.send("/who")
    alice.expect(online("+OK ", ["alice", "bob"]))
    srv.stop()


@needs_pollerr
def test_events_unreachable_en(ctx):
    _unreachable(ctx, "en")


@needs_pollerr
def test_events_unreachable_zh(ctx):
    _unreachable(ctx, "zh")


def _timed_out(ctx, lang):
    T = TEXTS[lang]
    srv = ctx.server("-L", lang, "-t", "1")
    quiet = ctx.peer()
    quiet.send("quiet")
    quiet.expect("+OK welcome quiet (idle timeout 1s), 1 online: quiet")
    quiet.send("")                  # confirmed: its leave will be told
    t0 = time.monotonic()           # quiet's last datagram was sent before this
    srv.members.append(quiet)
    busy = srv.join("busy")
    gone = T["timeout"].format("quiet")
    took = None
    n = 0
    while took is None and time.monotonic() - t0 < ctx.scale(4):
        n += 1
        # busy's ping keeps busy (not scaled waits: the server's -t 1 is not)
        got = busy.sync("%d" % n, timeout=1.0)
        assert all(l == gone for l in got), got
        if gone in got:
            took = time.monotonic() - t0
        else:
            time.sleep(0.1)
    assert took is not None, "quiet was not removed within 4s with -t 1"
    assert took >= 0.9, "removed after %.2fs with -t 1" % took
    quiet.expect("-ERR removed from the room (timed out)")
    busy.send("/who")
    busy.expect("+OK 1 online: busy")
    srv.stop()


def test_timed_out_en(ctx):
    _timed_out(ctx, "en")


def test_timed_out_zh(ctx):
    _timed_out(ctx, "zh")
