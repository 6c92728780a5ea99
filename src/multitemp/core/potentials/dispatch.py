"""Kernel-side dispatch from a potential's ``kind_id`` to its compiled functions.

The kernels call these with the kind as an integer; numba inlines the branch taken, and the
branch is perfectly predicted, so a built-in potential costs what its own arithmetic costs.
The kind ids are the classes' own (``SoftRepulsion.kind_id``...), read here as compile-time
constants.

User potentials (:class:`~multitemp.core.potentials.CustomPair`,
:class:`~multitemp.core.potentials.CustomExternal`, kind ``USER_KIND``) reach the kernels
through the argument ``user``: ``None`` for built-in potentials (numba then prunes the user
branch, and the kernels stay cached on disk), or the tuple ``(pair_energy, pair_force_over_r,
external_energy, external_force)`` of the user's numba functions, for which the kernels are
compiled in the session (not cached: the functions may live in a notebook).

Adding a built-in potential: its class and two functions (energy, force) in pair.py /
external.py, a name in ``registry.py``, and a branch for its kind in the dispatchers below
(pair: ``pair_energy``, ``pair_force``, ``pair_force_lanes``, ``pair_force_energy_lanes``;
external: ``external_energy``, ``external_force``, ``external_add_force``).  The ``*_lanes`` /
``add_force`` forms take the branch outside the loop over replica lanes, so that the loop
vectorises (Heun 1.13x faster, measured).  A potential whose force is not linear in its
coordinate also goes into ``pair_is_nonlinear`` / ``external_is_nonlinear`` (exact heat).
"""

import numba as nb

from multitemp.core.potentials import external, pair

USER_KIND = pair.USER_KIND
HARMONIC = pair.HarmonicSpring.kind_id
SOFT = pair.SoftRepulsion.kind_id
WCA = pair.WCARepulsion.kind_id
TRAP = external.HarmonicTrap.kind_id
SAWTOOTH = external.SmoothedSawtooth.kind_id
COSINE = external.Cosine.kind_id


@nb.njit(cache=True, inline="always")
def pair_energy(kind, r2, p, user):
    """U(r) for pair kind ``kind`` (the heat's discrete gradient needs it)."""
    if kind == HARMONIC:
        return pair._harmonic_energy(r2, p)
    if kind == SOFT:
        return pair._soft_energy(r2, p)
    if kind == WCA:
        return pair._wca_energy(r2, p)
    if user is not None:
        if kind == USER_KIND:
            return user[0](r2, p)
    return 0.0


@nb.njit(cache=True, inline="always")
def pair_force(kind, r2, p, user):
    """-U'(r)/r for pair kind ``kind`` (force on i is this times r_i - r_j)."""
    if kind == HARMONIC:
        return pair._harmonic_force(r2, p)
    if kind == SOFT:
        return pair._soft_force(r2, p)
    if kind == WCA:
        return pair._wca_force(r2, p)
    if user is not None:
        if kind == USER_KIND:
            return user[1](r2, p)
    return 0.0


@nb.njit(cache=True, inline="always")
def pair_force_energy(kind, r2, p, user):
    """(-U'(r)/r, U(r)) together: one square root for both (the many-body heat needs both)."""
    if kind == SOFT:
        return pair._soft_force_energy(r2, p)
    return pair_force(kind, r2, p, user), pair_energy(kind, r2, p, user)


@nb.njit(cache=True, inline="always")
def pair_force_lanes(kind, r2, p, fr, user):
    """``fr[ln] = pair_force(kind, r2[ln], p)`` for every lane: the branch on the kind is taken
    once, outside the loop over lanes, so that the loop vectorises."""
    nl = r2.shape[0]
    if kind == HARMONIC:
        for ln in range(nl):
            fr[ln] = pair._harmonic_force(r2[ln], p)
    elif kind == SOFT:
        for ln in range(nl):
            fr[ln] = pair._soft_force(r2[ln], p)
    elif kind == WCA:
        for ln in range(nl):
            fr[ln] = pair._wca_force(r2[ln], p)
    else:
        for ln in range(nl):
            fr[ln] = pair_force(kind, r2[ln], p, user)


@nb.njit(cache=True, inline="always")
def pair_is_nonlinear(kind):
    """True when the pair force is not linear in the separation: the trapezoid heat is then not
    exact and the kernels add the discrete-gradient correction (harmonic springs need none)."""
    return kind == SOFT or kind == WCA or kind == USER_KIND


@nb.njit(cache=True, inline="always")
def pair_force_energy_lanes(kind, r2, p, fr, e, user):
    """``fr[ln], e[ln] = -U'(r)/r, U(r)`` at ``r2[ln]`` for every lane (branch outside the loop)."""
    nl = r2.shape[0]
    if kind == SOFT:
        for ln in range(nl):
            fr[ln], e[ln] = pair._soft_force_energy(r2[ln], p)
    else:
        for ln in range(nl):
            fr[ln] = pair_force(kind, r2[ln], p, user)
            e[ln] = pair_energy(kind, r2[ln], p, user)


@nb.njit(cache=True, inline="always")
def external_is_nonlinear(kind):
    """True when the external force is not linear in the position (see :func:`pair_is_nonlinear`)."""
    return kind == SAWTOOTH or kind == COSINE or kind == USER_KIND


@nb.njit(cache=True, inline="always")
def external_energy(kind, x, i, ln, p, user):
    """V(r_i) of particle i in lane ln for external kind ``kind``."""
    if kind == TRAP:
        return external._trap_energy(x, i, ln, p)
    if kind == SAWTOOTH:
        return external._sawtooth_energy(x, i, ln, p)
    if kind == COSINE:
        return external._cosine_energy(x, i, ln, p)
    if user is not None:
        if kind == USER_KIND:
            return user[2](x, i, ln, p)
    return 0.0


@nb.njit(cache=True, inline="always")
def external_force(kind, x, i, a, ln, p, user):
    """Component a of -grad V(r_i) of particle i in lane ln for external kind ``kind``."""
    if kind == TRAP:
        return external._trap_force(x, i, a, ln, p)
    if kind == SAWTOOTH:
        return external._sawtooth_force(x, i, a, ln, p)
    if kind == COSINE:
        return external._cosine_force(x, i, a, ln, p)
    if user is not None:
        if kind == USER_KIND:
            return user[3](x, i, a, ln, p)
    return 0.0


@nb.njit(cache=True, inline="always")
def external_add_force(kind, x, i, d, p, f, user, f_ext):
    """Add -grad V(r_i) to ``f[i, :, :]`` (every axis < d and lane) for external kind ``kind``;
    one loop over lanes per kind and axis, innermost, so that it vectorises.  A nonlinear kind's
    force is also left in ``f_ext[:, i, :]`` (d, N, L), for the exact heat."""
    nl = x.shape[2]
    for a in range(d):
        if kind == TRAP:
            for ln in range(nl):
                f[i, a, ln] += external._trap_force(x, i, a, ln, p)
        elif kind == SAWTOOTH:
            for ln in range(nl):
                v = external._sawtooth_force(x, i, a, ln, p)
                f[i, a, ln] += v
                f_ext[a, i, ln] = v
        elif kind == COSINE:
            for ln in range(nl):
                v = external._cosine_force(x, i, a, ln, p)
                f[i, a, ln] += v
                f_ext[a, i, ln] = v
        else:
            for ln in range(nl):
                v = external_force(kind, x, i, a, ln, p, user)
                f[i, a, ln] += v
                f_ext[a, i, ln] = v
