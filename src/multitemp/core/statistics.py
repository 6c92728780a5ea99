"""Means and standard errors across independent replicas."""

from __future__ import annotations

import numpy as np


def mean_stderr(per_replica: np.ndarray, axis: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Mean over replicas and its standard error std / sqrt(R) (ddof = 1)."""
    x = np.asarray(per_replica, dtype=np.float64)
    r = x.shape[axis]
    mean = x.mean(axis=axis)
    err = x.std(axis=axis, ddof=1) / np.sqrt(r) if r > 1 else np.full_like(mean, np.nan)
    return mean, err


def batch_mean_stderr(t: np.ndarray, cumulative: np.ndarray, n_batches: int = 16) -> float | np.ndarray:
    """Standard error of the rate of a cumulative quantity from one long run: the samples are
    cut into ``n_batches`` consecutive batches (fewer when there are few samples), the rate of
    each is taken, and their spread / sqrt(batches) is returned (batches assumed independent:
    each should be much longer than the correlation time). NaN with fewer than 2 batches.
    ``cumulative`` may have trailing axes (one rate per column): an array is then returned."""
    t = np.asarray(t, dtype=np.float64)
    c = np.asarray(cumulative, dtype=np.float64)
    nb = min(n_batches, len(t) - 1)
    if nb < 2:
        return float("nan") if c.ndim == 1 else np.full(c.shape[1:], np.nan)
    edges = np.linspace(0, len(t) - 1, nb + 1).round().astype(int)
    # weight by batch length: the overall rate is the length-weighted mean of batch rates
    w = np.diff(t[edges]).reshape((nb,) + (1,) * (c.ndim - 1))
    rates = (c[edges[1:]] - c[edges[:-1]]) / w
    mean = np.sum(w * rates, axis=0) / np.sum(w)
    var = np.sum(w * (rates - mean) ** 2, axis=0) / np.sum(w) * nb / (nb - 1)
    err = np.sqrt(var / nb)
    return float(err) if c.ndim == 1 else err
