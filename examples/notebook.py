# %% [markdown]
# # hashshock results as labelled arrays
#
# A percent-format notebook (open it in Jupyter with jupytext, in VS Code, or run it as a
# script). It compares baseline and sanctions on the small farm and reads the results as
# an xarray Dataset and a long pandas DataFrame: every path, every day, every part.

# %%
import sys
from pathlib import Path

import hashshock
from hashshock.results.labelled import to_dataframe, to_dataset

HERE = Path(__file__).resolve().parent if "__file__" in globals() else Path("examples")
PATHS = int(sys.argv[1]) if len(sys.argv) > 1 else 500

runs = hashshock.compare(
    HERE / "small-farm" / "fleet.yaml",
    ["baseline", "sanctions"],
    paths=PATHS,
    horizon_days=365,
    seed=0,
)
ds = to_dataset(runs)
print(ds)

# %% [markdown]
# Dimensions are `scenario`, `path`, `day` (with `date`), `part`, and `cause`, `stage` and
# `covenant` where they apply. Units are in the names.

# %%
availability = ds.availability.quantile([0.05, 0.5, 0.95], dim="path")
end = availability.isel(day=-1)
for scenario in ds.scenario.values:
    low, mid, high = (float(v) for v in end.sel(scenario=scenario).values)
    print(f"{scenario}: availability on day {ds.sizes['day'] - 1}: {mid:.1%} ({low:.1%}–{high:.1%})")

# %% [markdown]
# When does each part run out? `first_stockout_day` is −1 on paths where it never does.

# %%
stockout = ds.first_stockout_day.sel(scenario="sanctions")
ran_out = (stockout >= 0).mean("path")
median_day = stockout.where(stockout >= 0).median("path")
for part in ds.part.values:
    print(
        f"{part} under sanctions: runs out on {float(ran_out.sel(part=part)):.0%} of paths, "
        f"median day {float(median_day.sel(part=part)):.0f}"
    )

# %% [markdown]
# The long DataFrame suits seaborn, plotly express or a pivot table.

# %%
frame = to_dataframe(ds, ["spares_on_hand"])
weekly = (
    frame[frame.day % 7 == 0]
    .groupby(["scenario", "part", "date"], observed=True)["value"]
    .median()
    .unstack("part")
)
print(weekly.head(10))

# %% [markdown]
# The same runs give the report's charts as plotly figures.

# %%
from hashshock.report.sections import figures  # noqa: E402
from hashshock.report.write import report_input  # noqa: E402

charts = figures(report_input(runs))
print([chart.key for chart in charts])
# In Jupyter: plotly.graph_objects.Figure(charts[0].figure).show()
