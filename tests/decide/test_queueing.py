"""Erlang C (decide/queueing.py) against the M/M/1 and M/M/2 closed forms, a tabulated
value, and the textbook sum it is computed without."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hashshock.decide.queueing import erlang_c, mean_wait_days


def _textbook(k: int, a: float) -> float:
    """(Q1) written out: (a^k/k!)·k/(k − a) / (Σ_{n<k} a^n/n! + (a^k/k!)·k/(k − a))."""
    top = a**k / math.factorial(k) * k / (k - a)
    return top / (sum(a**n / math.factorial(n) for n in range(k)) + top)


def test_erlang_c_small_queues_and_a_tabulated_value() -> None:
    for a in (0.1, 0.5, 0.9):
        assert erlang_c(1, a) == pytest.approx(a)  # M/M/1: P(wait) = ρ
    for a in (0.4, 1.0, 1.7):
        assert erlang_c(2, a) == pytest.approx(a * a / (2 + a))  # M/M/2
    # The classic call-centre case, 8 Erlangs offered to 10 agents: 40.9 % of calls wait.
    assert erlang_c(10, 8.0) == pytest.approx(0.4092, abs=5e-5)
    # Wolfram Language documentation, ErlangC, "Applications": two 1 Mbps lines, packets
    # of mean 10 kb (μ = 100/s a line) arriving at 150/s: a = 1.5, P(wait) = 9/14.
    assert erlang_c(2, 150 / 100) == pytest.approx(9 / 14)
    assert erlang_c(3, 2.0) == pytest.approx(4 / 9)


def test_mean_wait_is_erlang_c_over_the_spare_service_rate() -> None:
    # M/M/1: E[W] = ρ/(μ − λ); λ = 0.6, μ = 1.
    assert mean_wait_days(1, 0.6, 1.0) == pytest.approx(0.6 / 0.4)
    # k = 3, λ = 4 a day, mean service 0.6 days (μ = 5/3): C/(3μ − λ) = C/1.
    assert mean_wait_days(3, 4.0, 0.6) == pytest.approx(erlang_c(3, 2.4) / 1.0)


@settings(max_examples=200, deadline=None)
@given(k=st.integers(1, 40), utilisation=st.floats(0.0, 0.99))
def test_the_recursion_equals_the_textbook_sum(k: int, utilisation: float) -> None:
    a = k * utilisation
    assert erlang_c(k, a) == pytest.approx(_textbook(k, a), rel=1e-9, abs=1e-12)


def test_an_unstable_queue_is_refused() -> None:
    with pytest.raises(ValueError, match="utilisation below 1"):
        erlang_c(2, 2.0)
    with pytest.raises(ValueError, match="at least one server"):
        erlang_c(0, 0.5)
