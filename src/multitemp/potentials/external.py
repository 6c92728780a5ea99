"""External potentials V(r_i), acting on every particle.

Kernel contract (numba, no allocation; register the pair, by ``kind_id``, in
:mod:`multitemp.potentials.dispatch`); ``x`` holds positions as (N, d, L): particle, axis,
replica lane (the kernels advance L replicas side by side):

* ``energy(x, i, ln, params) -> V(r_i)`` of particle i in lane ln;
* ``add_force(x, i, ln, params, f)`` adds ``-grad V(r_i)`` to ``f[i, :, ln]``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numba as nb
import numpy as np


class ExternalPotential:
    """Base class: parameters as a float64 array plus the two kernel functions."""

    kind: ClassVar[str]
    kind_id: ClassVar[int]
    energy_kernel: ClassVar[object]
    force_kernel: ClassVar[object]

    def params(self) -> np.ndarray:
        raise NotImplementedError

    @property
    def trap_stiffness(self) -> float | None:
        """lambda if V = lambda |r|^2 / 2 (0 for no potential): linear. None otherwise."""
        return None

    def energy(self, x: np.ndarray) -> np.ndarray:
        """V at positions ``x`` of shape (..., d) (for plots and checks)."""
        x = np.asarray(x, dtype=np.float64)
        flat = x.reshape(-1, 1, x.shape[-1], 1)
        p = self.params()
        return np.array([self.energy_kernel(row, 0, 0, p) for row in flat]).reshape(x.shape[:-1])


@nb.njit(cache=True, inline="always")
def _trap_energy(x, i, ln, p):
    e = 0.0
    for a in range(x.shape[1]):
        e += x[i, a, ln] * x[i, a, ln]
    return 0.5 * p[0] * e


@nb.njit(cache=True, inline="always")
def _trap_force(x, i, ln, p, f):
    for a in range(x.shape[1]):
        f[i, a, ln] -= p[0] * x[i, a, ln]


@dataclass(frozen=True)
class HarmonicTrap(ExternalPotential):
    """V(r) = lambda |r|^2 / 2 about the origin (lam: energy / length^2)."""

    lam: float
    kind: ClassVar[str] = "harmonic"
    kind_id: ClassVar[int] = 1
    energy_kernel: ClassVar[object] = staticmethod(_trap_energy)
    force_kernel: ClassVar[object] = staticmethod(_trap_force)

    def params(self) -> np.ndarray:
        return np.array([self.lam], dtype=np.float64)

    @property
    def trap_stiffness(self) -> float:
        return self.lam


@nb.njit(cache=True, inline="always")
def _none_energy(x, i, ln, p):
    return 0.0


@nb.njit(cache=True, inline="always")
def _none_force(x, i, ln, p, f):
    pass


@dataclass(frozen=True)
class NoExternal(ExternalPotential):
    """No external potential."""

    kind: ClassVar[str] = "none"
    kind_id: ClassVar[int] = 0
    energy_kernel: ClassVar[object] = staticmethod(_none_energy)
    force_kernel: ClassVar[object] = staticmethod(_none_force)

    def params(self) -> np.ndarray:
        return np.zeros(1, dtype=np.float64)

    @property
    def trap_stiffness(self) -> float:
        return 0.0
