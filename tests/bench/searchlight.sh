#!/usr/bin/env bash
# Benchmark: searchlight RSA maps on a 163,842-vertex hemisphere (simulated subject, order-7 sphere
# of radius 70 mm), 3 mm disks on the white surface, 40 images x (RE, AN, AI) x 2 presentations,
# 2 threads: R(RE-AN) and R(RE-AI) maps without permutations (target <= 10 s) and with 1000
# permutations per vertex (target <= 120 s), whole command incl. reading the betas, peak memory
# (must stay under 2 GB). Against the straightforward numpy/scipy way beside it
# (tests/bench/searchlight_reference.py: 1 - Pearson RDMs, scipy.stats.spearmanr, permutations by
# recomputing spearmanr) on the same data and disks: time per vertex and the ratio.
#
# Usage: tests/bench/searchlight.sh [build dir]
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
build="$(cd "${1:-$root/build}" && pwd)"
visalign="$build/apps/visalign"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"

"$visalign" fmri simulate --out subject --order 7 --images 40 -q >/dev/null
/usr/bin/python3 - <<'PYTHON'
import json
manifest = json.load(open("subject/manifest.json"))
del manifest["hemispheres"]["rh"]
json.dump(manifest, open("subject/lh_only.json", "w"), indent=1)
PYTHON
"$visalign" surface neighborhoods subject/surf/lh.white --radius 3 -o lh.disks.nbhd --threads 2 -q

run() {  # label, extra arguments
  /usr/bin/time -f "%e %M" -o time.txt "$visalign" rsa searchlight subject/lh_only.json --disk-surface white \
    --disks lh=lh.disks.nbhd --threads 2 -q --out "out_$1" "${@:2}" > "log_$1.txt"
  read -r seconds kilobytes < time.txt
  echo "$seconds $((kilobytes / 1024))"
}
read -r maps_s maps_mb < <(run maps --permutations 0)
read -r perm_s perm_mb < <(run permutations --permutations 1000)

reference=$(/usr/bin/python3 "$root/tests/bench/searchlight_reference.py" subject lh.disks.nbhd)
read -r ref_maps_per_vertex ref_perm_per_vertex ref_vertices <<<"$reference"
awk -v ms="$maps_s" -v mm="$maps_mb" -v ps="$perm_s" -v pm="$perm_mb" -v rm="$ref_maps_per_vertex" -v rp="$ref_perm_per_vertex" \
    -v n=163842 -v rv="$ref_vertices" 'BEGIN {
  printf "%-26s %10s %9s %14s %16s %9s %8s\n", "run (lh, 163,842 vertices)", "seconds", "peak_MB", "ms_per_vertex", "numpy_ms_per_vtx", "speedup", "target";
  printf "%-26s %10.1f %9d %14.4f %16.3f %9.0f %8s\n", "maps, no permutations", ms, mm, 1000 * ms / n, 1000 * rm, rm / (ms / n), "10 s";
  printf "%-26s %10.1f %9d %14.4f %16.1f %9.0f %8s\n", "1000 permutations", ps, pm, 1000 * ps / n, 1000 * rp, rp / (ps / n), "120 s";
  printf "(numpy/scipy per-vertex times from %d vertices; the same disks and betas)\n", rv;
}'
grep -h "mean r" log_permutations.txt || true
