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
    zs.send("")                              # confirmed: past the bound on a stranger
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


# Issue 10, "Names that look like someone else's": every name below was
# accepted before. Each is refused with its reason through /join, and a name
# beside it is accepted from the same peer (the positive control on the same
# channel).
LOOKALIKES = [
    ("admin\ufe0f", "contains an invisible character"),       # variation selectors
    ("管理员\ufe0f", "contains an invisible character"),
    ("admin\U000e0100", "contains an invisible character"),
    ("a\U0001d173b", "contains an invisible character"),      # musical beam control
    ("\u3164", "contains an invisible character"),            # Hangul fillers
    ("bob\u115f", "contains an invisible character"),
    ("a\uffa0b", "contains an invisible character"),
    ("a\u2800b", "contains an invisible character"),          # blank Braille pattern
    ("ａｄｍｉｎ", "reserved"),                                # fullwidth
    ("ＳＥＲＶＥＲ", "reserved"),
    ("аdmin", "reserved"),                                    # Cyrillic а
    ("Αdmin", "reserved"),                                    # Greek Α
    ("ѕеrvеr", "reserved"),                                   # Cyrillic ѕ е
    ("𝐚𝐝𝐦𝐢𝐧", "reserved"),                                # mathematical bold
    ("aⅾⅿⅰn", "reserved"),                                    # Roman numerals
    ("［admin］", BAD_START),
    ("＋OK", BAD_START),
    ("a：b", "contains ':'"),
    ("管理員", "reserved"),                                    # traditional 员
    ("管\uf9e4员", "reserved"),                                # compatibility 理
    ("服务器", "reserved"),
    ("服務器", "reserved"),
    ("伺服器", "reserved"),
    ("\u0301x", "contains a combining mark"),                 # a lone mark
    ("jose\u0301", "contains a combining mark"),
]


def test_name_lookalikes_refused(ctx):
    srv = ctx.server("-r", "0")                               # 50 /nick in a row
    p = ctx.peer()
    for name, reason in LOOKALIKES:
        _rejected(p, name, reason)
    # as plain text from a stranger, with the hint
    p.send("ａｄｍｉｎ")
    p.expect("-ERR not in the room: send your name first (invalid name: reserved)")
    # and as a new name for a member
    m = srv.join("member")
    for name, reason in LOOKALIKES:
        m.send("/nick " + name)
        m.expect("-ERR invalid name: " + reason)
    m.send("/who")
    m.expect("+OK 1 online: member")
    # beside them, fine names, from the same peer: precomposed accents,
    # Chinese, Cyrillic that looks like no Latin word, a reserved word and more
    for name in ("josé", "管理员2", "服务", "сергей", "ａｄｍｉｎ2", "สมศักดิ์"):
        m.send("/nick " + name)
        m.expect("+OK you are now " + name)
    p.join("张三")
    srv.stop()


def test_name_looks_like_a_member(ctx):
    srv = ctx.server()
    obs = srv.join("observer")
    jose = srv.join("josé")
    p = ctx.peer()
    # the reply names the member it looks like, as that member typed it
    for name in ("оbserver", "ｏｂｓｅｒｖｅｒ", "OBSERVER", "𝐨𝐛𝐬𝐞𝐫𝐯𝐞𝐫", "оbsеrvеr"):
        p.send("/join " + name)
        p.expect("-ERR name taken: observer")
    p.send("/join jоsé")                                      # Cyrillic о
    p.expect("-ERR name taken: josé")
    # a combining mark is refused wherever it is: observer + grave, jose + acute
    _rejected(p, "observer\u0300", "contains a combining mark")
    _rejected(p, "jose\u0301", "contains a combining mark")
    # an accent is seen: jose is not josé
    j2 = srv.join("jose")
    # a member renaming to a lookalike of another
    j2.send("/nick ＪＯＳＥ")                                  # its own: fine
    j2.expect("+OK you are now ＪＯＳＥ")
    for q in (obs, jose):
        q.expect("jose is now known as ＪＯＳＥ")
    j2.send("/nick оbserver")
    j2.expect("-ERR name taken: observer")
    # /msg finds a member by a lookalike too; the name shown is as typed
    j2.send("/msg ｏｂｓｅｒｖｅｒ hi")
    j2.expect("+OK sent to observer")
    obs.expect("[private] ＪＯＳＥ: hi")
    obs.send("/who")
    obs.expect(online("+OK ", ["observer", "josé", "ＪＯＳＥ"]))
    # when observer leaves, its lookalike is free
    obs.send("/quit")
    obs.expect("+OK bye")
    srv.members.remove(obs)
    for q in (jose, j2):
        q.expect("observer left the room")
    srv.join("ｏｂｓｅｒｖｅｒ")
    srv.stop()


def test_name_lookalike_zh_admin(ctx):
    """With -L zh the notice prefix is 管理员: no member can look like it."""
    srv = ctx.server("-L", "zh")
    zs = srv.join("张三")
    p = ctx.peer()
    for name, reason in (("管理员\ufe0f", "contains an invisible character"),
                         ("管理員", "reserved"), ("管理员", "reserved"),
                         ("管\uf9e4员", "reserved"), ("服务器", "reserved")):
        _rejected(p, name, reason)
    r = srv.ctl("say", "服务器即将关闭")
    assert r.returncode == 0, r
    zs.expect("管理员:服务器即将关闭")
    p.join("李四")
    zs.expect("李四进入了聊天室")
    srv.stop()
