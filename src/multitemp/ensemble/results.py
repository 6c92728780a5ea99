"""Results of an ensemble run as an xarray Dataset, written to NetCDF (h5netcdf engine).

Readable with xarray alone: ``xarray.open_dataset("results.nc")``.  Attributes carry the
fully resolved config (``config``, JSON), the seed, the package version and the summary
(``summary``, JSON, the same object as ``multitemp run --json``).
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import xarray as xr

from multitemp.core.files import provenance
from multitemp.ensemble.phase_space import PhaseSpaceMap
from multitemp.ensemble.simulation import EnsembleResult


def result_dataset(result: EnsembleResult, config: dict[str, Any], summary: dict[str, Any]) -> xr.Dataset:
    """Per-replica accumulators, the phase-space map (if any) and stored trajectories."""
    t = result.measured_time
    temps = result.system.temperatures
    ds = xr.Dataset(
        {
            "entropy_production": (("replica",), result.entropy, {"long_name": "entropy produced in the baths after burn-in (Stratonovich)", "units": "k_B"}),
            "entropy_production_path": (("replica",), result.entropy_production_path, {"long_name": "log path-probability ratio (Euler-Maruyama chain)", "units": "k_B"}),
            "entropy_production_ito": (("replica",), result.entropy_production_ito, {"long_name": "Ito pre-point entropy (biased, for comparison)", "units": "k_B"}),
            "heat": (("replica", "particle"), result.heat, {"long_name": "heat dissipated into each particle's bath after burn-in", "units": "energy"}),
            "angular_momentum": (("replica",), result.angular_momentum, {"long_name": "integral of x_0 o dx_1 - x_1 o dx_0", "units": "length^2"}),
            "position": (("replica", "particle", "axis"), result.positions, {"long_name": "final unwrapped position"}),
            "temperature": (("particle",), temps, {"units": "energy (k_B = 1)"}),
            "mobility": (("particle",), result.system.mobilities),
        },
        coords={"replica": np.arange(result.params.replicas) + result.replica_offset},
        attrs={
            "title": "multitemp ensemble run",
            **provenance(config, result.params.seed),
            "measured_time": t,
            "summary": json.dumps(summary),
        },
    )  # fmt: skip
    if result.histogram_counts.shape[1] > 0:
        m = PhaseSpaceMap.from_result(result)
        dims = ("x0", "x1")
        ds = ds.assign_coords(x0=m.centers, x1=m.centers)
        ds["density"] = (dims, m.density, {"long_name": "phase-space density p(x_0, x_1)"})
        ds["current_x0"] = (dims, m.current[0], {"long_name": "Stratonovich current J_0"})
        ds["current_x1"] = (dims, m.current[1], {"long_name": "Stratonovich current J_1"})
    for name in ("chase_backward", "chase_forward"):
        if name in summary:
            ds = ds.assign_coords(chase_tau=np.asarray(summary["chase_tau"]))
            ds[name] = (
                ("chase_tau",),
                np.asarray(summary[name], float),
                {"long_name": f"{name.replace('_', ' ')} correlation (physics.md sec. 5)"},
            )
            ds[name + "_stderr"] = (("chase_tau",), np.asarray(summary[name + "_stderr"], float))
    if "arrow_p_correct" in summary:
        ds = ds.assign_coords(arrow_tau=np.asarray(summary["arrow_tau"]))
        ds["arrow_p_correct"] = (
            ("arrow_tau",),
            np.asarray(summary["arrow_p_correct"], float),
            {"long_name": "P(entropy of a window > 0): guessing the direction of time"},
        )
        ds["arrow_p_correct_stderr"] = (("arrow_tau",), np.asarray(summary["arrow_p_correct_stderr"], float))
    if result.trajectory.shape[0] > 0:
        ev = result.params.trajectory_every
        frames = result.trajectory.shape[1]
        ds = ds.assign_coords(time=np.arange(frames) * ev * result.params.dt)
        ds["trajectory"] = (
            ("traj_replica", "time", "particle", "axis"),
            result.trajectory,
            {"long_name": "stored positions (unwrapped)"},
        )
    return ds
