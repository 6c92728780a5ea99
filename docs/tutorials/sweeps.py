# ---
# jupyter:
#   jupytext:
#     formats: py:percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Parameter sweeps, from a laptop to a Dask cluster
#
# A sweep is a config with a `[sweep]` table: each key is a config path, each value a list or a
# range. `multitemp sweep` runs every point on Dask workers, writes each point as it finishes
# (`points/*.json`: an interrupted sweep resumes where it stopped, failures are recorded, not
# fatal), then gathers them into `sweep.nc`, an xarray Dataset with one dimension per swept key:
#
#     multitemp sweep examples/scan_temperature.toml --workers 2
#     multitemp plot examples/scan_temperature/sweep.nc --x system.temperatures.0 --y entropy_production_rate
#
# Here the same from Python, smaller: sigma of the harmonic pair against T1 for three couplings.

# %%
import tempfile
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import xarray as xr

from multitemp.core.config import read_toml
from multitemp.sweep import run_sweep
from multitemp.sweep.spec import parse_sweep

# the repository's examples folder, wherever the notebook runs from
EXAMPLES = next(
    p / "examples" for p in (Path.cwd(), *Path.cwd().parents) if (p / "examples" / "harmonic_pair.toml").exists()
)

work = Path(tempfile.mkdtemp(prefix="multitemp-sweep-"))
data = read_toml(EXAMPLES / "scan_temperature.toml")
data["run"].update(replicas=256, time=25.0)
data["sweep"] = {"system.temperatures.0": {"start": 1.0, "stop": 10.0, "num": 5, "scale": "log"},
                 "pair_potential.k": [0.5, 1.0, 2.0]}  # fmt: skip
spec = parse_sweep(data)
summary = run_sweep(spec, work / "scan", workers=2)
print(summary.as_dict() | {"failures": len(summary.failures)})

# %% [markdown]
# ## The result is an xarray Dataset

# %%
ds = xr.open_dataset(summary.output)
ds[["entropy_production_rate", "entropy_production_rate_stderr", "entropy_production_rate_exact"]]

# %%
fig, ax = plt.subplots(figsize=(6.5, 4.5))
t1 = ds["system.temperatures.0"].values
for i, k in enumerate(ds["pair_potential.k"].values):
    sel = ds.isel({"pair_potential.k": i})
    ax.errorbar(
        t1,
        sel.entropy_production_rate,
        sel.entropy_production_rate_stderr,
        marker="o",
        ls="none",
        capsize=3,
        color=f"C{i}",
        label=f"k = {k:g}",
    )
    fine = np.geomspace(1, 10, 100)
    ax.plot(fine, k**2 * (fine - 1) ** 2 / (2 * fine * (k + 1)), color=f"C{i}", lw=0.8)
ax.set(xscale="log", xlabel="T1 (T2 = 1)", ylabel="entropy production rate", title="measured (points), exact (lines)")
ax.legend()

# %% [markdown]
# ## Resuming
#
# Running the same sweep into the same folder computes only what is missing (here: nothing).

# %%
again = run_sweep(spec, work / "scan", workers=2)
print(f"{again.skipped} points already done, {again.computed} computed")

# %% [markdown]
# ## From a laptop to a cluster
#
# The points are independent Dask tasks, so the same sweep runs on any Dask cluster. Start a
# scheduler and workers where the cores are (one thread per worker: each point uses numba on one
# core), then point the sweep at the scheduler:
#
#     dask scheduler --scheduler-file ~/sched.json &          # on the login node
#     srun dask worker --scheduler-file ~/sched.json --nthreads 1   # on the compute nodes
#     multitemp sweep big_scan.toml --scheduler-file ~/sched.json
#
# or, from Python, `run_sweep(spec, out, scheduler="tcp://host:8786")` or
# `run_sweep(spec, out, client=my_dask_client)` (dask-jobqueue's `SLURMCluster` gives such a client).
# Every worker needs multitemp installed; the points come back to the machine that runs the sweep,
# which writes `points/` and `sweep.nc`.
