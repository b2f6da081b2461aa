"""``hashshock daemon``: commands run in a child of a resident process give what a fresh
process gives — the same bytes out, the same files, the same exit codes — and a
command the daemon cannot serve as a fresh process would runs on its own.

One daemon is started for the module in a folder of its own (``HASHSHOCK_DAEMON_DIR``),
through the real entry point, and stopped at the end. Whether a command went through it
is read from its count of commands served (``hashshock daemon status --json``).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.cli.test_interrupt import ctrl_c_after
from tests.conftest import EXAMPLES, ROOT

from hashshock.cli.daemon_client import daemon_key

ENTRY = [sys.executable, "-c", "from hashshock.cli.entry import main; main()"]
SMALL = EXAMPLES / "small-farm" / "fleet.yaml"
MID = EXAMPLES / "midsize-public-miner" / "fleet.yaml"


def _hashshock(
    env: dict[str, str], *args: str, timeout: float = 300
) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*ENTRY, *args], capture_output=True, text=True, cwd=ROOT, env=env,
                          timeout=timeout, check=False)  # fmt: skip


@pytest.fixture(scope="module")
def daemon_env() -> Iterator[dict[str, str]]:
    """The environment of commands served by a daemon started for this module."""
    # A short folder: a Unix socket's path has at most 107 bytes.
    folder = Path(tempfile.mkdtemp(prefix="hsd-", dir="/tmp"))
    unset = {"HASHSHOCK_DAEMON", "COLUMNS", "NO_COLOR", "FORCE_COLOR"}
    env = {k: v for k, v in os.environ.items() if k not in unset}
    env["HASHSHOCK_DAEMON_DIR"] = str(folder / "d")
    started = _hashshock(env, "daemon", "start", "--idle", "30", timeout=1200)
    assert started.returncode == 0, started.stderr
    try:  # the commands' width and colours differ from the daemon's own
        yield {**env, "COLUMNS": "100", "NO_COLOR": "1"}
    finally:
        _hashshock(env, "daemon", "stop")
        shutil.rmtree(folder, ignore_errors=True)


def _served(env: dict[str, str]) -> int:
    status = _hashshock(env, "daemon", "status", "--json")
    assert status.returncode == 0, status.stderr
    daemons = [d for d in json.loads(status.stdout)["daemons"] if d["serves_this"]]
    assert len(daemons) == 1, status.stdout
    return int(daemons[0]["served"])


def _both(env: dict[str, str], *args: str) -> tuple[subprocess.CompletedProcess[str], ...]:
    """The command through the daemon, then on its own; checks the daemon served one."""
    before = _served(env)
    served = _hashshock(env, *args)
    assert _served(env) == before + 1
    alone = _hashshock({**env, "HASHSHOCK_DAEMON": "off"}, *args)
    assert _served(env) == before + 1
    return served, alone


def test_a_run_through_the_daemon_writes_the_same_bytes(
    daemon_env: dict[str, str], tmp_path: Path
) -> None:
    outputs = []
    for name in ("daemon", "alone"):
        out = tmp_path / f"{name}.json"
        env = daemon_env if name == "daemon" else {**daemon_env, "HASHSHOCK_DAEMON": "off"}
        before = _served(daemon_env)
        done = _hashshock(env, "compare", str(SMALL), "-s", "baseline,sanctions", "-n", "40",
                          "--horizon", "120", "--json", str(out))  # fmt: skip
        assert done.returncode == 0, done.stderr
        assert _served(daemon_env) == before + (name == "daemon")
        outputs.append((out.read_bytes(), done.stdout, done.stderr))
    assert outputs[0] == outputs[1]


@pytest.mark.parametrize(
    "args",
    [
        ("validate", str(MID)),
        ("validate", "no-such-fleet.yaml"),  # exit 2, one message
        ("run", str(SMALL), "--paths", "0"),  # exit 2 from the options
        ("--help",),
        ("scenarios",),
        ("no-such-command",),
    ],
)
def test_output_and_exit_code_match_a_fresh_process(
    daemon_env: dict[str, str], args: tuple[str, ...]
) -> None:
    served, alone = _both(daemon_env, *args)
    assert (served.returncode, served.stdout, served.stderr) == (
        alone.returncode, alone.stdout, alone.stderr,
    )  # fmt: skip


def test_the_daemon_setting_reads_the_usual_spellings_and_refuses_others(
    daemon_env: dict[str, str],
) -> None:
    """``HASHSHOCK_DAEMON=0`` (or false, no, " Off") runs the command alone, as ``off``
    does (only ``off`` did: the others were served); on, 1, true or empty let the daemon
    serve it; anything else exits 2 naming the variable."""
    for value in ("0", "false", "No", " Off"):
        before = _served(daemon_env)
        done = _hashshock({**daemon_env, "HASHSHOCK_DAEMON": value}, "--version")
        assert done.returncode == 0 and _served(daemon_env) == before, value
    for value in ("on", "1", "true", ""):
        before = _served(daemon_env)
        done = _hashshock({**daemon_env, "HASHSHOCK_DAEMON": value}, "--version")
        assert done.returncode == 0 and _served(daemon_env) == before + 1, value
    wrong = _hashshock({**daemon_env, "HASHSHOCK_DAEMON": "disabled"}, "--version")
    assert wrong.returncode == 2 and wrong.stdout == ""
    assert wrong.stderr.startswith("error: HASHSHOCK_DAEMON: 'disabled' is neither on nor off")


def test_colours_and_width_are_the_callers(daemon_env: dict[str, str]) -> None:
    env = {k: v for k, v in daemon_env.items() if k != "NO_COLOR"}
    served, alone = _both({**env, "FORCE_COLOR": "1", "COLUMNS": "64"}, "validate", str(SMALL))
    assert "\x1b[" in served.stderr + served.stdout
    assert (served.returncode, served.stdout, served.stderr) == (
        alone.returncode, alone.stdout, alone.stderr,
    )  # fmt: skip


def test_the_command_runs_in_the_callers_folder_and_umask(
    daemon_env: dict[str, str], tmp_path: Path
) -> None:
    shutil.copy(SMALL, tmp_path / "fleet.yaml")
    code = "import os; os.umask(0o077); from hashshock.cli.entry import main; main()"
    done = subprocess.run(
        [sys.executable, "-c", code, "run", "fleet.yaml", "-n", "5", "--horizon", "30", "-q",
         "--json", "out.json"],
        capture_output=True, text=True, cwd=tmp_path, env=daemon_env, timeout=300, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "out.json").stat().st_mode & 0o777 == 0o600


def test_another_import_time_environment_is_not_served(daemon_env: dict[str, str]) -> None:
    other = {**daemon_env, "NUMBA_NUM_THREADS": "1"}
    assert daemon_key(other) != daemon_key(daemon_env)
    before = _served(daemon_env)
    done = _hashshock(other, "validate", str(SMALL))
    assert done.returncode == 0, done.stderr
    assert _served(daemon_env) == before


def test_a_changed_data_file_is_not_served_by_a_daemon_that_read_the_old_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The daemon keeps the bundled catalogue, rates and scenarios it read: a changed data
    file, like a changed source, gives another digest (its command runs fresh); compiled
    bytecode written later does not."""
    import os

    from hashshock.cli import daemon_client

    package = tmp_path / "hashshock"
    (package / "data").mkdir(parents=True)
    (package / "__pycache__").mkdir()
    (package / "api.py").write_text("x = 1\n")
    models = package / "data" / "models.csv"
    models.write_text("model,ths\ns19j-pro,100\n")
    monkeypatch.setattr(daemon_client, "PACKAGE_DIR", package)
    before = daemon_key({})
    (package / "__pycache__" / "api.cpython-311.pyc").write_bytes(b"\0")
    (package / "data" / "stale.pyc").write_bytes(b"\0")
    assert daemon_key({}) == before
    (package / "data" / ".#models.csv").symlink_to("user@host.1:1")  # an editor's lock
    assert daemon_key({}) == before
    models.write_text("model,ths\ns19j-pro,50\n")  # same size: the time tells
    os.utime(models, ns=(models.stat().st_atime_ns, models.stat().st_mtime_ns + 10**9))
    assert daemon_key({}) != before


