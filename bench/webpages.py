#!/usr/bin/env python3
"""bench/webpages.py: `make bench`'s part "web" (bench/run.sh): N open
pages of udpchatweb without a browser, on 127.0.0.1 only.

    python3 bench/webpages.py HTTP_PORT N READY_FILE SECONDS

Joins N web members (POST /join, names w0...), opens each one's event
stream (GET /events) on a raw socket, writes READY_FILE, then reads every
stream (poll, at most 64 KiB a read, the bytes counted and dropped) until
SIGTERM or SECONDS. A stream the server ends (a page too slow for its
session's ring) is opened again at once with the last id read as
Last-Event-ID, as a browser's EventSource does. Prints one line: pages=N
events=E bytes=B closed=C (C: streams the server ended).
Exit 0 when all N joined and streamed, 1 when the set-up failed."""
import select
import signal
import socket
import sys
import time


def connect(port):
    """Connects, retrying for 5 s while udpchatweb starts."""
    end = time.monotonic() + 5
    while True:
        try:
            return socket.create_connection(("127.0.0.1", port), timeout=10)
        except OSError:
            if time.monotonic() > end:
                raise
            time.sleep(0.05)


def request(port, data):
    s = connect(port)
    try:
        s.sendall(data)
        out = b""
        while True:
            b = s.recv(65536)
            if not b:
                return out
            out += b
    finally:
        s.close()


def main():
    port, n, ready, secs = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], float(sys.argv[4])
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    toks = []
    for i in range(n):
        name = b"w%d" % i
        r = request(port, b"POST /join HTTP/1.1\r\nHost: b\r\nContent-Length: %d\r\n\r\n%s"
                    % (len(name), name))
        head, _, body = r.partition(b"\r\n\r\n")
        if not head.startswith(b"HTTP/1.1 200 "):
            print("webpages: join of %s: %r" % (name.decode(), r[:80]), file=sys.stderr)
            return 1
        toks.append(body.split(b"\n")[0])
    socks, tok, last, tail = {}, {}, {}, {}
    p = select.poll()

    def open_stream(t, last_id):
        s = connect(port)
        s.sendall(b"GET /events?s=%s HTTP/1.1\r\nHost: b\r\n%s\r\n" % (
            t, b"Last-Event-ID: %s\r\n" % last_id if last_id else b""))
        s.setblocking(False)
        fd = s.fileno()
        socks[fd], tok[fd], last[fd], tail[fd] = s, t, last_id, b""
        p.register(fd, select.POLLIN)
    for t in toks:
        open_stream(t, b"")
    with open(ready, "w") as f:
        f.write("%d\n" % n)
    events = nbytes = closed = 0
    end = time.monotonic() + secs
    while socks and not stop and time.monotonic() < end:
        try:
            got = p.poll(200)
        except InterruptedError:
            continue
        for fd, _ in got:
            try:
                b = socks[fd].recv(65536)
            except BlockingIOError:
                continue
            except OSError:
                b = b""
            if not b:
                p.unregister(fd)
                socks.pop(fd).close()
                closed += 1
                open_stream(tok.pop(fd), last.pop(fd))
                continue
            nbytes += len(b)
            chunk = tail[fd] + b    # "\n\n" ends an event; it may span reads
            events += chunk.count(b"\n\n") - tail[fd].count(b"\n\n")
            i = chunk.rfind(b"\nid: ")
            j = chunk.find(b"\n", i + 5) if i >= 0 else -1
            if j > 0:
                last[fd] = chunk[i + 5:j]
            tail[fd] = chunk[-64:]
    for s in socks.values():
        s.close()
    print("pages=%d events=%d bytes=%d closed=%d" % (n, events, nbytes, closed))
    return 0


if __name__ == "__main__":
    sys.exit(main())
