#!/usr/bin/env bash
# Benchmark: untargeted L-inf PGD (10 steps, eps 2/255) with SqueezeNet 1.1 (TorchScript) on the 40
# images of ../shared/data/stimuli/imagenet40 (shorter side 256, centre crop 224, [0, 1] pixels; the
# classifier normalises with ImageNet's mean and std; labels: the clean predictions), 2 threads, batches of
# BATCH (40): cnn::pgd_attack (tests/bench/pgd_attack_main.cpp) against the same algorithm in python3-torch
# (tests/bench/pgd_attack_reference.py), timing only the attack in both (loading and decoding excluded),
# images/s, median (and best) of REPEATS runs each, alternating (on a shared machine the best run is
# the steadier figure). Twice: with the glibc malloc settings of the visalign
# program (mallopt in the C++ main; MALLOC_MMAP_MAX_=0 MALLOC_TRIM_THRESHOLD_=1e11 MALLOC_TOP_PAD_=1e9 in
# the environment of python), and with glibc's defaults for both.
#
# Usage: tests/bench/pgd_attack.sh [build dir] [repeats (3)] [batch (40)]
# (build dir: a configuration with VISALIGN_BUILD_BENCHMARKS=ON; builds the bench_pgd_attack target)
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
build="$(cd "${1:-$root/build}" && pwd)"
repeats="${2:-3}"
batch="${3:-40}"
data="${VISALIGN_DATA:-$root/../shared/data}"
model="$data/cnn/squeezenet1_1.pt"
images="$data/stimuli/imagenet40"
export OMP_NUM_THREADS=2 OPENBLAS_NUM_THREADS=2
cmake --build "$build" --target bench_pgd_attack -j2 >/dev/null
bench="$(find "$build" -name bench_pgd_attack -type f -perm -u+x | head -n 1)"

median() { printf '%s\n' "$@" | sort -g | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }
minimum() { printf '%s\n' "$@" | sort -g | head -n 1; }
measure() {  # $1: tuned | default
  local ours=() reference=() line count=0 ours_successes reference_successes
  for ((i = 0; i < repeats; i++)); do
    if [[ "$1" == tuned ]]; then
      line=$("$bench" "$model" "$images" 2 "$batch")
    else
      line=$("$bench" "$model" "$images" 2 "$batch" --default-malloc)
    fi
    read -r seconds count ours_successes <<<"$line"
    ours+=("$seconds")
    if [[ "$1" == tuned ]]; then
      line=$(MALLOC_MMAP_MAX_=0 MALLOC_TRIM_THRESHOLD_=100000000000 MALLOC_TOP_PAD_=1000000000 \
        /usr/bin/python3 "$root/tests/bench/pgd_attack_reference.py" "$model" "$images" 2 "$batch")
    else
      line=$(/usr/bin/python3 "$root/tests/bench/pgd_attack_reference.py" "$model" "$images" 2 "$batch")
    fi
    read -r seconds count reference_successes <<<"$line"
    reference+=("$seconds")
  done
  awk -v o="$(median "${ours[@]}")" -v r="$(median "${reference[@]}")" -v n="$count" -v m="$1" \
      -v bo="$(minimum "${ours[@]}")" -v br="$(minimum "${reference[@]}")" \
      -v ao="${ours[*]}" -v ar="${reference[*]}" -v so="$ours_successes" -v sr="$reference_successes" 'BEGIN {
    printf "malloc %s:\n", (m == "tuned" ? "tuned (M_MMAP_MAX 0, large trim threshold and top pad)" : "glibc defaults")
    printf "  cnn::pgd_attack          median %7.3f s  %6.2f images/s, best %7.3f s  (%s/%d attacks succeed; runs: %s)\n", o, n / o, bo, so, n, ao
    printf "  python3-torch reference  median %7.3f s  %6.2f images/s, best %7.3f s  (%s/%d attacks succeed; runs: %s)\n", r, n / r, br, sr, n, ar
    printf "  ratio (ours / PyTorch, images/s): median %.2f, best %.2f\n", r / o, br / bo
  }'
}
echo "L-inf PGD, 10 steps, eps 2/255, SqueezeNet 1.1, imagenet40, 2 threads, batch $batch, median of $repeats (attack only):"
measure tuned
measure default
