#!/usr/bin/python3
"""Reference model-based feature selections from scikit-learn for
tests/e2e/select_model.sh.

Run with Debian's /usr/bin/python3 (python3-sklearn, python3-pandas):
    /usr/bin/python3 tests/data/make_select_fixtures.py
It rewrites tests/data/fixtures/select_model.json.  Logistic regression is
fitted to convergence (newton-cg, tol 1e-10) so the reference is the
optimum itself, which mlpipe's L-BFGS reaches to ~1e-8; each recursive
elimination also records, per round, how far apart the two smallest
importances were, so a test failure can be told from a near tie.
"""
import json
import os

import numpy as np
import pandas as pd
import sklearn
from sklearn.feature_selection import (RFE, RFECV, SelectFromModel,
                                       SequentialFeatureSelector)
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.preprocessing import StandardScaler

HERE = os.path.dirname(os.path.abspath(__file__))


def load(name):
    return pd.read_csv(os.path.join(HERE, name), float_precision="round_trip")


def lr(**kw):
    return LogisticRegression(solver="newton-cg", tol=1e-10, max_iter=1000, **kw)


def min_gap(est, X, y, k, step):
    """The smallest relative gap, over RFE's rounds, between the largest
    importance dropped and the smallest kept."""
    support = np.ones(X.shape[1], dtype=bool)
    gap = np.inf
    while support.sum() > k:
        feats = np.flatnonzero(support)
        m = sklearn.base.clone(est).fit(X[:, feats], y)
        imp = (np.atleast_2d(m.coef_) ** 2).sum(axis=0)
        order = np.argsort(imp)
        drop = min(step, support.sum() - k)
        a, b = imp[order[drop - 1]], imp[order[drop]]
        gap = min(gap, (b - a) / b)
        support[feats[order[:drop]]] = False
    return float(gap)


def rfe(est, X, y, names, k, step=1):
    s = RFE(est, n_features_to_select=k, step=step).fit(X, y)
    return {"selected": [n for n, s_ in zip(names, s.support_) if s_],
            "ranking": [int(r) for r in s.ranking_],
            "min_relative_gap": min_gap(est, X, y, k, step)}


def rfecv(est, X, y, names, step=1):
    s = RFECV(est, step=step, cv=5).fit(X, y)
    return {"n_features": int(s.n_features_),
            "selected": [n for n, s_ in zip(names, s.support_) if s_],
            # ascending number of features
            "mean_test_score": [float(v) for v in s.cv_results_["mean_test_score"]]}


def sfs(est, X, y, names, k, direction):
    s = SequentialFeatureSelector(est, n_features_to_select=k, direction=direction,
                                  cv=5).fit(X, y)
    return {"selected": [n for n, s_ in zip(names, s.get_support()) if s_]}


def from_model(est, X, y, names):
    s = SelectFromModel(est).fit(X, y)
    return {"selected": [n for n, s_ in zip(names, s.get_support()) if s_],
            "threshold": float(s.threshold_)}


def main():
    out = {"sklearn": sklearn.__version__}
    bc = load("breast_cancer.csv")
    names = [c for c in bc.columns if c != "target"]
    X, y = bc[names].values, bc["target"].values
    Xs = StandardScaler().fit_transform(X)
    out["rfe_logistic_bc"] = rfe(lr(C=1.0), Xs, y, names, 10)
    out["rfe_logistic_bc_step3"] = rfe(lr(C=1.0), Xs, y, names, 5, step=3)
    out["rfe_ridge_bc"] = rfe(Ridge(alpha=1.0, solver="cholesky"), X, y.astype(float),
                              names, 8)
    out["rfecv_logistic_bc"] = rfecv(lr(C=1.0), Xs, y, names, step=2)
    out["forward_logistic_bc"] = sfs(lr(C=1.0), Xs, y, names, 4, "forward")
    out["from_model_logistic_bc"] = from_model(lr(C=1.0), Xs, y, names)

    dia = load("diabetes.csv")
    dn = [c for c in dia.columns if c != "target"]
    Xd, yd = dia[dn].values, dia["target"].values
    out["forward_ridge_diabetes"] = sfs(Ridge(alpha=1.0, solver="cholesky"), Xd, yd, dn, 4,
                                        "forward")
    out["backward_ridge_diabetes"] = sfs(Ridge(alpha=1.0, solver="cholesky"), Xd, yd, dn, 6,
                                         "backward")
    out["rfecv_ridge_diabetes"] = rfecv(Ridge(alpha=1.0, solver="cholesky"), Xd, yd, dn)
    out["from_model_ridge_diabetes"] = from_model(Ridge(alpha=1.0, solver="cholesky"), Xd, yd,
                                                  dn)

    with open(os.path.join(HERE, "fixtures", "select_model.json"), "w") as f:
        json.dump(out, f, indent=0)
        f.write("\n")


if __name__ == "__main__":
    main()
