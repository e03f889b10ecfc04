#!/usr/bin/env python3
"""Grades submissions that try to get out of their sandbox, and checks the
verdict of each, that nothing leaked into any report, that no process
outlived the grading, and that the machine is unchanged.

Usage: sandbox_test.py --cli build/harness/course-cli --source . --work DIR
Needs root (the grading uids, and a user namespace for the last part); exits
77 (skipped) otherwise. Prints `N passed, M failed` last; exit 0 when all hold.
"""
import argparse
import gzip
import io
import json
import os
import shutil
import socket
import subprocess
import sys
import tarfile
import threading
import time

from selftest_kit import check, load, summary

MARK = f"course-sandbox-test-{os.getpid()}"
# submission -> (lesson 02's status, a phrase its report must hold)
EXPECTED = {
    "dials-out": ("fail", "hostile: "),
    "dials-neighbour": ("fail", "hostile: "),
    "prints-the-answer-key": ("fail", "hostile: "),
    "needs-a-hidden-file": ("fail", "hostile: "),
    "escapes-its-group": ("fail", "hostile: "),
    "writes-the-output": ("fail", "hostile: "),
    "includes-the-answer-key": ("error", "No such file or directory"),
    "huge-source": ("error", "does not compile"),
    "escaping-archive.tar": ("error", "does not compile"),
    "bomb.tar.gz": ("error", "does not compile"),
}
# Text of the course's hidden files; none of it may reach a report.
SECRETS = ("A unary handler finishes exactly once", "2: b\n3: a", "| 1: b", "ref: refs/heads",
           "EXPECTED = {")
BOUND_S = 180


class Listener:
    """A TCP listener that counts the connections it accepts."""

    def __init__(self, host):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind((host, 0))
        self.sock.listen(16)
        self.sock.settimeout(0.5)
        self.port = self.sock.getsockname()[1]
        self.accepted = 0
        self.stop = False
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def serve(self):
        while not self.stop:
            try:
                conn, _ = self.sock.accept()
                self.accepted += 1
                conn.close()
            except OSError:
                pass

    def close(self):
        self.stop = True
        self.thread.join()
        self.sock.close()


def outside_address():
    """An address of this machine that is not loopback, or None."""
    probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        probe.connect(("192.0.2.1", 9))  # no packet is sent
        address = probe.getsockname()[0]
        return None if address.startswith("127.") else address
    except OSError:
        return None
    finally:
        probe.close()


def hostile_server(source, attempt):
    """A case's user_service.cc: sandboxed_server.cc.in around the course's
    solution of lesson 02 (comment lines left out: the hidden text must come
    from the attempt alone) and the case's attempt.inc inside main()."""
    here = os.path.join(source, "harness/selftest")
    solution = open(os.path.join(source, "solutions/02-unary/user_service.cc")).read()
    code = "\n".join(line for line in solution.splitlines()
                     if not line.lstrip().startswith("//"))
    template = open(os.path.join(here, "sandboxed_server.cc.in")).read()
    return template.replace("@SOLUTION@", code).replace("@ATTEMPT@", attempt.rstrip("\n"))


def lay_out_class(source, build, klass, out, fill):
    templates = os.path.join(source, "harness/selftest/sandboxed")
    for name in sorted(os.listdir(templates)):
        for root, _, files in os.walk(os.path.join(templates, name)):
            target = os.path.join(klass, os.path.relpath(root, templates))
            os.makedirs(target, exist_ok=True)
            for f in files:
                text = open(os.path.join(root, f)).read()
                if f == "attempt.inc":
                    f, text = "user_service.cc", hostile_server(source, text)
                for key, value in fill.items():
                    text = text.replace(key, value)
                open(os.path.join(target, f), "w").write(text)
    # A source file of 1 GB (sparse: the grader must not read it to refuse it).
    huge = os.path.join(klass, "huge-source/02-unary")
    os.makedirs(huge)
    with open(os.path.join(huge, "user_service.cc"), "wb") as f:
        f.truncate(1 << 30)
    shutil.copy(os.path.join(source, "exercises/02-unary/quiz.txt"), huge)
    make_escaping_archive(os.path.join(klass, "escaping-archive.tar"), source)
    make_bomb(os.path.join(klass, "bomb.tar.gz"))


def add(tar, name, kind=tarfile.REGTYPE, data=b"", link=""):
    info = tarfile.TarInfo(name)
    info.type = kind
    info.linkname = link
    info.size = len(data) if kind == tarfile.REGTYPE else 0
    if kind == tarfile.CHRTYPE:
        info.devmajor, info.devminor = 1, 3
    tar.addfile(info, io.BytesIO(data) if data else None)


