"""The ``hashshock`` console entry point: Ctrl-C handling first, then the app.

Installing the SIGINT handler before the command modules are imported means that even
a Ctrl-C during start-up gives one line and exit code 130, not a traceback.
"""

from __future__ import annotations


def main() -> None:
    from hashshock.cli.interrupt import install

    install()
    from hashshock.cli.app import app

    app()
