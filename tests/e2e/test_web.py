"""test_web.py: udpchatweb (issue 12, part 2), the room in a browser.

test_web_browser drives a real headless chromium (Debian's chromium and
chromium-driver, through webdriver.py) with a phone's 360x740 viewport: two
pages and a real `nc -u` member chat both ways, Chinese and emoji included;
a refused name is shown; /msg, /who, /nick and /quit from a page; a line the
server refuses (a bidi control) shows its -ERR;
a name and a line of markup stay text (no alert, no img element); no
horizontal scroll at 360 px; a page whose connections are cut (a TCP proxy
between it and udpchatweb drops them and refuses new ones for a while)
reconnects by itself and shows what was said meanwhile once, with nothing
twice; a closed tab leaves the room. One browser session for the file.

The other tests speak HTTP over raw sockets: udpchatd restarting under two
sessions (udpchatweb, one bridge on its control socket, attaches again and
joins each), udpchatweb's end of the bridge against a fake udpchatd (the
stream fanned out, "@ID" lines, -LOST, reconnects and epochs), bad requests
get their 4xx (or a closed connection), 1,000 slow connections cannot hold
the server, a page that stops reading is dropped, a page gone leaves after
-t; the relay is never affected and udpchatweb never dies."""
import os
import re
import resource
import signal
import socket
import subprocess
import threading
import time

from harness import SANITIZER_MARKS, timeout
import webdriver


class Web:
    """udpchatweb for a server (or a control socket's path), on a free TCP
    port (.port, .proc); .stop() ends it with SIGTERM and checks its exit
    status and its stderr (no sanitizer report)."""

    def __init__(self, ctx, srv, *flags):
        path = srv if isinstance(srv, str) else srv.ctl_path
        for _ in range(5):
            self.port = webdriver.free_tcp_port()
            self.err = os.path.join(ctx.tmp, "udpchatweb.%d.err" % self.port)
            with open(self.err, "wb") as err:
                self.proc = ctx.popen(ctx.cmd("udpchatweb", "-p", self.port, "-c", path, *flags),
                                      stdout=err, stderr=err)
            end = time.monotonic() + ctx.scale(5)
            while time.monotonic() < end and self.proc.poll() is None:
                try:
                    socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                    return
                except OSError:
                    time.sleep(0.05)
            self.proc.kill()
            self.proc.wait()
        raise AssertionError("udpchatweb did not start")

    def alive(self):
        return self.proc.poll() is None

    def stop(self):
        assert self.alive(), "udpchatweb died: %s" % open(self.err).read()[-2000:]
        self.proc.send_signal(signal.SIGTERM)
        rc = self.proc.wait(timeout=10)
        text = open(self.err, errors="replace").read()
        assert not any(m in text for m in SANITIZER_MARKS), text[-3000:]
        assert rc == 0, "udpchatweb exited %d: %s" % (rc, text[-2000:])


def _need_web(ctx):
    if subprocess.run(ctx.cmd("udpchatweb", "-V"), capture_output=True).returncode != 0:
        ctx.skip("no udpchatweb in %s (make PROGS=\"... udpchatweb\")" % ctx.bindir)


def _http(port, data, timeout_s=5.0, shut=True):
    """Sends data on a new connection; returns all it gets until closed."""
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout_s)
    try:
        try:
            s.sendall(data)
            if shut:
                s.shutdown(socket.SHUT_WR)
        except OSError:
            pass            # refused and closed before all of it was sent
        out = b""
        while True:
            try:
                b = s.recv(65536)
            except ConnectionResetError:
                break
            if not b:
                break
            out += b
        return out
    finally:
        s.close()


def _status(reply):
    m = re.match(rb"HTTP/1\.1 (\d{3}) ", reply)
    return int(m.group(1)) if m else None


def _post(port, path, body):
    b = body.encode() if isinstance(body, str) else body
    r = _http(port, b"POST %s HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n%s"
              % (path.encode(), len(b), b))
    head, _, rest = r.partition(b"\r\n\r\n")
    return _status(r), rest.decode("utf-8", "replace").rstrip("\n")


