"""Pair potentials U(|r_i - r_j|), acting between every pair of particles.

Kernel contract (both functions compiled with numba, no allocation; register the pair, by
``kind_id``, in :mod:`multitemp.core.potentials.dispatch`):

* ``energy(r2, params) -> U``  with ``r2 = |r_i - r_j|^2``;
* ``force_over_r(r2, params) -> f``  with the force on i equal to ``f * (r_i - r_j)``,
  i.e. ``f = -U'(r) / r`` (positive for repulsion).

Write them branch-free (compute, then ``value if inside else 0.0``): LLVM turns that into a
select, and the many-body neighbour loops then vectorise (measured 2x).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import ClassVar

import numba as nb
import numpy as np

#: kind id of a user's potential (:class:`CustomPair`, :class:`~multitemp.core.potentials.CustomExternal`)
USER_KIND = -1


class PairPotential:
    """Base class: parameters as a float64 array plus the two kernel functions."""

    kind: ClassVar[str]
    kind_id: ClassVar[int]
    energy_kernel: ClassVar[object]
    force_kernel: ClassVar[object]

    def params(self) -> np.ndarray:
        raise NotImplementedError

    @property
    def spring_constant(self) -> float | None:
        """k if U = k r^2 / 2 (0 for no potential): the system is then linear. None otherwise."""
        return None

    def energy(self, r: np.ndarray) -> np.ndarray:
        """U(r) for an array of distances (for plots and checks; not used in the hot loop)."""
        p = self.params()
        return np.array([self.energy_kernel(float(x) ** 2, p) for x in np.ravel(r)]).reshape(np.shape(r))

    def force(self, r: np.ndarray) -> np.ndarray:
        """-dU/dr for an array of distances."""
        p = self.params()
        return np.array([self.force_kernel(float(x) ** 2, p) * float(x) for x in np.ravel(r)]).reshape(np.shape(r))


@nb.njit(cache=True, inline="always")
def _harmonic_energy(r2, p):
    return 0.5 * p[0] * r2


@nb.njit(cache=True, inline="always")
def _harmonic_force(r2, p):
    return -p[0]


@dataclass(frozen=True)
class HarmonicSpring(PairPotential):
    """U(r) = k r^2 / 2 (k: energy / length^2)."""

    k: float
    kind: ClassVar[str] = "harmonic"
    kind_id: ClassVar[int] = 1
    energy_kernel: ClassVar[object] = staticmethod(_harmonic_energy)
    force_kernel: ClassVar[object] = staticmethod(_harmonic_force)

    def params(self) -> np.ndarray:
        return np.array([self.k], dtype=np.float64)

    @property
    def spring_constant(self) -> float:
        return self.k


@nb.njit(cache=True, inline="always")
def _soft_energy(r2, p):
    s = p[1]
    u = 1.0 - math.sqrt(r2) / s
    return 0.5 * p[0] * u * u if r2 < s * s else 0.0


@nb.njit(cache=True, inline="always")
def _soft_force(r2, p):
    s = p[1]
    r = math.sqrt(r2)
    w = p[0] * (1.0 - r / s) / (s * r)
    return w if (r2 < s * s) & (r2 > 0.0) else 0.0


@nb.njit(cache=True, inline="always")
def _soft_force_energy(r2, p):
    s = p[1]
    r = math.sqrt(r2)
    u = 1.0 - r / s
    inside = r2 < s * s
    return (p[0] * u / (s * r) if inside & (r2 > 0.0) else 0.0), (0.5 * p[0] * u * u if inside else 0.0)


@dataclass(frozen=True)
class SoftRepulsion(PairPotential):
    """U(r) = (k/2) (1 - r/s)^2 for r < s, 0 beyond (k: energy, s: interaction range)."""

    k: float
    s: float
    kind: ClassVar[str] = "soft"
    kind_id: ClassVar[int] = 2
    energy_kernel: ClassVar[object] = staticmethod(_soft_energy)
    force_kernel: ClassVar[object] = staticmethod(_soft_force)

    def params(self) -> np.ndarray:
        return np.array([self.k, self.s], dtype=np.float64)

    @property
    def cutoff(self) -> float:
        return self.s


#: WCA cutoff in units of sigma: the minimum of the Lennard-Jones potential, 2^(1/6)
WCA_CUTOFF = 2.0 ** (1.0 / 6.0)


@nb.njit(cache=True, inline="always")
def _wca_energy(r2, p):
    eps, sigma = p[0], p[1]
    s6 = (sigma * sigma / r2) ** 3
    return 4.0 * eps * (s6 * s6 - s6) + eps if r2 < WCA_CUTOFF**2 * sigma * sigma else 0.0


@nb.njit(cache=True, inline="always")
def _wca_force(r2, p):
    eps, sigma = p[0], p[1]
    s6 = (sigma * sigma / r2) ** 3
    return 24.0 * eps * (2.0 * s6 * s6 - s6) / r2 if r2 < WCA_CUTOFF**2 * sigma * sigma else 0.0


@dataclass(frozen=True)
class WCARepulsion(PairPotential):
    """Weeks-Chandler-Andersen: U = 4 eps [(sigma/r)^12 - (sigma/r)^6] + eps for r < 2^(1/6) sigma,
    0 beyond (Weeks, Chandler, Andersen, J. Chem. Phys. 54, 5237 (1971))."""

    epsilon: float
    sigma: float
    kind: ClassVar[str] = "wca"
    kind_id: ClassVar[int] = 3
    energy_kernel: ClassVar[object] = staticmethod(_wca_energy)
    force_kernel: ClassVar[object] = staticmethod(_wca_force)

    def params(self) -> np.ndarray:
        return np.array([self.epsilon, self.sigma], dtype=np.float64)

    @property
    def cutoff(self) -> float:
        return WCA_CUTOFF * self.sigma


@nb.njit(cache=True, inline="always")
def _zero_energy(r2, p):
    return 0.0


@nb.njit(cache=True, inline="always")
def _zero_force(r2, p):
    return 0.0


@dataclass(frozen=True)
class NoPair(PairPotential):
    """No interaction between particles."""

    kind: ClassVar[str] = "none"
    kind_id: ClassVar[int] = 0
    energy_kernel: ClassVar[object] = staticmethod(_zero_energy)
    force_kernel: ClassVar[object] = staticmethod(_zero_force)

    def params(self) -> np.ndarray:
        return np.zeros(1, dtype=np.float64)

    @property
    def spring_constant(self) -> float:
        return 0.0


class UserParameters:
    """``params()`` of a user's potential: its ``parameters`` as a float64 array (one 0 if none:
    the kernels take an array)."""

    parameters: tuple[float, ...]

    def params(self) -> np.ndarray:
        return np.array(self.parameters if self.parameters else (0.0,), dtype=np.float64)


@dataclass(frozen=True)
class CustomPair(UserParameters, PairPotential):
    """A pair potential of the user's own: two ``numba.njit`` functions and their parameters,
    usable in both engines without editing the package.

    Args:
        energy: ``energy(r2, p) -> U`` with ``r2 = |r_i - r_j|^2`` and ``p`` the parameter array.
        force_over_r: ``force_over_r(r2, p) -> -U'(r) / r`` (the force on i is this times r_i - r_j).
        parameters: the values passed as ``p`` (float64 array).
        cutoff: range beyond which both functions are 0 (needed by the many-body engine; None:
            unbounded, ensembles only).
        name: a label for files and messages.

    Kernels that use a custom potential are compiled in the session (not cached on disk): the
    first run takes about a minute.  The heat is exact for any such potential (discrete gradient).
    """

    energy_kernel: object
    force_kernel: object
    parameters: tuple[float, ...] = ()
    cutoff: float | None = None
    name: str = "custom"
    kind: ClassVar[str] = "custom"
    kind_id: ClassVar[int] = USER_KIND
