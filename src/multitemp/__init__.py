"""multitemp: overdamped particles, each with its own heat bath, and how far they are from equilibrium."""

from multitemp import _numba_cache  # noqa: F401  (first: sets numba's cache folder)

__version__ = "0.1.0"
