#!/usr/bin/env bash
# Benchmark: the speed of three V1 analyses (seeds 001, 002), each against a python3-torch reference doing the
# same forward work in the same script (tests/bench/v1_analyses_reference.py), median of REPEATS runs each,
# on THREADS threads of the CPU (and, where python3-torch sees a CUDA GPU, with --device cuda and the reference on
# the GPU as well: VISALIGN_BENCH_DEVICE=cuda):
#   (a) the V1 simulator: `cnn v1-simulate` (128 simple + 128 complex cells, 4 repeats) on the 1000 images of
#       ../shared/data/stimuli/imagenet1000_224, images/s (whole process, decoding included); the per-neuron
#       correlation of the two rate matrices checks that the reference computes the same responses;
#   (b) the 1000 Gabor stimuli of METHODS through SqueezeNet 1.1: `cnn tuning --layers features.0..12`,
#       images/s (whole process; ours also scores every layer against De Valois, which takes little);
#   (c) NOISE_IMAGES white-noise images through the seed's small CNN: `cnn white-noise --psychometric ''`
#       (a network trained here for one short epoch: speed does not depend on the weights), images/s of the
#       classification-image loop as the command reports it, against the reference's loop, and the time that
#       gives for the seed's 1,000,000 images (seed 002: about 2 minutes on a GPU).
# The machine is shared: read the ratios (ours / PyTorch, images/s; > 1: ours faster), not the absolute times.
#
# Usage: tests/bench/v1_analyses.sh [build dir] [repeats (3)] [threads (2)] [noise images (100000)]
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
build="$(cd "${1:-$root/build}" && pwd)"
repeats="${2:-3}"
threads="${3:-2}"
noise_images="${4:-100000}"
data="${VISALIGN_DATA:-$root/../shared/data}"
images="$data/stimuli/imagenet1000_224"
squeezenet="$data/cnn/squeezenet1_1.pt"
reference="$root/tests/bench/v1_analyses_reference.py"
visalign="$build/apps/visalign"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
export OMP_NUM_THREADS="$threads" OPENBLAS_NUM_THREADS="$threads"
layers="features.0,features.1,features.2,features.3,features.4,features.5,features.6,features.7,features.8,features.9,features.10,features.11,features.12"

now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN {print b - a}'; }
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }
report() {  # label, count, our seconds, reference seconds
  awk -v l="$1" -v n="$2" -v o="$3" -v r="$4" 'BEGIN {
    printf "%s\n  visalign          %7.2f s  %8.1f images/s\n  python3-torch     %7.2f s  %8.1f images/s\n  ratio (ours / PyTorch, images/s): %.2f\n", l, o, n / o, r, n / r, r / o }'
}

devices=(cpu)
if /usr/bin/python3 -c 'import torch, sys; sys.exit(0 if torch.cuda.is_available() else 1)' 2>/dev/null; then
  devices+=(cuda)
fi

for device in "${devices[@]}"; do
  export VISALIGN_BENCH_DEVICE="$device"
  echo "== device $device, $threads threads, median of $repeats runs (whole processes) =="
  # (a) V1 simulator.
  ours=() theirs=()
  for ((i = 0; i < repeats; i++)); do
    start=$(now)
    "$visalign" cnn v1-simulate --images "$images" --device "$device" --threads "$threads" -q --out "$work/v1" >/dev/null
    ours+=("$(since "$start")")
    start=$(now)
    /usr/bin/python3 "$reference" v1 "$images" "$work/v1/neurons.tsv" "$work/v1_reference.npy" "$threads" >/dev/null
    theirs+=("$(since "$start")")
  done
  report "(a) V1 simulator, 1000 ImageNet images (256 cells, 4 repeats):" 1000 "$(median "${ours[@]}")" "$(median "${theirs[@]}")"
  /usr/bin/python3 -c "
import numpy as np
a = np.load('$work/v1/rates.npy'); b = np.load('$work/v1_reference.npy')
a = a - a.mean(0); b = b - b.mean(0)
r = (a * b).sum(0) / np.sqrt((a * a).sum(0) * (b * b).sum(0) + 1e-30)
print(f'  rates: per-neuron correlation with the reference median {np.median(r):.4f}, minimum {r.min():.4f}')"

  # (b) 1000 Gabor stimuli through SqueezeNet.
  ours=() theirs=()
  for ((i = 0; i < repeats; i++)); do
    start=$(now)
    "$visalign" cnn tuning --model "$squeezenet" --layers "$layers" --device "$device" --threads "$threads" -q --out "$work/tuning" >/dev/null
    ours+=("$(since "$start")")
    start=$(now)
    /usr/bin/python3 "$reference" tuning "$squeezenet" "$layers" "$threads" >/dev/null
    theirs+=("$(since "$start")")
  done
  report "(b) 1000 Gabor stimuli through SqueezeNet 1.1 (13 layers' centre units):" 1000 "$(median "${ours[@]}")" "$(median "${theirs[@]}")"

  # (c) White noise through the small CNN: the classification-image loop's own rate.
  if [[ ! -f "$work/net/network.pt" ]]; then
    "$visalign" cnn train --train-limit 2000 --test-limit 100 --epochs 1 --device "$device" --threads "$threads" -q --out "$work/net" >/dev/null
  fi
  ours=() theirs=()
  for ((i = 0; i < repeats; i++)); do
    line=$("$visalign" cnn white-noise --network "$work/net/network.pt" --fashion-mnist test --limit 100 --noise-images "$noise_images" \
             --psychometric '' --device "$device" --threads "$threads" -q --out "$work/noise" | grep 'noise images')
    ours+=("$(sed -E 's/.* in ([0-9.]+) s .*/\1/' <<<"$line")")
    theirs+=("$(/usr/bin/python3 "$reference" noise "$noise_images" "$threads" | tail -1 | cut -d' ' -f1)")
  done
  o=$(median "${ours[@]}")
  r=$(median "${theirs[@]}")
  report "(c) $noise_images white-noise images through the small CNN (classification-image loop):" "$noise_images" "$o" "$r"
  awk -v n="$noise_images" -v o="$o" -v r="$r" 'BEGIN {
    printf "  1,000,000 images at these rates: visalign %.1f min, python3-torch %.1f min (seed 002: about 2 min on a GPU)\n", o * 1e6 / n / 60, r * 1e6 / n / 60 }'
done
