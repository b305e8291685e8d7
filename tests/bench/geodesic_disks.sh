#!/usr/bin/env bash
# Benchmark: searchlight disks (all vertices within 3 mm and within 10 mm of every vertex) on an
# order-7 icosphere of radius 100 mm (163,842 vertices, the fsaverage count), 2 threads.
# Reports wall time and peak memory (median of the runs) for both methods, and compares with
# Connectome Workbench: one `wb_command -surface-geodesic-distance -limit` call per vertex,
# timed on a few vertices and extrapolated to all of them (ratios in the same script, so a
# noisy machine shifts both sides alike). Targets: 3 mm <= 2 s, 10 mm <= 20 s.
#
# Usage: tests/bench/geodesic_disks.sh [build dir] [runs]   (needs GNU time; installs
# connectome-workbench if it is missing)
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
build="$(cd "${1:-$root/build}" && pwd)"
runs="${2:-3}"
visalign="$build/apps/visalign"
[ -x "$visalign" ] || { echo "build visalign first (scripts/build)" >&2; exit 1; }
if ! command -v wb_command >/dev/null; then
  apt-get install -y -qq --no-install-recommends connectome-workbench >/dev/null
fi
[ -x /usr/bin/time ] || apt-get install -y -qq time >/dev/null
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

"$visalign" surface icosphere --order 7 --radius 100 -o "$work/ico7.surf.gii" -q >/dev/null

median() { sort -g | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }

# Median wall seconds and peak MB of `runs` runs of a command.
measure() {
  local times=() memories=()
  for _ in $(seq "$runs"); do
    /usr/bin/time -f "%e %M" -o "$work/time.txt" "$@" >/dev/null 2>&1
    read -r seconds kilobytes <"$work/time.txt"
    times+=("$seconds")
    memories+=("$kilobytes")
  done
  echo "$(printf '%s\n' "${times[@]}" | median) $(printf '%s\n' "${memories[@]}" | median | awk '{printf "%.0f", $1/1024}')"
}

# One wb_command call per vertex, timed on 5 vertices (median) and multiplied by the vertex count.
wb_seconds_per_call() {
  local limit="$1" times=()
  for vertex in 0 40000 80000 120000 160000; do
    /usr/bin/time -f "%e" -o "$work/time.txt" wb_command -surface-geodesic-distance "$work/ico7.surf.gii" \
      "$vertex" "$work/wb.func.gii" -limit "$limit" >/dev/null 2>&1
    times+=("$(cat "$work/time.txt")")
  done
  printf '%s\n' "${times[@]}" | median
}

printf '%-8s %-14s %10s %10s %14s %12s %8s\n' radius method seconds peak_MB wb_extrapolated speedup target
for radius in 3 10; do
  target=$([ "$radius" = 3 ] && echo 2 || echo 20)
  wb_call=$(wb_seconds_per_call "$radius")
  wb_total=$(awk -v s="$wb_call" 'BEGIN {printf "%.0f", s * 163842}')
  for method in fast-marching dijkstra; do
    read -r seconds megabytes < <(measure "$visalign" surface neighborhoods "$work/ico7.surf.gii" --radius "$radius" \
      --method "$method" --threads 2 -q -o "$work/disks.nbhd")
    speedup=$(awk -v a="$wb_total" -v b="$seconds" 'BEGIN {printf "%.0f", a / b}')
    printf '%-8s %-14s %10s %10s %14s %12s %8s\n' "${radius}mm" "$method" "$seconds" "$megabytes" "${wb_total}s" "${speedup}x" "${target}s"
  done
done
echo "(wb_command: $(wb_command -version 2>/dev/null | sed -n 's/^Version: //p'), one call per vertex incl. reading the surface; $(nproc) cores)"
