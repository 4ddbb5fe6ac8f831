"""The label of a results row, shared by scripts/ratio-table and
scripts/allocator-share so that one --rows regex picks the same rows in both:
the workload, the parameters whose values differ between its runs (a path
shortened to its last part), and the thread count, e.g. 'glibc-simple n=400 t=1'."""
from collections import defaultdict


def varying_params(runs):
    """For each workload, the names of the parameters that take more than one
    value over `runs` (records or jobs: dicts with workload and params)."""
    values = defaultdict(lambda: defaultdict(set))
    for r in runs:
        for k, v in r.get("params", {}).items():
            values[r["workload"]][k].add(str(v))
    return {w: sorted(k for k, vs in p.items() if len(vs) > 1) for w, p in values.items()}


def row_label(run, varying):
    label = run["workload"]
    for k in varying.get(run["workload"], ()):
        label += f" {k}={str(run['params'].get(k, '')).rsplit('/', 1)[-1]}"
    return f"{label} t={run.get('threads', 1)}"
