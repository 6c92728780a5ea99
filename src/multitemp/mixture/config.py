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

import numpy as np
from pydantic import Field, NonNegativeInt, PositiveFloat, PositiveInt, model_validator

from multitemp.core.config import RunTimes, Strict
from multitemp.core.potentials.tables import NoPairConfig, SoftPairConfig, WCAPairConfig
from multitemp.mixture.model import Mixture, particle_volume
from multitemp.mixture.polymer import PolymerTable, chain_bonds, chain_types, read_activity_file

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
        if self.fraction is not None and self.count is not None:
            raise ValueError(f"type {self.name!r}: give either fraction or count, not both")
        return self


class MixtureTable(Strict):
    """[mixture]: dimension, number of free particles, packing fraction (of all particles,
    chains included), types.  With a [polymer] table ``particles`` (free particles) defaults
    to 0 and a type needs no count or fraction."""

    dim: Literal[2, 3] = 2
    particles: NonNegativeInt | None = None
    phi: float = Field(gt=0, lt=1)
    types: list[TypeConfig] = Field(min_length=1)
    aspect: list[PositiveFloat] | None = None  # relative box sides, e.g. [4, 1]: an elongated box

    @model_validator(mode="after")
    def _types(self) -> MixtureTable:
        names = [t.name for t in self.types]
        if len(set(names)) != len(names):
            raise ValueError(f"mixture.types: names must be different, got {names}")
        if self.aspect is not None and len(self.aspect) != self.dim:
            raise ValueError(f"mixture.aspect = {self.aspect}: give {self.dim} relative box sides (one per axis)")
        if not self.particles:
            if any(t.count or t.fraction for t in self.types):
                raise ValueError("mixture.types: counts or fractions need mixture.particles > 0")
            return self
        missing = [t.name for t in self.types if t.fraction is None and t.count is None]
        if missing:
            raise ValueError(f"mixture.types: type {missing[0]!r}: give either fraction or count")
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
        """Free particles per type (fractions rounded; the last type takes the remainder)."""
        if not self.particles:
            return [0] * len(self.types)
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
    """[initial]: start from a frame of a GSD file (``gsd``, ``frame``), or from an arrangement
    of the random positions: ``"slab"`` (the coldest type fills the low-x end of the box, a
    slab with two flat interfaces) or ``"drop"`` (the coldest type fills a sphere about the
    centre); default: random positions, types mixed."""

    gsd: str | None = None
    frame: int = -1
    arrangement: Literal["mixed", "slab", "drop"] = "mixed"

    @model_validator(mode="after")
    def _one(self) -> InitialTable:
        if (self.gsd is None) == (self.arrangement == "mixed"):
            raise ValueError("initial: give either gsd (a file to start from) or arrangement = 'slab' | 'drop'")
        return self


PairTable = Annotated[Union[SoftPairConfig, WCAPairConfig, NoPairConfig], Field(discriminator="kind")]


