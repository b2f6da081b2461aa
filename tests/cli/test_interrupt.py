"""Ctrl-C stops a command at once: one line, exit code 130, no file and no process left.

SIGINT is sent at moments spread over a run's life (start-up, loading, simulating,
money), in a real subprocess. The waits below only catch a hang; no speed is asserted.
The earliest moment is 0.15 s: in the first few milliseconds the interpreter itself is
still starting, before any of hashshock's code can handle the signal.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from tests.conftest import EXAMPLES

HASHSHOCK = Path(sys.executable).with_name("hashshock")
MID = EXAMPLES / "midsize-public-miner" / "fleet.yaml"


def _processes_mentioning(marker: str) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        if marker.encode() in cmdline:
            found.append(int(entry.name))
    return found


def ctrl_c_after(
    command: list[str], delay: float, env: dict[str, str], cwd: Path | None = None
) -> bool:
    """Start ``command``, press Ctrl-C (SIGINT) after ``delay`` seconds, and check that
    it exits at once with code 130 and one line, no traceback (skips if it ended first);
    whether the Ctrl-C came while outputs were written (then held until they were, two
    lines: docs/limits.md)."""
    proc = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=cwd
    )
    time.sleep(delay)
    sent = time.monotonic()
    if proc.poll() is not None:
        pytest.skip("the run ended before the signal")
    proc.send_signal(signal.SIGINT)
    try:
        _, err = proc.communicate(timeout=20)  # a hang detector, not a speed test
    except subprocess.TimeoutExpired:
        proc.kill()
        raise AssertionError(f"no exit {time.monotonic() - sent:.1f} s after Ctrl-C") from None
    assert proc.returncode == 130, err
    lines = [line for line in err.splitlines() if line.strip()]
    held = any("finishing the outputs being written" in line for line in lines)
    assert sum("interrupted" in line for line in lines) == 1 + held, err
    assert "Traceback" not in err
    return held


@pytest.mark.skipif(not HASHSHOCK.exists(), reason="the hashshock console script is not installed")
@pytest.mark.parametrize("delay", [0.15, 0.4, 1.2, 2.5, 4.0, 6.0])
def test_ctrl_c_stops_cleanly(tmp_path: Path, delay: float) -> None:
    out = tmp_path / "result.json"
    command = [str(HASHSHOCK), "compare", str(MID), "-s", "baseline,sanctions",
               "-n", "4000", "--json", str(out)]  # fmt: skip
    held = ctrl_c_after(command, delay, {**os.environ, "COLUMNS": "100"})
    # no temporary file; the result only if the Ctrl-C came while it was being written
    assert list(tmp_path.iterdir()) == ([out] if held else [])
    assert _processes_mentioning(str(out)) == []  # no worker left behind


def _script(code: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    """Run ``code`` in a fresh interpreter (its resource tracker's output included)."""
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=tmp_path, timeout=120, check=False)  # fmt: skip


_WRITING = """
import os, signal
from pathlib import Path
from hashshock.cli.interrupt import install, outputs_written_whole
install()
with outputs_written_whole():
    Path("first.json").write_text("[]")
    for _ in range({presses}):
        os.kill(os.getpid(), signal.SIGINT)
    Path("second.html").write_text("<html>")
print("not reached")
"""


_WHILE_IMPORTING = """
import os, signal, sys, types
from hashshock.cli.interrupt import install
install()
# A Ctrl-C while the outputs module is being imported: in sys.modules, not yet filled.
sys.modules["hashshock.outputs"] = types.ModuleType("hashshock.outputs")
os.kill(os.getpid(), signal.SIGINT)
print("not reached")
"""


def test_ctrl_c_during_an_import_stops_cleanly(tmp_path: Path) -> None:
    """On a busy machine the first Ctrl-C can come while ``hashshock.outputs`` is still
    being imported: the stop finds no temporaries to remove there, rather than a
    traceback of a half-initialised module."""
    done = _script(_WHILE_IMPORTING, tmp_path)
    assert done.returncode == 130, done.stderr
    assert "Traceback" not in done.stderr and "interrupted" in done.stderr
    assert "not reached" not in done.stdout


def test_ctrl_c_while_outputs_are_written_lets_them_all_be_written(tmp_path: Path) -> None:
    """Outputs are written together: a Ctrl-C among them waits for the last, and the
    command still ends with 130 and says so, rather than say none was written."""
    done = _script(_WRITING.format(presses=1), tmp_path)
    assert done.returncode == 130, done.stderr
    assert (tmp_path / "first.json").exists() and (tmp_path / "second.html").exists()
    assert "not reached" not in done.stdout and "Traceback" not in done.stderr
    assert "finishing the outputs being written first" in done.stderr
    assert "stopped once the outputs under way were written" in done.stderr
    assert "no output was written" not in done.stderr


