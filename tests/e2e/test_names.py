"""test_names.py: every name rule of PROTOCOL.md "Names", through /join, plain
text from a stranger, and /nick."""
import re

from harness import online

BAD_START = "must not start with '/', '+', '-' or '['"


def _rejected(p, name, reason):
    p.send(b"/join " + (name.encode() if isinstance(name, str) else name))
    p.expect("-ERR invalid name: " + reason)


def test_name_lengths(ctx):
    srv = ctx.server()
    p = ctx.peer()
    _rejected(p, "abcdefghijklmnopq", "longer than 16 characters")            # 17
    _rejected(p, "张三" + "a" * 15, "longer than 16 characters")               # 17 chars, 21 bytes
    _rejected(p, "\U0001F600" * 13, "longer than 48 bytes")                    # 13 chars, 52 bytes
    # 16 characters, 16 bytes; 16 characters, 48 bytes; 12 characters, 48 bytes
    a = srv.join("abcdefghijklmnop")
    b = srv.join("张" * 16)
    c = srv.join("\U0001F600" * 12)
    d = srv.join("x")                                                           # 1 character
    c.send("/who")
    c.expect(online("+OK ", ["abcdefghijklmnop", "张" * 16, "\U0001F600" * 12, "x"]))
    a.send("hi")
    for q in (b, c, d):
        q.expect("abcdefghijklmnop: hi")
    srv.stop()


def test_name_chinese(ctx):
    srv = ctx.server()
    zs = ctx.peer()
    zs.send("张三")
    zs.expect("+OK welcome 张三 (idle timeout 600s), 1 online: 张三")
    srv.members.append(zs)
    ls = srv.join("李四")
    ls.send("你好")
    zs.expect("李四: 你好")
    ls.send("/msg 张三 私聊")
    ls.expect("+OK sent to 张三")
    zs.expect("[private] 李四: 私聊")
    srv.stop()


def test_name_whitespace(ctx):
    srv = ctx.server()
    p = ctx.peer()
    for n in ("a\u3000b", "\u3000ab", "ab\u3000", "a\u2003b", "a\u00a0b", "a\u205fb"):
        _rejected(p, n, "contains whitespace")
    # as plain text from a stranger: the hint
    p.send("a\u3000b")
    p.expect("-ERR not in the room: send your name first (invalid name: contains whitespace)")
    p.send("/who")
    p.expect("-ERR not in the room (send /join NAME)")
    srv.stop()


def test_name_colon_and_start(ctx):
    srv = ctx.server()
    p = ctx.peer()
    _rejected(p, "a:b", "contains ':'")
    _rejected(p, "ab:", "contains ':'")
    for n in ("/x", "+x", "-x", "[x", "[admin]", "+OK", "-ERR"):
        _rejected(p, n, BAD_START)
    # allowed elsewhere in the name
    srv.join("x-+[/]")
    srv.stop()


def test_name_reserved(ctx):
    srv = ctx.server()
    p = ctx.peer()
    for n in ("admin", "ADMIN", "Admin", "server", "SERVER", "sErVeR", "管理员"):
        _rejected(p, n, "reserved")
    p.send("server")
    p.expect("-ERR not in the room: send your name first (invalid name: reserved)")
    # only those exact names
    srv.join("admin2")
    srv.join("myserver")
    srv.stop()


def test_name_unique_ignoring_ascii_case(ctx):
    srv = ctx.server()
    srv.join("Alice")
    p = ctx.peer()
    p.send("/join alice")
    p.expect(re.compile(r"-ERR name taken: (alice|Alice)"))
    p.send("/join ALICE")
    p.expect(re.compile(r"-ERR name taken: (ALICE|Alice)"))
    # only ASCII case folds: Ä and ä are two names
    srv.join("Äx")
    srv.join("äx")
    srv.stop()


def test_name_not_utf8(ctx):
    srv = ctx.server()
    p = ctx.peer()
    p.send(b"/join a\xffb")
    # the line check (text) or the name check may answer first; both are specified
    p.expect(re.compile(r"-ERR (text is not valid UTF-8|invalid name: not valid UTF-8)"))
    p.send(b"\xc3\x28")
    p.expect(re.compile(r"-ERR (text is not valid UTF-8|not in the room: send your name first "
                        r"\(invalid name: not valid UTF-8\))"))
    p.send("/who")
    p.expect("-ERR not in the room (send /join NAME)")
    srv.stop()


def test_name_invisible_characters(ctx):
    srv = ctx.server()
    p = ctx.peer()
    for n in ("ad\u200bmin", "a\u200cb", "a\u200db", "a\u00adb", "a\U000E0041b", "a\u2060b"):
        _rejected(p, n, "contains an invisible character")
    # bidi controls: the line check (text) or the name check may answer first
    for n, cp in (("\u202eabc", "202E"), ("a\u2066b", "2066")):
        p.send("/join " + n)
        p.expect(re.compile(r"-ERR (text contains a bidi control character \(U\+%s\)|"
                            r"invalid name: contains an invisible character)" % cp))
    # U+FEFF is a BOM and a "zero width no-break space": either reason is fair
    p.send("/join \ufeffab")
    p.expect(re.compile(r"-ERR invalid name: contains (an invisible character|whitespace)"))
    p.send("ad\u200bmin")
    p.expect("-ERR not in the room: send your name first (invalid name: contains an invisible character)")
    p.send("/who")
    p.expect("-ERR not in the room (send /join NAME)")
    srv.stop()
