"""``hashshock data update`` against recorded responses served on 127.0.0.1.

A tiny HTTP server on a random loopback port serves the files in
``fixtures/mempool``; it is started and stopped by each test. No other address
is ever contacted (the failure tests use a closed loopback port).
"""

from __future__ import annotations

import datetime as dt
import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from hashshock.cli.data import register
from hashshock.market import bundled_snapshot, load_market, load_snapshot, user_snapshot_path
from hashshock.market.fetch import FetchError, fetch_snapshot
from hashshock.market.snapshot import bundled_snapshot_path

FIXTURES = Path(__file__).parent / "fixtures" / "mempool"
ROUTES = {
    "/api/v1/prices": "prices.json",
    "/api/v1/mining/hashrate/1w": "hashrate-1w.json",
    "/api/blocks/tip/height": "tip-height.txt",
    "/api/v1/mining/reward-stats/1008": "reward-stats-1008.json",
}


class Recorded:
    """A loopback server for the recorded responses; ``replace`` swaps bodies or statuses."""

    def __init__(self, replace: dict[str, tuple[int, bytes]] | None = None, delay: float = 0.0):
        self.requests: list[str] = []
        routes = {path: (200, (FIXTURES / name).read_bytes()) for path, name in ROUTES.items()}
        routes.update(replace or {})
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                owner.requests.append(self.path)
                if delay:
                    time.sleep(delay)
                status, body = routes.get(self.path, (404, b"not found"))
                try:
                    self.send_response(status)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up first (the timeout tests): nothing to answer

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def start(self) -> Recorded:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


@pytest.fixture
def serve() -> Iterator[Callable[..., Recorded]]:
    servers: list[Recorded] = []

    def start(**kwargs: object) -> Recorded:
        server = Recorded(**kwargs).start()  # type: ignore[arg-type]
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


