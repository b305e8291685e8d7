#!/usr/bin/env bash
# Benchmark: sparse encoding models, 200 targets sharing a 40 x 290,400 float design (seeded
# Gaussian; each target 10 planted columns plus noise of 0.1 x the signal sd), sparsity 10, 2
# threads: our OMP and ROMP (encoding::fit_sparse_models, whole fit of the 200 targets, median of
# REPEATS runs in the process, data generation not timed; target <= 10 s each) against
# scikit-learn's orthogonal_mp(X, Y, n_nonzero_coefs=10) on the same data in the same script
# (OPENBLAS_NUM_THREADS=2; median of REFERENCE_REPEATS), and whether the OMP supports agree.
# sklearn has no ROMP: the ROMP ratio is against its OMP.
#
# Usage: tests/bench/matching_pursuit.sh [build dir] [repeats (3)] [reference repeats (1)]
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
build="$(cd "${1:-$root/build}" && pwd)"
repeats="${2:-3}"
reference_repeats="${3:-1}"
features=290400 samples=40 targets=200 sparsity=10 threads=2
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

ours=$(OMP_NUM_THREADS=$threads "$build/tests/bench/bench_matching_pursuit" "$work" $features $samples $targets $sparsity $threads "$repeats")
echo "$ours" | head -1
theirs=$(OPENBLAS_NUM_THREADS=$threads OMP_NUM_THREADS=$threads /usr/bin/python3 "$root/tests/bench/matching_pursuit_reference.py" \
  "$work" $sparsity "$reference_repeats")
read -r _ sklearn_s _ <<<"$theirs"
same=$(echo "$theirs" | sed 's/.*same_support //')

printf '%-18s %10s %12s %14s %8s  %s\n' method ours_s sklearn_s sklearn/ours target "runs (s)"
echo "$ours" | tail -n +2 | while read -r method median rest; do
  runs=$(echo "$rest" | sed 's/ mean_support.*//')
  size=$(echo "$rest" | sed 's/.*mean_support //')
  printf '%-18s %10.2f %12.2f %14.1f %8s  %s (mean support %s)\n' "$method" "$median" "$sklearn_s" \
    "$(awk -v a="$sklearn_s" -v b="$median" 'BEGIN {print a / b}')" "10 s" "$runs" "$size"
done
echo "($samples x $features design, $targets targets, sparsity $sparsity, $threads threads; sklearn orthogonal_mp float64," \
  "median of $reference_repeats; OMP supports equal to sklearn's for $same targets)"
