#!/usr/bin/python3
"""Reference feature transforms from scikit-learn for tests/e2e/transform.sh.

Run with Debian's /usr/bin/python3 (python3-sklearn, python3-pandas):
    /usr/bin/python3 tests/data/make_transform_fixtures.py
It rewrites tests/data/fixtures/breast_cancer_pca.json (PCA, below) and
tests/data/fixtures/titanic_transform.json: every row of
TitanicSurvival.csv through scikit-learn's SimpleImputer, StandardScaler,
MinMaxScaler, KBinsDiscretizer (quantile) and numpy's log1p, each output
named as the pipeline in transform.sh names it.  Numbers are written with
repr(), which round-trips a double exactly; a missing value is null.
"""
import json
import os

import numpy as np
import pandas as pd
import sklearn
from sklearn.impute import SimpleImputer
from sklearn.preprocessing import KBinsDiscretizer, MinMaxScaler, StandardScaler

HERE = os.path.dirname(os.path.abspath(__file__))
df = pd.read_csv(os.path.join(HERE, "TitanicSurvival.csv"))
age = df[["age"]].to_numpy(dtype=np.float64)


def imp(strategy):
    return SimpleImputer(strategy=strategy).fit_transform(age)


out = {
    "made_by": "tests/data/make_transform_fixtures.py, scikit-learn %s" % sklearn.__version__,
    "age": StandardScaler().fit_transform(imp("median"))[:, 0],
    "age_missing": np.isnan(age[:, 0]).astype(float),
    "age_mm": MinMaxScaler().fit_transform(imp("mean"))[:, 0],
    "age_log": np.log1p(imp("most_frequent"))[:, 0],
    "age_bucket": KBinsDiscretizer(n_bins=4, encode="ordinal", strategy="quantile")
    .fit_transform(imp("median"))[:, 0],
    "sex=male": (df["sex"] == "male").astype(float).to_numpy(),
    "sex=female": (df["sex"] == "female").astype(float).to_numpy(),
}
for k, v in list(out.items()):
    if k != "made_by":
        out[k] = [None if np.isnan(x) else float(x) for x in v]
with open(os.path.join(HERE, "fixtures", "titanic_transform.json"), "w") as f:
    json.dump(out, f, indent=0)

# PCA of breast_cancer's z-scored features (scikit-learn's PCA with the
# exact solver): every row (569 > 30 features: covariance path), and the
# first 20 rows (20 < 30: SVD path); whitened projections; the count a
# variance fraction picks.
from sklearn.decomposition import PCA

bc = pd.read_csv(os.path.join(HERE, "breast_cancer.csv")).drop(columns="target")
pca = {"made_by": out["made_by"]}
for name, rows in (("all", len(bc)), ("wide", 20)):
    X = StandardScaler().fit_transform(bc.to_numpy(dtype=np.float64)[:rows])
    p = PCA(n_components=5, svd_solver="full").fit(X)
    w = PCA(n_components=5, svd_solver="full", whiten=True).fit(X)
    pca[name] = {
        "ratio": p.explained_variance_ratio_.tolist(),
        "variance": p.explained_variance_.tolist(),
        "components": p.components_.tolist(),
        "projected": p.transform(X)[:10].tolist(),
        "whitened": w.transform(X)[:10].tolist(),
        "n_for_0.9": int(PCA(n_components=0.9, svd_solver="full").fit(X).n_components_),
    }
with open(os.path.join(HERE, "fixtures", "breast_cancer_pca.json"), "w") as f:
    json.dump(pca, f, indent=0)
