"""The physical system: N particles in d dimensions, each with its own bath.

Conventions (physics.md section 1, k_B = 1): particle i has temperature ``T_i`` (energy
units) and mobility ``mu_i`` (drag ``gamma_i = 1 / mu_i``); it moves as
``dr_i/dt = mu_i F_i + sqrt(2 mu_i T_i) eta_i`` with ``F_i = -grad_i E``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from multitemp.core.potentials import ExternalPotential, NoExternal, NoPair, PairPotential


@dataclass(frozen=True)
class System:
    """Particles, baths, potentials and box.

    Args:
        dim: spatial dimension d (1, 2 or 3).
        temperatures: bath temperature T_i of each particle, shape (N,).
        mobilities: mobility mu_i of each particle, shape (N,); default all 1.
        pair: pair potential U between every pair of particles.
        external: external potential V acting on every particle.
        box: periodic box lengths, shape (d,); 0 along a direction means open space.
        bonds: harmonic springs ``(i, j, k)``: energy ``k |r_i - r_j|^2 / 2`` (chains, networks).
        tethers: harmonic tethers ``(i, k, anchor)``: energy ``k |r_i - anchor|^2 / 2``, anchor a
            point of shape (d,) (walls of a bead-spring chain).
    """

    dim: int
    temperatures: np.ndarray
    mobilities: np.ndarray | None = None
    pair: PairPotential = field(default_factory=NoPair)
    external: ExternalPotential = field(default_factory=NoExternal)
    box: np.ndarray | None = None
    bonds: tuple[tuple[int, int, float], ...] = ()
    tethers: tuple[tuple[int, float, tuple[float, ...]], ...] = ()

    def __post_init__(self) -> None:
        temps = np.atleast_1d(np.asarray(self.temperatures, dtype=np.float64))
        object.__setattr__(self, "temperatures", temps)
        mob = np.ones_like(temps) if self.mobilities is None else np.asarray(self.mobilities, dtype=np.float64)
        object.__setattr__(self, "mobilities", np.atleast_1d(mob))
        box = (
            np.zeros(self.dim) if self.box is None else np.broadcast_to(np.asarray(self.box, float), (self.dim,)).copy()
        )
        object.__setattr__(self, "box", box)
        if self.dim not in (1, 2, 3):
            raise ValueError(f"dim must be 1, 2 or 3, got {self.dim}")
        if self.mobilities.shape != temps.shape:
            raise ValueError(
                f"need one mobility per particle: {temps.size} temperatures, {self.mobilities.size} mobilities"
            )
        if np.any(temps <= 0) or np.any(self.mobilities <= 0):
            raise ValueError("temperatures and mobilities must be > 0")
        n = temps.size
        for i, j, _ in self.bonds:
            if not (0 <= i < n and 0 <= j < n and i != j):
                raise ValueError(f"bond ({i}, {j}) must join two different particles among 0..{n - 1}")
        for i, _, anchor in self.tethers:
            if not 0 <= i < n:
                raise ValueError(f"tether of particle {i}: particles are 0..{n - 1}")
            if len(anchor) != self.dim:
                raise ValueError(f"tether anchor {list(anchor)} needs {self.dim} coordinates")

    @property
    def n_particles(self) -> int:
        return int(self.temperatures.size)

    @property
    def is_periodic(self) -> bool:
        return bool(np.any(self.box > 0))

    def bonded_arrays(self) -> tuple[np.ndarray, ...]:
        """(bonds (n_b, 2) int, bond_k (n_b,), tethers (n_t,) int, tether_k (n_t,), anchors (n_t, d)) for the kernels."""
        bonds = np.array([(i, j) for i, j, _ in self.bonds], dtype=np.int64).reshape(-1, 2)
        bond_k = np.array([k for _, _, k in self.bonds], dtype=np.float64)
        tethers = np.array([i for i, _, _ in self.tethers], dtype=np.int64)
        tether_k = np.array([k for _, k, _ in self.tethers], dtype=np.float64)
        anchors = np.array([a for _, _, a in self.tethers], dtype=np.float64).reshape(-1, self.dim)
        return bonds, bond_k, tethers, tether_k, anchors

    @property
    def is_linear(self) -> bool:
        """True when all forces are linear (harmonic springs and traps, open space)."""
        return (
            self.pair.spring_constant is not None and self.external.trap_stiffness is not None and not self.is_periodic
        )
