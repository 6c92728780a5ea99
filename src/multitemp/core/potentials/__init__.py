"""Potentials: pair potentials U(r) between particles and external potentials V(r_i).

A potential is a small class holding its parameters plus two ``numba.njit`` functions the
kernels call (energy and force).  To add one, subclass :class:`PairPotential` or
:class:`ExternalPotential`, write the two functions, and register the class in the config.
"""

from multitemp.core.potentials.external import Cosine, ExternalPotential, HarmonicTrap, NoExternal, SmoothedSawtooth
from multitemp.core.potentials.pair import HarmonicSpring, NoPair, PairPotential, SoftRepulsion, WCARepulsion

__all__ = [
    "ExternalPotential",
    "HarmonicTrap",
    "NoExternal",
    "SmoothedSawtooth",
    "Cosine",
    "PairPotential",
    "HarmonicSpring",
    "SoftRepulsion",
    "NoPair",
    "WCARepulsion",
]