def test_ctrl_c_reaches_the_command(daemon_env: dict[str, str], tmp_path: Path) -> None:
    out = tmp_path / "result.json"
    command = [*ENTRY, "compare", str(MID), "-s", "baseline,sanctions", "-n", "4000",
               "--json", str(out)]  # fmt: skip
    ctrl_c_after(command, 1.5, daemon_env, ROOT)
    assert list(tmp_path.iterdir()) == []


def test_a_folder_open_to_others_is_not_used(daemon_env: dict[str, str]) -> None:
    folder = Path(daemon_env["HASHSHOCK_DAEMON_DIR"])
    before = _served(daemon_env)
    folder.chmod(0o755)
    try:
        done = _hashshock(daemon_env, "validate", str(SMALL))
    finally:
        folder.chmod(0o700)
    assert done.returncode == 0, done.stderr
    assert _served(daemon_env) == before


def test_a_command_from_a_deleted_folder_runs_alone(
    daemon_env: dict[str, str], tmp_path: Path
) -> None:
    """The caller's folder is gone, so the daemon's child could not run there: the
    command runs in its own process, as with HASHSHOCK_DAEMON=off (no traceback)."""
    gone = tmp_path / "gone"
    script = f'mkdir {gone} && cd {gone} && rmdir {gone} && exec "$@"'
    runs = []
    for env in (daemon_env, {**daemon_env, "HASHSHOCK_DAEMON": "off"}):
        before = _served(daemon_env)
        runs.append(subprocess.run(["sh", "-c", script, "sh", *ENTRY, "validate", str(SMALL)],
                                   capture_output=True, text=True, env=env, timeout=300,
                                   check=False))  # fmt: skip
        assert _served(daemon_env) == before
    served, alone = runs
    assert served.returncode == 0, served.stderr
    assert (served.stdout, served.stderr) == (alone.stdout, alone.stderr)


