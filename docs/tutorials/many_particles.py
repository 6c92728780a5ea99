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
# # Many hot and cold particles: run, analyze, movie, phase separation
#
# Soft repulsive disks, half at T = 1 ("hot") and half at T = 1/30 ("cold"), no attraction at
# all (physics.md section 7). We start from a cold slab beside a hot gas and run it next to its
# control, where both halves are at T = 1. The same steps on the command line:
#
#     multitemp run examples/slab.toml
#     multitemp analyze examples/slab/trajectory.gsd --movie
#     multitemp entropy examples/slab/trajectory.gsd
#
# Here the system is smaller (600 disks) and the run shorter, so that the notebook runs in a
# minute; `examples/slab.toml` is the full-size version (1500 disks, t = 300).

# %%
import tempfile
from pathlib import Path

import matplotlib.pyplot as plt
from IPython.display import Image, Video

import multitemp
from multitemp.mixture.analysis import analyze_trajectory
from multitemp.mixture.local_entropy import local_entropy, local_entropy_figure
from multitemp.mixture.pictures import movie, snapshot

work = Path(tempfile.mkdtemp(prefix="multitemp-tutorial-"))


def slab(cold_temperature: float) -> dict:
    return {
        "mixture": {"dim": 2, "particles": 600, "phi": 0.5, "aspect": [3.0, 1.0], "types": [
            {"name": "hot", "temperature": 1.0, "fraction": 0.5},
            {"name": "cold", "temperature": cold_temperature, "fraction": 0.5}]},
        "pair_potential": {"kind": "soft", "k": 100.0, "s": 1.0},
        "initial": {"arrangement": "slab"},
        "neighbors": {"skin": 0.6},
        "run": {"dt": 2e-3, "time": 60.0, "burn_in": 10.0, "seed": 1},
        "output": {"write_every": 1000},
    }  # fmt: skip


# %% [markdown]
# ## Run
#
# `multitemp.run(config, out)` writes `trajectory.gsd` (HOOMD's format: frames with positions,
# types, each particle's cumulative heat), `results.nc` and `results.json` as it goes; an
# interrupted run continues with `resume=True`.

# %%
runs = {}
for name, cold in (("slab", 1 / 30), ("control", 1.0)):
    runs[name] = multitemp.run(slab(cold), work / name)
    s = runs[name].summary
    print(
        f"{name:8s} entropy production {s['entropy_production_rate']:.4g} +- {s['entropy_production_rate_stderr']:.2g}"
        f" per unit time; files: {', '.join(p.name for p in runs[name].files.values())}"
    )

# %% [markdown]
# ## Analyze: does it stay separated?
#
# `analyze_trajectory` measures, frame by frame (freud underneath): the largest cold cluster
# (fraction of the cold disks), the demixing order parameter psi (0 mixed, 1 separated) and the
# coarsening length.

# %%
fig, ax = plt.subplots(1, 2, figsize=(11, 3.5))
for name, style in (("slab", "-"), ("control", "--")):
    ds, last = analyze_trajectory(work / name / "trajectory.gsd")
    ax[0].plot(ds.time, ds.largest_cold_cluster_fraction, style, label=name)
    ax[1].plot(ds.time, ds.demixing, style, label=name)
    print(
        f"{name:8s} at t = {float(ds.time[-1]):.0f}: largest cold cluster {last.largest_cold_cluster_fraction:.2f}, "
        f"demixing {last.demixing:.2f}"
    )
ax[0].set(xlabel="time", ylabel="largest cold cluster fraction")
ax[1].set(xlabel="time", ylabel="demixing psi")
ax[0].legend()

# %% [markdown]
# ## Pictures and a movie

# %%
Image(filename=str(snapshot(work / "slab" / "trajectory.gsd", work / "slab.png")))

# %%
Image(filename=str(snapshot(work / "control" / "trajectory.gsd", work / "control.png")))

# %%
Video(str(movie(work / "slab" / "trajectory.gsd", work / "slab.mp4", max_frames=60)), embed=True, width=640)

# %% [markdown]
# ## Where is the entropy produced?
#
# Each particle's entropy production, from the heat it gives its bath, averaged in three
# environments: bulk hot, the interface, bulk cold (`multitemp entropy` on the command line).
#
# A caution on the time step: the heat of a stiff cold crystal depends on dt while mu k dt is not
# small (here 0.2). The totals above serve for a picture; for numbers, continue the formed state at
# dt = 1e-4, as `examples/interface_scaling.sh` does (the README gives the measurements).

# %%
result = local_entropy(work / "slab" / "trajectory.gsd", skip=0.3)
for env, v in result.summary["entropy_production_rate_per_environment"].items():
    print(f"{env:10s} {v:10.4g}")
Image(filename=str(local_entropy_figure(result, work / "entropy.png")))
