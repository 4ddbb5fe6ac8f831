#!/usr/bin/python3
"""Charts for `allocscope report`: reads DIR/report-data.json (written by the
report command: per-job estimates, ratios to the reference allocator with
bootstrap CIs, RSS series) and writes PNG files into --out, one per chart.
Prints the written file names, one a line. Needs matplotlib (Agg backend)."""
import argparse
import json
import math
import os
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

COLORS = ["#4C72B0", "#DD8452", "#55A868", "#C44E52", "#8172B3", "#937860", "#DA8BC3", "#8C8C8C"]


def color(allocators, a):
    return COLORS[allocators.index(a) % len(COLORS)] if a in allocators else "#333333"


def grouped_bars(ax, groups, allocators, value, whisker=None, log=False, refline=None):
    """groups: list of job names; value(group, alloc) -> float or None."""
    n = max(1, len(allocators))
    width = 0.8 / n
    for i, a in enumerate(allocators):
        xs, ys, lo, hi = [], [], [], []
        for g_i, g in enumerate(groups):
            v = value(g, a)
            if v is None or (isinstance(v, float) and math.isnan(v)):
                continue
            xs.append(g_i - 0.4 + width * (i + 0.5))
            ys.append(v)
            if whisker:
                w = whisker(g, a)
                lo.append(max(0.0, v - w[0]) if w else 0.0)
                hi.append(max(0.0, w[1] - v) if w else 0.0)
        if not xs:
            continue
        kw = {}
        if whisker:
            kw = {"yerr": [lo, hi], "capsize": 3, "ecolor": "#222222"}
        ax.bar(xs, ys, width, label=a, color=color(allocators, a), **kw)
    ax.set_xticks(range(len(groups)))
    ax.set_xticklabels([short(g) for g in groups], rotation=40, ha="right", fontsize=8)
    if log:
        ax.set_yscale("log")
    if refline is not None:
        ax.axhline(refline, color="#444444", linewidth=0.8, linestyle="--")
    ax.grid(axis="y", alpha=0.3)


AMBIGUOUS = set()  # short names shared by jobs that differ in their params