@pytest.fixture(scope="module")
def app() -> typer.Typer:
    app = typer.Typer()

    @app.callback()
    def main() -> None:
        """hashshock (test app)."""

    register(app)
    return app


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def run(app: typer.Typer, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_update_writes_a_validated_snapshot(
    app: typer.Typer, serve: Callable[..., Recorded], user_data_dir: Path
) -> None:
    server = serve()
    code, out, err = run(app, "data", "update", "--url", server.url, "--timeout", "5")
    assert code == 0, err
    assert sorted(server.requests) == sorted(ROUTES)
    target = user_snapshot_path()
    assert target.parent == user_data_dir and str(target) in out.replace("\n", "")
    assert [p.name for p in user_data_dir.iterdir()] == ["snapshot.yaml"]  # no temp files
    snap = load_snapshot()
    assert snap.origin == str(target)
    assert snap.date == dt.date(2026, 5, 1)
    assert snap.btc_price_usd == 80_123
    assert snap.difficulty == pytest.approx(138.966872e12)
    assert snap.network_hashrate_ehs == pytest.approx(1042.86, abs=0.01)  # 7-day mean
    assert snap.block_height == 951_873
    assert snap.fee_share == pytest.approx(27.56 / 3177.56)
    assert server.url in snap.source and "totalFee" in snap.sources["fee_share"]
    # runs now start from it
    assert load_market(None).snapshot().date == dt.date(2026, 5, 1)


def test_update_to_out_leaves_the_user_folder_alone(
    app: typer.Typer, serve: Callable[..., Recorded], tmp_path: Path, user_data_dir: Path
) -> None:
    server = serve()
    out = tmp_path / "snap.yaml"
    code, _, err = run(app, "data", "update", "--url", server.url, "--out", str(out))
    assert code == 0, err
    assert out.is_file() and not user_data_dir.exists()
    assert load_snapshot().origin == "bundled"


def test_update_out_is_a_yaml_file(app: typer.Typer, tmp_path: Path) -> None:
    """The snapshot is YAML: ``--out snap.json`` is refused before anything is fetched."""
    code, _, err = run(app, "data", "update", "--url", "http://127.0.0.1:1",
                       "--out", str(tmp_path / "snap.json"))  # fmt: skip
    assert code == 2 and "--out: has suffix '.json'" in err and "name the file with .yaml" in err


def test_no_network_fails_update_only(app: typer.Typer, user_data_dir: Path) -> None:
    url = f"http://127.0.0.1:{closed_port()}"
    code, out, err = run(app, "data", "update", "--url", url, "--timeout", "2")
    assert code == 1
    assert "cannot connect" in err and "nothing written" in err and "bundled" in err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err + out
    assert not user_snapshot_path().exists()
    assert not user_data_dir.exists()  # a failed fetch leaves no empty folder behind
    config = load_market(None)  # a run does not need the network
    assert config.snapshot().date == bundled_snapshot().date


@pytest.mark.parametrize(
    "replace, words",
    [
        ({"/api/v1/prices": (500, b"oops")}, "HTTP 500"),
        ({"/api/v1/prices": (200, b"<html>")}, "not JSON"),
        ({"/api/v1/prices": (200, b'{"USD": -1}')}, "positive"),
        ({"/api/v1/prices": (200, b'{"time": 1700000000, "USD": "Infinity"}')}, "plausible"),
        ({"/api/v1/prices": (200, b'{"time": 41024448000, "USD": 90000}')}, "after today"),
        ({"/api/v1/prices": (200, b'{"time": 1e20, "USD": 90000}')}, "is not a date"),
        (
            {"/api/v1/mining/hashrate/1w": (200, b'{"currentDifficulty": 1e300}')},
            "plausible",
        ),
        ({"/api/blocks/tip/height": (200, b"tip")}, "not a height"),
        # past the last block with a subsidy: a hashprice of 0 that no run could carry
        ({"/api/blocks/tip/height": (200, b"1" + b"0" * 30)}, "less than or equal"),
        ({"/api/blocks/tip/height": (200, b"2000000")}, "far from"),
        (
            {"/api/v1/mining/reward-stats/1008": (200, b'{"totalReward": "10", "totalFee": "20"}')},
            "totalFee",
        ),
        (
            {
                "/api/v1/mining/hashrate/1w": (
                    200,
                    b'{"currentDifficulty": 5, "currentHashrate": 1e21}',
                )
            },
            "units",
        ),
        # a price in cents (or another currency's units): a hashprice no chain has seen
        ({"/api/v1/prices": (200, b'{"time": 1777615200, "USD": 8}')}, "ten times outside"),
        # a week's hashrate 2.8x what the difficulty implies: not one day's observation
        (
            {
                "/api/v1/mining/hashrate/1w": (
                    200,
                    b'{"currentDifficulty": 1.5e14, "currentHashrate": 3e21}',
                )
            },
            "what difficulty 1.5e+14 implies; nothing written",
        ),
        # 50x the snapshot in use (a price in cents whose hashprice stays under ten times
        # the range since 2021): refused against the snapshot runs use now
        (
            {"/api/v1/prices": (200, b'{"time": 1777615200, "USD": 4006150}')},
            "× that of the snapshot in use",
        ),
    ],
)
def test_bad_answers_write_nothing(
    app: typer.Typer,
    serve: Callable[..., Recorded],
    replace: dict[str, tuple[int, bytes]],
    words: str,
) -> None:
    server = serve(replace=replace)
    code, _, err = run(app, "data", "update", "--url", server.url)
    assert code == 1 and words in err, err
    assert not user_snapshot_path().exists()


def test_timeout_is_reported(serve: Callable[..., Recorded]) -> None:
    server = serve(delay=0.5)
    with pytest.raises(FetchError, match="no answer in time"):
        fetch_snapshot(server.url, timeout=0.1)


@contextmanager
def _streaming(body: Callable[[Any], None], length: int | None = None) -> Iterator[str]:
    """A server on 127.0.0.1 answering every GET with 200 (and a Content-Length of
    ``length``, if given) and what ``body(wfile)`` writes until the client leaves;
    yields its URL."""

    class Streaming(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            if length is not None:
                self.send_header("Content-Length", str(length))
            self.end_headers()
            with suppress(BrokenPipeError, ConnectionResetError):
                body(self.wfile)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Streaming)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                     daemon=True).start()  # fmt: skip
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_a_server_trickling_its_answer_is_given_up_on_as_a_whole() -> None:
    """One byte every 50 ms never trips a 0.1 s per-read timeout; the whole fetch is
    given up after READS_PER_FETCH × timeout (0.4 s), not after the answer's length."""

    def trickle(out: Any) -> None:
        for _ in range(1000):
            out.write(b" ")
            out.flush()
            time.sleep(0.05)

    with _streaming(trickle, length=1000) as url:
        started = time.monotonic()
        with pytest.raises(FetchError, match=r"no whole answer within 0\.4 s"):
            fetch_snapshot(url, timeout=0.1)
        assert time.monotonic() - started < 5


