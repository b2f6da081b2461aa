"""The dashboard's web app: a JSON API and one static page that draws the report's charts.

The page (``static/``) calls the API below; the charts it draws are the report's own
figures (:mod:`hashshock.report.sections`), so the dashboard and the HTML report always
show the same numbers. Every bad input answers 4xx with ``{"error": one line}`` — the
same line the CLI prints — and the server keeps serving.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.types import DecoratedCallable
from pydantic import BaseModel, ConfigDict, Field, field_validator
from starlette.exceptions import HTTPException as StarletteHTTPException

from hashshock.dashboard.jobs import Jobs
from hashshock.dashboard.security import BodyLimit, Guard, NoFraming
from hashshock.dashboard.uploads import MAX_UPLOAD_BYTES, Fleets, upload_name
from hashshock.inputs.errors import InputError, from_errors, unknown_name_fix

_STATIC = {"app.js": "text/javascript", "app.css": "text/css", "index.html": "text/html"}
MAX_PATHS = 20_000
#: Most stored runs one report or download draws (each adds its daily bands to the answer:
#: 300 ids built a 48 MB one).
MAX_REPORT_RUNS = 32


@dataclass(frozen=True)
class Settings:
    host: str
    port: int
    store: Path
    fleets_dir: Path
    token: str | None = None
    max_upload_bytes: int = MAX_UPLOAD_BYTES


class RunRequest(BaseModel):
    """A run to start: a listed fleet, built-in scenarios by name (never a path: the
    server reads no file it did not list), the run's size and seed."""

    # a misspelt "pathz" must not run 500 paths; nor "paths": true one path, "7" seven,
    # "save": "off" nothing saved: JSON's own types only, as the Python API takes them
    model_config = ConfigDict(extra="forbid", strict=True)

    fleet_id: str
    scenarios: list[str] = Field(min_length=1, max_length=12)
    paths: int = Field(500, ge=1, le=MAX_PATHS)
    horizon_days: int = Field(365, ge=1, le=3 * 366)
    seed: int = Field(0, ge=0, le=2**63 - 1)
    save: bool = True

    @field_validator("scenarios")
    @classmethod
    def _builtin_once(cls, names: list[str]) -> list[str]:
        from hashshock.inputs.load import builtin_scenarios

        known = list(builtin_scenarios())
        for name in names:
            if name not in known:
                raise ValueError(f"unknown scenario '{name}' — fix: "
                                 f"{unknown_name_fix(name, known, 'scenario')}")  # fmt: skip
        twice = sorted({n for n in names if names.count(n) > 1})
        if twice:
            raise ValueError(f"{', '.join(twice)} named more than once — fix: name each once")
        return names


class PickRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    path: str


#: The model of each route's JSON body: an unknown field spelt like one of its own is
#: told which it may be.
_BODIES: dict[str, type[BaseModel]] = {"/api/runs": RunRequest, "/api/fleets/pick": PickRequest}

#: Largest JSON body of a request other than an upload (a run or a pick is a few hundred
#: bytes): a larger one is refused before it is read.
MAX_JSON_BYTES = 64 * 1024


def _error(exc: InputError, status: int | None = None) -> JSONResponse:
    """The error as JSON: 404 for a job or run that does not exist, else ``status``
    (400 by default)."""
    missing = exc.problem in ("unknown job", "no run is stored yet") or exc.problem.startswith(
        ("no run '", 'no run "')  # repr quotes an id holding a ' with "
    )
    return JSONResponse({"error": exc.message}, status_code=404 if missing else status or 400)


def chart_label(figure: dict[str, Any], fallback: str) -> str:
    """A chart's title as plain words (plotly's tags such as ``<br>`` and its entities
    out), for the page's ``aria-label``: a screen reader cannot read the drawn title.
    ``fallback`` for a figure without one."""
    title = figure.get("layout", {}).get("title") or ""
    text = str(title.get("text") or "") if isinstance(title, dict) else str(title)
    return " ".join(html.unescape(re.sub(r"<[^>]*>", " ", text)).split()) or fallback


def _sections(runs: list[dict[str, Any]]) -> dict[str, Any]:
    from hashshock.report.sections import Chart, build
    from hashshock.report.write import report_input

    report = report_input(runs)
    return {"labels": report.labels, "sections": [
        {"key": s.key, "title": s.title, "intro": s.intro, "blocks": [
            {"kind": "chart", "key": b.key, "caption": b.caption, "figure": b.figure,
             "label": chart_label(b.figure, s.title)}
            if isinstance(b, Chart) else {"kind": "html", "html": b.html} for b in blocks]}
        for s, blocks in build(report)]}  # fmt: skip


async def _body(request: Request, limit: int) -> bytes:
    """The request body, refused past ``limit`` bytes without reading further."""
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise InputError(None, "upload", f"larger than {limit // 1024} kB",
                         "upload the fleet file itself, not a larger file")  # fmt: skip
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise InputError(None, "upload", f"larger than {limit // 1024} kB",
                             "upload the fleet file itself, not a larger file")  # fmt: skip
        chunks.append(chunk)
    return b"".join(chunks)


