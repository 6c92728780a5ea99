"""Config tables of the pair potentials, one per potential, shared by both engines' configs
(``[pair_potential]``): the parameters with their defaults, validated, and ``build()``, which
makes the potential from the registry's class.  Units: energies in k_B T units of your choice
(k_B = 1), lengths in the system's unit."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, PositiveFloat

from multitemp.core.config import Strict
from multitemp.core.potentials.pair import HarmonicSpring, NoPair, SoftRepulsion, WCARepulsion

__all__ = ["HarmonicPairConfig", "SoftPairConfig", "WCAPairConfig", "NoPairConfig"]


class HarmonicPairConfig(Strict):
    """U(r) = k r^2 / 2 (k: energy / length^2)."""

    kind: Literal["harmonic"]
    k: float = Field(ge=0)

    def build(self) -> HarmonicSpring:
        return HarmonicSpring(self.k)


class SoftPairConfig(Strict):
    """U(r) = (k/2)(1 - r/s)^2 for r < s, 0 beyond (k: energy; s: range, the particle diameter)."""

    kind: Literal["soft"]
    k: PositiveFloat
    s: PositiveFloat = 1.0

    def build(self) -> SoftRepulsion:
        return SoftRepulsion(self.k, self.s)

    @property
    def diameter(self) -> float:
        return self.s


class WCAPairConfig(Strict):
    """Weeks-Chandler-Andersen repulsion (epsilon: energy; sigma: length, the particle diameter)."""

    kind: Literal["wca"]
    epsilon: PositiveFloat = 1.0
    sigma: PositiveFloat = 1.0

    def build(self) -> WCARepulsion:
        return WCARepulsion(self.epsilon, self.sigma)

    @property
    def diameter(self) -> float:
        return self.sigma


class NoPairConfig(Strict):
    """No interaction between particles."""

    kind: Literal["none"]

    def build(self) -> NoPair:
        return NoPair()
