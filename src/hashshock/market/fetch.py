"""Fetch a fresh network snapshot from a public mempool.space-style REST API.

Endpoints read (all public, no key; relative to the base URL, default
``https://mempool.space``):

=================================  ==============================================
``/api/v1/prices``                 ``{"time": unix s, "USD": price}``
``/api/v1/mining/hashrate/1w``     ``{"hashrates": [{"timestamp", "avgHashrate"}],
                                   "currentHashrate": H/s, "currentDifficulty": D}``
``/api/blocks/tip/height``         the tip height as plain text
``/api/v1/mining/reward-stats/N``  ``{"totalReward": sats, "totalFee": sats, ...}``
                                   over the last N = 1008 blocks (~7 days); the
                                   reward includes the fees
=================================  ==============================================

The snapshot's hashrate is the mean of the week's ``avgHashrate`` values (a
7-day mean, like the bundled one), falling back on ``currentHashrate``; the
fee share is ``totalFee / totalReward``. Every value is checked before anything
is written — finite, positive, within a plausible range, dated no later than today —
and any failure raises :class:`FetchError` with a one-line reason. ``timeout`` bounds
each read, and the whole fetch (4 requests) is given up after :data:`READS_PER_FETCH` ×
``timeout``, however slowly a server trickles its answer. A URL that is not an
``http(s)://`` address is refused before anything is sent (:class:`InputError`).
"""

from __future__ import annotations

import datetime as dt
import json
import math
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import urlsplit

from hashshock.inputs.errors import InputError

if TYPE_CHECKING:  # httpx and the snapshot model load when a fetch starts
    import httpx

    from hashshock.market.snapshot import NetworkSnapshot

DEFAULT_URL = "https://mempool.space"
REWARD_BLOCKS = 1008
USER_AGENT = "hashshock (data update)"
#: The whole fetch is given up after this many ``timeout``s (it makes 4 requests).
READS_PER_FETCH = 4
#: Largest plausible value of each number (a bigger one is a broken answer): a BTC price
#: in USD, a difficulty (1.5e14 in 2025), a hashrate in H/s (1.1e21 in 2025).
PLAUSIBLE_MAX = {"USD": 1e9, "currentDifficulty": 1e20, "currentHashrate": 1e25,
                 "avgHashrate": 1e25, "totalReward": 1e15}  # fmt: skip
T = TypeVar("T")


class FetchError(Exception):
    """The API could not be reached or answered something unexpected."""


#: The most an answer may hold: the four are a few kB; a server streaming more is not
#: the API (it kept gigabytes in memory before the JSON was found wanting).
MAX_ANSWER_BYTES = 4 * 2**20


def _get(client: httpx.Client, path: str) -> str:
    """The text of ``path``'s answer (at most :data:`MAX_ANSWER_BYTES`), or a
    :class:`FetchError`."""
    import httpx

    try:
        with client.stream("GET", path) as response:
            if response.status_code != 200:
                raise FetchError(f"{path}: HTTP {response.status_code}")
            body = bytearray()
            for chunk in response.iter_bytes():
                body += chunk
                if len(body) > MAX_ANSWER_BYTES:
                    limit = MAX_ANSWER_BYTES // 2**20
                    raise FetchError(f"{path}: the answer is larger than {limit} MiB: "
                                     "not this API's")  # fmt: skip
    except httpx.TimeoutException as exc:
        raise FetchError(f"{path}: no answer in time ({type(exc).__name__})") from exc
    except httpx.HTTPError as exc:
        raise FetchError(f"{path}: cannot connect ({exc})") from exc
    return body.decode(response.encoding or "utf-8", errors="replace")


def _json(client: httpx.Client, path: str) -> Any:
    text = _get(client, path)
    try:
        return json.loads(text)
    except ValueError as exc:
        raise FetchError(f"{path}: not JSON") from exc


def check_url(url: str) -> str:
    """The API's base URL, if it is an ``http(s)://host[:port]`` address; else an
    :class:`InputError` for ``--url``, before anything is sent."""
    fix = f"give an http(s) address such as {DEFAULT_URL}"
    try:
        parts = urlsplit(url)
        port_ok = parts.port is None or parts.port > 0  # .port raises past 65535
    except ValueError as exc:
        raise InputError(None, "--url", f"{url!r} is not a valid address ({exc})", fix) from None
    if parts.scheme not in ("http", "https") or not parts.hostname or not port_ok:
        raise InputError(None, "--url", f"{url!r} is not an http(s) address", fix)
    return url.rstrip("/")


