"""Probe hosts with pyasic: identify each miner, read its status, check its exposure.

Every host gets one time budget (``ScanOptions.timeout_s``, seconds) for the
whole probe; at most ``ScanOptions.concurrency`` hosts are probed at once.
A host that fails in any way yields a :class:`MachineRecord` with a status and
a message, never an exception. pyasic is imported lazily (it is slow to import
and configures logging), and its global timeouts are set for the scan and
restored afterwards.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import warnings
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from hashshock.inputs.catalog import Catalog, bundled_catalog
from hashshock.inputs.errors import InputError
from hashshock.scan.budget import closable_connections, within
from hashshock.scan.catalog_map import ModelMatcher
from hashshock.scan.credentials import Credentials
from hashshock.scan.issues import firmware_label, known_issues
from hashshock.scan.records import MachineRecord
from hashshock.scan.rpc import chains_from_stats, privileged_result, reported_model, rpc_call
from hashshock.scan.webcheck import check_default_login

log = logging.getLogger(__name__)

_DATA_ITEMS = [
    "hashrate", "expected_hashrate", "hashboards", "fans", "errors", "uptime", "mac",
    "serial_number", "fw_ver", "api_ver", "hostname", "is_mining",
]  # fmt: skip


@dataclass(frozen=True)
class ScanOptions:
    """How to scan. ``timeout_s`` is the whole budget for one host, in seconds."""

    timeout_s: float = 15.0
    concurrency: int = 32
    credentials: Credentials = field(default_factory=Credentials)
    check_privileged_api: bool = True
    check_default_login: bool = True
    web_port: int = 80
    site: str = ""

    def __post_init__(self) -> None:
        # As the command line bounds them (``hashshock scan --help``): from Python a NaN
        # budget raised deep in the probe, and 0 made every host a timeout.
        bounds = (("timeout_s", self.timeout_s, 1.0, 600.0, "seconds"),
                  ("concurrency", self.concurrency, 1, 1024, "hosts"),
                  ("web_port", self.web_port, 1, 65_535, "a TCP port"))  # fmt: skip
        for name, value, low, high, unit in bounds:
            whole = name != "timeout_s"
            number = isinstance(value, int | float) and not isinstance(value, bool)
            if not (number and low <= value <= high and (not whole or value == int(value))):
                raise InputError(None, name, f"{value!r} is not {low:g} to {high:g} {unit}",
                                 f"give {'a whole number ' if whole else ''}from {low:g} to "
                                 f"{high:g}")  # fmt: skip

    @property
    def step_timeout_s(self) -> float:
        """Budget for one extra request of our own (diagnosis, checks), seconds: a fifth of
        the host's (3 s at the default 15 s; a longer ``--timeout`` waits longer for a slow
        miner, as its help says)."""
        return max(0.5, self.timeout_s / 5)

    @property
    def pyasic_timeout_s(self) -> int:
        """pyasic's ``factory_get_timeout`` (whole seconds; detection takes 2-3 of them):
        a fifth of the host's budget, as :attr:`step_timeout_s`."""
        return max(1, int(self.timeout_s / 5))


#: A miner's hashrate reading above this multiple of its model's nameplate is taken as
#: unknown (overclocked machines run at 1.2–1.4×; 3× is no machine of the model).
MAX_READING_SHARE = 3.0


def hashrate_ths(value: object) -> float | None:
    """A pyasic hashrate (any unit) or a plain number (TH/s) in TH/s; None for what is
    no hashrate (a miner's reading is untrusted: infinite or negative reads as unknown,
    and ``Infinity`` is not JSON)."""
    if value is None:
        return None
    rate, unit = getattr(value, "rate", None), getattr(value, "unit", None)
    try:
        ths = float(rate) * int(unit) / 1e12 if rate is not None and unit is not None else (
            float(str(value)))  # fmt: skip
    except (ValueError, TypeError, OverflowError):
        return None
    return ths if math.isfinite(ths) and ths >= 0 else None


def seconds(value: object) -> int | None:
    """A miner's uptime in whole seconds, or None when it is no duration (negative,
    infinite, not a number)."""
    try:
        number = float(value)  # type: ignore[arg-type]
    except (ValueError, TypeError):
        return None
    return int(number) if math.isfinite(number) and number >= 0 else None


def _fans(speeds: list[int | None]) -> int | None:
    known = [s for s in speeds if s is not None]
    return sum(1 for s in known if s > 0) if known else None


