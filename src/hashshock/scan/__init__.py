"""Know your fleet: scan real miners into a fleet file, and audit its exposure.

* :func:`expand_targets` - IPs, ranges and CIDR subnets → addresses (capped).
* :func:`run_scan` - probe addresses with pyasic → :class:`MachineRecord` list.
* :func:`aggregate` / :func:`merge_scan` - records → cohorts → merged fleet file.
* :func:`write_inventory` / :func:`read_inventory` - the per-machine CSV.
* :func:`audit` / :func:`blast_scenario` - concentration, exposure, remote-disable.
* :func:`hashshock.scan.cli.register` adds the ``scan`` and ``audit`` commands.

pyasic is imported only when a scan starts (it is slow to import and sets up logging).
"""

from __future__ import annotations

from hashshock.scan.audit import (
    AuditReport,
    audit,
    blast_scenario,
    units_from_fleet,
    units_from_inventory,
)
from hashshock.scan.catalog_map import ModelMatcher
from hashshock.scan.credentials import Credentials
from hashshock.scan.fleetfile import InstallDates, ScannedCohort, aggregate, merge_scan
from hashshock.scan.inventory import read_inventory, write_inventory
from hashshock.scan.probe import ScanOptions, run_scan
from hashshock.scan.records import MachineRecord
from hashshock.scan.targets import expand_targets

__all__ = [
    "AuditReport",
    "Credentials",
    "InstallDates",
    "MachineRecord",
    "ModelMatcher",
    "ScanOptions",
    "ScannedCohort",
    "aggregate",
    "audit",
    "blast_scenario",
    "expand_targets",
    "merge_scan",
    "read_inventory",
    "run_scan",
    "units_from_fleet",
    "units_from_inventory",
    "write_inventory",
]
