"""Exact (energy-conserving) heat of one step for the ensemble kernel, lane by lane.

The kernel first takes the trapezoid (Stratonovich) heat of the total force,
``dQ_i = [F_i(x) + F_i(x')] / 2 . dx_i``.  For a force that is linear in the coordinates
(harmonic springs, bonds, tethers, traps) that is exact: the heats of all baths add up to
minus the energy change.  For a nonlinear force (soft or WCA repulsion, sawtooth, cosine) it
leaves an O(dt) imbalance on every step, which with kinked forces shows up as a spurious
entropy production at equal temperatures.  :func:`add_discrete_gradient_corrections` replaces
each nonlinear term's trapezoid force ``fa`` by the discrete gradient (Gonzalez, J. Nonlinear
Sci. 6, 449 (1996); docs/physics.md, "Heat"):

    f_bar = fa + [(-du - fa . dd) / |dd|^2] dd,      so that  f_bar . dd = -du exactly,

with ``du`` the term's energy change and ``dd`` the change of its coordinate (the pair
separation ``r_i - r_j``, or the position ``r_i`` for an external term; the latter gives
simply ``dQ_i = -dV(r_i)``).  It differs from the trapezoid rule at higher order, so the
Stratonovich heat is unchanged in the limit dt -> 0, and ``sum_i dQ_i = -dE`` holds to
rounding on every step.  The many-body kernel uses the same rule.
"""

from __future__ import annotations

import math

import numba as nb

from multitemp.core.potentials.dispatch import (
    external_energy,
    external_force,
    external_is_nonlinear,
    pair_force_energy_lanes,
    pair_is_nonlinear,
)


@nb.njit(cache=True)  # not inlined: compiled once for every (N, d), which halves the kernel's compile time
def add_discrete_gradient_corrections(x, xn, n, d, box, pair_kind, pair_p, ext_kind, ext_p, q, w, user, ext_at,
                                      ext_at_x, ext_xn):  # fmt: skip
    """Add to ``q`` (N, L) the difference between the discrete-gradient and the trapezoid heat of
    the step x -> xn (both (N, d, L), unwrapped) for every nonlinear pair and external term.

    Scratch ``w`` has 2 d + 6 rows of L lanes.  Linear kinds cost nothing.  ``ext_at`` (d + 1,
    N, L): a nonlinear external term's force (rows 0 .. d - 1) and energy (row d) at xn are left
    there, and taken from there as those at x if ``ext_at_x`` (the previous step's xn is this
    step's x): the same numbers, half the transcendental functions (a sawtooth's tanh and log
    cosh).  ``ext_xn`` (d, N, L): its force at xn, as the kernel's force routine left it.
    """
    nl = x.shape[2]
    if pair_is_nonlinear(pair_kind):
        rn = 2 * d  # rows: separations u (new) 0..d-1, their change dd d..2d-1, then r2, fr, e new and old
        for i in range(n):
            for j in range(i + 1, n):
                for ln in range(nl):
                    w[rn, ln] = 0.0
                    w[rn + 1, ln] = 0.0
                for a in range(d):
                    length = box[a]
                    for ln in range(nl):
                        dd = (xn[i, a, ln] - x[i, a, ln]) - (xn[j, a, ln] - x[j, a, ln])
                        u = xn[i, a, ln] - xn[j, a, ln]
                        if length > 0.0:
                            u -= length * math.floor(u / length + 0.5)
                        v = u - dd  # the separation before the step, in the same image
                        w[a, ln] = u
                        w[d + a, ln] = dd
                        w[rn, ln] += u * u
                        w[rn + 1, ln] += v * v
                pair_force_energy_lanes(pair_kind, w[rn], pair_p, w[rn + 2], w[rn + 3], user)
                pair_force_energy_lanes(pair_kind, w[rn + 1], pair_p, w[rn + 4], w[rn + 5], user)
                for ln in range(nl):
                    fa_dd = 0.0
                    dd2 = 0.0
                    dd_si = 0.0
                    dd_sj = 0.0
                    for a in range(d):
                        u = w[a, ln]
                        dd = w[d + a, ln]
                        fa_dd += 0.5 * (w[rn + 2, ln] * u + w[rn + 4, ln] * (u - dd)) * dd
                        dd2 += dd * dd
                        dd_si += dd * (xn[i, a, ln] - x[i, a, ln])
                        dd_sj += dd * (xn[j, a, ln] - x[j, a, ln])
                    c = (-(w[rn + 3, ln] - w[rn + 5, ln]) - fa_dd) / (dd2 + 1e-300)  # dd = 0: c dd = 0
                    q[i, ln] += c * dd_si
                    q[j, ln] -= c * dd_sj
    if external_is_nonlinear(ext_kind):
        for i in range(n):
            for ln in range(nl):
                fa_dx = 0.0
                for a in range(d):
                    f_x = ext_at[a, i, ln] if ext_at_x else external_force(ext_kind, x, i, a, ln, ext_p, user)
                    f_xn = ext_xn[a, i, ln]
                    ext_at[a, i, ln] = f_xn
                    fa_dx += 0.5 * (f_x + f_xn) * (xn[i, a, ln] - x[i, a, ln])
                v_x = ext_at[d, i, ln] if ext_at_x else external_energy(ext_kind, x, i, ln, ext_p, user)
                v_xn = external_energy(ext_kind, xn, i, ln, ext_p, user)
                ext_at[d, i, ln] = v_xn
                q[i, ln] += -(v_xn - v_x) - fa_dx
