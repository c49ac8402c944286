"""The three tests §13 names, computed as SciPy computes them, in plain Python on small lists.

`scipy.stats.spearmanr`, `mannwhitneyu` and `false_discovery_control` cost about 0.4, 0.7 and
0.2 ms a call in array set-up alone; with 30 factor-and-lag pairs per response that was +80 % on
the 90-day insights benchmark (17 -> 31 ms), past the 20 % the issue allows. These functions
follow SciPy's formulas step for step and take only the distribution functions from
`scipy.special` (`stdtr`, `ndtr`); tests/insights/test_statistics.py shows them equal to
`scipy.stats` on random inputs with ties.
"""
from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from collections import Counter
from operator import mul

from scipy.special import ndtr, stdtr


def average_ranks(values: list[float]) -> list[float]:
    """1-based ranks; tied values share the average of the ranks they span (scipy.stats.rankdata)."""
    ordered = sorted(values)
    # Few distinct values (scales, counts): find each one's span once, by bisection.
    rank_of = {v: (bisect_left(ordered, v) + 1 + bisect_right(ordered, v)) / 2 for v in set(values)}
    return [rank_of[v] for v in values]


def spearman(xs: list[float], ys: list[float]) -> tuple[float, float] | None:
    """Spearman's rho and its two-sided p (Student's t with n - 2 degrees of freedom), as
    `scipy.stats.spearmanr`; None when either side is constant (SciPy answers nan then)."""
    if len(set(xs)) < 2 or len(set(ys)) < 2:
        return None
    rx, ry = average_ranks(xs), average_ranks(ys)
    n = len(rx)
    mx, my = sum(rx) / n, sum(ry) / n
    dx = [a - mx for a in rx]
    dy = [b - my for b in ry]
    rho = sum(map(mul, dx, dy)) / math.sqrt(sum(map(mul, dx, dx)) * sum(map(mul, dy, dy)))
    rho = max(-1.0, min(1.0, rho))
    dof = n - 2
    if abs(rho) == 1.0:
        return rho, 0.0
    t = rho * math.sqrt(max(0.0, dof / ((rho + 1.0) * (1.0 - rho))))
    return rho, float(2 * stdtr(dof, -abs(t)))


def mann_whitney_p(xs: list[float], ys: list[float]) -> float:
    """Two-sided p of the Mann-Whitney U test, normal approximation with tie and continuity
    correction: `scipy.stats.mannwhitneyu(xs, ys, method="asymptotic")`."""
    n1, n2 = len(xs), len(ys)
    ranks = average_ranks(list(xs) + list(ys))
    u1 = sum(ranks[:n1]) - n1 * (n1 + 1) / 2
    u = max(u1, n1 * n2 - u1)
    n = n1 + n2
    tie_term = sum(t ** 3 - t for t in Counter(list(xs) + list(ys)).values())
    s = math.sqrt(n1 * n2 / 12 * ((n + 1) - tie_term / (n * (n - 1))))
    numerator = u - n1 * n2 / 2 - 0.5
    if s == 0:  # every value the same: SciPy's z is -inf there, and p is clipped to 1
        return 1.0
    return min(1.0, max(0.0, float(2 * ndtr(-numerator / s))))


def benjamini_hochberg(ps: list[float]) -> list[float]:
    """Benjamini-Hochberg adjusted p-values in the order given, as
    `scipy.stats.false_discovery_control(ps, method="bh")`."""
    m = len(ps)
    order = sorted(range(m), key=lambda i: ps[i])
    adjusted = [0.0] * m
    running = math.inf
    for position in range(m - 1, -1, -1):
        index = order[position]
        running = min(running, ps[index] * (m / (position + 1)))
        adjusted[index] = min(1.0, max(0.0, running))
    return adjusted
