"""Read an industry file into simulated members, each a validated fleet.

An operator given as ``fleet:`` is one member, its fleet file as it is. An operator given
as ``template:`` is the template fleet scaled (:mod:`hashshock.industry.scaling`) to its size;
a class of ``count`` operators is ``simulated`` members whose sizes are the stratified
quantiles of the lognormal ``machines_each`` (member *j* of *n* at probability
(j + ½)/n, rescaled so that their mean is the class mean, or so that the class adds up
to ``total_machines``); each stands for ``count / n`` operators (its ``weight``).
Every problem is an :class:`InputError` naming the industry file, the operator, the
field and the fix. A portfolio loan marked ``new_debt`` is lent on the start date: its
borrowers' finance blocks carry it and their cash its principal (:func:`_lend_new_debt`).
"""

from __future__ import annotations

import dataclasses
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from difflib import SequenceMatcher
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from hashshock.industry.orders import Twin, growth_orders, with_twins
from hashshock.industry.scaling import member_sizes, scale_finance, scaled_fleet_mapping
from hashshock.inputs.catalog import bundled_catalog, vendor_defaults
from hashshock.inputs.errors import (
    InputError,
    check_path_like,
    closest,
    from_validation_error,
    unknown_name_fix,
)
from hashshock.inputs.files import check_is_file, read_yaml_mapping
from hashshock.inputs.fleet import MAX_COHORT_MACHINES, MAX_FLEET_MACHINES
from hashshock.inputs.industry import (
    MAX_ENGINE_PASSES,
    DonorBuyers,
    Industry,
    Operator,
    Portfolio,
    PortfolioLoan,
)
from hashshock.inputs.kinds import check_kind
from hashshock.inputs.load import (
    LoadedFleet,
    check_near_start,
    fleet_from_mapping,
    labelled_as,
    load_fleet,
    plain_numbers,
)

#: A class's ``total_machines`` may differ from count × mean size by at most this factor.
SIZE_TOLERANCE = 2.0


@dataclass(frozen=True)
class Member:
    """One simulated operator: ``weight`` real operators like it (1 for a named one)."""

    name: str  # "cleanspark", or "small-farms#3" for a class member
    group: str  # the operator or class it belongs to
    kind: str
    weight: float
    loaded: LoadedFleet
    twins: tuple[Twin, ...] = ()  # its orders that stand in for cancelled ones
    # its fleet as its operator gave it, when the portfolio lent it new debt (``loaded``
    # then carries the loans in its finance block and their principal in its cash)
    before_debt: LoadedFleet | None = None

    @property
    def own_fleet(self) -> LoadedFleet:
        """The fleet without the portfolio's new debt."""
        return self.before_debt if self.before_debt is not None else self.loaded

    def is_twin(self, order: int) -> bool:
        """Whether the fleet's order ``order`` is a twin (not planned, only redirected)."""
        return any(t.order == order for t in self.twins)


