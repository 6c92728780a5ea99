"""Run a mixture config: in memory, or writing GSD frames as it goes with a checkpoint beside
them, resumable bit for bit.

Files in the output folder (when ``out`` is given):

* ``trajectory.gsd``: a frame at step 0, every ``output.write_every`` steps and at the end;
* ``checkpoint.npz``: the full state (positions, images, forces, heat, neighbour-list
  origin) and the time series so far, written atomically before each frame and on
  interrupt; ``run_mixture(config, out, resume=True)`` continues from it and gives the same
  bits as a run that was never stopped;
* ``results.nc``: time series (cumulative heat per type, entropy production, friction-weighted
  centre) and the summary in the attributes; ``results.json``: the summary.

Ctrl-C or SIGTERM stop the run at the end of the current chunk of steps (~0.5 s), write the
checkpoint and raise :class:`~multitemp.core.driver.RunInterrupted`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import gsd.hoomd
import numpy as np

from multitemp.core.checkpoint import CHECKPOINT, ResumeError, check_same_run, config_array
from multitemp.core.config import ConfigError
from multitemp.core.driver import ProgressCallback, Reporter, RunInterrupted
from multitemp.core.files import write_json, write_netcdf
from multitemp.mixture.config import MixtureConfig
from multitemp.mixture.engine import random_positions
from multitemp.mixture.simulation import MixtureSimulation
from multitemp.mixture.trajectory import TrajectoryError, make_frame, read_frame_positions

__all__ = ["run_mixture", "MixtureOutput", "GSDWriter", "ResumeError", "TrajectoryError", "simulation_from_config",
           "run_and_analyse"]  # fmt: skip

#: the analysis fields a sweep point reports, averaged over the final frames
ANALYSIS_FIELDS = ("demixing", "largest_cold_cluster_fraction", "coarsening_length")

TRAJECTORY = "trajectory.gsd"


@dataclass
class MixtureOutput:
    """What a mixture run produced: the summary (as ``--json`` prints it), the Dataset (the
    content of ``results.nc``), the simulation, and the files written (None in memory)."""

    summary: dict[str, Any]
    dataset: Any
    simulation: MixtureSimulation
    trajectory: Path | None = None
    results_file: Path | None = None


class GSDWriter:
    """Frames of a :class:`MixtureSimulation` to a GSD file (HOOMD schema: OVITO, freud and gsd
    read it), with the heat per type, the entropy and the time in each frame's log.

    Attach it to a run with ``sim.run(total, record_every=n, reporters=[writer.reporter])``;
    ``write()`` adds a frame now.  Use as a context manager (or call ``close()``).
    """

    def __init__(self, sim: MixtureSimulation, path: str | Path, every: int, *, mode: str = "w",
                 config_json: str = "{}"):  # fmt: skip
        self.sim, self.path, self.config_json = sim, Path(path), config_json
        self.trajectory = gsd.hoomd.open(str(self.path), mode)
        self.reporter = Reporter(every, self.write)

    def write(self) -> None:
        sim = self.sim
        heat, entropy = sim.heat_by_type, sim.entropy
        log = {"heat_by_type": heat, "entropy": entropy, "time": sim.step * sim.dt}
        self.trajectory.append(
            make_frame(sim.mixture, sim.step, sim.positions, sim.engine.images(), log, self.config_json, sim.heat)
        )
        self.trajectory.flush()

    def close(self) -> None:
        self.trajectory.close()

    def __enter__(self) -> GSDWriter:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def arrange(mixture, positions: np.ndarray, arrangement: str) -> np.ndarray:
    """Random positions re-assigned so that the coldest type fills the low-x end of the box
    ("slab") or a sphere about the centre ("drop"); the others fill the rest at random."""
    order = np.argsort(positions[:, 0] if arrangement == "slab" else
                       np.linalg.norm(positions - np.asarray(mixture.box) / 2, axis=1), kind="stable")  # fmt: skip
    coldest = int(np.argmin(mixture.type_temperatures))
    ids = np.r_[np.flatnonzero(mixture.typeid == coldest), np.flatnonzero(mixture.typeid != coldest)]
    out = np.empty_like(positions)
    out[ids] = positions[order]
    return out


def simulation_from_config(config: MixtureConfig, checkpoint: Path | None = None) -> MixtureSimulation:
    """A :class:`MixtureSimulation` at step 0 (or continued from ``checkpoint``)."""
    mixture, r = config.build(), config.run
    common = dict(skin=config.neighbors.skin, burn_in=r.burn_in, threads=r.threads, integrator=r.integrator)
    if checkpoint is not None:
        state, series, extra = MixtureSimulation.load_state(checkpoint)
        check_same_run(extra.pop("config_json"), json.loads(config.model_dump_json()), checkpoint)
        return MixtureSimulation(mixture, r.dt, r.seed, state=state, series=series, **common)
    positions = None
    if config.initial is not None and config.initial.gsd is None:
        positions = arrange(mixture, random_positions(mixture, r.seed), config.initial.arrangement)
    elif config.initial is not None:
        positions = read_frame_positions(Path(config.initial.gsd), config.initial.frame, mixture)
        if mixture.bond is not None and mixture.n_bonds:
            u = positions[mixture.bonds[:, 0]] - positions[mixture.bonds[:, 1]]
            box = np.asarray(mixture.box)
            u -= box * np.round(u / box)
            length = np.sqrt(np.einsum("ij,ij->i", u, u))
            worst = int(np.argmax(length))
            if length[worst] >= mixture.bond.max_length():
                raise ConfigError(
                    f"initial.gsd = {config.initial.gsd}: bond {mixture.bonds[worst].tolist()} has length "
                    f"{length[worst]:.4g}, past polymer.bond.r_max = {mixture.bond.max_length():g}; allowed: "
                    "a start with every FENE bond shorter than r_max"
                )
    return MixtureSimulation(mixture, r.dt, r.seed, positions=positions, **common)


def run_mixture(
    config: MixtureConfig,
    out: str | Path | None = None,
    *,
    resume: bool = False,
    progress: ProgressCallback | None = None,
    stop_after_steps: int | None = None,
) -> MixtureOutput:
    """Simulate a mixture; with ``out``, write frames, checkpoints and results there.

    Args:
        progress: called as ``progress(step, total_steps, particle_steps_per_second)``.
        stop_after_steps: stop (as if interrupted) once this many steps are done (tests).

    Raises:
        RunInterrupted: SIGINT/SIGTERM (the checkpoint is written first when ``out`` is given).
        BlowUpError: dt too large (frames and the checkpoint written before are kept).
        ResumeError: nothing to resume, or a checkpoint of another config.
    """
    r = config.run
    total = int(round(r.time / r.dt))
    every = config.output.write_every
    resolved = json.loads(config.model_dump_json())
    if out is None:
        if resume:
            raise ResumeError("resume needs the output folder that holds the checkpoint")
        sim = simulation_from_config(config)
        try:
            sim.run(total, record_every=every, progress=progress, stop_after=stop_after_steps)
        except RunInterrupted as err:
            err.partial = sim
            raise
        summary = sim.summary()
        summary["output"] = None
        return MixtureOutput(summary, sim.dataset(resolved, summary), sim)

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    traj_path, ck_path = out / TRAJECTORY, out / CHECKPOINT
    config_json = json.dumps(resolved)
    if resume:
        if not ck_path.exists():
            raise ResumeError(f"nothing to resume: {ck_path} not found (run without resume first)")
        sim = simulation_from_config(config, ck_path)
        if sim.step > total:
            raise ResumeError(f"the checkpoint is at step {sim.step}, beyond run.time / run.dt = {total} steps")
    else:
        sim = simulation_from_config(config)
        if traj_path.exists():
            traj_path.unlink()

    def checkpoint() -> None:
        sim.save(ck_path, config_json=config_array(resolved))

    with GSDWriter(sim, traj_path, every, mode="a" if resume else "w", config_json=config_json) as writer:
        traj, write_frame = writer.trajectory, writer.write
        if resume:
            # the checkpoint is written before its frame: add the frame if the kill fell between
            if sim.series["step"] and sim.series["step"][-1] == sim.step and len(traj) < len(sim.series["step"]):
                write_frame()
        else:
            sim.record()
            checkpoint()
            write_frame()
        try:
            # series row (inside sim.run), then the checkpoint, then the frame
            sim.run(total, record_every=every, progress=progress, stop_after=stop_after_steps, checkpoint=checkpoint,
                    reporters=(Reporter(every, checkpoint), writer.reporter))  # fmt: skip
        except RunInterrupted as err:
            err.partial, err.checkpoint = sim, ck_path
            raise

    summary = sim.summary()
    summary["output"] = str(traj_path)
    dataset = sim.dataset(resolved, summary)
    results = write_netcdf(dataset, out / "results.nc")
    write_json(out / "results.json", summary)
    return MixtureOutput(summary, dataset, sim, traj_path, results)


def run_and_analyse(config: MixtureConfig, final_fraction: float = 0.25,
                    progress: ProgressCallback | None = None) -> dict[str, Any]:  # fmt: skip
    """Run in memory and add to the summary the phase-separation observables (``demixing``,
    ``largest_cold_cluster_fraction``, ``coarsening_length``: see
    :mod:`multitemp.mixture.analysis`) averaged over the frames (every ``output.write_every``
    steps) of the final ``final_fraction`` of the run, with the standard error of that mean
    (frames treated as independent: an underestimate when they are closer than the
    relaxation time).  What a sweep point of a mixture reports."""
    from multitemp.mixture.analysis import AnalysisOptions, analyze_frame
    from multitemp.mixture.trajectory import make_frame

    r = config.run
    total = int(round(r.time / r.dt))
    every = config.output.write_every
    start = total - int(final_fraction * total)
    sim = simulation_from_config(config)
    rows: list = []
    m = sim.mixture
    temps = np.asarray(m.type_temperatures)
    if {"hot", "cold"} <= set(m.type_names):
        opts = AnalysisOptions()
    else:  # the coldest and the hottest type
        opts = AnalysisOptions(cold_type=m.type_names[int(np.argmin(temps))], hot_type=m.type_names[int(np.argmax(temps))])

    def analyse() -> None:
        if sim.step >= start:
            frame = make_frame(sim.mixture, sim.step, sim.positions, sim.engine.images(), {}, "{}")
            rows.append(analyze_frame(frame, opts).as_dict())

    sim.run(total, record_every=every, progress=progress, reporters=(Reporter(every, analyse),))
    summary = sim.summary()
    summary["analysis_frames"] = len(rows)
    for key in ANALYSIS_FIELDS:
        values = np.array([row[key] for row in rows], dtype=np.float64)
        summary[key] = float(values.mean()) if len(values) else None
        summary[key + "_stderr"] = float(values.std(ddof=1) / np.sqrt(len(values))) if len(values) > 1 else None
    return summary
