#!/usr/bin/env bash
# Benchmark: dense regression and PCA of the V1-predictivity pipeline against scikit-learn 1.2.1 on the
# same matrices, 2 threads each (OpenMP for visalign, OPENBLAS_NUM_THREADS=OMP_NUM_THREADS=2 for
# numpy/scipy), median of REPEATS runs, data generation excluded:
#   - PLS regression, 25 components, 4,688 x 1,000 features -> 166 targets (PLSRegression(25, scale=False))
#   - ridge with leave-one-out CV over {0.01, 0.1, 1, 10} on the same data (RidgeCV(alphas=...))
#   - PCA to 1000 components of 1,000 x 20,000: exact (PCA(svd_solver="full")), randomized
#     (svd_solver="randomized"; visalign uses its exact solver when components + oversamples >=
#     min(samples, features), as here), and randomized to 100 components
# Prints our seconds, sklearn's, the ratio sklearn/ours (> 1: we are faster) and a check value from
# each side (sum of 10 predictions or of the top-10 explained variances; PLS: also the total NIPALS
# iterations, ridge: the chosen alpha) that should agree.
#
# Usage: tests/bench/regression.sh [build dir] [repeats]
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
build="$(cd "${1:-$root/build}" && pwd)"
repeats="${2:-3}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

ours=$(OMP_NUM_THREADS=2 "$build/tests/bench/bench_regression" "$work" "$repeats" | grep -v '^threads')
theirs=$(OPENBLAS_NUM_THREADS=2 OMP_NUM_THREADS=2 MKL_NUM_THREADS=2 /usr/bin/python3 "$root/tests/bench/regression_reference.py" "$work" "$repeats")

printf '%-22s %11s %11s %15s   %s\n' task visalign_s sklearn_s "sklearn/ours" "check (visalign | sklearn)"
paste <(echo "$ours") <(echo "$theirs") | while IFS=$'\t' read -r left right; do
  read -r task ours_s ours_check ours_extra <<<"$left"
  read -r _ theirs_s theirs_check theirs_extra <<<"$right"
  ratio=$(awk -v a="$theirs_s" -v b="$ours_s" 'BEGIN { printf "%.2f", a / b }')
  printf '%-22s %11.3f %11.3f %15s   %s %s | %s %s\n' "$task" "$ours_s" "$theirs_s" "$ratio" "$ours_check" "${ours_extra:-}" "$theirs_check" "${theirs_extra:-}"
done
