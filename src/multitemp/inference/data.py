"""Trajectories as (replicas, time, coordinates) arrays, from NumPy, CSV, the project's NetCDF
results, or GSD files, checked before any estimator sees them."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

#: fewest samples per replica any estimator accepts
MIN_SAMPLES = 16


class InputError(ValueError):
    """Unusable trajectory input; the message says what is wrong and what is expected."""


@dataclass(frozen=True)
class Trajectories:
    """Positions ``x`` of shape (replicas, time, coordinates) sampled every ``dt``."""

    x: np.ndarray
    dt: float

    @classmethod
    def from_array(cls, x, dt: float | None) -> Trajectories:
        if dt is None:
            raise InputError("the sampling interval dt (time between samples, > 0) is unknown: pass it")
        if not np.isfinite(dt) or dt <= 0:
            raise InputError(f"dt = {dt}: the sampling interval must be a positive number")
        try:
            arr = np.asarray(x, dtype=np.float64)
        except (ValueError, TypeError):
            raise InputError("ragged input: every replica needs the same number of samples and coordinates") from None
        if arr.ndim == 2:
            arr = arr[None]
        if arr.ndim != 3:
            raise InputError(
                f"trajectories must be shaped (replicas, time, coordinates) or (time, coordinates), got {arr.shape}"
            )
        if arr.shape[2] < 1:
            raise InputError("trajectories need at least one coordinate")
        if arr.shape[1] < MIN_SAMPLES:
            raise InputError(f"{arr.shape[1]} samples per replica: the estimators need at least {MIN_SAMPLES}")
        bad = ~np.isfinite(arr)
        if bad.any():
            r, t, c = np.argwhere(bad)[0]
            raise InputError(
                f"{int(bad.sum())} NaN or infinite values, the first at replica {r}, sample {t}, coordinate {c}"
            )
        return cls(arr, float(dt))

    @property
    def n_samples(self) -> int:
        return int(self.x.shape[0] * self.x.shape[1])


def load_trajectories(path: str | Path, dt: float | None = None) -> Trajectories:
    """Read ``.npy`` (replicas, time, coordinates) or (time, coordinates); ``.npz`` (array ``x``,
    ``positions`` or the only one); ``.csv`` (one column per coordinate, one trajectory);
    ``.nc`` (a multitemp results file with stored trajectories; dt from its time axis);
    ``.gsd`` (unwrapped positions of every frame; needs the ``gsd`` package and ``dt``)."""
    path = Path(path)
    if not path.exists():
        raise InputError(f"trajectory file not found: {path}")
    suffix = path.suffix.lower()
    if suffix == ".npy":
        try:
            arr = np.load(path, allow_pickle=False)
        except ValueError:
            raise InputError(
                f"{path}: ragged or object array; save a float array (replicas, time, coordinates)"
            ) from None
        return Trajectories.from_array(arr, dt)
    if suffix == ".npz":
        with np.load(path, allow_pickle=False) as z:
            names = list(z.files)
            key = next(
                (k for k in ("x", "positions", "trajectories") if k in names), names[0] if len(names) == 1 else None
            )
            if key is None:
                raise InputError(f"{path}: several arrays ({', '.join(names)}); name the trajectories 'x'")
            return Trajectories.from_array(z[key], dt)
    if suffix == ".csv":
        text = path.read_text().splitlines()
        skip = 0 if text and _is_numeric_row(text[0]) else 1
        try:
            arr = np.loadtxt(path, delimiter=",", skiprows=skip, ndmin=2)
        except ValueError as err:
            raise InputError(f"{path}: not a numeric CSV with one column per coordinate ({err})") from None
        return Trajectories.from_array(arr, dt)
    if suffix == ".nc":
        import json

        import xarray as xr

        with xr.open_dataset(path) as ds:
            if "trajectory" not in ds:
                raise InputError(f"{path} has no stored trajectory: run with observables.trajectory_every > 0")
            burn_in = json.loads(ds.attrs.get("config", "{}")).get("run", {}).get("burn_in", 0.0)
            keep = ds["time"].values >= burn_in  # the steady state only
            traj = ds["trajectory"].values[:, keep]  # (replica, time, particle, axis)
            times = ds["time"].values[keep]
        arr = traj.reshape(traj.shape[0], traj.shape[1], -1)
        return Trajectories.from_array(arr, dt if dt is not None else float(times[1] - times[0]))
    if suffix == ".gsd":
        try:
            import gsd.hoomd
        except ImportError:
            raise InputError("reading GSD files needs the 'gsd' package: pip install gsd") from None
        frames = []
        with gsd.hoomd.open(str(path), "r") as traj:
            for frame in traj:
                box = np.asarray(frame.configuration.box[:3])
                pos = np.asarray(frame.particles.position) + np.asarray(frame.particles.image) * box
                dim = int(frame.configuration.dimensions)
                frames.append(pos[:, :dim].reshape(-1))
        return Trajectories.from_array(np.asarray(frames), dt)
    raise InputError(f"{path}: unknown format '{suffix}'; use .npy, .npz, .csv, .nc or .gsd")


def _is_numeric_row(line: str) -> bool:
    try:
        [float(v) for v in line.split(",")]
    except ValueError:
        return False
    return True
