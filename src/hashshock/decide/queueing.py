"""Closed forms of the M/M/k queue (Erlang C): the oracle of the finite repair bench.

A bench of k technicians, each serving one part at a time for an exponential time of
mean 1/μ days, fed by a Poisson stream of λ parts a day, first come first served, is
the M/M/k queue (``docs/model.md``, *Repair bench*). With offered load a = λ/μ < k
(utilisation ρ = a/k < 1) its stationary waiting time W (days a part waits before a
technician takes it) has (Erlang 1917; Kleinrock, *Queueing Systems* vol. 1, 1975,
eq. 3.40 and 3.43; Gross & Harris, *Fundamentals of Queueing Theory*, 3rd ed., §2.3):

    P(W > 0) = C(k, a) = (a^k / k!) · k/(k − a) / [Σ_{n<k} a^n/n! + (a^k / k!) · k/(k − a)]   (Q1)
    E[W]     = C(k, a) / (kμ − λ)                                                            (Q2)

C is computed from Erlang B by its recursion B(0) = 1, B(n) = a·B(n−1) / (n + a·B(n−1)),
then C = k·B(k) / (k − a·(1 − B(k))) (Cooper, *Introduction to Queueing Theory*, 2nd ed.,
1981, eq. 3.1.14 and §3.4), which never forms a^k or k! and so stays exact for large k.
"""

from __future__ import annotations


def _check(technicians: int, load: float) -> None:
    if technicians < 1:
        raise ValueError("an M/M/k queue needs at least one server")
    if not 0 <= load < technicians:
        raise ValueError(
            f"offered load {load:g} must lie in [0, {technicians}) (utilisation below 1), "
            "or the queue grows without bound"
        )


def erlang_b(technicians: int, load: float) -> float:
    """Erlang B: the blocking probability of k servers under offered load a = λ/μ
    (Cooper 1981, eq. 3.1.14), by the recursion B(n) = a·B(n−1) / (n + a·B(n−1))."""
    blocked = 1.0
    for n in range(1, technicians + 1):
        blocked = load * blocked / (n + load * blocked)
    return blocked


def erlang_c(technicians: int, load: float) -> float:
    """(Q1) P(W > 0): the probability a part waits for one of ``technicians`` servers
    under offered load ``load`` = λ/μ (Erlangs), C = k·B / (k − a·(1 − B))."""
    _check(technicians, load)
    blocked = erlang_b(technicians, load)
    return technicians * blocked / (technicians - load * (1.0 - blocked))


def mean_wait_days(technicians: int, arrivals_per_day: float, service_mean_days: float) -> float:
    """(Q2) E[W] = C(k, a) / (kμ − λ) in days, μ = 1/``service_mean_days``."""
    rate = 1.0 / service_mean_days
    load = arrivals_per_day * service_mean_days
    return erlang_c(technicians, load) / (technicians * rate - arrivals_per_day)