def test_an_endless_answer_is_given_up_on_at_its_size_limit(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A server streaming gigabytes had them all kept in memory (5.7 GB) before the JSON
    was found wanting: an answer past MAX_ANSWER_BYTES is not the API's."""
    import hashshock.market.fetch

    monkeypatch.setattr(hashshock.market.fetch, "MAX_ANSWER_BYTES", 64 * 1024)

    def endless(out: Any) -> None:
        while True:
            out.write(b"[" * 8192)

    with (
        _streaming(endless) as url,
        pytest.raises(FetchError, match=r"/api/v1/prices: the answer is larger than"),
    ):
        fetch_snapshot(url, timeout=5)


@pytest.mark.parametrize("url", ["http://[::1", "file:///etc/passwd", "", "ftp://x",
                                 "http://127.0.0.1:99999"])  # fmt: skip
def test_an_address_that_is_not_http_is_refused_before_sending(app: typer.Typer, url: str) -> None:
    code, _, err = run(app, "data", "update", "--url", url)
    assert code == 2 and err.startswith("error: --url: ") and err.count("\n") == 1, err
    assert not user_snapshot_path().exists()


def test_update_never_overwrites_the_bundled_snapshot(
    app: typer.Typer, serve: Callable[..., Recorded]
) -> None:
    before = bundled_snapshot_path().read_bytes()
    server = serve()
    code, _, err = run(
        app, "data", "update", "--url", server.url, "--out", str(bundled_snapshot_path())
    )
    assert code == 2 and "bundled" in err
    assert bundled_snapshot_path().read_bytes() == before


def test_show_prints_the_snapshot_in_use(app: typer.Typer) -> None:
    code, out, _ = run(app, "data", "show")
    assert code == 0
    assert "bundled" in out and "2025-12-29" in out and "$37.15/PH/day" in out
    assert "coinmetrics" in out
    assert max(len(line) for line in out.splitlines()) <= 80  # CliRunner's terminal


def test_show_json_says_what_the_text_does(app: typer.Typer) -> None:
    """``data show --json``: the snapshot, the day-0 market of a run starting on the date
    and the next halving, as JSON on stdout (a script reads them)."""
    code, out, _ = run(app, "data", "show", "--start-date", "2026-12-01", "--json")
    assert code == 0
    data = json.loads(out)
    assert data["snapshot"]["date"] == "2025-12-29"
    assert (
        data["market_start"]["date"] == "2026-12-01" and data["market_start"]["btc_price_usd"] > 0
    )
    assert data["next_halving"]["block_height"] == 1_050_000
    text = run(app, "data", "show", "--start-date", "2026-12-01")[1]
    assert f"block {data['next_halving']['block_height']:,}" in text


def test_show_gives_the_next_halving(app: typer.Typer) -> None:
    code, out, _ = run(app, "data", "show", "--start-date", "2026-12-01")
    assert code == 0 and "next halving: block 1,050,000, subsidy 3.125 → 1.5625 BTC" in out


def test_a_start_before_the_snapshot_counts_the_halving_from_the_snapshot() -> None:
    """The snapshot's height is its own day's: counted from a 2020 start, the halving at
    block 1,050,000 fell in 2022 (it was mined later than 2025-12-29 whatever the start)."""
    import datetime as dt

    from hashshock.market import load_market
    from hashshock.market.start import market_start

    later = market_start(load_market(None), dt.date(2026, 12, 1))
    early = market_start(load_market(None), dt.date(2020, 1, 1))
    assert early.snapshot_age_days < 0
    height, _, when = early.next_halving()
    assert height == later.next_halving()[0] and when > early.snapshot.date


def test_the_next_halving_is_144_blocks_a_day_away_at_a_settled_difficulty() -> None:
    """With the hashrate the difficulty implies, blocks come 144 a day: the halving is
    (1,050,000 − height) / 144 days away, rounded."""
    import dataclasses
    import datetime as dt

    from hashshock.market import load_market
    from hashshock.market.hashprice import difficulty_hashrate_ths
    from hashshock.market.start import market_start

    start = market_start(load_market(None), dt.date(2026, 12, 1))
    settled = dataclasses.replace(
        start, network_hashrate_ths=float(difficulty_hashrate_ths(start.difficulty))
    )
    height, subsidy, day = settled.next_halving()
    days = round((1_050_000 - start.block_height) / 144)
    assert (height, subsidy, day) == (1_050_000, 1.5625, start.date + dt.timedelta(days=days))


def test_show_takes_the_start_date_options_as_a_run_does(app: typer.Typer) -> None:
    """``data show --btc-price … --difficulty …``: the day-0 market a run given the same
    options starts from (the values as given, the rest implied or carried), and a bad
    value is refused as a run refuses it."""
    import datetime as dt

    from hashshock.cli.market_options import market_config
    from hashshock.market.start import market_start

    options = ["--btc-price", "95000", "--difficulty", "1.5e14", "--fee-share", "0.02"]
    code, out, _ = run(app, "data", "show", "--start-date", "2026-12-01", "--json", *options)
    assert code == 0
    shown = json.loads(out)["market_start"]
    config = market_config(None, btc_price=95000, difficulty=1.5e14, fee_share=0.02)
    assert shown == market_start(config, dt.date(2026, 12, 1)).to_dict()
    assert (shown["btc_price_usd"], shown["difficulty"], shown["fee_share"]) == (
        95000,
        1.5e14,
        0.02,
    )
    code, _, err = run(app, "data", "show", "--btc-price", "-5")
    assert code == 2 and "--btc-price" in err and "Traceback" not in err