@dataclass(frozen=True)
class LoadedIndustry:
    """A validated industry file and its members, in file order."""

    industry: Industry
    path: Path | None
    members: tuple[Member, ...]
    #: The ``--portfolio`` file that replaced the industry's own portfolio, if any.
    portfolio_file: Path | None = None

    @property
    def groups(self) -> list[str]:
        """Operator and class names, in file order."""
        return [o.name for o in self.industry.operators]

    @property
    def groups_without_finance(self) -> list[str]:
        """Operators and classes whose fleets have no finance block: they never break
        financially (no cash, no covenants), in file order."""
        funded = {m.group for m in self.members if m.loaded.fleet.finance is not None}
        return [name for name in self.groups if name not in funded]

    @property
    def portfolio_warnings(self) -> list[str]:
        """Portfolio loans worth a line, once each: loans that cannot default (on an
        operator without a finance block, which never breaks financially; one matured by
        the start date is refused, :func:`_check_maturities`); and loans not marked
        ``new_debt`` that cannot be the borrower's own debt (larger than all the loans its
        finance block carries: nobody pays them) or may be counted twice (beside its own
        loans, ``operators_own_loans``)."""
        out = []
        portfolio = self.industry.portfolio
        for i, loan in enumerate(portfolio.loans):
            if loan.new_debt:
                continue  # checked when lent (:func:`_lend_new_debt`)
            where = (f"{self.portfolio_file}: {portfolio.loan_field(i)}"
                     if self.portfolio_file is not None
                     else f"portfolio {portfolio.loan_field(i)}")  # fmt: skip
            borrowers = [m for m in self.members if m.group == loan.borrower]
            finances = [m.own_fleet.fleet.finance for m in borrowers]
            if all(f is None for f in finances):
                out.append(f"{where}: {loan.borrower} has no finance block, so it never "
                           "breaks financially and the loan never defaults — give its fleet "
                           "a finance: block")  # fmt: skip
                continue
            carried = max(sum(own.principal_usd for own in f.loans) for f in finances if f)
            if loan.principal_usd > carried:
                count = next(o.count for o in self.industry.operators if o.name == loan.borrower)
                total = loan.principal_usd * count
                each = f" (lent to each of its {count:,} operators: ${total:,.0f} in all)"
                share = "give each operator's share if it is the whole class's, or "
                out.append(f"{where}: ${loan.principal_usd:,.0f} to {loan.borrower}"
                           f"{each if count > 1 else ''} is more than the ${carried:,.0f} of "
                           "loans its finance block carries (an operator's), so its borrower "
                           "does not pay it and its size and rate do not change whether the "
                           f"borrower defaults — {share if count > 1 else ''}mark it "
                           "new_debt: true (docs/industry.md, Who pays the loan)")  # fmt: skip
            elif portfolio.operators_own_loans and carried > 0:
                out.append(f"{where}: {loan.borrower}'s own loans are in the portfolio too "
                           "(operators_own_loans: true); if this loan is one of them it is "
                           "counted twice — drop it, or set operators_own_loans: "
                           "false")  # fmt: skip
        return out

    @property
    def kind_warnings(self) -> list[str]:
        """Operator kinds spelt like a kind more operators use (``large-publik``): a kind
        labels its operators (``operators[].kind`` in the JSON), so a typo mislabels one."""
        operators = self.industry.operators
        kinds = [o.kind for o in operators]
        out = []
        for i, operator in enumerate(operators):
            kind = operator.kind
            for other in dict.fromkeys(kinds):
                more = kinds.count(other) > kinds.count(kind) or (
                    kinds.count(other) == kinds.count(kind) and kinds.index(other) < i
                )
                if other != kind and more and SequenceMatcher(None, kind, other).ratio() >= 0.8:
                    out.append(f"operators[{i}] ({operator.name}): kind '{kind}' is spelt like "
                               f"'{other}', another operator's, and labels it apart in the "
                               "JSON — check its spelling")  # fmt: skip
                    break
        return out

    @property
    def line_warnings(self) -> list[str]:
        """Vendor lines that sell nothing to US buyers (no capacity, or a US share of 0):
        the operators' orders of their models wait to the horizon's end."""
        return [
            f"vendor_lines[{i}] ({line.name}): sells nothing to US buyers (capacity "
            f"{line.capacity_ehs_per_year:g} EH/s a year × US share {line.us_share:g}): "
            f"orders of {line.vendor}'s machines wait to the horizon's end"
            for i, line in enumerate(self.industry.vendor_lines)
            if line.capacity_ehs_per_year * line.us_share <= 0
        ]

    @property
    def growth_warnings(self) -> list[str]:
        """Growth above 100 % a year, which a share written as a percentage gives (``5``
        for 5 %): accepted (the network has grown faster), but said."""
        industry = self.industry
        rates = [("rest_of_world.growth_per_year", industry.rest_of_world.growth_per_year)]
        rates += [(f"operators[{i}] ({op.name}).growth.share_per_year", op.growth.share_per_year)
                  for i, op in enumerate(industry.operators) if op.growth is not None]  # fmt: skip
        return [
            f"{field}: {rate:g} is {rate:.0%} a year — growth is a fraction of a year's "
            f"start (0.05 for 5 %); keep it if you mean it"
            for field, rate in rates
            if rate is not None and rate > 1
        ]

    @property
    def warnings(self) -> list[str]:
        """Everything accepted but worth saying, one line each."""
        return (self.kind_warnings + self.portfolio_warnings + self.line_warnings
                + self.growth_warnings)  # fmt: skip

    def machines(self) -> float:
        """Machines the members stand for (weighted)."""
        return sum(m.weight * m.loaded.machines for m in self.members)

    def nameplate_ths(self) -> float:
        """Nameplate TH/s the members stand for (weighted)."""
        return sum(m.weight * m.loaded.nameplate_ths for m in self.members)


