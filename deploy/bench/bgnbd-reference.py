"""BG/NBD references for `touchpoint-bench bgnbd` (run with the venv's python, see compare-bgnbd).

  bgnbd-reference.py CDNOW_FILE [--calibration-end 1997-09-30] [--runs 3] [--impl lifetimes|scipy|both]

Builds the calibration summary with the conventions of ../shared/reference/bgnbd.md (weeks; several
purchases on one day count once; x = distinct purchase days - 1; t_x = (last - first)/7; T = (end - first)/7),
then fits BG/NBD:
  lifetimes  BetaGeoFitter(penalizer_coef=0).fit(x, t_x, T): the library's own optimiser (BFGS, autograd)
  scipy      stand-in: scipy.optimize.minimize (BFGS, numerical gradient) on the same log-likelihood in log
             parameters, started at r=α=a=b=1 on the unscaled weeks (labelled as a stand-in, not lifetimes)
Only the fit is timed (best of --runs, in one process: the first run also pays lazy imports).  The
log-likelihood printed is the total over customers, computed by this script at the fitted parameters, so
both implementations are compared on the same function.  Also prints the AUC of E[Y(39)] and of P(alive)
for "bought again in the 39-week holdout", and of the naive "last purchase + mean interval" rule
(flag = x > 0 and t_x + t_x/x <= T + 39; a binary flag, so its AUC is (TPR + TNR)/2).  One logfmt line per implementation:
  bench=bgnbd impl=… customers=N r=… alpha=… a=… b=… loglik=… fit_seconds=S auc_expected_39w=…
"""
import argparse
import datetime
import sys
import time

import numpy as np
from scipy.special import gammaln, hyp2f1


def load_summary(path, calibration_end):
    days = {}
    for line in open(path):
        fields = line.split()
        if len(fields) < 3:
            continue
        customer = int(fields[1])
        day = datetime.date(int(fields[2][:4]), int(fields[2][4:6]), int(fields[2][6:8]))
        days.setdefault(customer, set()).add(day)
    end = calibration_end
    holdout_end = end + datetime.timedelta(weeks=39)
    ids, x, t_x, T, holdout = [], [], [], [], []
    for customer in sorted(days):
        calibration = sorted(d for d in days[customer] if d <= end)
        if not calibration:
            continue
        first, last = calibration[0], calibration[-1]
        ids.append(customer)
        x.append(len(calibration) - 1)
        t_x.append((last - first).days / 7.0)
        T.append((end - first).days / 7.0)
        holdout.append(sum(1 for d in days[customer] if end < d <= holdout_end))
    return np.array(ids), np.array(x, float), np.array(t_x), np.array(T), np.array(holdout)


def log_likelihood(params, x, t_x, T):
    r, alpha, a, b = params
    a1 = gammaln(r + x) - gammaln(r) + r * np.log(alpha)
    a2 = gammaln(a + b) + gammaln(b + x) - gammaln(b) - gammaln(a + b + x)
    a3 = -(r + x) * np.log(alpha + T)
    with np.errstate(divide="ignore", invalid="ignore"):
        a4 = np.log(a) - np.log(np.maximum(b + x - 1, 1e-300)) - (r + x) * np.log(alpha + t_x)
    per = a1 + a2 + np.where(x > 0, np.logaddexp(a3, np.where(x > 0, a4, -np.inf)), a3)
    return float(per.sum())


def p_alive(params, x, t_x, T):
    r, alpha, a, b = params
    with np.errstate(divide="ignore", invalid="ignore"):
        log_ratio = np.log(a) - np.log(np.maximum(b + x - 1, 1e-300)) + (r + x) * (np.log(alpha + T) - np.log(alpha + t_x))
    return np.where(x > 0, 1.0 / (1.0 + np.exp(log_ratio)), 1.0)


def expected_purchases(params, t, x, t_x, T):
    r, alpha, a, b = params
    z = t / (alpha + T + t)
    # Euler's transformation of 2F1 (see bgnbd.md): converges fast and does not overflow for large x.
    bracket = 1 - (1 - z) ** (a - 1) * hyp2f1(a + b - 1 - r, a - 1, a + b + x - 1, z)
    return (a + b + x - 1) / (a - 1) * bracket * p_alive(params, x, t_x, T)


