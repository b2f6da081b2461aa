"""Names from the user's files are printed as written: brackets are not rich markup, and
control characters never reach the terminal raw (:func:`hashshock.cli.common.literal`)."""

from __future__ import annotations

import io
import json
from pathlib import Path

import yaml
from rich.console import Console
from tests.conftest import EXAMPLES, small_fleet
from typer.testing import CliRunner

from hashshock.cli.app import app
from hashshock.cli.common import literal, say, tell
from hashshock.cli.optimise import _stock_table

runner = CliRunner()

#: A closing tag with nothing to close (rich raised MarkupError), a tag rich would drop,
#: and an escape sequence that would turn the rest of the terminal red.
HOSTILE_NAME = "farm [/] [old] \x1b[31m"
#: How it must be printed: brackets kept, ESC shown as Python writes it.
HOSTILE_SHOWN = "farm [/] [old] \\x1b[31m"


def _plain(markup: str) -> str:
    """What a terminal shows for ``markup``."""
    out = io.StringIO()
    Console(file=out, width=200, color_system=None).print(markup, highlight=False)
    return out.getvalue().rstrip("\n")


def test_say_wraps_at_words_keeps_paths_whole_and_names_literal() -> None:
    """A long informational line is wrapped at spaces to the console, continuation lines
    indented; a path longer than a line is not broken; the lead's markup is not counted as
    text; a hostile name is shown as written."""
    out = io.StringIO()
    console = Console(file=out, width=40, color_system=None)
    long_path = "/tmp/" + "deep/" * 12 + "fleet.yaml"
    words = f"{HOSTILE_NAME} wrote {long_path}; " + "many words follow here " * 4
    say(console, words, lead="[green]ok[/] ")
    lines = out.getvalue().rstrip("\n").splitlines()
    assert lines[0].startswith("ok farm [/] [old] \\x1b[31m")
    assert any(line.strip().startswith(long_path) for line in lines)  # whole, unbroken
    assert all(line.startswith("  ") for line in lines[1:])
    assert all(len(line) <= 40 for line in lines if long_path not in line)
    assert " ".join(out.getvalue().split()) == " ".join(
        f"ok {HOSTILE_SHOWN} {words[len(HOSTILE_NAME) + 1 :]}".split()
    )
    out.truncate(0)
    out.seek(0)
    say(console, f"{long_path}: 300 machines", lead="[green]ok[/] ")  # no room beside "ok"
    assert out.getvalue().startswith(f"ok {long_path}:\n  300 machines"), out.getvalue()


def test_tell_wraps_on_a_terminal_and_keeps_one_line_in_a_pipe() -> None:
    """A warning or error on a terminal wraps at words to its width (a terminal would cut
    it mid-word); written to a pipe or a log it stays one line, for grep; both show the
    same words and the user's names as written."""
    text = f"{HOSTILE_NAME} market carried 885 days from the snapshot — fix: " + "word " * 30
    shown = {}
    for terminal in (True, False):
        out = io.StringIO()
        console = Console(file=out, width=80, color_system=None, force_terminal=terminal)
        tell(console, "[bold yellow]warning:[/] ", text)
        shown[terminal] = out.getvalue().rstrip("\n").splitlines()
    wrapped, piped = shown[True], shown[False]
    assert len(piped) == 1 and len(wrapped) > 1
    assert all(len(line) <= 80 for line in wrapped)
    assert all(line.startswith("  ") for line in wrapped[1:])
    assert " ".join(" ".join(wrapped).split()) == " ".join(piped[0].split())
    assert piped[0].startswith(f"warning: {HOSTILE_SHOWN} market")


def test_say_counts_wide_characters_as_the_two_columns_they_take() -> None:
    """A name in Chinese takes two columns a character: lines wrap at the console's
    width as the terminal shows them, not at a count of characters."""
    from rich.cells import cell_len

    out = io.StringIO()
    console = Console(file=out, width=40, color_system=None)
    name = "比特大陆矿场"  # six characters, twelve columns
    say(console, " ".join([name] * 8) + " wrote run.json", lead="[green]ok[/] ")
    lines = out.getvalue().rstrip("\n").splitlines()
    assert len(lines) > 2
    assert all(cell_len(line) <= 40 for line in lines), [cell_len(line) for line in lines]
    assert lines[0].startswith(f"ok {name}")
    assert all(line.startswith(f"  {name}") or "run.json" in line for line in lines[1:])


