"""The dashboard's API: fleets validated like the CLI, runs in the background, the
report's sections, downloads, and the security rules."""

from __future__ import annotations

import time
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest
from tests.dashboard.conftest import EXAMPLES, Server, start_server, stop_server

import hashshock
from hashshock.inputs.errors import InputError
from hashshock.inputs.load import load_fleet

WRITE = {"X-Hashshock": "1"}
SMALL = EXAMPLES / "small-farm" / "fleet.yaml"


def _upload(client: httpx.Client, text: str | bytes, name: str = "fleet.yaml") -> httpx.Response:
    return client.post("/api/fleets/upload", content=text, headers={**WRITE, "X-Filename": name})


def _wait(client: httpx.Client, job_id: str) -> dict:
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        status = client.get(f"/api/jobs/{job_id}").json()
        if status["state"] in ("done", "error", "cancelled"):
            return status
        time.sleep(0.1)
    raise AssertionError("job did not finish")


def test_upload_run_and_report(server: Server) -> None:
    with server.client() as client:
        info = client.get("/api/info").json()
        assert "small-farm/fleet.yaml" in info["fleets"] and "sanctions" in {
            s["name"] for s in info["scenarios"]
        }
        fleet = _upload(client, SMALL.read_text()).json()
        assert fleet["machines"] == load_fleet(SMALL).machines
        job = client.post(
            "/api/runs",
            json={
                "fleet_id": fleet["fleet_id"],
                "scenarios": ["sanctions"],
                "paths": 40,
                "horizon_days": 90,
                "seed": 5,
            },
            headers=WRITE,
        )
        assert job.status_code == 202
        status = _wait(client, job.json()["job_id"])
        assert (
            status["state"] == "done"
            and status["done"] == status["total"] > 0
            and len(status["run_ids"]) == 1
        )
        # a finished job cannot be cancelled: 409 and why, not 202 and "done"
        late = client.delete(f"/api/jobs/{status['job_id']}", headers=WRITE)
        assert late.status_code == 409 and list(late.json()) == ["error"]
        assert "has already finished (done)" in late.json()["error"]
        assert f"runs rm {status['run_ids'][0]}" in late.json()["error"]
        assert client.get(f"/api/jobs/{status['job_id']}").json() == status  # as it was
        report = client.get("/api/report", params={"job": status["job_id"]}).json()
        charts = {
            b["key"]: b["figure"]
            for s in report["sections"]
            for b in s["blocks"]
            if b["kind"] == "chart"
        }
        expected = hashshock.run(SMALL, "sanctions", paths=40, horizon_days=90, seed=5).to_dict()
        drawn = next(t for t in charts["hashrate"]["data"] if t["meta"]["band"] == "p50")
        assert drawn["y"] == expected["daily"]["hashrate_ths"]["p50"]
        stored = client.get("/api/runs").json()["runs"]
        assert [r["run_id"] for r in stored] == status["run_ids"]
        for kind, start in (("html", b"<!DOCTYPE html>"), ("json", b"{"), ("csv", b"run_id,table")):
            download = client.get(f"/api/download/{kind}", params={"ids": status["run_ids"][0]})
            assert download.status_code == 200 and download.content.startswith(start), kind
            assert "attachment" in download.headers["content-disposition"]
        # with a store, a run not in it: the page's words, not the server's file nor the CLI
        missing = client.get("/api/report", params={"ids": "deadbeef"})
        assert missing.status_code == 404
        said = missing.json()["error"]
        assert "deadbeef" in said and str(server.store) not in said and "hashshock" not in said


def test_bad_uploads_get_the_cli_message_and_the_server_keeps_serving(
    server: Server, tmp_path: Path
) -> None:
    bad = (
        "name: x\nstart_date: 2026-01-01\nsites: [{name: a, country: US}]\ncohorts:\n"
        "  - {model: antminer-s99, count: 3, site: a, install_date: 2024-01-01}\n"
    )
    path = tmp_path / "fleet.yaml"
    path.write_text(bad)
    try:
        load_fleet(path)
    except InputError as exc:
        expected = exc.message.split(": ", 1)[1]
    with server.client() as client:
        answer = _upload(client, bad)
        assert answer.status_code == 400 and answer.json()["error"].endswith(expected)
        assert "malformed YAML" in _upload(client, "a: [1, 2").json()["error"]
        assert "not UTF-8" in _upload(client, b"\xff\xfe\x00garbage").json()["error"]
        assert _upload(client, "x: !!python/object/apply:os.system ['true']").status_code == 400
        refers = _upload(client, "name: x\ncohorts_csv: /etc/passwd\n").json()["error"]
        assert "cannot refer to other files" in refers
        # another kind of file is named as `run` names it, not "sites: field required"
        industry = _upload(client, "operators: []\nvendor_lines: {}\n").json()["error"]
        assert "this is an industry file" in industry and "hashshock industry FILE" in industry
        scenario = _upload(client, "name: s\nevents: []\n").json()["error"]
        assert "this is a scenario file" in scenario and "field required" not in scenario
        big = _upload(client, "#" * (1024 * 1024 + 10))
        assert big.status_code == 413 and "larger than" in big.json()["error"]
        picked = client.post("/api/fleets/pick", json={"path": "../../etc/passwd"}, headers=WRITE)
        assert picked.status_code == 400 and "not one of the fleet files" in picked.json()["error"]
        too_many = client.post("/api/runs", json={"fleet_id": "x", "scenarios": ["baseline"],
                                                  "paths": 10**9}, headers=WRITE)  # fmt: skip
        assert too_many.status_code == 422 and too_many.json()["error"].startswith("paths:")
        assert client.get("/api/info").status_code == 200


