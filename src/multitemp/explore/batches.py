"""One batch of replicas of an ensemble config, reduced to what the explorer's pages pool.

Per replica (rates per unit time after the burn-in): ``entropy`` (sum_i Q_i / T_i),
``angular_momentum`` (x_0 o dx_1 - x_1 o dx_0), ``com_velocity`` (friction-weighted centre
along x), ``chase`` (4, n_lags) and ``arrow`` (2, n_lags) sums and counts.  Summed: the
phase-space histogram (visits and displacements), with the normalisation it needs.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from multitemp.api import parse_config
from multitemp.core.statistics import mean_stderr
from multitemp.ensemble.kernel import CURRENT_SCALE
from multitemp.ensemble.simulation import EnsembleResult, EnsembleSimulation
from multitemp.ensemble.summary import ratio_stderr
from multitemp.explore.live import Batch

__all__ = ["ensemble_batch", "run_ensemble", "rate", "conditional", "phase_space"]


def run_ensemble(config: Mapping[str, Any], replica_offset: int = 0, histogram_range=(-5.0, 5.0)) -> EnsembleResult:
    """Run a config dictionary (validated like a TOML file) in memory, replicas from ``replica_offset``."""
    cfg = parse_config(config)
    sim = EnsembleSimulation(cfg.build_system(), cfg.build_run(tuple(histogram_range)), replica_offset=replica_offset)
    sim.advance(sim.params.n_steps)  # no signal handlers: this runs in a worker thread
    return sim.result


def ensemble_batch(config: Mapping[str, Any], index: int, histogram_range=(-5.0, 5.0)) -> Batch:
    """Batch ``index`` of ``config`` (replicas [index R, (index + 1) R) of one large ensemble)."""
    replicas = int(config["run"]["replicas"])
    res = run_ensemble(config, index * replicas, histogram_range)
    t = res.measured_time
    gamma = 1.0 / res.system.mobilities
    disp = (res.positions[:, :, 0] - res.positions_burn[:, :, 0]) / t
    per = {
        "entropy": res.entropy / t,
        "angular_momentum": res.angular_momentum / t,
        "com_velocity": disp @ gamma / gamma.sum(),
        "heat": res.heat / t,
    }
    if res.params.chase_lags:
        per["chase"] = np.moveaxis(res.chase, 0, 1)  # (R, 4, lags)
    if res.params.arrow_lags:
        per["arrow"] = np.moveaxis(res.arrow, 0, 1)  # (R, 2, lags)
    sums = {}
    if res.histogram_counts.size:
        sums = {
            "histogram_counts": res.histogram_counts.sum(axis=0).astype(float),
            "histogram_dx": res.histogram_dx.sum(axis=1) / CURRENT_SCALE,
            "histogram_norm": np.array([replicas * t, replicas * t / res.params.dt]),  # replica-time, -steps
        }
    return Batch(per, sums, replicas)


def rate(per_replica: Mapping[str, np.ndarray], key: str) -> tuple[float, float]:
    """Mean over the pooled replicas and its standard error (nan, nan when there are fewer than 2)."""
    values = per_replica.get(key)
    if values is None or len(values) < 2:
        return float("nan"), float("nan")
    m, e = mean_stderr(values)
    return float(m), float(e)


def conditional(per_replica: Mapping[str, np.ndarray], key: str, which: int) -> tuple[np.ndarray, np.ndarray]:
    """Conditional means sum / count of pair ``which`` (0: rows 0, 1; 1: rows 2, 3) per lag."""
    a = per_replica[key]
    return ratio_stderr(a[:, 2 * which], a[:, 2 * which + 1])


def phase_space(
    sums: Mapping[str, np.ndarray], histogram_range
) -> tuple[np.ndarray, np.ndarray, tuple[np.ndarray, np.ndarray]]:
    """Bin centres, density and Stratonovich current of the pooled histogram (see
    :mod:`multitemp.ensemble.phase_space`)."""
    counts = sums["histogram_counts"]
    nb = counts.shape[0]
    lo, hi = histogram_range
    width = (hi - lo) / nb
    area = width * width
    replica_time, replica_steps = sums["histogram_norm"]  # summed over the batches
    density = counts / (replica_steps * area)
    current = (sums["histogram_dx"][0] / (replica_time * area), sums["histogram_dx"][1] / (replica_time * area))
    return lo + width * (np.arange(nb) + 0.5), density, current
