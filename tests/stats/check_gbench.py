#!/usr/bin/python3
"""Reads allocscope's Google Benchmark export the way Google Benchmark's
tools/compare.py does (context + benchmarks; per benchmark name, run_type,
repetitions, repetition_index, threads, iterations, real_time, cpu_time,
time_unit; iteration rows grouped by name for the U test) and checks fields
and types. Usage: check_gbench.py FILE... ; exit 0 when every file is valid."""
import json
import sys

TIME_UNITS = {"ns", "us", "ms", "s"}


def check(path):
    with open(path) as f:
        doc = json.load(f)
    assert isinstance(doc.get("context"), dict), "context object"
    for k in ("date", "host_name", "executable", "num_cpus", "library_build_type"):
        assert k in doc["context"], f"context.{k}"
    benches = doc["benchmarks"]
    assert isinstance(benches, list) and benches, "benchmarks list"
    groups = {}
    for b in benches:
        assert isinstance(b["name"], str) and b["name"], "name"
        assert b["run_type"] == "iteration", "run_type"
        for k in ("repetitions", "repetition_index", "threads", "iterations", "family_index",
                  "per_family_instance_index"):
            assert isinstance(b[k], int) and not isinstance(b[k], bool), f"{k} is an integer"
        for k in ("real_time", "cpu_time"):
            assert isinstance(b[k], (int, float)) and b[k] >= 0, f"{k} is a number"
        assert b["time_unit"] in TIME_UNITS, "time_unit"
        for k, v in b.items():
            if k not in ("name", "run_name", "run_type", "time_unit", "aggregate_name", "label"):
                assert isinstance(v, (int, float)), f"counter {k} is numeric"
        groups.setdefault(b["name"], []).append(b)
    for name, rows in groups.items():
        reps = rows[0]["repetitions"]
        assert len(rows) == reps, f"{name}: {len(rows)} rows for repetitions={reps}"
        assert sorted(r["repetition_index"] for r in rows) == list(range(reps)), f"{name}: repetition_index"
        # compare.py's U test takes the real_time/cpu_time of the iteration rows
        _ = [r["real_time"] for r in rows], [r["cpu_time"] for r in rows]
    return len(groups)


if __name__ == "__main__":
    total = 0
    for p in sys.argv[1:]:
        total += check(p)
    print(f"ok: {len(sys.argv) - 1} files, {total} benchmarks")
