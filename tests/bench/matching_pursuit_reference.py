#!/usr/bin/python3
"""scikit-learn's orthogonal_mp on the data bench_matching_pursuit wrote (tests/bench/matching_pursuit.sh).

usage: matching_pursuit_reference.py DIR SPARSITY REPEATS
Reads DIR/features.npy (float32, samples x features) and DIR/targets.npy; scales the columns to unit
norm (orthogonal_mp assumes it; ours normalizes in the correlations, so both choose the same atoms);
times sklearn.linear_model.orthogonal_mp(X, Y, n_nonzero_coefs=SPARSITY) in float64 (median of
REPEATS, data preparation not timed) and compares its supports with DIR/omp_supports.txt.
Prints: "sklearn_omp <median seconds> <seconds of each run...> same_support <k>/<targets>".
"""
import sys
import time

import numpy as np
from sklearn.linear_model import orthogonal_mp


def main():
    directory, sparsity, repeats = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    x = np.load(f"{directory}/features.npy").astype(np.float64)
    y = np.load(f"{directory}/targets.npy")
    x /= np.linalg.norm(x, axis=0)
    seconds = []
    for _ in range(repeats):
        start = time.perf_counter()
        coefficients = orthogonal_mp(x, y, n_nonzero_coefs=sparsity)
        seconds.append(time.perf_counter() - start)
    coefficients = coefficients.reshape(x.shape[1], -1)
    ours = [set(int(v) for v in line.split()) for line in open(f"{directory}/omp_supports.txt")]
    same = sum(set(np.flatnonzero(coefficients[:, t]).tolist()) == ours[t] for t in range(coefficients.shape[1]))
    print("sklearn_omp", f"{sorted(seconds)[len(seconds) // 2]:.4f}", " ".join(f"{s:.4f}" for s in seconds),
          "same_support", f"{same}/{coefficients.shape[1]}")


if __name__ == "__main__":
    main()
