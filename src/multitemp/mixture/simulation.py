"""A mixture step by step (:class:`MixtureSimulation`): the engine, the time series of heat per
type, entropy and friction-weighted centre kept in memory, the summary and the Dataset.

Example::

    from multitemp.mixture import Mixture, MixtureSimulation
    sim = MixtureSimulation(mixture, dt=1e-4, seed=1, burn_in=0.05)
    sim.advance(2000)
    sim.record()            # one row of the time series at the current step
    sim.entropy             # entropy produced since burn-in, sum_i Q_i / T_i (k_B = 1)
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import numpy as np

from multitemp.core.driver import ProgressCallback, Reporter, drive
from multitemp.core.statistics import batch_mean_stderr
from multitemp.mixture.engine import ManyBodyEngine, ManyBodyState, random_positions
from multitemp.mixture.model import Mixture
from multitemp.mixture.polymer import chains_from_bonds, ideal_chain_theory

__all__ = ["MixtureSimulation", "summarize_series", "series_dataset"]

SERIES = ("step", "heat", "entropy", "center", "particle_heat")


class MixtureSimulation:
    """N particles of several types, each with its own bath, advanced step by step.

    Args:
        mixture: the system (types, temperatures, mobilities, pair potential, box, container).
        dt: time step.
        seed: noise seed.
        skin: Verlet skin (length).
        burn_in: time after which the heat is accumulated.
        positions: (N, d) initial positions (default: :func:`random_positions`).
        state: a saved state (see :meth:`load`), to continue bit for bit.
        series: the time series saved with it.
        threads: numba threads (None: all).
        integrator: "euler" (Euler-Maruyama) or "heun" (predictor-corrector, same normals).
    """

    def __init__(self, mixture: Mixture, dt: float, seed: int = 0, *, skin: float = 0.3, burn_in: float = 0.0,
                 positions: np.ndarray | None = None, state: ManyBodyState | None = None,
                 series: dict[str, Any] | None = None, threads: int | None = None,
                 integrator: str = "euler"):  # fmt: skip
        ManyBodyEngine.set_threads(threads)
        self.mixture, self.dt, self.seed, self.burn_in = mixture, float(dt), int(seed), float(burn_in)
        burn_step = int(round(burn_in / dt))
        if state is None and positions is None:
            positions = random_positions(mixture, seed)
        self.engine = ManyBodyEngine(mixture, dt, seed, skin, burn_step, positions=positions, state=state,
                                     integrator=integrator)  # fmt: skip
        self.series: dict[str, list] = {k: [] for k in SERIES}
        for k, v in (series or {}).items():
            self.series[k] = list(v)
        self.rate = 0.0

    @property
    def step(self) -> int:
        return self.engine.step

    def advance(self, n_steps: int) -> None:
        """Advance ``n_steps`` (any split into calls gives the same bits); raises BlowUpError."""
        t0 = time.perf_counter()
        self.engine.advance(n_steps)
        self.rate = self.mixture.n_particles * n_steps / max(time.perf_counter() - t0, 1e-9)

    @property
    def positions(self) -> np.ndarray:
        """(N, d) positions in [0, L), particle-id order."""
        return self.engine.positions()

    @property
    def unwrapped(self) -> np.ndarray:
        """(N, d) unwrapped positions."""
        return self.engine.unwrapped()

    @property
    def heat(self) -> np.ndarray:
        """(N,) heat into each particle's bath since burn-in (energy)."""
        return self.engine.heat()

    @property
    def heat_by_type(self) -> np.ndarray:
        """(types,) heat into the baths of each type since burn-in."""
        return np.bincount(self.mixture.typeid, weights=self.heat, minlength=len(self.mixture.type_names))

    @property
    def entropy(self) -> float:
        """Entropy produced in the baths since burn-in, sum_i Q_i / T_i (k_B = 1)."""
        return float(np.dot(self.heat, 1.0 / self.mixture.temperatures))

    @property
    def center(self) -> np.ndarray:
        """(d,) friction-weighted centre sum_i gamma_i r_i (unwrapped); it diffuses freely."""
        return (1.0 / self.mixture.mobilities) @ self.unwrapped

    def record(self) -> dict[str, Any]:
        """Append the current step, heat per type, entropy and centre to :attr:`series`."""
        row = {"step": self.step, "heat": self.heat_by_type, "entropy": self.entropy, "center": self.center,
               "particle_heat": self.heat}  # fmt: skip
        for k in SERIES:
            self.series[k].append(row[k])
        return row

    def run(self, total_steps: int, *, record_every: int, progress: ProgressCallback | None = None,
            reporters: tuple[Reporter, ...] = (), **driver_options) -> None:  # fmt: skip
        """Advance to ``total_steps`` through the shared driver, recording a row of the series every
        ``record_every`` steps and at the end (then the ``reporters``: frame writers, checkpoints)."""
        if not self.series["step"]:
            self.record()
        drive(self, total_steps, units_per_step=self.mixture.n_particles, progress=progress,
              reporters=(Reporter(record_every, self.record), *reporters), **driver_options)  # fmt: skip

    def summary(self) -> dict[str, Any]:
        """Rates with batch-means error bars (see :func:`summarize_series`)."""
        return summarize_series(
            self.mixture, self.dt, self.burn_in, self.series, self.rate, self.engine.neighbor_builds
        )

    def dataset(self, config: dict[str, Any] | None = None, summary: dict[str, Any] | None = None):
        """The time series as an xarray Dataset (the content of ``results.nc``)."""
        return series_dataset(self.mixture, self.dt, self.series, config or {}, summary or self.summary(), self.seed,
                              self.burn_in)  # fmt: skip

    def save(self, path: str | Path, **extra: np.ndarray) -> None:
        """Checkpoint: the full state and the series so far (atomic)."""
        self.engine.state.save(Path(path), **{f"series_{k}": np.asarray(v) for k, v in self.series.items()}, **extra)

    @staticmethod
    def load_state(path: str | Path) -> tuple[ManyBodyState, dict[str, Any], dict[str, np.ndarray]]:
        """(state, series, extra arrays) of a checkpoint written by :meth:`save`."""
        state, arrays = ManyBodyState.load(Path(path))
        series = {k.removeprefix("series_"): arrays.pop(k) for k in list(arrays) if k.startswith("series_")}
        return state, series, arrays


