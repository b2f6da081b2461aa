"""The local dashboard (``hashshock serve``): run fleets, see the report's charts, browse
and compare stored runs (docs/dashboard.md)."""
