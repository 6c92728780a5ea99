"""Basis functions phi_k(x) for the currents J = sum_k c_k phi_k(x) o dx_j.

``linear`` (1, x_1, ..., x_C) spans the thermodynamic force D^-1 v(x) of any linear
(Ornstein-Uhlenbeck) system, so the short-time estimator is exact for it as dt -> 0;
``poly2``/``poly3`` add monomials for nonlinear forces.  Coordinates are standardised first.
"""

from __future__ import annotations

import itertools

import numpy as np

BASES = ("linear", "poly2", "poly3")


def design(xm: np.ndarray, kind: str, center: np.ndarray, scale: np.ndarray) -> np.ndarray:
    """phi(x) for points ``xm`` (..., C) -> (..., M)."""
    if kind not in BASES:
        raise ValueError(f"basis {kind!r}: allowed {', '.join(BASES)}")
    z = (xm - center) / scale
    degree = {"linear": 1, "poly2": 2, "poly3": 3}[kind]
    cols = [np.ones(z.shape[:-1])]
    c = z.shape[-1]
    for deg in range(1, degree + 1):
        for combo in itertools.combinations_with_replacement(range(c), deg):
            cols.append(np.prod([z[..., i] for i in combo], axis=0))
    return np.stack(cols, axis=-1)
