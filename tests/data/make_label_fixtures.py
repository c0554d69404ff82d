#!/usr/bin/python3
"""Reference weak supervision for tests/e2e/label.sh.

Run with Debian's /usr/bin/python3 (python3-numpy, python3-pandas):
    /usr/bin/python3 tests/data/make_label_fixtures.py
It rewrites tests/data/fixtures/label.json from breast_cancer.csv and six
labeling functions of deliberately different accuracy (the same
thresholds as tests/e2e/label_lfs.lua): two on correlated features
(mean radius and mean perimeter), one worse than chance.

For each LF: its votes' true accuracy against `target`, coverage,
overlaps and conflicts as Snorkel's LFAnalysis defines them; majority
vote's accuracy; and the Dawid-Skene model fitted by EM, written here
independently of mlpipe's C with numpy over every row (not grouped by
vote pattern): the same start (majority vote's counts plus 0.1 / k of
every class), the same M step (`smoothing` pseudo-votes in every cell
and in the class balance), the same stop (relative change of the mean
log-likelihood at most tol).  Its learned accuracies, class balance and
the posterior of every row are what mlpipe must reproduce.

It also writes iris_partial.csv and breast_cancer_partial.csv (the
features of iris.csv, and breast_cancer.csv's standardised as
StandardScaler does; 30 % of the rows, drawn with seed 0, keep their
label) and fixtures/propagation.json: scikit-learn's LabelPropagation
and LabelSpreading on them (rbf and knn kernels), their transduction_
and label_distributions_ for every row.
"""
import json
import os

import numpy as np
import pandas as pd
import sklearn
from sklearn.preprocessing import StandardScaler
from sklearn.semi_supervised import LabelPropagation, LabelSpreading

HERE = os.path.dirname(os.path.abspath(__file__))
ABSTAIN = -1
# Classes in apply_lfs's order: "0" (malignant) is index 0, "1" index 1.
K = 2


def two_sided(v, hi, lo):
    return np.where(v > hi, 0, np.where(v < lo, 1, ABSTAIN))


def lfs(d):
    return [
        ("radius", two_sided(d.mean_radius.values, 15, 12)),
        ("perimeter", two_sided(d.mean_perimeter.values, 98, 77)),
        ("concave", two_sided(d.worst_concave_points.values, 0.15, 0.08)),
        ("smoothness", two_sided(d.mean_smoothness.values, 0.11, 0.085)),
        ("concavity", two_sided(d.mean_concavity.values, 0.12, 0.03)),
        ("contrary", np.where(d.mean_smoothness.values > 0.1, 1,
                              np.where(d.mean_fractal_dimension.values > 0.065, 0, ABSTAIN))),
    ]


def dawid_skene(L, max_iter=200, tol=1e-8, smoothing=0.01, prior_given=None):
    n, m = L.shape
    q = np.full((n, K), 0.1 / K)
    for j in range(m):
        for c in range(K):
            q[:, c] += L[:, j] == c
    voted = (L != ABSTAIN).any(axis=1)
    start = 1.0 / K if prior_given is None else np.asarray(prior_given)[None, :]
    q = np.where(voted[:, None], q / q.sum(axis=1, keepdims=True), start)
    out = np.where(L == ABSTAIN, K, L)          # vote index, K = abstain
    prev = -np.inf
    for it in range(1, max_iter + 1):
        mass = q.sum(axis=0)
        prior = (mass + smoothing) / (n + K * smoothing) if prior_given is None \
            else np.asarray(prior_given)
        theta = np.zeros((m, K, K + 1))
        for j in range(m):
            for v in range(K + 1):
                theta[j, :, v] = q[out[:, j] == v].sum(axis=0)
        theta = (theta + smoothing) / (mass[None, :, None] + (K + 1) * smoothing)
        lq = np.log(prior)[None, :] + sum(np.log(theta[j][:, out[:, j]]).T for j in range(m))
        top = lq.max(axis=1, keepdims=True)
        s = np.exp(lq - top).sum(axis=1, keepdims=True)
        q = np.exp(lq - top) / s
        ll = float((top + np.log(s)).sum() / n)
        if abs(ll - prev) <= tol * max(1.0, abs(ll)):
            break
        prev = ll
    fired = (prior[None, :] * (1 - theta[:, :, K])).sum(axis=1)
    right = np.array([(prior * np.diag(theta[j, :, :K])).sum() for j in range(m)])
    return {"accuracies": list(map(float, right / fired)), "class_balance": list(map(float, prior)),
            "iterations": it, "posterior": [float(p) for p in q[:, 0]]}


