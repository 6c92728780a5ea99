"""Run configuration: TOML validated by pydantic, unknown keys rejected.

Example (physics.md section 4, the course's harmonic pair)::

    [system]
    dim = 1
    temperatures = [5.0, 1.0]
    [pair_potential]
    kind = "harmonic"
    k = 1.0
    [external_potential]
    kind = "harmonic"
    lam = 1.0
    [run]
    dt = 1e-3
    time = 200.0
    burn_in = 10.0
    replicas = 4096
    seed = 1
    integrator = "heun"
"""

from __future__ import annotations

from typing import Annotated, Literal, Union

from pydantic import Field, PositiveFloat, PositiveInt, model_validator

from multitemp.core.config import RunTimes, Strict
from multitemp.core.potentials import (
    Cosine,
    HarmonicTrap,
    NoExternal,
    SmoothedSawtooth,
)
from multitemp.core.potentials.tables import HarmonicPairConfig, NoPairConfig, SoftPairConfig, WCAPairConfig
from multitemp.ensemble.simulation import RunParameters
from multitemp.ensemble.system import System

__all__ = ["Config"]


class SystemConfig(Strict):
    """[system]: dimension, one temperature (and optionally one mobility) per particle."""

    dim: Literal[1, 2, 3] = 1
    temperatures: list[PositiveFloat] = Field(min_length=1)
    mobilities: list[PositiveFloat] | None = None


class HarmonicTrapConfig(Strict):
    """V(r) = lam |r|^2 / 2."""

    kind: Literal["harmonic"]
    lam: float = Field(ge=0)

    def build(self, n_particles: int) -> HarmonicTrap:
        return HarmonicTrap(self.lam)


class SawtoothConfig(Strict):
    """Smoothed sawtooth along x: rises by ``height`` over ``asymmetry * period``, falls over the
    rest; corners rounded over ``smoothing`` (a length, > 0)."""

    kind: Literal["sawtooth"]
    height: float = Field(ge=0)
    period: PositiveFloat
    asymmetry: float = Field(gt=0, lt=1)
    smoothing: PositiveFloat

    @model_validator(mode="after")
    def _smooth_enough(self) -> SawtoothConfig:
        limit = min(self.asymmetry, 1 - self.asymmetry) * self.period / 4
        if self.smoothing >= limit:
            raise ValueError(
                f"external_potential.smoothing = {self.smoothing} must be < min(asymmetry, 1 - asymmetry) * period / 4 = {limit:g}"
            )
        return self

    def build(self, n_particles: int) -> SmoothedSawtooth:
        return SmoothedSawtooth(self.height, self.period, self.asymmetry, self.smoothing)


class CosineConfig(Strict):
    """V_i = amplitude cos(2 pi x / period + phase_i) along x; ``phase``: one number or one per particle."""

    kind: Literal["cosine"]
    amplitude: float
    period: PositiveFloat
    phase: float | list[float] = 0.0

    def build(self, n_particles: int) -> Cosine:
        phases = self.phase if isinstance(self.phase, list) else [self.phase] * n_particles
        return Cosine(self.amplitude, self.period, tuple(float(v) for v in phases))


class NoExternalConfig(Strict):
    kind: Literal["none"]

    def build(self, n_particles: int) -> NoExternal:
        return NoExternal()


PairConfig = Annotated[
    Union[HarmonicPairConfig, SoftPairConfig, WCAPairConfig, NoPairConfig], Field(discriminator="kind")
]
ExternalConfig = Annotated[
    Union[HarmonicTrapConfig, SawtoothConfig, CosineConfig, NoExternalConfig], Field(discriminator="kind")
]


class BoxConfig(Strict):
    """[box]: open space (default) or a periodic box (one length, or one per axis)."""

    kind: Literal["open", "periodic"] = "open"
    length: PositiveFloat | list[PositiveFloat] | None = None

    @model_validator(mode="after")
    def _length_given(self) -> BoxConfig:
        if self.kind == "periodic" and self.length is None:
            raise ValueError("a periodic box needs box.length")
        return self


