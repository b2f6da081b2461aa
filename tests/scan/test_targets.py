"""Target parsing: only what the user named, capped."""

from __future__ import annotations

import pytest

from hashshock.inputs.errors import InputError
from hashshock.scan.targets import expand_targets, parse_target


def test_single_range_and_subnet() -> None:
    assert expand_targets(["10.0.0.5"]) == ["10.0.0.5"]
    assert expand_targets(["10.0.0.254-10.0.1.1"]) == [
        "10.0.0.254", "10.0.0.255", "10.0.1.0", "10.0.1.1",
    ]  # fmt: skip
    assert expand_targets(["10.0.0.10-12"]) == ["10.0.0.10", "10.0.0.11", "10.0.0.12"]
    assert expand_targets(["192.168.1.0/30"]) == ["192.168.1.1", "192.168.1.2"]
    assert expand_targets(["192.168.1.7/32"]) == ["192.168.1.7"]
    assert len(expand_targets(["10.1.0.0/24"])) == 254


def test_lists_are_deduplicated_in_order() -> None:
    assert expand_targets(["10.0.0.3,10.0.0.1", "10.0.0.1-3"]) == [
        "10.0.0.3", "10.0.0.1", "10.0.0.2",
    ]  # fmt: skip


def test_ipv6() -> None:
    assert expand_targets(["fd00::/126"]) == ["fd00::1", "fd00::2", "fd00::3"]
    assert parse_target("fd00::1-fd00::4").size == 4
    assert expand_targets(["[fd00::1]", "fd00::1"]) == ["fd00::1"]  # as in a URL, or bare


def test_cap_is_checked_before_expanding() -> None:
    with pytest.raises(InputError) as err:
        expand_targets(["10.0.0.0/8"])
    assert "16,777,214" in err.value.message and "--max-hosts" in err.value.message
    assert len(expand_targets(["10.0.0.0/16"])) == 65_534
    with pytest.raises(InputError):
        expand_targets(["10.0.0.0/24"], max_hosts=100)
    # A cap above a /12 is refused before anything is listed (a /64 filled the memory,
    # a /8 took a minute and 1.7 GB).
    for cap in (10**23, 1 << 24):
        with pytest.raises(InputError, match="--max-hosts"):
            expand_targets(["2001:db8::/64"], max_hosts=cap)


@pytest.mark.parametrize(
    "text, words",
    [
        ("miner-17", "not an IP address"),
        ("10.0.0.300", "not an IP address"),
        ("10.0.0.9-10.0.0.1", "ends before it starts"),
        ("10.0.0.1-999", "not an address octet"),
        ("10.0.0.0/33", "not a valid CIDR"),
        ("224.0.0.1", "multicast"),
        ("0.0.0.0", "unspecified"),
        ("255.255.255.255", "broadcast"),
        ("10.0.0.1-fd00::1", "mixes IPv4 and IPv6"),
        # a block holding any unusable address is refused whole, not only at its ends
        ("255.255.255.250-255", "contains the broadcast address 255.255.255.255"),
        ("255.255.255.254/31", "contains the broadcast address 255.255.255.255"),
        ("223.255.255.250-224.0.0.3", "contains multicast addresses (224.0.0.0/4)"),
        ("220.0.0.0-240.0.0.0", "contains multicast addresses"),  # both ends unicast
        ("192.0.0.0/2", "contains multicast addresses"),  # 2**30 addresses: never expanded
        ("0.0.0.0-0.0.0.9", "contains the unspecified address 0.0.0.0"),
        ("0.0.0.0/31", "contains the unspecified address 0.0.0.0"),
        ("::-::5", "contains the unspecified address ::"),
        ("fe00::-ff00::1", "contains multicast addresses (ff00::/8)"),
        ("fe00::/7", "contains multicast addresses (ff00::/8)"),
        ("ff02::1", "is a multicast address"),
        ("[ff02::1]", "is a multicast address"),
        ("::ffff:224.0.0.1", "is a multicast address"),
        ("fe80::1%eth0", "names an IPv6 zone"),  # it was dropped: unreachable unsaid
    ],
)
def test_bad_targets_name_the_target(text: str, words: str) -> None:
    with pytest.raises(InputError) as err:
        expand_targets([text])
    assert words in err.value.message and text.strip("[]") in err.value.message
    assert err.value.field == "TARGETS" and "fix:" in err.value.message


def test_no_targets() -> None:
    with pytest.raises(InputError):
        expand_targets([" , "])


@pytest.mark.parametrize(
    "text",
    # a /24 leaves out its own broadcast address: 255.255.255.255 is not scanned
    ["255.255.255.250-254", "255.255.255.0/24", "223.255.255.0/24", "240.0.0.1", "0.0.0.1-9",
     "fe80::/120"],
)  # fmt: skip
def test_blocks_next_to_unusable_addresses_are_accepted(text: str) -> None:
    assert parse_target(text).size >= 1


@pytest.mark.parametrize(("field", "value"), [
    ("timeout_s", float("nan")), ("timeout_s", float("inf")), ("timeout_s", 0), ("timeout_s", -1),
    ("concurrency", 0), ("concurrency", 2.5), ("web_port", 70_000), ("web_port", True),
])  # fmt: skip
def test_scan_options_from_python_are_checked(field: str, value: object) -> None:
    """As the command line bounds them: a NaN budget raised deep in the probe, and 0
    made every host a timeout."""
    from hashshock.scan.probe import ScanOptions

    with pytest.raises(InputError) as raised:
        ScanOptions(**{field: value})
    assert raised.value.field == field


def test_one_target_as_a_string_is_refused_saying_to_make_it_a_list() -> None:
    """Iterated, "127.0.0.1" was read as targets '1', '2', '7', … ("'1' is not an IP")."""
    with pytest.raises(InputError, match=r"one str, not a list of targets .* \['127\.0\.0\.1'\]"):
        expand_targets("127.0.0.1")  # type: ignore[arg-type]
