"""A mixture of particle types, each with its own temperature and mobility (physics.md section 7)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from multitemp.core.potentials.bond import BondPotential
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
        bonds: (M, 2) particle ids joined by a ``bond`` potential (chains, physics.md 8b).
        bond: the bond potential (:class:`~multitemp.core.potentials.bond.HarmonicBond` or
            :class:`~multitemp.core.potentials.bond.FENEBond`).
        exclude_bonded: bonded pairs feel no pair potential (default; Kremer-Grest chains keep it).
    """

    dim: int
    box: tuple[float, ...]
    type_names: tuple[str, ...]
    type_temperatures: tuple[float, ...]
    type_mobilities: tuple[float, ...]
    typeid: np.ndarray
    pair: PairPotential
    wall: tuple[float, float] | None = None
    bonds: np.ndarray | None = field(default=None, repr=False)
    bond: BondPotential | None = None
    exclude_bonded: bool = True

    def __post_init__(self) -> None:
        bonds = np.asarray(self.bonds if self.bonds is not None else (), dtype=np.int64).reshape(-1, 2)
        object.__setattr__(self, "bonds", bonds)
        n = self.n_particles
        if len(bonds):
            bad = (bonds < 0) | (bonds >= n)
            if bad.any():
                m = int(np.argwhere(bad.any(axis=1))[0, 0])
                raise ValueError(
                    f"bonds[{m}] = {bonds[m].tolist()}: joins a particle that does not exist "
                    f"(particle ids are 0..{n - 1})"
                )
            same = np.flatnonzero(bonds[:, 0] == bonds[:, 1])
            if len(same):
                raise ValueError(f"bonds[{same[0]}] = {bonds[same[0]].tolist()}: a particle cannot be bonded to itself")
            if self.bond is None:
                raise ValueError("bonds are given but no bond potential (bond=HarmonicBond(...) or FENEBond(...))")

    @property
    def n_bonds(self) -> int:
        return int(self.bonds.shape[0])

    def bond_partners(self) -> np.ndarray:
        """(N, W) ids bonded to each particle id, -1 padded (W = most bonds of a particle; 0 without bonds)."""
        n = self.n_particles
        degree = np.bincount(self.bonds.ravel(), minlength=n) if self.n_bonds else np.zeros(n, dtype=np.int64)
        out = np.full((n, int(degree.max(initial=0))), -1, dtype=np.int64)
        fill = np.zeros(n, dtype=np.int64)
        for a, b in self.bonds:
            out[a, fill[a]] = b
            fill[a] += 1
            out[b, fill[b]] = a
            fill[b] += 1
        return out

    def bond_params(self) -> np.ndarray:
        """The kernel's ``bond_p`` (kind 0 without bonds)."""
        if self.bond is None:
            return np.zeros(5)
        return self.bond.params(self.exclude_bonded)

    @property
    def n_particles(self) -> int:
        return int(self.typeid.shape[0])

    @property
    def cutoff(self) -> float:
        """Range of the pair potential (0 for no pair potential: ideal chains)."""
        return 0.0 if self.pair.kind == "none" else float(self.pair.cutoff)

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

    @classmethod
    def in_periodic_box(cls, dim: int, types: Sequence[tuple], pair: PairPotential, phi: float) -> Mixture:
        """A mixture in a periodic square (cubic) box sized for packing fraction ``phi``.

        Args:
            dim: 2 or 3.
            types: ``(name, count, temperature)`` or ``(name, count, temperature, mobility)`` each.
            pair: the pair potential; the particle diameter is its range (``s``, or ``sigma`` for WCA).
            phi: area (2D) or volume (3D) fraction of the particles.

        Example: ``Mixture.in_periodic_box(2, [("hot", 300, 20.0), ("cold", 300, 1.0)], SoftRepulsion(100, 1), 0.4)``.
        """
        if dim not in (2, 3):
            raise ValueError(f"dim must be 2 or 3, got {dim}")
        if not 0 < phi < 1:
            raise ValueError(f"phi must be in (0, 1), got {phi}")
        rows = [(str(t[0]), int(t[1]), float(t[2]), float(t[3]) if len(t) > 3 else 1.0) for t in types]
        counts = np.array([r[1] for r in rows])
        diameter = float(getattr(pair, "s", None) or getattr(pair, "sigma", 1.0))
        side = (counts.sum() * particle_volume(dim, diameter) / phi) ** (1.0 / dim)
        return cls(
            dim=dim,
            box=(side,) * dim,
            type_names=tuple(r[0] for r in rows),
            type_temperatures=tuple(r[2] for r in rows),
            type_mobilities=tuple(r[3] for r in rows),
            typeid=np.repeat(np.arange(len(rows)), counts).astype(np.int64),
            pair=pair,
        )