def make_escaping_archive(path, source):
    """../ and absolute paths, symlinks (to the solution, to /tmp), a hard
    link to /etc/passwd, a device file: all named like exercise files."""
    with tarfile.open(path, "w", format=tarfile.GNU_FORMAT) as tar:
        add(tar, f"../../../../tmp/{MARK}-dotdot/02-unary/user_service.cc", data=b"int x;\n")
        add(tar, f"/tmp/{MARK}-absolute/02-unary/quiz.txt", data=b"1: a\n")
        add(tar, "top/02-unary/user_service.cc", tarfile.SYMTYPE,
            link=os.path.join(source, "solutions/02-unary/user_service.cc"))
        add(tar, "top/02-unary/quiz.txt", tarfile.LNKTYPE, link="/etc/passwd")
        add(tar, "top/escape", tarfile.SYMTYPE, link="/tmp")
        add(tar, f"top/escape/{MARK}-via-link/02-unary/user_service.cc", data=b"int y;\n")
        add(tar, "top/02-unary/null", tarfile.CHRTYPE)


def make_bomb(path):
    """A .tar.gz of a few MB whose one member, named like an exercise file,
    says it holds 4 GiB (gzip members concatenated: 256 x 16 MiB of zeros)."""
    header = tarfile.TarInfo("02-unary/user_service.cc")
    header.size = 4 << 30
    chunk = gzip.compress(bytes(16 << 20), compresslevel=9)
    with open(path, "wb") as f:
        f.write(gzip.compress(header.tobuf(format=tarfile.GNU_FORMAT)))
        for _ in range(256):
            f.write(chunk)


# grade-all's uids: 62000 + slot, and 62016 for its pre-flight.
GRADING_UIDS = range(62000, 62017)
SHARED_FOLDERS = ("/tmp", "/var/tmp", "/dev/shm")


def grading_processes():
    """Processes that run as one of grade-all's uids, or are escapees."""
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            uid = os.stat(f"/proc/{pid}").st_uid
            name = open(f"/proc/{pid}/comm").read().strip()
        except OSError:
            continue
        if uid in GRADING_UIDS or name == "course-escapee":
            found.append(f"{pid} {name} (uid {uid})")
    return found


def host_leftovers():
    """Files in the shared folders that a grading uid owns or that a hostile
    submission named (other work on the machine may add files of its own)."""
    found = []
    for folder in SHARED_FOLDERS:
        for name in os.listdir(folder):
            try:
                owner = os.lstat(os.path.join(folder, name)).st_uid
            except OSError:
                continue
            if owner in GRADING_UIDS or name.startswith(MARK):
                found.append(os.path.join(folder, name))
    return found


def grade_class(args, klass, out, listeners):
    before_used = shutil.disk_usage("/tmp").used
    start = time.monotonic()
    ran = subprocess.run([args.cli, "grade-all", klass, "-j", "2", "--out", out, "--lesson", "02"],
                         capture_output=True, text=True, timeout=BOUND_S * 4)
    took = time.monotonic() - start
    print(ran.stdout[-2000:], ran.stderr[-2000:])
    check(ran.returncode == 0, f"grade-all -j 2 of {len(EXPECTED)} hostile submissions exits 0 "
          f"({took:.0f} s)")
    for name, (status, phrase) in EXPECTED.items():
        report = load(os.path.join(out, name, "report.json"))
        if report is None:
            check(False, f"{name}: a report was written")
            continue
        lesson = next((l for l in report["lessons"] if l["id"] == "02"), None)
        text = json.dumps(report)
        strings = json.dumps(report, ensure_ascii=False).replace("\\n", "\n")
        check(report.get("complete") is True and report.get("score") == 0
              and lesson is not None and lesson["status"] == status,
              f"{name}: complete, scores 0, lesson 02 is '{status}' "
              f"(got {report.get('score')}, '{lesson and lesson['status']}')")
        check(phrase in text, f"{name}: the report says why ({phrase!r})")
        check("sandbox (bubblewrap)" in report.get("isolation", ""),
              f"{name}: graded in the sandbox ({report.get('isolation', '')[:60]}...)")
        leaked = [s for s in SECRETS if s in strings]
        check(not leaked, f"{name}: no hidden text in the report {leaked}")
        check('"score": 999' not in text, f"{name}: the report is the grader's own")
    for listener, what in listeners:
        check(listener.accepted == 0, f"nobody reached the {what} ({listener.accepted} connections)")
    check(not os.path.exists(os.path.join(out, "forged.txt")),
          "nothing was written into the grader's output folder")
    book = open(os.path.join(out, "gradebook.csv")).read()
    check("999" not in book and len(book.splitlines()) == len(EXPECTED) + 1,
          "the gradebook is the grader's own, one row per submission")
    left = grading_processes()
    check(not left, f"no process outlives the grading {left}")
    left = host_leftovers()
    check(not left, f"no file of the grading or of a submission is left in {SHARED_FOLDERS} {left}")
    # Loose: other work on the machine writes to /tmp too; the bomb is 4 GiB.
    grown = (shutil.disk_usage("/tmp").used - before_used) >> 20
    check(grown < 1024, f"the bomb did not fill the disk (/tmp: {grown} MiB more than before)")