class BondsConfig(Strict):
    """[bonds]: harmonic springs k |r_i - r_j|^2 / 2 between listed pairs of particles."""

    pairs: list[tuple[int, int]] = Field(min_length=1)
    k: float | list[float] = Field(default=1.0)

    def springs(self) -> tuple[tuple[int, int, float], ...]:
        ks = self.k if isinstance(self.k, list) else [self.k] * len(self.pairs)
        return tuple((i, j, float(kk)) for (i, j), kk in zip(self.pairs, ks, strict=True))


class TethersConfig(Strict):
    """[tethers]: harmonic tethers k |r_i - a_i|^2 / 2 of listed particles to fixed points a_i
    (default: the origin), e.g. the walls at the ends of a bead-spring chain."""

    particles: list[int] = Field(min_length=1)
    k: float | list[float] = Field(default=1.0)
    anchors: list[list[float]] | None = None


class RunConfig(RunTimes):
    """[run]: times in the system's units (see :class:`~multitemp.core.config.RunTimes`), replicas,
    integrator 'euler' or 'heun', wall-clock seconds between checkpoints (with an output folder)."""

    replicas: PositiveInt = 1024
    integrator: Literal["euler", "heun"] = "heun"
    checkpoint_every: PositiveFloat = 60.0


class ObservablesConfig(Strict):
    """[observables]: phase-space map of (x_0, x_1), stored trajectories, and lagged observables
    sampled every ``lag_every`` steps after burn-in: run-and-chase correlations at lags
    ``chase_tau`` (physics.md section 5; needs a soft pair) and the arrow-of-time test at
    window lengths ``arrow_tau`` (section 3).  Lags are times, rounded to whole samples."""

    histogram_bins: int = Field(default=48, ge=0, le=1024)
    histogram_range: tuple[float, float] | None = None
    trajectory_every: int = Field(default=0, ge=0)
    trajectory_replicas: int = Field(default=4, ge=0)
    chase_tau: list[PositiveFloat] = Field(default_factory=list)
    arrow_tau: list[PositiveFloat] = Field(default_factory=list)
    lag_every: PositiveInt = 10

    @model_validator(mode="after")
    def _range(self) -> ObservablesConfig:
        if self.histogram_range is not None and not self.histogram_range[0] < self.histogram_range[1]:
            raise ValueError(
                f"observables.histogram_range = {list(self.histogram_range)} must be [lo, hi] with lo < hi"
            )
        return self


