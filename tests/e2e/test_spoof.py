"""test_spoof.py: what a member cannot make the others see (issue 10, item 4):
a row that looks like the operator's announcement by wrapping, and text
reordered by bidi controls. The real udpchat in a real terminal (tmux, 80
columns) for the display; the real udpchatd over UDP (a socket and real
`nc -u`) for the bidi rule."""
import re

import harness
from harness import timeout
from test_client import Client, FakeServer, Tmux, bottom, quits

# Unicode's Bidi_Control characters (PROTOCOL.md "Datagrams and lines")
BIDI = (0x061C, 0x200E, 0x200F, 0x202A, 0x202B, 0x202C, 0x202D, 0x202E,
        0x2066, 0x2067, 0x2068, 0x2069)
RTL = ("שלום עולם", "مرحبا بالعالم 123", "עברית ו-English 42")
# "bob: hi" and 73 spaces are 80 columns: "[admin]" would start the next row
FAKE = "hi" + " " * 73 + "[admin] server is going down"


def _refused(p, line, cp):
    p.send(line)
    p.expect("-ERR text contains a bidi control character (U+%04X)" % cp)


def _no_bidi(datagrams):
    for d in datagrams:
        bad = [c for c in d.decode("utf-8", "replace") if ord(c) in BIDI]
        assert not bad, "bidi controls delivered: %r" % d


def test_bidi_controls_refused(ctx):
    srv = ctx.server("-r", "0")
    alice, bob = srv.join("alice"), srv.join("bob")
    for cp in BIDI:
        c = chr(cp)
        _refused(alice, "abc" + c + "def", cp)                 # plain text
        _refused(alice, "/say " + c + "txet", cp)
        _refused(alice, "/msg bob 1" + c + "2", cp)
        # as the real attack writes it: the override, then the reversed words
        _refused(alice, "\u202enwod gniog si revres ]nimda[", 0x202E)
    bob.expect_none(0.3)
    # on the same channel: right-to-left scripts themselves are relayed, as
    # are the invisible characters that are not bidi controls (ZWJ in emoji)
    for text in RTL + ("\U0001F469\u200d\U0001F4BB", "\u2764\ufe0f"):
        alice.send(text)
        bob.expect("alice: " + text)
        bob.send("/msg alice " + text)
        alice.expect("[private] bob: " + text)
        bob.expect("+OK sent to alice")
    _no_bidi(bob.datagrams + alice.datagrams)
    srv.stop()


def test_bidi_controls_refused_netcat(ctx):
    """A netcat user sees raw bytes: the server must refuse, and say why."""
    srv = ctx.server("-r", "0")
    bob = srv.join("bob")
    nc = ctx.nc(srv.port)
    nc.send("carol\n")
    nc.expect(re.compile(r"\+OK welcome carol .*"))
    nc.send("\n")                          # Enter: the second datagram confirms carol
    bob.expect("carol joined the room")
    nc.send("price: \u202e0001\u202c dollars\n")
    nc.expect("-ERR text contains a bidi control character (U+202E)")
    nc.send("\u2067hi\u2069\n")
    nc.expect("-ERR text contains a bidi control character (U+2067)")
    nc.send("pay \u200f10 \u200f30\n")              # shows "pay 30 10" where bidi is done
    nc.expect("-ERR text contains a bidi control character (U+200F)")
    bob.expect_none(0.3)
    nc.send("שלום, price 1000 dollars\n")
    bob.expect("carol: שלום, price 1000 dollars")
    _no_bidi(bob.datagrams)
    srv.stop()


def test_bidi_controls_refused_in_announcements(ctx):
    """The operator's lines (stdin and udpchatctl say) follow the same rule."""
    srv = ctx.server()
    alice = srv.join("alice")
    srv.admin("x\u202ey")
    r = srv.ctl("say", "a\u2066b")              # udpchatctl refuses it itself
    assert r.returncode == 2 and "(0x2066)" in r.stderr, (r.returncode, r.stdout, r.stderr)
    reply = harness.ctl_request(srv.ctl_path, "say a\u2066b\n".encode())   # and so does the server
    assert reply.startswith(b"-ERR"), reply
    alice.expect_none(0.3)
    srv.admin("שלום stdin")
    alice.expect("[admin] שלום stdin")
    r = srv.ctl("say", "مرحبا ctl")
    assert r.returncode == 0, (r.returncode, r.stdout, r.stderr)
    alice.expect("[admin] مرحبا ctl")
    err = srv.stderr_text()
    assert "announcement not sent: contains a control character (0x202e)" in err, err
    _no_bidi(alice.datagrams)
    srv.stop()