def bundled_industries() -> dict[str, Path]:
    """The industries shipped with hashshock, by name (``us``)."""
    root = Path(str(resources.files("hashshock") / "data" / "industry"))
    return {p.parent.name: p for p in sorted(root.glob("*/industry.yaml"))}


def bundled_templates() -> dict[str, Path]:
    """The bundled industries' template fleets by name (``small-farm``, ``hosted-client``
    …): an industry file may name one as its ``template:``."""
    return {p.stem: p for root in bundled_industries().values()
            for p in sorted((root.parent / "templates").glob("*.yaml"))}  # fmt: skip


class _Reader:
    """Reads one industry file's operators, with errors that name the operator."""

    def __init__(self, industry: Industry, path: Path | None) -> None:
        self.industry = industry
        self.path = path
        # relative files from the real file's folder when it is a symbolic link
        self.base = path.resolve().parent if path is not None else Path.cwd()

    def fail(self, i: int, field: str, problem: str, fix: str) -> InputError:
        name = self.industry.operators[i].name
        return InputError(self.path, f"operators[{i}] ({name}).{field}", problem, fix)

    def _file(self, i: int, field: str, name: str) -> Path:
        """``name`` relative to the industry file; else, for a template, a bundled one by
        name (``small-farm``: :func:`bundled_templates`)."""
        file = self.base / name
        bundled = bundled_templates()
        if not file.exists() and field == "template" and name in bundled:
            return bundled[name]
        if not file.is_file():
            problem = "is a folder, not a fleet file" if file.is_dir() else "not found"
            raise self.fail(i, field, f"{file} {problem}",
                            "give a fleet YAML file, relative to the industry file"
                            + (f", or a bundled template ({', '.join(bundled)})"
                               if field == "template" else ""))  # fmt: skip
        return file

    def _fleet(self, i: int, field: str, read: Any) -> LoadedFleet:
        """``read()`` with the fleet's own errors reported under this operator: a file's
        of the user's in that file; a bundled template's — scaled to the operator's size
        and moved to the industry's start date, a file the user does not edit — in the
        industry file, with what in the operator to change."""
        try:
            loaded: LoadedFleet = read()
        except InputError as exc:
            op = self.industry.operators[i]
            name = op.name
            if (
                field == "template"
                and op.finance is not None
                and (exc.field or "").startswith("finance")
            ):  # the operator's own finance: in the industry file, which gave it
                raise self.fail(i, str(exc.field), exc.problem, exc.fix) from None
            bundled = {str(path) for path in bundled_templates().values()}
            if field != "template" or str(exc.file) not in bundled:
                field_text = f"operator {name} ({field}): {exc.field or 'fleet'}"
                raise InputError(exc.file, field_text, exc.problem, exc.fix) from None
            template = Path(str(exc.file)).name if exc.file else "the template"
            raise self.fail(
                i, "template", f"{template} scaled to this operator on "
                f"{self.industry.start_date}: {exc.field or 'fleet'}: {exc.problem}",
                f"{exc.fix}; or change the operator's size (hashrate_ehs, machines), the "
                "start_date, or give it a finance: of its own" if exc.fix else
                "change the operator's size (hashrate_ehs, machines), the start_date, or "
                "give it a finance: of its own",
            ) from None  # fmt: skip
        return loaded

    def members(self, i: int) -> list[Member]:
        op = self.industry.operators[i]
        start = self.industry.start_date
        if op.fleet is not None:
            file = self._file(i, "fleet", op.fleet)
            loaded = self._fleet(i, "fleet", lambda: load_fleet(file))
            if loaded.fleet.start_date != start:
                raise self.fail(
                    i, "fleet", f"{file} starts on {loaded.fleet.start_date}, the industry on "
                    f"{start}", f"set start_date: {start} in the fleet file (or use it as a "
                    "template:, which takes the industry's start date)",
                )  # fmt: skip
            return [
                self._member(
                    i,
                    op.name,
                    1.0,
                    loaded.fleet.model_dump(mode="json", exclude_unset=True),
                    file,
                    loaded,
                )
            ]
        assert op.template is not None
        file = self._file(i, "template", op.template)
        template = self._fleet(i, "template", lambda: load_fleet(file))
        if template.machines == 0:
            raise self.fail(i, "template", f"{file} has no machines",
                            "give a template fleet with cohorts")  # fmt: skip
        if op.machines_each is not None:
            self._check_class(i, op)
            sizes = member_sizes(op)
            weight = op.count / len(sizes)
            names = [f"{op.name}#{j + 1}" for j in range(len(sizes))] if op.count > 1 else [op.name]
        else:
            if op.hashrate_ehs is not None:
                factor = op.hashrate_ehs * 1e6 / template.nameplate_ths
                if template.machines * factor < 0.5:
                    each = template.nameplate_ths / template.machines
                    raise self.fail(i, "hashrate_ehs",
                                    f"{op.hashrate_ehs:g} EH/s is less than one machine of "
                                    f"{file} ({each:,.0f} TH/s)",
                                    "check the units: EH/s, 1 EH/s = 1,000,000 TH/s")  # fmt: skip
                sizes = [round(template.machines * factor)]
            else:
                assert op.machines is not None
                sizes = [op.machines]
            weight, names = 1.0, [op.name]
        self._check_scaled(i, op, template, max(sizes), file)
        out = []
        for name, size in zip(names, sizes, strict=True):
            factor = size / template.machines
            data = scaled_fleet_mapping(template.fleet, factor)
            data["name"] = name
            data["start_date"] = start.isoformat()
            if op.finance is not None:
                # A class's finance is that of an operator of its mean size: each member's
                # scales with its size, as a template's does (a named operator's is its own).
                own = op.finance.model_dump(mode="json", exclude_unset=True)
                mean = op.mean_machines
                data["finance"] = own if mean is None else scale_finance(own, size / mean)
            given = template.fleet.finance.model_fields_set if template.fleet.finance else set()
            dropped = sorted(given - set(data.get("finance") or {}))
            if not data["cohorts"]:
                raise self.fail(i, "machines_each" if op.machines_each else "machines",
                                f"{size} machines scale every cohort of {file} to 0",
                                "give a larger size or a smaller template")  # fmt: skip
            loaded = self._fleet(i, "template", lambda d=data: fleet_from_mapping(d, file))
            if op.finance is not None and dropped:  # an override replaces it whole: said
                loaded = replace(loaded, warnings=(*loaded.warnings, (
                    f"its finance: replaces {file.name}'s whole: the template's "
                    f"{', '.join(dropped)} are not used — give them in its finance: to keep "
                    "them")))  # fmt: skip
            out.append(self._member(i, name, weight, data, file, loaded))
        return out

    def _check_scaled(self, i: int, op: Operator, template: LoadedFleet, size: int,
                      file: Path) -> None:  # fmt: skip
        """Refuse a size that scales a cohort of the template past one cohort's limit, or
        the fleet past one fleet's, naming the operator's size and the largest that fits
        (the scaled fleet's own error named a cohort count the user never wrote)."""
        largest_cohort = max(c.count for c in template.fleet.cohorts)
        fits = min(template.machines * MAX_COHORT_MACHINES / largest_cohort,
                   float(MAX_FLEET_MACHINES))  # fmt: skip
        if size <= fits:
            return
        most = int(fits)
        field = ("hashrate_ehs" if op.hashrate_ehs is not None
                 else "machines" if op.machines is not None else "machines_each")  # fmt: skip
        if field == "hashrate_ehs":
            ehs = math.floor(most * template.nameplate_ths / template.machines / 1e6 * 10) / 10
            limit = f"{ehs:,g} EH/s"
        else:
            limit = f"{most:,} machines" + (" a member" if field == "machines_each" else "")
        raise self.fail(
            i, field, f"{size:,} machines of {file.name} would put "
            + (f"{round(largest_cohort * size / template.machines):,} in its largest cohort, "
               f"more than one cohort holds ({MAX_COHORT_MACHINES:,})"
               if size * largest_cohort / template.machines > MAX_COHORT_MACHINES
               else f"more than one fleet holds ({MAX_FLEET_MACHINES:,})"),
            f"use at most {limit}, or split the operator in two",
        )  # fmt: skip

    def _member(
        self, i: int, name: str, weight: float, data: dict[str, Any], file: Path,
        loaded: LoadedFleet,
    ) -> Member:  # fmt: skip
        """The member, its fleet with the operator's planned growth and the twins of
        orders other vendors take when a scenario cancels them."""
        op = self.industry.operators[i]
        orders = list(data.get("orders", []))
        if op.growth is not None:
            loaded.catalog.get(
                op.growth.model, self.path, f"operators[{i}] ({op.name}).growth.model"
            )
            sites = [s.name for s in loaded.fleet.sites]
            if op.growth.site is not None and op.growth.site not in sites:
                raise self.fail(i, "growth.site",
                                f"site '{op.growth.site}' is not a site of {file}",
                                unknown_name_fix(op.growth.site, sites, "site"))  # fmt: skip
            site = sites[0]
            planned = growth_orders(op.growth, self.industry.start_date, site,
                                    loaded.nameplate_ths, loaded.catalog)  # fmt: skip
            if planned and planned[0]["count"] > MAX_COHORT_MACHINES:
                raise self.fail(i, "growth", f"each order would be {planned[0]['count']:,} "
                                f"machines, more than one order holds ({MAX_COHORT_MACHINES:,})",
                                "order more often (every_months), or less")  # fmt: skip
            orders += planned
        orders, twins = with_twins(orders, self.industry, loaded.catalog)
        finance = with_donor_buyers(data.get("finance"), self.industry.donor_buyers)
        start = self.industry.pipelines_at_start
        restart = start is not None and "pipelines_at_start" not in data
        if (len(orders) != len(data.get("orders", [])) or finance is not data.get("finance")
                or restart):  # fmt: skip
            data = {**data, "orders": orders}
            if finance is not None:
                data["finance"] = finance
            if restart:
                data["pipelines_at_start"] = start
            field = "growth" if op.growth is not None else "fleet"
            loaded = self._fleet(i, field, lambda: fleet_from_mapping(data, file))
        return Member(name, op.name, op.kind, weight, loaded, twins)

    def _check_class(self, i: int, op: Operator) -> None:
        each = op.machines_each
        assert each is not None
        mean = each.mean if each.mean is not None else op.mean_machines
        assert mean is not None
        if mean < 1:  # members hold whole machines: each would be rounded up to one
            raise self.fail(i, "total_machines", f"{op.total_machines:,} machines cannot "
                            f"make {op.count:,} operators of at least one machine each",
                            "check total_machines for a missing digit, or count for an "
                            "extra one")  # fmt: skip
        claimed = op.count * mean
        if claimed > MAX_FLEET_MACHINES:
            raise self.fail(i, "count", f"{op.count:,} × {mean:,.0f} machines = "
                            f"{claimed:,.0f}, more than the whole network has",
                            "check count, machines_each.mean and total_machines for extra "
                            "zeros")  # fmt: skip
        total = op.total_machines
        if total is not None and total > MAX_FLEET_MACHINES:
            raise self.fail(i, "total_machines", f"{total:,} machines is more than the whole "
                            "network has", f"check it for extra zeros (at most "
                            f"{MAX_FLEET_MACHINES:,} machines in a class)")  # fmt: skip
        if total is not None and not claimed / SIZE_TOLERANCE <= total <= claimed * SIZE_TOLERANCE:
            example = (f"e.g. machines_each.mean: {total / op.count:,.0f}" if total >= op.count
                       else f"{op.count:,} operators have at least {op.count:,} machines: check "
                       "total_machines for a missing digit")  # fmt: skip
            raise self.fail(
                i, "total_machines",
                f"the class cannot add up: {op.count:,} operators of {mean:,.0f} machines "
                f"on average make {claimed:,.0f}, not {total:,}",
                f"make count × machines_each.mean agree with total_machines (within a factor "
                f"{SIZE_TOLERANCE:g}), {example}",
            )  # fmt: skip


