"""Plotly figures of the report, each a function of the runs' report dicts and labels."""
