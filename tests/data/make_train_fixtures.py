#!/usr/bin/python3
"""Reference models from scikit-learn for tests/e2e/train.sh.

Run with Debian's /usr/bin/python3 (python3-sklearn, python3-pandas):
    /usr/bin/python3 tests/data/make_train_fixtures.py
It rewrites tests/data/fixtures/train.json.  Every model is fitted on every
row of the file (the tests ingest it as one split), and logistic regression
to convergence (solver newton-cg, tol 1e-14): scikit-learn's default lbfgs
stops about 1e-4 short of the optimum on iris, so the reference is the
optimum itself, as scikit-learn finds it.  Numbers go through repr(), which
round-trips a double exactly.
"""
import json
import os

import numpy as np
import pandas as pd
import sklearn
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.preprocessing import StandardScaler

HERE = os.path.dirname(os.path.abspath(__file__))


def load(name):
    return pd.read_csv(os.path.join(HERE, name), float_precision="round_trip")


def lst(a):
    return [float(v) for v in np.asarray(a).ravel()]


def ridge(df, label, **kw):
    X = df.drop(columns=[label]).values
    m = Ridge(solver="cholesky", **kw).fit(X, df[label].values)
    return {"features": list(df.drop(columns=[label]).columns), "coef": lst(m.coef_),
            "intercept": float(np.ravel(m.intercept_)[0]) if kw.get("fit_intercept", True)
            else 0.0, "pred": lst(m.predict(X))}


def logistic(X, y, names, **kw):
    m = LogisticRegression(solver="newton-cg", tol=1e-14, max_iter=100000, **kw).fit(X, y)
    return {"features": names, "classes": [int(c) for c in m.classes_],
            "coef": [lst(r) for r in m.coef_], "intercept": lst(m.intercept_),
            "proba": [lst(r) for r in m.predict_proba(X)]}


def logistic_saga(X, y, names, **kw):
    """L1 and elastic net: saga (the solver scikit-learn has for them) run
    to tol 1e-12, where its coefficients move by less than 1e-7."""
    m = LogisticRegression(solver="saga", tol=1e-12, max_iter=200000, random_state=0,
                           **kw).fit(X, y)
    return {"features": names, "classes": [int(c) for c in m.classes_],
            "coef": [lst(r) for r in m.coef_], "intercept": lst(m.intercept_)}


def main():
    out = {"sklearn": sklearn.__version__}
    dia = load("diabetes.csv")
    out["ridge_diabetes"] = ridge(dia, "target", alpha=1.0)
    out["ridge_diabetes_lsq"] = ridge(dia, "target", alpha=0.0)
    out["ridge_diabetes_noint"] = ridge(dia, "target", alpha=0.5, fit_intercept=False)

    # A feature far from zero for its spread (mean / std ~ 2e5): the Gram
    # matrix must then be centred exactly, not corrected afterwards.
    shifted = dia.copy()
    shifted["age"] = shifted["age"] + 1e4
    shifted.to_csv(os.path.join(HERE, "diabetes_shifted.csv"), index=False,
                   float_format="%.17g")
    shifted = load("diabetes_shifted.csv")
    out["ridge_diabetes_shifted"] = ridge(shifted, "target", alpha=1.0)

    iris = load("iris.csv")
    names = [c for c in iris.columns if c != "target"]
    out["logistic_iris"] = logistic(iris[names].values, iris["target"].values, names, C=1.0)
    out["logistic_iris_c10"] = logistic(iris[names].values, iris["target"].values, names,
                                        C=10.0)
    imb = load("iris_imbalanced.csv")
    out["logistic_iris_balanced"] = logistic(imb[names].values, imb["target"].values, names,
                                             C=1.0, class_weight="balanced")
    out["logistic_iris_weights"] = logistic(imb[names].values, imb["target"].values, names,
                                            C=1.0, class_weight={0: 1.0, 1: 3.0, 2: 0.5})

    # Binary, on features standardised as the transform's zscore does
    # (population standard deviation, StandardScaler's).
    bc = load("breast_cancer.csv")
    names = [c for c in bc.columns if c != "target"]
    Xs = StandardScaler().fit_transform(bc[names].values)
    out["logistic_bc_zscore"] = logistic(Xs, bc["target"].values, names, C=1.0)
    out["logistic_bc_zscore_c01"] = logistic(Xs, bc["target"].values, names, C=0.1)

    out["logistic_bc_l1"] = logistic_saga(Xs, bc["target"].values, names, penalty="l1",
                                          C=0.1)
    out["logistic_bc_enet"] = logistic_saga(Xs, bc["target"].values, names,
                                            penalty="elasticnet", C=0.5, l1_ratio=0.5)
    iris_names = [c for c in iris.columns if c != "target"]
    Xi = StandardScaler().fit_transform(iris[iris_names].values)
    out["logistic_iris_l1"] = logistic_saga(Xi, iris["target"].values, iris_names,
                                            penalty="l1", C=0.5)

    with open(os.path.join(HERE, "fixtures", "train.json"), "w") as f:
        json.dump(out, f, indent=0)
        f.write("\n")


if __name__ == "__main__":
    main()