def short(name):
    # "workload/k=v,.../threads:N" -> "workload t=N"; with the params when two
    # jobs of one workload would otherwise look the same.
    parts = name.split("/")
    threads = parts[-1].replace("threads:", "t=")
    s = f"{parts[0]} {threads}"
    if s in AMBIGUOUS and len(parts) == 3:
        p = parts[1] if len(parts[1]) <= 40 else parts[1][:37] + "..."
        s = f"{parts[0]} {p} {threads}"
    return s


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", required=True)
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    with open(args.data) as f:
        data = json.load(f)
    os.makedirs(args.out, exist_ok=True)
    ref = data["reference"]
    allocators = data["allocators"]
    jobs = data["jobs"]  # list of {name, workload, threads, allocator, metrics: {m: {value, ratio, lo, hi}}}
    names = []
    for j in jobs:
        if j["name"] not in names:
            names.append(j["name"])
    by = {(j["name"], j["allocator"]): j for j in jobs}
    seen = {}
    for n in names:
        seen.setdefault(short(n), set()).add(n)
    AMBIGUOUS.update(k for k, v in seen.items() if len(v) > 1)

    def metric(g, a, m, field="value"):
        j = by.get((g, a))
        if not j or m not in j["metrics"]:
            return None
        return j["metrics"][m].get(field)

    written = []

    def save(fig, fname, title):
        fig.suptitle(title)  # figures use constrained layout: room is made for it
        path = os.path.join(args.out, fname)
        fig.savefig(path, dpi=90)
        plt.close(fig)
        written.append(fname)

    width = min(14.0, max(7.0, 0.6 * len(names) + 3))
    # 1, 2: throughput and peak RSS normalised to the reference, CI whiskers.
    for m, fname, title, better in [
        ("ops_per_s", "throughput.png", f"Throughput relative to {ref} (best round, 95% CI)", "higher is better"),
        ("peak_rss_bytes", "peak_rss.png", f"Peak RSS relative to {ref} (median, 95% CI)", "lower is better"),
    ]:
        if not any(metric(g, a, m, "ratio") is not None for g in names for a in allocators):
            continue
        fig, ax = plt.subplots(figsize=(width, 5.0), constrained_layout=True)
        grouped_bars(ax, names, allocators, lambda g, a: metric(g, a, m, "ratio"),
                     whisker=lambda g, a: (metric(g, a, m, "lo"), metric(g, a, m, "hi"))
                     if metric(g, a, m, "lo") is not None else None, refline=1.0)
        ax.set_ylabel(f"x {ref} ({better})")
        ax.legend(fontsize=8)
        save(fig, fname, title)

    # 3: RSS over time, one panel per job (the first round of each allocator).
    # Series of fewer than 3 samples (jobs shorter than the sampling interval) say nothing.
    series = [s for s in data.get("rss_series", []) if len(s["series"]) >= 3]

    def per_job_panels(entries, points, ylabel, fname, title):
        """One panel per job name, a line per allocator: points(entry) -> [(t, y)]."""
        names_in_order = []
        for s in entries:
            if s["name"] not in names_in_order:
                names_in_order.append(s["name"])
        if not names_in_order:
            return
        cols = 2 if len(names_in_order) > 1 else 1
        rows = math.ceil(len(names_in_order) / cols)
        fig, axes = plt.subplots(rows, cols, figsize=(11, 3.2 * rows), squeeze=False, constrained_layout=True)
        for i, n in enumerate(names_in_order):
            ax = axes[i // cols][i % cols]
            for s in entries:
                pts = points(s) if s["name"] == n else []
                if pts:
                    ax.plot([p[0] for p in pts], [p[1] for p in pts], label=s["allocator"],
                            color=color(allocators, s["allocator"]), linewidth=1.2)
            ax.set_title(short(n), fontsize=9)
            ax.set_xlabel("s")
            ax.set_ylabel(ylabel)
            ax.grid(alpha=0.3)
            ax.legend(fontsize=7)
        for k in range(len(names_in_order), rows * cols):
            axes[k // cols][k % cols].axis("off")
        save(fig, fname, title)

    per_job_panels(series, lambda s: [(t, rss / 1048576.0) for t, rss in s["series"]], "RSS MiB",
                   "rss_over_time.png", "RSS over time")

    # 4: thread scaling for workloads measured at more than one thread count.
    scaling = {}
    for j in jobs:
        v = j["metrics"].get("ops_per_s", {}).get("value")
        if v is None:
            continue
        key = j["name"].rsplit("/", 1)[0]
        scaling.setdefault(key, {}).setdefault(j["allocator"], []).append((j["threads"], v))
    scaling = {k: v for k, v in scaling.items() if any(len(set(t for t, _ in pts)) > 1 for pts in v.values())}
    if scaling:
        cols = min(3, len(scaling))
        rows = math.ceil(len(scaling) / cols)
        fig, axes = plt.subplots(rows, cols, figsize=(4.5 * cols, 3.6 * rows), squeeze=False, constrained_layout=True)
        for k in range(len(scaling), rows * cols):
            axes[k // cols][k % cols].axis("off")
        for i, (k, per) in enumerate(sorted(scaling.items())):
            ax = axes[i // cols][i % cols]
            for a, pts in per.items():
                pts.sort()
                ax.plot([t for t, _ in pts], [v / 1e6 for _, v in pts], marker="o", label=a, color=color(allocators, a))
            ax.set_title(k.split("/")[0], fontsize=9)
            ax.set_xlabel("threads")
            ax.set_ylabel("Mops/s (best round)")
            ax.set_xticks(sorted({t for pts in per.values() for t, _ in pts}))
            ax.grid(alpha=0.3)
            ax.legend(fontsize=7)
        save(fig, "thread_scaling.png", "Thread scaling")

    # 5: page faults and memory syscalls.
    if any(metric(g, a, "minflt") is not None or metric(g, a, "syscalls_total") is not None for g in names for a in allocators):
        fig, axes = plt.subplots(2, 1, figsize=(width, 9.0), constrained_layout=True)
        grouped_bars(axes[0], names, allocators, lambda g, a: metric(g, a, "minflt"), log=True)
        axes[0].set_title("minor page faults (median)", fontsize=10)
        grouped_bars(axes[1], names, allocators, lambda g, a: metric(g, a, "syscalls_total"), log=True)
        axes[1].set_title("memory syscalls (median)", fontsize=10)
        axes[1].legend(fontsize=7)
        save(fig, "faults_syscalls.png", "Page faults and memory syscalls")

    # 6: fragmentation.
    if any(metric(g, a, "frag_peak_ratio") is not None for g in names for a in allocators):
        fig, axes = plt.subplots(2, 1, figsize=(width, 9.0), constrained_layout=True)
        grouped_bars(axes[0], names, allocators, lambda g, a: metric(g, a, "frag_peak_ratio"), refline=1.0)
        axes[0].set_title("peak RSS / peak live bytes", fontsize=10)
        grouped_bars(axes[1], names, allocators, lambda g, a: metric(g, a, "frag_end_ratio"), refline=1.0)
        axes[1].set_title("RSS / live bytes at window end", fontsize=10)
        axes[1].legend(fontsize=7)
        save(fig, "fragmentation.png", "Fragmentation (lower is better, 1 = ideal)")

    # 7: realized fragmentation over time, from RSS and live bytes sampled on one
    # clock: (RSS - live) / live at each sample holding at least a tenth of the
    # job's peak live bytes (below that, start-up and tear-down dwarf the rest).
    def realized(s):
        floor = 0.1 * max(live for _, live in s["live"])
        return [(t, (rss - live) / live) for (t, rss), (_, live) in zip(s["series"], s["live"]) if live > 0 and live >= floor]

    per_job_panels([s for s in series if len(s.get("live", [])) >= 3], realized,
                   "(RSS - live) / live", "fragmentation_over_time.png",
                   "Realized fragmentation over time (lower is better, 0 = ideal)")

    for w in written:
        print(w)
    return 0


if __name__ == "__main__":
    sys.exit(main())
