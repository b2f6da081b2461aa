"""The ``hashshock`` command line (Typer + rich)."""