def auc(scores, positive):
    """Mann-Whitney AUC with ties counted half."""
    order = np.argsort(scores, kind="mergesort")
    ranks = np.empty(len(scores))
    sorted_scores = scores[order]
    i = 0
    while i < len(scores):
        j = i
        while j + 1 < len(scores) and sorted_scores[j + 1] == sorted_scores[i]:
            j += 1
        ranks[order[i:j + 1]] = (i + j) / 2.0 + 1
        i = j + 1
    n_pos = positive.sum()
    n_neg = len(positive) - n_pos
    return (ranks[positive].sum() - n_pos * (n_pos + 1) / 2.0) / (n_pos * n_neg)


def naive_rule_flags(x, t_x, T, horizon):
    """The "last purchase + mean interval" rule: a repeat buyer is expected back at t_x + t_x/x; flagged
    when that falls before the end of the horizon (overdue customers included).  One-time buyers have no
    interval and are never flagged."""
    with np.errstate(divide="ignore", invalid="ignore"):
        due = t_x + np.where(x > 0, t_x / np.maximum(x, 1), np.inf)
    return ((x > 0) & (due <= T + horizon)).astype(float)


def fit_lifetimes(x, t_x, T):
    from lifetimes import BetaGeoFitter
    import pandas as pd  # noqa: F401  (imported by lifetimes anyway; kept out of the timed part)

    def run():
        fitter = BetaGeoFitter(penalizer_coef=0.0)
        start = time.perf_counter()
        fitter.fit(x, t_x, T)
        seconds = time.perf_counter() - start
        p = fitter.params_
        return (float(p["r"]), float(p["alpha"]), float(p["a"]), float(p["b"])), seconds
    return run


def fit_scipy(x, t_x, T):
    from scipy.optimize import minimize

    def negative(log_params):
        return -log_likelihood(np.exp(log_params), x, t_x, T)

    def run():
        start = time.perf_counter()
        result = minimize(negative, np.zeros(4), method="BFGS", options={"gtol": 1e-6})
        seconds = time.perf_counter() - start
        return tuple(float(v) for v in np.exp(result.x)), seconds
    return run


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("transactions")
    ap.add_argument("--calibration-end", default="1997-09-30")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--impl", choices=["lifetimes", "scipy", "both"], default="both")
    args = ap.parse_args()
    end = datetime.date.fromisoformat(args.calibration_end)
    ids, x, t_x, T, holdout = load_summary(args.transactions, end)
    print("bench=bgnbd-summary customers=%d sum_x=%d zero_x=%d holdout_purchase_days=%d bought_again=%d "
          "auc_naive_rule=%.4f" % (len(ids), x.sum(), (x == 0).sum(), holdout.sum(), (holdout > 0).sum(),
                                   auc(naive_rule_flags(x, t_x, T, 39.0), holdout > 0)))
    impls = ["lifetimes", "scipy"] if args.impl == "both" else [args.impl]
    status = 0
    for impl in impls:
        try:
            run = fit_lifetimes(x, t_x, T) if impl == "lifetimes" else fit_scipy(x, t_x, T)
            results = [run() for _ in range(args.runs)]
        except Exception as error:  # report and go on with the other implementation
            print("bench=bgnbd impl=%s error=\"%s\"" % (impl, str(error).replace('"', "'")[:200]))
            status = 1
            continue
        params = results[-1][0]
        seconds = [s for _, s in results]
        bought_again = holdout > 0
        expected = expected_purchases(params, 39.0, x, t_x, T)
        print("bench=bgnbd impl=%s customers=%d r=%.6f alpha=%.6f a=%.6f b=%.6f loglik=%.4f fit_seconds=%.4f "
              "fit_seconds_all=%s auc_expected_39w=%.4f auc_p_alive=%.4f"
              % ("lifetimes" if impl == "lifetimes" else "scipy-standin", len(ids), *params,
                 log_likelihood(params, x, t_x, T), min(seconds), ",".join("%.4f" % s for s in seconds),
                 auc(expected, bought_again), auc(p_alive(params, x, t_x, T), bought_again)))
        sys.stdout.flush()
    sys.exit(status)


if __name__ == "__main__":
    main()
