#!/usr/bin/env python3
"""Line coverage of the project's folders from gcc's coverage data.

Reads every .gcno file under the build folder with gcc's own gcov
(gcov --json-format --stdout; an object with no .gcda counts as never run)
and counts source lines only, no branches:
  - a line is a line gcov reports as executable in some object;
  - it is covered when any object counts it more than zero (a header's line
    compiled into several objects, or a template's into several functions,
    is one line, covered if any copy ran);
  - only files under the named folders of the repository count (not tests/,
    not the build folder, not system or third-party headers).
Prints one line per folder and then `lines: NN.N%`; --files FILE writes
every counted file with its figure and its uncovered lines.

  coverage_lines.py --root REPO --build BUILD_DIR [--files FILE] FOLDER...
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile

BATCH = 40  # .gcno files per gcov run


def gcov_documents(gcno_files, errors):
    """Yields gcov's JSON document of each object; errors collects failures."""
    with tempfile.TemporaryDirectory() as scratch:  # gcov may leave files in its cwd
        for start in range(0, len(gcno_files), BATCH):
            batch = gcno_files[start : start + BATCH]
            run = subprocess.run(
                ["gcov", "--json-format", "--stdout", *batch], cwd=scratch, capture_output=True, text=True
            )
            if run.returncode != 0 and len(batch) > 1:
                # Find the object gcov cannot read, keep the others.
                for one in batch:
                    yield from gcov_documents([one], errors)
                continue
            if run.returncode != 0:
                errors.append(f"{batch[0]}: {run.stderr.strip()}")
                continue
            for line in run.stdout.splitlines():
                if line.strip():
                    yield json.loads(line)


def ranges(numbers):
    """[1, 2, 3, 7] -> '1-3,7'."""
    out, first, last = [], None, None
    for n in sorted(numbers):
        if first is not None and n == last + 1:
            last = n
            continue
        if first is not None:
            out.append(f"{first}-{last}" if last > first else f"{first}")
        first = last = n
    if first is not None:
        out.append(f"{first}-{last}" if last > first else f"{first}")
    return ",".join(out)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--root", required=True)
    parser.add_argument("--build", required=True)
    parser.add_argument("--files")
    parser.add_argument("folders", nargs="+")
    args = parser.parse_args()
    root = os.path.realpath(args.root)
    build = os.path.realpath(args.build)

    gcno_files = sorted(
        os.path.join(d, f) for d, _, names in os.walk(build) for f in names if f.endswith(".gcno")
    )
    if not gcno_files:
        sys.exit(f"coverage_lines: no .gcno files under {build} (not a coverage build?)")

    hit = {}  # relative path -> {line: covered}
    negative = 0  # lines a non-atomic counter left below zero
    errors = []
    for doc in gcov_documents(gcno_files, errors):
        cwd = doc.get("current_working_directory", "")
        for entry in doc["files"]:
            path = os.path.realpath(os.path.join(cwd, entry["file"]))
            if path.startswith(build + os.sep) or not path.startswith(root + os.sep):
                continue
            rel = os.path.relpath(path, root)
            if rel.split(os.sep, 1)[0] not in args.folders or not entry["lines"]:
                continue
            lines = hit.setdefault(rel, {})
            for line in entry["lines"]:
                count = line["count"]
                negative += count < 0
                number = line["line_number"]
                lines[number] = lines.get(number, False) or count > 0

    per_folder = {f: [0, 0] for f in args.folders}
    rows = []
    for rel, lines in hit.items():
        covered = sum(lines.values())
        per_folder[rel.split(os.sep, 1)[0]][0] += covered
        per_folder[rel.split(os.sep, 1)[0]][1] += len(lines)
        missed = [n for n, ok in lines.items() if not ok]
        rows.append((len(missed), rel, covered, len(lines), ranges(missed)))

    if args.files:
        with open(args.files, "w") as out:
            out.write("# uncovered  covered/lines  percent  file  uncovered lines\n")
            for missed, rel, covered, total, where in sorted(rows, key=lambda r: (-r[0], r[1])):
                out.write(f"{missed:6d} {covered:6d}/{total:<6d} {100.0 * covered / total:5.1f}%  {rel}  {where}\n")

    # Sources of the folders with no counted line.
    compiled = set(hit)
    absent = []
    for folder in args.folders:
        for d, _, names in os.walk(os.path.join(root, folder)):
            for f in names:
                rel = os.path.relpath(os.path.join(d, f), root)
                if f.endswith((".c", ".cpp", ".cc")) and rel not in compiled:
                    absent.append(rel)
    for e in errors:
        print(f"coverage_lines: gcov could not read {e}", file=sys.stderr)
    if negative:
        print(f"coverage_lines: {negative} line counts below zero (counters updated without atomics)", file=sys.stderr)
    if absent:
        print(f"  sources with no line in this build's coverage data (not compiled here, or no executable line of their own): {' '.join(sorted(absent))}")

    total_hit = sum(v[0] for v in per_folder.values())
    total = sum(v[1] for v in per_folder.values())
    for f in args.folders:
        h, a = per_folder[f]
        print(f"  {f:<10} {h:6d} / {a:6d} lines  {100.0 * h / a:5.1f}%" if a else f"  {f:<10} no executable lines")
    print(f"lines: {100.0 * total_hit / total if total else 0:.1f}%")


if __name__ == "__main__":
    main()