def test_an_upload_s_name_is_percent_encoded_utf8(server: Server) -> None:
    """A header carries Latin-1 only, so the page sends the file's name as
    encodeURIComponent(name): any name arrives whole, and is still cut to its last part,
    refused with control characters or past 255 characters."""
    with server.client() as client:
        for name in ("舰队 fleet.yaml", "farm – “north”.yaml", "plain.yaml"):
            answer = _upload(client, SMALL.read_text(), quote(name, safe=""))
            assert answer.status_code == 200 and answer.json()["label"] == f"uploaded {name}"
        broken = _upload(client, "a: [1, 2", quote("舰队.yaml", safe="")).json()["error"]
        assert broken.startswith("舰队.yaml: ") and "malformed YAML" in broken
        outside = _upload(client, SMALL.read_text(), quote("../../etc/x.yaml", safe=""))
        assert outside.json()["label"] == "uploaded x.yaml"
        for header, said in (("a%0Ab.yaml", "control characters"),
                             (quote("a\x1b[31m.yaml"), "control characters"),
                             ("x" * 256, "256 characters"),
                             ("%FF.yaml", "not percent-encoded UTF-8")):  # fmt: skip
            answer = _upload(client, SMALL.read_text(), header)
            error = answer.json()["error"]
            assert answer.status_code == 400 and error.startswith("X-Filename: "), header
            assert said in error and "fix: " in error and "\n" not in error, header


def test_run_requests_name_built_in_scenarios_only_and_stay_small(
    server: Server, tmp_path: Path
) -> None:
    """A scenario is a built-in name, never a path: the server reads no file it did not
    list (a path used to be read, and its contents echoed in the error). Unknown fields,
    a repeated scenario and an out-of-range seed are 422 before any job starts; a body
    past the JSON limit is 413 before it is read whole; errors keep the {"error"} shape."""
    secret = tmp_path / "secret.yaml"
    secret.write_text("name: s\nevents:\n  - {type: SECRETVALUE42}\n")
    with server.client() as client:
        fleet_id = _upload(client, SMALL.read_text()).json()["fleet_id"]

        def run(**fields: object) -> httpx.Response:
            body = {"fleet_id": fleet_id, "scenarios": ["baseline"], "paths": 2, **fields}
            return client.post("/api/runs", json=body, headers=WRITE)

        for path in (str(secret), "/etc/passwd", "../../../../etc/hostname"):
            answer = run(scenarios=[path])
            assert answer.status_code == 422, path
            assert "unknown scenario" in answer.json()["error"]
            assert "SECRETVALUE42" not in answer.text and "single value" not in answer.text
        for fields, field in (({"pathz": 5}, "pathz"), ({"seed": 2**63}, "seed"),
                              ({"scenarios": ["baseline", "baseline"]}, "scenarios"),
                              # JSON's own types: true is no path count, "7" no number,
                              # "off" no answer to save (each ran, as 1, 7 or not saved)
                              ({"paths": True}, "paths"), ({"horizon_days": "30"}, "horizon"),
                              ({"seed": 3.0}, "seed"), ({"save": "off"}, "save")):  # fmt: skip
            answer = run(**fields)
            assert answer.status_code == 422 and answer.json()["error"].startswith(field), fields
        huge = client.post("/api/runs", content=b'{"fleet_id": "' + b"a" * 200_000 + b'"}',
                           headers={**WRITE, "Content-Type": "application/json"})  # fmt: skip
        assert huge.status_code == 413 and "larger than" in huge.json()["error"]
        for route in ("/api/runs", "/api/fleets/pick"):  # no length said: sent in chunks
            parts = [b'{"fleet_id": "', b"a" * 100_000, b'"}']
            json_type = {**WRITE, "Content-Type": "application/json"}
            chunked = client.post(route, content=iter(parts), headers=json_type)
            assert chunked.status_code == 413 and "larger than" in chunked.json()["error"], route
        broken = client.post("/api/runs", content=b"{oops", headers={
            **WRITE, "Content-Type": "application/json"})  # fmt: skip
        assert broken.status_code == 422 and broken.json() == {
            "error": "the request body is not valid JSON"}  # fmt: skip
        # JSON sent as text: said so, not its bytes and a YAML hint
        text = client.post("/api/runs", content=b'{"fleet_id": "x"}', headers={
            **WRITE, "Content-Type": "text/plain"})  # fmt: skip
        assert text.status_code == 422 and text.json() == {
            "error": "body: sent as text/plain, "
            "not JSON — fix: send it with "
            "Content-Type: application/json"
        }
        assert client.get("/api/nowhere").json() == {"error": "Not Found"}
        assert run(paths=2).status_code == 202


