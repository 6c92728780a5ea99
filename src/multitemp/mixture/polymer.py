"""Chains with hot and cold monomers (physics.md section 8b): the ``[polymer]`` config table,
its temperature patterns, and the particle ids, types and bonds it generates.

Example (a Goychuk-like chain: blocks of 20 hot and 20 cold monomers)::

    [mixture]
    dim = 3
    phi = 0.1
    types = [{ name = "hot", temperature = 6.0 }, { name = "cold", temperature = 1.0 }]
    [polymer]
    bond = { kind = "harmonic", k = 30.0, r0 = 1.0 }
    chains = [{ count = 1, monomers = 1000, pattern = { kind = "blocks", blocks = [["hot", 20], ["cold", 20]] } }]

Patterns (the type of each monomer along a chain):

* ``uniform``: one type (``type``): homopolymers, e.g. active and passive chains;
* ``blocks``: ``[[type, length], ...]`` repeated along the chain (the chain length must be a
  multiple of the period);
* ``alternating``: ``types`` one after the other, repeated;
* ``random``: ``fractions = {type = f, ...}`` (summing to 1), counts rounded, order shuffled
  with ``seed`` (a different draw per chain);
* ``file``: a text file with one temperature per monomer (a Hi-C-like A/B activity track;
  ``#`` comments); each distinct temperature is a type (a declared type with that
  temperature, else a new one named ``T<value>``).

Particle ids: the chains first (chain by chain, monomer by monomer, in the order of
``chains``), then the free particles of ``[mixture]`` type by type.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal, Union

import numpy as np
from pydantic import Field, NonNegativeInt, PositiveFloat, PositiveInt, model_validator

from multitemp.core.config import Strict
from multitemp.core.potentials.bond import FENEBond, HarmonicBond

__all__ = ["PolymerTable", "ChainConfig", "read_activity_file", "chain_types", "chain_bonds", "chains_from_bonds",
           "ideal_chain_theory"]


class HarmonicBondConfig(Strict):
    """Harmonic bond U = k (r - r0)^2 / 2 (k: energy / length^2; r0 = 0: a Rouse spring)."""

    kind: Literal["harmonic"]
    k: PositiveFloat
    r0: float = Field(default=0.0, ge=0)

    def build(self) -> HarmonicBond:
        return HarmonicBond(self.k, self.r0)


class FENEBondConfig(Strict):
    """FENE bond U = -k r_max^2 ln(1 - r^2/r_max^2) / 2 (Kremer-Grest: k = 30, r_max = 1.5)."""

    kind: Literal["fene"]
    k: PositiveFloat = 30.0
    r_max: PositiveFloat = 1.5

    def build(self) -> FENEBond:
        return FENEBond(self.k, self.r_max)


class UniformPattern(Strict):
    kind: Literal["uniform"]
    type: str


class BlocksPattern(Strict):
    kind: Literal["blocks"]
    blocks: list[tuple[str, PositiveInt]] = Field(min_length=1)


class AlternatingPattern(Strict):
    kind: Literal["alternating"]
    types: list[str] = Field(min_length=1)


class RandomPattern(Strict):
    kind: Literal["random"]
    fractions: dict[str, float] = Field(min_length=1)
    seed: NonNegativeInt = 0

    @model_validator(mode="after")
    def _sum(self) -> RandomPattern:
        if any(f < 0 for f in self.fractions.values()) or abs(sum(self.fractions.values()) - 1) > 1e-9:
            raise ValueError(f"fractions {self.fractions} must be >= 0 and sum to 1")
        return self


class FilePattern(Strict):
    kind: Literal["file"]
    path: str


Pattern = Annotated[
    Union[UniformPattern, BlocksPattern, AlternatingPattern, RandomPattern, FilePattern], Field(discriminator="kind")
]


class ChainConfig(Strict):
    """``count`` chains of ``monomers`` monomers whose types follow ``pattern``."""

    count: PositiveInt = 1
    monomers: PositiveInt
    pattern: Pattern


class PolymerTable(Strict):
    """[polymer]: the bond potential, whether bonded pairs feel the pair potential, the chains."""

    bond: Annotated[Union[HarmonicBondConfig, FENEBondConfig], Field(discriminator="kind")]
    exclude_bonded: bool = True
    chains: list[ChainConfig] = Field(min_length=1)

    @property
    def monomers(self) -> int:
        return sum(c.count * c.monomers for c in self.chains)


def read_activity_file(path: str | Path, key: str) -> np.ndarray:
    """Temperatures, one per monomer, from a text file (whitespace separated, ``#`` comments)."""
    p = Path(path)
    if not p.is_file():
        raise ValueError(f"{key} = {str(path)!r}: file not found")
    values = []
    for line_no, line in enumerate(p.read_text().splitlines(), 1):
        for word in line.split("#", 1)[0].split():
            try:
                t = float(word)
            except ValueError:
                raise ValueError(f"{key}: line {line_no} of {p}: {word!r} is not a number (one temperature per monomer)") from None
            if not t > 0 or not np.isfinite(t):
                raise ValueError(f"{key}: line {line_no} of {p}: temperature {word} must be > 0 and finite")
            values.append(t)
    if not values:
        raise ValueError(f"{key}: {p} holds no temperature")
    return np.asarray(values)


def chain_types(chain: ChainConfig, index: int, type_index: dict[str, int], file_types: dict[float, int],
                key: str) -> np.ndarray:  # fmt: skip
    """(count, monomers) type index of every monomer of the chains of one ``[[polymer.chains]]``
    entry.  ``type_index``: declared type name -> index; ``file_types``: temperature -> index of
    the types an activity file uses.  Raises ValueError naming ``key`` on a bad pattern."""
    p, m = chain.pattern, chain.monomers

    def idx(name: str) -> int:
        if name not in type_index:
            raise ValueError(f"{key}: type {name!r} is not one of mixture.types {sorted(type_index)}")
        return type_index[name]

    if p.kind == "uniform":
        one = np.full(m, idx(p.type))
        return np.tile(one, (chain.count, 1))
    if p.kind in ("blocks", "alternating"):
        period = [idx(n) for n, length in p.blocks for _ in range(length)] if p.kind == "blocks" else [idx(n) for n in p.types]
        if m % len(period):
            raise ValueError(
                f"{key}: the pattern repeats every {len(period)} monomers, which does not divide "
                f"monomers = {m}; allowed: a multiple of {len(period)}"
            )
        return np.tile(np.asarray(period * (m // len(period))), (chain.count, 1))
    if p.kind == "random":
        names = list(p.fractions)
        counts = [int(round(p.fractions[n] * m)) for n in names[:-1]]
        counts.append(m - sum(counts))
        base = np.repeat([idx(n) for n in names], counts)
        rng = np.random.default_rng([p.seed, index])
        return np.stack([rng.permutation(base) for _ in range(chain.count)])
    temps = read_activity_file(p.path, key + ".path")
    if len(temps) not in (m, m * chain.count):
        raise ValueError(
            f"{key}.path: {p.path} holds {len(temps)} temperatures; allowed: one per monomer, "
            f"{m} (every chain the same) or {m * chain.count} (chain after chain)"
        )
    ids = np.array([file_types[float(t)] for t in temps])
    return ids.reshape(-1, m) if len(ids) == m * chain.count else np.tile(ids, (chain.count, 1))


def chain_bonds(lengths: list[int]) -> np.ndarray:
    """Bonds (i, i + 1) along consecutive chains of the given lengths (ids from 0)."""
    ends = np.cumsum(lengths)
    ids = np.arange(int(ends[-1]) if len(ends) else 0)
    inner = np.ones(len(ids), dtype=bool)
    inner[ends - 1] = False  # the last monomer of each chain starts no bond
    return np.stack([ids[inner], ids[inner] + 1], axis=1).astype(np.int64)


def chains_from_bonds(n: int, bonds: np.ndarray) -> list[tuple[int, int]]:
    """(first id, length) of the linear chains made of (i, i + 1) bonds (free particles left out)."""
    linked = np.zeros(n, dtype=bool)
    b = np.sort(np.asarray(bonds, dtype=np.int64).reshape(-1, 2), axis=1)
    b = b[b[:, 1] == b[:, 0] + 1]
    linked[b[:, 0]] = True  # i is linked to i + 1
    out, i = [], 0
    in_chain = np.zeros(n, dtype=bool)
    in_chain[b[:, 0]] = True
    in_chain[b[:, 1]] = True
    while i < n:
        if not in_chain[i]:
            i += 1
            continue
        j = i
        while j < n - 1 and linked[j]:
            j += 1
        out.append((i, j - i + 1))
        i = j + 1
    return out


def ideal_chain_theory(mixture):
    """The exact linear theory (:class:`~multitemp.theory.linear.LinearTheory`) of a mixture of
    ideal chains: Rouse springs (harmonic bonds with r0 = 0), no pair potential, no container
    (in a periodic box an ideal chain never feels its images: it is a free chain).  None otherwise."""
    if mixture.pair.kind != "none" or mixture.wall is not None or mixture.bond is None:
        return None
    k = getattr(mixture.bond, "spring_constant", None)
    if k is None:
        return None
    from multitemp.theory.linear import LinearTheory

    return LinearTheory.from_bonds(mixture.dim, mixture.temperatures, mixture.bonds, k, mixture.mobilities)
