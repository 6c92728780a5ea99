"""An ensemble of independent replicas: :class:`EnsembleSimulation` (step by step, in a
notebook) and :func:`simulate` (a whole run through the shared driver).

The noise is a pure function of (seed, replica, step, particle, axis), so how the run is cut
into calls, the number of threads, the split of replicas into chunks and a checkpoint and
restart leave every bit of the result unchanged.
"""

from __future__ import annotations

import math
import time as _time
from dataclasses import dataclass, field, replace
from pathlib import Path

import numba
import numpy as np
from scipy.special import erf

from multitemp.core.driver import BlowUpError, ProgressCallback, RunInterrupted, drive
from multitemp.core.files import load_npz, save_npz
from multitemp.core.potentials.registry import kernel_user_functions
from multitemp.core.rng import STREAM_INIT, STREAM_NOISE, normal_array, stream_key
from multitemp.ensemble.kernel import LANES, Accumulators, Model, Schedule, advance, shape_witnesses
from multitemp.ensemble.system import System

__all__ = ["RunParameters", "EnsembleResult", "BlowUpError", "RunInterrupted", "simulate"]


@dataclass(frozen=True)
class RunParameters:
    """How to integrate (times in the system's time units).

    Args:
        dt: time step.
        time: total simulated time per replica, burn-in included.
        burn_in: time discarded before observables are accumulated.
        replicas: number R of independent replicas.
        seed: key of the counter-based noise.
        integrator: "euler" (Euler-Maruyama) or "heun" (predictor-corrector).
        threads: numba threads (None: numba's default, all cores).
        histogram_bins: bins per axis of the (x_0, x_1) phase-space map (0: none).
        histogram_range: (lo, hi) of the map on both axes.
        trajectory_every: store positions of the first ``trajectory_replicas`` replicas every
            this many steps (0: store none).
        trajectory_replicas: how many replicas' trajectories to store.
        initial_spread: standard deviation of the initial positions about the origin (open
            axes; periodic axes start uniform in the box).
        ring_every: steps between the samples of the lagged observables (after burn-in).
        chase_lags: lags, in samples, of the run-and-chase correlations (empty: not measured).
        arrow_lags: lags, in samples, of the arrow-of-time test (empty: not measured).
        contact_range: particles 0 and 1 are in contact when closer than this (chase).
    """

    dt: float
    time: float
    burn_in: float = 0.0
    replicas: int = 1024
    seed: int = 0
    integrator: str = "heun"
    threads: int | None = None
    histogram_bins: int = 0
    histogram_range: tuple[float, float] = (-5.0, 5.0)
    trajectory_every: int = 0
    trajectory_replicas: int = 0
    initial_spread: float = 1.0
    ring_every: int = 10
    chase_lags: tuple[int, ...] = ()
    arrow_lags: tuple[int, ...] = ()
    contact_range: float = 0.0

    @property
    def n_steps(self) -> int:
        return int(round(self.time / self.dt))

    @property
    def burn_steps(self) -> int:
        return int(round(self.burn_in / self.dt))


