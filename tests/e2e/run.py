#!/usr/bin/env python3
"""run.py: the end-to-end suite runner.

    python3 tests/e2e/run.py BINDIR [--basic] [-k SUBSTRING]... [-j N] [-v]

Imports every tests/e2e/test_*.py, runs each function test_*(ctx) with a fresh
harness.Ctx(BINDIR), and prints "ok MODULE.test_x" or "not ok MODULE.test_x"
followed by "# " diagnostic lines (traceback tail, server stderr tail).
--basic runs only the tests marked @basic; -k keeps tests whose
"MODULE.test_x" name contains any of the substrings. Each test is bounded by
its @timeout (default harness.DEFAULT_TEST_TIMEOUT s, times
UDPCHAT_TIMEOUT_SCALE). -j N runs tests in N worker processes (default: the
number of CPUs, at most 4; -j 1 runs them in this process, in order).
Exit status: 0 if every test passed, 1 if any failed, 2 on usage errors.
"""
import argparse
import glob
import importlib.util
import multiprocessing
import os
import signal
import sys
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import harness  # noqa: E402


class TestTimeout(Exception):
    pass


def _alarm(signum, frame):
    raise TestTimeout("test timed out")


def load_tests():
    tests = []
    for path in sorted(glob.glob(os.path.join(HERE, "test_*.py"))):
        modname = os.path.splitext(os.path.basename(path))[0]
        spec = importlib.util.spec_from_file_location(modname, path)
        mod = importlib.util.module_from_spec(spec)
        sys.modules[modname] = mod
        spec.loader.exec_module(mod)
        found = [(name, fn) for name, fn in vars(mod).items()
                 if name.startswith("test_") and callable(fn)]
        found.sort(key=lambda t: t[1].__code__.co_firstlineno)
        tests += [("%s.%s" % (modname, name), fn) for name, fn in found]
    return tests


NO_LONG = False   # --no-long: skip the @long_run tests (set before the pool forks)


def run_one(bindir, fullname, fn):
    """Runs one test; returns (ok, [diagnostic lines], seconds)."""
    ctx = harness.Ctx(bindir)
    limit = int(harness.scale(getattr(fn, "timeout", harness.DEFAULT_TEST_TIMEOUT)))
    old = signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(max(1, limit))
    t0 = time.monotonic()
    ok, diag = True, []
    try:
        if harness.WRAP and getattr(fn, "needs_pollerr", False):
            raise harness.Skip("needs POLLERR from poll(2), which %s does not pass on"
                               % harness.WRAP[0])
        if (harness.WRAP or NO_LONG) and getattr(fn, "long_run", False):
            raise harness.Skip("a long statistical run, on the host build only (harness.long_run)")
        del harness.LINE_BUFFERS[:]
        fn(ctx)
        unproven = harness.unproven_negatives()
        if unproven:
            raise AssertionError("a negative check without a positive one after it:\n"
                                 + "\n".join(unproven))
    except harness.Skip as e:
        diag = ["SKIP %s" % e] + ctx.notes
    except BaseException as e:  # noqa: B902 - a test's failure of any kind
        if isinstance(e, KeyboardInterrupt):
            raise
        ok = False
        tb = traceback.format_exception(type(e), e, e.__traceback__)
        diag = "".join(tb).rstrip().splitlines()[-12:]
        diag += ctx.diagnostics()
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)
        del harness.LINE_BUFFERS[:]
    if ok and not diag:
        diag = list(ctx.notes)
    try:
        signal.alarm(int(harness.scale(15)))
        signal.signal(signal.SIGALRM, _alarm)
        ctx.cleanup()
    except BaseException as e:
        ok = False
        diag.append("cleanup failed: %r" % e)
    finally:
        signal.alarm(0)
    return ok, diag, time.monotonic() - t0


def _worker(args):
    bindir, fullname = args
    fn = _TESTS[fullname]
    return (fullname,) + run_one(bindir, fullname, fn)


_TESTS = {}


def main():
    ap = argparse.ArgumentParser(description="udpchat end-to-end tests")
    ap.add_argument("bindir")
    ap.add_argument("-k", action="append", default=[], metavar="SUBSTRING")
    ap.add_argument("--basic", action="store_true")
    ap.add_argument("--no-long", action="store_true", help="skip the @long_run tests")
    ap.add_argument("-j", type=int, default=min(4, os.cpu_count() or 1))
    ap.add_argument("-v", action="store_true", help="print each test's time")
    a = ap.parse_args()
    global NO_LONG
    NO_LONG = a.no_long
    if not os.path.exists(os.path.join(a.bindir, "udpchatmulti")):
        print("not ok e2e: no %s/udpchatmulti (build it first)" % a.bindir)
        return 1
    tests = load_tests()
    if a.basic:
        tests = [t for t in tests if getattr(t[1], "basic", False)]
    if a.k:
        tests = [t for t in tests if any(k in t[0] for k in a.k)]
    if not tests:
        print("# no tests selected")
        return 2
    _TESTS.update(tests)
    names = [t[0] for t in tests]
    t0 = time.monotonic()
    failed = 0

    def report(name, ok, diag, secs):
        nonlocal failed
        if ok and diag and diag[0].startswith("SKIP "):
            print("ok %s # %s" % (name, diag[0]))
            diag = diag[1:]
        else:
            print("%s %s%s" % ("ok" if ok else "not ok", name, " # %.2fs" % secs if a.v else ""))
        for d in diag:
            print("#   " + d)
        sys.stdout.flush()
        failed += not ok

    if a.j <= 1:
        for name, fn in tests:
            report(name, *run_one(a.bindir, name, fn))
    else:
        # long tests first so the pool ends together: a test's weight, else
        # its time bound (test_loss's minutes start at once, not last)
        order = sorted(names, key=lambda n: -getattr(_TESTS[n], "weight",
                                                     getattr(_TESTS[n], "timeout", 1)))  # stable
        with multiprocessing.get_context("fork").Pool(a.j, maxtasksperchild=20) as pool:
            for name, ok, diag, secs in pool.imap_unordered(_worker, [(a.bindir, n) for n in order]):
                report(name, ok, diag, secs)
    print("# e2e %s: %d tests, %d failed, %.1fs" % (a.bindir, len(tests), failed, time.monotonic() - t0))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