def with_donor_buyers(finance: Any, buyers: DonorBuyers | None) -> Any:
    """A member's finance mapping with the industry's donor buyers' rule, unless it has no
    finance block (no money to buy with) or its fleet sets ``donor_machines`` itself
    (``finance`` itself, unchanged)."""
    if buyers is None or not isinstance(finance, dict):
        return finance
    policy = finance.get("replacement") or {}
    if "donor_machines" in policy:
        return finance
    rule = {"donor_machines": True, "donor_share": buyers.share,
            "donor_review_days": buyers.review_days}  # fmt: skip
    return {**finance, "replacement": {**policy, **rule}}


def _check_vendor_lines(industry: Industry, path: Path | None) -> None:
    vendors = sorted(vendor_defaults())
    catalog = bundled_catalog()

    def vendor_known(field: str, vendor: str) -> None:
        if vendor not in vendors:
            raise InputError(path, field, f"unknown vendor '{vendor}'",
                             unknown_name_fix(vendor, vendors, "vendor"))  # fmt: skip

    for i, line in enumerate(industry.vendor_lines):
        where = f"vendor_lines[{i}] ({line.name})"
        vendor_known(f"{where}.vendor", line.vendor)
        for key in ("start_date", "full_date"):
            day = getattr(line, key)
            if day is not None:
                check_near_start(day, industry.start_date, path, f"{where}.{key}")
        if line.components_from is not None:
            vendor_known(f"{where}.components_from", line.components_from)
        if line.model is not None:
            spec = catalog.get(line.model, path, f"{where}.model")
            if spec.vendor != line.vendor:
                raise InputError(path, f"{where}.model", f"{line.model} is made by "
                                 f"{spec.vendor}, not {line.vendor}",
                                 f"give a {line.vendor} model (hashshock catalog)")  # fmt: skip
    if industry.redirect is not None:
        for vendor in industry.redirect.from_vendors:
            vendor_known("redirect.from_vendors", vendor)


