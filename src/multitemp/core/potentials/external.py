"""External potentials V(r_i), acting on every particle.

Kernel contract (numba, no allocation; register the pair, by ``kind_id``, in
:mod:`multitemp.core.potentials.dispatch`); ``x`` holds positions as (N, d, L): particle, axis,
replica lane (the kernels advance L replicas side by side):

* ``energy(x, i, ln, params) -> V(r_i)`` of particle i in lane ln;
* ``force(x, i, a, ln, params) -> -dV/dx_ia``, component a of the force on particle i in
  lane ln (per component, so that the kernels' loop over lanes is innermost and vectorises).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import ClassVar

import numba as nb
import numpy as np

from multitemp.core.potentials.pair import USER_KIND, UserParameters


class ExternalPotential:
    """Base class: parameters as a float64 array plus the two kernel functions."""

    kind: ClassVar[str]
    kind_id: ClassVar[int]
    energy_kernel: ClassVar[object]
    force_kernel: ClassVar[object]

    def params(self) -> np.ndarray:
        raise NotImplementedError

    @property
    def trap_stiffness(self) -> float | None:
        """lambda if V = lambda |r|^2 / 2 (0 for no potential): linear. None otherwise."""
        return None

    def energy(self, x: np.ndarray) -> np.ndarray:
        """V at positions ``x`` of shape (..., d) (for plots and checks)."""
        x = np.asarray(x, dtype=np.float64)
        flat = x.reshape(-1, 1, x.shape[-1], 1)
        p = self.params()
        return np.array([self.energy_kernel(row, 0, 0, p) for row in flat]).reshape(x.shape[:-1])


@nb.njit(cache=True, inline="always")
def _trap_energy(x, i, ln, p):
    e = 0.0
    for a in range(x.shape[1]):
        e += x[i, a, ln] * x[i, a, ln]
    return 0.5 * p[0] * e


@nb.njit(cache=True, inline="always")
def _trap_force(x, i, a, ln, p):
    return -p[0] * x[i, a, ln]


@dataclass(frozen=True)
class HarmonicTrap(ExternalPotential):
    """V(r) = lambda |r|^2 / 2 about the origin (lam: energy / length^2)."""

    lam: float
    kind: ClassVar[str] = "harmonic"
    kind_id: ClassVar[int] = 1
    energy_kernel: ClassVar[object] = staticmethod(_trap_energy)
    force_kernel: ClassVar[object] = staticmethod(_trap_force)

    def params(self) -> np.ndarray:
        return np.array([self.lam], dtype=np.float64)

    @property
    def trap_stiffness(self) -> float:
        return self.lam


@nb.njit(cache=True, inline="always")
def _none_energy(x, i, ln, p):
    return 0.0


@nb.njit(cache=True, inline="always")
def _none_force(x, i, a, ln, p):
    return 0.0


@dataclass(frozen=True)
class NoExternal(ExternalPotential):
    """No external potential."""

    kind: ClassVar[str] = "none"
    kind_id: ClassVar[int] = 0
    energy_kernel: ClassVar[object] = staticmethod(_none_energy)
    force_kernel: ClassVar[object] = staticmethod(_none_force)

    def params(self) -> np.ndarray:
        return np.zeros(1, dtype=np.float64)

    @property
    def trap_stiffness(self) -> float:
        return 0.0


@nb.njit(cache=True, inline="always")
def _log_cosh(z):
    a = abs(z)
    return a + math.log1p(math.exp(-2.0 * a)) - math.log(2.0)


@nb.njit(cache=True, inline="always")
def _sawtooth_falling(u, p):
    """Smoothed indicator of the falling part [a l, l) of the period, at u in [0, period)."""
    rise, period, w = p[1] * p[2], p[1], p[3]
    return 0.5 * (math.tanh((u - rise) / w) - math.tanh((u - period) / w) - math.tanh(u / w) + 1.0)


@nb.njit(cache=True, inline="always")
def _sawtooth_slopes(p):
    """(force on the rising part, force on the falling part) = (-V0 / (a l), V0 / ((1 - a) l))."""
    v0, period, a = p[0], p[1], p[2]
    return -v0 / (a * period), v0 / ((1.0 - a) * period)


@nb.njit(cache=True, inline="always")
def _sawtooth_force_at(xx, p):
    period = p[1]
    u = xx - period * math.floor(xx / period)
    f_rise, f_fall = _sawtooth_slopes(p)
    return f_rise + (f_fall - f_rise) * _sawtooth_falling(u, p)


@nb.njit(cache=True, inline="always")
def _sawtooth_energy(x, i, ln, p):
    period, w, rise = p[1], p[3], p[1] * p[2]
    xx = x[i, 0, ln]
    u = xx - period * math.floor(xx / period)
    f_rise, f_fall = _sawtooth_slopes(p)

    # int_0^u of the smoothed falling indicator; p[4] is its value at u = 0 (see params())
    integral = 0.5 * (w * _log_cosh((u - rise) / w) - w * _log_cosh((u - period) / w) - w * _log_cosh(u / w) + u)
    return -f_rise * u - (f_fall - f_rise) * (integral - p[4])


@nb.njit(cache=True, inline="always")
def _sawtooth_force(x, i, a, ln, p):
    return _sawtooth_force_at(x[i, 0, ln], p) if a == 0 else 0.0


@dataclass(frozen=True)
class SmoothedSawtooth(ExternalPotential):
    """Periodic sawtooth along the first axis (physics.md section 6): V rises by ``height`` over
    ``asymmetry * period`` and falls back over the rest; the force (a periodic step) is smoothed
    with tanh steps of width ``smoothing`` (length), so that V is smooth and exactly periodic.
    ``asymmetry = 0.5`` is symmetric (no ratchet current)."""

    height: float
    period: float
    asymmetry: float
    smoothing: float
    kind: ClassVar[str] = "sawtooth"
    kind_id: ClassVar[int] = 2
    energy_kernel: ClassVar[object] = staticmethod(_sawtooth_energy)
    force_kernel: ClassVar[object] = staticmethod(_sawtooth_force)

    def params(self) -> np.ndarray:
        """(height, period, asymmetry, smoothing, the energy's integral at u = 0): the constant is
        computed once here, not at every energy evaluation (half of the kernel's log-cosh calls)."""
        w, rise, period = self.smoothing, self.period * self.asymmetry, self.period
        at_zero = 0.5 * (w * _log_cosh(-rise / w) - w * _log_cosh(-period / w) - w * _log_cosh(0.0))
        return np.array([self.height, self.period, self.asymmetry, self.smoothing, at_zero], dtype=np.float64)


@nb.njit(cache=True, inline="always")
def _cosine_energy(x, i, ln, p):
    return p[0] * math.cos(2.0 * math.pi * x[i, 0, ln] / p[1] + p[2 + i])


@nb.njit(cache=True, inline="always")
def _cosine_force(x, i, a, ln, p):
    k = 2.0 * math.pi / p[1]
    return p[0] * k * math.sin(k * x[i, 0, ln] + p[2 + i]) if a == 0 else 0.0


@dataclass(frozen=True)
class Cosine(ExternalPotential):
    """V_i(x) = amplitude cos(2 pi x / period + phase_i) along the first axis, a phase per
    particle (the Feynman ratchet of physics.md section 6 needs different phases)."""

    amplitude: float
    period: float
    phases: tuple[float, ...]
    kind: ClassVar[str] = "cosine"
    kind_id: ClassVar[int] = 3
    energy_kernel: ClassVar[object] = staticmethod(_cosine_energy)
    force_kernel: ClassVar[object] = staticmethod(_cosine_force)

    def params(self) -> np.ndarray:
        return np.array([self.amplitude, self.period, *self.phases], dtype=np.float64)


@dataclass(frozen=True)
class CustomExternal(UserParameters, ExternalPotential):
    """An external potential of the user's own: two ``numba.njit`` functions and their parameters.

    Args:
        energy: ``energy(x, i, ln, p) -> V(r_i)``, positions ``x`` of shape (N, d, lanes).
        force: ``force(x, i, a, ln, p) -> -dV/dx_ia``.
        parameters: the values passed as ``p`` (float64 array).
        name: a label for files and messages.

    As :class:`~multitemp.core.potentials.CustomPair`: compiled in the session, exact heat.
    """

    energy_kernel: object
    force_kernel: object
    parameters: tuple[float, ...] = ()
    name: str = "custom"
    kind: ClassVar[str] = "custom"
    kind_id: ClassVar[int] = USER_KIND
