"""Run a sweep: load the base, lay out the points, run them on an executor, analyse.

Every point uses the spec's seed: common random numbers, so most of the noise cancels
between points (not all: draws part once two points' states differ, docs/sweeps.md);
each point's numbers equal ``hashshock.compare`` of its inputs bit for bit, whatever the
executor and the number of workers.

Tasks: the base point first (through :func:`hashshock.api.simulate_prepared`, which
also gives baseline's run); points that change only the scenario take baseline's run
from it; points that change the fleet or market share one baseline task per distinct
fleet and market when two or more of them need it, else simulate their own. Points
whose inputs are invalid are reported with the reason and the rest still run.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from hashshock.execution.base import Executor, Task
from hashshock.inputs.errors import InputError, check_flag, check_path_like, number_fix
from hashshock.inputs.load import builtin_scenarios, load_scenario
from hashshock.inputs.scenario import Scenario
from hashshock.prepare import check_run_args
from hashshock.sizing import RunEstimate
from hashshock.sweep.baseline import EngineKeys
from hashshock.sweep.design import InputRange, count_points, input_range, plan_points
from hashshock.sweep.fieldpath import (
    FieldPath,
    PathError,
    holds_whole_numbers,
    located,
    resolve,
)
from hashshock.sweep.industry import KINDS as INDUSTRY_KINDS
from hashshock.sweep.industry import (
    IndustryBase,
    IndustryMetric,
    load_industry_base,
    parse_industry_metric,
    run_industry_point,
)
from hashshock.sweep.inputs import BaseSet, load_base, point_error
from hashshock.sweep.metrics import Metric, MetricError, check_metric, parse_metric
from hashshock.sweep.result import SweepPoint, SweepResult
from hashshock.sweep.spec import SweepSpec, check_points, load_spec, spec_from_mapping
from hashshock.sweep.summarise import summarise
from hashshock.sweep.tasks import (
    BASELINE,
    BaseOutcome,
    Needs,
    PointJob,
    PointOutcome,
    clear_markets,
    run_base,
    run_baseline,
    run_group,
)

SpecLike = SweepSpec | dict[str, Any] | str | Path


def resolve_spec(spec: SpecLike, paths: int | None = None) -> tuple[SweepSpec, Path, Path | None]:
    """The spec (``paths``, when given, in place of its own), the folder its relative
    files start from, and its file (if any)."""
    if isinstance(spec, SweepSpec):
        parsed, folder, file = spec, Path.cwd(), None
    elif isinstance(spec, dict):
        parsed, folder, file = spec_from_mapping(spec), Path.cwd(), None
    else:
        file = check_path_like(spec, "spec", "give a sweep spec's path, a mapping of its "
                               "fields or a SweepSpec")  # fmt: skip
        parsed, folder = load_spec(file), file.resolve().parent
    if paths is not None:
        check_run_args(paths, 0)  # the argument's fault, not the spec file's
        given = parsed.model_dump(by_alias=True, exclude_unset=True)  # a method's own fields
        parsed = spec_from_mapping({**given, "paths": paths}, file)
    return parsed, folder, file


def _inputs(
    spec: SweepSpec, base: BaseSet | IndustryBase, file: Path | None
) -> list[tuple[FieldPath, InputRange]]:
    out = []
    names = [i.name for i in spec.inputs]
    fields: dict[tuple[str | int, ...], int] = {}  # the field each input varies: by whom
    for i, item in enumerate(spec.inputs):
        if names.count(item.name) > 1:
            raise InputError(file, f"inputs[{i}].label", f"{item.name!r} names two inputs",
                             "give each input its own label")  # fmt: skip
        try:
            path, value = resolve(item.path, base.mappings)
        except PathError as exc:
            raise InputError(file, f"inputs[{i}].path", exc.problem, exc.fix) from None
        where = located(base.mappings[path.root], path)[0]
        if where in fields:  # one field by two names: the later edit would hide the first
            first = spec.inputs[fields[where]].path
            raise InputError(file, f"inputs[{i}].path", f"{item.path} is the field "
                             f"inputs[{fields[where]}] varies already ({first})",
                             "vary each field once")  # fmt: skip
        fields[where] = i
        ranged = item.values is None
        if isinstance(value, dict | list) or (ranged and isinstance(value, str | bool)):
            numeric = (
                [k for k, v in value.items() if _is_number(v)] if isinstance(value, dict) else []
            )
            hint = (
                f"vary one of its fields, e.g. {path.text}.{numeric[0]}"
                if numeric
                else "give values instead of a range"
            )
            raise InputError(
                file,
                f"inputs[{i}].path",
                f"{path.text} is {type(value).__name__}, not a number",
                hint,
            )
        if item.values is not None and _is_number(value):
            _check_numbers(item.values, value, path.text, file, f"inputs[{i}].values")
        whole = holds_whole_numbers(base.models[path.root], path) if value is None else None
        out.append((path, input_range(item, value, whole)))
    return out


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _check_numbers(values: list[Any], base: Any, field: str, file: Path | None, where: str) -> None:
    """Values given for a numeric field must be numbers: caught here, once, naming the
    spec, rather than at each point naming the base file."""
    for k, value in enumerate(values):
        if _is_number(value):
            continue
        problem = f"{value!r} is not a number, and {field} is one (base value {base})"
        raise InputError(file, f"{where}[{k}]", problem, number_fix(value))


def _metrics(spec: SweepSpec, base: BaseSet, file: Path | None) -> list[Metric]:
    out: list[Metric] = []
    for i, text in enumerate(spec.metrics):
        if text.partition(":")[0] in INDUSTRY_KINDS:
            raise InputError(file, f"metrics[{i}]", f"{text} is an industry's metric, and the "
                             "base is a fleet", "give base: {industry: FILE or us} to measure "
                             "it (docs/sweeps.md), or a fleet's metric")  # fmt: skip
        try:
            metric = parse_metric(text, spec.horizon_days)
            check_metric(metric, base.loaded, spec.horizon_days)
        except MetricError as exc:
            raise InputError(file, f"metrics[{i}]", exc.problem, exc.fix) from None
        if metric.name in [m.name for m in out]:
            raise InputError(file, f"metrics[{i}]", f"{text} is listed twice", "list it once")
        out.append(metric)
    return out


@dataclass(frozen=True)
class Survey:
    """A sweep before it runs: its points, the files it reads (outputs must never
    overwrite them: the spec, the base fleet with the files it names, the scenario and
    market files), its base inputs and its estimated size (a point's memory, all the
    points' time)."""

    points: int
    files: list[Path]
    base: BaseSet | IndustryBase
    estimate: RunEstimate


#: What to do about a point too large for memory, after the spec's own sizes.
_SMALLER_BASE = {
    "fleet": "fewer, coarser cohorts in the base fleet (one install date a model and site)",
    "industry": "fewer simulated members per class in the base industry (simulated:)",
}


def _check_size(point: RunEstimate, file: Path | None, paths_given: bool, base: str,
                here: bool) -> None:  # fmt: skip
    """Refuse a sweep whose points cannot fit in memory, naming where its sizes come
    from: the spec's ``paths:`` and ``horizon_days:`` (``--paths`` when given instead),
    not options the user never gave. Points that run on a running cluster's workers
    (not ``here``) are checked there, against the workers' memory
    (:func:`hashshock.execution.cluster.check_worker_memory`), not this machine's."""
    from hashshock.sizing import MEMORY_HEADROOM, available_bytes, check_fits

    if not here:
        return
    fewer = "fewer --paths" if paths_given else "fewer paths:"
    fix = f"give {fewer} or a shorter horizon_days: in the spec, or {_SMALLER_BASE[base]}"
    free = available_bytes()
    one_fits = free is not None and point.bytes // point.at_once <= MEMORY_HEADROOM * free
    if point.at_once > 1 and one_fits:  # the simplest, when one point alone fits
        fix = f"run one point at a time (--workers 1; in Python, workers=1), or {fix}"
    check_fits(point, fix, file=file, field="--paths" if paths_given else "paths, horizon_days")


def _fleet_points(spec: SweepSpec, base: Any, file: Path | None, paths_given: bool,
                  points: int, at_once: int, here: bool, money: bool) -> RunEstimate:  # fmt: skip
    """What the ``points`` of a fleet sweep need — each its scenario beside baseline,
    ``at_once`` of them in memory together — refused (:func:`_check_size`) if they cannot
    fit."""
    from hashshock.prepare import estimate_for

    point = estimate_for(base.loaded, 2, spec.paths, spec.horizon_days, money)
    sized = point.for_points(points).run_at_once(at_once)
    _check_size(sized, file, paths_given, "fleet", here)
    return sized


def _industry_points(spec: SweepSpec, base: Any, file: Path | None, paths_given: bool,
                     points: int, at_once: int, here: bool = True) -> RunEstimate:  # fmt: skip
    """What the ``points`` of an industry sweep need — each an industry run of its
    scenario beside baseline (once if it is baseline), ``at_once`` of them in memory
    together — refused (:func:`_check_size`) if they cannot fit."""
    from hashshock.industry.simulate import industry_estimate

    runs = len({BASELINE, base.scenario.name})
    point = industry_estimate(base.loaded, runs, spec.paths, spec.horizon_days)
    sized = point.for_points(points).run_at_once(at_once)
    _check_size(sized, file, paths_given, "industry", here)
    return sized


def survey(spec: SpecLike, paths: int | None = None, at_once: int = 1,
           here: bool = True) -> Survey:  # fmt: skip
    """Check ``spec`` (base files, input paths, metrics, size with ``at_once`` points in
    memory together; not ``here``: the points run on a running cluster, whose workers'
    memory is checked when the sweep runs) without running it."""
    from hashshock.prepare import input_files

    parsed, folder, file = resolve_spec(spec, paths)
    if parsed.base.industry is not None:
        return _industry_survey(parsed, folder, file, paths is not None, at_once, here)
    base = load_base(parsed.base, folder, file)
    ranges = [r for _, r in _inputs(parsed, base, file)]
    money = any(m.spec.money for m in _metrics(parsed, base, file))
    points = count_points(parsed, ranges)
    check_points(points, file)
    sized = _fleet_points(parsed, base, file, paths is not None, points, at_once, here, money)
    scenarios = [] if base.scenario_label in builtin_scenarios() else [base.scenario_label]
    files = input_files(base.loaded, scenarios, base.market)
    return Survey(points, ([file] if file is not None else []) + files, base, sized)


class _Layout:
    """The tasks of a sweep: the base group first, then shared baselines and groups; each
    holds one point's runs at a time (``point_bytes``)."""

    def __init__(self, point_bytes: int) -> None:
        self.tasks: list[Task] = []
        self.point_bytes = point_bytes

    def base(self, jobs: list[PointJob], with_runs: bool) -> None:
        self.tasks.append(Task(run_base, (jobs, with_runs), name="sweep-base", first=True,
                               memory_bytes=self.point_bytes))  # fmt: skip

    def baseline(self, job: PointJob) -> int:
        self.tasks.append(Task(run_baseline, (job,), name="sweep-baseline", keep=False,
                               memory_bytes=self.point_bytes))  # fmt: skip
        return len(self.tasks) - 1

    def group(self, jobs: list[PointJob], after: int | None) -> None:
        self.tasks.append(Task(run_group, (jobs,), () if after is None else (after,),
                               name="sweep-points", memory_bytes=self.point_bytes))  # fmt: skip


def _needs(metrics: list[Metric], network_wide: bool, is_baseline: bool) -> Needs:
    money = any(m.spec.money for m in metrics)
    baseline = not is_baseline and (any(m.needs_baseline for m in metrics)
                                     or (money and network_wide))  # fmt: skip
    return Needs(money, baseline, any(m.spec.baseline_money for m in metrics))


def sweep(
    spec: SpecLike,
    executor: Executor | None = None,
    workers: int | None = None,
    scheduler: str | None = None,
    progress: Callable[[int, int], None] | None = None,
    with_runs: bool = True,
    paths: int | None = None,
) -> SweepResult:
    """Run the sweep ``spec`` (a :class:`SweepSpec`, its mapping or its YAML file).

    Runs on ``executor`` if given (left open); else on :func:`hashshock.execution.
    make_executor` of ``workers`` and ``scheduler`` (default: in this process).
    ``progress`` gets (tasks done, tasks in total). ``with_runs`` keeps the base runs'
    full results for the report; ``paths`` (1 to 1,000,000) replaces the spec's number of
    paths. Returns a :class:`~hashshock.sweep.result.SweepResult` (its points' inputs and
    metrics, each method's analysis); ``to_dict()`` is ``hashshock sweep --json``. Bad
    input raises :class:`InputError`; a point whose inputs are invalid is kept in the
    result with its ``error``.
    """
    from hashshock.execution.choose import (
        at_once_here,
        check_executor,
        check_progress,
        runs_remote,
        scheduler_address,
    )

    check_executor(executor, workers=workers, scheduler=scheduler)
    check_progress(progress)
    with_runs = check_flag(with_runs, "with_runs",
                           "give True (the base runs kept for the report) or False")  # fmt: skip
    scheduler_address(scheduler)  # its type, before the spec's work
    parsed, folder, file = resolve_spec(spec, paths)
    at_once = at_once_here(executor, workers, scheduler)
    here = not runs_remote(executor, scheduler)
    if parsed.base.industry is not None:
        return _industry_sweep(parsed, folder, file, executor, workers, scheduler, progress,
                               paths is not None, at_once, here)  # fmt: skip
    base = load_base(parsed.base, folder, file)
    inputs = _inputs(parsed, base, file)
    ranges = [r for _, r in inputs]
    metrics = _metrics(parsed, base, file)
    point_count = count_points(parsed, ranges)
    check_points(point_count, file)
    # too large: refused before any run
    sized = _fleet_points(parsed, base, file, paths is not None, point_count, at_once, here,
                          any(m.spec.money for m in metrics))  # fmt: skip
    plans = plan_points(parsed, ranges)
    token = uuid.uuid4().hex
    baseline_scenario = load_scenario(BASELINE)

    def job(index: int, loaded: Any, scenario: Any, market: Any) -> PointJob:
        needs = _needs(metrics, scenario.network_wide, scenario.name == BASELINE)
        return PointJob(index, loaded, scenario, market, parsed.horizon_days, parsed.paths,
                        parsed.seed, tuple(metrics), needs, token, baseline_scenario)  # fmt: skip

    keys = EngineKeys(parsed.horizon_days, parsed.paths, parsed.seed,
                      any(m.spec.baseline_money for m in metrics))  # fmt: skip
    base_job = job(0, base.loaded, base.scenario, base.market)
    base_group = (
        keys.scenario(base.loaded, base.scenario, base.market),
        keys.baseline(base.loaded, base.market) if base_job.needs.baseline else "",
    )
    failed: dict[int, str] = {}
    groups: dict[tuple[str, str], list[PointJob]] = defaultdict(list)
    groups[base_group].append(base_job)
    for index, plan in enumerate(plans[1:], start=1):
        edits = base.edited([(inputs[i][0], v) for i, v in plan.values.items()])
        try:
            point = job(index, *base.build(edits))
            group = (
                keys.scenario(point.loaded, point.scenario, point.market),
                keys.baseline(point.loaded, point.market) if point.needs.baseline else "",
            )
        except InputError as exc:
            failed[index] = point_error(index, plan, ranges, exc)
            continue
        groups[group].append(point)
    from hashshock.api import fleet_warnings
    from hashshock.notices import warn_all
    from hashshock.prepare import prepare

    # Said before the runs (a long sweep's invalid points are known now, not hours later),
    # as hashshock.run says them: the base's fleet, plan and day-0 market, and each
    # failed point.
    compiled = prepare(base.loaded, [base.scenario], parsed.horizon_days, base.market)
    warn_all([*fleet_warnings(base.loaded, base.market, compiled.plans[0]),
              *(failed[i] for i in sorted(failed))])  # fmt: skip
    layout = _lay_out(groups, base_group, keys, baseline_scenario, with_runs,
                      sized.bytes // sized.at_once)  # fmt: skip
    outcomes = _execute(layout, executor, workers, scheduler, progress)
    base_outcome = outcomes[0]
    assert isinstance(base_outcome, BaseOutcome)
    by_point: dict[int, PointOutcome] = {}
    for outcome in outcomes:
        found = outcome.outcomes if isinstance(outcome, BaseOutcome) else outcome or []
        by_point.update({o.index: o for o in found})
    points = []
    for index, plan in enumerate(plans):
        outcome = by_point.get(index)
        error = failed.get(index)
        if error is None and outcome is not None and outcome.error is not None:
            error = point_error(index, plan, ranges,
                                InputError(None, None, outcome.error))  # fmt: skip
        values = {ranges[i].name: v for i, v in plan.values.items()}
        varies = None if plan.input is None else ranges[plan.input].name
        points.append(SweepPoint(index, plan.role, values, None if outcome is None
                                 else outcome.metrics, varies, error or None))  # fmt: skip
    # a point that failed in its run (its inputs were valid) is said once it is known
    warn_all([p.error for p in points if p.error and p.index not in failed])
    return _result(parsed, ranges, [m.name for m in metrics], points, base_outcome.runs, file,
                   base.loaded.fleet.start_date.isoformat())  # fmt: skip


def _result(
    spec: SweepSpec, ranges: list[InputRange], metrics: list[str], points: list[SweepPoint],
    runs: list[dict[str, Any]], file: Path | None, start_date: str,
) -> SweepResult:  # fmt: skip
    """The sweep's result: its inputs described, its points and their analysis."""
    from hashshock import __version__

    described = [{"name": r.name, "path": r.spec.path, "base": r.base, "low": r.low,
                  "high": r.high, "integer": r.integer,
                  **({"values": r.levels()} if spec.method in ("grid", "oneway") else {})}
                 for r in ranges]  # fmt: skip
    return SweepResult(
        spec.name, spec.method, spec.paths, spec.horizon_days, spec.seed, __version__,
        metrics, described, points, summarise(spec, ranges, points), runs,
        None if file is None else str(file.resolve()), start_date, spec.method_settings(),
    )  # fmt: skip


def _lay_out(
    groups: dict[tuple[str, str], list[PointJob]], base_group: tuple[str, str],
    keys: EngineKeys, baseline_scenario: Scenario, with_runs: bool, point_bytes: int,
) -> list[Task]:  # fmt: skip
    """Tasks: the base group (through the API), a baseline task for each baseline two or
    more other groups need, then the other groups (after the baseline they need)."""
    layout = _Layout(point_bytes)
    layout.base(groups[base_group], with_runs)
    base_baseline = keys.baseline(groups[base_group][0].loaded, groups[base_group][0].market)
    others = [(key, jobs) for key, jobs in groups.items() if key != base_group]
    users: dict[str, int] = defaultdict(int)
    for (_, baseline), _ in others:
        users[baseline] += 1
    shared: dict[str, int] = {}
    for (_, baseline), jobs in others:
        if not baseline or baseline in shared:
            continue
        if baseline == base_baseline:
            shared[baseline] = 0
        elif users[baseline] > 1:
            first = jobs[0]
            shared[baseline] = layout.baseline(replace(first, scenario=baseline_scenario))
    for (_, baseline), jobs in others:
        layout.group(jobs, shared.get(baseline))
    return layout.tasks


def _execute(
    tasks: list[Task], executor: Executor | None, workers: int | None, scheduler: str | None,
    progress: Callable[[int, int], None] | None,
) -> list[Any]:  # fmt: skip
    from hashshock.execution.choose import open_executor

    try:
        if executor is not None:
            return executor.run(tasks, progress)
        with open_executor(workers, scheduler) as chosen:
            return chosen.run(tasks, progress)
    finally:
        clear_markets()  # what this process kept for the sweep (workers keep theirs)


# --- an industry as the base ---------------------------------------------------------------


def _industry_metrics(spec: SweepSpec, base: IndustryBase, file: Path | None
                      ) -> list[IndustryMetric]:  # fmt: skip
    out: list[IndustryMetric] = []
    for i, text in enumerate(spec.metrics):
        metric = parse_industry_metric(text, base.loaded, spec.horizon_days, file,
                                       f"metrics[{i}]")  # fmt: skip
        if metric.name in [m.name for m in out]:
            raise InputError(file, f"metrics[{i}]", f"{text} is listed twice", "list it once")
        out.append(metric)
    return out


def _industry_survey(spec: SweepSpec, folder: Path, file: Path | None,
                     paths_given: bool, at_once: int, here: bool) -> Survey:  # fmt: skip
    """:func:`survey` of an industry sweep: the base, inputs, metrics and size checked."""
    from hashshock.industry.api import industry_files

    base = load_industry_base(spec.base, folder, file)
    ranges = [r for _, r in _inputs(spec, base, file)]
    _industry_metrics(spec, base, file)
    points = count_points(spec, ranges)
    check_points(points, file)
    sized = _industry_points(spec, base, file, paths_given, points, at_once, here)
    scenarios = [] if base.scenario_label in builtin_scenarios() else [base.scenario_label]
    _, files = industry_files(base.loaded, scenarios, base.market)
    if base.market_file is not None:
        files.append(base.market_file)
    return Survey(points, ([file] if file is not None else []) + files, base, sized)


def _industry_sweep(
    spec: SweepSpec, folder: Path, file: Path | None, executor: Executor | None,
    workers: int | None, scheduler: str | None, progress: Callable[[int, int], None] | None,
    paths_given: bool = False, at_once: int = 1, here: bool = True,
) -> SweepResult:  # fmt: skip
    """A sweep whose points are industry runs (:mod:`hashshock.sweep.industry`), one task
    a point, on the same execution layer as a fleet's."""

    base = load_industry_base(spec.base, folder, file)
    inputs = _inputs(spec, base, file)
    ranges = [r for _, r in inputs]
    metrics = tuple(_industry_metrics(spec, base, file))
    point_count = count_points(spec, ranges)
    check_points(point_count, file)
    # too large: refused before any run
    sized = _industry_points(spec, base, file, paths_given, point_count, at_once, here)
    plans = plan_points(spec, ranges)
    failed: dict[int, str] = {}
    tasks: list[Task] = []
    for index, plan in enumerate(plans):
        edits = base.edited([(inputs[i][0], v) for i, v in plan.values.items()])
        try:
            point = base.build(edits)
        except InputError as exc:
            failed[index] = point_error(index, plan, ranges, exc)
            continue
        args = (index, *point, spec.horizon_days, spec.paths, spec.seed, metrics)
        tasks.append(Task(run_industry_point, args, name="sweep-industry",
                          memory_bytes=sized.bytes // sized.at_once))  # fmt: skip
    from hashshock.industry.api import input_warnings
    from hashshock.notices import warn_all

    # said before the runs, as a fleet's sweep says them: the base's inputs and day-0
    # market (as hashshock.industry), and each point whose inputs are invalid
    warn_all([*input_warnings(base.loaded, base.market), *(failed[i] for i in sorted(failed))])
    found = {index: (values, error) for index, values, error
             in _execute(tasks, executor, workers, scheduler, progress)}  # fmt: skip
    points = []
    for index, plan in enumerate(plans):
        values, error = found.get(index, (None, None))
        message = failed.get(index) or (None if error is None else point_error(
            index, plan, ranges, InputError(None, None, error)))  # fmt: skip
        varies = None if plan.input is None else ranges[plan.input].name
        points.append(SweepPoint(index, plan.role, {ranges[i].name: v for i, v
                                                    in plan.values.items()},
                                 values, varies, message))  # fmt: skip
    # a point that failed in its run (its inputs were valid) is said once it is known
    warn_all([p.error for p in points if p.error and p.index not in failed])
    return _result(spec, ranges, [m.name for m in metrics], points, [], file,
                   base.loaded.industry.start_date.isoformat())  # fmt: skip
