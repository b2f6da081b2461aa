"""``python -m hashshock``: the command line, as the ``hashshock`` script runs it."""

from hashshock.cli.entry import main

main()
