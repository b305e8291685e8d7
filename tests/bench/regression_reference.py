#!/usr/bin/python3
"""scikit-learn 1.2.1 reference for tests/bench/regression.sh: reads the matrices that
bench_regression wrote (raw float64, row-major) and prints, like it,
    <task> <median seconds over REPEATS> <check value> [extra]
for PLSRegression(25, scale=False), RidgeCV(alphas=[0.01, 0.1, 1, 10]) (efficient leave-one-out),
PCA(1000, svd_solver="full"), PCA(1000, svd_solver="randomized") and PCA(100, "randomized").
Threads: OPENBLAS_NUM_THREADS / OMP_NUM_THREADS from the environment (the script sets 2).

Usage: regression_reference.py DIRECTORY [REPEATS]
"""
import sys
import time
import warnings

import numpy as np
from sklearn.cross_decomposition import PLSRegression
from sklearn.decomposition import PCA
from sklearn.linear_model import RidgeCV


def load(directory, name, rows, columns):
    return np.fromfile(f"{directory}/{name}", dtype="<f8").reshape(rows, columns)


def median_seconds(repeats, task):
    seconds, result = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        result = task()
        seconds.append(time.perf_counter() - start)
    return sorted(seconds)[len(seconds) // 2], result


def main():
    directory = sys.argv[1]
    repeats = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    warnings.simplefilter("ignore")
    x = load(directory, "x.f64", 4688, 1000)
    y = load(directory, "y.f64", 4688, 166)
    activations = load(directory, "pca.f64", 1000, 20000)

    seconds, pls = median_seconds(repeats, lambda: PLSRegression(n_components=25, scale=False).fit(x, y))
    print(f"pls25 {seconds:.4f} {pls.predict(x[:10]).sum():.12g} {sum(pls.n_iter_)}", flush=True)

    seconds, ridge = median_seconds(repeats, lambda: RidgeCV(alphas=[0.01, 0.1, 1, 10]).fit(x, y))
    print(f"ridge_cv_loo {seconds:.4f} {ridge.predict(x[:10]).sum():.12g} {ridge.alpha_:g}", flush=True)

    for name, components, solver in (("pca_exact_1000", 1000, "full"), ("pca_randomized_1000", 1000, "randomized"),
                                     ("pca_randomized_100", 100, "randomized")):
        seconds, pca = median_seconds(repeats, lambda: PCA(n_components=components, svd_solver=solver, random_state=0).fit(activations))
        print(f"{name} {seconds:.4f} {pca.explained_variance_[:10].sum():.12g}", flush=True)


if __name__ == "__main__":
    main()
