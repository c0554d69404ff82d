#!/usr/bin/python3
"""Saved predictions and their reference metrics for tests/e2e/evaluate.sh.

Run with Debian's /usr/bin/python3 (python3-sklearn, python3-pandas):
    /usr/bin/python3 tests/data/make_eval_fixtures.py
It writes tests/data/eval_binary.csv, eval_multi.csv and eval_regression.csv
(seeded: labels, probabilities rounded to 3 digits so that scores tie,
sensitive groups and a numeric column), and tests/data/fixtures/eval.json:
scikit-learn's metrics on them, overall and per slice, and the fairness
rates and gaps computed by hand with pandas groupby.  Numbers go through
repr(), which round-trips a double exactly.
"""
import json
import os

import numpy as np
import pandas as pd
import sklearn
from sklearn import metrics as M
from sklearn.calibration import calibration_curve

HERE = os.path.dirname(os.path.abspath(__file__))


def main():
    rng = np.random.default_rng(20261128)
    out = {"sklearn": sklearn.__version__, "pandas": pd.__version__}

    n = 2000
    group = rng.choice(["A", "B", "C"], size=n, p=[0.5, 0.35, 0.15])
    region = rng.choice(["N", "S"], size=n)
    age = rng.integers(18, 81, size=n)
    base = {"A": 0.0, "B": 0.4, "C": -0.5}
    z = rng.normal(size=n) + np.array([base[g] for g in group]) + (age - 50) / 40
    y = (z + rng.normal(scale=1.0, size=n) > 0).astype(int)
    p1 = np.round(1 / (1 + np.exp(-1.3 * z)), 3)
    p1[:5] = [0.0, 1.0, 0.5, 0.5, 0.25]  # the ends, and ties at the threshold
    df = pd.DataFrame({"group": group, "region": region, "age": age, "label": y,
                       "p_0": np.round(1 - p1, 3), "p_1": p1})
    df.to_csv(os.path.join(HERE, "eval_binary.csv"), index=False)
    df = pd.read_csv(os.path.join(HERE, "eval_binary.csv"), float_precision="round_trip")
    y, p1, p0 = df["label"].values, df["p_1"].values, df["p_0"].values
    # The probabilities as read: p_0 is written separately, so rows may not
    # sum to exactly 1 (log_loss renormalises them).
    P = np.column_stack([p0, p1])
    pred = (p1 > p0).astype(int)
    b = {
        "rows": n,
        "accuracy": M.accuracy_score(y, pred),
        "precision": M.precision_score(y, pred),
        "recall": M.recall_score(y, pred),
        "f1": M.f1_score(y, pred),
        "roc_auc": M.roc_auc_score(y, p1),
        "pr_auc": M.average_precision_score(y, p1),
        "log_loss": M.log_loss(y, P),
        "brier": M.brier_score_loss(y, p1),
    }
    pt, pp = calibration_curve(y, p1, n_bins=10)
    b["calibration"] = {"prob_true": list(pt), "prob_pred": list(pp)}
    b["confusion_matrix"] = M.confusion_matrix(y, pred).tolist()
    out["binary"] = b

    slices = {}
    for col in ["group", "region"]:
        for v, g in df.groupby(col):
            gp = (g["p_1"] > g["p_0"]).astype(int)
            slices["%s=%s" % (col, v)] = {
                "rows": len(g), "accuracy": M.accuracy_score(g["label"], gp),
                "roc_auc": M.roc_auc_score(g["label"], g["p_1"]),
                "f1": M.f1_score(g["label"], gp)}
    for (a, r), g in df.groupby(["group", "region"]):
        gp = (g["p_1"] > g["p_0"]).astype(int)
        slices["group x region=%s, %s" % (a, r)] = {
            "rows": len(g), "accuracy": M.accuracy_score(g["label"], gp)}
    bins = pd.cut(df["age"], [-np.inf, 30, 50, np.inf], right=False,
                  labels=["< 30", "[30, 50)", ">= 50"])
    for v, g in df.groupby(bins):
        gp = (g["p_1"] > g["p_0"]).astype(int)
        slices["age=%s" % v] = {"rows": len(g), "accuracy": M.accuracy_score(g["label"], gp)}
    out["binary_slices"] = slices

    # Fairness by hand: per group of `group`, the positive class's rates.
    d = df.assign(pred=(df["p_1"] > df["p_0"]).astype(int))
    rates = {}
    for v, g in d.groupby("group"):
        tp = ((g.pred == 1) & (g.label == 1)).sum()
        fp = ((g.pred == 1) & (g.label == 0)).sum()
        fn = ((g.pred == 0) & (g.label == 1)).sum()
        tn = ((g.pred == 0) & (g.label == 0)).sum()
        rates[v] = {"rows": len(g), "selection_rate": (tp + fp) / len(g),
                    "tpr": tp / (tp + fn), "fpr": fp / (fp + tn), "fnr": fn / (tp + fn),
                    "precision": tp / (tp + fp)}
    fr = pd.DataFrame(rates).T
    out["fairness_groups"] = {k: {m: float(x) for m, x in v.items()} for k, v in rates.items()}
    out["fairness_between"] = {
        "demographic_parity_difference": fr.selection_rate.max() - fr.selection_rate.min(),
        "demographic_parity_ratio": fr.selection_rate.min() / fr.selection_rate.max(),
        "equal_opportunity_difference": fr.tpr.max() - fr.tpr.min(),
        "equalized_odds_difference": max(fr.tpr.max() - fr.tpr.min(), fr.fpr.max() - fr.fpr.min()),
        "fpr_gap": fr.fpr.max() - fr.fpr.min(),
        "fnr_gap": fr.fnr.max() - fr.fnr.min(),
        "precision_gap": fr.precision.max() - fr.precision.min(),
    }
    ref = fr.loc["A"]
    out["fairness_vs_A"] = {
        "demographic_parity_difference": (fr.selection_rate - ref.selection_rate).abs().max(),
        "demographic_parity_ratio": np.minimum(fr.selection_rate / ref.selection_rate,
                                               ref.selection_rate / fr.selection_rate).min(),
        "equal_opportunity_difference": (fr.tpr - ref.tpr).abs().max(),
        "equalized_odds_difference": max((fr.tpr - ref.tpr).abs().max(),
                                         (fr.fpr - ref.fpr).abs().max()),
    }

    # Three classes: macro averages, one-vs-rest AUC.
    n = 600
    y = rng.integers(0, 3, size=n)
    logits = rng.normal(size=(n, 3)) + 1.5 * np.eye(3)[y]
    P = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    P = np.round(P, 4)
    dm = pd.DataFrame({"label": y, "p_0": P[:, 0], "p_1": P[:, 1], "p_2": P[:, 2]})
    dm.to_csv(os.path.join(HERE, "eval_multi.csv"), index=False)
    dm = pd.read_csv(os.path.join(HERE, "eval_multi.csv"), float_precision="round_trip")
    P = dm[["p_0", "p_1", "p_2"]].values
    y = dm["label"].values
    pred = P.argmax(axis=1)
    out["multi"] = {
        "accuracy": M.accuracy_score(y, pred),
        "precision": M.precision_score(y, pred, average="macro", zero_division=0),
        "recall": M.recall_score(y, pred, average="macro", zero_division=0),
        "f1": M.f1_score(y, pred, average="macro", zero_division=0),
        "log_loss": M.log_loss(y, P),
        "roc_auc": M.roc_auc_score(y, P / P.sum(axis=1, keepdims=True), multi_class="ovr"),
        "pr_auc": float(np.mean([M.average_precision_score(y == c, P[:, c]) for c in range(3)])),
        "confusion_matrix": M.confusion_matrix(y, pred).tolist(),
    }

    # Regression.
    n = 500
    x = rng.normal(size=n)
    t = 3 * x + rng.normal(size=n)
    yhat = np.round(2.8 * x + 0.1, 6)
    dr = pd.DataFrame({"target": np.round(t, 6), "yhat": yhat})
    dr.to_csv(os.path.join(HERE, "eval_regression.csv"), index=False)
    dr = pd.read_csv(os.path.join(HERE, "eval_regression.csv"), float_precision="round_trip")
    t, yhat = dr["target"].values, dr["yhat"].values
    res = t - yhat
    out["regression"] = {
        "mse": M.mean_squared_error(t, yhat), "rmse": np.sqrt(M.mean_squared_error(t, yhat)),
        "mae": M.mean_absolute_error(t, yhat), "r2": M.r2_score(t, yhat),
        "residual_median": float(np.percentile(res, 50)),
        "residual_p05": float(np.percentile(res, 5)),
    }

    def clean(v):
        if isinstance(v, dict):
            return {str(k): clean(x) for k, x in v.items()}
        if isinstance(v, (list, tuple)):
            return [clean(x) for x in v]
        if isinstance(v, (np.integer,)):
            return int(v)
        if isinstance(v, (np.floating,)):
            return float(v)
        return v

    with open(os.path.join(HERE, "fixtures", "eval.json"), "w") as f:
        json.dump(clean(out), f, indent=0)
        f.write("\n")


if __name__ == "__main__":
    main()