class Config(Strict):
    """A whole run: what is simulated and how."""

    system: SystemConfig
    pair_potential: PairConfig = NoPairConfig(kind="none")
    external_potential: ExternalConfig = NoExternalConfig(kind="none")
    box: BoxConfig = BoxConfig()
    bonds: BondsConfig | None = None
    tethers: TethersConfig | None = None
    run: RunConfig
    observables: ObservablesConfig = ObservablesConfig()

    @model_validator(mode="after")
    def _per_particle(self) -> Config:
        n = len(self.system.temperatures)
        if self.system.mobilities is not None and len(self.system.mobilities) != n:
            raise ValueError(
                f"system.mobilities has {len(self.system.mobilities)} values but system.temperatures has {n}: "
                "give one mobility per particle"
            )
        if self.pair_potential.kind != "none" and n < 2:
            raise ValueError("a pair potential needs at least 2 particles (system.temperatures)")
        if isinstance(self.box.length, list) and len(self.box.length) != self.system.dim:
            raise ValueError(f"box.length has {len(self.box.length)} values for dim = {self.system.dim}")
        obs = self.observables
        sample = obs.lag_every * self.run.dt
        for key, taus in (("chase_tau", obs.chase_tau), ("arrow_tau", obs.arrow_tau)):
            for tau in taus:
                if tau >= self.run.time - self.run.burn_in:
                    raise ValueError(
                        f"observables.{key} = {tau} is not shorter than the measured run "
                        f"(run.time - run.burn_in = {self.run.time - self.run.burn_in:g})"
                    )
                if round(tau / sample) < 1:
                    raise ValueError(
                        f"observables.{key} = {tau} is shorter than the sampling interval lag_every * dt = {sample:g}"
                    )
        if obs.chase_tau and not (isinstance(self.pair_potential, SoftPairConfig) and n == 2):
            raise ValueError(
                "observables.chase_tau needs a pair (2 particles) with pair_potential.kind = 'soft' (contact: r < s)"
            )
        if obs.arrow_tau and n < 1:
            raise ValueError("observables.arrow_tau needs particles")
        ext = self.external_potential
        if isinstance(ext, CosineConfig) and isinstance(ext.phase, list) and len(ext.phase) != n:
            raise ValueError(f"external_potential.phase has {len(ext.phase)} values for {n} particles")
        if self.box.kind == "periodic":
            lengths = self.box.length if isinstance(self.box.length, list) else [self.box.length] * self.system.dim
            if isinstance(self.pair_potential, SoftPairConfig) and min(lengths) < 2 * self.pair_potential.s:
                raise ValueError(
                    f"box.length = {self.box.length} is smaller than twice the interaction range "
                    f"pair_potential.s = {self.pair_potential.s}: the minimum image would be ambiguous"
                )
            if isinstance(ext, (SawtoothConfig, CosineConfig)):
                turns = lengths[0] / ext.period
                if abs(turns - round(turns)) > 1e-9 * max(turns, 1):
                    raise ValueError(
                        f"box.length[0] = {lengths[0]} must be a whole number of external_potential.period = {ext.period}"
                    )
        if self.bonds is not None:
            if isinstance(self.bonds.k, list) and len(self.bonds.k) != len(self.bonds.pairs):
                raise ValueError(f"bonds.k has {len(self.bonds.k)} values for {len(self.bonds.pairs)} bonds.pairs")
            for i, j in self.bonds.pairs:
                if not (0 <= i < n and 0 <= j < n and i != j):
                    raise ValueError(f"bonds.pairs: [{i}, {j}] must join two different particles among 0..{n - 1}")
            if any(k < 0 for k in (self.bonds.k if isinstance(self.bonds.k, list) else [self.bonds.k])):
                raise ValueError("bonds.k must be >= 0")
        if self.tethers is not None:
            t = self.tethers
            if isinstance(t.k, list) and len(t.k) != len(t.particles):
                raise ValueError(f"tethers.k has {len(t.k)} values for {len(t.particles)} tethers.particles")
            if any(not 0 <= i < n for i in t.particles):
                raise ValueError(f"tethers.particles = {t.particles}: particles are 0..{n - 1}")
            if t.anchors is not None and (
                len(t.anchors) != len(t.particles) or any(len(a) != self.system.dim for a in t.anchors)
            ):
                raise ValueError(
                    f"tethers.anchors needs one point of {self.system.dim} coordinates per tethered particle"
                )
        return self

    def _tethers(self) -> tuple:
        t = self.tethers
        if t is None:
            return ()
        ks = t.k if isinstance(t.k, list) else [t.k] * len(t.particles)
        anchors = t.anchors or [[0.0] * self.system.dim] * len(t.particles)
        return tuple((i, float(k), tuple(a)) for i, k, a in zip(t.particles, ks, anchors, strict=True))

    def build_system(self) -> System:
        box = None
        if self.box.kind == "periodic":
            box = self.box.length
        return System(
            dim=self.system.dim,
            temperatures=self.system.temperatures,
            mobilities=self.system.mobilities,
            pair=self.pair_potential.build(),
            external=self.external_potential.build(len(self.system.temperatures)),
            box=box,
            bonds=self.bonds.springs() if self.bonds is not None else (),
            tethers=self._tethers(),
        )

    def build_run(self, histogram_range: tuple[float, float]) -> RunParameters:
        r, o = self.run, self.observables
        return RunParameters(
            dt=r.dt, time=r.time, burn_in=r.burn_in, replicas=r.replicas, seed=r.seed,
            integrator=r.integrator, threads=r.threads, histogram_bins=o.histogram_bins,
            histogram_range=histogram_range, trajectory_every=o.trajectory_every,
            trajectory_replicas=o.trajectory_replicas, ring_every=o.lag_every,
            chase_lags=self.lags(o.chase_tau), arrow_lags=self.lags(o.arrow_tau),
            contact_range=self.pair_potential.s if isinstance(self.pair_potential, SoftPairConfig) else 0.0,
        )  # fmt: skip

    def lags(self, taus: list[float]) -> tuple[int, ...]:
        """Lag times -> whole numbers of samples (every observables.lag_every steps)."""
        return tuple(max(1, int(round(t / (self.observables.lag_every * self.run.dt)))) for t in taus)
