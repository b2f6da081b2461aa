"""Runs started from the dashboard: one at a time in a background thread, with progress.

The engine already uses both cores, so jobs queue rather than run side by side. A job
keeps its report dicts (for the charts and downloads) and the ids it was saved under.
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

#: Finished jobs kept for their charts and downloads (oldest forgotten first).
KEEP_JOBS = 32


@dataclass
class Job:
    job_id: str
    fleet_label: str
    scenarios: list[str]
    state: str = "queued"  # queued | running | done | error
    done: int = 0
    total: int = 0
    error: str | None = None
    run_ids: list[str] = field(default_factory=list)
    runs: list[dict[str, Any]] = field(default_factory=list)
    started: float = field(default_factory=time.monotonic)
    finished: float | None = None

    def status(self) -> dict[str, Any]:
        end = self.finished or time.monotonic()
        return {"job_id": self.job_id, "state": self.state, "done": self.done,
                "total": self.total, "error": self.error, "run_ids": self.run_ids,
                "fleet": self.fleet_label, "scenarios": self.scenarios,
                "elapsed_s": round(end - self.started, 2)}  # fmt: skip


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
        job = Job(uuid.uuid4().hex[:12], label, [s.name for s in scenarios])
        with self._lock:
            self._jobs[job.job_id] = job
            for old in list(self._jobs)[:-KEEP_JOBS]:
                if self._jobs[old].state in ("done", "error"):
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

        job.state, job.started = "running", time.monotonic()

        def progress(done: int, total: int) -> None:
            job.done, job.total = done, total

        try:
            results = api.compare(loaded, scenarios, paths, horizon_days, seed, progress)
            job.runs = [report_dict(r) for r in results]
            if save:
                job.run_ids = save_results(job.runs, self.store, fleet=loaded,
                                           scenarios=scenarios)  # fmt: skip
                job.runs = [{**r, "run_id": i} for r, i in zip(job.runs, job.run_ids, strict=True)]
            job.state = "done"
        except InputError as exc:  # the page's words: not the server's file, nor the CLI's
            where = "the run store" if exc.field == "--store" else exc.field
            job.state, job.error = "error", InputError(None, where, exc.problem, exc.fix).message
        except Exception as exc:  # a failed job must not take the server down
            job.state, job.error = "error", f"the run failed: {type(exc).__name__}: {exc}"
        finally:
            job.finished = time.monotonic()

    def get(self, job_id: str) -> Job:
        with self._lock:
            job = self._jobs.get(job_id)
        if job is None:
            raise InputError(None, "job", "unknown job", "start the run again")
        return job

    def shutdown(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