def _check_maturities(portfolio: Portfolio, start: date, path: Path | None, where: str) -> None:
    """Refuse a portfolio loan that matures by the start date: repaid before the run, it
    can neither default nor pay interest (a fleet's own such loan is refused too).
    ``where`` prefixes the field (``portfolio.`` in an industry file)."""
    for i, loan in enumerate(portfolio.loans):
        field = f"{where}{portfolio.loan_field(i)}.maturity_date"
        if loan.maturity_date <= start:
            raise InputError(path, field, f"{loan.maturity_date} is not after the start "
                             f"({start})", "drop a loan already repaid, or give its real "
                             "maturity date")  # fmt: skip
        check_near_start(loan.maturity_date, start, path, field)


#: A new loan more than this many times what its borrower has (cash and machines at new
#: prices) is refused: no lender lends it, and a principal with extra zeros would make
#: the lender's expected loss hundreds of billions.
NEW_DEBT_MOST_TIMES_WORTH = 10.0


def _check_loan_size(loan: PortfolioLoan, members: Sequence[Member], path: Path | None,
                         field: str) -> None:  # fmt: skip
    """Refuse ``loan`` (new debt or not: a lender's loss is read on it either way) when its
    principal is more than :data:`NEW_DEBT_MOST_TIMES_WORTH` times what the largest of its
    borrower's operators has: cash and its machines at new prices
    (data/machine_prices.csv)."""
    from hashshock.finance.data import machine_prices

    prices = machine_prices()

    def worth(fleet: LoadedFleet) -> float:
        cash = fleet.fleet.finance.cash_usd if fleet.fleet.finance is not None else 0.0
        return cash + sum(c.count * fleet.model_of(c.model).hashrate_ths * prices.get(c.model, 0.0)
                          for c in fleet.fleet.cohorts)  # fmt: skip

    borrowers = [m for m in members if m.group == loan.borrower]
    most = max((worth(m.own_fleet) for m in borrowers), default=0.0)
    if most <= 0 or loan.principal_usd <= NEW_DEBT_MOST_TIMES_WORTH * most:
        return
    each = " each operator of" if sum(m.weight for m in borrowers) > 1 else ""
    raise InputError(
        path, f"{field}.principal_usd", f"${loan.principal_usd:,.0f} lent to{each} "
        f"{loan.borrower} is {loan.principal_usd / most:,.0f} times what it has (${most:,.0f}: "
        "cash and machines at new prices" + (", its largest operator" if each else "") + ")",
        f"check principal_usd for extra zeros (at most {NEW_DEBT_MOST_TIMES_WORTH:g} times "
        "what the borrower has; a class's loan is each operator's)",
    )  # fmt: skip