class Proxy:
    """A TCP proxy 127.0.0.1:port -> udpchatweb; cut(s) drops every
    connection and refuses new ones for s seconds (a phone's Wi-Fi gone)."""

    def __init__(self, target):
        self.target = target
        self.ls = socket.socket()
        self.ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.ls.bind(("127.0.0.1", 0))
        self.ls.listen(64)
        self.port = self.ls.getsockname()[1]
        self.conns = []
        self.blocked_until = 0
        self.accepted = 0
        self.lock = threading.Lock()
        self.stop = False
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while not self.stop:
            try:
                c, _ = self.ls.accept()
            except OSError:
                return
            if time.monotonic() < self.blocked_until:
                c.close()
                continue
            try:
                u = socket.create_connection(("127.0.0.1", self.target), timeout=5)
            except OSError:
                c.close()
                continue
            with self.lock:
                self.conns += [c, u]
                self.accepted += 1
            for a, b in ((c, u), (u, c)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(a, b):
        try:
            while True:
                d = a.recv(65536)
                if not d:
                    break
                b.sendall(d)
        except OSError:
            pass
        for s in (a, b):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def cut(self, seconds):
        self.blocked_until = time.monotonic() + seconds
        with self.lock:
            for s in self.conns:
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                s.close()
            self.conns = []

    def close(self):
        self.stop = True
        self.ls.close()
        self.cut(0)


LOG_TEXTS = "return Array.from(document.querySelectorAll('#log li')).map(e => e.textContent)"
HAS = ("return Array.from(document.querySelectorAll('#log li'))"
       ".some(e => e.textContent === arguments[0])")
COUNT = ("return Array.from(document.querySelectorAll('#log li'))"
         ".filter(e => e.textContent === arguments[0]).length")


@timeout(90)
def test_web_browser(ctx):
    _need_web(ctx)
    why = webdriver.available()
    if why:
        ctx.skip(why)
    srv = ctx.server()
    web = Web(ctx, srv, "-t", "6")   # outlives the cut below
    port = web.port
    proxy = Proxy(port)
    d = webdriver.Driver.start(ctx.popen, ctx.tmp)
    try:
        d.new_session(360, 740)
        _browser(ctx, srv, port, proxy, d)
    finally:
        d.quit()
        proxy.close()
    web.stop()


def _join(ctx, d, url, name):
    d.get(url)
    d.wait("return document.readyState === 'complete'", ctx.scale(10), "page load")
    d.type("#line", name + webdriver.ENTER)
    d.wait("return document.getElementById('go').textContent === 'Send'", ctx.scale(5),
           "welcome for %s" % name)


def _say(d, text, typed=True):
    if typed:
        d.type("#line", text + webdriver.ENTER)
    else:  # emoji: not typable through chromedriver; set as an IME would
        d.js("var l = document.getElementById('line'); l.value = arguments[0];"
             "document.getElementById('form').requestSubmit();", text)


def _browser(ctx, srv, port, proxy, d):
    t = ctx.scale(5)
    carol = ctx.nc(srv.port)
    carol.send("carol\n")
    carol.expect(re.compile(r"\+OK welcome carol .*"))
    carol.send("\n")
    a = d.window()
    _join(ctx, d, "http://127.0.0.1:%d/" % proxy.port, "alice")
    carol.expect("alice joined the room", timeout=t)
    b = d.new_window()
    d.switch(b)
    d.get("http://127.0.0.1:%d/" % port)
    d.wait("return document.readyState === 'complete'", t, "page load")
    # a refused name: the page says why, and stays at the prompt
    d.type("#line", "alice" + webdriver.ENTER)
    d.wait("return document.getElementById('err').textContent === '-ERR name taken: alice'",
           t, "the refusal")
    mark = "<img/src=x>"
    d.js("document.getElementById('line').value = ''")
    d.type("#line", mark + webdriver.ENTER)
    d.wait("return document.getElementById('go').textContent === 'Send'", t, "welcome")
    carol.expect("%s joined the room" % mark, timeout=t)
    d.switch(a)
    d.wait(HAS, t, "the join of %s" % mark, "%s joined the room" % mark)

    # chat both ways: nc -> pages, page -> nc and the other page
    carol.send("hello from nc 你好\n")
    for w in (a, b):
        d.switch(w)
        d.wait(HAS, t, "carol's line", "carol: hello from nc 你好")
    d.switch(a)
    _say(d, "你好 carol, 中文")
    carol.expect("alice: 你好 carol, 中文", timeout=t)
    d.wait(HAS, t, "alice's own line", "alice: 你好 carol, 中文")
    _say(d, "emoji 😀👍🏽 ok", typed=False)
    carol.expect("alice: emoji 😀👍🏽 ok", timeout=t)
    d.switch(b)
    d.wait(HAS, t, "alice's lines", "alice: emoji 😀👍🏽 ok")
    assert d.js(COUNT, "alice: 你好 carol, 中文") == 1
    xss = "<img src=x onerror=alert(1)>"
    _say(d, xss)
    carol.expect("%s: %s" % (mark, xss), timeout=t)
    _say(d, "/msg carol psst")
    carol.expect("[private] %s: psst" % mark, timeout=t)
    d.wait(HAS, t, "the /msg reply", "+OK sent to carol")
    _say(d, "/who")
    d.wait("return Array.from(document.querySelectorAll('#log li')).some(e => "
           "/^\\+OK 3 online: /.test(e.textContent) && e.textContent.includes('carol'))",
           t, "the /who reply")
    _say(d, "bad \u202e line")   # the server refuses a bidi control: its -ERR shown
    d.wait(HAS, t, "the refusal", "-ERR text contains a bidi control character (U+202E)")
    carol.send("x" * 400 + "\n")  # one long word: must wrap, not scroll
    d.switch(a)
    d.wait(HAS, t, "the xss line as text", "%s: %s" % (mark, xss))
    d.wait(HAS, t, "the long line", "carol: " + "x" * 400)
    for w in (a, b):
        d.switch(w)
        assert d.alert_text() is None, "an alert opened"
        assert d.js("return document.querySelectorAll('img, svg, script[src]').length") == 0
        sw = d.js("return [document.documentElement.scrollWidth, window.innerWidth]")
        assert sw[0] <= 360 and sw[1] == 360, "scrollWidth, innerWidth: %r" % sw
    ctx.note("no alert, no img; scrollWidth <= 360 on both pages")

    # the cut: alice's page loses its connections (and can make none for
    # 2 s) while carol speaks; it reconnects by itself (Last-Event-ID)
    d.switch(a)
    before = d.js(LOG_TEXTS)
    accepted = proxy.accepted
    proxy.cut(ctx.scale(2))
    gap = ["carol: gap %d 缺口" % i for i in range(1, 6)]
    for line in gap:
        carol.send(line[len("carol: "):] + "\n")
        time.sleep(0.1)
    d.wait(HAS, ctx.scale(10), "the last line said while cut", gap[-1])
    after = d.js(LOG_TEXTS)
    assert after[:len(before)] == before, "the page's log changed"
    new = after[len(before):]
    assert [x for x in new if x.startswith("carol: gap")] == gap, new
    assert len(after) == len(set(after)) or all(after.count(x) == 1 for x in after
                                                if x.startswith("carol")), after
    assert proxy.accepted > accepted, "the page did not reconnect"
    ctx.note("resumed after the cut: %d new lines, none twice" % len(new))
    _say(d, "back")
    carol.expect("alice: back", timeout=t, skip=True)

    # /nick, then a closed tab leaves (the page says /quit as it goes, or -t 6 later)
    d.switch(b)
    _say(d, "/nick 小明")
    carol.expect("%s is now known as 小明" % mark, timeout=t, skip=True)
    d.wait("return document.getElementById('who').textContent === '小明'", t, "the new name")
    _say(d, "我是小明")
    carol.expect("小明: 我是小明", timeout=t)
    d.wait(HAS, t, "its own line under the new name", "小明: 我是小明")
    d.close_window()
    d.switch(a)
    carol.expect("小明 left the room", timeout=ctx.scale(10), skip=True)

    # udpchatd restarts under the page: the page goes on (udpchatweb
    # attaches again and joins as alice) and says so
    srv.stop()
    dave = ctx.server(port=srv.port, ctl=srv.ctl_path).join("dave")
    _say(d, "after the restart")
    dave.expect("alice: after the restart", timeout=t, skip=True)
    d.wait(HAS, t, "the restart told", "* the server restarted; earlier history is gone")
    d.wait(HAS, t, "its own line after the restart", "alice: after the restart")
    assert d.js("return document.getElementById('who').textContent") == "alice"
    _say(d, "/quit")
    dave.expect("alice left the room", timeout=t, skip=True)
    d.wait("return document.getElementById('go').textContent === 'Join'", t, "the prompt")


class Events:
    """An event stream read over a raw socket: .until(pred) returns the
    events (id, event, data) read until one matches pred."""

    def __init__(self, ctx, port, tok, last=None):
        self.ctx = ctx
        self.s = socket.create_connection(("127.0.0.1", port), timeout=ctx.scale(5))
        self.s.sendall(b"GET /events?s=%s HTTP/1.1\r\nHost: x\r\n%s\r\n" % (
            tok.encode(), b"Last-Event-ID: %s\r\n" % last.encode() if last else b""))
        self.buf = b""

    def until(self, pred, what):
        got = []
        end = time.monotonic() + self.ctx.scale(5)
        while time.monotonic() < end:
            while b"\n\n" in self.buf:
                block, self.buf = self.buf.split(b"\n\n", 1)
                f = dict(l.split(": ", 1) for l in block.decode().split("\n") if ": " in l)
                if "data" in f:
                    got.append((f.get("id"), f.get("event", ""), f["data"]))
                    if pred(got[-1]):
                        return got
            self.s.settimeout(max(0.05, end - time.monotonic()))
            b = self.s.recv(65536)
            assert b, "the stream ended before %s: %r" % (what, got)
            self.buf += b
        raise AssertionError("no %s: %r" % (what, got))

    def close(self):
        self.s.close()


@timeout(40)
def test_web_server_restart(ctx):
    """udpchatd restarts under two web members: udpchatweb attaches again
    and each joins again with its name (a line sent meanwhile then goes on);
    the page is told once, and the new epoch's event ids take a prefix, so a
    Last-Event-ID from either epoch resumes right. A name taken meanwhile
    ends the session with why. (udpchatweb's -c is a symlink, repointed once
    the new udpchatd's eve and dave are in: the order is the test's.)"""
    _need_web(ctx)
    srv = ctx.server()
    link = os.path.join(ctx.tmp, "web-ctl.sock")
    os.symlink(srv.ctl_path, link)
    web = Web(ctx, link)
    port = web.port
    tok = {}
    for name in ("ann", "eve"):
        st, body = _post(port, "/join", name)
        assert st == 200, (st, body)
        tok[name] = body.split("\n")[0]
    bob = srv.join("bob")
    bob.send("before")
    ev = Events(ctx, port, tok["ann"])
    old = ev.until(lambda e: e[2] == "bob: before", "bob's line")[-1][0]
    srv.stop()
    assert _post(port, "/send?s=" + tok["ann"], "after")[0] == 202
    srv = ctx.server(port=srv.port)
    srv.join("eve")
    dave = srv.join("dave")
    os.symlink(srv.ctl_path, link + ".new")
    os.replace(link + ".new", link)
    dave.expect("ann: after", timeout=ctx.scale(8), skip=True)
    got = ev.until(lambda e: e[1] == "mine", "ann's own line")
    told = [e for e in got if e[2] == "* the server restarted; earlier history is gone"]
    assert len(told) == 1 and got[-1][2] == "ann: after", got
    texts = [e[2] for e in got]
    assert texts.index(told[0][2]) < texts.index("dave joined the room"), got
    mine = got[-1][0]
    assert re.fullmatch(r"1-\d+", mine), got
    ev.close()
    # eve's name was taken meanwhile: its session ends, and says why
    e2 = Events(ctx, port, tok["eve"])
    end = e2.until(lambda e: e[1] == "end", "the end of eve's session")[-1]
    assert end[2].startswith("-ERR name taken: eve"), end
    e2.close()
    # Last-Event-ID of the old epoch: what came after it, once; of the new
    # one: nothing before it
    dave.send("later")
    for last in (old, mine):
        r = Events(ctx, port, tok["ann"], last)
        got = r.until(lambda e: e[2] == "dave: later", "dave's line")
        texts = [e[2] for e in got]
        assert "bob: before" not in texts and texts.count("dave: later") == 1, got
        assert texts.count("ann: after") == (last == old), got
        r.close()
    web.stop()
    ctx.note("re-joined after the restart; ids %s then %s" % (old, mine))


class FakeRoom:
    """A fake udpchatd's control socket: accepts udpchatweb's connection,
    reads its lines (.expect) and writes it lines (.send)."""

    def __init__(self, ctx, path):
        self.ctx = ctx
        self.ls = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.ls.bind(path)
        self.ls.listen(4)
        self.ls.settimeout(ctx.scale(5))
        self.c = None

    def accept(self):
        self.c, _ = self.ls.accept()
        self.c.settimeout(self.ctx.scale(5))
        self.buf = b""

    def expect(self, line):
        while b"\n" not in self.buf:
            b = self.c.recv(4096)
            assert b, "udpchatweb closed the connection; wanted %r" % line
            self.buf += b
        got, self.buf = self.buf.split(b"\n", 1)
        assert got.decode() == line, (got, line)

    def send(self, *lines):
        self.c.sendall(b"".join(l.encode() + b"\n" for l in lines))

    def attach(self, epoch, seq):
        """Takes udpchatweb's next connection (the last one closed): its
        "bridge web", answered with udpchatd's epoch and last seq."""
        if self.c:
            self.c.close()
        self.accept()
        self.expect("bridge web")
        self.send("+OK bridge web %s %d" % (epoch, seq))

    def rejoined(self, mid, name, since):
        """Member mid (name) joins again and asks what it missed since seq."""
        self.expect("as %d /join %s" % (mid, name))
        self.expect("as %d /since %d" % (mid, since))


@timeout(30)
def test_web_bridge_stream(ctx):
    """udpchatweb's end of the bridge, against a fake udpchatd on a Unix
    socket: "bridge web", each session's lines as "as ID LINE"; the public
    events once for all sessions ("=SEQ!ID": not for member ID), "@ID LINE"
    for one, -LOST told; the connection lost: attached again, each member
    joins again and asks /since (same epoch) or /since 0 (a new one: told)."""
    _need_web(ctx)
    path = os.path.join(ctx.tmp, "fake.sock")
    fake = FakeRoom(ctx, path)
    web = Web(ctx, path)
    fake.attach("0000beef", 3)
    toks = {}

    def join(name, mid, welcome_more=()):
        th = threading.Thread(target=lambda: toks.__setitem__(name, _post(web.port, "/join", name)))
        th.start()
        fake.expect("as %d /join %s" % (mid, name))
        fake.expect("as %d /last 20" % mid)
        fake.send("@%d +OK welcome %s (idle timeout 600s), 1 online: %s" % (mid, name, name),
                  *welcome_more)
        th.join(ctx.scale(5))
        assert toks[name][0] == 200, toks
        return Events(ctx, web.port, toks[name][1].split("\n")[0])
    ann = join("ann", 1)
    fake.send("=4!1 ann joined the room", "@1 ~3 5 bob: three", "@1 +OK last 20 4")
    ann.until(lambda e: e[2] == "bob: three" and e[1] == "h", "the history")
    eve = join("eve", 2)
    fake.send("=5 eve joined the room", "@2 +OK last 20 5")  # (for ann: eve's no longer)
    fake.send("=6 bob: six", "-LOST 2", "=9!1 ann: mine", "@1 +OK ack 1 9")
    fake.send("@2 =10 [private] bob: psst", "=11 bob: eleven")
    got = eve.until(lambda e: e[2] == "bob: eleven", "eleven")
    assert [(e[0], e[2]) for e in got] == [
        ("6", "bob: six"), ("6.2", "* 2 lines were missed"), ("9", "ann: mine"),
        ("10", "[private] bob: psst"), ("11", "bob: eleven")], got
    got = ann.until(lambda e: e[2] == "bob: eleven", "eleven")
    assert [(e[0], e[2]) for e in got] == [
        ("5", "eve joined the room"), ("6", "bob: six"), ("6.4", "* 2 lines were missed"),
        ("11", "bob: eleven")], got
    # a page's line: "/id N TEXT" as member 1; its ack makes it the page's own
    assert _post(web.port, "/send?s=" + toks["ann"][1].split("\n")[0], "hello")[0] == 202
    fake.expect("as 1 /id 1 hello")
    fake.send("=12!1 ann: hello", "@1 +OK ack 1 12")
    got = ann.until(lambda e: e[1] == "mine", "ann's own line")
    assert got[-1][:3] == ("12", "mine", "ann: hello"), got
    # the connection lost, the same udpchatd: each member joins again and
    # asks what it missed
    fake.attach("0000beef", 13)
    fake.rejoined(1, "ann", 12)
    fake.rejoined(2, "eve", 12)
    fake.send("@1 +OK welcome ann (idle timeout 600s), 2 online: ann eve", "@1 ~13 0 bob: missed",
              "@1 +OK since 12 13 0", "=14!1 ann joined the room")
    got = ann.until(lambda e: e[2] == "bob: missed", "the missed line")
    assert [(e[0], e[2]) for e in got] == [("13", "bob: missed")], got
    # a new epoch (udpchatd restarted): told, ids prefixed, /since 0
    fake.attach("0000cafe", 0)
    fake.rejoined(1, "ann", 0)
    fake.send("@1 +OK welcome ann (idle timeout 600s), 1 online: ann", "@1 +OK since 0 0 0",
              "=1!1 ann joined the room", "=2 bob: new")
    got = ann.until(lambda e: e[2] == "bob: new", "the new epoch's line")
    assert [(e[0], e[2]) for e in got] == [
        ("1-0.8", "* the server restarted; earlier history is gone"), ("1-2", "bob: new")], got
    ann.close()
    eve.close()
    web.stop()
    fake.c.close()


@timeout(40)
def test_web_bad_http(ctx):
    _need_web(ctx)
    srv = ctx.server()
    web = Web(ctx, srv)
    port = web.port
    cases = [
        (b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03garbage\r\n\r\n", 400),
        (b"hello\r\n\r\n", 400),
        (b"GET / HTTP/1.1\r\nHost: x\r\n" + b"X-Big: " + b"a" * 100000 + b"\r\n\r\n", 431),
        (b"GET / HTTP/1.1\r\n" + b"X-Many: 1\r\n" * 10000 + b"\r\n", 431),
        (b"GET /" + b"a" * 5000 + b" HTTP/1.1\r\n\r\n", 414),
        (b"GET / HTTP/2.0\r\n\r\n", 505),
        (b"GET / HTTP/1.1\r\n folded: x\r\n\r\n", 400),
        (b"POST /send HTTP/1.1\r\nHost: x\r\n\r\n", 411),
        (b"POST /send HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n", 411),
        (b"POST /send HTTP/1.1\r\nContent-Length: 99999\r\n\r\n", 413),
        (b"POST /send HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab", 400),
        (b"GET /etc/passwd HTTP/1.1\r\n\r\n", 404),
        (b"GET /../../etc/passwd HTTP/1.1\r\n\r\n", 404),
        (b"GET http://evil/ HTTP/1.1\r\n\r\n", 400),
        (b"GET /events?s=0123 HTTP/1.1\r\n\r\n", 404),
        (b"POST /send?s=00000000000000000000000000000000 HTTP/1.1\r\nContent-Length: 2\r\n\r\nhi", 404),
        (b"POST / HTTP/1.1\r\nContent-Length: 0\r\n\r\n", 405),
        (b"GET /join HTTP/1.1\r\n\r\n", 405),
    ] + [(m + b" / HTTP/1.1\r\nHost: x\r\n\r\n", 405)
         for m in (b"PUT", b"DELETE", b"OPTIONS", b"TRACE", b"PATCH", b"CONNECT", b"BREW")]
    for req, want in cases:
        r = _http(port, req)
        assert _status(r) == want, "%r...: got %r, want %d" % (req[:40], r[:60], want)
        assert b"Connection: close\r\n" in r
    assert b"Allow: GET, POST" in _http(port, b"PUT / HTTP/1.1\r\n\r\n")
    # a name or line with a line break never becomes two protocol lines
    st, body = _post(port, "/join", "bob\n/quit")
    assert st == 400, (st, body)
    st, body = _post(port, "/join", "x" * 49)
    assert st == 400, (st, body)
    st, body = _post(port, "/join", "bad name")
    assert st == 409 and body == "-ERR invalid name: contains whitespace", (st, body)
    alice = srv.join("alice")
    st, tok = _post(port, "/join", "dave")
    assert st == 200, (st, tok)
    tok = tok.split("\n")[0]
    for line, want in (("hi\r\n/nick eve", 400), ("/id 1 hi", 400), ("/since 0", 400),
                       ("a\x00b", 400), ("hello", 202)):
        st, body = _post(port, "/send?s=" + tok, line)
        assert st == want, (line, st, body)
    # the relay and udpchatweb itself unaffected
    alice.expect("dave: hello", timeout=ctx.scale(3), skip=True)
    assert _status(_http(port, b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")) == 200
    web.stop()
    ctx.note("%d bad requests, each its 4xx/5xx" % len(cases))


@timeout(60)
def test_web_slow_clients(ctx):
    """1,000 connections that send half a request: the server keeps -m of
    them at most (each new one takes the oldest waiting one's place), so a
    real request still gets its page at once; those left are told 408 after
    5 s. The room's relay goes on meanwhile."""
    _need_web(ctx)
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < 1200:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 4096), hard))
    srv = ctx.server()
    web = Web(ctx, srv, "-m", "32")
    port = web.port
    alice, bob = srv.join("alice"), srv.join("bob")
    t0 = time.monotonic()
    socks = []
    try:
        for i in range(1000):
            s = socket.create_connection(("127.0.0.1", port), timeout=5)
            s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nX-Slow: ")
            socks.append(s)
            if i % 100 == 99:
                alice.send("line %d" % i)
                bob.expect("alice: line %d" % i, timeout=ctx.scale(2))
        opened = time.monotonic() - t0
        r = _http(port, b"GET / HTTP/1.1\r\nHost: x\r\n\r\n", timeout_s=ctx.scale(3))
        assert _status(r) == 200 and r.endswith(b"</html>\n"), r[:80]
        # count what the server still holds: the rest were closed (503)
        held = 0
        for s in socks:
            s.setblocking(False)
            try:
                b = s.recv(4096)
                if b and not b.startswith(b"HTTP/1.1 503"):
                    raise AssertionError("a slow client got %r" % b[:40])
            except BlockingIOError:
                held += 1
            except ConnectionResetError:
                pass
        assert held <= 32, "%d slow connections held" % held
        # the ones held are told 408 within WEB_REQ_MS (5 s) and closed
        end = time.monotonic() + ctx.scale(8)
        left = [s for s in socks if s.fileno() >= 0]
        timed = 0
        for s in left:
            s.setblocking(True)
            s.settimeout(max(0.1, end - time.monotonic()))
            try:
                b = s.recv(4096)
            except (socket.timeout, ConnectionResetError):
                continue
            if b.startswith(b"HTTP/1.1 408"):
                timed += 1
        assert timed >= held - 1, "%d of %d held got 408" % (timed, held)
        ctx.note("1000 opened in %.1fs; %d held, %d told 408" % (opened, held, timed))
    finally:
        for s in socks:
            s.close()
    alice.send("still here")
    bob.expect("alice: still here", timeout=ctx.scale(2))
    web.stop()


@timeout(40)
def test_web_slow_reader_and_linger(ctx):
    """A page whose event stream is not read is dropped once its session's
    ring runs past it (the relay and the other page go on); a member whose
    page is gone leaves after -t."""
    _need_web(ctx)
    srv = ctx.server("-r", "0")
    web = Web(ctx, srv, "-t", "1")
    port = web.port
    st, tok = _post(port, "/join", "slow")
    assert st == 200
    tok = tok.split("\n")[0]
    st, tok2 = _post(port, "/join", "fast")
    tok2 = tok2.split("\n")[0]
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    s.connect(("127.0.0.1", port))
    s.sendall(b"GET /events?s=%s HTTP/1.1\r\nHost: x\r\n\r\n" % tok.encode())
    f = socket.create_connection(("127.0.0.1", port))
    f.sendall(b"GET /events?s=%s HTTP/1.1\r\nHost: x\r\n\r\n" % tok2.encode())
    alice = srv.join("alice")
    got, n = b"", 0
    f.settimeout(ctx.scale(5))
    for k in range(60):   # 60 x 20 lines of 100 bytes: far past any buffer
        alice.send(*["%04d %s" % (n + i, "y" * 95) for i in range(20)])
        n += 20
        while b"data: alice: %04d" % (n - 1) not in got:
            b = f.recv(65536)
            assert b, "the stream that reads was closed after %d lines" % n
            got += b
    # the slow stream: the server closed it (the bytes it sent, then EOF)
    s.settimeout(ctx.scale(5))
    total = 0
    while True:
        b = s.recv(65536)
        if not b:
            break
        total += len(b)
    assert total < 1200 * 110, "the slow stream got everything (%d bytes)" % total
    ctx.note("slow stream dropped after %d bytes; the fast one got %d lines" % (total, n))
    f.close()
    s.close()
    # both pages gone: the members leave after -t 1
    alice.expect("slow left the room", timeout=ctx.scale(4), skip=True)
    web.stop()
