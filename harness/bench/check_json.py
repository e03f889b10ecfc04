#!/usr/bin/python3
"""CI smoke check: each file named on the command line is valid JSON with the
shape its tool writes. Numbers are never judged."""
import json
import sys


def main(paths):
    for path in paths:
        try:
            with open(path, encoding="utf-8") as f:
                data = json.load(f)
        except (OSError, ValueError) as e:
            print(f"FAIL {path}: {e}")
            return 1
        if "benchmarks" in data:  # Google Benchmark's --benchmark_out
            if not data["benchmarks"]:
                print(f"FAIL {path}: no benchmark ran")
                return 1
            skipped = [b["name"] for b in data["benchmarks"] if b.get("error_occurred")]
            if skipped:
                print(f"FAIL {path}: benchmarks stopped with an error: {skipped}")
                return 1
        elif "calls_per_second" in data:  # course-cli bench --json
            if data.get("calls", 0) <= 0:
                print(f"FAIL {path}: no call completed")
                return 1
        else:
            print(f"FAIL {path}: neither a Google Benchmark nor a course bench report")
            return 1
        print(f"ok   {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