def summarize_series(
    mixture: Mixture, dt: float, burn_in: float, rows: dict, rate: float, builds: int
) -> dict[str, Any]:
    """Entropy production rate and heat rate per type (batch-means error bars), drift and
    diffusion of the friction-weighted centre sum_i gamma_i r_i; for ideal chains the exact
    rates (``*_exact``, physics.md section 8b)."""
    from multitemp import __version__

    steps = np.asarray(rows["step"])
    t = steps * dt
    measured = t >= burn_in - 1e-12
    entropy = np.asarray(rows["entropy"])
    heat = np.asarray(rows["heat"])
    center = np.asarray(rows["center"])
    t_meas = t[measured]
    duration = t_meas[-1] - t_meas[0] if len(t_meas) > 1 else 0.0
    summary: dict[str, Any] = {
        "particles": mixture.n_particles,
        "types": list(mixture.type_names),
        "type_counts": mixture.counts().tolist(),
        "type_temperatures": list(mixture.type_temperatures),
        "time": float(t[-1]),
        "measured_time": float(duration),
        "frames": len(steps),
    }
    if duration > 0:
        s, se = _rate(t_meas, entropy[measured])
        summary["entropy_production_rate"] = s
        summary["entropy_production_rate_stderr"] = se
        summary["entropy_production_rate_per_particle"] = s / mixture.n_particles
        rates = [_rate(t_meas, heat[measured, k]) for k in range(heat.shape[1])]
        summary["heat_rate"] = [v for v, _ in rates]
        summary["heat_rate_stderr"] = [e for _, e in rates]
        inc = np.diff(center[measured], axis=0)
        dts = np.diff(t_meas)
        summary["center_drift"] = (inc.sum(axis=0) / duration).tolist()
        # sum_i gamma_i r_i diffuses freely: variance 2 sum_i gamma_i T_i per unit time per axis
        summary["center_diffusion"] = float(np.mean(inc**2 / dts[:, None]) / 2) if len(inc) else None
        summary["center_diffusion_exact"] = float(np.sum(mixture.temperatures / mixture.mobilities))
    if mixture.n_bonds:
        summary["chains"] = len(chains_from_bonds(mixture.n_particles, mixture.bonds))
        summary["bonds"] = mixture.n_bonds
    theory = ideal_chain_theory(mixture)
    if theory is not None:
        per_type = np.bincount(mixture.typeid, weights=theory.heat_rate, minlength=len(mixture.type_names))
        summary["entropy_production_rate_exact"] = theory.entropy_production_rate
        summary["heat_rate_exact"] = per_type.tolist()
    summary["particle_steps_per_second"] = rate
    summary["neighbor_list_builds"] = builds
    summary["multitemp_version"] = __version__
    return summary