def _small_farm(client: httpx.Client) -> str:
    """The id of the small farm, picked from the server's folder."""
    picked = client.post("/api/fleets/pick", json={"path": "small-farm/fleet.yaml"}, headers=WRITE)
    return str(picked.json()["fleet_id"])


def test_a_bad_field_reads_as_the_cli_s_one_line_with_its_fix(server: Server) -> None:
    """A run request's bad field is said as the CLI says a bad field (``field: problem —
    fix: fix``), not in pydantic's words, which say no fix ("Input should be a valid
    integer"); a blank box (null) is said to be blank, not read as 0."""
    with server.client() as client:
        fleet_id = _small_farm(client)
        for fields, said in (
            ({"paths": None}, "paths: no value given — fix: write a whole number"),
            ({"paths": 1.5}, "paths: 1.5: input should be a valid integer — fix: write a whole "
             "number"),
            ({"paths": 0}, "paths: 0: input should be greater than or equal to 1 — fix: use a "
             "value of at least 1"),
            ({"horizon_days": 5000}, "horizon_days: 5000: input should be less than or equal "
             "to 1098 — fix: use a value of at most 1098"),
            ({"pathz": 5}, "pathz: unknown field — fix: did you mean paths?"),
            ({"scenarios": ["sanction"]}, "scenarios: unknown scenario 'sanction' — fix: did "
             "you mean sanctions"),
            ({"save": "off"}, "save: 'off': input should be a valid boolean — fix: write true "
             "or false"),
        ):  # fmt: skip
            body = {"fleet_id": fleet_id, "scenarios": ["baseline"], "paths": 2, **fields}
            answer = client.post("/api/runs", json=body, headers=WRITE)
            assert answer.status_code == 422 and answer.json()["error"].startswith(said), fields
        picked = client.post("/api/fleets/pick", json={"pth": "x"}, headers=WRITE)
        assert picked.json()["error"] == "pth: unknown field — fix: did you mean path?"


def test_a_job_not_kept_has_no_csv_and_says_how_to_get_the_numbers(server: Server) -> None:
    """The CSV is the store's export: a job whose runs were not saved says so and offers
    the JSON (or a run kept), not "use csv for saved runs", which it did not know it was
    asked about."""
    with server.client() as client:
        body = {"fleet_id": _small_farm(client), "scenarios": ["baseline"], "paths": 2,
                "horizon_days": 5, "save": False}  # fmt: skip
        job = _wait(client, client.post("/api/runs", json=body, headers=WRITE).json()["job_id"])
        assert job["state"] == "done" and job["run_ids"] == []
        csv = client.get("/api/download/csv", params={"job": job["job_id"]})
        error = csv.json()["error"]
        assert csv.status_code == 400 and error.startswith("download: this job's runs were not "
                                                           "saved, so there is no CSV")  # fmt: skip
        assert "— fix: download the JSON" in error and "keep the runs in the store" in error
        assert client.get("/api/download/json", params={"job": job["job_id"]}).status_code == 200
        other = client.get("/api/download/pdf", params={"job": job["job_id"]}).json()["error"]
        assert other == "download: no pdf download here — fix: use html, json or csv"


def test_a_chart_s_label_is_its_title_in_plain_words() -> None:
    """The page's aria-label: plotly's tags and entities out (a screen reader would say
    them), the section's title where the figure has none."""
    from hashshock.dashboard.app import chart_label

    title = {"text": "Spares &amp; parts — <i>a&lt;b</i><br><sup>A part stocks out</sup>"}
    assert chart_label({"layout": {"title": title}}, "x") == (
        "Spares & parts — a<b A part stocks out")  # fmt: skip
    assert chart_label({"layout": {"title": "Cash (USD)"}}, "x") == "Cash (USD)"
    assert chart_label({"layout": {}}, "Money") == "Money"


