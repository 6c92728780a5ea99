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