@dataclass
class EnsembleResult:
    """Per-replica accumulators of one run (measured over ``measured_time`` after burn-in).

    Attributes:
        heat: (R, N) heat dissipated into each bath (Stratonovich), energy.
        entropy_production_ito: (R,) Ito pre-point entropy (biased by design).
        entropy_production_path: (R,) log path-probability ratio of the Euler-Maruyama chain.
        angular_momentum: (R,) integral of x_0 o dx_1 - x_1 o dx_0 (summed over axes).
        positions: (R, N, d) unwrapped final positions; ``positions_burn`` at burn-in.
        histogram_*: phase-space map (counts, summed displacements) over (x_0, x_1).
        trajectory: (R_traj, frames, N, d) stored positions, every ``trajectory_every`` steps.
        chase: (4, R, n_lags) per replica: backward sum, count, forward sum, count.
        arrow: (2, R, n_lags) per replica: windows with S > 0 (ties 1/2), windows.
    """

    system: System
    params: RunParameters
    replica_offset: int
    heat: np.ndarray
    entropy_production_ito: np.ndarray
    entropy_production_path: np.ndarray
    angular_momentum: np.ndarray
    positions: np.ndarray
    positions_burn: np.ndarray
    histogram_counts: np.ndarray
    histogram_dx: np.ndarray
    trajectory: np.ndarray
    chase: np.ndarray = field(default_factory=lambda: np.zeros((4, 0, 0)))
    arrow: np.ndarray = field(default_factory=lambda: np.zeros((2, 0, 0)))
    steps_done: int = 0
    wall_seconds: float = 0.0
    compile_seconds: float = 0.0
    blowup_step: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))

    @property
    def measured_time(self) -> float:
        """Time over which observables were accumulated (after burn-in)."""
        return max(self.steps_done - self.params.burn_steps, 0) * self.params.dt

    @property
    def entropy(self) -> np.ndarray:
        """(R,) entropy produced in the baths, sum_i Q_i / T_i (k_B = 1)."""
        return self.heat @ (1.0 / self.system.temperatures)

    @property
    def replica_steps_per_second(self) -> float:
        if self.wall_seconds <= 0:
            return float("nan")
        return self.params.replicas * self.steps_done / self.wall_seconds


def initial_positions(system: System, params: RunParameters, replica_offset: int = 0) -> np.ndarray:
    """(R, N, d) initial positions from the initial-condition noise stream (deterministic)."""
    n, d = system.n_particles, system.dim
    z = normal_array(params.seed, replica_offset, params.replicas, n * d, STREAM_INIT).reshape(-1, n, d)
    pos = params.initial_spread * z
    for a in range(d):
        length = system.box[a]
        if length > 0:
            pos[:, :, a] = length * 0.5 * (1.0 + erf(z[:, :, a] / math.sqrt(2.0)))
    return pos


#: the result arrays a checkpoint holds (with the ring buffers of the lagged observables)
_STATE_ARRAYS = ("heat", "entropy_production_ito", "entropy_production_path", "angular_momentum", "positions", "positions_burn",
                 "histogram_counts", "histogram_dx", "trajectory", "chase", "arrow", "blowup_step")  # fmt: skip