def test_a_run_too_large_for_memory_is_refused_when_asked(server: Server) -> None:
    """A run that cannot fit (the mid-size fleet, 20,000 paths × 1,098 days, every
    scenario: about 100 GiB) is 422 at once, in the page's words (no --paths), not
    accepted and failed on the job's thread."""
    with server.client() as client:
        picked = client.post("/api/fleets/pick", json={"path": "midsize-public-miner/fleet.yaml"},
                             headers=WRITE).json()  # fmt: skip
        names = [s["name"] for s in client.get("/api/info").json()["scenarios"]]
        answer = client.post("/api/runs", json={"fleet_id": picked["fleet_id"], "scenarios": names,
                             "paths": 20_000, "horizon_days": 1098}, headers=WRITE)  # fmt: skip
        assert answer.status_code == 422, answer.text
        error = answer.json()["error"]
        assert error.startswith("paths: the run needs an estimated") and "--" not in error


def test_what_does_not_exist_is_404_and_a_bad_request_400(server: Server) -> None:
    """An unknown job or run is not found, the same whichever page asks for it; a request
    naming nothing is a bad request."""
    with server.client() as client:
        for url, params in (("/api/jobs/nope", {}), ("/api/report", {"job": "nope"}),
                            ("/api/report", {"ids": "deadbeef"}),
                            # an id with a quote in it: not found either (it was 400)
                            ("/api/report", {"ids": "' OR 1=1 --"}),
                            ("/api/download/html", {"job": "nope"})):  # fmt: skip
            assert client.get(url, params=params).status_code == 404, (url, params)
        assert client.get("/api/report", params={"ids": ""}).status_code == 400
        # the page's words, not the server's files or the command line's fix
        said = client.get("/api/report", params={"ids": "deadbeef"}).json()["error"]
        assert "--store" not in said and "hashshock run" not in said and ".duckdb" not in said


def test_a_report_draws_each_run_once_and_few_at_a_time(server: Server) -> None:
    """An id repeated in ?ids= (or named by a prefix too) is drawn once (in its first
    place), not once per mention;
    more distinct ids than MAX_REPORT_RUNS are 400, naming the cap."""
    from hashshock.dashboard.app import MAX_REPORT_RUNS

    with server.client() as client:
        fleet = _upload(client, SMALL.read_text()).json()["fleet_id"]
        body = {"fleet_id": fleet, "scenarios": ["baseline"], "paths": 2, "horizon_days": 5}
        job = client.post("/api/runs", json=body, headers=WRITE).json()["job_id"]
        (run_id,) = _wait(client, job)["run_ids"]
        once = client.get("/api/report", params={"ids": run_id})
        repeated = client.get("/api/report", params={"ids": ",".join([run_id] * 300)})
        assert repeated.status_code == 200 and repeated.json() == once.json()
        prefixed = client.get("/api/report", params={"ids": f"{run_id[:6]},{run_id}"})
        assert prefixed.status_code == 200 and prefixed.json() == once.json()
        download = client.get("/api/download/json", params={"ids": f"{run_id},{run_id}"})
        assert download.json()["run_id"] == run_id  # one run, not {"scenarios": [two]}
        another = client.post("/api/runs", json={**body, "seed": 1}, headers=WRITE)
        (other_id,) = _wait(client, another.json()["job_id"])["run_ids"]
        both = client.get("/api/download/json", params={"ids": f"{run_id},{other_id}"})
        # named after the first run alone, the file seemed to hold that run only
        assert f'filename="hashshock-{run_id}-and-1-more.json"' in both.headers[
            "content-disposition"]  # fmt: skip
        many = ",".join(f"r{i}" for i in range(MAX_REPORT_RUNS + 1))
        for route in ("/api/report", "/api/download/html"):
            refused = client.get(route, params={"ids": many})
            error = refused.json()["error"]
            assert refused.status_code == 400 and f"at most {MAX_REPORT_RUNS} runs" in error


def test_requests_from_elsewhere_are_refused(server: Server) -> None:
    with server.client() as client:
        assert client.get("/api/info", headers={"Host": "evil.example:80"}).status_code == 403
        assert (
            client.post("/api/fleets/upload", content="x: 1").status_code == 403
        )  # no write header
        assert (
            client.post(
                "/api/runs", json={"fleet_id": "nope", "scenarios": ["baseline"]}, headers=WRITE
            )
            .json()["error"]
            .startswith("fleet: unknown")
        )


