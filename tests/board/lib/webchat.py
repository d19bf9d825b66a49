"""A web member of the room, as a page's browser is one, for the board
tests: over plain HTTP (http.client), GET / (the page), POST /join NAME,
then the session's event stream (GET /events?s=TOKEN), each event printed
as one line "EVENT ID DATA" on stdout; every line read from stdin is sent
(POST /send?s=TOKEN). Exits at stdin's end, or after DEADLINE seconds.

usage: python3 webchat.py HOST PORT NAME [DEADLINE]
Lines it prints first: "page 200 LENGTH" (the page and its <title>),
"join STATUS BODY" (one line); exit status 1 if either fails."""
import http.client
import sys
import threading
import time


def out(line):
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def events(host, port, token, stop):
    conn = http.client.HTTPConnection(host, port, timeout=60)
    conn.request("GET", "/events?s=" + token)
    resp = conn.getresponse()
    out("events %d %s" % (resp.status, resp.getheader("Content-Type")))
    ev, eid = "message", ""
    while not stop.is_set():
        line = resp.fp.readline()
        if not line:
            out("events end")
            return
        line = line.decode("utf-8").rstrip("\n")
        if line.startswith("event: "):
            ev = line[7:]
        elif line.startswith("id: "):
            eid = line[4:]
        elif line.startswith("data: "):
            out("%s %s %s" % (ev, eid, line[6:]))
        elif line == "":
            ev, eid = "message", ""


def main():
    host, port, name = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    deadline = time.time() + (float(sys.argv[4]) if len(sys.argv) > 4 else 60)
    conn = http.client.HTTPConnection(host, port, timeout=10)
    conn.request("GET", "/")
    resp = conn.getresponse()
    page = resp.read()
    out("page %d %d %s" % (resp.status, len(page), b"<title>udpchat</title>" in page))
    if resp.status != 200:
        return 1
    conn = http.client.HTTPConnection(host, port, timeout=10)
    conn.request("POST", "/join", body=name.encode("utf-8"))
    resp = conn.getresponse()
    body = resp.read().decode("utf-8")
    out("join %d %s" % (resp.status, body.replace("\n", " ").strip()))
    if resp.status != 200:
        return 1
    token = body.split("\n")[0]
    stop = threading.Event()
    threading.Thread(target=events, args=(host, port, token, stop), daemon=True).start()
    for line in sys.stdin:
        if time.time() > deadline:
            break
        conn = http.client.HTTPConnection(host, port, timeout=10)
        conn.request("POST", "/send?s=" + token, body=line.rstrip("\n").encode("utf-8"))
        resp = conn.getresponse()
        resp.read()
        out("send %d" % resp.status)
    stop.set()
    return 0


sys.exit(main())
