"""webdriver.py: a minimal W3C WebDriver client over urllib, for Debian's
chromium and chromium-driver (no selenium: PyPI is not reachable here, and
Debian's python3-selenium is not on the tests' python3 path).

    d = Driver.start(ctx_popen, port)      # chromedriver --port=PORT
    d.new_session(width=360, height=740)   # headless, a phone's viewport
    d.get(url); d.js("return document.title"); d.type("#line", "hi\\n")
    d.new_window(); d.switch(handle); d.screenshot(path); d.quit()

Used by test_web.py (make test) and tests/web-screenshot.py (the README's
picture)."""
import base64
import json
import os
import shutil
import socket
import time
import urllib.error
import urllib.request

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
ENTER = "\ue007"   # WebDriver's key code for Enter


def available():
    """None if chromium and chromedriver are installed, else why not."""
    for path in (CHROMIUM, CHROMEDRIVER):
        if not os.path.exists(path) and not shutil.which(os.path.basename(path)):
            return "no %s (Debian packages chromium chromium-driver: make test-deps)" % path
    return None


def free_tcp_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class WebDriverError(Exception):
    pass


class Driver:
    def __init__(self, proc, port):
        self.proc = proc
        self.base = "http://127.0.0.1:%d" % port
        self.sid = None

    @classmethod
    def start(cls, popen, tmp, deadline_s=20):
        """Starts chromedriver through popen (the harness's, killed by PID at
        cleanup) and waits until it is ready."""
        port = free_tcp_port()
        log = open(os.path.join(tmp, "chromedriver.log"), "wb")
        proc = popen([CHROMEDRIVER, "--port=%d" % port], stdout=log, stderr=log)
        d = cls(proc, port)
        end = time.monotonic() + deadline_s
        while time.monotonic() < end:
            try:
                if d._call("GET", "/status").get("ready"):
                    return d
            except (OSError, WebDriverError):
                pass
            time.sleep(0.1)
        raise AssertionError("chromedriver not ready within %ds" % deadline_s)

    def _call(self, method, path, body=None, timeout=30):
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(self.base + path, data=data, method=method,
                                     headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=timeout) as r:
                out = json.loads(r.read() or b"{}")
        except urllib.error.HTTPError as e:
            try:
                v = json.loads(e.read()).get("value", {})
            except ValueError:
                v = {}
            raise WebDriverError("%s %s: %s: %s" % (method, path, v.get("error"),
                                                    str(v.get("message", ""))[:300]))
        return out.get("value")

    def s(self, method, path, body=None, timeout=30):
        return self._call(method, "/session/%s%s" % (self.sid, path), body, timeout)

    def new_session(self, width=360, height=740, dark=False):
        # --remote-debugging-pipe: chromedriver talks to chromium over a
        # pipe, not a TCP port it finds as "localhost" (a machine with no
        # /etc/hosts, as a debootstrap root, failed: "unable to connect to
        # renderer")
        args = ["--headless=new", "--remote-debugging-pipe", "--no-sandbox", "--disable-gpu",
                "--disable-dev-shm-usage",
                "--no-first-run", "--disable-extensions", "--disable-background-networking",
                "--disable-sync", "--disable-default-apps", "--mute-audio",
                "--window-size=%d,%d" % (width, height), "--lang=en-US"]
        if dark:
            args.append("--force-dark-mode")
        caps = {"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": CHROMIUM, "args": args,
                "mobileEmulation": {"deviceMetrics": {"width": width, "height": height,
                                                      "pixelRatio": 2, "touch": True}},
            }}}}
        v = self._call("POST", "/session", caps, timeout=60)
        self.sid = v["sessionId"]
        return self

    def get(self, url):
        self.s("POST", "/url", {"url": url})

    def js(self, script, *args):
        return self.s("POST", "/execute/sync", {"script": script, "args": list(args)})

    def find(self, css):
        v = self.s("POST", "/element", {"using": "css selector", "value": css})
        return list(v.values())[0]

    def type(self, css, text):
        """Types text into the element as keystrokes (characters outside the
        BMP, e.g. emoji, cannot be typed through chromedriver: use js)."""
        self.s("POST", "/element/%s/value" % self.find(css), {"text": text})

    def window(self):
        return self.s("GET", "/window")

    def new_window(self):
        return self.s("POST", "/window/new", {"type": "tab"})["handle"]

    def switch(self, handle):
        self.s("POST", "/window", {"handle": handle})

    def close_window(self):
        return self.s("DELETE", "/window")

    def alert_text(self):
        """The text of an open alert, or None."""
        try:
            return self.s("GET", "/alert/text")
        except WebDriverError as e:
            if "no such alert" in str(e):
                return None
            raise

    def screenshot(self, path):
        png = base64.b64decode(self.s("GET", "/screenshot"))
        with open(path, "wb") as f:
            f.write(png)

    def quit(self):
        if self.sid:
            try:
                self._call("DELETE", "/session/%s" % self.sid, timeout=20)
            except (OSError, WebDriverError):
                pass
            self.sid = None

    def wait(self, script, timeout, what, *args):
        """Polls script (its return value) until it is truthy; returns it."""
        end = time.monotonic() + timeout
        v = None
        while time.monotonic() < end:
            v = self.js(script, *args)
            if v:
                return v
            time.sleep(0.05)
        raise AssertionError("page: no %s within %.1fs (last: %r)" % (what, timeout, v))