def test_a_relative_daemon_folder_is_one_folder_for_start_status_and_commands(
    tmp_path: Path,
) -> None:
    """HASHSHOCK_DAEMON_DIR=d is the folder d of the folder the command starts in: the
    daemon (which runs in its own folder) listens there, and status, commands and stop
    from the same folder find it."""
    # A short folder: a Unix socket's path has at most 107 bytes.
    here = Path(tempfile.mkdtemp(prefix="hsr-", dir="/tmp"))
    env = {k: v for k, v in os.environ.items() if k != "HASHSHOCK_DAEMON"}
    env["HASHSHOCK_DAEMON_DIR"] = "d"

    def run(*args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
        return subprocess.run([*ENTRY, *args], capture_output=True, text=True, cwd=here,
                              env=env, timeout=timeout, check=False)  # fmt: skip

    try:
        started = run("daemon", "start", timeout=1200)
        assert started.returncode == 0, started.stderr
        status = json.loads(run("daemon", "status", "--json").stdout)["daemons"]
        assert [Path(d["socket"]).parent for d in status] == [here / "d"]
        assert status[0]["serves_this"]
        assert run("validate", str(SMALL)).returncode == 0
        again = json.loads(run("daemon", "status", "--json").stdout)["daemons"]
        assert again[0]["served"] == status[0]["served"] + 1
        stopped = run("daemon", "stop")
        assert stopped.returncode == 0 and "stopped" in stopped.stdout
        assert list((here / "d").iterdir()) == []
    finally:
        run("daemon", "stop")
        shutil.rmtree(here, ignore_errors=True)


def test_stop_ends_every_daemon_and_commands_run_alone(tmp_path: Path) -> None:
    folder = Path(tempfile.mkdtemp(prefix="hsd-", dir="/tmp"))
    env = {k: v for k, v in os.environ.items() if k != "HASHSHOCK_DAEMON"}
    env["HASHSHOCK_DAEMON_DIR"] = str(folder)
    try:
        assert _hashshock(env, "daemon", "start", timeout=1200).returncode == 0
        again = _hashshock(env, "daemon", "start")
        assert again.returncode == 0 and "already running" in again.stdout
        stopped = _hashshock(env, "daemon", "stop")
        assert stopped.returncode == 0 and "stopped" in stopped.stdout
        assert list(folder.iterdir()) == []  # no socket, no log
        status = _hashshock(env, "daemon", "status", "--json")
        assert json.loads(status.stdout) == {"daemons": []}
        assert _hashshock(env, "validate", str(SMALL)).returncode == 0
        # ended by its idle time (0.1 min), it leaves neither its socket nor its log
        assert _hashshock(env, "daemon", "start", "--idle", "0.1", timeout=1200).returncode == 0
        deadline = time.monotonic() + 120
        while list(folder.iterdir()) and time.monotonic() < deadline:
            time.sleep(0.5)
        assert list(folder.iterdir()) == []
    finally:
        _hashshock(env, "daemon", "stop")
        shutil.rmtree(folder, ignore_errors=True)


@pytest.mark.parametrize("kind", ["a file on the way", "a folder open to others"])
def test_a_daemon_folder_that_cannot_be_private_is_one_line(tmp_path: Path, kind: str) -> None:
    """``HASHSHOCK_DAEMON_DIR`` under a file raised NotADirectoryError (a traceback);
    /tmp, open to others, was to be removed. Both exit 2 naming the variable and asking
    for a private folder."""
    blocked = tmp_path / "afile"
    blocked.write_text("")
    shared = tmp_path / "shared"
    shared.mkdir(mode=0o777)
    shared.chmod(0o777)
    chosen = blocked / "sub" if kind == "a file on the way" else shared
    env = {k: v for k, v in os.environ.items() if k != "HASHSHOCK_DAEMON"}
    done = _hashshock({**env, "HASHSHOCK_DAEMON_DIR": str(chosen)}, "daemon", "start")
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert done.stderr.startswith(f"error: HASHSHOCK_DAEMON_DIR: {chosen}")
    assert "set HASHSHOCK_DAEMON_DIR to a private folder" in done.stderr


#: Run in a fresh interpreter: the daemon's warm-up, then the bundled example fleets
#: under every bundled scenario; prints the compiled functions that had to load another
#: signature from numba's cache (each 10–30 ms of a command's time in the daemon).
_UNWARMED = """
import gc, json, sys, warnings
warnings.simplefilter("ignore")
from numba.core.dispatcher import Dispatcher
from hashshock.cli import daemon_server
daemon_server.warm_up()
from hashshock import api
from hashshock.inputs.load import builtin_scenarios

def signatures():
    return {f"{d.py_func.__module__}.{d.py_func.__name__}": len(d.signatures)
            for d in gc.get_objects() if isinstance(d, Dispatcher)}

before = signatures()
for fleet in sys.argv[1:]:
    for result in api.compare(fleet, sorted(builtin_scenarios()), 50, 120):
        result.to_dict()
after = signatures()
print(json.dumps(sorted(n for n, k in after.items() if k > before.get(n, 0))))
"""


def test_the_daemons_warm_up_loads_what_the_example_runs_use() -> None:
    """A kernel (or a signature of one) the warm-up did not load is loaded from numba's
    cache in every command's child, again and again: the market's compiled miner (the
    warm-up's 2 paths were mined in plain Python) and the covenants' running sums (its
    fleet had no hashrate commitment) cost the mid-size run about 40 ms each time."""
    from hashshock.cli.daemon_server import WARM_PATHS
    from hashshock.market.simulate import PLAIN_PATHS

    assert WARM_PATHS > PLAIN_PATHS
    fleets = [str(EXAMPLES / name / "fleet.yaml")
              for name in ("small-farm", "midsize-public-miner", "well-capitalised")]  # fmt: skip
    done = subprocess.run([sys.executable, "-c", _UNWARMED, *fleets], capture_output=True,
                          text=True, cwd=ROOT, timeout=600, check=True)  # fmt: skip
    assert json.loads(done.stdout.splitlines()[-1]) == []
