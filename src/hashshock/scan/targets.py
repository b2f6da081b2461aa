"""Scan targets: single IP addresses, ranges and CIDR subnets.

Only what the user wrote is scanned. Targets are expanded here (not by pyasic),
counted before they are expanded, and capped: more than ``max_hosts`` addresses
(default 65,536, a /16) is refused with a clear message.

>>> expand_targets(["10.0.0.10-12", "10.0.0.11", "192.168.1.0/30"])
['10.0.0.10', '10.0.0.11', '10.0.0.12', '192.168.1.1', '192.168.1.2']
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from hashshock.inputs.errors import InputError

DEFAULT_MAX_HOSTS = 65_536
#: The most ``--max-hosts`` may allow: a /12 (1.05 M addresses, up to about 5 days at the
#: defaults' 32 hosts a 15 s budget; listed in 2.5 s and 120 MB). A /8 took a minute and
#: 1.7 GB to list before anything was said, and would scan for three months; a /64 under
#: a huge --max-hosts ran out of memory silently.
MOST_HOSTS = 1 << 20

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
_FIX = "write e.g. 10.0.0.5, 10.0.0.10-10.0.0.200, 10.0.0.10-200 or 10.0.0.0/24"


@dataclass(frozen=True)
class TargetBlock:
    """A contiguous run of addresses from one target the user wrote."""

    text: str
    first: IPAddress
    last: IPAddress

    @property
    def size(self) -> int:
        """Number of addresses in the block."""
        return int(self.last) - int(self.first) + 1

    def __iter__(self) -> Iterator[str]:
        cls = type(self.first)
        for value in range(int(self.first), int(self.last) + 1):
            yield str(cls(value))


def _bad(text: str, problem: str, fix: str = _FIX) -> InputError:
    return InputError(None, "TARGETS", f"'{text}' {problem}", fix)


def _address(text: str, whole: str) -> IPAddress:
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError:
        raise _bad(whole, "is not an IP address, range or CIDR subnet") from None


#: Addresses no miner has, as (what, network): a block that holds any of them is refused.
#: IPv4-mapped IPv6 forms (``::ffff:a.b.c.d``) reach the IPv4 address, so they are listed too.
_NOT_MINERS: tuple[tuple[str, ipaddress.IPv4Network | ipaddress.IPv6Network], ...] = (
    ("multicast", ipaddress.ip_network("224.0.0.0/4")),
    ("unspecified", ipaddress.ip_network("0.0.0.0/32")),
    ("broadcast", ipaddress.ip_network("255.255.255.255/32")),
    ("multicast", ipaddress.ip_network("ff00::/8")),
    ("unspecified", ipaddress.ip_network("::/128")),
    ("multicast", ipaddress.ip_network("::ffff:224.0.0.0/100")),
    ("unspecified", ipaddress.ip_network("::ffff:0.0.0.0/128")),
    ("broadcast", ipaddress.ip_network("::ffff:255.255.255.255/128")),
)
_UNUSABLE_FIX = (
    "leave them out and name the miners' own addresses (multicast 224.0.0.0/4 and ff00::/8, "
    "0.0.0.0, :: and 255.255.255.255 are never scanned)"
)


def _unusable_problem(
    block: TargetBlock, what: str, net: ipaddress.IPv4Network | ipaddress.IPv6Network
) -> str:
    """What is wrong with ``block``, which overlaps the unusable network ``net``."""
    if block.size == 1:
        return f"is the {what} address" if net.num_addresses == 1 else f"is a {what} address"
    if net.num_addresses == 1:
        return f"contains the {what} address {net.network_address}"
    return f"contains {what} addresses ({net})"


def _check_usable(block: TargetBlock) -> TargetBlock:
    """Refuse a block holding any multicast, unspecified or limited-broadcast address,
    compared as integers over the whole block (not only its ends)."""
    first, last = int(block.first), int(block.last)
    for what, net in _NOT_MINERS:
        if net.version != block.first.version:
            continue
        low, high = int(net.network_address), int(net.broadcast_address)
        if first <= high and low <= last:
            raise _bad(block.text, _unusable_problem(block, what, net), _UNUSABLE_FIX)
    return block


def parse_target(text: str) -> TargetBlock:
    """One target: ``IP``, ``IP-IP``, ``IP-lastoctet`` (IPv4) or ``network/prefix``.

    A subnet leaves out its network and broadcast addresses (IPv4 /30 and wider)
    or its subnet-router anycast address (IPv6 /126 and wider). An IPv6 address may be
    written bare or in brackets, as in a URL (``[::1]``).
    """
    text = text.strip()
    if text.startswith("[") and text.endswith("]"):
        text = text[1:-1]
    if "%" in text:  # the address would be scanned without its zone: unreachable
        raise _bad(text, "names an IPv6 zone (%interface), which the scan cannot keep",
                   "scan a global or unique-local address of the miner instead")  # fmt: skip
    if "/" in text:
        try:
            net = ipaddress.ip_network(text, strict=False)
        except ValueError:
            raise _bad(text, "is not a valid CIDR subnet") from None
        first, last = net.network_address, net.broadcast_address
        if net.version == 4 and net.prefixlen <= 30:
            first, last = first + 1, last - 1
        elif net.version == 6 and net.prefixlen <= 126:
            first = first + 1
        return _check_usable(TargetBlock(text, first, last))
    if "-" in text and not text.startswith("-"):
        left, right = text.split("-", 1)
        first = _address(left, text)
        if isinstance(first, ipaddress.IPv4Address) and right.strip().isdigit():
            octet = int(right)
            if octet > 255:
                raise _bad(text, f"ends in {octet}, not an address octet (0-255)")
            right = ".".join([*str(first).split(".")[:3], str(octet)])
        last = _address(right, text)
        if last.version != first.version:
            raise _bad(text, "mixes IPv4 and IPv6")
        if int(last) < int(first):
            raise _bad(text, "ends before it starts", "write the lower address first")
        return _check_usable(TargetBlock(text, first, last))
    addr = _address(text, text)
    return _check_usable(TargetBlock(text, addr, addr))


def parse_targets(texts: Sequence[str]) -> list[TargetBlock]:
    """Parse targets; each argument may hold several, separated by commas or spaces."""
    blocks = [parse_target(part) for text in texts for part in text.replace(",", " ").split()]
    if not blocks:
        raise InputError(None, "TARGETS", "no targets given", _FIX)
    return blocks


def expand_targets(texts: Sequence[str], max_hosts: int = DEFAULT_MAX_HOSTS) -> list[str]:
    """All addresses named by ``texts``, de-duplicated in the order written.

    Raises :class:`InputError` if they add up to more than ``max_hosts`` addresses
    (counted before expansion, so a /8 costs nothing to refuse).
    """
    if isinstance(texts, str):  # iterated, "127.0.0.1" was eleven targets of one character
        raise InputError(None, "texts", f"{texts!r} is one str, not a list of targets",
                         f"give a list: [{texts!r}]")  # fmt: skip
    if max_hosts > MOST_HOSTS:
        raise InputError(None, "--max-hosts", f"{max_hosts:,} is more than a scan can list",
                         f"give at most {MOST_HOSTS:,} (a /12), and scan in parts")  # fmt: skip
    blocks = parse_targets(texts)
    total = sum(block.size for block in blocks)
    if total > max_hosts:
        biggest = max(blocks, key=lambda b: b.size)
        raise InputError(
            None, "TARGETS",
            f"{total:,} addresses to scan (largest: '{biggest.text}', {biggest.size:,}),"
            f" more than --max-hosts {max_hosts:,}",
            "scan smaller subnets or raise --max-hosts",
        )  # fmt: skip
    seen: dict[str, None] = {}
    for block in blocks:
        for addr in block:
            seen.setdefault(addr, None)
    return list(seen)
