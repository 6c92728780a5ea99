"""Kernel-side dispatch from a potential's ``kind_id`` to its compiled functions.

The kernels call these with the kind as an integer; numba inlines the branch taken, and the
branch is perfectly predicted, so a potential costs what its own arithmetic costs.  (Passing
the functions themselves as arguments stops numba from inlining them: 1.6x slower, measured.)
Adding a potential: its class and two functions (energy, force) in pair.py / external.py, and
a branch for its kind in the dispatchers below (pair: ``pair_energy``, ``pair_force`` and
``pair_force_lanes``; external: ``external_add_force``).  The ``*_lanes`` / ``add_force`` forms
take the branch outside the loop over replica lanes, so that the loop vectorises (Heun 1.13x
faster, measured).
"""

import numba as nb

from multitemp.core.potentials import external, pair


@nb.njit(cache=True, inline="always")
def pair_energy(kind, r2, p):
    """U(r) for pair kind ``kind`` (the many-body kernel's energy-conserving heat needs it)."""
    if kind == 1:
        return pair._harmonic_energy(r2, p)
    if kind == 2:
        return pair._soft_energy(r2, p)
    if kind == 3:
        return pair._wca_energy(r2, p)
    return 0.0


@nb.njit(cache=True, inline="always")
def pair_force_energy(kind, r2, p):
    """(-U'(r)/r, U(r)) together: one square root for both (the many-body heat needs both)."""
    if kind == 2:
        return pair._soft_force_energy(r2, p)
    return pair_force(kind, r2, p), pair_energy(kind, r2, p)


@nb.njit(cache=True, inline="always")
def pair_force(kind, r2, p):
    """-U'(r)/r for pair kind ``kind`` (force on i is this times r_i - r_j)."""
    if kind == 1:
        return pair._harmonic_force(r2, p)
    if kind == 2:
        return pair._soft_force(r2, p)
    if kind == 3:
        return pair._wca_force(r2, p)
    return 0.0


@nb.njit(cache=True, inline="always")
def pair_force_lanes(kind, r2, p, fr):
    """``fr[ln] = pair_force(kind, r2[ln], p)`` for every lane: the branch on the kind is taken
    once, outside the loop over lanes, so that the loop vectorises."""
    nl = r2.shape[0]
    if kind == 1:
        for ln in range(nl):
            fr[ln] = pair._harmonic_force(r2[ln], p)
    elif kind == 2:
        for ln in range(nl):
            fr[ln] = pair._soft_force(r2[ln], p)
    elif kind == 3:
        for ln in range(nl):
            fr[ln] = pair._wca_force(r2[ln], p)
    else:
        for ln in range(nl):
            fr[ln] = 0.0


@nb.njit(cache=True, inline="always")
def external_add_force(kind, x, i, d, p, f):
    """Add -grad V(r_i) to ``f[i, :, :]`` (every axis < d and lane) for external kind ``kind``;
    one loop over lanes per kind and axis, innermost, so that it vectorises."""
    nl = x.shape[2]
    for a in range(d):
        if kind == 1:
            for ln in range(nl):
                f[i, a, ln] += external._trap_force(x, i, a, ln, p)
        elif kind == 2:
            for ln in range(nl):
                f[i, a, ln] += external._sawtooth_force(x, i, a, ln, p)
        elif kind == 3:
            for ln in range(nl):
                f[i, a, ln] += external._cosine_force(x, i, a, ln, p)


@nb.njit(cache=True, inline="always")
def pair_is_nonlinear(kind):
    """True when the pair force is not linear in the separation: the trapezoid heat is then not
    exact and the kernels add the discrete-gradient correction (harmonic springs need none)."""
    return kind == 2 or kind == 3


@nb.njit(cache=True, inline="always")
def pair_force_energy_lanes(kind, r2, p, fr, e):
    """``fr[ln], e[ln] = -U'(r)/r, U(r)`` at ``r2[ln]`` for every lane (branch outside the loop)."""
    nl = r2.shape[0]
    if kind == 2:
        for ln in range(nl):
            fr[ln], e[ln] = pair._soft_force_energy(r2[ln], p)
    else:
        for ln in range(nl):
            fr[ln] = pair_force(kind, r2[ln], p)
            e[ln] = pair_energy(kind, r2[ln], p)


@nb.njit(cache=True, inline="always")
def external_is_nonlinear(kind):
    """True when the external force is not linear in the position (see :func:`pair_is_nonlinear`)."""
    return kind == 2 or kind == 3


@nb.njit(cache=True, inline="always")
def external_energy(kind, x, i, ln, p):
    """V(r_i) of particle i in lane ln for external kind ``kind``."""
    if kind == 1:
        return external._trap_energy(x, i, ln, p)
    if kind == 2:
        return external._sawtooth_energy(x, i, ln, p)
    if kind == 3:
        return external._cosine_energy(x, i, ln, p)
    return 0.0


@nb.njit(cache=True, inline="always")
def external_force(kind, x, i, a, ln, p):
    """Component a of -grad V(r_i) of particle i in lane ln for external kind ``kind``."""
    if kind == 1:
        return external._trap_force(x, i, a, ln, p)
    if kind == 2:
        return external._sawtooth_force(x, i, a, ln, p)
    if kind == 3:
        return external._cosine_force(x, i, a, ln, p)
    return 0.0
