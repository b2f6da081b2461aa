"""The ``hashshock`` console entry point: Ctrl-C handling first, then the app.

Installing the SIGINT handler before the command modules are imported means that even
a Ctrl-C during start-up gives one line and exit code 130, not a traceback.

A command's start-up creates a few hundred thousand objects that live as long as the
process (modules, classes, typing and pydantic schemas, numba's registries); at
Python's default of a collection every 700 new objects, the cyclic garbage collector
walks them again and again (about a tenth of ``hashshock validate``). The command line
collects every :data:`GC_THRESHOLD` objects instead: the same collections, later.

The first pydantic model looks for pydantic plugins in every installed distribution's
entry points (about 40 ms, a tenth of ``hashshock validate``). hashshock's models use no
plugin, so the command line turns the look-up off, as typer does while it builds its
adapters — unless ``PYDANTIC_DISABLE_PLUGINS`` is already set (to ``""`` to keep plugins
on): the library itself (``import hashshock``) leaves it alone.
"""

from __future__ import annotations

#: New objects between two collections of the youngest generation (Python's default: 700).
GC_THRESHOLD = 50_000


def main() -> None:
    import gc
    import os

    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    gc.set_threshold(GC_THRESHOLD, *gc.get_threshold()[1:])
    from hashshock.cli.interrupt import install

    install()
    from hashshock.cli.app import app

    app()
