#!/usr/bin/env python3
"""web-screenshot.py: docs/web-phone.png, udpchatweb's page on a phone-sized
screen (360x740 CSS px at 2x), for the README. Not part of make test:
`make web-screenshot` (installs chromium, chromium-driver and a CJK font,
fonts-wqy-zenhei, so that Chinese does not show as boxes).

Starts udpchatd and udpchatweb from BINDIR on loopback, a few members
(netcat-style UDP sockets) and one page in headless chromium, has them chat
(Chinese and emoji included) and takes the picture.

    python3 tests/web-screenshot.py BINDIR OUT.png [--dark]"""
import os
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "e2e"))
import webdriver  # noqa: E402


def udp_member(port, name):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.connect(("127.0.0.1", port))
    s.send(("/join %s\n" % name).encode())
    s.settimeout(3)
    s.recv(4096)
    s.send(b"\n")
    return s


def main():
    bindir, out = os.path.abspath(sys.argv[1]), sys.argv[2]
    dark = "--dark" in sys.argv
    tmp = tempfile.mkdtemp(prefix="udpchat-shot.")
    procs = []

    def popen(argv, **kw):
        p = subprocess.Popen(argv, start_new_session=True, **kw)
        procs.append(p)
        return p

    udp = webdriver.free_tcp_port()
    http = webdriver.free_tcp_port()
    d = None
    try:
        popen([os.path.join(bindir, "udpchatd"), "-b", "127.0.0.1", "-p", str(udp),
               "-c", os.path.join(tmp, "ctl.sock")], stdin=subprocess.DEVNULL,
              stderr=subprocess.DEVNULL)
        time.sleep(0.3)
        popen([os.path.join(bindir, "udpchatweb"), "-b", "127.0.0.1", "-p", str(http),
               "-c", os.path.join(tmp, "ctl.sock")], stderr=subprocess.DEVNULL)
        time.sleep(0.3)
        bob = udp_member(udp, "bob")
        li = udp_member(udp, "小李")
        for s, line in ((bob, "anyone up for lunch at noon?"), (li, "好的，我十二点到 🍜"),
                        (bob, "great, the usual place")):
            s.send((line + "\n").encode())
            time.sleep(0.15)
        d = webdriver.Driver.start(popen, tmp).new_session(360, 740, dark=dark)
        d.get("http://127.0.0.1:%d/" % http)
        d.wait("return document.readyState === 'complete'", 10, "page")
        d.type("#line", "alice" + webdriver.ENTER)
        d.wait("return document.getElementById('go').textContent === 'Send'", 5, "welcome")
        time.sleep(0.3)
        li.send("欢迎 alice!\n".encode())
        d.type("#line", "谢谢! see you there" + webdriver.ENTER)
        time.sleep(0.3)
        d.type("#line", "/who" + webdriver.ENTER)
        d.wait("return [...document.querySelectorAll('#log li')].some("
               "e => e.textContent.startsWith('+OK 3 online'))", 5, "/who")
        subprocess.run([os.path.join(bindir, "udpchatctl"), "-c", os.path.join(tmp, "ctl.sock"),
                        "say", "the printer on floor 2 is fixed"], capture_output=True)
        d.wait("return [...document.querySelectorAll('#log li')].some("
               "e => e.textContent.startsWith('[admin]'))", 5, "announcement")
        d.type("#line", "在路上")   # typed, not sent: the input line shows it
        time.sleep(0.3)
        d.screenshot(out)
        print(out)
    finally:
        if d:
            d.quit()
        for p in procs:
            p.terminate()
            p.wait()


if __name__ == "__main__":
    main()
