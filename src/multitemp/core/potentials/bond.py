"""Bond potentials U_b(r) between the monomers of a chain (physics.md section 8b).

* harmonic: ``U = k (r - r0)^2 / 2`` (k: energy / length^2; r0 = 0 gives the Rouse spring
  ``k r^2 / 2`` of the exact theory);
* FENE (Kremer & Grest 1990): ``U = -k r_max^2 ln(1 - r^2 / r_max^2) / 2`` for r < r_max
  (k: energy / length^2); a bond stretched to r_max breaks the run (non-finite force,
  reported as a blow-up with the step and a smaller dt).

Kernel contract: ``bond_force_energy(r2, bp) -> (-U'(r)/r, U(r))`` with
``bp = (kind, k, r0, r_max, exclude)`` (``exclude`` = 1: bonded pairs feel no pair potential).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import ClassVar

import numba as nb
import numpy as np

__all__ = ["BondPotential", "HarmonicBond", "FENEBond", "bond_force_energy", "HARMONIC_BOND", "FENE_BOND"]

HARMONIC_BOND = 1
FENE_BOND = 2


@nb.njit(cache=True, inline="always")
def bond_force_energy(r2, bp):
    """(-U'(r)/r, U(r)) of one bond (NaN past a FENE bond's r_max)."""
    if bp[0] == FENE_BOND:
        q = r2 / (bp[3] * bp[3])
        if q < 1.0:
            return -bp[1] / (1.0 - q), -0.5 * bp[1] * bp[3] * bp[3] * math.log(1.0 - q)
        return math.nan, math.nan
    if bp[2] == 0.0:
        return -bp[1], 0.5 * bp[1] * r2
    r = math.sqrt(r2)
    return -bp[1] * (r - bp[2]) / (r + 1e-300), 0.5 * bp[1] * (r - bp[2]) ** 2


class BondPotential:
    """Base class: ``params(exclude)`` is the kernel's ``bp`` array."""

    kind: ClassVar[str]
    kind_id: ClassVar[int]

    def params(self, exclude: bool = True) -> np.ndarray:
        raise NotImplementedError

    @property
    def rest_length(self) -> float:
        """A typical bond length, for placing monomers at the start."""
        raise NotImplementedError

    def max_length(self) -> float:
        return math.inf

    def energy(self, r: np.ndarray) -> np.ndarray:
        p = self.params()
        return np.array([bond_force_energy(float(x) ** 2, p)[1] for x in np.ravel(r)]).reshape(np.shape(r))


@dataclass(frozen=True)
class HarmonicBond(BondPotential):
    """U = k (r - r0)^2 / 2."""

    k: float
    r0: float = 0.0
    kind: ClassVar[str] = "harmonic"
    kind_id: ClassVar[int] = HARMONIC_BOND

    def params(self, exclude: bool = True) -> np.ndarray:
        return np.array([self.kind_id, self.k, self.r0, 0.0, float(exclude)], dtype=np.float64)

    @property
    def rest_length(self) -> float:
        return self.r0 if self.r0 > 0 else 1.0 / math.sqrt(max(self.k, 1e-12))

    @property
    def spring_constant(self) -> float | None:
        """k when the bond is a Rouse spring (r0 = 0; the chain is then linear), else None."""
        return self.k if self.r0 == 0.0 else None


@dataclass(frozen=True)
class FENEBond(BondPotential):
    """U = -k r_max^2 ln(1 - r^2 / r_max^2) / 2 (Kremer-Grest: k = 30, r_max = 1.5 with WCA sigma = 1)."""

    k: float
    r_max: float
    kind: ClassVar[str] = "fene"
    kind_id: ClassVar[int] = FENE_BOND

    def params(self, exclude: bool = True) -> np.ndarray:
        return np.array([self.kind_id, self.k, 0.0, self.r_max, float(exclude)], dtype=np.float64)

    @property
    def rest_length(self) -> float:
        return min(0.97, 0.65 * self.r_max)

    def max_length(self) -> float:
        return self.r_max

    @property
    def spring_constant(self) -> None:
        return None
