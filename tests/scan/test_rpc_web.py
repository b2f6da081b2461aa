"""The read-only RPC client, the default-login check and pyasic's web path, on fakes."""

from __future__ import annotations

import asyncio
import random
import time
from typing import Any

import pytest
from tests.scan.conftest import StartFarm
from tests.scan.fake_miner import Garbage, Silent, StockAntminer, Whatsminer, loopback_block

from hashshock.scan.credentials import Credentials
from hashshock.scan.probe import ScanOptions, run_scan
from hashshock.scan.rpc import (
    RpcReply,
    chains_from_stats,
    privileged_result,
    reported_model,
    rpc_call,
)
from hashshock.scan.webcheck import check_default_login


def test_rpc_call_kinds(start_farm: StartFarm) -> None:
    ips = loopback_block(5)
    start_farm({ips[0]: StockAntminer(), ips[1]: Silent(), ips[2]: Garbage(),
                ips[3]: Whatsminer()})  # fmt: skip

    async def calls() -> list[RpcReply]:
        return list(await asyncio.gather(*(rpc_call(ip, "version", 0.5) for ip in ips)))

    started = time.monotonic()
    ok, silent, garbage, whatsminer, refused = asyncio.run(calls())
    assert time.monotonic() - started < 3
    assert ok.kind == "json" and reported_model(ok) == "Antminer S19"
    assert (silent.kind, garbage.kind, refused.kind) == ("silent", "garbage", "refused")
    assert garbage.preview().startswith("???garbage")
    assert whatsminer.kind == "json" and reported_model(whatsminer) == ""


def test_rpc_call_refuses_write_commands() -> None:
    with pytest.raises(ValueError, match="non-read-only"):
        asyncio.run(rpc_call("127.0.0.1", "restart", 0.1))


def test_privileged_classification() -> None:
    def reply(status: str, code: int, msg: str) -> RpcReply:
        return RpcReply("json", {"STATUS": [{"STATUS": status, "Code": code, "Msg": msg}]})

    assert privileged_result(reply("S", 46, "Privileged access OK")) == "accepted"
    assert privileged_result(reply("E", 45, "Access denied to 'privileged' command")) == "refused"
    assert privileged_result(reply("E", 14, "Invalid command")) == "unavailable"
    assert privileged_result(RpcReply("silent")) == "unavailable"


def test_chains_from_stats() -> None:
    chains = {
        "chain_acn1": 76, "chain_rate1": "31000.5", "chain_acs1": "oo",
        "chain_acn2": 0, "chain_rate2": "", "chain_acs2": "",
        "chain_acn3": 76, "chain_rate3": 30000, "chain_acn4": "x",
    }  # fmt: skip
    stats = {"STATS": [{}, chains]}
    assert chains_from_stats(stats) == [(76, 31000.5), (76, 30000.0)]
    assert chains_from_stats({"STATS": [{}]}) == []
    assert chains_from_stats(None) == []


def test_chains_from_stats_all_dead() -> None:
    """Every slot empty: the boards are dead if there are as many slots as the model has
    boards (0 working), and unknown otherwise; empty S9 slots beside live ones are skipped."""
    dead = {f"chain_{k}{i}": v for i in (1, 2, 3) for k, v in (("acn", 0), ("rate", ""),
                                                                ("acs", ""))}  # fmt: skip
    assert chains_from_stats({"STATS": [{}, dead]}, expected=3) == [(0, 0.0)] * 3
    assert chains_from_stats({"STATS": [{}, dead]}, expected=4) == []  # fewer slots than boards
    assert chains_from_stats({"STATS": [{}, dead]}) == []  # board count unknown
    s9 = {f"chain_acn{i}": 0 for i in range(1, 17)} | {"chain_acn6": 63, "chain_rate6": "4600"}
    assert chains_from_stats({"STATS": [{}, s9]}, expected=3) == [(63, 4600.0)]


def test_an_all_dead_antminer_without_web_api_is_down_for_a_hashboard(
    start_farm: StartFarm,
) -> None:
    """No web API (pyasic reads hashboards there): the RPC `stats` fallback still counts
    the three boards it reports without chips as dead."""
    ip = f"127.0.0.{random.randrange(100, 250)}"
    miner = StockAntminer(model="Antminer S19j Pro", boards=((0, 0.0),) * 3, ideal_ghs=104_000.0)
    start_farm({ip: miner})  # no web_port: the web API is unavailable
    opts = ScanOptions(timeout_s=5, check_default_login=False, check_privileged_api=False)
    [rec] = run_scan([ip], opts)
    assert (rec.status, rec.slug) == ("ok", "antminer-s19j-pro"), rec.message
    assert (rec.boards_expected, rec.boards_working, rec.chips) == (3, 0, 0)
    assert (rec.down_part, rec.condition) == ("hashboard", "down: hashboard")


def test_default_login_check(start_farm: StartFarm) -> None:
    ips = loopback_block(3)
    port = random.randrange(20_000, 60_000)
    start_farm({ips[0]: StockAntminer(), ips[1]: StockAntminer(web_password="Changed1")},
               web_port=port)  # fmt: skip

    async def checks() -> list[str]:
        return [
            await check_default_login(ips[0], "AntMiner", "stock", port, 2.0),
            await check_default_login(ips[1], "AntMiner", "stock", port, 2.0),
            await check_default_login(ips[2], "AntMiner", "stock", port, 2.0),
            await check_default_login(ips[0], "AntMiner", "vnish", port, 2.0),
        ]

    assert asyncio.run(checks()) == ["accepted", "refused", "unavailable", "not-checked"]


