"""Heat into each bath from configurations alone (physics.md section 7, "Where the entropy
is produced"): for overdamped dynamics the mean heat flow into the bath of particle i is

    q_i = mu_i ( <|grad_i U|^2> - T_i <laplacian_i U> )

(the Stratonovich heat F_i o dx_i: its Ito part mu_i |F_i|^2 plus the correction
mu_i T_i div_i F_i), so q_i / T_i, the entropy production of bath i, is estimated from
snapshots without any trajectory.  Deep inside a phase of one temperature the two terms cancel
(the configurational temperature identity <|grad U|^2> = T <laplacian U>).

Here U is the total energy: pair terms (bonded pairs left out when the mixture excludes
them), bonds and the container's wall.  Radial terms U(r) contribute
``|grad|^2 = U'^2`` and ``laplacian = U'' + (d - 1) U' / r``.  Built-in potentials only
(soft, WCA, none; harmonic and FENE bonds).
"""

from __future__ import annotations

import numpy as np
from scipy.spatial import cKDTree

from multitemp.core.potentials.bond import FENEBond, HarmonicBond
from multitemp.mixture.model import Mixture

__all__ = ["radial_derivatives", "forces_and_laplacians", "configurational_heat"]

WCA_CUTOFF = 2.0 ** (1.0 / 6.0)


def radial_derivatives(potential, r: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(U'(r), U''(r)) of a pair or bond potential, elementwise (0 beyond its range)."""
    kind = potential.kind
    r = np.asarray(r, dtype=np.float64)
    if kind == "soft":
        inside = r < potential.s
        return (np.where(inside, -potential.k / potential.s * (1 - r / potential.s), 0.0),
                np.where(inside, potential.k / potential.s**2, 0.0))  # fmt: skip
    if kind == "wca":
        inside = r < WCA_CUTOFF * potential.sigma
        s6 = (potential.sigma / r) ** 6
        d1 = 4 * potential.epsilon * (-12 * s6 * s6 + 6 * s6) / r
        d2 = 4 * potential.epsilon * (156 * s6 * s6 - 42 * s6) / r**2
        return np.where(inside, d1, 0.0), np.where(inside, d2, 0.0)
    if kind == "none":
        return np.zeros_like(r), np.zeros_like(r)
    if isinstance(potential, HarmonicBond):
        return potential.k * (r - potential.r0), np.full_like(r, potential.k)
    if isinstance(potential, FENEBond):
        q = (r / potential.r_max) ** 2
        return potential.k * r / (1 - q), potential.k * (1 + q) / (1 - q) ** 2
    raise NotImplementedError(f"configurational heat: no second derivative for the {kind!r} potential")


def _radial_terms(x, i, j, box, potential, d, force, lap):
    if len(i) == 0:
        return
    u = x[i] - x[j]
    u -= box * np.round(u / box)
    r = np.sqrt(np.einsum("ij,ij->i", u, u))
    d1, d2 = radial_derivatives(potential, r)
    f = -(d1 / np.where(r > 0, r, np.inf))[:, None] * u  # force on i
    np.add.at(force, i, f)
    np.add.at(force, j, -f)
    term = d2 + (d - 1) * d1 / np.where(r > 0, r, np.inf)
    np.add.at(lap, i, term)
    np.add.at(lap, j, term)


def forces_and_laplacians(positions: np.ndarray, mixture: Mixture) -> tuple[np.ndarray, np.ndarray]:
    """(N, d) forces -grad_i U and (N,) laplacians laplacian_i U at one configuration (positions
    in the box [0, L), particle-id order)."""
    n, d = positions.shape
    box = np.asarray(mixture.box, dtype=np.float64)
    x = np.mod(positions, box)
    force = np.zeros((n, d))
    lap = np.zeros(n)
    if mixture.pair.kind != "none":
        pairs = cKDTree(x, boxsize=box).query_pairs(mixture.cutoff, output_type="ndarray")
        if mixture.n_bonds and mixture.exclude_bonded:
            bonded = {(min(a, b), max(a, b)) for a, b in mixture.bonds.tolist()}
            keep = np.array([(a, b) not in bonded for a, b in pairs.tolist()], dtype=bool)
            pairs = pairs[keep] if len(pairs) else pairs
        _radial_terms(x, pairs[:, 0], pairs[:, 1], box, mixture.pair, d, force, lap)
    if mixture.n_bonds:
        _radial_terms(x, mixture.bonds[:, 0], mixture.bonds[:, 1], box, mixture.bond, d, force, lap)
    if mixture.wall is not None:
        kw, radius = mixture.wall
        w = x - box / 2
        rho = np.sqrt(np.einsum("ij,ij->i", w, w))
        out = rho > radius
        force[out] -= (kw * (rho[out] - radius) / rho[out])[:, None] * w[out]
        lap[out] += kw * (1 + (d - 1) * (rho[out] - radius) / rho[out])
    return force, lap


def configurational_heat(frames: np.ndarray, mixture: Mixture, blocks: int = 8) -> tuple[np.ndarray, np.ndarray]:
    """(N,) heat flow into each bath, mu_i (<|F_i|^2> - T_i <laplacian_i U>), averaged over the
    frames (F, N, d), and its standard error from ``blocks`` consecutive groups of frames."""
    mu, temps = mixture.mobilities, mixture.temperatures
    per_frame = []
    for x in frames:
        f, lap = forces_and_laplacians(x, mixture)
        per_frame.append(mu * (np.einsum("ij,ij->i", f, f) - temps * lap))
    q = np.asarray(per_frame)
    nb = max(1, min(blocks, len(q)))
    edges = np.linspace(0, len(q), nb + 1).round().astype(int)
    means = np.stack([q[a:b].mean(axis=0) for a, b in zip(edges[:-1], edges[1:], strict=True)])
    err = means.std(axis=0, ddof=1) / np.sqrt(nb) if nb > 1 else np.full(q.shape[1], np.nan)
    return q.mean(axis=0), err
