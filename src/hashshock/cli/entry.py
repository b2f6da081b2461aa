"""The ``hashshock`` console entry point: Ctrl-C handling first, then the app.

Installing the SIGINT handler before the command modules are imported means that even
a Ctrl-C during start-up gives one line and exit code 130, not a traceback.

A command's start-up creates a few hundred thousand objects that live as long as the
process (modules, classes, typing and pydantic schemas, numba's registries); at
Python's default of a collection every 700 new objects, the cyclic garbage collector
walks them again and again (about a tenth of ``hashshock validate``). The command line
collects every :data:`GC_THRESHOLD` objects instead: the same collections, later.
"""

from __future__ import annotations

#: New objects between two collections of the youngest generation (Python's default: 700).
GC_THRESHOLD = 50_000


def main() -> None:
    import gc

    gc.set_threshold(GC_THRESHOLD, *gc.get_threshold()[1:])
    from hashshock.cli.interrupt import install

    install()
    from hashshock.cli.app import app

    app()
