"""Phase-space density and Stratonovich current of a pair in d = 1 (physics.md section 4).

From the kernel's histogram over the midpoints (x_0, x_1) of each step:

    p(x)  = visits(bin) / (R * n_steps * bin_area)
    J(x)  = sum_bin dx / (R * T * bin_area)      = < dx/dt o delta(x - x(t)) >

with T the measured time (after burn-in) and n_steps = T / dt.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from multitemp.ensemble.kernel import CURRENT_SCALE
from multitemp.ensemble.simulation import EnsembleResult


@dataclass(frozen=True)
class PhaseSpaceMap:
    """Density p (nb, nb) and current (J_0, J_1) on bin centres ``centers`` (both axes)."""

    centers: np.ndarray
    density: np.ndarray
    current: tuple[np.ndarray, np.ndarray]

    @classmethod
    def from_result(cls, result: EnsembleResult) -> PhaseSpaceMap:
        counts = result.histogram_counts.sum(axis=0)
        nb = counts.shape[0]
        if nb == 0:
            raise ValueError("this run has no phase-space histogram (observables.histogram_bins = 0)")
        lo, hi = result.params.histogram_range
        width = (hi - lo) / nb
        centers = lo + width * (np.arange(nb) + 0.5)
        area = width * width
        steps = result.measured_time / result.params.dt
        norm_t = result.params.replicas * result.measured_time * area
        density = counts / (result.params.replicas * steps * area)
        dx = result.histogram_dx.sum(axis=1) / CURRENT_SCALE
        return cls(centers, density, (dx[0] / norm_t, dx[1] / norm_t))