def test_pyasic_web_api_on_port_80_uses_the_given_password(start_farm: StartFarm) -> None:
    """Serial, MAC and hashboards come from the web API (port 80) with the user's password."""
    [ip] = loopback_block(1)
    secret = "Op3rator-Secret"
    miner = StockAntminer(model="Antminer S21", web_password=secret,
                          boards=((108, 66_000.0), (0, 0.0), (108, 66_500.0)))  # fmt: skip
    try:
        farm = start_farm({ip: miner}, web_port=80)
    except OSError as exc:  # not root: no port 80
        pytest.skip(f"cannot bind {ip}:80 ({exc})")
    opts = ScanOptions(timeout_s=5, credentials=Credentials("root", secret))
    [rec] = run_scan([ip], opts)
    assert (rec.status, rec.slug, rec.serial, rec.mac) == (
        "ok", "antminer-s21", "FAKESN0001", "02:00:00:00:00:01",
    )  # fmt: skip
    assert (rec.boards_working, rec.chips, rec.default_web_login) == (2, 216, "refused")
    assert secret not in repr(rec)
    [without] = run_scan([ip], ScanOptions(timeout_s=5))
    assert without.serial == "" and without.boards_working == 2  # RPC fallback for boards
    assert ("/cgi-bin/stats.cgi") in {p for _, p in farm.web_requests}


def test_credentials_never_shown() -> None:
    creds = Credentials.resolve(None, None, {"HASHSHOCK_MINER_USER": "u",
                                             "HASHSHOCK_MINER_PASSWORD": "pw-123"})  # fmt: skip
    assert (creds.username, creds.password) == ("u", "pw-123")
    assert "pw-123" not in repr(creds) and "pw-123" not in str(creds)
    assert creds.redact("login pw-123 failed") == "login *** failed"
    assert Credentials.resolve("v", "x", {"HASHSHOCK_MINER_PASSWORD": "y"}).password == "x"
    assert Credentials.resolve(None, "", {}).password is None


def _wild_and_real(start_farm: StartFarm, model: str, wild: StockAntminer) -> list[Any]:
    """The records of ``wild`` and of a stock miner of ``model`` scanned together."""
    opts = ScanOptions(timeout_s=5, check_default_login=False, check_privileged_api=False)
    absurd, real = (f"127.0.2.{n}" for n in random.sample(range(100, 250), 2))
    start_farm({absurd: wild, real: StockAntminer(model=model)})
    return run_scan([absurd, real], opts)


def test_a_reading_no_machine_of_the_model_makes_is_unknown(start_farm: StartFarm) -> None:
    """An "S19j Pro" reporting 200 boards (6,300 TH/s, and an ideal rate to match) is
    taken at its model's nameplate: such a reading would outweigh the rest of a fleet in
    the audit's shares; a real one (three boards, 94.8 TH/s) is kept as read."""
    from hashshock.inputs.catalog import bundled_catalog

    nameplate = bundled_catalog().get("antminer-s19j-pro").hashrate_ths
    model = "Antminer S19j Pro"
    wild, kept = _wild_and_real(start_farm, model, StockAntminer(
        model=model, boards=((76, 31_500.0),) * 200, ideal_ghs=6_300_000.0))  # fmt: skip
    assert wild.status == "ok" and wild.hashrate_ths is None
    assert wild.expected_ths == nameplate
    assert kept.hashrate_ths is not None and 90 < kept.hashrate_ths < 100


def test_an_unknown_model_s_impossible_reading_is_unknown(start_farm: StartFarm) -> None:
    """A model the catalogue lacks has no nameplate to judge by: a reading beyond 3× the
    catalogue's fastest machine (an "S99" at 3 billion TH/s, which was 100 % of its
    audit) is no reading; a plausible one is kept."""
    model = "Antminer S99"
    wild, kept = _wild_and_real(start_farm, model, StockAntminer(
        model=model, boards=((76, 1e12),) * 3, ideal_ghs=3e12))  # fmt: skip
    assert wild.status == kept.status == "unknown-model"
    assert wild.hashrate_ths is None and wild.expected_ths is None
    assert kept.hashrate_ths is not None and 90 < kept.hashrate_ths < 100


def test_a_status_page_without_end_is_read_to_a_cap() -> None:
    """A web port answering 200 with a body without end (a hundred GB announced) was read
    whole within the host's budget — 3.7 GB for one host: the check reads the first MiB,
    which is no status page, and says unavailable."""
    import socket
    import threading

    from hashshock.scan.webcheck import MAX_PAGE_BYTES

    (ip,) = loopback_block(1)
    server = socket.create_server((ip, 0))
    port = server.getsockname()[1]
    sent = [0]

    def serve() -> None:
        conn, _ = server.accept()
        try:
            conn.recv(65_536)
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 100000000000\r\n\r\n")
            while True:
                conn.sendall(b"A" * 65_536)
                sent[0] += 65_536
        except OSError:
            pass
        finally:
            conn.close()
            server.close()

    threading.Thread(target=serve, daemon=True).start()
    check = check_default_login(ip, "AntMiner", "stock", port, 2.0)
    assert asyncio.run(asyncio.wait_for(check, 60)) == "unavailable"
    assert sent[0] < 64 * MAX_PAGE_BYTES  # stopped reading near the cap, not at the budget


def test_negative_or_nan_board_figures_count_as_none() -> None:
    """A board reading (76, NaN) still has its chips; (−5, −100) is no board at work and
    takes no chips off the count."""
    from hashshock.inputs.catalog import bundled_catalog
    from hashshock.scan.catalog_map import ModelMatcher
    from hashshock.scan.probe import _Probe

    probe = _Probe("127.0.0.1", ScanOptions(), ModelMatcher(bundled_catalog()))
    probe._set_boards([(76, float("nan")), (-5, -100.0), (76, 31_000.0)])
    assert probe.record.chips == 152 and probe.record.boards_working == 2
    assert probe.record.boards_expected == 3
