"""Decide what to do: how many spares to hold (``optimise``) and which strategy survives a
shock (``strategies``).

* :mod:`hashshock.decide.closed_form` — METRIC / VARI-METRIC expected backorders and
  Sherbrooke's marginal analysis (steady state, closed form);
* :mod:`hashshock.decide.pools` — the closed form's inputs read from a compiled plan
  (demand rates, resupply times, unit prices per spare pool);
* :mod:`hashshock.decide.evaluate` — stock levels simulated on common random numbers
  through :mod:`hashshock.execution`;
* :mod:`hashshock.decide.optimise` — the cheapest stock per pool holding an availability
  target, and the availability-versus-budget frontier;
* :mod:`hashshock.decide.strategies` — strategies (fleet edits with costs) compared on
  common random numbers against doing nothing.

The methods, their equations and references are in docs/decisions.md.
"""
