"""Nothing the user owns is lost: outputs are checked before the work, never written over
an input, written through symlinks, and a failed final write still shows the summary."""

from __future__ import annotations

import errno
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from tests.conftest import small_fleet
from typer.testing import CliRunner

from hashshock.cli.app import app

runner = CliRunner()
QUICK = ["-n", "3", "--horizon", "10"]


def test_json_over_an_input_file_is_refused(write_yaml: Callable[..., Path]) -> None:
    fleet = write_yaml(small_fleet(), "fleet.yaml")
    before = fleet.read_bytes()
    result = runner.invoke(app, ["run", str(fleet), *QUICK, "--json", str(fleet)])
    assert result.exit_code == 2 and "input files" in result.output
    assert fleet.read_bytes() == before


@pytest.mark.parametrize("name", ["portfolio.yaml", "rates.csv", "runs.duckdb", "page.html"])
def test_json_over_a_file_of_another_kind_is_refused(
    write_yaml: Callable[..., Path], name: str
) -> None:
    """`--json portfolio.yaml` (a slip for --portfolio) would replace the user's file with
    the run's JSON: refused, the file kept; a new file of any name, or an earlier result,
    is written."""
    fleet = write_yaml(small_fleet(), "fleet.yaml")
    mine = fleet.parent / name
    mine.write_bytes(b"mine")
    result = runner.invoke(app, ["run", str(fleet), *QUICK, "--json", str(mine)])
    assert result.exit_code == 2 and "which the JSON would replace" in result.output
    assert mine.read_bytes() == b"mine"
    (fleet.parent / "link.json").symlink_to(mine)  # written through to the user's file
    linked = runner.invoke(
        app, ["run", str(fleet), *QUICK, "--json", str(fleet.parent / "link.json")]
    )
    assert linked.exit_code == 2 and mine.read_bytes() == b"mine", linked.output
    notes = fleet.parent / "README.md"  # a document of the user's is kept too
    notes.write_text("# my notes")
    done = runner.invoke(app, ["run", str(fleet), *QUICK, "--json", str(notes)])
    assert done.exit_code == 2 and notes.read_text() == "# my notes", done.output
    tmp_json = fleet.parent / "new.json"
    for target in ("new.json", "new.yaml", "out.txt"):  # new files of any name are written
        done = runner.invoke(app, ["run", str(fleet), *QUICK, "--json", str(fleet.parent / target)])
        assert done.exit_code == 0, done.output
    again = runner.invoke(app, ["run", str(fleet), *QUICK, "--json", str(tmp_json)])
    assert again.exit_code == 0, again.output  # an earlier result is replaced


