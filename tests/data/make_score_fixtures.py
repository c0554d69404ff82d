#!/usr/bin/python3
"""Reference feature scores from scikit-learn (and distribution tails from
SciPy) for tests/unit/test_featscore.c.

Run with Debian's /usr/bin/python3 (python3-sklearn, python3-scipy):
    /usr/bin/python3 tests/data/make_score_fixtures.py
It rewrites tests/data/fixtures/*_scores.json (breast_cancer, iris,
diabetes), tests/data/fixtures/mutual_info.json,
tests/data/fixtures/tails.json, tests/data/small_ints.csv (generated
here, seeded) with tests/data/fixtures/small_ints_scores.json, and
tests/data/gaps_classes.csv / gaps_values.csv (breast_cancer and diabetes
with values blanked, seeded) with tests/data/fixtures/gaps_scores.json.  Numbers are written with repr(), which
round-trips a double exactly.
"""
import json
import os

import numpy as np
import scipy
import sklearn
from scipy import stats
from sklearn.feature_selection import (chi2, f_classif, f_regression,
                                       mutual_info_classif,
                                       mutual_info_regression)

HERE = os.path.dirname(os.path.abspath(__file__))


def load(name):
    with open(os.path.join(HERE, name)) as f:
        header = f.readline().strip().split(",")
        rows = [list(map(float, line.strip().split(","))) for line in f if line.strip()]
    data = np.array(rows)
    return header[:-1], data[:, :-1], data[:, -1].astype(int)


def num(v):
    v = float(v)
    return None if np.isnan(v) else v


def scores(name):
    features, X, y = load(name + ".csv")
    c, cp = chi2(X, y)
    f, fp = f_classif(X, y)
    out = {
        "made_by": "tests/data/make_score_fixtures.py, scikit-learn %s" % sklearn.__version__,
        "features": features,
        "chi2": [num(v) for v in c], "chi2_p": [num(v) for v in cp],
        "f": [num(v) for v in f], "f_p": [num(v) for v in fp],
        # The ten best by each score (ties broken by index, as a stable
        # sort of the negated scores gives them).
        "chi2_top10": [int(i) for i in np.argsort(-c, kind="stable")[:10]],
        "f_top10": [int(i) for i in np.argsort(-f, kind="stable")[:10]],
    }
    with open(os.path.join(HERE, "fixtures", name + "_scores.json"), "w") as f_out:
        json.dump(out, f_out, indent=1)


def tails():
    chi = [(x, k) for k in (1, 2, 3, 7.5, 29, 100) for x in (0.01, 0.5, 1, 3.84, 10, 50, 200, 700, 1400)]
    fs = [(x, a, b) for (a, b) in ((1, 567), (2, 147), (5, 3), (29, 539), (0.5, 2.5))
          for x in (0.001, 0.3, 1, 2.5, 10, 100, 1000, 1e5)]
    out = {
        "made_by": "tests/data/make_score_fixtures.py, SciPy %s" % scipy.__version__,
        "chi2_sf": [[x, k, stats.chi2.sf(x, k)] for x, k in chi],
        "f_sf": [[x, a, b, stats.f.sf(x, a, b)] for x, a, b in fs],
    }
    with open(os.path.join(HERE, "fixtures", "tails.json"), "w") as f_out:
        json.dump(out, f_out, indent=1)


def regression():
    header = open(os.path.join(HERE, "diabetes.csv")).readline().strip().split(",")
    data = np.loadtxt(os.path.join(HERE, "diabetes.csv"), delimiter=",", skiprows=1)
    X, y = data[:, :-1], data[:, -1]
    f, fp = f_regression(X, y, force_finite=False)
    mi = mutual_info_regression(X, y, random_state=0)
    seeds = np.array([mutual_info_regression(X, y, random_state=s) for s in range(30)])
    out = {
        "made_by": "tests/data/make_score_fixtures.py, scikit-learn %s" % sklearn.__version__,
        "features": header[:-1],
        "f": [num(v) for v in f], "f_p": [num(v) for v in fp],
        "mi": [float(v) for v in mi],
        "mi_top5": [int(i) for i in np.argsort(-mi, kind="stable")[:5]],
        # Over random_state 0..29: the noise's draw moves tied data's
        # estimates, so single draws are compared by their spread.
        "mi_seed_mean": [float(v) for v in seeds.mean(0)],
        "mi_seed_sd": [float(v) for v in seeds.std(0)],
    }
    with open(os.path.join(HERE, "fixtures", "diabetes_scores.json"), "w") as f_out:
        json.dump(out, f_out, indent=1)


