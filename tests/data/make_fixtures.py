#!/usr/bin/python3
"""Reference statistics from pandas for the statistics tests.

For each data set, every column gets what TFDV reports, computed by pandas
and NumPy on the whole file: counts, missing values, mean, population
standard deviation (ddof=0, as TFDV), zeros, min, median, max, a 10-bucket
equal-width histogram over [min, max], the 0.1-step quantiles, and for text
columns the distinct count, value counts and average length.

    /usr/bin/python3 tests/data/make_fixtures.py
"""
import json
import os

import numpy as np
import pandas as pd

HERE = os.path.dirname(os.path.abspath(__file__))
SETS = ["TitanicSurvival", "breast_cancer", "diabetes", "ints"]


def numeric(s):
    v = s.dropna().to_numpy(dtype=float)
    counts, edges = np.histogram(v, bins=10, range=(v.min(), v.max()))
    return {
        "mean": float(v.mean()),
        "std_dev": float(v.std(ddof=0)),
        "num_zeros": int((v == 0).sum()),
        "min": float(v.min()),
        "median": float(np.median(v)),
        "max": float(v.max()),
        "histogram": [int(c) for c in counts],
        "quantiles": [float(q) for q in np.quantile(v, np.linspace(0, 1, 11))],
        "all_int": bool(np.all(v == np.floor(v))),
        # Beyond 1024 values our quantile sketch is approximate; the sorted
        # values let the test check ranks against its error bound.
        "sorted": [float(x) for x in np.sort(v)] if len(v) > 1024 else None,
    }


def text(s):
    v = s.dropna().astype(str)
    vc = v.value_counts()
    top = sorted(vc.items(), key=lambda kv: (-kv[1], kv[0]))
    return {
        "unique": int(vc.size),
        "top_values": [{"value": k, "frequency": int(c)} for k, c in top],
        "avg_length": float(v.map(lambda x: len(x.encode("utf-8"))).mean()),
    }


for name in SETS:
    # round_trip: pandas' default float parser is not correctly rounded
    # (it reads 0.11072667545381144 as 0.1107266754538114); strtod is.
    df = pd.read_csv(os.path.join(HERE, name + ".csv"), float_precision="round_trip")
    out = {"source": name + ".csv", "num_examples": int(len(df)),
           "pandas": pd.__version__, "features": {}}
    for col in df.columns:
        s = df[col]
        f = {"num_missing": int(s.isna().sum()),
             "num_non_missing": int(s.notna().sum())}
        if pd.api.types.is_numeric_dtype(s):
            f["kind"] = "numeric"
            f.update(numeric(s))
        else:
            f["kind"] = "text"
            f.update(text(s))
        out["features"][col] = f
    with open(os.path.join(HERE, "fixtures", name + "_stats.json"), "w") as fh:
        json.dump(out, fh, indent=1, sort_keys=True)
        fh.write("\n")
    print("wrote", name)