def soft_logistic(d, out, balanced=False):
    """Logistic regression (l2 = 1 / C = 1, to convergence) on the rows
    some LF voted on, standardised over those rows as StandardScaler does,
    with the label model's probabilities as soft targets: each row once
    per class, weighted by its probability."""
    from sklearn.linear_model import LogisticRegression
    cov = np.array(out["covered"])
    post = np.array(out["dawid_skene"]["posterior"])[cov]
    X = d.drop(columns=["target"]).to_numpy()[cov]
    X = StandardScaler().fit_transform(X)
    Xd = np.vstack([X, X])
    yd = np.concatenate([np.zeros(len(X), int), np.ones(len(X), int)])
    wd = np.concatenate([post, 1 - post])
    if balanced:
        # class_weight = "balanced" over soft counts: a class weighs
        # rows / (classes x its summed probability).
        soft = np.array([post.sum(), (1 - post).sum()])
        wd = wd * (len(X) / (2 * soft))[yd]
    m = LogisticRegression(solver="newton-cg", tol=1e-14, max_iter=100000, C=1.0)
    m.fit(Xd, yd, sample_weight=wd)
    return {"coef": [float(v) for v in m.coef_.ravel()], "intercept": float(m.intercept_[0])}


def main():
    d = pd.read_csv(os.path.join(HERE, "breast_cancer.csv"), float_precision="round_trip")
    y = d.target.values
    named = lfs(d)
    L = np.stack([v for _, v in named], axis=1)
    fires = L != ABSTAIN
    cast = fires.sum(axis=1)
    split = np.array([len(set(r[r != ABSTAIN])) > 1 for r in L])
    out = {"rows": int(len(y)), "coverage": float((cast > 0).mean()),
           "overlap": float((cast > 1).mean()), "conflict": float(split.mean()),
           "covered": [bool(c) for c in cast > 0], "lfs": []}
    for j, (name, v) in enumerate(named):
        f = fires[:, j]
        out["lfs"].append({
            "name": name,
            "accuracy": float((v[f] == y[f]).mean()),
            "correct": int((v[f] == y[f]).sum()), "incorrect": int((v[f] != y[f]).sum()),
            "coverage": float(f.mean()), "overlaps": float((f & (cast > 1)).mean()),
            "conflicts": float((f & split).mean()),
        })
    # Majority vote, ties left out, on the rows some LF voted on.
    votes = np.stack([(L == c).sum(axis=1) for c in range(K)], axis=1)
    top = votes.max(axis=1)
    tied = (votes == top[:, None]).sum(axis=1) > 1
    mv = votes.argmax(axis=1)
    clear = (cast > 0) & ~tied
    out["majority"] = {"labelled": int(clear.sum()), "ties": int(((cast > 0) & tied).sum()),
                       "accuracy_untied": float((mv[clear] == y[clear]).mean())}
    out["dawid_skene"] = dawid_skene(L)
    # The class balance held fixed (class_balance = { ["0"] = 2, ["1"] = 3 }).
    out["dawid_skene_balance"] = dawid_skene(L, prior_given=[0.4, 0.6])
    out["soft_logistic"] = soft_logistic(d, out)
    out["soft_logistic_balanced"] = soft_logistic(d, out, balanced=True)
    with open(os.path.join(HERE, "fixtures", "label.json"), "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")


def partial(name, frame, label, exact=False):
    rng = np.random.default_rng(0)
    keep = rng.random(len(frame)) < 0.3
    out = frame.copy()
    out[label] = np.where(keep, frame[label].astype(str), "")
    path = os.path.join(HERE, name)
    out.to_csv(path, index=False, float_format="%.17g" if exact else None)
    return frame.drop(columns=[label]).to_numpy(), np.where(keep, frame[label].to_numpy(), -1)


def propagation():
    iris = pd.read_csv(os.path.join(HERE, "iris.csv"), float_precision="round_trip")
    bc = pd.read_csv(os.path.join(HERE, "breast_cancer.csv"), float_precision="round_trip")
    feats = bc.drop(columns=["target"])
    z = pd.DataFrame(StandardScaler().fit_transform(feats), columns=feats.columns)
    z["target"] = bc["target"]
    sets = {"iris": partial("iris_partial.csv", iris, "target"),
            "bc": partial("breast_cancer_partial.csv", z, "target", exact=True)}
    cases = {
        "iris_prop_rbf": ("iris", LabelPropagation(kernel="rbf", gamma=20)),
        "iris_spread_rbf": ("iris", LabelSpreading(kernel="rbf", gamma=20, alpha=0.2)),
        "iris_prop_knn": ("iris", LabelPropagation(kernel="knn", n_neighbors=7)),
        "iris_spread_knn": ("iris", LabelSpreading(kernel="knn", n_neighbors=7, alpha=0.2)),
        "bc_prop_knn": ("bc", LabelPropagation(kernel="knn", n_neighbors=10, max_iter=2000)),
        "bc_spread_knn": ("bc", LabelSpreading(kernel="knn", n_neighbors=10, alpha=0.5)),
        "bc_spread_rbf": ("bc", LabelSpreading(kernel="rbf", gamma=0.05, alpha=0.2)),
    }
    out = {"sklearn": sklearn.__version__}
    for name, (data, model) in cases.items():
        X, y = sets[data]
        model.fit(X, y)
        out[name] = {"transduction": [str(v) for v in model.transduction_],
                     "distributions": [[float(p) for p in r] for r in model.label_distributions_],
                     "classes": [str(c) for c in model.classes_], "n_iter": int(model.n_iter_)}
    with open(os.path.join(HERE, "fixtures", "propagation.json"), "w") as f:
        json.dump(out, f)
        f.write("\n")


if __name__ == "__main__":
    main()
    propagation()
