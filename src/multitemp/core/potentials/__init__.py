"""Potentials: pair potentials U(r) between particles and external potentials V(r_i).

A potential is a small class holding its parameters plus two ``numba.njit`` functions the
kernels call (energy and force).  Built-in ones are listed by name in :mod:`.registry`; a
user's own, from Python, is a :class:`CustomPair` or :class:`CustomExternal` (see the README).
"""

from multitemp.core.potentials.bond import BondPotential, FENEBond, HarmonicBond
from multitemp.core.potentials.external import (
    Cosine,
    CustomExternal,
    ExternalPotential,
    HarmonicTrap,
    NoExternal,
    SmoothedSawtooth,
)
from multitemp.core.potentials.pair import (
    CustomPair,
    HarmonicSpring,
    NoPair,
    PairPotential,
    SoftRepulsion,
    WCARepulsion,
)

__all__ = [
    "BondPotential",
    "HarmonicBond",
    "FENEBond",
    "ExternalPotential",
    "HarmonicTrap",
    "NoExternal",
    "SmoothedSawtooth",
    "Cosine",
    "CustomExternal",
    "PairPotential",
    "HarmonicSpring",
    "SoftRepulsion",
    "NoPair",
    "WCARepulsion",
    "CustomPair",
]