def _lend_new_debt(
    members: Sequence[Member], portfolio: Portfolio, start: date, path: Path | None,
    where: str,
) -> tuple[Member, ...]:  # fmt: skip
    """``members`` with the portfolio's ``new_debt`` loans lent on ``start``: each
    borrower's (each member of a borrowing class) finance block gains the loan and, for
    ``proceeds: cash``, its cash the principal, and its covenants the loan's; what an
    earlier portfolio lent is taken back first. ``where`` prefixes the loans' field names
    in errors (``portfolio.`` in an industry file)."""
    for i, (_, loan) in enumerate(portfolio.named_loans()):  # every loan: typos in any
        _check_loan_size(loan, members, path, f"{where}{portfolio.loan_field(i)}")
    lent = [(i, name, loan) for i, (name, loan) in enumerate(portfolio.named_loans())
            if loan.new_debt]  # fmt: skip
    out = []
    for member in members:
        own = member.own_fleet
        mine = [(i, name, loan) for i, name, loan in lent if loan.borrower == member.group]
        if not mine:
            out.append(dataclasses.replace(member, loaded=own, before_debt=None))
            continue
        finance = own.fleet.finance
        # covenant names taken, the borrower's and those lent before in this portfolio
        taken = set() if finance is None else {cov.name for cov in finance.covenants}
        for i, name, loan in mine:
            field = f"{where}{portfolio.loan_field(i)}.new_debt"
            if finance is None:
                raise InputError(path, field, f"{member.group} has no finance block: no cash "
                                 "to pay a new loan from, nor covenants it could breach",
                                 "give its fleet a finance: block (cash_usd, loans, "
                                 "covenants), or set new_debt: false")  # fmt: skip
            if any(own_loan.name == name for own_loan in finance.loans):
                raise InputError(path, field, f"{member.group}'s finance block already has "
                                 f"a loan named {name}",
                                 "give the portfolio loan another name: (name: …)")  # fmt: skip
            for j, covenant in enumerate(loan.covenants):
                if covenant.name in taken:
                    raise InputError(path, f"{where}{portfolio.loan_field(i)}.covenants[{j}].name",
                                     f"{member.group}'s finance block (or another loan "
                                     f"lent to it here) has a covenant named "
                                     f"{covenant.name}",
                                     "give the lender's covenant another name")  # fmt: skip
                taken.add(covenant.name)
        assert finance is not None
        finance = finance.model_copy(update={
            "cash_usd": finance.cash_usd
            + sum(loan.principal_usd for _, _, loan in mine if loan.proceeds == "cash"),
            "loans": [*finance.loans, *(loan.terms(name) for _, name, loan in mine)],
            "covenants": [*finance.covenants,
                          *(cov for _, name, loan in mine for cov in loan.tests(name))],
        })  # fmt: skip
        fleet = own.fleet.model_copy(update={"finance": finance})
        loaded = dataclasses.replace(own, fleet=fleet, checked_as="")
        out.append(dataclasses.replace(member, loaded=loaded, before_debt=own))
    return tuple(out)


