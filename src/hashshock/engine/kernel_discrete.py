"""Binomial and hypergeometric variates from one uniform, for compiled kernels.

Both are drawn by inversion (Devroye 1986, *Non-Uniform Random Variate Generation*,
§III.2): the outcomes are visited from the mode outwards, always taking next whichever
neighbour is more probable, and ``u`` is spent on their probabilities until it runs
out. Any fixed order of the outcomes gives the exact distribution; this one, for a
unimodal law, costs about as many steps as the outcome's distance from the mode (a few
standard deviations at most), not its value. The mode's probability comes from
``lgamma``, its neighbours' from the ratio of successive probabilities:

- binomial(n, p): P(k+1)/P(k) = (n − k)/(k + 1) · p/(1 − p), mode ⌊(n + 1)p⌋;
- hypergeometric (``sample`` drawn from ``total`` items of which ``good`` are good):
  P(k+1)/P(k) = (good − k)(sample − k) / ((k + 1)(total − good − sample + k + 1)),
  mode ⌊(sample + 1)(good + 1)/(total + 2)⌋, support max(0, sample − total + good) …
  min(sample, good).

One uniform per variate: a cell's counter-based stream (:mod:`hashshock.engine.
kernel_random`) gives the same count whatever other paths or cells are drawn.
``tests/engine/test_kernel_discrete.py`` checks the outcomes' probabilities against
scipy's probability mass functions on a grid of uniforms.
"""

from __future__ import annotations

import math

from hashshock.engine.jit import compiled

_BINOMIAL = 0
_HYPERGEOMETRIC = 1


@compiled(inline=True)
def _ratio_up(kind: int, k: int, a: int, b: int, c: int, odds: float) -> float:
    """P(k + 1)/P(k): binomial (``a`` trials, success ``odds`` p/(1 − p)), or
    hypergeometric (``a`` good, ``b`` drawn, ``c`` = total − good − drawn)."""
    if kind == _BINOMIAL:
        return (a - k) / (k + 1) * odds
    return (a - k) * (b - k) / ((k + 1) * (c + k + 1))


@compiled(inline=True)
def _invert_from_mode(
    u: float, kind: int, mode: int, at_mode: float, low: int, high: int, a: int, b: int,
    c: int, odds: float,
) -> int:  # fmt: skip
    """The outcome where ``u`` runs out, visiting ``mode`` (probability ``at_mode``) then
    its neighbours in ``low`` … ``high``, the more probable first."""
    u -= at_mode
    if u <= 0.0:
        return mode
    up, down = mode, mode
    p_up = at_mode * _ratio_up(kind, mode, a, b, c, odds) if mode < high else 0.0
    p_down = at_mode / _ratio_up(kind, mode - 1, a, b, c, odds) if mode > low else 0.0
    while p_up > 0.0 or p_down > 0.0:
        if p_up >= p_down:
            up += 1
            u -= p_up
            if u <= 0.0:
                return up
            p_up = p_up * _ratio_up(kind, up, a, b, c, odds) if up < high else 0.0
        else:
            down -= 1
            u -= p_down
            if u <= 0.0:
                return down
            p_down = p_down / _ratio_up(kind, down - 1, a, b, c, odds) if down > low else 0.0
    # Rounding left some of u unspent (the probabilities sum to 1 within ~1e-12).
    return mode


@compiled(inline=True)
def _log_choose(n: int, k: int) -> float:
    return math.lgamma(n + 1.0) - math.lgamma(k + 1.0) - math.lgamma(n - k + 1.0)


@compiled(inline=True)
def binomial(u: float, trials: int, p: float) -> int:
    """A binomial(``trials``, ``p``) variate from the uniform ``u`` in (0, 1]."""
    if trials <= 0 or p <= 0.0:
        return 0
    if p >= 1.0:
        return trials
    mode = min(int((trials + 1) * p), trials)
    at_mode = math.exp(
        _log_choose(trials, mode) + mode * math.log(p) + (trials - mode) * math.log1p(-p)
    )
    return _invert_from_mode(u, _BINOMIAL, mode, at_mode, 0, trials, trials, 0, 0, p / (1.0 - p))


@compiled(inline=True)
def hypergeometric(u: float, good: int, total: int, sample: int) -> int:
    """Good items among ``sample`` drawn without replacement from ``total`` items of which
    ``good`` are good, from the uniform ``u`` in (0, 1]."""
    if good <= 0 or sample <= 0:
        return 0
    low, high = max(0, sample - (total - good)), min(sample, good)
    if low >= high:
        return high
    mode = min(max((sample + 1) * (good + 1) // (total + 2), low), high)
    at_mode = math.exp(
        _log_choose(good, mode) + _log_choose(total - good, sample - mode)
        - _log_choose(total, sample)
    )  # fmt: skip
    rest = total - good - sample
    return _invert_from_mode(u, _HYPERGEOMETRIC, mode, at_mode, low, high, good, sample, rest, 0.0)
