"""Every shell command in README.md runs (issue 17).

Each command of README's ```sh blocks is run, in README order, as a subprocess of the
installed ``hashshock`` (what a user types), in a temporary folder holding a copy of
``examples/``, with the run store and user data in that folder too
(``HASHSHOCK_DATA_DIR``; ``hashshock daemon`` keeps its socket there too,
``HASHSHOCK_DAEMON_DIR``), and must exit 0. A command README gains later is run as
written, without editing this file.

Substitutions (each names the README command it applies to; the test fails when README
no longer has it, so these lists cannot go stale):

* fewer Monte Carlo paths, for speed (:data:`FEWER_PATHS`): ``--paths 1000`` becomes
  ``--paths 50`` and commands that rely on the default (1000, or 200 for
  ``breakpoint``) get ``--paths 50`` (40 for ``breakpoint``, 5 for the 41-point
  ``sweep``); horizons are kept;
* ``make demo`` runs the ``hashshock`` command of the Makefile's ``demo`` recipe (with
  fewer paths); its set-up (a venv, ``pip install``) needs the network;
* run ids (:data:`RUN_IDS`): README's example ids ``3f9a`` and ``7b0d`` become the ids
  of the newest and second-newest runs in the store (README's ``compare --save`` saved
  them, as ``hashshock runs list --json`` lists them);
* servers (:data:`SERVERS`): ``hashshock serve`` listens on a free port (``--port 0``,
  not 8050, which may be taken); the test waits for the address it prints, fetches the
  page, then stops it with Ctrl-C (SIGINT), as README's users do, and expects it to
  exit 0 or 130.

Skipped (:data:`SKIPPED`), each with its reason: ``make test`` (it runs this suite),
``hashshock data update`` (downloads) and ``hashshock scan`` of 10.x addresses (real
miners: never contacted from tests). The files that scan writes and the next README
commands read (``fleet.yaml``, ``fleet.inventory.csv``) are made by the same command,
``--site`` and ``--out`` as README's, aimed at two fake miners on loopback
(``tests/scan/fake_miner.py``; ``--timeout 5``) instead.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from tests.scan.fake_miner import FakeFarm, StockAntminer, loopback_block

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"

#: README command → why it is not run.
SKIPPED = {
    "make test": "runs ruff, mypy and the whole test suite, this test included (CI runs it)",
    "hashshock data update": "downloads the network snapshot (needs the network)",
    "hashshock scan 10.0.0.10-10.0.0.200 10.0.1.0/24 --site rockdale --out fleet.yaml": (
        "probes real miners on 10.x (never contacted from tests); its outputs come from "
        "the same command on two fake loopback miners"
    ),
}
#: README commands whose outputs a stand-in makes (see the module docstring).
STAND_INS = {"hashshock scan 10.0.0.10-10.0.0.200 10.0.1.0/24 --site rockdale --out fleet.yaml"}
#: README command → options to set, for speed (see the module docstring).
FEWER_PATHS = {
    "hashshock run examples/midsize-public-miner/fleet.yaml --scenario sanctions "
    "--paths 1000 --horizon 365 --seed 0 --json out.json": {"--paths": "50"},
    "hashshock compare examples/midsize-public-miner/fleet.yaml "
    "--scenarios baseline,customs-2024,mitigation,sanctions": {"--paths": "50"},
    "hashshock run examples/small-farm/fleet.yaml --btc-price 92000 --difficulty 1.5e14": {
        "--paths": "50"
    },
    "hashshock compare examples/midsize-public-miner/fleet.yaml "
    "--scenarios baseline,customs-2024,mitigation,sanctions --report report.html --save": {
        "--paths": "50"
    },
    "hashshock breakpoint examples/midsize-public-miner/fleet.yaml --covenant dscr "
    "--shock btc-drop --probability 0.9": {"--paths": "40"},
    "hashshock sweep examples/sweeps/tornado.yaml --json tornado.json --report tornado.html": {
        "--paths": "5"
    },
    "hashshock industry --scenarios baseline,quiet-end,sanctions --json industry.json": {
        "--paths": "10"
    },
    "hashshock run fleet.yaml --scenario my-remote-disable.yaml": {"--paths": "50"},
    "hashshock optimise examples/midsize-public-miner/fleet.yaml --scenario sanctions "
    "--target availability=0.97 --paths 1000 --json spares.json --report spares.html": {
        "--paths": "50"
    },
    "hashshock strategies examples/midsize-public-miner/fleet.yaml --scenario sanctions "
    "--strategy examples/strategies/grey-market.yaml --max-breach hashrate-commitment=0.05 "
    "--paths 1000": {"--paths": "50"},
    "make demo": {"--paths": "50"},
}
#: README's example run id → which saved run it stands for (0: the newest).
RUN_IDS = {"3f9a": 0, "7b0d": 1}
#: README commands that serve until stopped → options to set.
SERVERS = {"hashshock serve": {"--port": "0"}}
#: README command → exit code, where it is not 0 (none today).
EXIT_CODES: dict[str, int] = {}
#: Seconds any one command may take.
TIMEOUT_S = 300
#: Seconds a server may take to print its address.
SERVER_START_S = 90


def readme_commands(text: str) -> list[str]:
    """The shell commands of ```sh blocks: continuation lines joined, comments dropped,
    each normalised to single spaces."""
    commands = []
    for block in re.findall(r"^```sh\n(.*?)^```", text, flags=re.M | re.S):
        for line in block.replace("\\\n", " ").splitlines():
            words = shlex.split(line, comments=True)
            if words:
                commands.append(" ".join(words))
    return commands


def with_options(words: list[str], options: dict[str, str]) -> list[str]:
    """``words`` with each option's value replaced, or the option added."""
    out = list(words)
    for name, value in options.items():
        if name in out:
            out[out.index(name) + 1] = value
        else:
            out += [name, value]
    return out


def demo_command() -> list[str]:
    """The ``hashshock`` line of the Makefile's ``demo`` recipe."""
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    recipe = makefile.split("\ndemo:", 1)[1].split("\n\n", 1)[0]
    line = next(x for x in recipe.splitlines() if "hashshock" in x)
    return ["hashshock", *shlex.split(line)[1:]]


def hashshock() -> list[str]:
    """How to start the installed command line."""
    script = Path(sys.executable).with_name("hashshock")
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "from hashshock.cli.app import main; main()"]


@dataclass
class Ran:
    argv: list[str]
    code: int | None  # None: it did not finish in time
    output: str


@dataclass
class Session:
    """README's commands, run once each in README order in one folder."""

    folder: Path
    commands: list[str]
    loopback: list[str]
    done: dict[int, Ran] = field(default_factory=dict)

    @property
    def env(self) -> dict[str, str]:
        data = str(self.folder / "user-data")
        return {**os.environ, "COLUMNS": "100", "NO_COLOR": "1", "HASHSHOCK_DATA_DIR": data,
                "XDG_DATA_HOME": data, "HASHSHOCK_DAEMON_DIR": str(self.folder / "d")}  # fmt: skip

    def saved_runs(self) -> list[str]:
        """Ids of the runs in the session's store, newest first."""
        done = subprocess.run(
            [*hashshock(), "runs", "list", "--json"], cwd=self.folder, env=self.env,
            capture_output=True, text=True, timeout=TIMEOUT_S, check=False,
        )  # fmt: skip
        assert done.returncode == 0, done.stdout + done.stderr
        return [str(row["run_id"]) for row in json.loads(done.stdout)]

    def argv(self, command: str) -> list[str]:
        if command == "make demo":
            words = demo_command()
        elif command in STAND_INS:
            words = ["hashshock", "scan", *self.loopback, "--site", "rockdale",
                     "--out", "fleet.yaml", "--timeout", "5"]  # fmt: skip
        else:
            words = shlex.split(command)
        words = with_options(words, {**FEWER_PATHS.get(command, {}), **SERVERS.get(command, {})})
        if words[:2] == ["hashshock", "runs"] and any(w in RUN_IDS for w in words):
            saved = self.saved_runs()
            words = [saved[RUN_IDS[w]] if w in RUN_IDS else w for w in words]
        if words[0] != "hashshock":
            raise AssertionError(f"README command {command!r} is neither hashshock nor skipped")
        return [*hashshock(), *words[1:]]

    def _serve(self, argv: list[str]) -> Ran:
        """Start a server, fetch the address it prints, stop it with Ctrl-C."""
        server = subprocess.Popen(
            argv, cwd=self.folder, env=self.env, stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, text=True,
        )  # fmt: skip
        lines: list[str] = []
        try:
            deadline = time.monotonic() + SERVER_START_S
            url = None
            while url is None and time.monotonic() < deadline and server.stdout is not None:
                line = server.stdout.readline()
                if not line and server.poll() is not None:
                    break
                lines.append(line)
                found = re.search(r"https?://\S+", line)
                url = found.group(0) if found else None
            if url is None:
                return Ran(argv, server.poll(), "".join(lines) + "\n(no address printed)")
            with urllib.request.urlopen(url, timeout=30) as page:
                lines.append(f"GET {url}: {page.status}\n")
                status = page.status
            server.send_signal(signal.SIGINT)
            rest, _ = server.communicate(timeout=30)
            lines.append(rest)
            code = server.returncode if status == 200 else -1
            return Ran(argv, 0 if code in (0, 130) else code, "".join(lines))
        finally:
            if server.poll() is None:
                server.kill()
                server.wait(timeout=30)

    def run(self, index: int) -> Ran:
        """Run command ``index``, after the commands before it (whose files it may read).
        Each runs once, even if it failed or timed out."""
        for i in range(index + 1):
            command = self.commands[i]
            if i in self.done or (command in SKIPPED and command not in STAND_INS):
                continue
            argv = self.argv(command)
            if command in SERVERS:
                self.done[i] = self._serve(argv)
                continue
            try:
                done = subprocess.run(
                    argv, cwd=self.folder, capture_output=True, text=True, env=self.env,
                    timeout=TIMEOUT_S, check=False,
                )  # fmt: skip
                self.done[i] = Ran(argv, done.returncode, done.stdout + done.stderr)
            except subprocess.TimeoutExpired as exc:
                self.done[i] = Ran(argv, None, f"no exit within {TIMEOUT_S} s: {exc}")
        return self.done[index]


COMMANDS = readme_commands(README.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def session(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Session]:
    folder = tmp_path_factory.mktemp("readme")
    shutil.copytree(ROOT / "examples", folder / "examples")
    ips = loopback_block(2)
    farm = FakeFarm({ips[0]: StockAntminer(), ips[1]: StockAntminer(model="Antminer S21")})
    farm.start()
    session = Session(folder, COMMANDS, ips)
    try:
        yield session
    finally:
        farm.stop()
        subprocess.run([*hashshock(), "daemon", "stop"], env=session.env, capture_output=True,
                       timeout=TIMEOUT_S, check=False)  # fmt: skip


def test_readme_has_commands_and_every_exception_is_still_in_it() -> None:
    assert len(COMMANDS) >= 15 and "hashshock catalog" in COMMANDS
    for command in [*SKIPPED, *STAND_INS, *FEWER_PATHS, *SERVERS, *EXIT_CODES]:
        assert command in COMMANDS, f"README no longer has {command!r}: update this test"
    assert "hashshock audit fleet.inventory.csv --scenario-out my-remote-disable.yaml" in COMMANDS
    for placeholder in RUN_IDS:
        assert any(placeholder in c.split() for c in COMMANDS), placeholder


@pytest.mark.parametrize("index", range(len(COMMANDS)), ids=COMMANDS)
def test_readme_command_runs(session: Session, index: int) -> None:
    command = COMMANDS[index]
    if command in SKIPPED and command not in STAND_INS:
        pytest.skip(SKIPPED[command])
    ran = session.run(index)
    expected = EXIT_CODES.get(command, 0)
    shown = " ".join(ran.argv[-10:])
    assert ran.code == expected, f"{shown} exited {ran.code}, not {expected}:\n{ran.output}"
    assert "Traceback" not in ran.output, ran.output
    if command in STAND_INS:  # the loopback stand-in for README's scan made its files
        assert (session.folder / "fleet.yaml").exists()
        assert (session.folder / "fleet.inventory.csv").exists()
        pytest.skip(f"{SKIPPED[command]} (the stand-in ran and exited 0)")


def test_readme_fleet_and_scenario_files_load_as_written(tmp_path: Path) -> None:
    """README's fleet and scenario blocks, pasted into files, load with every field they
    show (the optional files they name are comments), and the scenario's events are the
    block's own after ``customs-2024``'s."""
    from hashshock.inputs.load import load_fleet, load_scenario

    fleet_text, scenario_text = re.findall(r"```yaml\n(.*?)```", README.read_text("utf-8"), re.S)
    (tmp_path / "fleet.yaml").write_text(fleet_text, encoding="utf-8")
    (tmp_path / "shock.yaml").write_text(scenario_text, encoding="utf-8")
    loaded = load_fleet(tmp_path / "fleet.yaml")
    assert loaded.fleet.transshipment is not None and len(loaded.fleet.sites) >= 2
    assert loaded.fleet.finance is not None and loaded.fleet.orders
    included = load_scenario("customs-2024").events
    events = load_scenario(tmp_path / "shock.yaml").events
    assert events[: len(included)] == included
    assert [e.type for e in events[len(included) :]] == ["parts_supply_stop",
                                                         "repair_centre_closed"]  # fmt: skip