def _with_entry_name(error: InputError, data: dict[str, Any]) -> InputError:
    """``error`` with the entry's name after its index (``operators[3] (mara).count``,
    ``vendor_lines[1] (mbt).capacity_ehs_per_year``), as the checks after validation give
    it, when the file names that operator or line."""
    found = re.match(r"(operators|vendor_lines)\[(\d+)\]", error.field or "")
    entries = data.get(found.group(1)) if found is not None else None
    if found is None or not isinstance(entries, list):
        return error
    index = int(found.group(2))
    entry = entries[index] if index < len(entries) else None
    name = entry.get("name") if isinstance(entry, dict) else None
    if not isinstance(name, str):
        return error
    field = f"{found.group(0)} ({name}){(error.field or '')[found.end() :]}"
    return InputError(error.file, field, error.problem, error.fix)


def industry_from_mapping(data: dict[str, Any], path: Path | None = None) -> LoadedIndustry:
    """Validate a parsed industry mapping and read its fleets (``path`` places relative
    file names and is named in messages)."""
    data = plain_numbers(data)
    try:
        industry = Industry.model_validate(data)
    except ValidationError as exc:
        raise _with_entry_name(from_validation_error(exc, path, Industry), data) from None
    _check_vendor_lines(industry, path)
    reader = _Reader(industry, path)
    members = [m for i in range(len(industry.operators)) for m in reader.members(i)]
    _check_maturities(industry.portfolio, industry.start_date, path, "portfolio.")
    lent = _lend_new_debt(members, industry.portfolio, industry.start_date, path, "portfolio.")
    loaded = LoadedIndustry(industry, path, lent)
    if loaded.machines() > MAX_FLEET_MACHINES:
        raise InputError(path, "operators", f"{loaded.machines():,.0f} machines in all is more "
                         "than the whole network has",
                         "check counts and sizes for extra zeros")  # fmt: skip
    return loaded


