#!/usr/bin/env python3
"""Checks gradebooks without grading anything: gradebook.html against its
gradebook.json, and `gradebook merge` on shards made here.

Usage:
  gradebook_test.py html  --cli COURSE_CLI --work DIR   a hostile gradebook, drawn and checked
  gradebook_test.py merge --cli COURSE_CLI --work DIR   good and bad sets of shards
  gradebook_test.py check DIR                          DIR's gradebook.html matches its .json
Exit 0 when everything holds, 1 when not; prints `N passed, M failed` last.
"""
import argparse
import collections
import html.parser
import json
import os
import shutil
import subprocess
import sys

from selftest_kit import check, summary

class Page(html.parser.HTMLParser):
    """What gradebook.html shows, read back from its data- attributes."""

    def __init__(self):
        super().__init__()
        self.summary, self.bins, self.cells = {}, [], {}
        self.failures = collections.defaultdict(list)  # (lesson, task) -> [(count, text)]
        self.tags, self.external = collections.Counter(), []
        self.section, self.count, self.text = None, None, None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags[tag] += 1
        for name, value in attrs:
            v = (value or "").strip().lower()
            if name in ("src", "href", "action", "xlink:href") or v.startswith(("http:", "https:", "//")):
                self.external.append((tag, name, value))
        if a.get("id") == "summary":
            self.summary = a
        if tag == "g" and a.get("class") == "bin":
            self.bins.append((int(a["data-lo"]), int(a["data-hi"]), int(a["data-count"])))
        if tag == "td" and "data-lesson" in a:
            self.cells[(a["data-lesson"], int(a["data-task"]))] = (int(a["data-passed"]), int(a["data-graded"]))
        if tag == "section" and a.get("class") == "task":
            self.section = (a["data-lesson"], int(a["data-task"]))
        if tag == "li" and self.section:
            self.count = int(a["data-count"])
        if tag == "code" and a.get("class") == "message":
            self.text = ""

    def handle_endtag(self, tag):
        if tag == "code" and self.text is not None:
            self.failures[self.section].append((self.count, self.text))
            self.text = None
        if tag == "section":
            self.section = None

    def handle_data(self, data):
        if self.text is not None:
            self.text += data


def check_dir(folder):
    book = json.load(open(os.path.join(folder, "gradebook.json")))
    text = open(os.path.join(folder, "gradebook.html"), encoding="utf-8").read()
    page = Page()
    page.feed(text)
    rows = book["submissions"]
    where = os.path.basename(os.path.normpath(folder))
    check(page.tags["script"] == 0 and page.tags["link"] == 0 and page.tags["img"] == 0
          and not page.external and "url(" not in text and "@import" not in text,
          f"{where}: self-contained (no scripts, links, images or addresses: {page.external[:3]})")
    s = page.summary
    mean = sum(r["score"] for r in rows) / len(rows) if rows else 0
    check(s and int(s["data-submissions"]) == len(rows)
          and int(s["data-complete"]) == sum(1 for r in rows if r["complete"])
          and abs(float(s["data-mean-score"]) - mean) < 0.006
          and int(s["data-max-score"]) == max([r["max_score"] for r in rows] or [0]),
          f"{where}: the summary counts {len(rows)} submissions, mean {mean:.2f}")
    top = max([r["max_score"] for r in rows] or [0])
    covered = sorted(v for lo, hi, _ in page.bins for v in range(lo, hi + 1))
    counts_ok = all(c == sum(1 for r in rows if lo <= r["score"] <= hi) for lo, hi, c in page.bins)
    check(covered == list(range(top + 1)) and counts_ok and sum(c for *_, c in page.bins) == len(rows),
          f"{where}: the histogram's {len(page.bins)} bins cover 0..{top} once and count the scores")
    want_cells, want_fail = {}, collections.defaultdict(collections.Counter)
    for r in rows:
        for t in r["tasks"]:
            key = (t["lesson"], t["n"])
            passed, graded = want_cells.get(key, (0, 0))
            want_cells[key] = (passed + (t["status"] == "pass"), graded + 1)
            if t["status"] != "pass":
                want_fail[key][t["summary"] or "(no message)"] += 1
    all_tasks = {(l["id"], t["n"]) for l in book["lessons"] for t in l["tasks"]}
    check(set(page.cells) == all_tasks and all(page.cells[k] == want_cells.get(k, (0, 0)) for k in all_tasks),
          f"{where}: the heatmap has every task ({len(all_tasks)}) with its pass count")
    ok = set(page.failures) == set(want_fail)
    for key, shown in page.failures.items():
        want = want_fail[key]
        ok = ok and all(want[msg] == n for n, msg in shown) and len(shown) == min(5, len(want))
        ok = ok and [n for n, _ in shown] == sorted((n for n, _ in shown), reverse=True)
        ok = ok and (not shown or shown[0][0] == max(want.values()))
    check(ok, f"{where}: each task's most common failures, with their counts and exact text")


def fnv1a(name):
    h = 14695981039346656037
    for b in name.encode():
        h = ((h ^ b) * 1099511628211) % (1 << 64)
    return h


LESSONS = [{"id": "02", "title": "Unary <RPCs>", "max_points": 3,
            "tasks": [{"n": 1, "title": "GetUser", "points": 2}, {"n": 2, "title": "errors & co", "points": 1}]},
           {"id": "03", "title": "Streams", "max_points": 1, "tasks": [{"n": 1, "title": "List", "points": 1}]}]