def test_a_second_ctrl_c_while_outputs_are_written_stops_at_once_and_says_so(
    tmp_path: Path,
) -> None:
    done = _script(_WRITING.format(presses=2), tmp_path)
    assert done.returncode == 130, done.stderr
    assert (tmp_path / "first.json").exists() and not (tmp_path / "second.html").exists()
    assert "some outputs may have been written, others not" in done.stderr
    assert "no output was written" not in done.stderr and "Traceback" not in done.stderr


def test_a_held_ctrl_c_after_an_output_failed_does_not_claim_all_were_written(
    tmp_path: Path,
) -> None:
    code = (
        "import os, signal\n"
        "from hashshock.cli.interrupt import install, outputs_written_whole\n"
        "install()\n"
        "with outputs_written_whole():\n"
        "    os.kill(os.getpid(), signal.SIGINT)\n"
        "    raise OSError('the disk is full')  # said by the command, then it exits 1\n"
    )
    done = _script(code, tmp_path)
    assert done.returncode == 130, done.stderr
    assert "stopped; some outputs were not written" in done.stderr
    assert "under way were written" not in done.stderr and "Traceback" not in done.stderr


def test_ctrl_c_while_a_daemon_is_looked_for_is_one_line(tmp_path: Path) -> None:
    """The handler is installed before the daemon is looked for (hashing the package's
    files, connecting): a Ctrl-C then is one line and 130, not a traceback."""
    code = (
        "import os, signal, sys, time\n"
        "from hashshock.cli import daemon_client\n"
        "def looking(arguments):\n"
        "    os.kill(os.getpid(), signal.SIGINT)\n"
        "    time.sleep(30)\n"
        "daemon_client.run_on_daemon = looking\n"
        "from hashshock.cli.entry import main\n"
        "sys.argv = ['hashshock', '--help']\n"
        "main()\n"
    )
    done = _script(code, tmp_path)
    assert done.returncode == 130, done.stderr
    assert done.stderr.strip() == "interrupted: stopped at once; no output was written"


def test_worker_semaphores_freed_after_ctrl_c_are_freed_quietly(tmp_path: Path) -> None:
    """Ctrl-C ends worker processes at once, and multiprocessing's resource tracker frees
    the semaphores they held; the command line keeps its warning about them from adding
    two lines to the command's one (the tracker takes the process's -W options)."""
    leak = (
        "import multiprocessing, os\n"
        "{prepare}"
        "held = multiprocessing.get_context('spawn').Semaphore()\n"
        "held._semlock  # registered with the resource tracker\n"
        "os._exit(0)  # as an interrupted command exits: no clean-up\n"
    )
    loud = _script(leak.format(prepare=""), tmp_path)
    assert "leaked semaphore" in loud.stderr  # what the command line keeps quiet
    quiet = _script(leak.format(prepare="from hashshock.cli.entry import prepare_process\n"
                                "prepare_process()\n"), tmp_path)  # fmt: skip
    assert quiet.returncode == 0 and quiet.stderr == "", quiet.stderr


@pytest.mark.skipif(not HASHSHOCK.exists(), reason="the hashshock console script is not installed")
@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_a_stopped_sweep_on_local_workers_leaves_no_scratch_folder(
    tmp_path: Path, signum: signal.Signals
) -> None:
    """The local cluster's scratch folder was left in the temporary folder by Ctrl-C,
    SIGTERM and SIGHUP (the command exits at once, before closing the cluster); SIGTERM
    killed the command without cleaning up at all. Each now removes it, ends the
    workers and exits 128 + the signal's number with one line."""
    import yaml
    from tests.conftest import small_fleet

    fleet = tmp_path / "fleet.yaml"
    fleet.write_text(yaml.safe_dump(small_fleet()), encoding="utf-8")
    spec = tmp_path / "spec.yaml"
    spec.write_text(yaml.safe_dump({
        "base": {"fleet": str(fleet), "scenario": "sanctions"}, "method": "lhs",
        "samples": 400, "paths": 100, "horizon_days": 365, "metrics": ["availability:364"],
        "inputs": [{"path": "fleet.operations.failure_rate_multiplier", "low": 0.5,
                    "high": 2.0}]}), encoding="utf-8")  # fmt: skip
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    env = {**os.environ, "TMPDIR": str(scratch), "HASHSHOCK_DAEMON": "off"}
    proc = subprocess.Popen(
        [str(HASHSHOCK), "sweep", str(spec), "--workers", "2", "-q"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    deadline = time.monotonic() + 120
    while not list(scratch.glob("hashshock-dask-*")) and time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.skip("the sweep ended before its cluster was seen")
        time.sleep(0.1)
    time.sleep(3.0)  # the workers started and running points
    if proc.poll() is not None:
        pytest.skip("the sweep ended before the signal")
    proc.send_signal(signum)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 128 + signum, err
    assert sum("interrupted" in line for line in err.splitlines()) == 1, err
    assert "Traceback" not in err
    assert not list(scratch.glob("hashshock-dask-*"))
    assert not _processes_mentioning(str(scratch))