def _number(data: Any, key: str, path: str) -> float:
    value = data.get(key) if isinstance(data, dict) else None
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise FetchError(f"{path}: no number at '{key}' (got {value!r})") from None
    if not (math.isfinite(number) and 0 < number <= PLAUSIBLE_MAX.get(key, math.inf)):
        raise FetchError(f"{path}: '{key}' is {value!r}, expected a plausible positive number")
    return number


def _price_day(stamp: Any) -> dt.date:
    """The day of the price's Unix time (today without one); a time that is no date, or
    after today, is a broken answer."""
    today = dt.datetime.now(tz=dt.UTC).date()
    if not isinstance(stamp, int | float) or isinstance(stamp, bool) or not stamp > 0:
        return today
    try:
        day = dt.datetime.fromtimestamp(float(stamp), tz=dt.UTC).date()
    except (OverflowError, OSError, ValueError):
        raise FetchError(f"/api/v1/prices: time {stamp!r} is not a date") from None
    if day > today:
        raise FetchError(f"/api/v1/prices: time {stamp!r} is {day}, after today ({today})")
    return day


def _within(seconds: float, work: Callable[[], T]) -> T:
    """``work()``, given up after ``seconds``: a server that trickles its answer a byte at
    a time never trips a per-read timeout. The abandoned thread is a daemon and holds
    nothing the command needs."""
    box: dict[str, Any] = {}

    def run() -> None:
        try:
            box["value"] = work()
        except BaseException as exc:  # handed to the caller's thread
            box["error"] = exc

    thread = threading.Thread(target=run, name="hashshock-fetch", daemon=True)
    thread.start()
    thread.join(seconds)
    if thread.is_alive():
        raise FetchError(f"no whole answer within {seconds:g} s")
    if "error" in box:
        raise box["error"]
    return box["value"]  # type: ignore[no-any-return]


#: A fetched BTC price this many times the snapshot in use (or a tenth of it) is refused:
#: a price in cents (or in thousands) passes the hashprice check above about $98k.
PRICE_JUMP_LIMIT = 10.0


def check_price_continuity(fetched: NetworkSnapshot, current: NetworkSnapshot) -> None:
    """Refuse ``fetched`` when its BTC price is more than :data:`PRICE_JUMP_LIMIT` times,
    or less than its inverse, the price of the snapshot runs use now (``current``)."""
    ratio = fetched.btc_price_usd / current.btc_price_usd
    if not 1 / PRICE_JUMP_LIMIT <= ratio <= PRICE_JUMP_LIMIT:
        raise FetchError(
            f"the answer's BTC price ${fetched.btc_price_usd:,.0f} is {ratio:,.3g}× that of "
            f"the snapshot in use (${current.btc_price_usd:,.0f} on {current.date}): a price "
            "in cents or thousands? Write the snapshot by hand if the move is real"
        )  # fmt: skip


