"""What an industry's result needs said beside its numbers, from its JSON alone
(``IndustryResult.to_dict()``): the terminal prints these after ``note:``, the report
beside its charts, so both say the same.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from hashshock.words import probability, signed

#: Baseline break probability from which a group's break is its inputs', not a shock's.
BREAKS_UNDER_BASELINE = 0.5
#: Days a carried market snapshot may be old before the US share gets a note.
CARRIED_NOTE_DAYS = 90


def broken_without_a_shock(
    base_break: dict[str, float],
    compared: bool = True,
    causes: dict[str, str] | None = None,
    lent_to: Collection[str] | None = None,
) -> str:
    """The groups that break on most baseline paths: their rank in who breaks first, and
    the lender's loss on them (when it lends to one: ``lent_to``, None for unknown), say
    more about their inputs (a loan falling due, thin cash, power above the hashprice)
    than about the shock (which ``compared`` runs did; else baseline ran alone); "" when
    none does. ``causes``: what breaks each group under baseline (:func:`baseline_causes`)."""
    groups = [g for g, p in base_break.items() if p >= BREAKS_UNDER_BASELINE]
    if not groups:
        return ""
    lends = lent_to is None or any(g in lent_to for g in groups)
    loss = ", and the lender's baseline loss on them," if lends else ""
    causes = causes or {}
    names = ", ".join(
        f"{g} ({probability(base_break[g])}{': ' + causes[g] if g in causes else ''})"
        for g in groups
    )
    verb, their = ("breaks", "its") if len(groups) == 1 else ("break", "their")
    return (f"{names} {verb} with no shock too (baseline): that{loss} comes from {their} "
            "inputs (loans falling due, cash, power price)"
            + ("" if not compared else ", not the shock; Δ base is the shock's part")
            + " — check them in the industry file (and a --portfolio file)")  # fmt: skip


def baseline_note(data: dict[str, Any]) -> str:
    """:func:`broken_without_a_shock` of an industry's JSON (the terminal's and the
    report's one note): its baseline breaks and their causes, the lender's borrowers."""
    scenarios = data["scenarios"]
    lender = (scenarios.get("baseline") or {}).get("lender") or {}
    lent_to = {loan["borrower"] for loan in lender.get("loans") or []}
    compared = any(name != "baseline" for name in scenarios)
    return broken_without_a_shock(baseline_breaks(data), compared, baseline_causes(data),
                                  lent_to)  # fmt: skip


def groups_without_finance(data: dict[str, Any]) -> list[str]:
    """The operators and classes without a finance block, which cannot break financially
    (a saved result from before ``has_finance``: none)."""
    return [o["name"] for o in data["operators"] if not o.get("has_finance", True)]


def baseline_breaks(data: dict[str, Any]) -> dict[str, float]:
    """Each group's probability of breaking financially under baseline ({} without it)."""
    baseline = data["scenarios"].get("baseline")
    if baseline is None:
        return {}
    return {r["group"]: r["probability_break"]
            for r in baseline["first_to_break"]["financial"]}  # fmt: skip


def baseline_causes(data: dict[str, Any]) -> dict[str, str]:
    """What breaks each group first under baseline, with its median day — ``its ltv
    covenant, day 29``: a break from day 29 on every path is an input's, say an LTV
    already above its limit on day 0. Of the covenants (and cash below zero) breached on
    at least :data:`BREAKS_UNDER_BASELINE` of the paths, the earliest by median day (a
    later breach on as many paths comes after the break); else the likeliest."""
    baseline = data["scenarios"].get("baseline")
    out: dict[str, str] = {}
    for group, found in ((baseline or {}).get("groups") or {}).items():
        tests = [(c["probability"], f"its {name} covenant", c["day_p50"])
                 for name, c in (found.get("covenants") or {}).items()]  # fmt: skip
        cash = found.get("cash_out") or {}
        if cash.get("probability"):
            tests.append((cash["probability"], "cash below zero", cash["day_p50"]))
        common = [t for t in tests if t[0] >= BREAKS_UNDER_BASELINE and t[2] is not None]
        if common:
            _, what, day = min(common, key=lambda t: t[2])
        elif tests:
            _, what, day = max(tests, key=lambda t: t[0])
        else:
            continue
        out[group] = what + ("" if day is None else f", day {day}")
    return out