def test_head_is_answered_wherever_get_is(server: Server) -> None:
    """HEAD gets GET's status and headers, without the body; a write-only route stays
    405."""
    with server.client() as client:
        for path in ("/", "/static/app.css", "/api/info", "/api/runs", "/api/jobs/nope"):
            got, head = client.get(path), client.head(path)
            assert head.status_code == got.status_code, path
            assert head.headers["content-type"] == got.headers["content-type"], path
            assert head.content == b"", path
        assert client.head("/api/fleets/upload").status_code == 405


def test_no_page_may_frame_the_dashboard(server: Server) -> None:
    """Every answer — the page, its assets, the API, a download, a refusal — forbids
    framing (clickjacking), in both the old header and the CSP one."""
    with server.client() as client:
        paths = ("/", "/static/app.js", "/static/plotly.min.js", "/api/info", "/nope",
                 "/api/download/html?ids=deadbeef")  # fmt: skip
        answers = [client.get(path) for path in paths]
        answers += [
            client.get("/api/info", headers={"Host": "evil.example:80"}),  # 403 from Guard
            client.post("/api/runs", content=b"x" * 100_000, headers=WRITE),  # 413
        ]
        for answer in answers:
            where = (answer.request.url.path, answer.status_code)
            assert answer.headers.get("x-frame-options") == "DENY", where
            policy = answer.headers.get("content-security-policy")
            assert policy == "frame-ancestors 'none'", where


def test_a_non_loopback_host_needs_the_token(tmp_path: Path) -> None:
    # Listening on every address makes the token compulsory; the test still talks only
    # to 127.0.0.1.
    server = start_server(tmp_path, "--host", "0.0.0.0")
    try:
        assert "?token=" in server.url
        base, token = server.url.replace("0.0.0.0", "127.0.0.1").split("?token=")
        assert httpx.get(base + "api/info").status_code == 401
        assert (
            httpx.get(
                # One character changed (not "x" if the token already ends so: 1 in 64).
                base + "api/info",
                headers={"X-Hashshock-Token": token[:-1] + "xy"[token[-1] == "x"]},
            ).status_code
            == 401
        )
        assert httpx.get(base + "api/info", headers={"X-Hashshock-Token": token}).status_code == 200
        first = httpx.get(f"{base}?token={token}", follow_redirects=False)
        assert first.status_code == 303 and "hashshock_token" in first.headers["set-cookie"]
        head = httpx.head(f"{base}?token={token}", follow_redirects=False)  # as GET answers
        assert head.status_code == 303 and "hashshock_token" in head.headers["set-cookie"]
    finally:
        stop_server(server)


