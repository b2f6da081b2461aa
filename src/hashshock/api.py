"""The Python API: ``hashshock.run`` and ``hashshock.compare`` mirror the CLI commands.

>>> import hashshock
>>> result = hashshock.run("examples/small-farm/fleet.yaml", "customs-2024", paths=20,
...                        horizon_days=60, seed=1)  # doctest: +SKIP
>>> result.to_dict()["stages"]["customs_delay"]["probability"]  # doctest: +SKIP
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hashshock import __version__
from hashshock.engine import simulate
from hashshock.engine.output import EngineOutput
from hashshock.inputs.errors import InputError
from hashshock.inputs.load import (
    LoadedFleet,
    check_scenario_against_fleet,
    fleet_from_mapping,
    load_fleet,
    load_scenario,
)
from hashshock.inputs.scenario import Scenario
from hashshock.plan import compile_plan
from hashshock.results import RunResult

FleetLike = str | Path | LoadedFleet | dict[str, Any]
ScenarioLike = str | Path | Scenario
#: Called with (days done, days in total) across all runs of one call.
ProgressCallback = Callable[[int, int], None]

MAX_HORIZON_DAYS = 3 * 366
BASELINE = "baseline"


def _fleet(fleet: FleetLike) -> LoadedFleet:
    if isinstance(fleet, LoadedFleet):
        return fleet
    if isinstance(fleet, dict):
        return fleet_from_mapping(fleet)
    return load_fleet(fleet)


def _scenario(scenario: ScenarioLike) -> Scenario:
    return scenario if isinstance(scenario, Scenario) else load_scenario(scenario)


def _check_run_args(paths: int, horizon_days: int) -> None:
    if paths < 1:
        raise InputError(None, "--paths", f"{paths} paths", "use at least 1 path")
    if not 1 <= horizon_days <= MAX_HORIZON_DAYS:
        raise InputError(
            None, "--horizon", f"{horizon_days} days is out of range",
            f"use 1 to {MAX_HORIZON_DAYS} days (3 years)",
        )  # fmt: skip


def _manifest(
    loaded: LoadedFleet, scenario: Scenario, seed: int, paths: int, horizon: int
) -> dict[str, Any]:
    payload = json.dumps(
        {
            "fleet": loaded.fleet.model_dump(mode="json"),
            "scenario": scenario.model_dump(mode="json"),
            "catalog": sorted(loaded.catalog.models),
        },
        sort_keys=True,
        default=str,
    )
    return {
        "inputs_sha256": hashlib.sha256(payload.encode("utf-8")).hexdigest(),
        "seed": seed,
        "paths": paths,
        "horizon_days": horizon,
        "version": __version__,
    }


@dataclass
class _Job:
    loaded: LoadedFleet
    horizon: int
    paths: int
    seed: int
    progress: ProgressCallback | None
    total_days: int
    done_days: int = 0

    def simulate(self, scenario: Scenario) -> EngineOutput:
        plan = compile_plan(self.loaded, scenario, self.horizon)
        offset = self.done_days

        def tick(day: int, _total: int) -> None:
            if self.progress is not None:
                self.progress(offset + day, self.total_days)

        output = simulate(plan, self.paths, self.seed, tick)
        self.done_days += self.horizon
        return output

    def result(
        self, scenario: Scenario, output: EngineOutput, baseline: EngineOutput | None
    ) -> RunResult:
        fleet = self.loaded
        return RunResult(
            scenario=scenario.name,
            scenario_description=scenario.description.strip(),
            fleet_name=fleet.fleet.name,
            paths=self.paths,
            horizon_days=self.horizon,
            seed=self.seed,
            start_date=fleet.fleet.start_date,
            version=__version__,
            machines=fleet.machines,
            nameplate_ths=fleet.nameplate_ths,
            part_names=("hashboard", "fan", "psu", "control_board"),
            output=output,
            baseline_hashrate_ths=None if baseline is None else baseline.hashrate_ths,
            manifest=_manifest(fleet, scenario, self.seed, self.paths, self.horizon),
        )


def compare(
    fleet: FleetLike,
    scenarios: Sequence[ScenarioLike],
    paths: int = 1000,
    horizon_days: int = 365,
    seed: int = 0,
    progress: ProgressCallback | None = None,
) -> list[RunResult]:
    """Run several scenarios on common random numbers (same seed, same draws).

    ``baseline`` is simulated once (added if not listed) because the
    hashrate-decline stage is measured against it path by path.
    """
    _check_run_args(paths, horizon_days)
    loaded = _fleet(fleet)
    resolved = [_scenario(s) for s in scenarios]
    if not resolved:
        raise InputError(None, "--scenarios", "no scenario given", "name at least one scenario")
    for scenario in resolved:
        check_scenario_against_fleet(scenario, loaded)
    needs_baseline = any(s.name != BASELINE for s in resolved)
    has_baseline = any(s.name == BASELINE for s in resolved)
    runs = len(resolved) + (1 if needs_baseline and not has_baseline else 0)
    job = _Job(loaded, horizon_days, paths, seed, progress, runs * horizon_days)
    baseline_output: EngineOutput | None = None
    if needs_baseline or has_baseline:
        baseline_scenario = next((s for s in resolved if s.name == BASELINE), None)
        baseline_scenario = baseline_scenario or load_scenario(BASELINE)
        baseline_output = job.simulate(baseline_scenario)
    results = []
    for scenario in resolved:
        if scenario.name == BASELINE and baseline_output is not None:
            output = baseline_output
        else:
            output = job.simulate(scenario)
        results.append(job.result(scenario, output, baseline_output))
    return results


def run(
    fleet: FleetLike,
    scenario: ScenarioLike = BASELINE,
    paths: int = 1000,
    horizon_days: int = 365,
    seed: int = 0,
    progress: ProgressCallback | None = None,
) -> RunResult:
    """Simulate one scenario on a fleet (``baseline`` is run too, for the decline stage)."""
    return compare(fleet, [scenario], paths, horizon_days, seed, progress)[0]
