"""Know your fleet: scan real miners into a fleet file, and audit its exposure.

* :func:`expand_targets` - IPs, ranges and CIDR subnets → addresses (capped).
* :func:`run_scan` - probe addresses with pyasic → :class:`MachineRecord` list.
* :func:`aggregate` / :func:`merge_scan` - records → cohorts → merged fleet file.
* :func:`write_inventory` / :func:`read_inventory` - the per-machine CSV.
* :func:`audit` / :func:`blast_scenario` - concentration, exposure, remote-disable.
* :func:`hashshock.cli.scan.register` adds the ``scan`` and ``audit`` commands.

pyasic is imported only when a scan starts (it is slow to import and sets up logging).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from hashshock._lazy import lazy_exports

if TYPE_CHECKING:
    from hashshock.scan.catalog_map import ModelMatcher
    from hashshock.scan.credentials import Credentials
    from hashshock.scan.exposure import (
        AuditReport,
        audit,
        blast_scenario,
        units_from_fleet,
        units_from_inventory,
    )
    from hashshock.scan.fleetfile import InstallDates, ScannedCohort, aggregate, merge_scan
    from hashshock.scan.inventory import read_inventory, write_inventory
    from hashshock.scan.probe import ScanOptions, run_scan
    from hashshock.scan.records import MachineRecord
    from hashshock.scan.targets import expand_targets

__getattr__, __dir__ = lazy_exports(
    __name__,
    globals(),
    {
        "AuditReport": "hashshock.scan.exposure",
        "audit": "hashshock.scan.exposure",
        "blast_scenario": "hashshock.scan.exposure",
        "units_from_fleet": "hashshock.scan.exposure",
        "units_from_inventory": "hashshock.scan.exposure",
        "ModelMatcher": "hashshock.scan.catalog_map",
        "Credentials": "hashshock.scan.credentials",
        "InstallDates": "hashshock.scan.fleetfile",
        "ScannedCohort": "hashshock.scan.fleetfile",
        "aggregate": "hashshock.scan.fleetfile",
        "merge_scan": "hashshock.scan.fleetfile",
        "read_inventory": "hashshock.scan.inventory",
        "write_inventory": "hashshock.scan.inventory",
        "ScanOptions": "hashshock.scan.probe",
        "run_scan": "hashshock.scan.probe",
        "MachineRecord": "hashshock.scan.records",
        "expand_targets": "hashshock.scan.targets",
    },
)
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
