#!/usr/bin/env bash
# Benchmark: reading 163,842 vertices x 241 betas (a simulated fsaverage-sized subject) from GIFTI
# (one GZipBase64Binary array per column) and from MGZ, against nibabel reading the same files in
# the same script (median of REPEATS reads each, inside the process: start-up is not counted).
# Target: visalign no slower than nibabel (ratio nibabel/visalign >= 1).
#
# Usage: tests/bench/read_betas.sh [build dir] [repeats]
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
build="$(cd "${1:-$root/build}" && pwd)"
export REPEATS="${2:-5}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
"$build/apps/visalign" fmri simulate --order 7 --out "$work/subject" -q >/dev/null
gifti="$work/subject/func/lh.betas.func.gii"
mgz="$work/subject/func/lh.betas.mgz"
ls -l "$gifti" "$mgz" | awk '{printf "%s %.0f MB\n", $NF, $5 / 1048576}'

ours=$("$build/tests/bench/bench_read_betas" "$gifti" "$mgz")
theirs=$(/usr/bin/python3 - "$gifti" "$mgz" <<'PYTHON'
import os, sys, time
import nibabel as nib, numpy as np
repeats = int(os.environ["REPEATS"])
for path in sys.argv[1:]:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        image = nib.load(path)
        if path.endswith(".gii"):
            data = np.column_stack([d.data for d in image.darrays])
        else:
            data = np.asarray(image.dataobj).reshape(image.shape[0], -1, order="F")
        times.append(time.perf_counter() - start)
    times.sort()
    print(path, data.shape[0], data.shape[1], f"{times[len(times) // 2]:.4f}")
PYTHON
)
printf '%-8s %16s %12s %12s %18s\n' format "vertices x betas" visalign_s nibabel_s "nibabel/visalign"
paste <(echo "$ours") <(echo "$theirs") | while read -r file rows cols ours_s _ _ _ theirs_s; do
  format=$([[ "$file" == *.mgz ]] && echo MGZ || echo GIFTI)
  printf '%-8s %16s %12s %12s %18s\n' "$format" "${rows} x ${cols}" "$ours_s" "$theirs_s" \
    "$(awk -v a="$theirs_s" -v b="$ours_s" 'BEGIN {printf "%.2f", a / b}')"
done
