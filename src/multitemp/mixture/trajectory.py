"""GSD trajectories in the HOOMD schema (readable by OVITO, freud, gsd, HOOMD-blue).

Each frame holds the box, positions (box centred on the origin, as HOOMD does), image
flags, type names and type ids, the particle diameter, the bonds of chains (bond type
``backbone``), and in the log: the per-particle bath temperature (``particles/temperature``)
and cumulative heat since burn-in (``particles/heat``), the cumulative heat per type and entropy
production (``multitemp/...``) and the run's config as JSON bytes (``multitemp/config``).
"""

from __future__ import annotations

import json
from pathlib import Path

import gsd.hoomd
import numpy as np

from multitemp.mixture.model import Mixture

__all__ = ["make_frame", "read_frame_positions", "config_from_gsd", "TrajectoryError"]


class TrajectoryError(ValueError):
    """A GSD file that cannot be used (missing, unreadable, another N, other types)."""


def make_frame(mixture: Mixture, step: int, positions: np.ndarray, images: np.ndarray, log: dict,
               config_json: str, heat: np.ndarray | None = None) -> gsd.hoomd.Frame:  # fmt: skip
    """One HOOMD-schema frame; positions in [0, L) are shifted to [-L/2, L/2)."""
    n, d = positions.shape
    box = np.asarray(mixture.box)
    frame = gsd.hoomd.Frame()
    frame.configuration.step = int(step)
    frame.configuration.dimensions = d
    lz = box[2] if d == 3 else 1.0
    frame.configuration.box = [box[0], box[1], lz, 0.0, 0.0, 0.0]
    pos = np.zeros((n, 3), dtype=np.float32)
    pos[:, :d] = positions - box / 2
    image = np.zeros((n, 3), dtype=np.int32)
    image[:, :d] = images
    frame.particles.N = n
    frame.particles.position = pos
    frame.particles.image = image
    frame.particles.types = list(mixture.type_names)
    frame.particles.typeid = mixture.typeid.astype(np.uint32)
    diameter = getattr(mixture.pair, "s", getattr(mixture.pair, "sigma", None))
    if diameter is None:
        diameter = mixture.bond.rest_length if mixture.bond is not None else 1.0
    frame.particles.diameter = np.full(n, diameter, np.float32)
    if mixture.n_bonds:
        frame.bonds.N = mixture.n_bonds
        frame.bonds.types = ["backbone"]
        frame.bonds.typeid = np.zeros(mixture.n_bonds, dtype=np.uint32)
        frame.bonds.group = mixture.bonds.astype(np.uint32)
    frame.log["particles/temperature"] = mixture.temperatures.astype(np.float32)
    if heat is not None:
        frame.log["particles/heat"] = np.asarray(heat, dtype=np.float64)
    for key, value in log.items():
        frame.log[f"multitemp/{key}"] = np.atleast_1d(np.asarray(value, dtype=np.float64))
    frame.log["multitemp/config"] = np.frombuffer(config_json.encode(), dtype=np.uint8)
    return frame


def _open(path: Path) -> gsd.hoomd.HOOMDTrajectory:
    if not Path(path).exists():
        raise TrajectoryError(f"GSD file not found: {path}")
    try:
        return gsd.hoomd.open(str(path), "r")
    except Exception as err:  # gsd raises RuntimeError / OSError for foreign files
        raise TrajectoryError(f"{path} is not a readable GSD file: {err}") from None


def read_frame_positions(path: Path, frame: int, mixture: Mixture) -> np.ndarray:
    """(N, d) unwrapped positions of one frame, in the box of ``mixture`` ([0, L)); checks N,
    the dimension and the type names against the mixture."""
    with _open(path) as traj:
        if len(traj) == 0:
            raise TrajectoryError(f"{path} has no frames")
        if not -len(traj) <= frame < len(traj):
            raise TrajectoryError(f"initial.frame = {frame}: {path} has {len(traj)} frames")
        f = traj[frame]
    n, d = mixture.n_particles, mixture.dim
    if f.particles.N != n:
        raise TrajectoryError(
            f"initial.gsd = {path} has {f.particles.N} particles, the config has "
            + (f"{n} (free particles and monomers)" if mixture.n_bonds else f"mixture.particles = {n}")
        )
    if f.configuration.dimensions != d:
        raise TrajectoryError(
            f"initial.gsd = {path} is {f.configuration.dimensions}D, the config has mixture.dim = {d}"
        )
    unknown = sorted(set(f.particles.types) - set(mixture.type_names))
    if unknown:
        raise TrajectoryError(
            f"initial.gsd = {path} has type names {unknown} that are not in mixture.types {list(mixture.type_names)}"
        )
    box = np.asarray(f.configuration.box[:d], dtype=np.float64)
    pos = f.particles.position[:, :d].astype(np.float64) + box / 2
    pos = pos + f.particles.image[:, :d] * box
    # rescale to this mixture's box (same phi: same box; otherwise an affine map)
    return pos * (np.asarray(mixture.box) / box)


def config_from_gsd(path: Path) -> dict | None:
    """The run config stored in a trajectory's first frame, if any."""
    with _open(path) as traj:
        if len(traj) == 0:
            return None
        raw = traj[0].log.get("multitemp/config")
    return json.loads(bytes(np.asarray(raw, dtype=np.uint8)).decode()) if raw is not None else None
