"""Runs started from the dashboard: one at a time in a background thread, with progress.

The engine already uses both cores, so jobs queue rather than run side by side (at most
:data:`MAX_WAITING` waiting or running). A job keeps its report dicts (for the charts and
downloads) and the ids it was saved under. A job asked to stop (:meth:`Jobs.cancel`)
does not start, or stops at the engine's next progress report (a block of paths), and
saves nothing.
"""

from __future__ import annotations

import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hashshock.inputs.errors import InputError
from hashshock.inputs.load import LoadedFleet
from hashshock.inputs.scenario import Scenario
from hashshock.words import counted

#: Finished jobs kept for their charts and downloads (oldest forgotten first).
KEEP_JOBS = 32
#: Jobs waiting or running at once: one more is refused until one ends (a run of many
#: minutes each would otherwise hold the queue for hours).
MAX_WAITING = 8
#: States of a job that has ended.
ENDED = ("done", "error", "cancelled")


class _Cancelled(Exception):
    """Raised from the engine's progress report of a job asked to stop."""


@dataclass
class Job:
    job_id: str
    fleet_label: str
    scenarios: list[str]
    state: str = "queued"  # queued | running | done | error | cancelled
    done: int = 0
    total: int = 0
    error: str | None = None
    run_ids: list[str] = field(default_factory=list)
    runs: list[dict[str, Any]] = field(default_factory=list)
    started: float = field(default_factory=time.monotonic)
    finished: float | None = None
    stop: bool = False  # asked to stop (Jobs.cancel)
    saving: bool = False  # its results are being saved: too late to stop
    horizon_days: int = 0  # days simulated per scenario
    paths: int = 0

    def progress(self, ahead: int | None = None) -> str:
        """:attr:`done` of :attr:`total` in words. Both are *scenario-days*: the engine
        counts days simulated summed over every scenario it runs (baseline included), so
        365 days of 4 scenarios is 1,460. A queued job says how many runs are ahead of
        it, where the queue (``ahead``) is known: "queued" alone left a user wondering
        behind what."""
        if self.state == "queued":
            if ahead is None:
                return "waiting to start (after any runs before it)"
            if ahead == 0:
                return "waiting to start: next"
            return f"waiting to start: {counted(ahead, 'run')} before it"
        if self.state in ("cancelled", "error") and self.total <= 0:
            # a queued run cancelled read "starting" (one may also have been preparing)
            ended = "cancelled" if self.state == "cancelled" else "failed"
            return f"{ended} before any day was simulated"
        if self.total <= 0 or self.horizon_days <= 0:
            return "starting"
        scenarios = counted(max(round(self.total / self.horizon_days), 1), "scenario")
        days = counted(self.horizon_days, "day")
        return f"{self.done:,} of {self.total:,} scenario-days simulated ({scenarios} × {days})"

    def status(self, ahead: int | None = None) -> dict[str, Any]:
        end = self.finished or time.monotonic()
        return {"job_id": self.job_id, "state": self.state, "done": self.done,
                "total": self.total, "progress": self.progress(ahead), "error": self.error,
                "run_ids": self.run_ids,
                "fleet": self.fleet_label, "scenarios": self.scenarios,
                "paths": self.paths, "horizon_days": self.horizon_days,
                "elapsed_s": round(end - self.started, 2)}  # fmt: skip


def _finished(job: Job) -> InputError:
    """Why job ``job``, done or failed, cannot be cancelled, and what is left to do."""
    if job.state == "error":
        return InputError(None, "job", "has already finished (it failed): nothing to cancel",
                          "nothing to do: a failed run saves nothing")  # fmt: skip
    fix = (f"remove its saved runs if unwanted (hashshock runs rm {' '.join(job.run_ids)})"
           if job.run_ids else "nothing to do: its runs were not saved")  # fmt: skip
    return InputError(None, "job", "has already finished (done): too late to cancel", fix)


