"""An independent per-machine discrete-event reference simulation of hashshock's model.

Written from ``docs/model.md``, ``README.md`` and the plan dataclasses only (not from
``hashshock.engine``): every machine and every spare part is an entity, scenario
events, repairs, shipments and swaps are SimPy processes. ``test_equivalence.py``
checks the vectorised engine against it statistically.
"""
