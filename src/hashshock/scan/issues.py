"""Firmware classes and known firmware issues (sources: FACTS.md §5).

Firmware is *vendor* firmware (``stock``: built, signed and updated by the
machine's maker) or *third-party* (Braiins OS, LuxOS, VNish, ...). Under a
vendor-control scenario only vendor firmware is assumed reachable by the
vendor [E]; an unknown firmware counts as vendor firmware (worst case).

Known issues are matched on model, firmware and build date:

>>> [f.verdict for f in known_issues("bitmain", "S9", "stock", "Fri Dec 16 11:20:03 CST 2016")]
['affected']
>>> [f.verdict for f in known_issues("bitmain", "Antminer S9", "stock", "")]
['possibly-affected']
>>> known_issues("bitmain", "S19", "stock", "Thu Mar 14 10:00:00 CST 2024")
[]
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Literal

from hashshock.scan.catalog_map import normalise

#: pyasic firmware names → hashshock labels.
FIRMWARE_LABELS: dict[str, str] = {
    "Stock": "stock",
    "BOS+": "braiins-os",
    "VNish": "vnish",
    "ePIC": "epic",
    "Hive": "hiveon",
    "LuxOS": "luxos",
    "MaraFW": "marafw",
}
VENDOR_FIRMWARE = "stock"


def firmware_label(name: object) -> str:
    """hashshock's label for a pyasic firmware (``None`` → ``unknown``)."""
    if name is None:
        return "unknown"
    text = str(getattr(name, "value", name))
    return FIRMWARE_LABELS.get(text, normalise(text) or "unknown")


#: Third-party firmware a vendor's own control does not reach (the assumption of docs/scan.md).
THIRD_PARTY_FIRMWARE = frozenset(FIRMWARE_LABELS.values()) - {VENDOR_FIRMWARE}


def is_vendor_firmware(label: str) -> bool:
    """Vendor (stock) firmware, or any firmware not known as third-party counted as such
    (worst case): a label as pyasic writes it (``Stock``, ``BOS+``) or as hashshock does
    (``stock``, ``braiins-os``), an unknown or empty one."""
    return firmware_label(label or None) not in THIRD_PARTY_FIRMWARE


Verdict = Literal["affected", "possibly-affected", "probably-fixed", "probably-not-affected"]
EXPOSED_VERDICTS: frozenset[str] = frozenset({"affected", "possibly-affected"})


@dataclass(frozen=True)
class IssueFinding:
    """A known issue that may apply to one machine."""

    key: str
    title: str
    verdict: Verdict
    reason: str
    fix: str
    sources: str

    def short(self) -> str:
        """``key (verdict)`` for inventory cells."""
        return f"{self.key} ({self.verdict})"


_MONTH_NAMES = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_MONTHS = {name: number for number, name in enumerate(_MONTH_NAMES, start=1)}


def build_date(fw_version: str) -> date | None:
    """The build date in a firmware version string, if it has one.

    Understands bmminer ``CompileTime`` (``Fri Nov 17 17:37:49 CST 2017``),
    ``2017-11-17`` and ``20171117`` prefixes (Whatsminer ``20230712.15.Rel``).
    """
    text = fw_version.strip()
    m = re.search(r"\b([A-Za-z]{3})\s+(\d{1,2})\s+[\d:]+\s+(?:[A-Z]{2,5}\s+)?(\d{4})\b", text)
    try:
        if m and m.group(1).lower() in _MONTHS:
            return date(int(m.group(3)), _MONTHS[m.group(1).lower()], int(m.group(2)))
        m = re.search(r"\b(20\d\d)-?(\d\d)-?(\d\d)", text)
        if m:
            return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None
    return None


# --- Antbleed (FACTS.md §5.1) ---------------------------------------------------------
ANTBLEED_MODELS = frozenset({"s9", "t9", "r4", "l3", "l3-plus"})  # [S138][S137]
ANTBLEED_ADDED = date(2016, 7, 1)  # "feature added to firmware ~July 2016" [S136][S137]
ANTBLEED_PUBLIC = date(2017, 4, 26)  # publicised; Bitmain then removed it [S137][S140]
ANTBLEED_FIX = (
    "install Bitmain firmware released after April 2017 (the update removed the check) and "
    "block or sinkhole DNS for auth.minerlink.com"
)
ANTBLEED_SOURCES = "FACTS.md §5.1 [S134]-[S140], §5.3 [S139][S146]"


def _antbleed(model: str, firmware: str, fw_version: str) -> IssueFinding | None:
    base = normalise(model.split(" (")[0]).removeprefix("antminer-")
    if base not in ANTBLEED_MODELS or not is_vendor_firmware(firmware):
        return None
    built = build_date(fw_version)
    verdict: Verdict
    if built is None:
        verdict, why = "possibly-affected", "bmminer build date unknown"
    elif built < ANTBLEED_ADDED:
        verdict, why = "probably-not-affected", f"built {built}, before the check (~Jul 2016)"
    elif built < ANTBLEED_PUBLIC:
        verdict, why = "affected", f"built {built}, before the April 2017 fix"
    else:
        verdict, why = "probably-fixed", f"built {built}, after the April 2017 fix"
    return IssueFinding(
        key="antbleed",
        title="Antbleed: bmminer phones home to auth.minerlink.com:7000 and stops mining on "
        "a 'false' reply (remote shutdown)",
        verdict=verdict,
        reason=f"stock bmminer on Antminer {base.upper().replace('-PLUS', '+')}: {why}",
        fix=ANTBLEED_FIX,
        sources=ANTBLEED_SOURCES,
    )


def known_issues(vendor: str, model: str, firmware: str, fw_version: str) -> list[IssueFinding]:
    """Known issues that may apply to a machine (vendor, reported model, firmware label)."""
    findings: list[IssueFinding] = []
    if vendor in {"bitmain", ""}:
        antbleed = _antbleed(model, firmware, fw_version)
        if antbleed is not None:
            findings.append(antbleed)
    return findings
