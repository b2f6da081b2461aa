"""Results of runs: engine arrays with their labels, and the JSON contract built from them."""

from hashshock.results.run import RunResult

__all__ = ["RunResult"]