HOSTILE = ["<script>alert('x')</script> & \"quotes\"", "could not connect to 127.0.0.1:#",
           "</code></li></ol><img src=http://evil/x>", "ünïcödé — ok", ""]


def row(name, i):
    tasks = []
    for l in LESSONS:
        for t in l["tasks"]:
            passed = (i + t["n"] + int(l["id"])) % 3 == 0
            msg = "" if passed else HOSTILE[(i * 7 + t["n"]) % len(HOSTILE)]
            tasks.append({"lesson": l["id"], "n": t["n"], "status": "pass" if passed else "fail",
                          "summary": msg, "message": msg + "\nmore"})
    score = sum(t["points"] for l in LESSONS for t in l["tasks"] for x in tasks
                if x["lesson"] == l["id"] and x["n"] == t["n"] and x["status"] == "pass")
    return {"submission": name, "score": score, "max_score": 4, "complete": i % 5 != 0, "seed": i,
            "duration_s": 1.0, "lessons": {}, "statuses": {}, "phases": {}, "tasks": tasks}


def write_book(folder, names, index, count):
    os.makedirs(folder, exist_ok=True)
    book = {"schema_version": 1, "shard": {"index": index, "count": count}, "lessons": LESSONS,
            "submissions": [row(n, int(n.split("-")[1])) for n in sorted(names)]}
    json.dump(book, open(os.path.join(folder, "gradebook.json"), "w"))


def run(cli, *args):
    ran = subprocess.run([cli, *args], capture_output=True, text=True, timeout=60)
    return ran.returncode, ran.stdout + ran.stderr


def test_html(cli, work):
    folder = os.path.join(work, "hostile")
    write_book(folder, [f"student-{i}" for i in range(23)], 0, 1)
    code, out = run(cli, "gradebook", "html", folder)
    check(code == 0, f"`gradebook html` draws a gradebook (exit {code}) {out.strip()}")
    check_dir(folder)
    text = open(os.path.join(folder, "gradebook.html"), encoding="utf-8").read()
    check("<script>" not in text and "<img" not in text and "&lt;script&gt;" in text,
          "failure messages are escaped, never markup")
    code, out = run(cli, "gradebook", "html", os.path.join(work, "nowhere-made"))
    check(code == 2, f"`gradebook html` of a folder that is not there exits 2 ({code})")


def test_merge(cli, work):
    names = [f"student-{i}" for i in range(40)]
    shards = []
    for index in range(3):
        folder = os.path.join(work, f"shard-{index}")
        write_book(folder, [n for n in names if fnv1a(n) % 3 == index], index, 3)
        shards.append(folder)
    out = os.path.join(work, "merged")
    code, text = run(cli, "gradebook", "merge", *shards, "--out", out)
    merged = json.load(open(os.path.join(out, "gradebook.json"))) if code == 0 else {}
    got = [r["submission"] for r in merged.get("submissions", [])]
    check(code == 0 and got == sorted(names), f"three shards merge into the whole class ({len(got)} of {len(names)})")
    check(code == 0 and len(open(os.path.join(out, "gradebook.csv")).read().splitlines()) == len(names) + 1,
          "the merged gradebook.csv has one row per submission")
    if code == 0:
        check_dir(out)
    cases = [
        ("a missing shard", shards[:2], "missing shard 2/3"),
        ("two missing shards", shards[:1], "missing shards 1/3, 2/3"),
        ("a shard given twice", shards + [shards[1]], "shard 1/3 is given twice"),
        ("a folder with no gradebook", shards + [os.path.join(work, "empty")], "no gradebook"),
    ]
    os.makedirs(os.path.join(work, "empty"), exist_ok=True)
    wrong = os.path.join(work, "wrong")  # shard 1 of a split by 4: other N, names elsewhere
    write_book(wrong, [n for n in names if fnv1a(n) % 4 == 1], 1, 4)
    cases.append(("shards of different splits", shards + [wrong], "split the class differently"))
    moved = os.path.join(work, "moved")  # a shard 2/3 holding a name of shard 0
    write_book(moved, [n for n in names if fnv1a(n) % 3 == 2] + [next(n for n in names if fnv1a(n) % 3 == 0)], 2, 3)
    cases.append(("a submission in the wrong shard", shards[:2] + [moved], "belongs to 0/3"))
    for what, dirs, phrase in cases:
        bad = os.path.join(work, "bad")
        shutil.rmtree(bad, ignore_errors=True)
        code, text = run(cli, "gradebook", "merge", *dirs, "--out", bad)
        check(code == 2 and phrase in text and not os.path.exists(os.path.join(bad, "gradebook.csv")),
              f"{what}: exit 2, says '{phrase}', writes nothing (exit {code}: {text.strip()[:200]})")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("mode", choices=["html", "merge", "check"])
    ap.add_argument("dir", nargs="?")
    ap.add_argument("--cli")
    ap.add_argument("--work")
    args = ap.parse_args()
    if args.mode == "check":
        check_dir(args.dir)
    else:
        shutil.rmtree(args.work, ignore_errors=True)
        os.makedirs(args.work)
        (test_html if args.mode == "html" else test_merge)(args.cli, args.work)
    return summary()


if __name__ == "__main__":
    sys.exit(main())
