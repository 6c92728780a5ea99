"""Basis functions phi_k(x) for the currents J = sum_k c_k phi_k(x) o dx_l.

* ``linear``: (1, x_1, ..., x_C).  Spans the thermodynamic force D^-1 v(x) of any linear
  (Ornstein-Uhlenbeck) system, so the short-time estimator is exact for it as dt -> 0.
* ``poly2``, ``poly3``: all monomials up to degree 2 or 3 (standardised coordinates).
* ``pair``: linear, plus Gaussian radial functions g_m(|r_i - r_j|) times each component of
  the unit vector (r_i - r_j) / |r_i - r_j|, for every pair of particles (coordinates grouped
  as N particles x ``dim`` axes).  Spans central pair forces f(r) r_hat with smooth f, even when
  f(0) != 0 (soft repulsion): short-ranged interactions whose heat flows through collisions,
  where polynomials of the positions overlap little with the force.
"""

from __future__ import annotations

import itertools

import numpy as np

BASES = ("linear", "poly2", "poly3", "pair")
N_RADIAL = 12


class Basis:
    """A basis fitted to the data's scale (centres, widths); call it on points (..., C)."""

    def __init__(self, kind: str, sample: np.ndarray, dim: int | None = None):
        if kind not in BASES:
            raise ValueError(f"basis {kind!r}: allowed {', '.join(BASES)}")
        c = sample.shape[-1]
        self.kind = kind
        self.center = sample.mean(axis=0)
        self.scale = np.maximum(sample.std(axis=0), 1e-300)
        self.degree = {"linear": 1, "poly2": 2, "poly3": 3, "pair": 1}[kind]
        if kind == "pair":
            if not dim or c % dim or c // dim < 2:
                raise ValueError(
                    f"basis 'pair' needs dim with coordinates = particles x dim, >= 2 particles; got {c} coordinates, dim = {dim}"
                )
            self.dim = dim
            self.pairs = list(itertools.combinations(range(c // dim), 2))
            r = np.concatenate([self._distance(sample, i, j) for i, j in self.pairs])
            hi = np.percentile(r, 95)
            self.centers = np.linspace(0.0, hi, N_RADIAL)
            self.width = self.centers[1] - self.centers[0]

    def _distance(self, x, i, j):
        d = self.dim
        return np.linalg.norm(x[..., i * d : (i + 1) * d] - x[..., j * d : (j + 1) * d], axis=-1)

    def __call__(self, xm: np.ndarray) -> np.ndarray:
        z = (xm - self.center) / self.scale
        cols = [np.ones(z.shape[:-1])]
        for deg in range(1, self.degree + 1):
            for combo in itertools.combinations_with_replacement(range(z.shape[-1]), deg):
                cols.append(np.prod([z[..., i] for i in combo], axis=0))
        if self.kind == "pair":
            d = self.dim
            for i, j in self.pairs:
                sep = xm[..., i * d : (i + 1) * d] - xm[..., j * d : (j + 1) * d]
                r = np.linalg.norm(sep, axis=-1)
                unit = sep / np.maximum(r, 1e-300)[..., None]
                for c0 in self.centers:
                    g = np.exp(-0.5 * ((r - c0) / self.width) ** 2)
                    cols.extend(g * unit[..., a] for a in range(d))
        return np.stack(cols, axis=-1)
