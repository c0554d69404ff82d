#!/usr/bin/python3
"""Reference feature scores from scikit-learn (and distribution tails from
SciPy) for tests/unit/test_featscore.c.

Run with Debian's /usr/bin/python3 (python3-sklearn, python3-scipy):
    /usr/bin/python3 tests/data/make_score_fixtures.py
It rewrites tests/data/fixtures/*_scores.json and
tests/data/fixtures/tails.json.  Numbers are written with repr(), which
round-trips a double exactly.
"""
import json
import os

import numpy as np
import scipy
import sklearn
from scipy import stats
from sklearn.feature_selection import chi2, f_classif

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


scores("breast_cancer")
scores("iris")
tails()
