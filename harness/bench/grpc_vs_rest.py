#!/usr/bin/python3
"""gRPC against REST/JSON: a chart and a table of ratios from one run of the
Stacks/ benchmarks (stack_bench.cc) in course_benchmarks' JSON.

    build/harness/bench/course_benchmarks --benchmark_filter=Stacks/ \\
        --benchmark_repetitions=3 --benchmark_out=docs/bench/grpc-vs-rest.json \\
        --benchmark_out_format=json
    harness/bench/grpc_vs_rest.py docs/bench/grpc-vs-rest.json \\
        --svg docs/bench/grpc-vs-rest.svg --md docs/bench/grpc-vs-rest.md

Every figure is the median over the run's repetitions; a ratio is formed per
repetition (repetition i against repetition i) and shown as its median with
the lowest and highest. Python's standard library only (the SVG is written
by hand). Exit codes: 0 written, 1 a benchmark of the run stopped with an
error, 2 could not run (no such file, not a Google Benchmark file, no
Stacks/ benchmark in it).
"""
import argparse
import json
import math
import re
import statistics
import sys
import xml.etree.ElementTree as ElementTree

IN_FLIGHT = [1, 4, 16, 64, 256]
SIZES = [100, 1 << 10, 10 << 10, 100 << 10, 1 << 20]
STACKS = [  # label, run name for N calls in flight, colour
    ("gRPC, 1 connection", "Stacks/GetUser/gRPC_1conn/in_flight:{n}/real_time", "#1f77b4"),
    ("gRPC, 4 connections", "Stacks/GetUser/gRPC_4conns/in_flight:{n}/real_time", "#2ca02c"),
    ("REST, N connections", "Stacks/GetUser/REST/real_time/threads:{n}", "#d62728"),
]
LISTS = [
    ("gRPC stream, unbatched writes", "Stacks/List1000/gRPC_stream/real_time"),
    ("gRPC stream, batched writes", "Stacks/List1000/gRPC_stream_batched/real_time"),
    ("REST, pages of 10", "Stacks/List1000/REST_pages/page_size:10/real_time"),
    ("REST, pages of 100", "Stacks/List1000/REST_pages/page_size:100/real_time"),
    ("REST, one page of 1,000", "Stacks/List1000/REST_pages/page_size:1000/real_time"),
]
ROWS = "Stacks/Rows/{stack}/bytes:{b}/real_time"


def die(message, code=2):
    print(f"grpc_vs_rest: {message}", file=sys.stderr)
    sys.exit(code)


class Run:
    """The iteration rows of one run, by run name."""

    def __init__(self, data):
        self.context = data.get("context", {})
        self.runs = {}
        self.errors = []
        for bench in data.get("benchmarks", []):
            if not bench.get("run_name", "").startswith("Stacks/"):
                continue
            if bench.get("error_occurred"):
                self.errors.append(f"{bench['name']}: {bench.get('error_message', '')}")
            elif bench.get("run_type", "iteration") == "iteration":
                self.runs.setdefault(bench["run_name"], []).append(bench)

    def median(self, name, field):
        values = [b[field] for b in self.runs.get(name, []) if field in b]
        return statistics.median(values) if values else None

    def ratio(self, a, b, field):
        """(median, lowest, highest) of a/b per repetition, or None."""
        pairs = [x[field] / y[field] for x, y in zip(self.runs.get(a, []), self.runs.get(b, []))
                 if field in x and y.get(field)]
        if not pairs:
            return None
        return statistics.median(pairs), min(pairs), max(pairs)


def num(value, digits=0):
    if value is None:
        return "-"
    if abs(value) >= 1000 and digits == 0:
        return f"{value:,.0f}"
    return f"{value:.{digits}f}"


def show_ratio(r):
    if r is None:
        return "-"
    mid, low, high = r
    spread = "" if low == high else f" ({low:.2f}-{high:.2f})"
    return f"**{mid:.2f}**{spread}"


def size_label(b):
    return f"{b // (1 << 20)} MiB" if b >= 1 << 20 else f"{b // 1024} KiB" if b >= 1024 else f"{b} B"