def test_a_busy_port_fails_with_one_line(server: Server, tmp_path: Path) -> None:
    import subprocess
    import sys

    from tests.dashboard.conftest import SERVE

    port = server.url.split(":")[2].split("/")[0]
    store = str(tmp_path / "s.duckdb")
    done = subprocess.run([sys.executable, "-c", SERVE, "--port", port, "--store", store],
                          capture_output=True, text=True, timeout=60)  # fmt: skip
    assert done.returncode == 2 and "--port" in done.stderr and done.stderr.count("\n") == 1
    done = subprocess.run(
        [sys.executable, "-c", SERVE, "--port", "70000"], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 2 and "Traceback" not in done.stderr


def test_the_fleet_list_keeps_out_links_leaving_the_folder(tmp_path: Path) -> None:
    """A link in --fleets to a file elsewhere is not offered (so not read on pick)."""
    from hashshock.dashboard.uploads import find_fleets

    fleets, outside = tmp_path / "fleets", tmp_path / "elsewhere"
    fleets.mkdir()
    outside.mkdir()
    (fleets / "own.yaml").write_text(SMALL.read_text())
    (outside / "secret.yaml").write_text(SMALL.read_text())
    (fleets / "link.yaml").symlink_to(outside / "secret.yaml")
    (fleets / "linked-dir").symlink_to(outside, target_is_directory=True)
    (fleets / "inside.yaml").symlink_to(fleets / "own.yaml")
    assert find_fleets(fleets) == ["inside.yaml", "own.yaml"]


def test_the_fleet_list_looks_three_folders_deep(tmp_path: Path) -> None:
    """docs/dashboard.md: fleet files three folders deep at most are offered."""
    from hashshock.dashboard.uploads import find_fleets

    for rel in ("top.yaml", "a/b/c/three.yaml", "a/b/c/d/four.yaml"):
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(SMALL.read_text())
    assert find_fleets(tmp_path) == ["a/b/c/three.yaml", "top.yaml"]


@pytest.mark.filterwarnings("ignore:Using `httpx` with `starlette.testclient`")
def test_the_fleet_list_offers_what_may_be_uploaded(tmp_path: Path) -> None:
    """A fleet file is offered (and may be picked) up to the server's upload limit, not a
    smaller one of its own; past it, it is neither offered nor uploaded."""
    from fastapi.testclient import TestClient

    from hashshock.dashboard.app import Settings, create_app

    limit = 200 * 1024
    padding = "# a long comment\n" * (limit // 17)  # a few bytes short of the limit
    (tmp_path / "large.yaml").write_text(SMALL.read_text() + padding[: limit // 2])
    (tmp_path / "too-large.yaml").write_text(SMALL.read_text() + padding + "# over\n" * 200)
    assert (tmp_path / "too-large.yaml").stat().st_size > limit > 100 * 1024
    settings = Settings("127.0.0.1", 8000, tmp_path / "runs.duckdb", tmp_path,
                        max_upload_bytes=limit)  # fmt: skip
    with TestClient(create_app(settings), base_url="http://127.0.0.1:8000") as client:
        assert client.get("/api/info").json()["fleets"] == ["large.yaml"]
        picked = client.post("/api/fleets/pick", json={"path": "large.yaml"}, headers=WRITE)
        assert picked.status_code == 200, picked.text
        refused = client.post("/api/fleets/pick", json={"path": "too-large.yaml"}, headers=WRITE)
        assert refused.status_code == 400
        too_large = (tmp_path / "too-large.yaml").read_bytes()
        assert _upload(client, too_large).status_code == 413  # type: ignore[arg-type]


# the app in this process, through starlette's test client (which would rather have httpx2)
@pytest.mark.filterwarnings("ignore:Using `httpx` with `starlette.testclient`")
def test_a_failed_job_says_so_in_the_page_s_words(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A job that failed (here its store was locked) says what failed without the server's
    file or the CLI's options, and asking for its results says it failed — not "wait
    until it is done", which never helps."""
    from fastapi.testclient import TestClient

    from hashshock import api
    from hashshock.dashboard.app import Settings, create_app

    def locked(*_: object, **__: object) -> None:
        raise InputError(tmp_path / "runs.duckdb", "--store", "is locked by another process",
                         "try again when it is done")  # fmt: skip

    monkeypatch.setattr(api, "compare", locked)
    settings = Settings("127.0.0.1", 8000, tmp_path / "runs.duckdb", EXAMPLES)
    with TestClient(create_app(settings), base_url="http://127.0.0.1:8000") as client:
        picked = client.post("/api/fleets/pick", json={"path": "small-farm/fleet.yaml"},
                             headers=WRITE).json()  # fmt: skip
        started = client.post("/api/runs", json={"fleet_id": picked["fleet_id"],
                              "scenarios": ["baseline"], "paths": 2}, headers=WRITE)  # fmt: skip
        status = _wait(client, started.json()["job_id"])  # type: ignore[arg-type]
        assert status["error"] == ("the run store: is locked by another process — fix: try "
                                   "again when it is done")  # fmt: skip
        answer = client.get(f"/api/report?job={status['job_id']}")
        assert answer.status_code == 400 and "failed, so it has no results" in answer.text


def test_an_address_not_of_this_machine_is_the_host_s_fault() -> None:
    """Binding an address no interface has (10.255.255.1 here) names --host, not the port;
    a port taken names --port."""
    from hashshock.dashboard.server import bind

    with pytest.raises(InputError) as caught:
        bind("10.255.255.1", 0)
    assert caught.value.field == "--host"
    assert "cannot listen on 10.255.255.1" in caught.value.message
    taken = bind("127.0.0.1", 0)
    try:
        with pytest.raises(InputError) as again:
            bind("127.0.0.1", taken.getsockname()[1])
        assert again.value.field == "--port"
    finally:
        taken.close()


@pytest.mark.filterwarnings("ignore:Using `httpx` with `starlette.testclient`")
def test_a_job_can_be_cancelled_and_the_queue_is_bounded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """DELETE /api/jobs/{id} stops a running job at the engine's next progress report and
    a waiting one before it starts: both end "cancelled", with nothing saved and no
    results; at most MAX_WAITING jobs wait or run, one more is 429 until one ends."""
    from fastapi.testclient import TestClient

    from hashshock import api
    from hashshock.dashboard.app import Settings, create_app
    from hashshock.dashboard.jobs import MAX_WAITING

    def endless(*_: object, progress: object = None, **__: object) -> None:
        assert callable(progress)  # the engine's progress, forever
        for day in range(10**6):
            progress(day, 10**6)
            time.sleep(0.005)

    monkeypatch.setattr(api, "compare", endless)
    store = tmp_path / "runs.duckdb"
    settings = Settings("127.0.0.1", 8000, store, EXAMPLES)
    with TestClient(create_app(settings), base_url="http://127.0.0.1:8000") as client:
        fleet = client.post("/api/fleets/pick", json={"path": "small-farm/fleet.yaml"},
                            headers=WRITE).json()["fleet_id"]  # fmt: skip
        body = {"fleet_id": fleet, "scenarios": ["baseline"], "paths": 2}
        ids = [client.post("/api/runs", json=body, headers=WRITE).json()["job_id"]
               for _ in range(MAX_WAITING)]  # fmt: skip
        refused = client.post("/api/runs", json=body, headers=WRITE)
        assert refused.status_code == 429 and "waiting or running" in refused.json()["error"]
        # a waiting job cancelled ends at once and makes room (it waited for the running one)
        last = client.delete(f"/api/jobs/{ids[-1]}", headers=WRITE).json()
        assert last["state"] == "cancelled"
        ids[-1] = client.post("/api/runs", json=body, headers=WRITE).json()["job_id"]
        while client.get(f"/api/jobs/{ids[0]}").json()["done"] == 0:
            time.sleep(0.01)  # the first runs; the others wait
        assert client.delete(f"/api/jobs/{ids[0]}").status_code == 403  # a write needs its header
        for job_id in reversed(ids):  # the waiting ones first: none of them starts
            assert client.delete(f"/api/jobs/{job_id}", headers=WRITE).status_code == 202
        states = [_wait(client, job_id)["state"] for job_id in ids]  # type: ignore[arg-type]
        assert states == ["cancelled"] * MAX_WAITING
        assert [client.get(f"/api/jobs/{i}").json()["done"] for i in ids[1:]] == [0] * (
            MAX_WAITING - 1)  # fmt: skip
        answer = client.get(f"/api/report?job={ids[0]}")
        assert answer.status_code == 400 and "was cancelled" in answer.text
        assert client.delete("/api/jobs/nope", headers=WRITE).status_code == 404
        again = client.post("/api/runs", json=body, headers=WRITE)  # room again
        assert again.status_code == 202
        client.delete(f"/api/jobs/{again.json()['job_id']}", headers=WRITE)
        assert _wait(client, again.json()["job_id"])["state"] == "cancelled"  # type: ignore[arg-type]
    assert not store.exists()


@pytest.mark.filterwarnings("ignore:Using `httpx` with `starlette.testclient`")
def test_the_server_lists_its_waiting_and_running_jobs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """GET /api/jobs lists the jobs queued or running, in the order they run, each with
    what it runs; a queued job says how many are ahead of it (it said "queued" alone, and
    a page reloaded mid-run had lost the job it waited behind). Ended jobs leave the
    list; the list keeps the Host check."""
    from fastapi.testclient import TestClient

    from hashshock import api
    from hashshock.dashboard.app import Settings, create_app

    def endless(*_: object, progress: object = None, **__: object) -> None:
        assert callable(progress)
        for day in range(10**6):
            progress(day, 10**6)
            time.sleep(0.005)

    monkeypatch.setattr(api, "compare", endless)
    settings = Settings("127.0.0.1", 8000, tmp_path / "runs.duckdb", EXAMPLES)
    with TestClient(create_app(settings), base_url="http://127.0.0.1:8000") as client:
        assert client.get("/api/jobs").json() == {"jobs": []}
        fleet = client.post("/api/fleets/pick", json={"path": "small-farm/fleet.yaml"},
                            headers=WRITE).json()["fleet_id"]  # fmt: skip
        asked = [
            {"fleet_id": fleet, "scenarios": ["baseline"], "paths": 3, "horizon_days": 9},
            {"fleet_id": fleet, "scenarios": ["baseline", "sanctions"], "paths": 4},
        ]
        started = [client.post("/api/runs", json=body, headers=WRITE).json() for body in asked]
        ids = [job["job_id"] for job in started]
        # the reply says the queue as it is, not "after any runs before it"
        assert "any runs" not in started[0]["progress"]
        assert started[1]["progress"] == "waiting to start: 1 run before it"
        while client.get(f"/api/jobs/{ids[0]}").json()["state"] != "running":
            time.sleep(0.01)
        listed = client.get("/api/jobs").json()["jobs"]
        assert [job["job_id"] for job in listed] == ids
        assert [job["state"] for job in listed] == ["running", "queued"]
        assert [(job["fleet"], job["scenarios"], job["paths"], job["horizon_days"])
                for job in listed] == [("small-farm/fleet.yaml", ["baseline"], 3, 9),
                                       ("small-farm/fleet.yaml", ["baseline", "sanctions"], 4,
                                        365)]  # fmt: skip
        assert listed[1]["progress"] == "waiting to start: 1 run before it"
        assert client.get(f"/api/jobs/{ids[1]}").json()["progress"] == listed[1]["progress"]
        assert client.head("/api/jobs").status_code == 200
        assert client.get("/api/jobs", headers={"Host": "evil.example:80"}).status_code == 403
        assert client.delete(f"/api/jobs/{ids[0]}", headers=WRITE).status_code == 202
        assert _wait(client, ids[0])["state"] == "cancelled"  # type: ignore[arg-type]
        while client.get(f"/api/jobs/{ids[1]}").json()["state"] == "queued":
            time.sleep(0.01)
        assert [job["job_id"] for job in client.get("/api/jobs").json()["jobs"]] == ids[1:]
        client.delete(f"/api/jobs/{ids[1]}", headers=WRITE)
        assert _wait(client, ids[1])["state"] == "cancelled"  # type: ignore[arg-type]
        assert client.get("/api/jobs").json() == {"jobs": []}


def test_a_job_saving_its_results_is_too_late_to_cancel(tmp_path: Path) -> None:
    """Once a job has begun saving (its runs going into the store), a cancel is refused
    rather than answered 202 and the runs saved anyway."""
    from hashshock.dashboard.jobs import Job, Jobs

    jobs = Jobs(tmp_path / "runs.duckdb")
    job = Job("j1", "farm", ["baseline"], state="running", saving=True)
    jobs._jobs[job.job_id] = job
    with pytest.raises(InputError, match="too late to cancel"):
        jobs.cancel("j1")
    assert not job.stop
    # ended: done or failed is refused (nothing to stop), cancelled again is as it was
    for state, said in (("done", r"already finished \(done\)"), ("error", "it failed")):
        ended = Job(f"j-{state}", "farm", ["baseline"], state=state)
        jobs._jobs[ended.job_id] = ended
        with pytest.raises(InputError, match=said):
            jobs.cancel(ended.job_id)
        assert ended.state == state and not ended.stop
    cancelled = Job("j-cancelled", "farm", ["baseline"], state="cancelled")
    jobs._jobs[cancelled.job_id] = cancelled
    assert jobs.cancel(cancelled.job_id).state == "cancelled"
    assert cancelled.progress() == "cancelled before any day was simulated"  # not "starting"


def test_progress_says_it_counts_scenario_days() -> None:
    """The engine counts days summed over the scenarios it runs: 81 done of 1,460 for a
    365-day run of 4 scenarios is not "81 of 1460 days"."""
    from hashshock.dashboard.jobs import Job

    job = Job("j1", "farm", ["baseline", "a", "b", "c"], state="running", done=81, total=1460,
              horizon_days=365)  # fmt: skip
    said = job.status()["progress"]
    assert "81 of 1,460 scenario-days" in said and "4 scenarios × 365 days" in said
    assert Job("j2", "farm", ["baseline"], horizon_days=365).status()["progress"].startswith(
        "waiting")  # fmt: skip


@pytest.mark.parametrize(("stop", "code", "said"), [
    ("SIGINT", 130, "interrupted: dashboard stopped; the runs it saved are kept in"),
    ("SIGTERM", 143, "interrupted: stopped by SIGTERM; the runs it saved are kept in"),
])  # fmt: skip
def test_ctrl_c_stops_the_dashboard_saying_where_its_runs_are(
    tmp_path: Path, stop: str, code: int, said: str
) -> None:
    """The command a user runs (``hashshock serve``): Ctrl-C ends it with exit 130 and one
    line that says the dashboard stopped and where its saved runs are — not that "no
    output was written", which its saved runs belie; so does a service manager's SIGTERM
    (exit 143)."""
    import os
    import signal
    import subprocess
    import sys

    hashshock_script = Path(sys.executable).with_name("hashshock")
    if not hashshock_script.exists():
        pytest.skip("the hashshock console script is not installed")
    store = tmp_path / "runs.duckdb"
    process = subprocess.Popen(
        [str(hashshock_script), "serve", "--port", "0", "--store", str(store), "--fleets",
         str(tmp_path)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "HASHSHOCK_DAEMON": "off"},
    )  # fmt: skip
    assert process.stdout is not None
    assert "dashboard on http://127.0.0.1:" in process.stdout.readline()
    process.send_signal(getattr(signal, stop))
    try:
        _, err = process.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        raise
    assert process.returncode == code, err
    assert f"{said} {store}" in err
    assert "no output was written" not in err and "Traceback" not in err
