"""Config of a many-body mixture run (a TOML file with a ``[mixture]`` table).

Example (physics.md section 7: hot and cold soft disks)::

    [mixture]
    dim = 2
    particles = 10000
    phi = 0.4                  # area (2D) / volume (3D) fraction of spheres of diameter s
    types = [
      { name = "hot",  temperature = 20.0, fraction = 0.5 },
      { name = "cold", temperature = 1.0,  fraction = 0.5 },
    ]
    [pair_potential]
    kind = "soft"              # or "wca" (epsilon, sigma)
    k = 100.0
    s = 1.0
    [run]
    dt = 1e-4
    time = 20.0
    burn_in = 2.0
    seed = 1
    [output]
    write_every = 2000         # steps between GSD frames
"""

from __future__ import annotations

import math
from typing import Annotated, Literal, Union

from pydantic import Field, PositiveFloat, PositiveInt, model_validator

from multitemp.core.config import RunTimes, Strict
from multitemp.core.potentials.tables import SoftPairConfig, WCAPairConfig
from multitemp.mixture.model import Mixture, particle_volume

__all__ = ["MixtureConfig"]


class TypeConfig(Strict):
    """One particle type: a name, its bath temperature, and either a fraction or a count."""

    name: str = Field(min_length=1, pattern=r"^[A-Za-z][A-Za-z0-9_]*$")
    temperature: PositiveFloat
    mobility: PositiveFloat = 1.0
    fraction: float | None = Field(default=None, gt=0, le=1)
    count: PositiveInt | None = None

    @model_validator(mode="after")
    def _one_of(self) -> TypeConfig:
        if (self.fraction is None) == (self.count is None):
            raise ValueError(f"type {self.name!r}: give either fraction or count")
        return self


class MixtureTable(Strict):
    """[mixture]: dimension, number of particles, packing fraction, types."""

    dim: Literal[2, 3] = 2
    particles: PositiveInt
    phi: float = Field(gt=0, lt=1)
    types: list[TypeConfig] = Field(min_length=1)

    @model_validator(mode="after")
    def _types(self) -> MixtureTable:
        names = [t.name for t in self.types]
        if len(set(names)) != len(names):
            raise ValueError(f"mixture.types: names must be different, got {names}")
        fractions = [t.fraction for t in self.types if t.fraction is not None]
        counts = [t.count for t in self.types if t.count is not None]
        if fractions and counts:
            raise ValueError("mixture.types: give fractions for all types or counts for all types, not both")
        if fractions and abs(sum(fractions) - 1.0) > 1e-9:
            raise ValueError(f"mixture.types: fractions {fractions} sum to {sum(fractions):g}, they must sum to 1")
        if counts and sum(counts) != self.particles:
            raise ValueError(
                f"mixture.types: counts {counts} sum to {sum(counts)}, not mixture.particles = {self.particles}"
            )
        return self

    def counts(self) -> list[int]:
        """Particles per type (fractions rounded; the last type takes the remainder)."""
        if self.types[0].count is not None:
            return [t.count for t in self.types]
        counts = [int(round(t.fraction * self.particles)) for t in self.types[:-1]]
        return [*counts, self.particles - sum(counts)]


class ContainerConfig(Strict):
    """[container]: 'periodic' box (default), or a 'sphere' (a disk in 2D) holding the particles
    at packing fraction phi, with a wall V = stiffness (|r - c| - R)^2 / 2 beyond its radius R."""

    kind: Literal["periodic", "sphere"] = "periodic"
    stiffness: PositiveFloat = 100.0


class RunTable(RunTimes):
    """[run]: times (see :class:`~multitemp.core.config.RunTimes`); integrator 'euler' (default) or 'heun'."""

    integrator: Literal["euler", "heun"] = "euler"


class NeighborsTable(Strict):
    """[neighbors]: Verlet skin (length). Hot particles move far per step: 1.6 s suits T_h = 20."""

    skin: PositiveFloat = 1.6


class OutputTable(Strict):
    """[output]: a GSD frame (and a checkpoint) every ``write_every`` steps."""

    write_every: PositiveInt = 1000


class InitialTable(Strict):
    """[initial]: start from a frame of a GSD file (default: random positions)."""

    gsd: str
    frame: int = -1


PairTable = Annotated[Union[SoftPairConfig, WCAPairConfig], Field(discriminator="kind")]


class MixtureConfig(Strict):
    """A many-body run: a mixture of types, one pair potential, a box or a container."""

    mixture: MixtureTable
    pair_potential: PairTable
    container: ContainerConfig = ContainerConfig()
    run: RunTable
    neighbors: NeighborsTable = NeighborsTable()
    output: OutputTable = OutputTable()
    initial: InitialTable | None = None

    @model_validator(mode="after")
    def _fits(self) -> MixtureConfig:
        cut = self.pair_potential.build().cutoff
        rlist = cut + self.neighbors.skin
        if self.container.kind == "periodic":
            length = self.box_length()
            if length < 2 * rlist:
                raise ValueError(
                    f"mixture.phi = {self.mixture.phi}: the box (side {length:.3g}) is smaller than twice the "
                    f"cutoff + skin ({rlist:g}); lower phi, add particles or lower neighbors.skin"
                )
        return self

    def box_length(self) -> float:
        """Side of the periodic box holding N particles at packing fraction phi."""
        m = self.mixture
        volume = m.particles * particle_volume(m.dim, self.pair_potential.diameter) / m.phi
        return volume ** (1.0 / m.dim)

    def container_radius(self) -> float:
        """Radius R of the sphere (disk) holding N particles at packing fraction phi."""
        m = self.mixture
        volume = m.particles * particle_volume(m.dim, self.pair_potential.diameter) / m.phi
        return math.sqrt(volume / math.pi) if m.dim == 2 else (3 * volume / (4 * math.pi)) ** (1 / 3)

    def build(self):
        import numpy as np

        m = self.mixture
        pair = self.pair_potential.build()
        counts = m.counts()
        typeid = np.repeat(np.arange(len(counts)), counts).astype(np.int64)
        wall = None
        if self.container.kind == "sphere":
            radius = self.container_radius()
            # room beyond the wall: 8 thermal penetration depths of the hottest type, and the
            # list range, so that the periodic images never meet
            depth = 8 * math.sqrt(max(t.temperature for t in m.types) / self.container.stiffness)
            side = 2 * (radius + depth + pair.cutoff + self.neighbors.skin)
            box = (side,) * m.dim
            wall = (self.container.stiffness, radius)
        else:
            box = (self.box_length(),) * m.dim
        return Mixture(
            dim=m.dim,
            box=box,
            type_names=tuple(t.name for t in m.types),
            type_temperatures=tuple(t.temperature for t in m.types),
            type_mobilities=tuple(t.mobility for t in m.types),
            typeid=typeid,
            pair=pair,
            wall=wall,
        )
