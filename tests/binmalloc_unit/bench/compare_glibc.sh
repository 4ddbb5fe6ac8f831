#!/bin/bash
# Interleaved runs of quick_bench under glibc and under libbinmalloc.so; prints
# the minimum of each (machine noise here is 20-35%, minimums are stable).
# usage: compare_glibc.sh BUILD_DIR MODE THREADS N [REPS]
b=$1; m=$2; t=$3; n=$4; reps=${5:-7}
bench=$b/bin/binmalloc_quick_bench
lib=$b/lib/libbinmalloc.so
g=(); x=()
for i in $(seq 1 "$reps"); do
  g+=("$("$bench" "$m" "$t" "$n")")
  x+=("$(LD_PRELOAD=$lib "$bench" "$m" "$t" "$n")")
done
gm=$(printf "%s\n" "${g[@]}" | sort -g | head -1)
xm=$(printf "%s\n" "${x[@]}" | sort -g | head -1)
echo "$m threads=$t n=$n glibc_min=${gm}ns binmalloc_min=${xm}ns ratio=$(awk -v a="$xm" -v b="$gm" 'BEGIN{printf "%.2f", a/b}')"