def mutual_info():
    """Mutual information.  scikit-learn adds noise of 1e-10 relative from
    NumPy's generator (mlpipe its own): on data without ties, as here, the
    noise changes no neighbour and the estimates agree to rounding; on real
    data with ties they agree in ranking."""
    out = {"made_by": "tests/data/make_score_fixtures.py, scikit-learn %s" % sklearn.__version__}
    features, X, y = load("breast_cancer.csv")
    mi = mutual_info_classif(X, y, random_state=0)
    seeds = np.array([mutual_info_classif(X, y, random_state=s) for s in range(30)])
    out["breast_cancer"] = {"mi": [float(v) for v in mi],
                            "seed_mean": [float(v) for v in seeds.mean(0)],
                            "seed_sd": [float(v) for v in seeds.std(0)],
                            "top10": [int(i) for i in np.argsort(-mi, kind="stable")[:10]]}
    # Continuous data without ties: 300 rows, a class label of three
    # classes and a numeric label, features from pure noise to strongly
    # dependent; one discrete feature (integer codes).
    rng = np.random.RandomState(7)
    n = 300
    yc = rng.randint(0, 3, n)
    yr = rng.standard_normal(n)
    cols = [rng.standard_normal(n),                      # independent
            yc + 0.8 * rng.standard_normal(n),           # depends on yc
            np.exp(yr) + 0.3 * rng.standard_normal(n),   # depends on yr
            yr * yc + rng.uniform(-1, 1, n) * 0.5,       # on both
            rng.uniform(0, 100, n)]                      # independent
    Xs = np.column_stack(cols)
    d = (yc * 2 + (yr > 0)).astype(float)                # discrete, on both
    Xd = np.column_stack([Xs, d])
    mask = [False] * 5 + [True]
    out["synthetic"] = {
        "X": [[float(v) for v in row] for row in Xd],
        "yc": [int(v) for v in yc],
        "yr": [float(v) for v in yr],
        "discrete": mask,
        "mi_classif": [float(v) for v in mutual_info_classif(
            Xd, yc, discrete_features=mask, random_state=0)],
        "mi_regression": [float(v) for v in mutual_info_regression(
            Xd, yr, discrete_features=mask, random_state=0)],
        "mi_classif_k7": [float(v) for v in mutual_info_classif(
            Xd, yc, discrete_features=mask, n_neighbors=7, random_state=0)],
    }
    # Discrete features against a class label: the contingency table's
    # value, no noise and no neighbours (iris in millimetres).
    features, X, y = load("iris.csv")
    Xi = np.round(X * 10)
    out["iris_discrete"] = {"mi": [float(v) for v in mutual_info_classif(
        Xi, y, discrete_features=True)]}
    with open(os.path.join(HERE, "fixtures", "mutual_info.json"), "w") as f_out:
        json.dump(out, f_out, indent=1)


def small_ints():
    """Integers that mlpipe stores in a byte or two (pixels, counts), which
    select_features counts per class instead of summing row by row: chi2
    and F on them, from a seeded generator, 2003 rows (not a multiple of
    the four histograms the counting fills)."""
    rng = np.random.default_rng(11)
    n = 2003
    y = rng.integers(0, 5, n)
    cols = {
        "px_zeros": np.where(rng.random(n) < 0.8, 0, rng.integers(1, 256, n)),
        "px_class": np.clip(y * 40 + rng.integers(0, 90, n), 0, 255),
        "px_flat": rng.integers(0, 256, n),
        "s8": rng.integers(-120, 120, n) + y * 3,
        "w16": rng.integers(0, 60000, n) + y * 500,
        "s16": rng.integers(-30000, 30000, n) - y * 700,
    }
    names = list(cols)
    X = np.column_stack([cols[c] for c in names]).astype(np.float64)
    with open(os.path.join(HERE, "small_ints.csv"), "w") as f:
        f.write(",".join(names + ["y"]) + "\n")
        for i in range(n):
            f.write(",".join(str(int(v)) for v in X[i]) + ",%d\n" % y[i])
    nonneg = [i for i, c in enumerate(names) if X[:, i].min() >= 0]
    c, cp = chi2(X[:, nonneg], y)
    fs, fp = f_classif(X, y)
    out = {"features": names,
           "chi2_features": [names[i] for i in nonneg],
           "chi2": [num(v) for v in c], "chi2_p": [num(v) for v in cp],
           "f": [num(v) for v in fs], "f_p": [num(v) for v in fp]}
    with open(os.path.join(HERE, "fixtures", "small_ints_scores.json"), "w") as f_out:
        json.dump(out, f_out, indent=1)


def gaps():
    """Features with missing values, each column its own pattern (the first
    row kept, so a feature starts with its rows in step with the label and
    falls out of step at its first gap): every score is over the rows the
    feature has, as select_features drops the others per feature."""
    rng = np.random.default_rng(5)
    out = {"made_by": "tests/data/make_score_fixtures.py, scikit-learn %s" % sklearn.__version__}
    for name, src, ncol, kind in (("gaps_classes", "breast_cancer.csv", 6, "classes"),
                                  ("gaps_values", "diabetes.csv", 6, "values")):
        with open(os.path.join(HERE, src)) as f:
            header = f.readline().strip().split(",")
            rows = [list(map(float, line.strip().split(","))) for line in f if line.strip()]
        data = np.array(rows)
        X, y = data[:, :ncol], data[:, -1]
        gap = rng.random(X.shape) < np.linspace(0.02, 0.3, ncol)
        gap[0, :] = False
        with open(os.path.join(HERE, name + ".csv"), "w") as f:
            f.write(",".join(header[:ncol] + [header[-1]]) + "\n")
            for i in range(len(y)):
                cells = ["" if gap[i, j] else repr(float(X[i, j])) for j in range(ncol)]
                f.write(",".join(cells) + ",%s\n" % (repr(int(y[i])) if kind == "classes"
                                                     else repr(float(y[i]))))
        res = {"features": header[:ncol], "score": [], "pvalue": []}
        for j in range(ncol):
            keep = ~gap[:, j]
            xj = X[keep, j:j + 1]
            if kind == "classes":
                sc, pv = f_classif(xj, y[keep].astype(int))
            else:
                sc, pv = f_regression(xj, y[keep], force_finite=False)
            res["score"].append(num(sc[0]))
            res["pvalue"].append(num(pv[0]))
        out[name] = res
    with open(os.path.join(HERE, "fixtures", "gaps_scores.json"), "w") as f_out:
        json.dump(out, f_out, indent=1)


scores("breast_cancer")
scores("iris")
tails()
regression()
mutual_info()
small_ints()
gaps()