class EnsembleSimulation:
    """R independent replicas of a small system, advanced step by step.

    ``sim.advance(n)`` integrates every replica by n steps; ``sim.result`` (an
    :class:`EnsembleResult`), ``sim.positions``, ``sim.heat`` and ``sim.entropy`` show the state
    so far, and ``sim.summary()`` the rates with error bars.  Any split into calls gives the
    bits of one call.  ``save(path)`` and :meth:`load` checkpoint and continue a run.

    Example::

        sim = EnsembleSimulation(system, RunParameters(dt=1e-3, time=50.0, burn_in=5.0))
        sim.advance(10_000)
        sim.entropy.mean()          # entropy produced so far, per replica (k_B = 1)

    Args:
        system: particles, baths and potentials.
        params: integration and observables; ``params.time`` is the planned length (it fixes the
            number of stored trajectory frames), not a limit on :meth:`advance`.
        replica_offset: shifts the replicas' noise keys (replicas [a, a + R) of a larger run).
    """

    def __init__(self, system: System, params: RunParameters, *, replica_offset: int = 0):
        if params.integrator not in ("euler", "heun"):
            raise ValueError(f"integrator must be 'euler' or 'heun', got {params.integrator!r}")
        if params.threads:
            numba.set_num_threads(min(params.threads, numba.config.NUMBA_NUM_THREADS))
        self.system, self.params, self.replica_offset = system, params, replica_offset
        n, d, r = system.n_particles, system.dim, params.replicas
        total = params.n_steps
        traj_reps = min(params.trajectory_replicas, r) if params.trajectory_every > 0 else 0
        n_frames = (total + params.trajectory_every - 1) // params.trajectory_every if traj_reps else 1
        nbins = params.histogram_bins if (n >= 2 and params.histogram_bins > 0) else 0
        n_chunks = max(1, min(-(-r // LANES), 8 * numba.get_num_threads()))
        lags = len(params.chase_lags) + len(params.arrow_lags)
        self.result = EnsembleResult(
            system=system,
            params=params,
            replica_offset=replica_offset,
            heat=np.zeros((r, n)),
            entropy_production_ito=np.zeros(r),
            entropy_production_path=np.zeros(r),
            angular_momentum=np.zeros(r),
            positions=initial_positions(system, params, replica_offset),
            positions_burn=np.zeros((r, n, d)),
            histogram_counts=np.zeros((n_chunks, nbins, nbins), np.int64),
            histogram_dx=np.zeros((2, n_chunks, nbins, nbins), np.int64),
            trajectory=np.full((traj_reps, n_frames, n, d), np.nan),
            blowup_step=np.full(r, -1, np.int64),
            chase=np.zeros((4, r, len(params.chase_lags))),
            arrow=np.zeros((2, r, len(params.arrow_lags))),
        )
        ring_len = int(max([*params.chase_lags, *params.arrow_lags, 0])) + 1
        ring_reps = r if lags else 0
        self.rings = (np.zeros((ring_reps, ring_len, d)), np.zeros((ring_reps, ring_len, d)),
                      np.zeros((ring_reps, ring_len)), np.zeros((ring_reps, ring_len)))  # fmt: skip
        self._witnesses = shape_witnesses(n, d)
        self._model = Model(system.mobilities, system.temperatures, system.box, system.pair.kind_id,
                            system.pair.params(), system.external.kind_id, system.external.params(),
                            *system.bonded_arrays())  # fmt: skip
        self._user = kernel_user_functions(system.pair, system.external)
        lo, hi = (float(v) for v in params.histogram_range)
        self._schedule = Schedule(
            *stream_key(int(params.seed), STREAM_NOISE), int(replica_offset), params.burn_steps, float(params.dt), params.integrator == "heun",
            max(params.trajectory_every, 1), max(params.ring_every, 1), float(params.contact_range), lo, hi,
            np.asarray(params.chase_lags, dtype=np.int64), np.asarray(params.arrow_lags, dtype=np.int64),
        )  # fmt: skip
        self._compile()

    def _accumulators(self, res: EnsembleResult, rings: tuple) -> Accumulators:
        return Accumulators(
            res.heat, res.entropy_production_ito, res.entropy_production_path, res.angular_momentum, res.positions_burn,
            res.histogram_counts, res.histogram_dx[0], res.histogram_dx[1], res.trajectory, res.blowup_step, *rings,
            res.chase[0], res.chase[1], res.chase[2], res.chase[3], res.arrow[0], res.arrow[1],
        )  # fmt: skip

    def _compile(self) -> None:
        """Compile the kernel (or load it from the on-disk cache) on a throwaway replica."""
        t0 = _time.perf_counter()
        res = self.result
        one = replace(res, **{k: np.zeros((1, *getattr(res, k).shape[1:]), getattr(res, k).dtype) for k in
                              ("heat", "entropy_production_ito", "entropy_production_path", "angular_momentum", "positions", "positions_burn")},
                      histogram_counts=np.zeros((1, *res.histogram_counts.shape[1:]), np.int64),
                      histogram_dx=np.zeros((2, 1, *res.histogram_counts.shape[1:]), np.int64),
                      trajectory=np.zeros((0, *res.trajectory.shape[1:])), blowup_step=np.full(1, -1, np.int64),
                      chase=np.zeros((4, 1, res.chase.shape[2])), arrow=np.zeros((2, 1, res.arrow.shape[2])))  # fmt: skip
        rings = tuple(np.zeros((1, *a.shape[1:])) for a in self.rings)
        advance(
            *self._witnesses,
            one.positions,
            0,
            1,
            self._model,
            self._schedule,
            self._accumulators(one, rings),
            self._user,
        )
        self.result.compile_seconds = _time.perf_counter() - t0

    @property
    def step(self) -> int:
        """Steps done so far."""
        return self.result.steps_done

    def advance(self, n_steps: int) -> None:
        """Integrate every replica by ``n_steps`` steps.

        Raises:
            BlowUpError: a replica's positions became non-finite; ``err.partial`` is the result
                up to the first bad step (``steps_done`` set to it).
        """
        res = self.result
        t0 = _time.perf_counter()
        advance(*self._witnesses, res.positions, res.steps_done, int(n_steps), self._model, self._schedule,
                self._accumulators(res, self.rings), self._user)  # fmt: skip
        res.steps_done += int(n_steps)
        res.wall_seconds += _time.perf_counter() - t0
        blown = np.flatnonzero(res.blowup_step >= 0)
        if blown.size:
            first = blown[np.argmin(res.blowup_step[blown])]
            res.steps_done = int(res.blowup_step[first])
            raise BlowUpError(res.steps_done, self.params.dt, f"in replica {int(first) + self.replica_offset}", res)

    def run(self, *, progress: ProgressCallback | None = None, **driver_options) -> EnsembleResult:
        """Advance to ``params.n_steps`` through :func:`multitemp.core.driver.drive` (chunks,
        SIGINT/SIGTERM, progress, checkpoints); returns :attr:`result`.

        Raises:
            RunInterrupted, BlowUpError: with ``partial`` set to :attr:`result` so far.
        """
        try:
            drive(self, self.params.n_steps, units_per_step=self.params.replicas, progress=progress,
                  first_chunk=max(1, 200_000 // max(self.params.replicas, 1)), **driver_options)  # fmt: skip
        except RunInterrupted as err:
            err.partial = self.result
            raise
        return self.result

    @property
    def positions(self) -> np.ndarray:
        """(R, N, d) current unwrapped positions."""
        return self.result.positions

    @property
    def heat(self) -> np.ndarray:
        """(R, N) heat into each bath since the burn-in (energy)."""
        return self.result.heat

    @property
    def entropy(self) -> np.ndarray:
        """(R,) entropy produced in the baths since the burn-in, sum_i Q_i / T_i (k_B = 1)."""
        return self.result.entropy

    def summary(self) -> dict:
        """Rates with error bars and exact values, as ``multitemp run --json`` prints them."""
        from multitemp.ensemble.summary import summarize

        return summarize(self.result)

    def save(self, path: str | Path, **extra: np.ndarray) -> Path:
        """Checkpoint (atomic ``.npz``): every accumulator, the ring buffers and the step."""
        res = self.result
        return save_npz(path, steps_done=res.steps_done, wall_seconds=res.wall_seconds,
                        **{k: getattr(res, k) for k in _STATE_ARRAYS},
                        **{f"ring_{i}": a for i, a in enumerate(self.rings)}, **extra)  # fmt: skip

    @classmethod
    def load(cls, path: str | Path, system: System, params: RunParameters, *, replica_offset: int = 0
             ) -> tuple[EnsembleSimulation, dict[str, np.ndarray]]:  # fmt: skip
        """Continue from a checkpoint of the same system and parameters (``params.time`` may
        differ if no trajectory is stored); returns the simulation and the extra arrays."""
        data = load_npz(path)
        sim = cls(system, params, replica_offset=replica_offset)
        for k in _STATE_ARRAYS:
            saved, mine = data.pop(k), getattr(sim.result, k)
            if saved.shape != mine.shape:
                raise ValueError(f"checkpoint {path}: '{k}' has shape {saved.shape}, this run needs {mine.shape}")
            mine[...] = saved
        for i, ring in enumerate(sim.rings):
            ring[...] = data.pop(f"ring_{i}")
        sim.result.steps_done = int(data.pop("steps_done"))
        sim.result.wall_seconds = float(data.pop("wall_seconds"))
        return sim, data


def simulate(
    system: System,
    params: RunParameters,
    *,
    replica_offset: int = 0,
    progress: ProgressCallback | None = None,
) -> EnsembleResult:
    """Integrate ``params.replicas`` independent replicas of ``system`` for ``params.time``.

    ``replica_offset`` shifts the replicas' noise keys: running replicas [0, a) and then
    [a, R) with ``replica_offset=a`` gives, replica by replica, the bits of one run of R.
    ``progress(step, total_steps, replica_steps_per_second)`` is called after each chunk.

    Raises:
        BlowUpError: positions became non-finite (dt too large); ``partial`` is the result so far.
        RunInterrupted: SIGINT or SIGTERM; ``partial`` is the result so far.
    """
    return EnsembleSimulation(system, params, replica_offset=replica_offset).run(progress=progress)
