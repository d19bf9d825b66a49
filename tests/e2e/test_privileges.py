"""test_privileges.py: udpchatd -u USER gives up root once its sockets exist
(README "Least privilege"). What the kernel says of the running server and
its admin child (/proc/PID/status), the room and the control socket after the
drop, the exit, and the start-up errors. Started as root: skipped otherwise."""
import os
import shutil
import subprocess

from harness import ctl_request, free_udp_port, scale

NOBODY = 65534

def _status(pid):
    """{field: value} of /proc/PID/status."""
    out = {}
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            k, _, v = line.partition(":")
            out[k] = v.strip()
    return out


def _need_root(ctx):
    if os.geteuid() != 0:
        ctx.skip("needs root (udpchatd -u gives up root)")


def _service_dir(ctx):
    """A directory the service user owns, for the control socket (as
    /run/udpchatd is), in a temp dir the user may pass through."""
    os.chmod(ctx.tmp, 0o711)
    d = os.path.join(ctx.tmp, "run")
    os.mkdir(d, 0o755)
    os.chown(d, NOBODY, NOBODY)
    return d


def _assert_unprivileged(pid, what):
    st = _status(pid)
    for k in ("Uid", "Gid"):
        assert st[k].split() == [str(NOBODY)] * 4, "%s: %s %r" % (what, k, st[k])
    assert st["Groups"] == "", "%s: supplementary groups %r" % (what, st["Groups"])
    for k in ("CapEff", "CapPrm", "CapAmb"):
        assert int(st[k], 16) == 0, "%s: %s %s" % (what, k, st[k])
    assert st.get("NoNewPrivs") == "1", "%s: NoNewPrivs %r" % (what, st.get("NoNewPrivs"))


def test_drop_to_nobody(ctx):
    _need_root(ctx)
    # positive control: the same reading of a server started without -u shows root
    root_srv = ctx.server(stdin="devnull")
    st = _status(root_srv.pid)
    assert st["Uid"].split()[1] == "0" and int(st["CapEff"], 16) != 0, (st["Uid"], st["CapEff"])
    root_srv.stop()

    ctl = os.path.join(_service_dir(ctx), "udpchatd.sock")
    srv = ctx.server("-u", "nobody", ctl=ctl)
    _assert_unprivileged(srv.pid, "server")
    kids = [k for k, state in srv.children() if state != "Z"]
    assert len(kids) == 1, "admin child: %r" % srv.children()
    _assert_unprivileged(kids[0], "admin child")

    # the control socket was made by root before the drop, and stays root's
    st = os.stat(ctl)
    assert (st.st_uid, st.st_mode & 0o777) == (0, 0o600), (st.st_uid, oct(st.st_mode))

    # the room works, and so does the operator's stdin through the admin child
    a, b = srv.join("alice"), srv.join("bob")
    a.send("still here")
    b.expect("alice: still here")
    srv.admin("from stdin")
    a.expect("[admin] from stdin")
    b.expect("[admin] from stdin")

    # root's udpchatctl is served
    r = srv.ctl("who")
    assert r.returncode == 0 and r.stdout.splitlines()[-1] == "+OK 2 members", (r.stdout, r.stderr)
    assert srv.ctl("say", "by ctl").returncode == 0
    a.expect("[admin] by ctl")

    # the server's own uid is not let in: with the file opened to everyone,
    # a process of the service user gets "permission denied", root "+OK"
    os.chmod(ctl, 0o666)
    asked = {"root": ctl_request(ctl, b"who\n"), "nobody": ctl_request(ctl, b"who\n", uid=NOBODY)}
    assert asked["root"].splitlines()[-1:] == [b"+OK 2 members"], asked
    assert asked["nobody"].splitlines() == [b"-ERR permission denied"], asked
    os.chmod(ctl, 0o600)

    # a clean exit, the socket file removed by the unprivileged server
    srv.stop()
    assert not os.path.exists(ctl), "control socket left behind"
    assert "cannot remove" not in srv.stderr_text(), srv.stderr_text()


def test_drop_numeric_user(ctx):
    _need_root(ctx)
    ctl = os.path.join(_service_dir(ctx), "c.sock")
    srv = ctx.server("-u", "%d:%d" % (NOBODY, NOBODY), ctl=ctl, stdin="devnull")
    _assert_unprivileged(srv.pid, "server")
    a = srv.join("alice")
    a.send("/who")
    a.expect_prefix("+OK")
    srv.stop()
    assert not os.path.exists(ctl)


def test_socket_in_a_root_directory_is_reported(ctx):
    """After the drop the server cannot remove its socket file from a
    directory only root may write: it says so at exit (status 0), and the
    next server, as root, replaces the stale file."""
    _need_root(ctx)
    os.chmod(ctx.tmp, 0o711)
    ctl = os.path.join(ctx.tmp, "root-owned.sock")
    srv = ctx.server("-u", "nobody", ctl=ctl, stdin="devnull")
    _assert_unprivileged(srv.pid, "server")
    srv.stop()
    assert os.path.exists(ctl), "socket file gone from a directory nobody may not write?"
    assert "cannot remove %s: Permission denied" % ctl in srv.stderr_text(), srv.stderr_text()
    again = ctx.server(ctl=ctl, stdin="devnull")
    assert again.ctl("who").returncode == 0
    again.stop()
    assert not os.path.exists(ctl)


def test_bad_user_is_a_startup_error(ctx):
    _need_root(ctx)
    ctl = os.path.join(ctx.tmp, "never.sock")
    for user in ("no-such-user-here", "root", "0", "0:0", "", "12:", ":12", "4294967295"):
        r = ctx.run("udpchatd", "-p", free_udp_port(), "-c", ctl, "-u", user, timeout=5)
        assert r.returncode == 2, "-u %r: exit %d, %r" % (user, r.returncode, r.stderr)
        err = r.stderr.splitlines()
        assert len(err) == 1 and "-u wants a user other than root" in err[0] \
            and "'%s'" % user in err[0], "-u %r: %r" % (user, r.stderr)
        assert not os.path.exists(ctl), "-u %r: a control socket was made" % user


def test_not_root_cannot_drop(ctx):
    """Started by a user who is not root, -u fails at once and says why
    (the positive control of the start itself: the same command as root,
    test_drop_numeric_user)."""
    _need_root(ctx)
    ctl = os.path.join(_service_dir(ctx), "c.sock")
    # a copy the user may run wherever the clone lives (CI's may be under
    # /root, mode 0700)
    bindir = os.path.join(ctx.tmp, "bin")
    os.mkdir(bindir, 0o755)
    shutil.copy(os.path.join(ctx.bindir, "udpchatmulti"), bindir)
    os.symlink("udpchatmulti", os.path.join(bindir, "udpchatd"))
    p = subprocess.run(ctx.cmd("udpchatd", "-p", free_udp_port(), "-b", "127.0.0.1", "-c", ctl, "-u", "1234",
                               bindir=bindir),
                       capture_output=True, text=True, timeout=scale(10), stdin=subprocess.DEVNULL,
                       user=NOBODY, group=NOBODY, extra_groups=[])
    assert p.returncode == 1, (p.returncode, p.stderr)
    assert "-u 1234: cannot drop root: Operation not permitted" in p.stderr, p.stderr