@pytest.mark.parametrize(
    ("target", "expected"),
    [("missing/out.json", "does not exist"), ("/proc/out.json", "cannot write")],
)
def test_unwritable_output_is_found_before_simulating(
    write_yaml: Callable[..., Path], tmp_path: Path, target: str, expected: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    import hashshock.api

    def never(*_: Any, **__: Any) -> Any:
        raise AssertionError("simulated before checking the output path")

    monkeypatch.setattr(hashshock.api, "compare", never)
    fleet = write_yaml(small_fleet(), "fleet.yaml")
    path = target if target.startswith("/") else str(tmp_path / target)
    result = runner.invoke(app, ["run", str(fleet), *QUICK, "--json", path])
    assert result.exit_code == 2 and expected in result.output, result.output


def test_json_onto_a_symlink_writes_through_to_its_target(
    write_yaml: Callable[..., Path], tmp_path: Path
) -> None:
    fleet = write_yaml(small_fleet(), "fleet.yaml")
    real = tmp_path / "results" / "latest.json"
    real.parent.mkdir()
    real.write_text('{"scenario": "baseline", "manifest": {}}', encoding="utf-8")  # a result
    link = tmp_path / "latest.json"
    link.symlink_to(real)
    result = runner.invoke(app, ["run", str(fleet), *QUICK, "--json", str(link)])
    assert result.exit_code == 0, result.output
    assert link.is_symlink() and link.resolve() == real
    assert '"scenario"' in real.read_text(encoding="utf-8")


def test_a_write_that_fails_at_the_end_still_shows_the_summary(
    write_yaml: Callable[..., Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import hashshock.outputs

    def full(*_: Any, **__: Any) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(hashshock.outputs, "atomic_write_text", full)
    fleet = write_yaml(small_fleet(), "fleet.yaml")
    out = tmp_path / "out.json"
    result = runner.invoke(app, ["run", str(fleet), *QUICK, "--json", str(out)])
    assert result.exit_code == 1
    assert "Availability" in result.stdout  # the summary was printed
    assert str(out) in result.output and "No space left" in result.output
    assert result.output.count("could not be written") == 1  # said once, not twice nested
    assert not out.exists()


def test_a_full_disk_is_one_line_naming_the_file_in_every_command(
    write_yaml: Callable[..., Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A disk that fills as a file is written: `fit --json`, `report -o` and `runs export
    -o` (which wrote through no check) end with one line naming the file and the disk's
    reason, never a traceback; nothing half-written is left, a file there before is kept."""
    import hashshock.outputs

    fleet = write_yaml(small_fleet(), "fleet.yaml")
    run_json, store = tmp_path / "run.json", tmp_path / "runs.duckdb"
    done = runner.invoke(app, ["run", str(fleet), *QUICK, "--json", str(run_json), "-q",
                               "--store", str(store)])  # fmt: skip
    assert done.exit_code == 0, done.output
    run_id = done.stderr.split()[-1]
    repairs = Path(__file__).resolve().parents[1] / "examples" / "small-farm" / "repairs.csv"
    json_out, html_out = tmp_path / "kept.json", tmp_path / "kept.html"
    assert runner.invoke(app, ["fit", str(repairs), "--json", str(json_out)]).exit_code == 0
    # A report and an export replace only an earlier one (a file of the user's is refused
    # first).
    assert runner.invoke(app, ["report", str(run_json), "-o", str(html_out), "-q"]).exit_code == 0
    exported = tmp_path / "exported.json"
    assert runner.invoke(app, ["runs", "export", run_id, "-f", "json", "-o", str(exported),
                               "--store", str(store)]).exit_code == 0  # fmt: skip
    before = {target: target.read_text(encoding="utf-8")
              for target in (json_out, html_out, exported)}  # fmt: skip

    def full(_: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(hashshock.outputs.os, "fsync", full)
    for target, args in ((json_out, ["fit", str(repairs), "--json", str(json_out)]),
                         (html_out, ["report", str(run_json), "-o", str(html_out), "-q"]),
                         (exported, ["runs", "export", run_id, "-f", "json", "-o",
                                     str(exported), "--store", str(store)])):  # fmt: skip
        result = runner.invoke(app, args)
        assert result.exit_code in (1, 2), (args, result.output)
        assert result.exception is None or isinstance(result.exception, SystemExit), args
        assert "No space left on device" in result.stderr and str(target) in result.stderr
        assert " ".join(result.stderr.split()).count("could not be written") == 1, args
        assert target.read_text(encoding="utf-8") == before[target]
        assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


def test_run_writes_the_report_and_keeps_the_runs_when_asked(
    write_yaml: Callable[..., Path], tmp_path: Path
) -> None:
    fleet = write_yaml(small_fleet(), "fleet.yaml")
    report, store = tmp_path / "r.html", tmp_path / "runs.duckdb"
    result = runner.invoke(
        app, ["compare", str(fleet), "-s", "baseline,sanctions", *QUICK, "--report",
              str(report), "--save", "--store", str(store), "-q"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "<html" in report.read_text(encoding="utf-8")[:2000].lower()
    listed = runner.invoke(app, ["runs", "list", "--store", str(store), "--json"])
    assert listed.exit_code == 0 and listed.stdout.count('"scenario"') == 2
    bad = runner.invoke(app, ["run", str(fleet), *QUICK, "--report", str(tmp_path / "r.txt")])
    assert bad.exit_code == 2 and "suffix" in bad.output


def test_audit_and_data_update_check_their_outputs_first(tmp_path: Path) -> None:
    from tests.conftest import EXAMPLES

    fleet = EXAMPLES / "small-farm" / "fleet.yaml"
    result = runner.invoke(app, ["audit", str(fleet), "--scenario-out", str(fleet)])
    assert result.exit_code == 2 and "input files" in result.output
    missing = tmp_path / "no" / "snap.yaml"
    # refused before any network request (the URL is never contacted)
    result = runner.invoke(app, ["data", "update", "--out", str(missing),
                                 "--url", "http://127.0.0.9:9"])  # fmt: skip
    assert result.exit_code == 2 and "does not exist" in result.output
    # a file that is not a snapshot (a fleet file named by mistake) is never replaced
    copy = tmp_path / "fleet.yaml"
    copy.write_bytes(fleet.read_bytes())
    result = runner.invoke(app, ["data", "update", "--out", str(copy),
                                 "--url", "http://127.0.0.9:9"])  # fmt: skip
    assert result.exit_code == 2 and "is not a network snapshot" in result.output
    assert copy.read_bytes() == fleet.read_bytes()
    from hashshock.market.snapshot import looks_like_snapshot

    stale = tmp_path / "snap.yaml"  # an old snapshot missing a field today's needs
    stale.write_text("date: 2024-01-01\nbtc_price_usd: 40000\n", encoding="utf-8")
    assert looks_like_snapshot(stale) and not looks_like_snapshot(copy)


def test_a_read_only_output_is_kept_even_for_root(write_yaml: Callable[..., Path],
                                                 tmp_path: Path) -> None:  # fmt: skip
    """A file its owner made read-only is one they meant to keep: refused by its mode,
    not only by os.access (which root passes for every file)."""
    fleet = write_yaml(small_fleet())
    kept = tmp_path / "kept.json"
    kept.write_text("{}", encoding="utf-8")
    kept.chmod(0o444)
    result = CliRunner().invoke(app, ["run", str(fleet), "-n", "2", "--horizon", "5", "-q",
                                      "--json", str(kept)])  # fmt: skip
    assert result.exit_code == 2, result.output
    assert "is read-only" in result.output and kept.read_text(encoding="utf-8") == "{}"


def test_a_file_that_is_not_utf8_is_told_so(tmp_path: Path) -> None:
    latin = tmp_path / "fleet.yaml"
    latin.write_bytes(b"name: caf\xe9\n")
    result = CliRunner().invoke(app, ["validate", str(latin)])
    assert result.exit_code == 2
    assert "is not UTF-8 text" in result.output and "save it as UTF-8" in result.output


def test_a_device_or_pipe_is_written_to_and_never_replaced(
    write_yaml: Callable[..., Path], tmp_path: Path
) -> None:
    """`--json /dev/null` and a pipe take the output in place: the device and the FIFO are
    still there afterwards (an atomic rename over them would replace them with a file); a
    device that cannot take it (/dev/full) fails as a full disk does (exit 1, the summary
    shown) and stays a device."""
    import stat
    import threading

    fleet = write_yaml(small_fleet(), "fleet.yaml")
    done = runner.invoke(app, ["run", str(fleet), *QUICK, "-q", "--json", "/dev/null"])
    assert done.exit_code == 0, done.output
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)
    fifo = tmp_path / "out.fifo"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()))
    reader.start()
    done = runner.invoke(app, ["run", str(fleet), *QUICK, "-q", "--json", str(fifo)])
    reader.join(timeout=60)
    assert done.exit_code == 0, done.output
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)
    assert b'"scenario"' in got[0]
    if Path("/dev/full").exists():
        done = runner.invoke(app, ["run", str(fleet), *QUICK, "-q", "--json", "/dev/full"])
        assert done.exit_code == 1 and "could not be written" in done.output
        assert stat.S_ISCHR(os.stat("/dev/full").st_mode)


def test_json_to_dev_stdout_reaches_a_pipe_and_follows_a_redirection(
    write_yaml: Callable[..., Path], tmp_path: Path
) -> None:
    """`--json /dev/stdout` into a pipe (it resolved to /proc/PID/fd/pipe:[N], which no
    file can be made beside, and was refused) and into a shell's `> file` (a rename would
    have taken the file from under the shell, losing the summary): the JSON is written
    where stdout goes, after the summary."""
    import subprocess
    import sys

    fleet = write_yaml(small_fleet(), "fleet.yaml")
    command = [sys.executable, "-c", "from hashshock.cli.entry import main; main()", "run",
               str(fleet), *QUICK, "--json", "/dev/stdout"]  # fmt: skip
    env = {**os.environ, "HASHSHOCK_DAEMON": "off"}
    piped = subprocess.run(command, capture_output=True, text=True, env=env, timeout=300)
    assert piped.returncode == 0, piped.stderr[-2000:]
    assert '"scenario": "baseline"' in piped.stdout
    out = tmp_path / "out.txt"
    with out.open("w") as handle:
        done = subprocess.run(command, stdout=handle, stderr=subprocess.PIPE, env=env,
                              timeout=300)  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    text = out.read_text(encoding="utf-8")
    assert text.index("seed 0") < text.index('"scenario": "baseline"')  # summary kept


def test_a_socket_is_refused_as_an_output(write_yaml: Callable[..., Path], tmp_path: Path) -> None:
    import socket

    fleet = write_yaml(small_fleet(), "fleet.yaml")
    path = tmp_path / "s.sock"
    with socket.socket(socket.AF_UNIX) as server:
        server.bind(str(path))
        done = runner.invoke(app, ["run", str(fleet), *QUICK, "--json", str(path)])
    assert done.exit_code == 2 and "neither a regular file" in done.output


@pytest.mark.skipif(os.geteuid() != 0, reason="only root can give a file to another owner")
def test_root_replacing_a_file_keeps_its_owner(write_yaml: Callable[..., Path],
                                               tmp_path: Path) -> None:  # fmt: skip
    fleet = write_yaml(small_fleet(), "fleet.yaml")
    out = tmp_path / "out.json"
    out.write_text('{"scenario": "baseline", "manifest": {}}')  # an earlier result
    os.chown(out, 65534, 65534)
    done = runner.invoke(app, ["run", str(fleet), *QUICK, "-q", "--json", str(out)])
    assert done.exit_code == 0, done.output
    assert (out.stat().st_uid, out.stat().st_gid) == (65534, 65534)
    assert out.stat().st_size > 2


def test_an_output_inside_the_installed_package_is_refused(tmp_path: Path) -> None:
    """`fit --out` aimed at the package's own data/failure_rates.csv replaced the bundled
    rates every later run reads (and left a backup in the package): any output inside
    the installed package is refused before the work, the file left as it was."""
    import hashshock

    bundled = Path(hashshock.__file__).resolve().parent / "data" / "failure_rates.csv"
    before = bundled.read_bytes()
    repairs = Path(__file__).resolve().parents[1] / "examples" / "small-farm" / "repairs.csv"
    result = runner.invoke(app, ["fit", str(repairs), "--out", str(bundled)])
    assert result.exit_code == 2 and "inside the installed hashshock package" in result.output
    assert bundled.read_bytes() == before
    assert not bundled.with_name("failure_rates.csv.bak").exists()


def test_a_file_written_by_name_is_removed_if_its_writer_is_interrupted(tmp_path: Path) -> None:
    """A writer that fills the temporary file by its name (DuckDB's COPY for a parquet
    export) has it on the list Ctrl-C cleans up while it writes, and it is gone after."""
    from hashshock import outputs

    seen: list[bool] = []

    def fill(tmp: str) -> None:
        Path(tmp).write_bytes(b"half")
        seen.append(tmp in outputs._PENDING)
        raise KeyboardInterrupt

    (tmp_path / "keep.parquet").write_bytes(b"previous")
    with pytest.raises(KeyboardInterrupt):
        outputs.atomic_write_file(tmp_path / "keep.parquet", fill, "--out")
    assert seen == [True] and not outputs._PENDING
    assert [p.name for p in tmp_path.iterdir()] == ["keep.parquet"]
    assert (tmp_path / "keep.parquet").read_bytes() == b"previous"


def test_every_command_replaces_only_a_json_file_hashshock_wrote(
    write_yaml: Callable[..., Path], tmp_path: Path
) -> None:
    """`--json package.json` replaced the user's file: any existing .json counted as an
    output. Every command's JSON is now recognised as hashshock's (so a later run replaces
    it, whichever command wrote it), and a JSON file of the user's is refused before any
    work, kept byte for byte."""
    import json

    from tests.conftest import EXAMPLES

    from hashshock.outputs import looks_like_output_json

    fleet = write_yaml(small_fleet(), "fleet.yaml")
    farm = EXAMPLES / "small-farm"
    spec = write_yaml({"name": "tiny", "base": {"fleet": str(fleet)}, "method": "grid",
                       "paths": 3, "horizon_days": 10, "metrics": ["availability:9"],
                       "inputs": [{"path": "market.price.volatility_per_year",
                                   "values": [0.4, 0.6]}]}, "spec.yaml")  # fmt: skip
    commands = {
        "run": ["run", str(fleet), *QUICK],
        "compare": ["compare", str(fleet), "-s", "baseline,sanctions", *QUICK],
        "breakpoint": ["breakpoint", str(EXAMPLES / "midsize-public-miner" / "fleet.yaml"),
                       "-c", "liquidity", *QUICK],
        "optimise": ["optimise", str(fleet), "-n", "3", "--horizon", "30"],
        "strategies": ["strategies", str(fleet), *QUICK],
        "sweep": ["sweep", str(spec)],
        "industry": ["industry", "-n", "2", "--horizon", "5"],
        "audit": ["audit", str(fleet)],
        "fit": ["fit", str(farm / "repairs.csv")],
    }  # fmt: skip
    package = tmp_path / "package.json"
    package.write_text('{"name": "my-dashboard", "version": "1.4.2", "scenario": "x"}')
    before = package.read_bytes()
    for name, args in commands.items():
        refused = runner.invoke(app, [*args, "--json", str(package)])
        assert refused.exit_code == 2, (name, refused.output)
        assert "is not a JSON file hashshock wrote" in " ".join(refused.output.split()), name
        assert package.read_bytes() == before, name
        out = tmp_path / f"{name}.json"
        done = runner.invoke(app, [*args, "--json", str(out)])
        assert done.exit_code == 0, (name, done.output)
        assert looks_like_output_json(out), (name, sorted(json.loads(out.read_text())))
        replaced = runner.invoke(app, ["run", str(fleet), *QUICK, "--json", str(out)])
        assert replaced.exit_code == 0, (name, replaced.output)
    empty = tmp_path / "empty.json"  # nothing to lose
    empty.touch()
    assert runner.invoke(app, ["run", str(fleet), *QUICK, "--json", str(empty)]).exit_code == 0


def test_an_output_that_is_a_link_loop_is_named_not_a_traceback(
    write_yaml: Callable[..., Path], tmp_path: Path
) -> None:
    """`ln -s self.json self.json`: every output option died with "RuntimeError: Symlink
    loop" from Path.resolve."""
    from tests.conftest import EXAMPLES

    fleet = write_yaml(small_fleet(), "fleet.yaml")
    loop = tmp_path / "self.json"
    loop.symlink_to(loop.name)
    repairs = EXAMPLES / "small-farm" / "repairs.csv"
    for args in (["run", str(fleet), *QUICK, "--json", str(loop)],
                 ["run", str(fleet), *QUICK, "--report", str(loop.with_suffix(".html"))],
                 ["run", str(fleet), *QUICK, "--save", "--store", str(loop)],
                 ["fit", str(repairs), "--out", str(loop.with_suffix(".csv"))]):  # fmt: skip
        for suffix in (".html", ".csv"):
            other = loop.with_suffix(suffix)
            if not other.is_symlink():
                other.symlink_to(other.name)
        result = runner.invoke(app, args)
        assert result.exit_code == 2, (args, result.output)
        assert "symbolic link that cannot be followed" in " ".join(result.output.split()), args


@pytest.mark.parametrize("links", [True, False])
def test_a_new_file_made_meanwhile_by_another_process_is_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, links: bool
) -> None:
    """Two scans into one new fleet file: the second replaced the first's, both saying
    "written". A write that must make a new file keeps one another process made while it
    ran, says so with the fix, and leaves no temporary file; with no file there, it writes
    (also where the file system has no hard links)."""
    from hashshock.inputs.errors import InputError
    from hashshock.outputs import atomic_write_file, atomic_write_text

    if not links:

        def no_links(*_: object) -> None:
            raise PermissionError(1, "Operation not permitted")

        monkeypatch.setattr(os, "link", no_links)
    fresh = tmp_path / "fresh.yaml"
    atomic_write_text(fresh, "mine\n", "--out", "run again")
    assert fresh.read_text() == "mine\n"
    theirs = tmp_path / "theirs.yaml"

    def meanwhile(tmp: str) -> None:
        Path(tmp).write_text("mine\n")
        theirs.write_text("theirs\n")  # the other scan finishes first

    with pytest.raises(InputError) as caught:
        atomic_write_file(theirs, meanwhile, "--out", "run this scan again")
    assert "made by another process" in caught.value.problem
    assert caught.value.fix == "run this scan again"
    assert theirs.read_text() == "theirs\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["fresh.yaml", "theirs.yaml"]