class Jobs:
    def __init__(self, store: Path) -> None:
        self.store = store
        self._jobs: dict[str, Job] = {}
        self._lock = threading.Lock()
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="hashshock-job")

    def submit(
        self, label: str, loaded: LoadedFleet, scenarios: list[Scenario], paths: int,
        horizon_days: int, seed: int, save: bool,
    ) -> Job:  # fmt: skip
        job = Job(uuid.uuid4().hex[:12], label, [s.name for s in scenarios],
                  horizon_days=horizon_days, paths=paths)  # fmt: skip
        with self._lock:
            waiting = sum(1 for j in self._jobs.values() if j.state not in ENDED)
            if waiting >= MAX_WAITING:
                raise InputError(None, "runs", f"{waiting} runs are waiting or running already",
                                 "wait for one to end, or cancel one")  # fmt: skip
            self._jobs[job.job_id] = job
            for old in list(self._jobs)[:-KEEP_JOBS]:
                if self._jobs[old].state in ENDED:
                    del self._jobs[old]
        self._pool.submit(self._run, job, loaded, scenarios, paths, horizon_days, seed, save)
        return job

    def _run(
        self, job: Job, loaded: LoadedFleet, scenarios: list[Scenario], paths: int,
        horizon_days: int, seed: int, save: bool,
    ) -> None:  # fmt: skip
        from hashshock import api
        from hashshock.report.data import report_dict
        from hashshock.store.save import save_results

        with self._lock:  # cancelled while it waited: it never starts
            if job.state == "cancelled":
                return
            job.state, job.started = "running", time.monotonic()

        def progress(done: int, total: int) -> None:
            job.done, job.total = done, total
            if job.stop:
                raise _Cancelled

        try:
            results = api.compare(loaded, scenarios, paths, horizon_days, seed, progress=progress)
            with self._lock:  # asked after the engine's last report: nothing is saved
                if job.stop:
                    raise _Cancelled
                job.saving = True  # from here it is too late to cancel
            job.runs = [report_dict(r) for r in results]
            if save:
                job.run_ids = save_results(job.runs, self.store, fleet=loaded,
                                           scenarios=scenarios)  # fmt: skip
                job.runs = [{**r, "run_id": i} for r, i in zip(job.runs, job.run_ids, strict=True)]
            job.state = "done"
        except _Cancelled:
            job.state = "cancelled"
        except InputError as exc:  # the page's words: not the server's file, nor the CLI's
            where = "the run store" if exc.field == "--store" else exc.field
            job.state, job.error = "error", InputError(None, where, exc.problem, exc.fix).message
        except Exception as exc:  # a failed job must not take the server down
            job.state, job.error = "error", f"the run failed: {type(exc).__name__}: {exc}"
        finally:
            job.finished = time.monotonic()

    def cancel(self, job_id: str) -> Job:
        """Stop job ``job_id``: a waiting one ends now, a running one at the engine's next
        progress report. One saving its results is too late, and one done or failed has
        nothing left to stop (an :class:`InputError` each: the caller must not read its
        state as cancelled); one cancelled already is left as it is."""
        job = self.get(job_id)
        with self._lock:
            if job.state in ("done", "error"):
                raise _finished(job)
            if job.saving and job.state not in ENDED:
                raise InputError(None, "job", "is saving its results: too late to cancel",
                                 "remove its runs afterwards (runs rm) if unwanted")  # fmt: skip
            if job.state == "queued":
                job.state, job.finished = "cancelled", time.monotonic()
            elif job.state not in ENDED:
                job.stop = True
        return job

    def waiting(self) -> list[dict[str, Any]]:
        """The status of every job queued or running, in the order they run: a page that
        lost its job (reloaded, or another tab's) sees what the server is busy with, and
        may cancel it."""
        with self._lock:
            queue = [job for job in self._jobs.values() if job.state not in ENDED]
            return [job.status(ahead) for ahead, job in enumerate(queue)]

    def status(self, job_id: str) -> dict[str, Any]:
        """Job ``job_id``'s status; queued, with the number of jobs ahead of it."""
        job = self.get(job_id)
        with self._lock:
            ahead = 0
            for other in self._jobs.values():
                if other is job:
                    break
                ahead += other.state not in ENDED
            return job.status(ahead)

    def get(self, job_id: str) -> Job:
        with self._lock:
            job = self._jobs.get(job_id)
        if job is None:
            raise InputError(None, "job", "unknown job", "start the run again")
        return job

    def shutdown(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
