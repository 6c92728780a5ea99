"""Exact steady state of linear systems: harmonic springs, bonds, tethers and traps
(physics.md section 4).

Each Cartesian axis is an independent Ornstein-Uhlenbeck process
``dx = -A x dt + sqrt(2 D) dW`` with ``A = diag(mu) H`` (H: Hessian of the energy, N x N) and
``D = diag(mu T)``.  The stationary covariance solves the Lyapunov equation
``A C + C A^T = 2 D``; the mean local velocity is ``v(x) = M x`` with ``M = D C^-1 - A``; the
current is ``J = M x p(x)``; the entropy production rate per axis is
``tr(M^T D^-1 M C)`` (Dotsenko et al. 2013; Filliger & Reimann 2007).

When H is singular (no trap: the friction-weighted centre diffuses freely) there is no
stationary C, but the forces ``F = -H x`` are stationary.  Working on the range of H gives
``E[F F^T] = H C H``, and the rates still follow: heat into bath i per axis
``mu_i [(H C H)_ii - T_i H_ii]`` (Stratonovich: Ito term plus ``mu_i T_i dF_i/dx_i``), and the
entropy production rate is ``sum_i heat_i / T_i``.  Internal coordinates (separations
r_i - r_j, bond vectors: physics.md section 8b) live in the range of H too, so their second
moments are stationary and exact: :meth:`LinearTheory.separation_msd`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.linalg import eigh, solve_continuous_lyapunov

from multitemp.ensemble.system import System


@dataclass(frozen=True)
class LinearTheory:
    """Exact stationary quantities of a linear :class:`~multitemp.ensemble.system.System`.

    Attributes (per Cartesian axis, N x N, unless said otherwise):
        hessian: H, with ``E = x^T H x / 2`` along each axis.
        drift: A = diag(mu) H.
        diffusion: D = diag(mu T).
        covariance: stationary C (None when H is singular).
    """

    dim: int
    hessian: np.ndarray
    mobilities: np.ndarray
    temperatures: np.ndarray

    @classmethod
    def from_system(cls, system: System) -> LinearTheory:
        if not system.is_linear:
            raise ValueError("the system is not linear: exact theory needs harmonic springs/traps in open space")
        n = system.n_particles
        k = float(system.pair.spring_constant)
        lam = float(system.external.trap_stiffness)
        hessian = k * (n * np.eye(n) - np.ones((n, n))) + lam * np.eye(n)
        for i, j, kb in system.bonds:
            e = np.zeros(n)
            e[i], e[j] = 1.0, -1.0
            hessian += kb * np.outer(e, e)
        for i, kt, _ in system.tethers:  # anchors shift the mean, not the fluctuations
            hessian[i, i] += kt
        return cls(system.dim, hessian, system.mobilities.copy(), system.temperatures.copy())

    @classmethod
    def from_bonds(cls, dim: int, temperatures, bonds, k, mobilities=None, tethers=None) -> LinearTheory:
        """An ideal (Rouse) chain or network: springs ``k |r_i - r_j|^2 / 2`` between the pairs
        ``bonds`` (k: one value or one per bond), tethers ``(i, k_t)`` to fixed points.  No
        excluded volume; physics.md section 8b."""
        t = np.asarray(temperatures, dtype=np.float64)
        n = len(t)
        ks = np.broadcast_to(np.asarray(k, dtype=np.float64), (len(bonds),))
        hessian = np.zeros((n, n))
        for (i, j), kb in zip(bonds, ks, strict=True):
            e = np.zeros(n)
            e[i], e[j] = 1.0, -1.0
            hessian += kb * np.outer(e, e)
        for i, kt in tethers or ():
            hessian[i, i] += kt
        mu = np.ones(n) if mobilities is None else np.asarray(mobilities, dtype=np.float64)
        return cls(dim, hessian, mu, t)

    @property
    def drift(self) -> np.ndarray:
        return np.diag(self.mobilities) @ self.hessian

    @property
    def diffusion(self) -> np.ndarray:
        return np.diag(self.mobilities * self.temperatures)

    def _range_basis(self) -> np.ndarray:
        w, v = eigh(self.hessian)
        scale = max(np.max(np.abs(w)), 1e-300)
        return v[:, np.abs(w) > 1e-12 * scale].T

    @property
    def is_stationary(self) -> bool:
        """True when every coordinate has a stationary distribution (H positive definite)."""
        return self._range_basis().shape[0] == self.hessian.shape[0]

    @property
    def covariance(self) -> np.ndarray | None:
        if not self.is_stationary:
            return None
        return solve_continuous_lyapunov(self.drift, 2.0 * self.diffusion)

    @property
    def mean_local_velocity(self) -> np.ndarray | None:
        """M with v(x) = M x (None when not stationary)."""
        c = self.covariance
        return None if c is None else self.diffusion @ np.linalg.inv(c) - self.drift

    def force_covariance(self) -> np.ndarray:
        """E[F F^T] = H C H per axis, defined even when H is singular."""
        p = self._range_basis()
        if p.shape[0] == 0:
            return np.zeros_like(self.hessian)
        a = p @ self.drift @ p.T
        q = 2.0 * p @ self.diffusion @ p.T
        cy = solve_continuous_lyapunov(a, q)
        h = self.hessian
        return h @ p.T @ cy @ p @ h

    def internal_covariance(self) -> np.ndarray:
        """Per axis, the stationary covariance of x projected on the range of H (the internal
        coordinates: the free centre of a chain is left out); equals C when H is definite."""
        p = self._range_basis()
        if p.shape[0] == 0:
            return np.zeros_like(self.hessian)
        cy = solve_continuous_lyapunov(p @ self.drift @ p.T, 2.0 * p @ self.diffusion @ p.T)
        return p.T @ cy @ p

    def separation_msd(self, i: int, j: int) -> float:
        """<|r_i - r_j|^2>, all axes (a bond's mean squared length when i, j are bonded)."""
        e = np.zeros(self.hessian.shape[0])
        e[i], e[j] = 1.0, -1.0
        return self.dim * float(e @ self.internal_covariance() @ e)

    def separation_msds(self, pairs) -> np.ndarray:
        """:meth:`separation_msd` of many pairs (an (M, 2) array)."""
        c = self.internal_covariance()
        pairs = np.asarray(pairs, dtype=np.int64).reshape(-1, 2)
        i, j = pairs[:, 0], pairs[:, 1]
        return self.dim * (c[i, i] + c[j, j] - 2 * c[i, j])

    @property
    def heat_rate(self) -> np.ndarray:
        """Mean heat flow into each bath, energy / time, all axes: mu_i [(HCH)_ii - T_i H_ii] d."""
        fcov = self.force_covariance()
        per_axis = self.mobilities * (np.diag(fcov) - self.temperatures * np.diag(self.hessian))
        return self.dim * per_axis

    @property
    def entropy_production_rate(self) -> float:
        """sum_i heat_i / T_i (1 / time), all axes."""
        return float(np.sum(self.heat_rate / self.temperatures))

    @property
    def ito_entropy_rate(self) -> float:
        """What the (wrong) Ito pre-point product converges to: rate + d tr(mu H)."""
        return self.entropy_production_rate + self.dim * float(np.trace(self.drift))

    @property
    def angular_momentum(self) -> float | None:
        """<x_0 o dx_1/dt - x_1 o dx_0/dt> summed over axes: d [(M C)_10 - (M C)_01]."""
        c = self.covariance
        if c is None or c.shape[0] < 2:
            return None
        mc = self.mean_local_velocity @ c
        return self.dim * float(mc[1, 0] - mc[0, 1])

    def density(self, x1: np.ndarray, x2: np.ndarray) -> np.ndarray:
        """Stationary p(x_0, x_1) of a pair in d = 1 on a grid (arrays broadcast)."""
        c = self._pair_covariance()
        ci = np.linalg.inv(c)
        q = ci[0, 0] * x1 * x1 + 2 * ci[0, 1] * x1 * x2 + ci[1, 1] * x2 * x2
        return np.exp(-0.5 * q) / (2 * np.pi * np.sqrt(np.linalg.det(c)))

    def current(self, x1: np.ndarray, x2: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Stationary probability current J = M x p(x) of a pair in d = 1."""
        self._pair_covariance()
        m = self.mean_local_velocity
        p = self.density(x1, x2)
        return (m[0, 0] * x1 + m[0, 1] * x2) * p, (m[1, 0] * x1 + m[1, 1] * x2) * p

    def _pair_covariance(self) -> np.ndarray:
        c = self.covariance
        if c is None or c.shape != (2, 2):
            raise ValueError("density and current maps need a stationary pair (N = 2, trap > 0)")
        return c