def hashrate_unit(data: dict[str, Any]) -> tuple[str, float]:
    """The unit an industry's hashrate reads in, and the factor from EH/s to it: PH/s for
    an industry under :data:`PH_BELOW_EHS` of nameplate (a few farms: in EH/s to a tenth
    their figures and their changes print 0.0)."""
    operators = data.get("operators") or []
    nameplate = sum(op["nameplate_ehs"] for op in operators)
    return ("PH/s", 1000.0) if operators and nameplate < PH_BELOW_EHS else ("EH/s", 1.0)


#: Nameplate, EH/s, under which an industry's hashrate reads in PH/s.
PH_BELOW_EHS = 10.0


def carried_network(data: dict[str, Any]) -> str | None:
    """When the day-0 network was carried forward from an old market snapshot: the
    operators' fleets are as their files give them, the network grew meanwhile, so their
    share starts below the market file's reference."""
    market = data.get("market")
    if not market or market["carried_days"] <= CARRIED_NOTE_DAYS or market.get("network_given"):
        return None
    shares = [s["us"]["share_of_network"]["p50"][0]
              for s in (data.get("scenarios") or {}).values()
              if (s.get("us") or {}).get("share_of_network")]  # fmt: skip
    reference = market["us_share_reference"]
    # the share against the market's US share: for an industry of the US's size (a few
    # farms start far below it for their size, not for the carried network)
    compared = (f"the US operators start at {shares[0]:.1%} of it, where the market file "
                f"has the US at {reference:.0%} (its snapshot's share)"
                if shares and shares[0] >= reference / 2 else "")  # fmt: skip
    return (
        f"the day-0 network is the {market['snapshot_date']} snapshot carried "
        f"{market['carried_days']} days at the market's growth"
        + (f": {compared}" if compared else "")
        + " — give today's --difficulty and --network-hashrate to start from the network as "
        "it is"
    )


#: The rest of the world's growth over the horizon, a year, this far (either way) from its
#: growth at the reference hashprice gets a note: the hashprice feedback is at work.
GROWTH_GAP_NOTE = 0.05
#: Shortest horizon, days, whose growth is read as a year's (shorter: the noise dominates).
GROWTH_NOTE_DAYS = 90


def rest_of_world_growth(data: dict[str, Any]) -> str | None:
    """When the rest of the world grows well off its ``growth_per_year``: that growth is at
    the reference hashprice, and the hashprice feedback slows (or speeds) it on these
    paths (median over paths of baseline, or the first scenario)."""
    market = data.get("market") or {}
    scenarios = data.get("scenarios") or {}
    name = "baseline" if "baseline" in scenarios else next(iter(scenarios), None)
    growth = market.get("rest_of_world_growth_per_year")
    rest = ((scenarios.get(name) or {}).get("us") or {}).get("rest_of_world_ehs")
    if growth is None or not rest or len(rest["p50"]) <= GROWTH_NOTE_DAYS:
        return None
    first, last = rest["p50"][0], rest["p50"][-1]
    days = len(rest["p50"]) - 1
    yearly = (last / first) ** (365 / days) - 1
    if abs(yearly - growth) <= GROWTH_GAP_NOTE:
        return None
    reference = market["growth_reference_hashprice_usd_per_ph_day"]
    side = "more slowly below" if yearly < growth else "faster above"
    return (
        f"the rest of the world grows {growth:.0%} a year at the reference hashprice "
        f"(${reference:,.2f}/PH/day) and {side} it: here {first:,.1f} → {last:,.1f} EH/s "
        f"over {days} days, {yearly:.0%} a year (p50, {name}; docs/industry.md, "
        '"The network")'
    )


def day_zero_notes(data: dict[str, Any]) -> list[str]:
    """The notes on where the run starts (the terminal's ``note:`` lines under the US
    table, and the report's beside its charts), those that apply."""
    found = (carried_network(data), rest_of_world_growth(data), day_zero_delivery(data))
    return [note for note in found if note]