def with_portfolio(
    loaded: LoadedIndustry, source: str | Path | Mapping[str, Any]
) -> LoadedIndustry:
    """``loaded`` with the lender's portfolio of ``source`` (a YAML file or a mapping of
    its fields: ``loans:`` and/or ``operators_own_loans:``, as an industry file's
    ``portfolio:``, with or without that key) instead of its own."""
    if isinstance(source, Mapping):
        with labelled_as("portfolio"):  # errors name it where a file would be
            return _with_portfolio(loaded, plain_numbers(dict(source)), None)
    path = check_path_like(source, "portfolio", "give the path of a portfolio YAML file, or "
                           "a mapping of its fields")  # fmt: skip
    check_is_file(path, "portfolio file", "give a YAML file with loans: (docs/industry.md)")
    return _with_portfolio(loaded, read_yaml_mapping(path), path)


def _with_portfolio(
    loaded: LoadedIndustry, data: dict[str, Any], path: Path | None
) -> LoadedIndustry:
    """:func:`with_portfolio` of ``data``, read from ``path`` (``None``: a mapping)."""
    if set(data) == {"portfolio"} and isinstance(data["portfolio"], dict):
        data = data["portfolio"]  # the block copied with its key from an industry file
    check_kind(data, "portfolio", path or "portfolio")
    try:
        portfolio = Portfolio.model_validate(data)
    except ValidationError as exc:
        raise from_validation_error(exc, path, Portfolio) from None
    if not portfolio.loans and not portfolio.operators_own_loans:
        # it replaces the industry's: an empty one would quietly report no lender at all
        raise InputError(path, None, "has no loans, so there would be no lender to report",
                         "list loans: (docs/industry.md), or set operators_own_loans: "
                         "true")  # fmt: skip
    names = loaded.groups
    for i, loan in enumerate(portfolio.loans):
        if loan.borrower not in names:
            raise InputError(path, f"loans[{i}].borrower",
                             f"'{loan.borrower}' is not an operator of {loaded.industry.name}",
                             unknown_name_fix(loan.borrower, names, "operator"))  # fmt: skip
    industry = loaded.industry.model_copy(update={"portfolio": portfolio})
    _check_maturities(portfolio, industry.start_date, path, "")
    members = _lend_new_debt(loaded.members, portfolio, industry.start_date, path, "")
    return dataclasses.replace(loaded, industry=industry, members=members, portfolio_file=path)


def with_engine_passes(loaded: LoadedIndustry, passes: int, option: str = "engine_passes"
                       ) -> LoadedIndustry:  # fmt: skip
    """``loaded`` with its engines run ``passes`` times (the industry file's
    ``engine_passes``); bad values raise :class:`InputError` naming ``option``."""
    if (
        isinstance(passes, bool)
        or not isinstance(passes, int)
        or not (1 <= passes <= MAX_ENGINE_PASSES)
    ):
        raise InputError(None, option, f"{passes!r} is not a number of passes from 1 to "
                         f"{MAX_ENGINE_PASSES}", "give 2 to steer the engines by the shared "
                         "network (docs/industry.md), 1 for one pass")  # fmt: skip
    if passes > 1 and not loaded.industry.network_feedback:
        raise InputError(loaded.path, option, "more than one pass needs the shared network, "
                         "which network_feedback: false turns off",
                         "give 1, or set network_feedback: true")  # fmt: skip
    industry = loaded.industry.model_copy(update={"engine_passes": int(passes)})
    return dataclasses.replace(loaded, industry=industry)


def load_industry(ref: str | Path | None = None) -> LoadedIndustry:
    """Read an industry file, or a bundled industry by name (``None``: ``us``)."""
    bundled = bundled_industries()
    if ref is None or (isinstance(ref, str) and ref in bundled):
        file = bundled[ref or "us"]
    else:
        file = Path(ref).expanduser()
        # a name, not a file: "US" or "uss" for the bundled "us"
        near = closest(str(ref).lower(), list(bundled)) if not file.suffix else []
        if isinstance(ref, Path) and str(ref) in bundled and not file.exists():
            fix = f"give the bundled industry's name as text ('{ref}'), not a Path"
        elif near:
            fix = f"did you mean {', '.join(near)}? (a bundled industry; or give a YAML file)"
        else:
            fix = f"give a YAML file or a bundled industry ({', '.join(bundled)})"
        check_is_file(file, "industry file", fix)
    return industry_from_mapping(read_yaml_mapping(file, "industry"), file)