def create_app(settings: Settings) -> FastAPI:
    """The dashboard app for ``settings`` (host and port feed the Host-header check)."""
    from hashshock.inputs.load import builtin_scenarios, load_scenario
    from hashshock.prepare import estimate_for
    from hashshock.sizing import check_fits

    app = FastAPI(title="hashshock dashboard", docs_url=None, redoc_url=None, openapi_url=None)
    app.middleware("http")(Guard(settings.host, settings.port, settings.token))
    app.add_middleware(BodyLimit, limit=MAX_JSON_BYTES,
                       exempt=frozenset({"/api/fleets/upload"}))  # fmt: skip
    app.add_middleware(NoFraming)  # last added: outermost, around every answer

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        """The CLI's one line for a body that does not validate (``paths: 0: input should
        be greater than or equal to 1 — fix: use a value of at least 1``), not pydantic's
        own words, which say no fix."""
        errors = [{**e, "loc": tuple(p for p in e.get("loc", ()) if p != "body")}
                  for e in exc.errors()]  # fmt: skip
        if errors[0].get("type") == "json_invalid":
            return JSONResponse({"error": "the request body is not valid JSON"}, status_code=422)
        kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if errors[0].get("loc") == () and kind != "application/json":
            # a body sent as text was read as one string: "input should be a valid
            # dictionary … write a mapping (YAML 'key: value' lines)", its bytes shown
            return JSONResponse({"error": f"body: sent as {kind or 'no content type'}, not "
                                 "JSON — fix: send it with Content-Type: application/json"},
                                status_code=422)  # fmt: skip
        said = from_errors(errors, None, _BODIES.get(request.url.path))
        said = InputError(None, said.field or "body", said.problem, said.fix)  # not a field
        return JSONResponse({"error": said.message}, status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        """Unknown routes and methods answer in the API's shape, {"error": …}."""
        return JSONResponse({"error": str(exc.detail)}, status_code=exc.status_code)

    fleets = Fleets(settings.fleets_dir, settings.max_upload_bytes)
    jobs = Jobs(settings.store)
    app.router.add_event_handler("shutdown", jobs.shutdown)
    static = resources.files("hashshock.dashboard").joinpath("static")

    def read(path: str) -> Callable[[DecoratedCallable], DecoratedCallable]:
        """A route answering GET and HEAD alike (uvicorn sends HEAD's headers without the
        body): FastAPI's ``app.get`` leaves HEAD a 405."""
        return app.api_route(path, methods=["GET", "HEAD"])

    @read("/")
    def index() -> Response:
        return Response(static.joinpath("index.html").read_bytes(), media_type="text/html")

    @read("/static/{name}")
    def asset(name: str) -> Response:
        if name == "plotly.min.js":
            from hashshock.report.plotlyjs import plotly_js

            return Response(plotly_js(), media_type="text/javascript",
                            headers={"Cache-Control": "max-age=86400"})  # fmt: skip
        if name not in _STATIC:
            return JSONResponse({"error": "not found"}, status_code=404)
        return Response(static.joinpath(name).read_bytes(), media_type=_STATIC[name])

    @read("/api/info")
    def info() -> dict[str, Any]:
        return {
            "scenarios": [{"name": n, "description": load_scenario(n).description.strip()}
                          for n in builtin_scenarios()],
            "fleets": fleets.offered(), "store": str(settings.store),
            "max_upload_bytes": settings.max_upload_bytes, "max_paths": MAX_PATHS,
        }  # fmt: skip

    @app.post("/api/fleets/upload")
    async def upload(request: Request) -> Response:
        try:
            name = upload_name(request.headers.get("x-filename"))
            raw = await _body(request, settings.max_upload_bytes)
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError:
                raise InputError(name, None, "is not UTF-8 text",
                                 "upload the fleet YAML file") from None  # fmt: skip
            return JSONResponse(fleets.upload(name, text).describe())
        except InputError as exc:
            return _error(exc, 413 if exc.field == "upload" else 400)

    @app.post("/api/fleets/pick")
    def pick(body: PickRequest) -> Response:
        try:
            return JSONResponse(fleets.pick(body.path).describe())
        except InputError as exc:
            return _error(exc)

    @app.post("/api/runs")
    def start(body: RunRequest) -> Response:
        try:
            entry = fleets.get(body.fleet_id)
            chosen = [load_scenario(n) for n in body.scenarios]
            # a run that cannot fit is refused now (its size is the request's fields: 422),
            # not accepted and failed on its thread
            runs = len({"baseline", *body.scenarios})
            try:
                check_fits(estimate_for(entry.loaded, runs, body.paths, body.horizon_days),
                           "ask fewer paths, a shorter horizon or fewer scenarios",
                           field="paths")  # fmt: skip
            except InputError as exc:
                return _error(exc, 422)
            try:
                job = jobs.submit(entry.label, entry.loaded, chosen, body.paths,
                                  body.horizon_days, body.seed, body.save)  # fmt: skip
            except InputError as exc:  # too many waiting: come back later
                return _error(exc, 429)
        except InputError as exc:
            return _error(exc)
        # with the runs ahead of it: "after any runs before it" was said of an empty queue
        return JSONResponse(jobs.status(job.job_id), status_code=202)

    @read("/api/jobs")
    def waiting() -> dict[str, Any]:
        return {"jobs": jobs.waiting()}

    @read("/api/jobs/{job_id}")
    def status(job_id: str) -> Response:
        try:
            return JSONResponse(jobs.status(job_id))
        except InputError as exc:
            return _error(exc, 404)

    @app.delete("/api/jobs/{job_id}")
    def cancel(job_id: str) -> Response:
        try:
            return JSONResponse(jobs.cancel(job_id).status(), status_code=202)
        except InputError as exc:  # unknown (404); saving, done or failed already (409)
            return _error(exc, 409)

    def job_runs(job_id: str) -> list[dict[str, Any]]:
        job = jobs.get(job_id)
        if job.state == "error":  # waiting would never help
            raise InputError(None, "job", "failed, so it has no results",
                             "see its error, change the run and start it again")  # fmt: skip
        if job.state == "cancelled":
            raise InputError(None, "job", "was cancelled, so it has no results",
                             "start the run again")  # fmt: skip
        if job.state != "done":
            raise InputError(None, "job", f"is {job.state}", "wait until it is done")
        return job.runs

    def stored_runs(ids: str) -> list[dict[str, Any]]:
        from hashshock.store.db import EmptyStore
        from hashshock.store.query import load_runs

        refs = list(dict.fromkeys(i for i in ids.split(",") if i))  # a repeated id: once
        if not refs:
            raise InputError(None, "ids", "no run chosen", "tick at least one run")
        if len(refs) > MAX_REPORT_RUNS:
            raise InputError(None, "ids", f"{len(refs)} runs chosen, more than "
                             f"{MAX_REPORT_RUNS} at once", f"tick at most {MAX_REPORT_RUNS} "
                             "runs")  # fmt: skip
        try:
            stored = load_runs(refs, settings.store)  # a prefix and its run's id: once
            return [run.data for run in {run.run_id: run for run in stored}.values()]
        except InputError as exc:  # the page's words: not the server's file, nor the CLI
            if exc.problem == "no run store here" or isinstance(exc, EmptyStore):
                raise InputError(None, "ids", "no run is stored yet",
                                 "save a run first") from None  # fmt: skip
            raise InputError(None, "ids", exc.problem, "pick runs from the list") from None

    def runs_of(job: str | None, ids: str | None) -> list[dict[str, Any]]:
        return job_runs(job) if job else stored_runs(ids or "")

    @read("/api/report")
    def report(job: str | None = None, ids: str | None = None) -> Response:
        try:
            return JSONResponse(_sections(runs_of(job, ids)))
        except InputError as exc:
            return _error(exc)

    @read("/api/download/{kind}")
    def download(kind: str, job: str | None = None, ids: str | None = None) -> Response:
        from hashshock.report.page import render_page
        from hashshock.report.write import report_input
        from hashshock.store.export import export_bytes

        try:
            runs = runs_of(job, ids)
            if kind == "html":
                body, media = render_page(report_input(runs)).encode(), "text/html"
            elif kind == "json":
                import json

                payload = runs[0] if len(runs) == 1 else {"scenarios": runs}
                body, media = json.dumps(payload).encode(), "application/json"
            elif kind == "csv" and all(r.get("run_id") for r in runs):
                tables = [export_bytes(str(r["run_id"]), "csv", settings.store) for r in runs]
                # One header: the later tables lose theirs.
                body = tables[0] + b"".join(t.split(b"\n", 1)[1] for t in tables[1:])
                media = "text/csv"
            elif kind == "csv":  # the CSV is the store's export: a job not kept has none
                raise InputError(None, "download", "this job's runs were not saved, so "
                                 "there is no CSV of them", "download the JSON (the same "
                                 "numbers), or run again with “keep the runs in the store” "
                                 "ticked")  # fmt: skip
            else:
                raise InputError(None, "download", f"no {kind} download here",
                                 "use html, json or csv")  # fmt: skip
        except InputError as exc:
            return _error(exc)
        more = f"-and-{len(runs) - 1}-more" if len(runs) > 1 else ""  # not the first's alone
        name = f"hashshock-{runs[0].get('run_id') or job}{more}.{kind}"
        disposition = f'attachment; filename="{name}"'
        return Response(body, media_type=media, headers={"Content-Disposition": disposition})

    @read("/api/runs")
    def stored() -> Response:
        from hashshock.store.query import list_runs

        if not settings.store.is_file():
            return JSONResponse({"runs": []})
        try:
            return JSONResponse({"runs": list_runs(settings.store, limit=200)})
        except InputError as exc:
            return _error(exc)

    return app
