#!/usr/bin/env python3
"""Grades the hostile submissions, the solutions and the stubs, and checks
every verdict, the time each took, and the report formats.

Usage: grading_test.py --cli build/harness/course-cli --source . --work DIR
Exit 0 when everything holds; prints `N passed, M failed` last.
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import time

from selftest_kit import check, load, summary

# submission -> (expected status of lesson 02, a phrase its report must hold,
# or a tuple of phrases one of which it must hold)
EXPECTED = {
    "crashes-at-start": ("error", "killed by signal 6"),
    "crashes-in-call": ("fail", "signal 6"),
    "loops-in-handler": ("fail", "DEADLINE_EXCEEDED"),
    "never-binds": ("error", "did not print `listening on HOST:PORT`"),
    "wrong-port": ("error", "could not connect"),
    # It dies at its memory cap before it listens; on a loaded machine,
    # touching 2 GiB can outlast the start bound instead. Both verdicts say
    # the same true thing: the server never served.
    "eats-memory": ("error", ("before it printed", "did not print `listening on HOST:PORT` within")),
    "forks-without-limit": ("error", "listening on HOST:PORT"),
    "floods-stdout": ("error", "first stdout line should be `listening on HOST:PORT`"),
    "writes-the-report": ("fail", ""),
    "exits-before-serving": ("error", "exited with status 0 before it printed"),
    "prints-fake-results": ("fail", ""),
    "does-not-compile": ("error", "does not compile"),
}
BOUND_S = 240  # one hostile submission, lesson 02 only, build included


def validate_gradescope(report, where):
    ok = isinstance(report, dict) and isinstance(report.get("tests"), list)
    ok = ok and isinstance(report.get("score"), (int, float))
    ok = ok and isinstance(report.get("execution_time"), (int, float))
    for t in (report or {}).get("tests", []):
        ok = ok and isinstance(t.get("name"), str) and isinstance(t.get("score"), (int, float))
        ok = ok and isinstance(t.get("max_score"), (int, float))
        ok = ok and t.get("status") in ("passed", "failed")
        ok = ok and t.get("visibility") in ("hidden", "after_due_date", "after_published", "visible")
        ok = ok and isinstance(t.get("output", ""), str)
    check(ok, f"{where}: Gradescope results.json has the published fields")


def validate_exercism(report, where):
    ok = isinstance(report, dict) and report.get("version") == 3
    ok = ok and report.get("status") in ("pass", "fail", "error")
    if report and report.get("status") == "error":
        ok = ok and isinstance(report.get("message"), str)
    for t in (report or {}).get("tests", []):
        ok = ok and isinstance(t.get("name"), str) and t.get("status") in ("pass", "fail", "error")
        ok = ok and isinstance(t.get("test_code"), str) and isinstance(t.get("task_id"), int)
        ok = ok and t["task_id"] > 0
        if t.get("status") != "pass":
            ok = ok and isinstance(t.get("message"), str)
    check(ok, f"{where}: Exercism results.json (version 3) has the published fields")


def validate_junit(path, where):
    if shutil.which("xmllint") is None:
        print(f"SKIP {where}: xmllint is not installed")
        return
    ran = subprocess.run(["xmllint", "--noout", path], capture_output=True, text=True)
    check(ran.returncode == 0, f"{where}: JUnit file is well-formed XML {ran.stderr.strip()}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cli", required=True)
    ap.add_argument("--source", required=True)
    ap.add_argument("--work", required=True)
    args = ap.parse_args()
    hostile_dir = os.path.join(args.source, "harness/selftest/submissions")
    shutil.rmtree(args.work, ignore_errors=True)
    os.makedirs(args.work)
    out = os.path.join(args.work, "graded")

    start = time.monotonic()
    ran = subprocess.run([args.cli, "grade-all", hostile_dir, "-j", "2", "--out", out,
                          "--lesson", "02"], capture_output=True, text=True,
                         timeout=BOUND_S * len(EXPECTED))
    took = time.monotonic() - start
    print(ran.stdout[-3000:])
    check(ran.returncode == 0, f"grade-all of {len(EXPECTED)} hostile submissions exits 0")
    print(f"grading the hostile set took {took:.0f} s")

    for name, (status, phrase) in EXPECTED.items():
        report = load(os.path.join(out, name, "report.json"))
        if report is None:
            check(False, f"{name}: a report was written")
            continue
        lesson = next((l for l in report["lessons"] if l["id"] == "02"), None)
        check(report.get("complete") is True, f"{name}: the report is complete")
        check(lesson is not None and lesson["status"] == status,
              f"{name}: lesson 02 is '{status}' (got '{lesson and lesson['status']}')")
        check(report.get("score") == 0, f"{name}: scores 0 (got {report.get('score')})")
        text = json.dumps(report)
        phrases = phrase if isinstance(phrase, tuple) else (phrase,)
        check(any(p in text for p in phrases), f"{name}: the report says why ({phrase!r})")
        check(report.get("schema_version") == 1 and '"score": 999' not in text,
              f"{name}: the report is the grader's own")
        per = lesson and (lesson["build_seconds"] + lesson["check_seconds"])
        check(per is not None and per < BOUND_S, f"{name}: graded in {per and round(per)} s (< {BOUND_S})")
        validate_gradescope(load(os.path.join(out, name, "gradescope.json")), name)
        validate_exercism(load(os.path.join(out, name, "exercism.json")), name)
        validate_junit(os.path.join(out, name, "junit.xml"), name)
    forged = load("/tmp/course-hostile-report.json")
    if forged is not None:
        print("note: the forging submission wrote /tmp/course-hostile-report.json, outside the reports")

    book = os.path.join(out, "gradebook.csv")
    check(os.path.exists(book) and len(open(book).read().splitlines()) == len(EXPECTED) + 1,
          "the gradebook has one row per submission")
    start = time.monotonic()
    again = subprocess.run([args.cli, "grade-all", hostile_dir, "-j", "2", "--out", out,
                            "--lesson", "02"], capture_output=True, text=True, timeout=120)
    check(again.returncode == 0 and f"{len(EXPECTED)} already graded" in again.stdout
          and time.monotonic() - start < 30, "running grade-all again resumes: nothing is graded twice")

    for side, want_full in (("solutions", True), ("exercises", False)):
        path = os.path.join(args.work, side + ".json")
        start = time.monotonic()
        ran = subprocess.run([args.cli, "grade", os.path.join(args.source, side), "--json", path,
                              "--exercism", path + ".exercism", "--gradescope", path + ".gradescope"],
                             capture_output=True, text=True, timeout=1800)
        took = time.monotonic() - start
        report = load(path) or {}
        score, top = report.get("score"), report.get("max_score")
        if want_full:
            check(ran.returncode == 0 and score == top and top and top > 0,
                  f"the solutions score full marks ({score}/{top}) in {took:.0f} s")
        else:
            check(ran.returncode == 0 and score == 0, f"the untouched stubs score 0 ({score}/{top})")
        validate_exercism(load(path + ".exercism"), side)
        validate_gradescope(load(path + ".gradescope"), side)

    return summary()


if __name__ == "__main__":
    sys.exit(main())
