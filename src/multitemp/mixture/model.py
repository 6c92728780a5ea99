"""A mixture of particle types, each with its own temperature and mobility (physics.md section 7)."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from multitemp.core.potentials.pair import PairPotential

__all__ = ["Mixture", "particle_volume"]


def particle_volume(dim: int, diameter: float) -> float:
    """Area (2D) or volume (3D) of a sphere of the given diameter."""
    return math.pi * diameter**2 / 4 if dim == 2 else math.pi * diameter**3 / 6


@dataclass(frozen=True)
class Mixture:
    """N particles of several types in a periodic box, optionally held in a spherical container.

    Attributes:
        dim: 2 or 3.
        box: box lengths (periodic, minimum image); positions live in [0, L).
        type_names: e.g. ("hot", "cold").
        type_temperatures, type_mobilities: per type (k_B = 1; mobility = 1 / friction).
        typeid: (N,) type index of each particle.
        pair: the pair potential (finite range: ``pair.cutoff``).
        wall: None, or (stiffness k_w, radius R): V = k_w (|r - c| - R)^2 / 2 beyond R, with c
            the box centre (Awazu 2014's container).
    """

    dim: int
    box: tuple[float, ...]
    type_names: tuple[str, ...]
    type_temperatures: tuple[float, ...]
    type_mobilities: tuple[float, ...]
    typeid: np.ndarray
    pair: PairPotential
    wall: tuple[float, float] | None = None

    @property
    def n_particles(self) -> int:
        return int(self.typeid.shape[0])

    @property
    def cutoff(self) -> float:
        return float(self.pair.cutoff)

    @property
    def temperatures(self) -> np.ndarray:
        """(N,) temperature of each particle."""
        return np.asarray(self.type_temperatures)[self.typeid]

    @property
    def mobilities(self) -> np.ndarray:
        """(N,) mobility of each particle."""
        return np.asarray(self.type_mobilities)[self.typeid]

    def counts(self) -> np.ndarray:
        return np.bincount(self.typeid, minlength=len(self.type_names))

    def wall_array(self) -> np.ndarray:
        """(k_w, R, c_0, c_1, c_2) for the kernel; k_w = 0 means no wall."""
        w = np.zeros(5)
        if self.wall is not None:
            w[0], w[1] = self.wall
            w[2 : 2 + self.dim] = np.asarray(self.box) / 2
        return w