#: Day-0 delivered hashrate below this share of the nameplate gets a note.
DAY_ZERO_DELIVERED_NOTE = 0.9


def day_zero_delivery(data: dict[str, Any]) -> str | None:
    """When the operators deliver well below their nameplate on day 0: machines down for
    repairs, and the fleets that switch off machines earning less than their power at
    the day-0 hashprice — with the groups of lowest availability at 3 months."""
    scenarios = data.get("scenarios") or {}
    name = "baseline" if "baseline" in scenarios else next(iter(scenarios), None)
    operators = data.get("operators") or []
    if name is None or not operators:
        return None
    scenario = scenarios[name]
    us = scenario["us"]
    nameplate = sum(op["nameplate_ehs"] for op in operators)
    delivered = us["hashrate_ehs"]["p50"][0]
    if nameplate <= 0 or delivered >= DAY_ZERO_DELIVERED_NOTE * nameplate:
        return None
    lowest = sorted((g["availability"]["3m"]["p50"], name)
                    for name, g in (scenario.get("groups") or {}).items()
                    if g.get("availability", {}).get("3m"))[:2]  # fmt: skip
    low = ", ".join(f"{name} {share:.0%}" for share, name in lowest)
    # Without network feedback there is no shared hashprice: each member has its own.
    shared = us.get("hashprice_usd_per_ph_day")
    price = f" (${shared['p50'][0]:,.2f}/PH/day)" if shared else ""
    unit, scale = hashrate_unit(data)
    return (
        f"the operators deliver {delivered * scale:,.1f} of their {nameplate * scale:,.1f} "
        f"{unit} nameplate on "
        f"day 0 ({delivered / nameplate:.0%}): machines down for repairs and, in fleets "
        f"that switch off machines earning less than their power, those off at the day-0 "
        f"hashprice{price}"
        + (f"; lowest availability at 3 months: {low} (p50, {name})" if low else "")
    )


#: A tail below baseline's is explained only when lower by this share of baseline's tail
#: (and at least $0.5): a smaller gap is the paths' noise, not the supply cut.
TAIL_GAP_SHARE = 0.02


def cuts_supply(scenario: dict[str, Any]) -> bool:
    """Whether a scenario's JSON shows a vendor line's supply cut on some day."""
    return any(max(line.get("supply_cut_share") or [0.0]) > 0
               for line in (scenario.get("vendors") or {}).values())  # fmt: skip


def tail_below_baseline(scenario: dict[str, Any], base: dict[str, Any] | None) -> str | None:
    """When a shock that cuts a vendor's supply has a 95th-percentile loss clearly below
    baseline's (``scenario``, ``base``: the scenarios' JSON): why a supply cut can lower
    a lender's tail."""
    lender, base_lender = scenario.get("lender"), (base or {}).get("lender")
    if lender is None or base_lender is None or base_lender is lender:
        return None
    gap = base_lender["loss_p95_usd"] - lender["loss_p95_usd"]
    if not cuts_supply(scenario) or gap < max(0.5, TAIL_GAP_SHARE * base_lender["loss_p95_usd"]):
        return None
    return (
        "a tail below baseline's: while a vendor's supply is cut, used machines are "
        "worth more, so the machines that LTV covenants test are too — docs/industry.md"
    )


def worst_days(data: dict[str, Any]) -> str | None:
    """Per shock, the lowest 5th percentile of its US Δ-base band over the days (EH/s) and
    that day: a short outage (a remote disable) that the checkpoints and the last day
    miss; ``None`` when no shock goes below baseline."""
    said = []
    unit, scale = hashrate_unit(data)
    for name, scenario in data["scenarios"].items():
        low = (scenario["us"].get("hashrate_ehs_vs_baseline") or {}).get("p5") or []
        # a loss that rounds to nothing as printed is noise, not a worst day
        if name != "baseline" and low and signed(min(low) * scale).startswith("-"):
            said.append(f"{name} {signed(min(low) * scale)} on day {low.index(min(low))}")
    if not said:
        return None
    return f"worst day (5th percentile of the US {unit} less baseline's): " + "; ".join(said)
