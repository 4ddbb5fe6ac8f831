#!/usr/bin/env bash
# Fails, listing the files, when a tracked C/C++ file differs from clang-format's output.
set -euo pipefail
cd "$1"
if ! "$GIT" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  echo "format_check: $1 is not a git checkout; nothing to check"
  exit 0
fi
mapfile -t files < <("$GIT" ls-files '*.c' '*.h' '*.cpp' '*.hpp')
bad=$("$CLANG_FORMAT" --dry-run "${files[@]}" 2>&1 | grep -oE '^[^:]+:[0-9]+:[0-9]+: warning' | cut -d: -f1 | sort -u || true)
if [ -n "$bad" ]; then
  echo "format_check: these files do not follow .clang-format (fix with: clang-format -i FILE):"
  echo "$bad"
  exit 1
fi
echo "format_check: ${#files[@]} files follow .clang-format"