def test_client_pipe_lines_unchanged(ctx):
    """Not a terminal: one line per event, as it came, bidi controls escaped."""
    fake = FakeServer()
    try:
        c = Client(ctx, "-n", "alice", "127.0.0.1", fake.port)
        fake.accept()
        fake.say("bob: " + FAKE + "\nbob: abc\u202edef\nbob: שלום\n[admin] real\n")
        c.expect_prefix("+OK welcome alice ")
        c.expect("bob: " + FAKE)
        c.expect(r"bob: abc\xe2\x80\xaedef")
        c.expect("bob: שלום")
        c.expect("[admin] real")
        assert "\x1b" not in "".join(c.lines(0.2))
        quits(c, fake)
    finally:
        fake.close()


SGR = re.compile(r"\x1b\[([0-9;]*)m")


def _cells(t):
    """The screen as rows of (character, attributes) from capture-pane -e,
    which writes only the changes of attributes (also from row to row).
    Attributes kept: "bold", "reverse"."""
    out, attrs = [], set()
    for row in t.tmux("capture-pane", "-p", "-e", "-t", "0").split("\n")[:-1]:
        cells, pos = [], 0
        for m in SGR.finditer(row):
            cells += [(c, frozenset(attrs)) for c in row[pos:m.start()]]
            pos = m.end()
            for code in (m.group(1) or "0").split(";"):
                if code in ("0", ""):
                    attrs = set()
                elif code == "1":
                    attrs.add("bold")
                elif code == "7":
                    attrs.add("reverse")
                elif code == "22":
                    attrs.discard("bold")
                elif code == "27":
                    attrs.discard("reverse")
        cells += [(c, frozenset(attrs)) for c in row[pos:]]
        out.append(cells)
    return out


def _text(cells):
    return "".join(c for c, _ in cells).rstrip()


NOTICE = frozenset(("bold", "reverse"))


def _check_notice_style(t, notice_rows):
    """The rows whose text starts one of notice_rows are the announcement's:
    in bold reverse video up to the end of their text (a continuation row's
    indent too); every other cell on the screen plain."""
    seen = []
    for cells in _cells(t):
        text = _text(cells)
        if any(text.startswith(n) for n in notice_rows) and text:
            seen.append(text)
            assert all(a == NOTICE for _, a in cells[:len(text)]), cells
        else:
            assert all(not a for c, a in cells if c != " "), cells
    assert len(seen) == len(notice_rows), (seen, notice_rows)


def _check_admin_rows(t, rows, real):
    """Only the real announcement starts a row with the announcement prefix,
    and only it is styled (bold and reverse video); the rest is plain."""
    prefix = real[:real.index("]") + 1] if real.startswith("[") else real[:real.index(":") + 1]
    starts = [r.rstrip() for r in rows if r.startswith(prefix)]
    assert starts == [real], (starts, rows)
    _check_notice_style(t, [real])


