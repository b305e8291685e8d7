#!/usr/bin/env bash
# Benchmark: SqueezeNet 1.1 (TorchScript) activations of the 1000 ImageNet images of
# ../shared/data/stimuli/imagenet1000_224/ on 2 threads, images/s: `visalign cnn activations`
# (whole command: decoding, preprocessing, forward passes in batches of 50, writing the NPY)
# against the same work in python3-torch (tests/bench/cnn_activations_reference.py), in the same
# script, median of REPEATS runs each; and how far the two outputs differ (preprocessing differs
# slightly: stb vs PIL decoding and resizing).
#
# Usage: tests/bench/cnn_activations.sh [build dir] [repeats (3)]
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
build="$(cd "${1:-$root/build}" && pwd)"
repeats="${2:-3}"
data="${VISALIGN_DATA:-$root/../shared/data}"
model="$data/cnn/squeezenet1_1.pt"
images="$data/stimuli/imagenet1000_224"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
export OMP_NUM_THREADS=2 OPENBLAS_NUM_THREADS=2

ours=() reference=()
for ((i = 0; i < repeats; i++)); do
  start=$(date +%s.%N)
  "$build/apps/visalign" cnn activations "$model" --images "$images" --layers output --device cpu --threads 2 -q --out "$work/ours" >/dev/null
  ours+=("$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN {print b - a}')")
  start=$(date +%s.%N)
  /usr/bin/python3 "$root/tests/bench/cnn_activations_reference.py" "$model" "$images" "$work/reference.npy" 2 >/dev/null
  reference+=("$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN {print b - a}')")
done
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }
ours_s=$(median "${ours[@]}")
reference_s=$(median "${reference[@]}")
agreement=$(/usr/bin/python3 -c "
import numpy as np
a = np.load('$work/ours/output.npy'); b = np.load('$work/reference.npy')
print(f'{np.abs(a - b).max() / np.abs(b).max():.2e} {(a.argmax(1) == b.argmax(1)).mean():.3f}')")
read -r difference same_top1 <<<"$agreement"
awk -v o="$ours_s" -v r="$reference_s" -v d="$difference" -v t="$same_top1" 'BEGIN {
  printf "SqueezeNet 1.1, 1000 images, 2 threads (whole process, median):\n"
  printf "  visalign cnn activations  %6.2f s  %6.1f images/s\n", o, 1000 / o
  printf "  python3-torch reference   %6.2f s  %6.1f images/s\n", r, 1000 / r
  printf "  ratio (ours / PyTorch, images/s): %.2f   outputs: max relative difference %s, same top-1 for %s of the images\n", r / o, d, t
}'
