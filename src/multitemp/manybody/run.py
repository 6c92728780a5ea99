"""Run a mixture: GSD frames as it goes, a checkpoint beside them, resumable bit for bit.

Files in the output folder:

* ``trajectory.gsd``: a frame at step 0, every ``output.write_every`` steps and at the end;
* ``checkpoint.npz``: the full state (positions, images, forces, heat, neighbour-list
  origin) and the time series so far, written atomically before each frame and on
  interrupt; ``multitemp run CONFIG --resume`` continues from it and gives the same bits
  as a run that was never stopped;
* ``results.nc``: time series (cumulative heat per type, entropy production, friction-weighted
  centre) and the summary in the attributes; ``results.json``: the summary.

Ctrl-C or SIGTERM stop the run at the end of the current chunk of steps (~0.5 s), write the
checkpoint and raise :class:`MixtureInterrupted`.
"""

from __future__ import annotations

import json
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import gsd.hoomd
import numpy as np

from multitemp import __version__
from multitemp.analysis.statistics import batch_mean_stderr
from multitemp.manybody.config import MixtureConfig
from multitemp.manybody.engine import ManyBodyEngine, ManyBodyState, random_positions
from multitemp.manybody.trajectory import TrajectoryError, make_frame, read_frame_positions

__all__ = ["run_mixture", "summarize_mixture", "MixtureOutput", "MixtureInterrupted", "ResumeError", "TrajectoryError"]

TRAJECTORY = "trajectory.gsd"
CHECKPOINT = "checkpoint.npz"


class MixtureInterrupted(KeyboardInterrupt):
    """The run was stopped (Ctrl-C, SIGTERM); frames and a checkpoint were kept."""

    def __init__(self, step: int, total: int, out: Path):
        super().__init__(
            f"stopped at step {step} of {total}; frames kept in {out / TRAJECTORY}, "
            f"checkpoint {out / CHECKPOINT}; continue with: multitemp run CONFIG --out {out} --resume"
        )
        self.step = step


class ResumeError(ValueError):
    """Nothing to resume, or a checkpoint from another config."""


@dataclass
class MixtureOutput:
    summary: dict[str, Any]
    trajectory: Path
    results_file: Path


class _StopFlag:
    """SIGINT/SIGTERM set a flag that the run loop checks between chunks (main thread only)."""

    def __init__(self) -> None:
        self.raised = False
        self._old: dict = {}

    def __enter__(self) -> _StopFlag:
        if threading.current_thread() is threading.main_thread():
            for sig in (signal.SIGINT, signal.SIGTERM):
                self._old[sig] = signal.signal(sig, self._handle)
        return self

    def _handle(self, signum, frame) -> None:
        self.raised = True

    def __exit__(self, *exc) -> None:
        for sig, handler in self._old.items():
            signal.signal(sig, handler)


def _comparable(resolved: dict) -> dict:
    """The config without the keys a resumed run may change (run length, threads)."""
    c = json.loads(json.dumps(resolved))
    c["run"].pop("time", None)
    c["run"].pop("threads", None)
    return c


