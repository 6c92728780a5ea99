"""Files both engines write: atomically (a temporary file, then a rename, so that a kill
leaves the old file or the new one, never half of one), each with its provenance (the fully
resolved config, the seed and the package version)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["provenance", "write_netcdf", "save_npz", "load_npz", "write_json"]


def provenance(config: dict[str, Any], seed: int) -> dict[str, Any]:
    """Attributes every results file carries: ``config`` (JSON), ``seed``, ``multitemp_version``."""
    from multitemp import __version__

    return {"config": json.dumps(config), "seed": int(seed), "multitemp_version": __version__}


def _replace(tmp: Path, path: Path) -> Path:
    os.replace(tmp, path)
    return path


def write_netcdf(ds, path: str | Path) -> Path:
    """Write an xarray Dataset to NetCDF (h5netcdf) atomically."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".part")
    ds.to_netcdf(tmp, engine="h5netcdf")
    return _replace(tmp, path)


def save_npz(path: str | Path, **arrays: Any) -> Path:
    """``numpy.savez`` atomically, flushed to disk before the rename (checkpoints)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".part")
    with open(tmp, "wb") as fh:
        np.savez(fh, **arrays)
        fh.flush()
        os.fsync(fh.fileno())
    return _replace(tmp, path)


def load_npz(path: str | Path) -> dict[str, np.ndarray]:
    """Every array of an ``.npz`` file, loaded."""
    with np.load(path) as z:
        return {k: z[k] for k in z.files}


def write_json(path: str | Path, data: Any) -> Path:
    """A JSON file, atomically."""
    path = Path(path)
    tmp = path.with_name(path.name + ".part")
    tmp.write_text(json.dumps(data, indent=1) + "\n")
    return _replace(tmp, path)