class MixtureConfig(Strict):
    """A many-body run: a mixture of types, one pair potential, a box or a container."""

    mixture: MixtureTable
    pair_potential: PairTable
    container: ContainerConfig = ContainerConfig()
    run: RunTable
    neighbors: NeighborsTable = NeighborsTable()
    output: OutputTable = OutputTable()
    initial: InitialTable | None = None
    polymer: PolymerTable | None = None

    @model_validator(mode="after")
    def _fits(self) -> MixtureConfig:
        if self.polymer is None and not self.mixture.particles:
            raise ValueError("mixture.particles: give the number of particles (> 0), or chains in a [polymer] table")
        if self.pair_potential.kind == "none" and self.polymer is None:
            raise ValueError("pair_potential.kind = 'none' is for ideal chains: it needs a [polymer] table")
        if self.polymer is not None:
            self.particle_types()  # pattern checks (type names, lengths, activity files)
            if self.initial is not None and self.initial.arrangement != "mixed":
                raise ValueError(
                    f"initial.arrangement = {self.initial.arrangement!r} places free particles; with a [polymer] "
                    "table start from random chains (no [initial]) or from a GSD frame (initial.gsd)"
                )
        cut = self.mixture_cutoff()
        rlist = cut + self.neighbors.skin
        if self.container.kind == "periodic":
            length = min(self.box_sides())
            if length < 2 * rlist:
                raise ValueError(
                    f"mixture.phi = {self.mixture.phi}: the box (side {length:.3g}) is smaller than twice the "
                    f"cutoff + skin ({rlist:g}); lower phi, add particles or lower neighbors.skin"
                )
        return self

    def mixture_cutoff(self) -> float:
        return 0.0 if self.pair_potential.kind == "none" else self.pair_potential.build().cutoff

    @property
    def diameter(self) -> float:
        """Particle diameter for phi: the pair potential's range (ideal chains: the bond length)."""
        if self.pair_potential.kind == "none":
            return self.polymer.bond.build().rest_length
        return self.pair_potential.diameter

    @property
    def n_particles(self) -> int:
        """Monomers plus free particles."""
        return (self.polymer.monomers if self.polymer else 0) + (self.mixture.particles or 0)

    def _volume(self) -> float:
        return self.n_particles * particle_volume(self.mixture.dim, self.diameter) / self.mixture.phi

    def box_length(self) -> float:
        """Side of the cubic periodic box holding N particles at packing fraction phi."""
        return self._volume() ** (1.0 / self.mixture.dim)

    def box_sides(self) -> tuple[float, ...]:
        """Sides of the periodic box (proportional to ``mixture.aspect``; cubic by default)."""
        aspect = np.asarray(self.mixture.aspect or [1.0] * self.mixture.dim, dtype=np.float64)
        scale = (self._volume() / np.prod(aspect)) ** (1.0 / self.mixture.dim)
        return tuple(float(v) for v in scale * aspect)

    def container_radius(self) -> float:
        """Radius R of the sphere (disk) holding N particles at packing fraction phi."""
        m = self.mixture
        volume = self._volume()
        return math.sqrt(volume / math.pi) if m.dim == 2 else (3 * volume / (4 * math.pi)) ** (1 / 3)

    def particle_types(self) -> tuple[list[tuple[str, float, float]], np.ndarray]:
        """((name, temperature, mobility) of every type, type index of every particle id):
        declared types, then the new ones of activity files; the chains first, then the free particles."""
        m = self.mixture
        types = [(t.name, t.temperature, t.mobility) for t in m.types]
        index = {t.name: k for k, t in enumerate(m.types)}
        per_chain = []
        if self.polymer is not None:
            file_types: dict[float, int] = {}
            for c, chain in enumerate(self.polymer.chains):
                if chain.pattern.kind != "file":
                    continue
                key = f"polymer.chains.{c}.pattern"
                for temp in read_activity_file(chain.pattern.path, key + ".path"):
                    t = float(temp)
                    if t in file_types:
                        continue
                    same = [k for k, ty in enumerate(types) if ty[1] == t]
                    if not same:
                        types.append((f"T{t:g}", t, 1.0))
                    file_types[t] = same[0] if same else len(types) - 1
            for c, chain in enumerate(self.polymer.chains):
                per_chain.append(chain_types(chain, c, index, file_types, f"polymer.chains.{c}.pattern").ravel())
        counts = m.counts()
        free = np.repeat(np.arange(len(counts)), counts)
        return types, np.concatenate([*per_chain, free]).astype(np.int64)

    def build(self) -> Mixture:
        m = self.mixture
        pair = self.pair_potential.build()
        types, typeid = self.particle_types()
        bonds, bond = None, None
        if self.polymer is not None:
            bonds = chain_bonds([c.monomers for c in self.polymer.chains for _ in range(c.count)])
            bond = self.polymer.bond.build()
        wall = None
        if self.container.kind == "sphere":
            radius = self.container_radius()
            # room beyond the wall: 8 thermal penetration depths of the hottest type, and the
            # list range, so that the periodic images never meet
            depth = 8 * math.sqrt(max(t.temperature for t in m.types) / self.container.stiffness)
            side = 2 * (radius + depth + self.mixture_cutoff() + self.neighbors.skin)
            box = (side,) * m.dim
            wall = (self.container.stiffness, radius)
        else:
            box = self.box_sides()
        return Mixture(
            dim=m.dim,
            box=box,
            type_names=tuple(t[0] for t in types),
            type_temperatures=tuple(t[1] for t in types),
            type_mobilities=tuple(t[2] for t in types),
            typeid=typeid,
            pair=pair,
            wall=wall,
            bonds=bonds,
            bond=bond,
            exclude_bonded=self.polymer.exclude_bonded if self.polymer else True,
        )
