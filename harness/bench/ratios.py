#!/usr/bin/python3
"""The suite's claims as ratios, from course_benchmarks' JSON.

    build/harness/bench/course_benchmarks --benchmark_repetitions=5 \\
        --benchmark_out=docs/bench/benchmarks.json --benchmark_out_format=json
    harness/bench/ratios.py docs/bench/benchmarks.json --json docs/bench/ratios.json

Each ratio is computed per repetition (repetition i of one benchmark against
repetition i of the other) and reported as the median with the lowest and
highest of those, so the spread of a noisy machine shows. Each title says
which way its ratio reads.
"""
import argparse
import json
import statistics
import sys

# name, first benchmark, second benchmark, field, how the ratio is formed
RATIOS = [
    ("size, 1 user: JSON bytes / protobuf bytes",
     "Encode/Json/users/1", "Encode/Protobuf/users/1", "bytes", "a/b"),
    ("size, 1,000 users: JSON bytes / protobuf bytes",
     "Encode/Json/users/1000", "Encode/Protobuf/users/1000", "bytes", "a/b"),
    ("encode, 1 user: JSON time / protobuf time",
     "Encode/Json/users/1", "Encode/Protobuf/users/1", "cpu_time", "a/b"),
    ("encode, 1,000 users: JSON time / protobuf time",
     "Encode/Json/users/1000", "Encode/Protobuf/users/1000", "cpu_time", "a/b"),
    ("decode, 1 user: JSON time / protobuf time",
     "Decode/Json/users/1", "Decode/Protobuf/users/1", "cpu_time", "a/b"),
    ("decode, 1,000 users: JSON time / protobuf time",
     "Decode/Json/users/1000", "Decode/Protobuf/users/1000", "cpu_time", "a/b"),
    ("GetUser calls/s, 1 client: gRPC / REST",
     "GetUser/gRPC/loopback/real_time/threads:1", "GetUser/REST/loopback/real_time/threads:1",
     "calls_per_second", "a/b"),
    ("GetUser calls/s, 4 clients: gRPC / REST",
     "GetUser/gRPC/loopback/real_time/threads:4", "GetUser/REST/loopback/real_time/threads:4",
     "calls_per_second", "a/b"),
    ("GetUser CPU per call, 1 client: REST / gRPC",
     "GetUser/REST/loopback/real_time/threads:1", "GetUser/gRPC/loopback/real_time/threads:1",
     "cpu_us_per_call", "a/b"),
    ("GetUser latency: loopback TCP / in-process",
     "GetUser/gRPC/loopback/real_time/threads:1", "GetUser/gRPC/in-process/real_time/threads:1",
     "real_time", "a/b"),
    ("ListUsers users/s: batched / unbatched",
     "ListUsers/batched/loopback/real_time", "ListUsers/unbatched/loopback/real_time",
     "items_per_second", "a/b"),
    ("GetUser calls/s, 1 client: reference / bare echo",
     "GetUser/gRPC/loopback/real_time/threads:1", "GetUser/echo/loopback/real_time/threads:1",
     "calls_per_second", "a/b"),
    ("GetUser calls/s, 4 clients: reference / bare echo",
     "GetUser/gRPC/loopback/real_time/threads:4", "GetUser/echo/loopback/real_time/threads:4",
     "calls_per_second", "a/b"),
    ("GetUser CPU per call: reference / bare echo",
     "GetUser/gRPC/loopback/real_time/threads:1", "GetUser/echo/loopback/real_time/threads:1",
     "cpu_us_per_call", "a/b"),
]


def main():
    parser = argparse.ArgumentParser(description="ratios from course_benchmarks JSON")
    parser.add_argument("benchmarks", help="--benchmark_out file (JSON)")
    parser.add_argument("--json", help="write the ratios here too")
    args = parser.parse_args()
    data = json.load(open(args.benchmarks, encoding="utf-8"))
    runs = {}
    for bench in data["benchmarks"]:
        if bench.get("run_type", "iteration") != "iteration" or bench.get("error_occurred"):
            continue
        runs.setdefault(bench["run_name"], []).append(bench)
    out = []
    print("| ratio | median | lowest | highest | repetitions |")
    print("|---|---|---|---|---|")
    for title, a, b, field, _ in RATIOS:
        if a not in runs or b not in runs:
            print(f"| {title} | not measured | | | |")
            continue
        pairs = [x[field] / y[field] for x, y in zip(runs[a], runs[b]) if y[field]]
        entry = {"ratio": title, "median": round(statistics.median(pairs), 3),
                 "lowest": round(min(pairs), 3), "highest": round(max(pairs), 3),
                 "repetitions": len(pairs)}
        out.append(entry)
        print(f"| {title} | {entry['median']:.2f} | {entry['lowest']:.2f} | "
              f"{entry['highest']:.2f} | {len(pairs)} |")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump({"context": data.get("context", {}), "ratios": out}, f, indent=2)
            f.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
