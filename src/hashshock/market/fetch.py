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
is written; any failure raises :class:`FetchError` with a one-line reason.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # httpx and the snapshot model load when a fetch starts
    import httpx

    from hashshock.market.snapshot import NetworkSnapshot

DEFAULT_URL = "https://mempool.space"
REWARD_BLOCKS = 1008
USER_AGENT = "hashshock (data update)"


class FetchError(Exception):
    """The API could not be reached or answered something unexpected."""


def _get(client: httpx.Client, path: str) -> httpx.Response:
    import httpx

    try:
        response = client.get(path)
    except httpx.TimeoutException as exc:
        raise FetchError(f"{path}: no answer in time ({type(exc).__name__})") from exc
    except httpx.HTTPError as exc:
        raise FetchError(f"{path}: cannot connect ({exc})") from exc
    if response.status_code != 200:
        raise FetchError(f"{path}: HTTP {response.status_code}")
    return response


def _json(client: httpx.Client, path: str) -> Any:
    response = _get(client, path)
    try:
        return response.json()
    except ValueError as exc:
        raise FetchError(f"{path}: not JSON") from exc


def _number(data: Any, key: str, path: str) -> float:
    value = data.get(key) if isinstance(data, dict) else None
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise FetchError(f"{path}: no number at '{key}' (got {value!r})") from None
    if not number > 0:
        raise FetchError(f"{path}: '{key}' is {value!r}, expected a positive number")
    return number


def fetch_snapshot(url: str = DEFAULT_URL, timeout: float = 10.0) -> NetworkSnapshot:
    """Read price, difficulty, hashrate, tip height and fee share; validate them.

    Raises :class:`FetchError` when the API cannot be reached or its answer does
    not make a valid snapshot.
    """
    import httpx

    base = url.rstrip("/")
    headers = {"User-Agent": USER_AGENT, "Accept": "application/json"}
    with httpx.Client(base_url=base, timeout=timeout, headers=headers) as client:
        prices = _json(client, "/api/v1/prices")
        mining = _json(client, "/api/v1/mining/hashrate/1w")
        tip_text = _get(client, "/api/blocks/tip/height").text.strip()
        rewards = _json(client, f"/api/v1/mining/reward-stats/{REWARD_BLOCKS}")

    price = _number(prices, "USD", "/api/v1/prices")
    stamp = prices.get("time") if isinstance(prices, dict) else None
    day = (
        dt.datetime.fromtimestamp(float(stamp), tz=dt.UTC).date()
        if isinstance(stamp, int | float) and stamp > 0
        else dt.datetime.now(tz=dt.UTC).date()
    )
    difficulty = _number(mining, "currentDifficulty", "/api/v1/mining/hashrate/1w")
    week = [
        float(row["avgHashrate"])
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
    try:
        from hashshock.market.snapshot import NetworkSnapshot

        return NetworkSnapshot.model_validate(data)
    except ValueError as exc:
        first = str(exc).splitlines()
        reason = " ".join(line.strip() for line in first[1:3]) or str(exc)
        raise FetchError(f"the answer does not make a valid snapshot: {reason}") from exc