def run_mixture(
    config: MixtureConfig,
    out: str | Path,
    *,
    resume: bool = False,
    progress: Callable[[int, int, float], None] | None = None,
    stop_after_steps: int | None = None,
) -> MixtureOutput:
    """Simulate a mixture, writing frames and checkpoints to ``out``.

    Args:
        progress: called as ``progress(step, total_steps, particle_steps_per_second)``.
        stop_after_steps: stop (as if interrupted) once this many steps are done (tests).
    """
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    mixture = config.build()
    r = config.run
    total = int(round(r.time / r.dt))
    burn_step = int(round(r.burn_in / r.dt))
    every = config.output.write_every
    resolved = json.loads(config.model_dump_json())
    config_json = json.dumps(resolved)
    traj_path, ck_path = out / TRAJECTORY, out / CHECKPOINT
    ManyBodyEngine.set_threads(r.threads)
    ntypes = len(mixture.type_names)
    inv_t = 1.0 / mixture.temperatures
    gamma = 1.0 / mixture.mobilities

    if resume:
        if not ck_path.exists():
            raise ResumeError(f"nothing to resume: {ck_path} not found (run without --resume first)")
        state, saved_arrays = ManyBodyState.load(ck_path)
        saved = json.loads(bytes(saved_arrays.pop("config_json")).decode())
        series = {k.removeprefix("series_"): v for k, v in saved_arrays.items() if k.startswith("series_")}
        if _comparable(saved) != _comparable(resolved):
            raise ResumeError(f"{ck_path} was written by another config (only run.time and run.threads may change)")
        if state.step > total:
            raise ResumeError(f"the checkpoint is at step {state.step}, beyond run.time / run.dt = {total} steps")
        engine = ManyBodyEngine(mixture, r.dt, r.seed, config.neighbors.skin, burn_step, state=state)
        rows = {k: list(v) for k, v in series.items()}
    else:
        if config.initial is not None:
            positions = read_frame_positions(Path(config.initial.gsd), config.initial.frame, mixture)
        else:
            positions = random_positions(mixture, r.seed)
        engine = ManyBodyEngine(mixture, r.dt, r.seed, config.neighbors.skin, burn_step, positions=positions)
        rows = {"step": [], "heat": [], "entropy": [], "center": []}
        if traj_path.exists():
            traj_path.unlink()

    def record() -> dict:
        heat = engine.heat()
        unwrapped = engine.unwrapped()
        row = {
            "step": engine.step,
            "heat": np.bincount(mixture.typeid, weights=heat, minlength=ntypes),
            "entropy": float(np.dot(heat, inv_t)),
            "center": gamma @ unwrapped,
        }
        return row

    def write_frame(traj, row: dict) -> None:
        log = {"heat_by_type": row["heat"], "entropy": row["entropy"], "time": row["step"] * r.dt}
        traj.append(make_frame(mixture, row["step"], engine.positions(), engine.images(), log, config_json))
        traj.flush()

    def checkpoint() -> None:
        engine.state.save(ck_path, config_json=np.frombuffer(config_json.encode(), dtype=np.uint8),
                          **{f"series_{k}": np.asarray(v) for k, v in rows.items()})  # fmt: skip

    mode = "a" if resume else "w"
    with gsd.hoomd.open(str(traj_path), mode) as traj, _StopFlag() as stop:
        if resume:
            # the checkpoint is written before its frame: add the frame if the kill fell between
            if rows["step"] and rows["step"][-1] == engine.step and len(traj) < len(rows["step"]):
                write_frame(traj, {k: v[-1] for k, v in rows.items()})
        else:
            row = record()
            for k in rows:
                rows[k].append(row[k])
            checkpoint()
            write_frame(traj, row)
        chunk = max(1, min(every, 64))
        t0 = time.perf_counter()
        done_here = 0
        rate = 0.0
        while engine.step < total:
            next_frame = min(total, (engine.step // every + 1) * every)
            n = min(chunk, next_frame - engine.step)
            if stop_after_steps is not None:
                n = min(n, stop_after_steps - engine.step)
            tc = time.perf_counter()
            engine.advance(n)
            elapsed = time.perf_counter() - tc
            done_here += n
            # chunks of ~0.5 s: responsive to Ctrl-C, few Python round trips
            chunk = int(min(every, max(1, n * 0.5 / max(elapsed, 1e-6))))
            rate = mixture.n_particles * done_here / max(time.perf_counter() - t0, 1e-9)
            if engine.step == next_frame:
                row = record()
                for k in rows:
                    rows[k].append(row[k])
                checkpoint()
                write_frame(traj, row)
            if progress is not None:
                progress(engine.step, total, rate)
            if stop.raised or (
                stop_after_steps is not None and engine.step >= stop_after_steps and engine.step < total
            ):
                checkpoint()
                raise MixtureInterrupted(engine.step, total, out)

    summary = summarize_mixture(config, rows, rate, engine.neighbor_builds)
    summary["output"] = str(traj_path)
    results = out / "results.nc"
    _write_results(results, rows, config, summary, config_json)
    (out / "results.json").write_text(json.dumps(summary, indent=1) + "\n")
    return MixtureOutput(summary, traj_path, results)


def summarize_mixture(config: MixtureConfig, rows: dict, rate: float, builds: int) -> dict[str, Any]:
    """Entropy production rate and heat rate per type (batch-means error bars), drift and
    diffusion of the friction-weighted centre sum_i gamma_i r_i."""
    mixture = config.build()
    dt = config.run.dt
    steps = np.asarray(rows["step"])
    t = steps * dt
    burn = config.run.burn_in
    measured = t >= burn - 1e-12
    entropy = np.asarray(rows["entropy"])
    heat = np.asarray(rows["heat"])
    center = np.asarray(rows["center"])
    t_meas = t[measured]
    duration = t_meas[-1] - t_meas[0] if len(t_meas) > 1 else 0.0
    summary: dict[str, Any] = {
        "particles": mixture.n_particles,
        "types": list(mixture.type_names),
        "type_counts": mixture.counts().tolist(),
        "type_temperatures": list(mixture.type_temperatures),
        "time": float(t[-1]),
        "measured_time": float(duration),
        "frames": len(steps),
    }
    if duration > 0:
        s, se = _rate(t_meas, entropy[measured])
        summary["entropy_production_rate"] = s
        summary["entropy_production_rate_stderr"] = se
        summary["entropy_production_rate_per_particle"] = s / mixture.n_particles
        rates = [_rate(t_meas, heat[measured, k]) for k in range(heat.shape[1])]
        summary["heat_rate"] = [v for v, _ in rates]
        summary["heat_rate_stderr"] = [e for _, e in rates]
        inc = np.diff(center[measured], axis=0)
        dts = np.diff(t_meas)
        summary["center_drift"] = (inc.sum(axis=0) / duration).tolist()
        # sum_i gamma_i r_i diffuses freely: variance 2 sum_i gamma_i T_i per unit time per axis
        summary["center_diffusion"] = float(np.mean(inc**2 / dts[:, None]) / 2) if len(inc) else None
        summary["center_diffusion_exact"] = float(np.sum(mixture.temperatures / mixture.mobilities))
    summary["particle_steps_per_second"] = rate
    summary["neighbor_list_builds"] = builds
    summary["multitemp_version"] = __version__
    return summary


def _rate(t: np.ndarray, cumulative: np.ndarray) -> tuple[float, float]:
    """Rate of a cumulative quantity, with a batch-means standard error over ~16 batches."""
    duration = t[-1] - t[0]
    value = float((cumulative[-1] - cumulative[0]) / duration)
    return value, batch_mean_stderr(t, cumulative)


def _write_results(path: Path, rows: dict, config: MixtureConfig, summary: dict, config_json: str) -> None:
    import xarray as xr

    mixture = config.build()
    steps = np.asarray(rows["step"])
    axes = ["x", "y", "z"][: mixture.dim]
    ds = xr.Dataset(
        {
            "heat": (("time", "type"), np.asarray(rows["heat"]), {"long_name": "cumulative heat into the baths of each type since burn-in"}),
            "entropy": ("time", np.asarray(rows["entropy"]), {"long_name": "cumulative entropy production sum_i Q_i / T_i"}),
            "center": (("time", "axis"), np.asarray(rows["center"]), {"long_name": "sum_i gamma_i r_i (unwrapped)"}),
        },
        coords={"time": steps * config.run.dt, "step": ("time", steps), "type": list(mixture.type_names), "axis": axes},
        attrs={"config": config_json, "summary": json.dumps(summary), "multitemp_version": __version__},
    )  # fmt: skip
    tmp = path.with_name(path.name + ".tmp")
    ds.to_netcdf(tmp, engine="h5netcdf")
    tmp.replace(path)
