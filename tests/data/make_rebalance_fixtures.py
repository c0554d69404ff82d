#!/usr/bin/python3
"""Reference rebalancing from imbalanced-learn for tests/e2e/rebalance.sh.

Run with Debian's /usr/bin/python3 (python3-imblearn, python3-pandas):
    /usr/bin/python3 tests/data/make_rebalance_fixtures.py
It rewrites tests/data/fixtures/rebalance.json: class counts before and
after RandomOverSampler, RandomUnderSampler and SMOTE (k_neighbors 5,
random_state 0) on breast_cancer.csv and on an imbalanced part of iris.csv
(the first 50, 20 and 10 rows of its classes), and the mean and standard
deviation of every feature over SMOTE's synthetic rows.  The draws differ
from mlpipe's (another generator), so the test compares the statistics of
the synthetic rows, not the rows.
"""
import json
import os

import imblearn
import numpy as np
import pandas as pd
from imblearn.over_sampling import SMOTE, RandomOverSampler
from imblearn.under_sampling import RandomUnderSampler

HERE = os.path.dirname(os.path.abspath(__file__))


def case(df, label):
    X = df.drop(columns=[label]).to_numpy(dtype=np.float64)
    y = df[label].to_numpy()
    counts = lambda v: {str(k): int(c) for k, c in zip(*np.unique(v, return_counts=True))}
    Xs, ys = SMOTE(k_neighbors=5, random_state=0).fit_resample(X, y)
    syn = Xs[len(X):]
    return {
        "before": counts(y),
        "over": counts(RandomOverSampler(random_state=0).fit_resample(X, y)[1]),
        "under": counts(RandomUnderSampler(random_state=0).fit_resample(X, y)[1]),
        "smote": counts(ys),
        "synthetic_rows": len(syn),
        "synthetic_mean": syn.mean(axis=0).tolist(),
        "synthetic_sd": syn.std(axis=0).tolist(),
        "features": [c for c in df.columns if c != label],
    }


bc = pd.read_csv(os.path.join(HERE, "breast_cancer.csv"))
iris = pd.read_csv(os.path.join(HERE, "iris.csv"))
part = pd.concat([iris[iris.target == 0].head(50), iris[iris.target == 1].head(20),
                  iris[iris.target == 2].head(10)])
part.to_csv(os.path.join(HERE, "iris_imbalanced.csv"), index=False)
out = {"made_by": "tests/data/make_rebalance_fixtures.py, imbalanced-learn %s" % imblearn.__version__,
       "breast_cancer": case(bc, "target"), "iris_imbalanced": case(part, "target")}
with open(os.path.join(HERE, "fixtures", "rebalance.json"), "w") as f:
    json.dump(out, f, indent=1)