@timeout(40)
def test_client_tty_no_fake_admin_row(ctx):
    srv = ctx.server("-r", "0")
    bob = srv.join("bob")
    t = Tmux(ctx, ["-n", "alice", "127.0.0.1", str(srv.port)])
    try:
        bob.expect("alice joined the room", 3)
        t.wait_for(lambda r: bottom(r) == ">", what="the empty input line")
        bob.send("/say " + FAKE)
        rows = t.wait_for(lambda r: any("server is going down" in l for l in r),
                          what="the padded line")
        i = [l.rstrip() for l in rows].index("bob: hi")
        # the line's second row is indented: no row starts with "[admin]"
        assert rows[i + 1].rstrip() == "  [admin] server is going down", rows
        assert len(rows[i]) <= 80
        srv.admin("the printer is fixed")
        rows = t.wait_for(lambda r: any("printer" in l for l in r), what="the announcement")
        _check_admin_rows(t, rows, "[admin] the printer is fixed")
        bob.expect("[admin] the printer is fixed")
        # a long announcement: each of its rows styled
        srv.admin("x" * 100)
        bob.expect("[admin] " + "x" * 100)
        rows = t.wait_for(lambda r: any(l.startswith("  " + "x" * 10) for l in r),
                          what="the long announcement")
        i = [l.rstrip() for l in rows].index("[admin] " + "x" * 72)
        assert rows[i + 1].rstrip() == "  " + "x" * 28, rows
        _check_notice_style(t, ["[admin] the printer is fixed", "[admin] " + "x" * 72,
                                "  " + "x" * 28])
        # what alice types is shown the same way: a long own line wraps indented
        t.keys("y" * 100)
        t.key("Enter")
        bob.expect("alice: " + "y" * 100)
        rows = t.wait_for(lambda r: any(l.startswith("  yyy") for l in r), what="the own line")
        i = [l.rstrip() for l in rows].index("alice: " + "y" * 73)
        assert rows[i + 1].rstrip() == "  " + "y" * 27, rows
        # a character the terminal draws wider than our table says (the
        # Yijing hexagrams: 1 column to utf8_width, 2 to tmux's wcwidth): the
        # row overflows, and with the terminal's wrapping off it is clipped
        # instead of going on in column 0 of the next row ("bob: x" and 37
        # hexagrams are 80 columns in tmux)
        bob.send("/say x" + "\u4dc0" * 37 + "[admin] fake")
        rows = t.wait_for(lambda r: any(l.startswith("bob: x\u4dc0") for l in r),
                          what="the hexagram line")
        assert not any(l.startswith(("[admin] fake", "\u4dc0")) for l in rows), rows
        # every row that starts in column 0 starts an event
        events = ("bob: ", "alice: ", "[admin] ", "+OK welcome", "bob joined the room", ">")
        for r in rows:
            assert not r.strip() or r.startswith("  ") or r.startswith(events), (r, rows)
        # after a resize the rows of new lines follow the new width (what is
        # on the screen already, tmux re-cuts itself: README "terminal")
        t.tmux("resize-window", "-x", "40", "-y", "20")
        t.wait_for(lambda r: len(r) == 20, what="the resize")
        bob.send("/say " + "z" * 60)
        rows = t.wait_for(lambda r: any(l.startswith("  zz") for l in r), what="a 40-column line")
        i = [l.rstrip() for l in rows].index("bob: " + "z" * 35)
        assert rows[i + 1].rstrip() == "  " + "z" * 25, rows
        t.key("C-c")
        bob.expect("alice left the room")
        assert t.exit_status() == 0
    finally:
        t.close()
    srv.stop()


@timeout(40)
def test_client_tty_chinese_notice_and_wide_rows(ctx):
    srv = ctx.server("-r", "0", "-L", "zh")
    bob = srv.join("bob")
    t = Tmux(ctx, ["-n", "alice", "127.0.0.1", str(srv.port)])
    try:
        bob.expect("alice进入了聊天室", 3)
        t.wait_for(lambda r: bottom(r) == ">", what="the empty input line")
        # 5 + 37 * 2 = 79 columns: the 38th wide character goes to the next row
        bob.send("/say " + "你" * 38)
        rows = t.wait_for(lambda r: any(l.rstrip() == "  你" for l in r), what="the wide line")
        i = [l.rstrip() for l in rows].index("  你")
        assert rows[i - 1].rstrip() == "bob: " + "你" * 37, rows
        # padding with ideographic spaces (2 columns each) cannot fake the notice either
        bob.send("/say hi" + "\u3000" * 36 + " 管理员:服务器即将关闭")
        rows = t.wait_for(lambda r: any("服务器即将关闭" in l for l in r), what="the padded line")
        assert any(l.rstrip() == "  管理员:服务器即将关闭" for l in rows), rows
        srv.admin("服务器维修")
        rows = t.wait_for(lambda r: any("服务器维修" in l for l in r), what="the announcement")
        _check_admin_rows(t, rows, "管理员:服务器维修")
        bob.expect("管理员:服务器维修")
        t.key("C-c")
        bob.expect("alice退出了聊天室")
        assert t.exit_status() == 0
    finally:
        t.close()
    srv.stop()


@timeout(30)
def test_client_tty_escapes_bidi_from_old_server(ctx):
    """A server that relays bidi controls (one from before this rule): the
    client shows them escaped, and right-to-left letters as they are."""
    fake = FakeServer()
    t = Tmux(ctx, ["-n", "alice", "127.0.0.1", str(fake.port)])
    try:
        fake.accept()
        t.wait_for(lambda r: any(l.startswith("+OK welcome alice") for l in r), what="welcome")
        fake.say("bob: \u202enwod gniog si revres\nbob: שלום\n")
        rows = t.wait_for(lambda r: any(l.rstrip() == "bob: שלום" for l in r), what="the RTL line")
        assert any(l.rstrip() == r"bob: \xe2\x80\xaenwod gniog si revres" for l in rows), rows
        # the same rows in the same order (nothing of them was dropped)
        txt = [l.rstrip() for l in rows]
        assert txt.index("bob: שלום") == txt.index(r"bob: \xe2\x80\xaenwod gniog si revres") + 1
        t.keys("/quit")
        t.key("Enter")
        assert fake.recv_line() == b"/quit\n"
        fake.say("+OK bye\n")
        assert t.exit_status() == 0
    finally:
        t.close()
        fake.close()