class _Probe:
    """The steps of one host's probe; ``record`` is filled as it goes."""

    def __init__(self, ip: str, options: ScanOptions, matcher: ModelMatcher) -> None:
        self.ip, self.options, self.matcher = ip, options, matcher
        now = datetime.now(UTC).replace(microsecond=0).isoformat()
        self.record = MachineRecord(ip=ip, site=options.site, scanned_at=now)
        self.step = "identifying"

    async def run(self) -> None:
        import pyasic

        failure = ""
        try:
            miner = await pyasic.get_miner(self.ip)
        except Exception as exc:  # pyasic raises on undecodable replies
            miner, failure = None, f"{type(exc).__name__}"
        if miner is None:
            self.step = "diagnosing"
            await self._diagnose(failure)
            return
        self._identify(miner)
        self.step = "reading data"
        self._fill(await miner.get_data(include=_DATA_ITEMS))
        rec = self.record
        if rec.hashrate_ths is None and not rec.fw_version and not rec.api_version:
            rec.status = "no-data"
            rec.message = f"identified as {rec.make or 'a miner'} but returned no readable data"
            return
        await self._model(miner)
        if rec.boards_working is None and rec.make != "WhatsMiner":
            self.step = "reading hashboards"
            await self._boards_from_rpc()
        # The firmware's known issues need nothing from the network: found before the
        # exposure checks, which a slow web interface can run out of the budget.
        issues = known_issues(rec.vendor, rec.model, rec.firmware, rec.fw_version)
        rec.known_issues = tuple(finding.short() for finding in issues)
        self.step = "checking exposure"
        await self._exposure()

    async def _diagnose(self, failure: str) -> None:
        rec, wait = self.record, self.options.step_timeout_s
        reply = await rpc_call(self.ip, "version", wait)
        if reply.kind == "refused":
            rec.status, rec.message = "no-miner", "nothing answers on TCP 4028"
        elif reply.kind == "silent":
            rec.status = "unresponsive"
            rec.message = f"accepts TCP 4028 but sent nothing within {wait:g} s"
        elif reply.kind == "garbage":
            rec.status = "garbage"
            rec.message = f"TCP 4028 answered with non-JSON: {reply.preview()!r}"
        else:
            rec.status = "unrecognised"
            name = reported_model(reply) or "no model named"
            rec.message = f"answers the cgminer API but is not a miner pyasic knows ({name})"
        if failure:
            rec.message += f"; pyasic failed with {failure}"

    def _identify(self, miner: Any) -> None:
        rec = self.record
        rec.make = str(getattr(miner, "make", None) or "")
        rec.firmware = firmware_label(getattr(miner, "firmware", None))
        raw = getattr(miner, "raw_model", None)
        rec.model = str(getattr(raw, "value", raw) or "")
        creds = self.options.credentials
        web, rpc = getattr(miner, "web", None), getattr(miner, "rpc", None)
        if web is not None and creds.username:
            web.username = creds.username
        if web is not None and creds.password:
            web.pwd = creds.password
        if rpc is not None and creds.password and hasattr(rpc, "pwd"):
            rpc.pwd = creds.password

    def _fill(self, data: Any) -> None:
        rec = self.record
        rec.hashrate_ths = hashrate_ths(data.hashrate)
        rec.expected_ths = hashrate_ths(data.expected_hashrate)
        rec.fw_version, rec.api_version = str(data.fw_ver or ""), str(data.api_ver or "")
        rec.uptime_s = seconds(data.uptime) if data.uptime is not None else None
        rec.is_mining = data.is_mining
        rec.mac, rec.serial = str(data.mac or ""), str(data.serial_number or "")
        rec.hostname = str(data.hostname or "")
        rec.errors = tuple(
            str(getattr(err, "error_message", None) or err) for err in data.errors or []
        )
        rec.boards_expected = data.expected_hashboards
        rec.chips_expected = data.expected_chips or None
        rec.fans_expected = data.expected_fans
        boards = list(data.hashboards or [])
        if any(b.chips is not None or b.hashrate is not None for b in boards):
            self._set_boards([(b.chips or 0, hashrate_ths(b.hashrate) or 0.0) for b in boards])
        rec.fans_working = _fans([fan.speed for fan in data.fans or []])

    def _set_boards(self, boards: list[tuple[int, float]]) -> None:
        """Boards as (chips, hashrate in any unit); a board works if it has chips or a
        rate. A negative or NaN figure counts as none (a board of −5 chips took five off
        the fleet's count and counted as present)."""
        rec = self.record
        boards = [(max(int(chips), 0), rate if math.isfinite(rate) and rate > 0 else 0.0)
                  for chips, rate in boards]  # fmt: skip
        rec.chips = sum(chips for chips, _ in boards)
        rec.boards_working = sum(1 for chips, rate in boards if chips > 0 or rate > 0)
        rec.boards_expected = max(rec.boards_expected or 0, len(boards)) or None

    async def _model(self, miner: Any) -> None:
        rec = self.record
        if not rec.model:
            self.step = "reading model"
            command = "devdetails" if rec.make == "WhatsMiner" else "version"
            rec.model = reported_model(
                await rpc_call(self.ip, command, self.options.step_timeout_s)
            )
        spec = self.matcher.match(rec.make, rec.model)
        if spec is None:
            rec.status = "unknown-model"
            rec.vendor = self.matcher.vendor_for_make(rec.make)
            rec.message = f"model '{rec.model or 'unknown'}' is not in the catalogue"
            # no machine of any model makes 3× the catalogue's fastest: no reading
            fastest = max(m.hashrate_ths for m in self.matcher.catalog.models.values())
            self._drop_impossible(MAX_READING_SHARE * fastest)
            return
        rec.slug, rec.vendor, rec.family = spec.slug, spec.vendor, spec.family
        self._drop_impossible(MAX_READING_SHARE * spec.hashrate_ths)
        rec.expected_ths = rec.expected_ths or spec.hashrate_ths
        rec.boards_expected = rec.boards_expected or spec.hashboards
        rec.fans_expected = spec.fans if rec.fans_expected is None else rec.fans_expected

    def _drop_impossible(self, bound_ths: float) -> None:
        """A reading above ``bound_ths`` (an "S19" at 6,200 TH/s) is no reading: it would
        outweigh the rest of the fleet in the audit's shares."""
        rec = self.record
        if rec.hashrate_ths is not None and rec.hashrate_ths > bound_ths:
            rec.hashrate_ths = None
        if rec.expected_ths is not None and rec.expected_ths > bound_ths:
            rec.expected_ths = None

    async def _boards_from_rpc(self) -> None:
        reply = await rpc_call(self.ip, "stats", self.options.step_timeout_s)
        chains = chains_from_stats(reply.data, self.record.boards_expected)
        if chains:
            self._set_boards(chains)

    async def _exposure(self) -> None:
        rec, opts = self.record, self.options
        # "unavailable" until answered: a check the budget cuts short was tried
        if opts.check_privileged_api and rec.make != "WhatsMiner":
            rec.privileged_api = "unavailable"
            reply = await rpc_call(self.ip, "privileged", opts.step_timeout_s)
            rec.privileged_api = privileged_result(reply)
        if opts.check_default_login:
            rec.default_web_login = "unavailable"
            rec.default_web_login = await check_default_login(
                self.ip, rec.make, rec.firmware, opts.web_port, opts.step_timeout_s
            )