def concurrency_tables(run):
    out = ["## GetUser against calls in flight", "",
           "Calls per second (median) and the ratio gRPC / REST (higher: gRPC answered more).", "",
           "| in flight | gRPC 1 conn | gRPC 4 conns | REST N conns | gRPC 1 conn / REST "
           "| gRPC 4 conns / REST |", "|---|---|---|---|---|---|"]
    for n in IN_FLIGHT:
        names = [name.format(n=n) for _, name, _ in STACKS]
        rates = [num(run.median(x, "calls_per_second")) for x in names]
        out.append(f"| {n} | " + " | ".join(rates) + " | "
                   + show_ratio(run.ratio(names[0], names[2], "calls_per_second")) + " | "
                   + show_ratio(run.ratio(names[1], names[2], "calls_per_second")) + " |")
    out += ["", "Latency p50 / p99 in microseconds, and CPU microseconds per call on the "
            "client / the server (each in its own process).", "",
            "| in flight | gRPC 1 conn p50 / p99 | gRPC 4 conns p50 / p99 | REST p50 / p99 "
            "| gRPC 1 conn CPU client / server | gRPC 4 conns CPU | REST CPU |",
            "|---|---|---|---|---|---|---|"]
    for n in IN_FLIGHT:
        names = [name.format(n=n) for _, name, _ in STACKS]
        lat = [f"{num(run.median(x, 'p50_us'))} / {num(run.median(x, 'p99_us'))}" for x in names]
        cpu = [f"{num(run.median(x, 'client_cpu_us_per_call'), 1)} / "
               f"{num(run.median(x, 'server_cpu_us_per_call'), 1)}" for x in names]
        out.append(f"| {n} | " + " | ".join(lat + cpu) + " |")
    return out


def list_table(run):
    batched = LISTS[1][1]
    out = ["", "## 1,000 users: one server stream against REST pages", "",
           "Per list of 1,000 users, one list at a time. The ratio is lists/s against the "
           "batched gRPC stream (below 1: slower than the stream).", "",
           "| how | lists/s | requests | bytes | p50 ms | CPU us client / server | "
           "/ gRPC batched |", "|---|---|---|---|---|---|---|"]
    for label, name in LISTS:
        p50 = run.median(name, "p50_us")
        out.append(
            f"| {label} | {num(run.median(name, 'calls_per_second'))} | "
            f"{num(run.median(name, 'round_trips'))} | {num(run.median(name, 'response_bytes'))} | "
            f"{num(None if p50 is None else p50 / 1000, 2)} | "
            f"{num(run.median(name, 'client_cpu_us_per_call'))} / "
            f"{num(run.median(name, 'server_cpu_us_per_call'))} | "
            f"{show_ratio(run.ratio(name, batched, 'calls_per_second'))} |")
    return out


def rows_table(run):
    out = ["", "## Payload size: one table of rows per call, one call in flight", "",
           "| protobuf size | gRPC calls/s | REST calls/s | gRPC / REST | JSON / protobuf bytes "
           "| CPU us client gRPC / REST | CPU us server gRPC / REST |",
           "|---|---|---|---|---|---|---|"]
    for b in SIZES:
        g, r = ROWS.format(stack="gRPC", b=b), ROWS.format(stack="REST", b=b)
        out.append(
            f"| {size_label(b)} | {num(run.median(g, 'calls_per_second'))} | "
            f"{num(run.median(r, 'calls_per_second'))} | "
            f"{show_ratio(run.ratio(g, r, 'calls_per_second'))} | "
            f"{show_ratio(run.ratio(r, g, 'response_bytes'))} | "
            f"{num(run.median(g, 'client_cpu_us_per_call'))} / "
            f"{num(run.median(r, 'client_cpu_us_per_call'))} | "
            f"{num(run.median(g, 'server_cpu_us_per_call'))} / "
            f"{num(run.median(r, 'server_cpu_us_per_call'))} |")
    return out


def markdown(run, source):
    c = run.context
    reps = max((len(v) for v in run.runs.values()), default=0)
    out = ["# gRPC against REST/JSON on this machine", "",
           f"Generated by `harness/bench/grpc_vs_rest.py` from one run of `course_benchmarks "
           f"--benchmark_filter=Stacks/` (`{source}`): {c.get('date', '?')} on "
           f"{c.get('host_name', '?')}, {c.get('num_cpus', '?')} CPUs at "
           f"{c.get('mhz_per_cpu', '?')} MHz, load average at the start "
           f"{', '.join(f'{x:.1f}' for x in c.get('load_avg', []))}, {reps} repetitions. "
           "Client and server share the machine's cores over loopback; the servers run in a "
           "child process (course-bench-stack-server). See stack_bench.cc for what each row "
           "does. A ratio in bold is the median of the per-repetition ratios (lowest-highest "
           "in brackets), so on a noisy machine it can differ from the ratio of the two "
           "medians beside it.", ""]
    return "\n".join(out + concurrency_tables(run) + list_table(run) + rows_table(run)) + "\n"