def test_say_keeps_the_spaces_inside_a_path() -> None:
    """Two spaces in a folder's name are printed as written (a path with one space is
    another path); only the spaces where a line breaks are dropped."""
    out = io.StringIO()
    console = Console(file=out, width=40, color_system=None)
    say(console, "wrote /tmp/my  reports/out.html " + "and more words " * 4, lead="[green]ok[/] ")
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("ok wrote /tmp/my  reports/out.html")
    assert all(not line.endswith(" ") and len(line) <= 40 for line in lines)


def test_literal_keeps_brackets_and_shows_control_characters() -> None:
    assert _plain(f"[bold]{literal(HOSTILE_NAME)}[/]") == HOSTILE_SHOWN
    assert _plain(literal("two\nlines\ttab\x7f\x9b")) == "two\\nlines\\ttab\\x7f\\x9b"
    assert _plain(literal("ends in a backslash\\") + "[bold]!") == "ends in a backslash\\!"
    assert literal("naïve ✓ 12038") == "naïve ✓ 12038"  # printable text is left alone


def _write(path: Path, data: dict[str, object]) -> Path:
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


def test_run_prints_a_bracketed_fleet_name_and_writes_the_json(tmp_path: Path) -> None:
    fleet = _write(tmp_path / "fleet.yaml", small_fleet(name=HOSTILE_NAME))
    out = tmp_path / "run.json"
    result = runner.invoke(
        app,
        ["run", str(fleet), "-n", "10", "--horizon", "30", "--json", str(out)],
    )
    assert result.exit_code == 0, result.output
    assert HOSTILE_SHOWN in result.stdout
    assert "\x1b" not in result.stdout
    assert json.loads(out.read_text())["fleet_name"] == HOSTILE_NAME


def test_compare_prints_bracketed_scenario_names_and_writes_the_json(tmp_path: Path) -> None:
    fleet = _write(tmp_path / "fleet.yaml", small_fleet(name=HOSTILE_NAME))
    scenario = yaml.safe_load(
        (EXAMPLES / "scenarios" / "sanctions-commodity-fans.yaml").read_text(encoding="utf-8")
    )
    shock = _write(tmp_path / "shock.yaml", {**scenario, "name": "fans [/] \x1b]0;title\x07"})
    out = tmp_path / "compare.json"
    result = runner.invoke(
        app, ["compare", str(fleet), "-s", f"baseline,{shock}", "-n", "10", "--horizon", "60",
              "--json", str(out)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert HOSTILE_SHOWN in result.stdout
    assert "fans [/] \\x1b]0;title\\x07" in result.stdout
    assert "\x1b" not in result.stdout and "\x07" not in result.stdout
    names = [run["scenario"] for run in json.loads(out.read_text())["scenarios"]]
    assert names == ["baseline", "fans [/] \x1b]0;title\x07"]


def test_optimise_stock_table_prints_site_names_as_written() -> None:
    out = io.StringIO()
    pool = {"site": "hall [b]", "part": "fan", "family": "antminer-s19", "current": 1,
            "closed_form": 2, "chosen": 3, "unit_cost_usd": 10.0}  # fmt: skip
    _stock_table(Console(file=out, width=120, color_system=None), [pool], by_site=True)
    assert "hall [b]" in out.getvalue()


def test_the_day0_market_line_says_where_every_figure_comes_from() -> None:
    """A market partly given on the command line and partly carried from the snapshot
    names each source with its figures (it said only 'from given (command line)', hiding
    the stale snapshot); one source for all is said alone."""
    from hashshock.cli.render import render_market_start

    def line(origins: dict[str, str]) -> str:
        start = {"date": "2026-12-01", "btc_price_usd": 87_000.0, "difficulty": 1.79e14,
                 "hashprice_usd_per_ph_day": 61.1, "origins": origins,
                 "snapshot_date": "2025-12-29", "snapshot_age_days": 337}  # fmt: skip
        out = io.StringIO()
        render_market_start(Console(file=out, width=400, color_system=None),
                            {"manifest": {"market_start": start}})  # fmt: skip
        return out.getvalue()

    snap, cli = "snapshot (bundled) 2025-12-29", "given (command line)"
    mixed = line({"btc_price_usd": snap, "difficulty": snap, "fee_share": cli,
                  "network_hashrate_ehs": "implied by the difficulty"})  # fmt: skip
    assert ("from snapshot 2025-12-29 (337 days before) for btc price, difficulty; given "
            "(command line) for fee share; implied by the difficulty for network hashrate"
            ) in mixed  # fmt: skip
    assert line({"btc_price_usd": snap}).rstrip().endswith("snapshot 2025-12-29 (337 days before)")
    assert (
        line({"btc_price_usd": cli, "difficulty": cli})
        .rstrip()
        .endswith("from given (command line)")
    )
