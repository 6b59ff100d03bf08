"""How an implementation's time grows with its work, to predict a call before making it.

A prediction is a measured time at a known work scaled by the ratio of the growth function:
``t(w) = t(w0) * growth(w) / growth(w0)``. Calls too small to measure the algorithm (all call
overhead) are not used as ``w0``: they would predict far too much.
"""

from __future__ import annotations

import math
from collections.abc import Callable

Growth = Callable[[float], float]


def linear(work: float) -> float:
    """Pairs for do_something, elements for masked_hypot."""
    return max(work, 1.0)


def sieve(count: float) -> float:
    """A sieve for the first ``count`` primes: it sieves up to about ``count * ln(count)``, each
    number struck about ``ln ln`` times."""
    count = max(count, 16.0)
    limit = count * (math.log(count) + math.log(math.log(count)))
    return limit * math.log(math.log(limit))


def trial_division(count: float) -> float:
    """The talk's primes loop: each new prime is divided by every prime found before it."""
    count = max(count, 16.0)
    return count * count / math.log(count)


def predict_seconds(growth: Growth, known_work: float, known_seconds: float, work: float) -> float:
    return known_seconds * growth(work) / growth(known_work)


def work_for_seconds(
    growth: Growth, known_work: float, known_seconds: float, seconds: float, max_work: float
) -> float:
    """The work whose predicted time is ``seconds`` (at most ``max_work``), by bisection on a log
    scale (every growth function here is increasing)."""
    low, high = 0.0, math.log(max_work)
    if predict_seconds(growth, known_work, known_seconds, max_work) <= seconds:
        return max_work
    for _ in range(60):
        middle = (low + high) / 2
        if predict_seconds(growth, known_work, known_seconds, math.exp(middle)) <= seconds:
            low = middle
        else:
            high = middle
    return math.exp(low)