def _rate(t: np.ndarray, cumulative: np.ndarray) -> tuple[float, float]:
    """Rate of a cumulative quantity, with a batch-means standard error over ~16 batches."""
    duration = t[-1] - t[0]
    value = float((cumulative[-1] - cumulative[0]) / duration)
    return value, batch_mean_stderr(t, cumulative)


def particle_rates(mixture: Mixture, dt: float, burn_in: float, rows: dict) -> dict[str, np.ndarray]:
    """Per particle: heat rate into its bath and entropy production rate Q_i / (T_i t), with
    batch-means error bars, and the exact values for ideal chains (physics.md 8b)."""
    steps = np.asarray(rows["step"])
    heat = np.asarray(rows.get("particle_heat", []))
    out: dict[str, np.ndarray] = {}
    t = steps * dt
    measured = t >= burn_in - 1e-12
    if heat.ndim != 2 or heat.shape[0] != len(steps) or measured.sum() < 2:
        return out
    tm, hm = t[measured], heat[measured]
    rate = (hm[-1] - hm[0]) / (tm[-1] - tm[0])
    err = batch_mean_stderr(tm, hm)
    temps = mixture.temperatures
    out["particle_heat_rate"] = rate
    out["particle_heat_rate_stderr"] = err
    out["particle_entropy_production_rate"] = rate / temps
    out["particle_entropy_production_rate_stderr"] = err / temps
    theory = ideal_chain_theory(mixture)
    if theory is not None:
        out["particle_heat_rate_exact"] = theory.heat_rate
        out["particle_entropy_production_rate_exact"] = theory.heat_rate / temps
    return out


_PARTICLE_NAMES = {
    "particle_heat_rate": "heat flow into each particle's bath (energy / time)",
    "particle_entropy_production_rate": "entropy production rate of each particle's bath, Q_i / (T_i t) (1 / time)",
}


def series_dataset(mixture: Mixture, dt: float, rows: dict, config: dict, summary: dict, seed: int,
                   burn_in: float = 0.0):  # fmt: skip
    """Time series (cumulative heat per type, entropy, centre, heat per particle), rates per
    particle, with the summary and provenance."""
    import xarray as xr

    from multitemp.core.files import provenance

    steps = np.asarray(rows["step"])
    axes = ["x", "y", "z"][: mixture.dim]
    per_particle = {}
    for name, values in particle_rates(mixture, dt, burn_in, rows).items():
        base = name.removesuffix("_stderr").removesuffix("_exact")
        per_particle[name] = ("particle", values, {"long_name": _PARTICLE_NAMES[base]})
    if np.asarray(rows.get("particle_heat", [])).ndim == 2:
        per_particle["particle_heat"] = (("time", "particle"), np.asarray(rows["particle_heat"]),
                                         {"long_name": "cumulative heat into each particle's bath since burn-in"})  # fmt: skip
    per_particle["particle_type"] = ("particle", mixture.typeid)
    per_particle["particle_temperature"] = ("particle", mixture.temperatures)
    return xr.Dataset(
        {
            **per_particle,
            "heat": (("time", "type"), np.asarray(rows["heat"]), {"long_name": "cumulative heat into the baths of each type since burn-in"}),
            "entropy": ("time", np.asarray(rows["entropy"]), {"long_name": "cumulative entropy production sum_i Q_i / T_i"}),
            "center": (("time", "axis"), np.asarray(rows["center"]), {"long_name": "sum_i gamma_i r_i (unwrapped)"}),
        },
        coords={"time": steps * dt, "step": ("time", steps), "type": list(mixture.type_names), "axis": axes},
        attrs={**provenance(config, seed), "summary": json.dumps(summary)},
    )  # fmt: skip
