"""Job lists for the greedy swap allocation, and grouped sums over paths."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

IntArray = NDArray[np.int64]


def job_lists(
    cohort_pool: IntArray, cohort_site: IntArray, n_pools: int, n_sites: int
) -> tuple[IntArray, IntArray, IntArray, IntArray, IntArray, IntArray]:
    """Jobs in allocation order per pool and per site, as CSR lists for the swap kernel.

    Job ``c·4 + part`` is cohort ``c``'s machines waiting for stop part ``part``
    (1–3) or its dead hashboards (0). Within a pool or site, stopped machines come
    before dead boards (a stopped machine loses all its hashrate), then cohort order.
    Returns ``pool_ptr`` [J+1], ``pool_jobs``, ``site_ptr`` [S+1], ``site_jobs``,
    ``job_pool`` and ``job_site`` [C·4].
    """
    cohorts = len(cohort_pool)
    stop_jobs = [c * 4 + k for c in range(cohorts) for k in (1, 2, 3)]
    board_jobs = [c * 4 for c in range(cohorts)]
    jobs = np.array(stop_jobs + board_jobs, dtype=np.int64)
    job_pool = cohort_pool.reshape(-1).astype(np.int64)  # index c·4 + part
    job_site = np.repeat(cohort_site.astype(np.int64), 4)

    def csr(group_of_job: IntArray, n_groups: int) -> tuple[IntArray, IntArray]:
        ordered = jobs[np.argsort(group_of_job[jobs], kind="stable")]
        counts = np.bincount(group_of_job[jobs], minlength=n_groups)
        return np.concatenate([[0], np.cumsum(counts)]).astype(np.int64), ordered

    pool_ptr, pool_jobs = csr(job_pool, n_pools)
    site_ptr, site_jobs = csr(job_site, n_sites)
    return pool_ptr, pool_jobs, site_ptr, site_jobs, job_pool, job_site


class GroupSum:
    """Sum columns [P, N] into groups [P, G] (columns sorted once, then ``add.reduceat``).

    >>> GroupSum(np.array([1, 0, 1]), 3)(np.array([[1, 2, 3]])).tolist()
    [[2, 4, 0]]
    """

    def __init__(self, group: IntArray, n_groups: int) -> None:
        self.order = np.argsort(group, kind="stable")
        sorted_group = group[self.order]
        starts = np.searchsorted(sorted_group, np.arange(n_groups))
        self.nonempty = np.flatnonzero(
            (starts < len(group)) & (sorted_group[np.minimum(starts, len(group) - 1)] ==
                                     np.arange(n_groups))
        ) if len(group) else np.zeros(0, np.int64)  # fmt: skip
        self.starts = starts[self.nonempty]
        self.n_groups = n_groups

    def __call__(self, values: IntArray) -> IntArray:
        out = np.zeros((values.shape[0], self.n_groups), dtype=values.dtype)
        if len(self.nonempty):
            out[:, self.nonempty] = np.add.reduceat(values[:, self.order], self.starts, axis=1)
        return out
