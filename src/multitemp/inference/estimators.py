"""Model-free estimators of the entropy production rate (physics.md section 8).

All use currents built from the samples alone: ``j_kl = phi_k(x_mid) (x_{n+L} - x_n)_l``
(Stratonovich: basis at the midpoint) over windows of L samples, and combine them with the
closed-form optimum over the coefficients c of J = c . j (Li, Horowitz, Gingrich & Fakhri,
Nat. Commun. 10, 1666 (2019)):

    max_c 2 <c.j>^2 / (t Var c.j) = 2 mu^T Sigma^-1 mu / t,   mu = <j>, Sigma = Cov j.

* ``tur``: windows of ``window`` samples, t = window * dt: a lower bound at any t.
* ``short_time_tur``: single-sample windows, exact as dt -> 0 for overdamped dynamics when the
  basis spans the thermodynamic force (Manikandan, Gupta & Krishnamurthy, PRL 124, 120603
  (2020); Otsubo et al., PRE 101, 062106 (2020)).  Its bias is O(dt): we evaluate it at
  sampling intervals dt and 2 dt and extrapolate to 0 (Richardson: 2 s(dt) - s(2 dt)).
* ``current``: sigma = int J^T D^-1 J / p dx from the binned density and current, D from the
  increments (constant, additive noise), the binning noise of J subtracted; <= 3 coordinates.

``mu^T Sigma^-1 mu`` is biased up by tr(Sigma^-1 Cov mu), Cov mu from the spread of the block
means (K / N for K independent currents); that is subtracted, so that equilibrium data give 0
within the error bar.  Standard errors: bootstrap over replicas
(or over blocks of time when there are few replicas), 200 resamples, fixed seed.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
from scipy import linalg

from multitemp.inference.basis import Basis
from multitemp.inference.data import InputError, Trajectories

N_BOOT = 200
MIN_BLOCKS = 40


@dataclass(frozen=True)
class Estimate:
    """An estimate of the entropy production rate (1 / time) with its standard error."""

    method: str
    entropy_production_rate: float
    stderr: float
    is_bound: bool
    assumptions: str
    details: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _blocks(shape: tuple[int, int]) -> list[tuple[int, int, int]]:
    """(replica, start, stop) blocks: whole replicas, or each cut in time when replicas are few."""
    r, t = shape
    per = max(1, -(-MIN_BLOCKS // r))
    edges = np.linspace(0, t, per + 1).astype(int)
    return [(i, int(edges[b]), int(edges[b + 1])) for i in range(r) for b in range(per)]


def _basis(traj: Trajectories, kind: str, dim: int | None) -> Basis:
    flat = traj.x.reshape(-1, traj.x.shape[2])
    try:
        return Basis(kind, flat[:: max(1, len(flat) // 200_000)], dim)
    except ValueError as err:
        raise InputError(str(err)) from None


def _window_stats(traj, blocks, lag, window, basis):
    """Per block: number of windows, sum of j (K), sum of j j^T (K, K).

    Increments over ``lag`` samples (non-overlapping), summed over ``window`` of them.
    """
    sums, squares, counts = [], [], []
    for r, t0, t1 in blocks:
        xs = traj.x[r, t0:t1:lag]
        dx = np.diff(xs, axis=0)
        phi = basis(0.5 * (xs[1:] + xs[:-1]))
        j = (phi[:, :, None] * dx[:, None, :]).reshape(len(dx), -1)
        nw = len(j) // window
        if window > 1:
            j = j[: nw * window].reshape(nw, window, -1).sum(axis=1)
        else:
            j = j[:nw]
        counts.append(nw)
        sums.append(j.sum(axis=0))
        squares.append(j.T @ j)
    return np.array(counts, float), np.array(sums), np.array(squares)


def _tur_value(w, counts, sums, squares, t):
    """2 (mu^T Sigma^-1 mu - tr(Sigma^-1 C)) / t with block weights w.

    C, the covariance of the estimated mean mu, comes from the spread of the block sums (batch
    means), so that E[estimate] = 2 mu^T Sigma^-1 mu / t.  (The textbook K / N assumes
    independent windows; currents that are exact differentials, like x o dx, telescope, their
    mean has almost no noise, and K / N then biases equilibrium data below 0 by several
    standard errors.)
    """
    n = w @ counts
    mu = (w @ sums) / n
    cov = np.tensordot(w, squares, axes=1) / n - np.outer(mu, mu)
    resid = sums - np.outer(counts, mu)  # block sums minus what mu predicts
    n_blocks = len(counts)
    c_mu = (resid.T * w) @ resid / (n * n) * n_blocks / (n_blocks - 1)
    rhs = np.column_stack([mu, c_mu])
    try:
        sol = linalg.solve(cov, rhs, assume_a="pos")
    except (linalg.LinAlgError, ValueError):
        sol = np.linalg.pinv(cov) @ rhs
    return 2.0 * (float(mu @ sol[:, 0]) - float(np.trace(sol[:, 1:]))) / t


def _bootstrap(fn, n_blocks: int) -> float:
    rng = np.random.default_rng(12345)
    vals = [fn(rng.multinomial(n_blocks, np.full(n_blocks, 1.0 / n_blocks)).astype(float)) for _ in range(N_BOOT)]
    return float(np.std(vals, ddof=1))


def _check(traj: Trajectories, need: int) -> None:
    if traj.x.shape[1] < need:
        raise InputError(f"{traj.x.shape[1]} samples per replica: this estimator needs at least {need}")


def tur_bound(traj: Trajectories, window: int = 10, basis: str = "linear", dim: int | None = None) -> Estimate:
    """TUR lower bound with windows of ``window`` samples (t = window dt), optimal linear current."""
    if window < 1:
        raise InputError(f"window = {window}: a positive number of samples")
    _check(traj, 4 * window + 1)
    blocks = _blocks(traj.x.shape[:2])
    stats = _window_stats(traj, blocks, 1, window, _basis(traj, basis, dim))
    t = window * traj.dt
    value = _tur_value(np.ones(len(blocks)), *stats, t)
    err = _bootstrap(lambda w: _tur_value(w, *stats, t), len(blocks))
    return Estimate(
        "tur", value, err, True,
        "none beyond a steady state: a lower bound for any Markovian dynamics (Li et al. 2019)",
        {"window_time": t, "currents": int(stats[1].shape[1]), "windows": int(stats[0].sum()), "basis": basis},
    )  # fmt: skip


def short_time_tur(traj: Trajectories, basis: str = "linear", dim: int | None = None) -> Estimate:
    """Short-time TUR with the optimal current, extrapolated to dt -> 0 from dt and 2 dt."""
    _check(traj, 16)
    blocks = _blocks(traj.x.shape[:2])
    b = _basis(traj, basis, dim)
    s1 = _window_stats(traj, blocks, 1, 1, b)
    s2 = _window_stats(traj, blocks, 2, 1, b)

    def value(w):
        return 2.0 * _tur_value(w, *s1, traj.dt) - _tur_value(w, *s2, 2 * traj.dt)

    ones = np.ones(len(blocks))
    return Estimate(
        "short_time_tur", value(ones), _bootstrap(value, len(blocks)), False,
        "overdamped Langevin dynamics; exact when the basis spans the thermodynamic force "
        f"({basis} basis); O(dt^2) after extrapolation",
        {"at_dt": _tur_value(ones, *s1, traj.dt), "at_2dt": _tur_value(ones, *s2, 2 * traj.dt),
         "currents": int(s1[1].shape[1]), "basis": basis},
    )  # fmt: skip


def _current_stats(traj, blocks, lag, edges):
    """Per block and bin: visits, summed increments (C), summed dx dx^T (C, C)."""
    c = traj.x.shape[2]
    nb = len(edges[0]) - 1
    size = nb**c
    counts = np.zeros((len(blocks), size))
    sums = np.zeros((len(blocks), size, c))
    squares = np.zeros((len(blocks), size, c, c))
    for b, (r, t0, t1) in enumerate(blocks):
        xs = traj.x[r, t0:t1:lag]
        dx = np.diff(xs, axis=0)
        xm = 0.5 * (xs[1:] + xs[:-1])
        idx = np.stack([np.digitize(xm[:, a], edges[a][1:-1]) for a in range(c)])
        flat = np.ravel_multi_index(idx, (nb,) * c)
        counts[b] = np.bincount(flat, minlength=size)
        for a in range(c):
            sums[b, :, a] = np.bincount(flat, weights=dx[:, a], minlength=size)
            for a2 in range(c):
                squares[b, :, a, a2] = np.bincount(flat, weights=dx[:, a] * dx[:, a2], minlength=size)
    return counts, sums, squares


def _current_value(w, counts, sums, squares, tau, dinv, vol, min_count=5):
    n_tot = w @ counts
    n = n_tot.sum()
    s = np.tensordot(w, sums, axes=1)
    sq = np.tensordot(w, squares, axes=1)
    ok = n_tot >= min_count
    # sum over bins of J^T D^-1 J / p * vol with J = s / (n tau vol), p = counts / (n vol)
    quad = np.einsum("bi,ij,bj->b", s[ok], dinv, s[ok]) / (n * tau * tau * n_tot[ok])
    noise = np.einsum("ij,bji->b", dinv, sq[ok]) / (n * tau * tau * n_tot[ok])
    return float(np.sum(quad - noise))


def current_based(traj: Trajectories, bins: int = 24) -> Estimate:
    """sigma = int J^T D^-1 J / p from binned density and current (<= 3 coordinates)."""
    c = traj.x.shape[2]
    if c > 3:
        raise InputError(f"the current-based estimator bins phase space: it needs <= 3 coordinates, got {c}")
    _check(traj, 16)
    blocks = _blocks(traj.x.shape[:2])
    flat = traj.x.reshape(-1, c)
    lo, hi = np.percentile(flat, 0.5, axis=0), np.percentile(flat, 99.5, axis=0)
    edges = [np.linspace(lo[a], hi[a], bins + 1) for a in range(c)]
    vol = float(np.prod((hi - lo) / bins))
    dx = np.diff(traj.x, axis=1).reshape(-1, c)
    diffusion = dx.T @ dx / (2.0 * traj.dt * len(dx))
    dinv = np.linalg.inv(diffusion)
    s1 = _current_stats(traj, blocks, 1, edges)
    s2 = _current_stats(traj, blocks, 2, edges)

    def value(w):
        return 2.0 * _current_value(w, *s1, traj.dt, dinv, vol) - _current_value(w, *s2, 2 * traj.dt, dinv, vol)

    ones = np.ones(len(blocks))
    return Estimate(
        "current", value(ones), _bootstrap(value, len(blocks)), False,
        "overdamped dynamics with additive noise of constant diffusion matrix (estimated from the "
        f"increments); binned on {bins}^{c} cells, so biased by the binning; extrapolated dt -> 0",
        {"diffusion": diffusion.tolist(), "bins": bins},
    )  # fmt: skip


METHODS = ("tur", "short_time_tur", "current")


def infer(
    traj: Trajectories,
    methods: tuple[str, ...] = METHODS,
    basis: str = "linear",
    window: int = 10,
    bins: int = 24,
    dim: int | None = None,
) -> dict[str, Estimate]:
    """Run the chosen estimators; ``current`` is skipped (not an error) above 3 coordinates
    unless asked for alone."""
    out: dict[str, Estimate] = {}
    for m in methods:
        if m not in METHODS:
            raise InputError(f"method {m!r}: allowed {', '.join(METHODS)}")
        if m == "tur":
            out[m] = tur_bound(traj, window, basis, dim)
        elif m == "short_time_tur":
            out[m] = short_time_tur(traj, basis, dim)
        elif traj.x.shape[2] <= 3 or len(methods) == 1:
            out[m] = current_based(traj, bins)
    return out
