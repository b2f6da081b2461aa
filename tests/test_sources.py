"""The research notes that sources cite ship with the project, and every section a
source names is in them: a reader can check each bundled number's origin."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOURCES = ROOT / "docs" / "sources"
NOTES = ("FACTS.md", "INDUSTRY-SOURCES.md", "INDUSTRY.md", "PRODUCT.md")
#: "FACTS.md §3.3", "FACTS.md 2.2", "INDUSTRY-SOURCES.md §8", "INDUSTRY-SOURCES.md §4a".
SECTION = re.compile(r"\b(FACTS|INDUSTRY-SOURCES)\.md[,:]?\s*(?:§\s*)?(\d+[a-z]?(?:\.\d+[a-z]?)?)")


def _citing_files() -> list[Path]:
    data = [p for p in (ROOT / "src" / "hashshock" / "data").rglob("*")
            if p.is_file() and p.suffix in {".csv", ".yaml"}]  # fmt: skip
    return [ROOT / "README.md", *(ROOT / "docs").glob("*.md"), *data,
            *(ROOT / "examples").rglob("*.yaml")]  # fmt: skip


def _headings(note: str) -> set[str]:
    text = (SOURCES / note).read_text(encoding="utf-8")
    return {m.group(1) for m in re.finditer(r"^#+\s+(\d+[a-z]?(?:\.\d+[a-z]?)*)\.?\s", text, re.M)}


def test_every_cited_note_ships_with_the_project() -> None:
    named = re.compile(r"\b(?:FACTS|INDUSTRY-SOURCES|INDUSTRY|PRODUCT)\.md\b")
    cited = {
        name
        for path in _citing_files()
        for name in named.findall(path.read_text(encoding="utf-8", errors="replace"))
    }
    assert cited and cited <= set(NOTES)
    for name in NOTES:
        assert (SOURCES / name).is_file(), name


def test_every_cited_section_is_in_its_note() -> None:
    headings = {f"{n}.md": _headings(f"{n}.md") for n in ("FACTS", "INDUSTRY-SOURCES")}
    cited = 0
    for path in _citing_files():
        for match in SECTION.finditer(path.read_text(encoding="utf-8", errors="replace")):
            note, section = f"{match.group(1)}.md", match.group(2)
            assert section in headings[note], f"{path.relative_to(ROOT)} cites {note} §{section}"
            cited += 1
    assert cited > 50  # the citations are found at all
