"""The straightforward numpy/scipy searchlight, for tests/bench/searchlight.sh: for a sample of
vertices, the six RDMs (RE, AN, AI x 2 presentations) of the disk's patterns with 1 - Pearson
(scipy pdist 'correlation'), R(RE-AN) and R(RE-AI) as the mean over presentations of
scipy.stats.spearmanr, and a permutation null by recomputing spearmanr on relabelled RDMs.

Usage: /usr/bin/python3 searchlight_reference.py SUBJECT_DIR DISKS.nbhd
Prints: seconds per vertex without permutations, with 1000 permutations, and the vertices sampled.
"""
import csv
import sys
import time

import nibabel as nib
import numpy as np
from scipy.spatial.distance import pdist, squareform
from scipy.stats import spearmanr


def read_disks(path):
    raw = open(path, "rb").read()
    assert raw[:8] == b"VSNBHD01"
    vertices, entries = np.frombuffer(raw[16:32], "<i8")
    offsets = np.frombuffer(raw, "<i8", int(vertices) + 1, 48)
    members = np.frombuffer(raw, "<i4", int(entries), 48 + 8 * (int(vertices) + 1))
    return offsets, members


def main():
    subject, disks_path = sys.argv[1], sys.argv[2]
    betas = np.column_stack([d.data for d in nib.load(f"{subject}/func/lh.betas.func.gii").darrays])
    rows = list(csv.DictReader(open(f"{subject}/func/design.tsv"), delimiter="\t"))
    columns = {}
    for row in rows:
        if row["image_type"] != "blank":
            columns.setdefault((row["image_type"], int(row["presentation"])), []).append(int(row["column"]))
    offsets, members = read_disks(disks_path)
    rng = np.random.default_rng(1)
    sample = rng.choice(len(offsets) - 1, 200, replace=False)

    def similarities(disk, permutation=None):
        result = []
        for compared in ("AN", "AI"):
            total = 0.0
            for presentation in (1, 2):
                re = squareform(pdist(betas[np.ix_(disk, columns[("RE", presentation)])].T, "correlation"))
                other = pdist(betas[np.ix_(disk, columns[(compared, presentation)])].T, "correlation")
                if permutation is not None:
                    re = re[np.ix_(permutation, permutation)]
                total += spearmanr(squareform(re, checks=False), other)[0]
            result.append(total / 2)
        return result

    start = time.perf_counter()
    for v in sample:
        similarities(members[offsets[v]:offsets[v + 1]])
    maps_per_vertex = (time.perf_counter() - start) / len(sample)

    permuted_sample, permutations = sample[:3], 100
    start = time.perf_counter()
    for v in permuted_sample:
        disk = members[offsets[v]:offsets[v + 1]]
        similarities(disk)
        for _ in range(permutations):
            similarities(disk, rng.permutation(40))
    per_vertex_100 = (time.perf_counter() - start) / len(permuted_sample)
    print(maps_per_vertex, per_vertex_100 * 1000 / permutations, len(sample))


if __name__ == "__main__":
    main()
