#!/usr/bin/python3
"""Makes the standard-scaler fixture: train.csv and eval.csv (a float column
with missing values, an int column, a constant column, values near 1e6 with
a small spread, a text column), and expected.csv with every split's rows as
NumPy scales them (mean and population std of the train rows, NaN ignored,
scale 1 for a constant column).  Run with Debian's python3 (numpy):
    /usr/bin/python3 tests/data/scaler/make_fixture.py tests/data/scaler
"""
import csv, json, os, sys
import numpy as np

out = sys.argv[1]
rng = np.random.default_rng(7)
def frame(n):
    x = rng.normal(3.0, 2.5, n); x[rng.random(n) < 0.2] = np.nan
    return {"x": x, "k": rng.integers(-50, 50, n).astype(float), "c": np.full(n, 5.0),
            "big": 1e6 + rng.normal(0, 1e-3, n), "name": [f"n{i % 4}" for i in range(n)]}
splits = {"train": frame(40), "eval": frame(15)}
num = ["x", "k", "c", "big"]
tr = splits["train"]
mean = {c: float(np.nanmean(tr[c])) for c in num}
std = {c: float(np.nanstd(tr[c])) for c in num}
scale = {c: (s if s > 0 else 1.0) for c, s in std.items()}
fmt = lambda v: "" if np.isnan(v) else repr(float(v))
for split, f in splits.items():
    with open(os.path.join(out, f"{split}.csv"), "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(num + ["name"])
        for i in range(len(f["name"])):
            w.writerow([fmt(f[c][i]) if c != "k" else str(int(f[c][i])) for c in num] + [f["name"][i]])
with open(os.path.join(out, "expected.csv"), "w", newline="") as fh:
    w = csv.writer(fh)
    w.writerow(["split", "row"] + num)
    for split, f in splits.items():
        for i in range(len(f["name"])):
            w.writerow([split, i] + [fmt((f[c][i] - mean[c]) / scale[c]) for c in num])
json.dump({"mean": mean, "scale": scale}, open(os.path.join(out, "expected_fit.json"), "w"), indent=1)