def fetch_snapshot(url: str = DEFAULT_URL, timeout: float = 10.0) -> NetworkSnapshot:
    """Read price, difficulty, hashrate, tip height and fee share; validate them.

    Raises :class:`FetchError` when the API cannot be reached or its answer does
    not make a valid snapshot.
    """
    import httpx

    base = check_url(url)
    headers = {"User-Agent": USER_AGENT, "Accept": "application/json"}

    def answers() -> tuple[Any, Any, str, Any]:
        with httpx.Client(base_url=base, timeout=timeout, headers=headers) as client:
            return (_json(client, "/api/v1/prices"),
                    _json(client, "/api/v1/mining/hashrate/1w"),
                    _get(client, "/api/blocks/tip/height").strip(),
                    _json(client, f"/api/v1/mining/reward-stats/{REWARD_BLOCKS}"))  # fmt: skip

    prices, mining, tip_text, rewards = _within(READS_PER_FETCH * timeout, answers)
    price = _number(prices, "USD", "/api/v1/prices")
    day = _price_day(prices.get("time") if isinstance(prices, dict) else None)
    difficulty = _number(mining, "currentDifficulty", "/api/v1/mining/hashrate/1w")
    week = [
        _number(row, "avgHashrate", "/api/v1/mining/hashrate/1w")
        for row in (mining.get("hashrates") or [] if isinstance(mining, dict) else [])
        if isinstance(row, dict) and isinstance(row.get("avgHashrate"), int | float)
    ]
    if week:
        hashrate_hs = sum(week) / len(week)
        hashrate_note = f"mean of {len(week)} avgHashrate values over 1 week"
    else:
        hashrate_hs = _number(mining, "currentHashrate", "/api/v1/mining/hashrate/1w")
        hashrate_note = "currentHashrate"
    try:
        height = int(tip_text)
    except ValueError:
        raise FetchError(f"/api/blocks/tip/height: {tip_text[:40]!r} is not a height") from None
    reward_path = f"/api/v1/mining/reward-stats/{REWARD_BLOCKS}"
    total_reward = _number(rewards, "totalReward", reward_path)
    total_fee = rewards.get("totalFee") if isinstance(rewards, dict) else None
    try:
        fees = float(total_fee)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise FetchError(f"{reward_path}: no number at 'totalFee' (got {total_fee!r})") from None
    if not 0 <= fees < total_reward:
        raise FetchError(f"{reward_path}: totalFee {fees:g} is not below totalReward")

    fetched = dt.datetime.now(tz=dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    data = {
        "date": day,
        "btc_price_usd": price,
        "difficulty": difficulty,
        "network_hashrate_ehs": hashrate_hs / 1e18,
        "block_height": height,
        "fee_share": fees / total_reward,
        "source": f"{base} REST API, fetched {fetched} by hashshock data update",
        "sources": {
            "btc_price_usd": f"{base}/api/v1/prices USD",
            "difficulty": f"{base}/api/v1/mining/hashrate/1w currentDifficulty",
            "network_hashrate_ehs": f"{base}/api/v1/mining/hashrate/1w {hashrate_note}",
            "block_height": f"{base}/api/blocks/tip/height",
            "fee_share": f"{base}{reward_path} totalFee / totalReward",
        },
        "origin": base,
    }
    from pydantic import ValidationError

    from hashshock.inputs.errors import from_validation_error
    from hashshock.market.snapshot import NetworkSnapshot

    try:
        snapshot = NetworkSnapshot.model_validate(data)
    except ValidationError as exc:
        reason = from_validation_error(exc, None).message
        raise FetchError(f"the answer does not make a valid snapshot: {reason}") from None
    # a file a run trusts is not written from a tip the answer's own day contradicts
    # (the height sets the subsidy, so the hashprice); a file given by hand only warns
    note = snapshot.height_note()
    if note is not None:
        raise FetchError(f"/api/blocks/tip/height: {note}")
    from hashshock.market.hashprice import difficulty_hashrate_ths
    from hashshock.market.start import HASHPRICE_RANGE_TEXT, PLAUSIBLE_HASHPRICE_USD_PER_PH_DAY

    # nor from a difficulty and a week's hashrate that disagree beyond 2× (a start date's
    # own values are refused beyond that too)
    rate = snapshot.network_hashrate_ths / float(difficulty_hashrate_ths(difficulty))
    if not 0.5 <= rate <= 2.0:
        raise FetchError(f"/api/v1/mining/hashrate/1w: hashrate {rate:.2f}× what difficulty "
                         f"{difficulty:.4g} implies")  # fmt: skip
    # nor from an answer whose hashprice no chain of the last years has seen (a difficulty
    # of 1, a price in cents): every run would start from it
    hashprice = snapshot.hashprice_usd_per_ph_day
    low, high = PLAUSIBLE_HASHPRICE_USD_PER_PH_DAY
    if not low <= hashprice <= high:
        raise FetchError(f"the answer's hashprice ${hashprice:,.2f}/PH/day (BTC ${price:,.0f}, "
                         f"difficulty {difficulty:.4g}) is more than ten times outside the "
                         f"range since 2021 ({HASHPRICE_RANGE_TEXT})")  # fmt: skip
    return snapshot