def svg_chart(run):
    width, height, left, right, top, bottom = 680, 380, 80, 190, 50, 50
    plot_w, plot_h = width - left - right, height - top - bottom
    series = []
    for label, name, colour in STACKS:
        points = [(n, run.median(name.format(n=n), "calls_per_second")) for n in IN_FLIGHT]
        series.append((label, colour, [(n, v) for n, v in points if v is not None]))
    top_value = max([v for _, _, pts in series for _, v in pts] + [1])
    step = 10 ** math.floor(math.log10(top_value))
    for m in (0.1, 0.2, 0.25, 0.5, 1, 2, 2.5, 5, 10):
        if top_value / (step * m) <= 6:
            step *= m
            break
    y_max = step * math.ceil(top_value / step)

    def x_at(n):
        return left + plot_w * math.log2(n) / math.log2(IN_FLIGHT[-1])

    def y_at(v):
        return top + plot_h * (1 - v / y_max)

    p = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
         f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="12">',
         f'<rect width="{width}" height="{height}" fill="white"/>',
         f'<text x="{left + plot_w / 2}" y="22" text-anchor="middle" font-size="14" '
         f'font-weight="bold">GetUser calls/s against calls in flight (median)</text>']
    value = 0.0
    while value <= y_max + 1e-9:
        y = y_at(value)
        p.append(f'<line x1="{left}" y1="{y:.1f}" x2="{left + plot_w}" y2="{y:.1f}" '
                 f'stroke="#ddd"/>')
        p.append(f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">{value:,.0f}</text>')
        value += step
    for n in IN_FLIGHT:
        x = x_at(n)
        p.append(f'<line x1="{x:.1f}" y1="{top}" x2="{x:.1f}" y2="{top + plot_h}" stroke="#eee"/>')
        p.append(f'<text x="{x:.1f}" y="{top + plot_h + 16}" text-anchor="middle">{n}</text>')
    p.append(f'<text x="{left + plot_w / 2}" y="{height - 10}" text-anchor="middle">'
             'calls in flight (REST: as many HTTP/1.1 connections)</text>')
    p.append(f'<text x="16" y="{top + plot_h / 2}" text-anchor="middle" '
             f'transform="rotate(-90 16 {top + plot_h / 2})">calls/s</text>')
    for i, (label, colour, pts) in enumerate(series):
        if pts:
            coords = " ".join(f"{x_at(n):.1f},{y_at(v):.1f}" for n, v in pts)
            p.append(f'<polyline points="{coords}" fill="none" stroke="{colour}" '
                     f'stroke-width="2"/>')
            p += [f'<circle cx="{x_at(n):.1f}" cy="{y_at(v):.1f}" r="3.5" fill="{colour}"/>'
                  for n, v in pts]
        ly = top + 20 + 22 * i
        p.append(f'<line x1="{width - right + 15}" y1="{ly}" x2="{width - right + 40}" '
                 f'y2="{ly}" stroke="{colour}" stroke-width="2"/>')
        p.append(f'<text x="{width - right + 46}" y="{ly + 4}">{label}</text>')
    date = run.context.get("date", "")[:10]
    p.append(f'<text x="{width - right + 15}" y="{top + plot_h}" font-size="10" fill="#555">'
             f'{run.context.get("num_cpus", "?")} CPUs, {date}</text>')
    p.append("</svg>")
    return "\n".join(p) + "\n"


def main():
    parser = argparse.ArgumentParser(description="gRPC against REST: chart and ratios")
    parser.add_argument("benchmarks", help="course_benchmarks --benchmark_out file (JSON)")
    parser.add_argument("--svg", required=True, help="write the chart here")
    parser.add_argument("--md", required=True, help="write the tables here")
    args = parser.parse_args()
    try:
        with open(args.benchmarks, encoding="utf-8") as f:
            data = json.load(f)
    except (OSError, ValueError) as e:
        die(f"cannot read {args.benchmarks}: {e}")
    if not isinstance(data, dict) or "benchmarks" not in data:
        die(f"{args.benchmarks} is not a Google Benchmark JSON file")
    run = Run(data)
    if not run.runs and not run.errors:
        die(f"{args.benchmarks} has no Stacks/ benchmark")
    svg = svg_chart(run)
    ElementTree.fromstring(svg)  # the chart must be well-formed XML
    with open(args.svg, "w", encoding="utf-8") as f:
        f.write(svg)
    with open(args.md, "w", encoding="utf-8") as f:
        f.write(markdown(run, re.sub(r".*/docs/", "docs/", args.benchmarks)))
    print(f"wrote {args.svg} and {args.md} ({len(run.runs)} benchmarks)")
    if run.errors:
        for error in run.errors:
            print(f"grpc_vs_rest: stopped with an error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
