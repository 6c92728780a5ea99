"""Pictures of a mixture: snapshot (hot and cold in two colours, box drawn), MP4 movie, L(t).

Disks are drawn at their true size (diameter from the GSD frame) in data units.  The movie
uses matplotlib's animation with the ffmpeg binary shipped by ``imageio-ffmpeg`` (nothing
to install system-wide).
"""

from __future__ import annotations

from pathlib import Path

import gsd.hoomd
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.collections import EllipseCollection  # noqa: E402

__all__ = ["snapshot", "movie", "coarsening_figure"]

#: colours per type name (others cycle through matplotlib's defaults)
COLOURS = {"hot": "#d62728", "cold": "#1f77b4"}


def _colours(types: list[str]) -> list[str]:
    cycle = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    return [COLOURS.get(name, cycle[i % len(cycle)]) for i, name in enumerate(types)]


def _draw(ax, frame: gsd.hoomd.Frame, time: float | None = None) -> EllipseCollection:
    lx, ly = float(frame.configuration.box[0]), float(frame.configuration.box[1])
    pos = np.asarray(frame.particles.position)
    typeid = np.asarray(frame.particles.typeid)
    types = list(frame.particles.types)
    dia = frame.particles.diameter if frame.particles.diameter is not None else np.ones(len(pos))
    colours = np.array(_colours(types))[typeid]
    order = np.argsort(-typeid, kind="stable")  # later types below: cold drawn over hot
    coll = EllipseCollection(dia[order], dia[order], np.zeros(len(pos)), units="xy", offsets=pos[order, :2],
                             offset_transform=ax.transData, facecolors=colours[order], linewidths=0, alpha=0.85)  # fmt: skip
    ax.add_collection(coll)
    ax.add_patch(plt.Rectangle((-lx / 2, -ly / 2), lx, ly, fill=False, lw=1.0, color="k"))
    radius = _container_radius(frame)
    if radius is not None:
        ax.add_patch(plt.Circle((0.0, 0.0), radius, fill=False, lw=1.0, ls="--", color="k"))
    ax.set_xlim(-lx / 2 - 1, lx / 2 + 1)
    ax.set_ylim(-ly / 2 - 1, ly / 2 + 1)
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    label = f"step {frame.configuration.step}" + (f", t = {time:g}" if time is not None else "")
    ax.set_title(label, fontsize=9)
    for name, c in zip(types, _colours(types), strict=True):
        ax.plot([], [], "o", color=c, label=name)
    ax.legend(loc="upper right", fontsize=7, framealpha=0.8)
    return coll


def _container_radius(frame: gsd.hoomd.Frame) -> float | None:
    """The spherical container's radius, from the config stored in the frame's log."""
    raw = frame.log.get("multitemp/config")
    if raw is None:
        return None
    import json

    from multitemp.mixture.config import MixtureConfig

    try:
        config = MixtureConfig.model_validate(json.loads(bytes(np.asarray(raw, dtype=np.uint8)).decode()))
    except ValueError:
        return None
    return config.container_radius() if config.container.kind == "sphere" else None


def _figsize(frame: gsd.hoomd.Frame, size: float) -> tuple[float, float]:
    """(width, height) following the box's aspect (an elongated box gets a wide figure)."""
    lx, ly = float(frame.configuration.box[0]), float(frame.configuration.box[1])
    return (size, size * ly / lx + 0.6) if lx >= ly else (size * lx / ly, size + 0.6)


def _time(frame: gsd.hoomd.Frame) -> float | None:
    t = frame.log.get("multitemp/time")
    return float(np.asarray(t).ravel()[0]) if t is not None else None


def snapshot(path: Path, out: Path, frame: int = -1, size: float = 6.0) -> Path:
    """PNG of one frame of a 2D trajectory (3D: the x-y projection)."""
    with gsd.hoomd.open(str(path), "r") as traj:
        f = traj[frame]
    fig, ax = plt.subplots(figsize=_figsize(f, size))
    _draw(ax, f, _time(f))
    fig.tight_layout()
    fig.savefig(out, dpi=150)
    plt.close(fig)
    return Path(out)


def movie(path: Path, out: Path, fps: int = 10, size: float = 6.0, max_frames: int = 300) -> Path:
    """MP4 of the trajectory (at most ``max_frames`` frames, evenly picked)."""
    import imageio_ffmpeg
    from matplotlib import animation

    plt.rcParams["animation.ffmpeg_path"] = imageio_ffmpeg.get_ffmpeg_exe()
    with gsd.hoomd.open(str(path), "r") as traj:
        n = len(traj)
        picks = np.unique(np.linspace(0, n - 1, min(n, max_frames)).round().astype(int))
        frames = [traj[int(i)] for i in picks]
    fig, ax = plt.subplots(figsize=_figsize(frames[0], size))
    writer = animation.FFMpegWriter(fps=fps, codec="libx264", extra_args=["-pix_fmt", "yuv420p"])
    with writer.saving(fig, str(out), dpi=100):
        for f in frames:
            ax.clear()
            _draw(ax, f, _time(f))
            writer.grab_frame()
    plt.close(fig)
    return Path(out)


def coarsening_figure(time: np.ndarray, length: np.ndarray, out: Path, demixing: np.ndarray | None = None,
                      control: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None,
                      local_phi: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None) -> Path:  # fmt: skip
    """L(t) on log-log axes; beside it, when given, the demixing order parameter against time
    and the histogram of the local cold packing fraction (``local_phi`` = (bin centres, first
    frame, last frame): bimodal once separated).  A control run (time, L, demixing), e.g. at
    equal temperatures, is drawn dashed."""
    panels = 1 + (demixing is not None) + (local_phi is not None)
    fig, axes = plt.subplots(1, panels, figsize=(4.2 * panels, 3.4))
    axes = np.atleast_1d(axes)
    ok = time > 0
    axes[0].loglog(time[ok], length[ok], "o-", ms=3, label="hot/cold")
    if control is not None:
        tc, lc, _ = control
        axes[0].loglog(tc[tc > 0], lc[tc > 0], "s--", ms=3, color="gray", label="control")
        axes[0].legend(fontsize=8)
    axes[0].set_xlabel("t")
    axes[0].set_ylabel("coarsening length L(t)")
    k = 1
    if demixing is not None:
        axes[k].plot(time, demixing, "o-", ms=3, label="hot/cold")
        if control is not None:
            axes[k].plot(control[0], control[2], "s--", ms=3, color="gray", label="control")
            axes[k].legend(fontsize=8)
        axes[k].axhline(0, color="gray", lw=0.8)
        axes[k].set_xlabel("t")
        axes[k].set_ylabel("demixing order parameter")
        k += 1
    if local_phi is not None:
        centres, first, last = local_phi
        axes[k].plot(centres, first, color="gray", label="first frame")
        axes[k].plot(centres, last, color="C0", label="last frame")
        axes[k].set_xlabel("local cold packing fraction")
        axes[k].set_ylabel("probability density")
        axes[k].legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(out, dpi=150)
    plt.close(fig)
    return Path(out)