def grade_as_ordinary_user(args, klass, work, neighbour):
    """An ordinary user where user namespaces are allowed still gets the
    sandbox: the neighbour stays out of reach."""
    os.chmod(work, 0o777)
    report_path = os.path.join(work, "ordinary-user.json")
    ran = subprocess.run(["setpriv", "--reuid", "65534", "--regid", "65534", "--clear-groups",
                          args.cli, "grade", os.path.join(klass, "dials-neighbour"), "--lesson",
                          "02", "--no-preflight", "--json", report_path],
                         capture_output=True, text=True, timeout=BOUND_S)
    report = load(report_path) or {}
    isolation = report.get("isolation", "")
    check(ran.returncode == 0 and report.get("score") == 0 and neighbour.accepted == 0
          and isolation.startswith("sandbox (bubblewrap)"),
          f"as an ordinary user: sandboxed, the neighbour not reached, 0 points "
          f"(exit {ran.returncode}, {report.get('score')}, {isolation[:50]}) {ran.stderr[-300:]}")


def grade_without_sandbox(args, klass, work, listeners):
    """The same dialers with the sandbox off: the listeners are reached (so
    the check above can fail), and the report says there was no sandbox."""
    for name in ("dials-out", "dials-neighbour"):
        report_path = os.path.join(work, f"{name}-no-sandbox.json")
        subprocess.run([args.cli, "grade", os.path.join(klass, name), "--lesson", "02",
                        "--no-sandbox", "--no-preflight", "--json", report_path],
                       capture_output=True, text=True, timeout=BOUND_S)
        report = load(report_path) or {}
        check(report.get("isolation", "").startswith("NO SANDBOX (switched off"),
              f"{name} without the sandbox: the report says so")
    reached = [what for listener, what in listeners if listener.accepted > 0]
    check(len(reached) == len(listeners),
          f"without the sandbox the dialers get through ({', '.join(reached) or 'none'})")


def grade_where_namespaces_are_forbidden(args, work):
    """As an ordinary user on a host without user namespaces (a user namespace
    of root's, identity-mapped, with max_user_namespaces 0 inside): grading
    still runs, and the report says there is no sandbox and why."""
    report_path = os.path.join(work, "forbidden.json")
    os.chmod(work, 0o777)
    # Once the ids are mapped, exec again: an exec as uid 0 of the namespace
    # gives back the capabilities that the first one, unmapped, dropped.
    inner = ("echo 0 > /proc/sys/user/max_user_namespaces && "
             "exec setpriv --reuid 65534 --regid 65534 --clear-groups \"$@\"")
    script = f"echo ready; read go; exec /bin/sh -c '{inner}' sh \"$@\""
    child = subprocess.Popen(["unshare", "--user", "--", "/bin/sh", "-c", script, "sh", args.cli,
                              "grade", os.path.join(args.source, "solutions"), "--lesson", "02",
                              "--no-preflight", "--json", report_path],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, text=True)
    child.stdout.readline()  # the namespace exists: map its ids
    for kind in ("uid_map", "gid_map"):
        with open(f"/proc/{child.pid}/{kind}", "w") as f:
            f.write("0 0 65536\n")
    output, _ = child.communicate("go\n", timeout=BOUND_S)
    print(output[-1500:])
    report = load(report_path) or {}
    isolation = report.get("isolation", "")
    check(child.returncode == 0 and report.get("score") == report.get("max_score") == 7,
          f"without namespaces an ordinary user still grades (exit {child.returncode}, "
          f"{report.get('score')}/{report.get('max_score')})")
    check(isolation.startswith("NO SANDBOX (this host does not allow it: bwrap"),
          f"and the report says there is no sandbox, and why: {isolation[:120]}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cli", required=True)
    ap.add_argument("--source", required=True)
    ap.add_argument("--work", required=True)
    args = ap.parse_args()
    if os.geteuid() != 0:
        print("SKIP: needs root (grading uids, user namespaces)")
        return 77
    build = os.path.dirname(os.path.dirname(os.path.realpath(args.cli)))
    shutil.rmtree(args.work, ignore_errors=True)
    os.makedirs(args.work)
    klass, out = os.path.join(args.work, "class"), os.path.join(args.work, "graded")
    neighbour = Listener("127.0.0.1")
    listeners = [(neighbour, "loopback server beside the sandbox")]
    outside_host = outside_address()
    outside = None
    if outside_host:
        outside = Listener(outside_host)
        listeners.append((outside, f"server outside, on {outside_host}"))
    else:
        print("note: this machine has no address but loopback; dials-out dials 192.0.2.1")
    fill = {"@COURSE@": os.path.realpath(args.source), "@BUILD@": build, "@OUT@": out,
            "@MARK@": MARK, "@NEIGHBOUR_PORT@": str(neighbour.port),
            "@OUTSIDE_HOST@": outside_host or "192.0.2.1",
            "@OUTSIDE_PORT@": str(outside.port if outside else 9)}
    lay_out_class(args.source, build, klass, out, fill)
    try:
        grade_class(args, klass, out, listeners)
        grade_as_ordinary_user(args, klass, args.work, neighbour)
        grade_without_sandbox(args, klass, args.work, listeners)
        grade_where_namespaces_are_forbidden(args, args.work)
    finally:
        for listener, _ in listeners:
            listener.close()
        for name in os.listdir("/tmp"):
            if name.startswith(MARK):
                shutil.rmtree(os.path.join("/tmp", name), ignore_errors=True)
    return summary()


if __name__ == "__main__":
    sys.exit(main())