async def probe_host(ip: str, options: ScanOptions, matcher: ModelMatcher) -> MachineRecord:
    """Probe one host within ``options.timeout_s``; never raises (bar cancellation)."""
    probe = _Probe(ip, options, matcher)
    rec = probe.record
    try:
        await within(probe.run(), options.timeout_s)
    except TimeoutError:
        late = probe.step == "checking exposure"
        rec.status = rec.status if late else "timeout"
        said = f"no complete answer within {options.timeout_s:g} s (while {probe.step})"
        # late, the probe's own word (an unknown model) stays first
        rec.message = f"{rec.message}; {said}" if late and rec.message else said
    except Exception as exc:
        rec.status = "error"
        rec.message = options.credentials.redact(f"{probe.step}: {type(exc).__name__}: {exc}")
    return rec


async def scan_hosts(
    hosts: Sequence[str],
    options: ScanOptions,
    matcher: ModelMatcher,
    on_result: Callable[[MachineRecord], None] | None = None,
) -> list[MachineRecord]:
    """Probe ``hosts`` with at most ``options.concurrency`` at a time; results in host order."""
    results: list[MachineRecord | None] = [None] * len(hosts)
    queue = iter(enumerate(hosts))

    async def worker() -> None:
        for index, ip in queue:
            results[index] = record = await probe_host(ip, options, matcher)
            if on_result is not None:
                on_result(record)

    await asyncio.gather(*(worker() for _ in range(max(1, min(options.concurrency, len(hosts))))))
    return [r for r in results if r is not None]


class _NotPyasic(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return "pyasic" not in record.pathname


@contextlib.contextmanager
def quiet_pyasic(options: ScanOptions) -> Iterator[None]:
    """Set pyasic's global timeouts for this scan and silence its warnings and logging."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pyasic's pydantic deprecation warnings on import
        from pyasic import settings

    wanted: dict[str, int] = {
        "factory_get_timeout": options.pyasic_timeout_s,
        "factory_get_retries": 1,
        "get_data_retries": 1,
        "api_function_timeout": max(1, min(5, int(options.timeout_s / 3))),
    }
    saved = {key: settings.get(key) for key in wanted}
    root, quiet = logging.getLogger(), _NotPyasic()
    for key, value in wanted.items():
        settings.update(key, value)
    root.addFilter(quiet)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        root.removeFilter(quiet)
        for key, value in saved.items():
            settings.update(key, value)


def _orphan_handler(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
    """pyasic leaves failed helper tasks unawaited; log them at debug level only."""
    log.debug("background task failed: %s", context.get("exception") or context.get("message"))


def run_scan(
    hosts: Sequence[str],
    options: ScanOptions | None = None,
    catalog: Catalog | None = None,
    on_result: Callable[[MachineRecord], None] | None = None,
) -> list[MachineRecord]:
    """Scan ``hosts`` (already expanded IP addresses) and return one record per host."""
    opts = options or ScanOptions()
    matcher = ModelMatcher(catalog or bundled_catalog())

    async def main() -> list[MachineRecord]:
        asyncio.get_running_loop().set_exception_handler(_orphan_handler)
        return await scan_hosts(hosts, opts, matcher, on_result)

    with quiet_pyasic(opts), closable_connections():
        return asyncio.run(main())
