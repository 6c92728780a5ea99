"""Fused ensemble kernel: R independent replicas of N particles, parallel over replicas.

One call advances every replica by ``n_steps`` steps starting at global step ``step0`` and
accumulates, from the burn-in step on, the observables below into the arrays passed in (each
running sum continues from the value passed in, so a run cut into segments, for progress,
checkpoints or blow-up checks, gives the same bits as one call).

Integrators (``heun`` flag), with ``xi_i = sqrt(2 mu_i T_i dt) g_i``, ``g`` standard normal:

* Euler-Maruyama: ``x' = x + mu F(x) dt + xi``;
* Heun (predictor-corrector): ``x~ = x + mu F(x) dt + xi``,
  ``x' = x + mu [F(x) + F(x~)] dt / 2 + xi`` (the same noise in both stages).

Per-step observables (physics.md section 2), with ``dx = x' - x``:

* heat into bath i (Sekimoto, Stratonovich): the trapezoid rule
  ``dQ_i = [F_i(x) + F_i(x')] / 2 . dx_i`` for linear forces, the energy-conserving discrete
  gradient for nonlinear ones (:mod:`multitemp.ensemble.exact_heat`), so that
  ``sum_i dQ_i = -dE`` on every step; the entropy production is ``sum_i Q_i / T_i``;
* Ito (pre-point) entropy ``sum_i F_i(x) . dx_i / T_i``: biased, kept to show that it is;
* log path-probability ratio of the Euler-Maruyama chain,
  ``ln p(x'|x) - ln p(x|x') = sum_i [F_i(x) + F_i(x')] . dx_i / (2 T_i)
  + mu_i dt (|F_i(x')|^2 - |F_i(x)|^2) / (4 T_i)``;
* phase-space angular momentum of particles 0 and 1 (Stratonovich, midpoint
  ``xm = (x + x') / 2``): ``sum_a xm_0a dx_1a - xm_1a dx_0a``;
* for the phase-space map, a histogram over (x_0, x_1) (first axis, at the midpoint) of
  visits and of ``dx_0``, ``dx_1`` (the Stratonovich current).  Displacements are summed in
  64-bit fixed point (``CURRENT_SCALE``), so the sum is exact whatever order threads add it in.

Noise: normal number ``step * N * d + i * d + a`` of the Philox4x32-10 stream keyed by (seed, replica)
(:func:`multitemp.core.rng.fill_normal_lanes`), drawn NOISE_BATCH steps at a time, aligned on multiples of
NOISE_BATCH steps so that the blocks are used whole.

Speed: each thread advances ``LANES`` replicas side by side, so that their independent
dependency chains overlap in the CPU (one replica alone is latency bound: measured 2x).
"""

from __future__ import annotations

import math
from concurrent.futures import ThreadPoolExecutor
from typing import NamedTuple

import numba as nb
import numpy as np

from multitemp.core.potentials.dispatch import external_add_force, pair_force_lanes
from multitemp.core.rng import fill_normal_lanes
from multitemp.ensemble.exact_heat import add_discrete_gradient_corrections

#: fixed-point scale of the histogrammed displacements (2^28: resolution 3.7e-9 length units)
CURRENT_SCALE = float(2**28)
#: replicas advanced side by side by one thread: the loops over them vectorise, and their
#: fixed costs are shared.  Measured (d = 1 pair, Euler, pair-steps/s on 2 threads, 10^4
#: replicas): 32 lanes 2.6e8, 64 4.0e8, 128 4.7e8, 256 2.7e8 (too few blocks per thread)
LANES = 128
#: steps whose normals are drawn at once (per lane), in a tight loop (16: the batch stays in
#: the L2 cache at 128 lanes; 32 measured 5 % slower, 8 no faster)
NOISE_BATCH = 16


@nb.njit(cache=True, error_model="numpy")
def _ring_sample(x, ln, r, n, d, sample, box, gamma, contact_range, s_now, scr, ring_x, ring_n, ring_c, ring_s,
                 chase_lags, arrow_lags, chase_b, chase_bn, chase_f, chase_fn, arrow_pos, arrow_n):  # fmt: skip
    """One sample (every ``ring_stride`` steps after burn-in) of replica ``r`` in lane ``ln``.

    Records the friction-weighted centre X, the orientation n = (r_1 - r_0)/|r_1 - r_0| (minimum
    image), contact |r_1 - r_0| < range and the entropy S produced so far in a ring buffer, and
    accumulates, for each lag m (in samples; physics.md sections 3 and 5):
    backward chase ``[X(t) - X(t - m)] . n(t)`` over samples in contact at t; forward chase
    ``[X(t) - X(t - m)] . n(t - m)`` over samples in contact at t - m; and the arrow of time,
    the count of S(t) - S(t - m) > 0 (ties count 1/2).
    """
    m1 = ring_x.shape[1]
    gtot = 0.0
    for i in range(n):
        gtot += gamma[i]
    r2 = 0.0
    for a in range(d):
        acc = 0.0
        for i in range(n):
            acc += gamma[i] * x[i, a, ln]
        scr[0, a] = acc / gtot
        u = x[1, a, ln] - x[0, a, ln]
        if box[a] > 0.0:
            u -= box[a] * math.floor(u / box[a] + 0.5)
        scr[1, a] = u
        r2 += u * u
    rr = math.sqrt(r2)
    contact = 1.0 if (rr < contact_range and rr > 0.0) else 0.0
    for a in range(d):
        scr[1, a] = scr[1, a] / rr if rr > 0.0 else 0.0
    for k in range(chase_lags.shape[0]):
        m = chase_lags[k]
        if sample >= m:
            past = (sample - m) % m1
            if contact > 0.0:
                dot = 0.0
                for a in range(d):
                    dot += (scr[0, a] - ring_x[r, past, a]) * scr[1, a]
                chase_b[r, k] += dot
                chase_bn[r, k] += 1.0
            if ring_c[r, past] > 0.0:
                dot = 0.0
                for a in range(d):
                    dot += (scr[0, a] - ring_x[r, past, a]) * ring_n[r, past, a]
                chase_f[r, k] += dot
                chase_fn[r, k] += 1.0
    for k in range(arrow_lags.shape[0]):
        m = arrow_lags[k]
        if sample >= m:
            ds = s_now - ring_s[r, (sample - m) % m1]
            arrow_pos[r, k] += 1.0 if ds > 0.0 else (0.5 if ds == 0.0 else 0.0)
            arrow_n[r, k] += 1.0
    slot = sample % m1
    for a in range(d):
        ring_x[r, slot, a] = scr[0, a]
        ring_n[r, slot, a] = scr[1, a]
    ring_c[r, slot] = contact
    ring_s[r, slot] = s_now


def shape_witnesses(n_particles: int, dim: int) -> tuple[np.ndarray, np.ndarray]:
    """Two tiny arrays whose ``ndim`` (part of their numba type) is N and d.

    The kernel reads N and d from these types, so each (N, d) compiles (and caches) once with
    the loops over particles and axes unrolled: 2x faster than runtime N and d (measured).
    """
    return np.zeros((1,) * n_particles), np.zeros((1,) * dim)


@nb.njit(cache=True, inline="always")
def compute_forces(x, n, d, box, pair_kind, pair_p, ext_kind, ext_p, bonds, bond_k, tethers, tether_k, anchors, f,
                   sep, r2, fr, user, f_ext):  # fmt: skip
    """F = -grad E into ``f``, both (N, d, L); minimum image along periodic axes.

    Bonded terms: springs ``k_b |r_i - r_j|^2 / 2`` between the pairs ``bonds`` (n_b, 2), and
    tethers ``k_t |r_i - a_t|^2 / 2`` of particles ``tethers`` (n_t,) to fixed ``anchors`` (n_t, d).
    Scratch: ``sep`` (d, L), ``r2`` and ``fr`` (L,); a nonlinear external force is also left in
    ``f_ext`` (d, N, L) (see :func:`multitemp.core.potentials.dispatch.external_add_force`).
    ``user``: see :mod:`multitemp.core.potentials.dispatch`.  Every branch (potential kind,
    periodic axis) is taken outside the loops over lanes, which are innermost and vectorise.
    """
    nl = x.shape[2]
    for i in range(n):
        for a in range(d):
            for ln in range(nl):
                f[i, a, ln] = 0.0
    if ext_kind != 0:
        for i in range(n):
            external_add_force(ext_kind, x, i, d, ext_p, f, user, f_ext)
    if pair_kind != 0:
        for i in range(n):
            for j in range(i + 1, n):
                for ln in range(nl):
                    r2[ln] = 0.0
                for a in range(d):
                    length = box[a]
                    if length > 0.0:
                        for ln in range(nl):
                            dx = x[i, a, ln] - x[j, a, ln]
                            dx -= length * math.floor(dx / length + 0.5)
                            sep[a, ln] = dx
                            r2[ln] += dx * dx
                    else:
                        for ln in range(nl):
                            dx = x[i, a, ln] - x[j, a, ln]
                            sep[a, ln] = dx
                            r2[ln] += dx * dx
                pair_force_lanes(pair_kind, r2, pair_p, fr, user)
                for a in range(d):
                    for ln in range(nl):
                        f[i, a, ln] += fr[ln] * sep[a, ln]
                        f[j, a, ln] -= fr[ln] * sep[a, ln]
    for b in range(bonds.shape[0]):
        i = bonds[b, 0]
        j = bonds[b, 1]
        kb = bond_k[b]
        for a in range(d):
            for ln in range(nl):
                dx = x[i, a, ln] - x[j, a, ln]
                if box[a] > 0.0:
                    dx -= box[a] * math.floor(dx / box[a] + 0.5)
                f[i, a, ln] -= kb * dx
                f[j, a, ln] += kb * dx
    for t in range(tethers.shape[0]):
        i = tethers[t]
        kt = tether_k[t]
        for a in range(d):
            for ln in range(nl):
                f[i, a, ln] -= kt * (x[i, a, ln] - anchors[t, a])


@nb.njit(cache=True, inline="always")
def _stop_blown_lanes(x, xn, n, d, alive, blowup_step, r0, step):
    """Lanes whose new positions xn are not finite: record the step in ``blowup_step`` and park
    them at a harmless finite state.  Called only when the step's update counted such a value
    (a vectorised count, fused into the update): the lane-by-lane search is rare."""
    nl = x.shape[2]
    for ln in range(nl):
        finite = True
        for i in range(n):
            for a in range(d):
                if not (abs(xn[i, a, ln]) < 1e150):
                    finite = False
        if not finite:
            if alive[ln]:
                blowup_step[r0 + ln] = step
                alive[ln] = False
            for i in range(n):
                for a in range(d):
                    xn[i, a, ln] = 0.0
                    x[i, a, ln] = 0.0


@nb.njit(cache=True, inline="always")
def _accumulate_step(x, xn, f, fn, n, d, mudt, inv_t, q, s_ito, s_path, s_ang):
    """The step x -> xn (forces f, fn) added to the running sums of every lane: trapezoid heat
    ``q`` (N, L), Ito entropy, the Euler-Maruyama path log-ratio and the angular momentum of
    particles 0 and 1 (see the module docstring)."""
    nl = x.shape[2]
    for i in range(n):
        for ln in range(nl):
            qq = 0.0
            qi = 0.0
            ff = 0.0
            for a in range(d):
                dxa = xn[i, a, ln] - x[i, a, ln]
                qq += 0.5 * (f[i, a, ln] + fn[i, a, ln]) * dxa
                qi += f[i, a, ln] * dxa
                ff += fn[i, a, ln] * fn[i, a, ln] - f[i, a, ln] * f[i, a, ln]
            q[i, ln] += qq
            s_ito[ln] += qi * inv_t[i]
            s_path[ln] += (qq + 0.25 * mudt[i] * ff) * inv_t[i]
    if n >= 2:
        for ln in range(nl):
            for a in range(d):
                s_ang[ln] += 0.5 * (x[0, a, ln] + xn[0, a, ln]) * (xn[1, a, ln] - x[1, a, ln])
                s_ang[ln] -= 0.5 * (x[1, a, ln] + xn[1, a, ln]) * (xn[0, a, ln] - x[0, a, ln])


@nb.njit(cache=True, inline="always")
def _histogram_step(x, xn, alive, hist, nbins, lo, inv_width, hbin, hdx0, hdx1):
    """Phase-space map of (x_0, x_1) along the first axis at the midpoint: visits and the
    displacements in 64-bit fixed point (``CURRENT_SCALE``), so that sums are exact in any order.

    Two passes: the bins and the fixed-point displacements of every lane (vectorised), then
    the scattered additions into ``hist`` (nbins^2, 4) int64 (count, dx_0, dx_1, padding).
    Scratch ``hbin``, ``hdx0``, ``hdx1``: int64 (lanes,)."""
    for ln in range(x.shape[2]):
        u0 = (0.5 * (x[0, 0, ln] + xn[0, 0, ln]) - lo) * inv_width  # a product, not a division: 5 % faster
        u1 = (0.5 * (x[1, 0, ln] + xn[1, 0, ln]) - lo) * inv_width
        inside = alive[ln] and u0 >= 0.0 and u0 < nbins and u1 >= 0.0 and u1 < nbins
        hbin[ln] = np.int64(u0) * nbins + np.int64(u1) if inside else -1
        hdx0[ln] = np.int64(math.floor((xn[0, 0, ln] - x[0, 0, ln]) * CURRENT_SCALE + 0.5))
        hdx1[ln] = np.int64(math.floor((xn[1, 0, ln] - x[1, 0, ln]) * CURRENT_SCALE + 0.5))
    for ln in range(x.shape[2]):
        k = hbin[ln]
        if k >= 0:  # one cache line per bin: visits and both displacements side by side
            hist[k, 0] += 1
            hist[k, 1] += hdx0[ln]
            hist[k, 2] += hdx1[ln]


class Model(NamedTuple):
    """The physics, per particle and per potential (see :func:`compute_forces`)."""

    mobility: np.ndarray  # (N,)
    temperature: np.ndarray  # (N,)
    box: np.ndarray  # (d,), 0: open axis
    pair_kind: int
    pair_p: np.ndarray
    ext_kind: int
    ext_p: np.ndarray
    bonds: np.ndarray  # (n_b, 2) int64
    bond_k: np.ndarray  # (n_b,)
    tethers: np.ndarray  # (n_t,) int64
    tether_k: np.ndarray  # (n_t,)
    anchors: np.ndarray  # (n_t, d)


class Schedule(NamedTuple):
    """How to integrate and when to sample: the noise key, the integrator, the burn-in and the
    strides and lags of the sampled observables."""

    noise_key: int  # Philox4x32 key word 0 and counter word 3 of the noise (rng.stream_key)
    noise_counter3: int
    replica0: int  # offset of the replica index used as the noise key
    burn_step: int
    dt: float
    heun: bool
    traj_stride: int
    ring_stride: int
    contact_range: float
    hist_lo: float
    hist_hi: float
    chase_lags: np.ndarray  # (n_chase,) int64, in samples
    arrow_lags: np.ndarray  # (n_arrow,) int64, in samples


class Accumulators(NamedTuple):
    """Everything the kernel adds to (``+=``) or records; shapes in :func:`advance`."""

    heat: np.ndarray
    entropy_production_ito: np.ndarray
    entropy_production_path: np.ndarray
    angular_momentum: np.ndarray
    positions_burn: np.ndarray
    hist_count: np.ndarray
    hist_jx: np.ndarray
    hist_jy: np.ndarray
    traj: np.ndarray
    blowup_step: np.ndarray
    ring_x: np.ndarray
    ring_n: np.ndarray
    ring_c: np.ndarray
    ring_s: np.ndarray
    chase_b: np.ndarray
    chase_bn: np.ndarray
    chase_f: np.ndarray
    chase_fn: np.ndarray
    arrow_pos: np.ndarray
    arrow_n: np.ndarray


def advance(wn, wd, pos, step0, n_steps, model, schedule, acc, user):
    """Advance all replicas by ``n_steps`` from global step ``step0`` (see module docstring).

    ``wn, wd = shape_witnesses(N, d)`` carry N and d in their types (see there); ``pos`` (R, N, d)
    is updated in place; ``model``, ``schedule`` and ``acc`` are a :class:`Model`, a
    :class:`Schedule` and :class:`Accumulators`; ``user`` is None or the user's potential functions
    (:func:`multitemp.core.potentials.registry.kernel_user_functions`).  Shapes: pos_burn (R, N, d); heat (R, N);
    entropy_production_ito, entropy_production_path, angular_momentum (R,) (locals: ep_ito, ep_path, angmom); hist_* (n_chunks, nb, nb) int64 (nb = 0: no histogram); traj
    (R_traj, n_frames, N, d); blowup_step (R,) int64, -1 while finite.  Lagged observables (see
    :func:`_ring_sample`; none when both lag arrays are empty): samples every ``ring_stride``
    steps after burn-in; ring buffers ring_x, ring_n (R, M, d), ring_c, ring_s (R, M) with M >
    every lag; sums and counts chase_* (R, n_chase), arrow_* (R, n_arrow).
    """
    n_chunks = acc.hist_count.shape[0]
    threads = min(nb.get_num_threads(), n_chunks)
    if threads <= 1:
        advance_chunks(0, n_chunks, wn, wd, pos, step0, n_steps, model, schedule, acc, user)
        return
    # chunks of replicas on Python threads (the kernel releases the GIL): the same chunks and
    # the same bits as one thread, without the compile cost of a numba parallel region
    bounds = [(t * n_chunks) // threads for t in range(threads + 1)]
    pool = _thread_pool(threads)
    futures = [pool.submit(advance_chunks, bounds[t], bounds[t + 1], wn, wd, pos, step0, n_steps, model, schedule,
                           acc, user) for t in range(threads)]  # fmt: skip
    for fut in futures:
        fut.result()


_POOLS: dict[int, ThreadPoolExecutor] = {}


def _thread_pool(threads: int) -> ThreadPoolExecutor:
    if threads not in _POOLS:
        _POOLS[threads] = ThreadPoolExecutor(threads, thread_name_prefix="multitemp-kernel")
    return _POOLS[threads]


@nb.njit(cache=True, nogil=True, error_model="numpy")
def advance_chunks(c_begin, c_end, wn, wd, pos, step0, n_steps, model, schedule, acc, user):
    """Chunks ``c_begin .. c_end - 1`` of :func:`advance` (one thread)."""
    mobility, temperature, box, pair_kind, pair_p, ext_kind, ext_p, bonds, bond_k, tethers, tether_k, anchors = model
    (
        noise_key,
        noise_counter3,
        replica0,
        burn_step,
        dt,
        heun,
        traj_stride,
        ring_stride,
        contact_range,
        hist_lo,
        hist_hi,
        chase_lags,
        arrow_lags,
    ) = schedule
    (heat, ep_ito, ep_path, angmom, pos_burn, hist_count, hist_jx, hist_jy, traj, blowup_step,
     ring_x, ring_n, ring_c, ring_s, chase_b, chase_bn, chase_f, chase_fn, arrow_pos, arrow_n) = acc  # fmt: skip
    n_rep = pos.shape[0]
    n_chunks = hist_count.shape[0]
    step_end = step0 + n_steps
    for c in range(c_begin, c_end):
        n = wn.ndim  # compile-time constants inside the parallel body
        d = wd.ndim
        nl = LANES
        nbins = hist_count.shape[1]
        do_hist = nbins > 0 and n >= 2
        inv_width = max(nbins, 1) / (hist_hi - hist_lo)  # bins per unit length
        amp = np.sqrt(2.0 * mobility * temperature * dt)
        mudt = mobility * dt
        inv_t = 1.0 / temperature
        x = np.empty((n, d, nl))
        xn = np.empty((n, d, nl))
        xt = np.empty((n, d, nl))
        f = np.empty((n, d, nl))
        fn = np.empty((n, d, nl))
        ft = np.empty((n, d, nl))
        nd = n * d
        # a batch of normals covers whole Philox blocks of 4: up to one extra block at each end
        noise_rows = NOISE_BATCH * nd + 8
        gbuf = np.zeros((noise_rows, nl))
        gwords = np.empty((noise_rows, nl), dtype=np.int64)  # scratch of fill_normal_lanes
        g0 = 0
        sep = np.empty((d, nl))
        r2s = np.empty(nl)
        frs = np.empty(nl)
        heat_scratch = np.empty((2 * d + 6, nl))  # see add_discrete_gradient_corrections
        ext_at = np.empty((d + 1, n, nl))  # likewise
        ext_xn = np.empty((d, n, nl))  # the external force of the last stage computed (compute_forces)
        keys = np.empty(nl, dtype=np.uint64)
        k0 = np.uint64(noise_key)
        c3 = np.uint64(noise_counter3)
        hbin = np.empty(nl, dtype=np.int64)  # scratch of the phase-space map
        hist = np.zeros((nbins * nbins if do_hist else 0, 4), dtype=np.int64)  # this chunk's map
        hdx0 = np.empty(nl, dtype=np.int64)
        hdx1 = np.empty(nl, dtype=np.int64)
        alive = np.empty(nl, dtype=np.bool_)
        q = np.empty((n, nl))
        s_ito = np.empty(nl)
        s_path = np.empty(nl)
        s_ang = np.empty(nl)
        scr = np.empty((2, d))
        do_ring = chase_lags.shape[0] + arrow_lags.shape[0] > 0
        gamma = 1.0 / mobility
        r_begin = (c * n_rep) // n_chunks
        r_end = ((c + 1) * n_rep) // n_chunks
        for r0 in range(r_begin, r_end, nl):
            for ln in range(nl):
                r = r0 + ln
                alive[ln] = r < r_end and blowup_step[r] < 0
                keys[ln] = np.uint64(replica0 + r)
                # running sums continue from the values passed in: one sum per replica whatever
                # the segmentation, so any split of the run into calls gives the same bits
                s_ito[ln] = ep_ito[r] if alive[ln] else 0.0
                s_path[ln] = ep_path[r] if alive[ln] else 0.0
                s_ang[ln] = angmom[r] if alive[ln] else 0.0
                for i in range(n):
                    q[i, ln] = heat[r, i] if alive[ln] else 0.0
                    for a in range(d):
                        x[i, a, ln] = pos[r, i, a] if alive[ln] else 0.0
            have_f = False  # F(x) of this block's first step: computed by stage -1 below
            ext_at_x = False  # ext_at holds the external term at x (set by the heat's last step)
            for step in range(step0, step_end):
                sb = step % NOISE_BATCH
                if sb == 0 or step == step0:  # normals up to the next multiple of NOISE_BATCH steps
                    block0 = (step * nd) >> 2
                    n_blocks = ((min(step - sb + NOISE_BATCH, step_end) * nd + 3) >> 2) - block0
                    g0 = 4 * block0  # gbuf row of normal number i: i - g0
                    # padding and blown-up lanes get zero noise
                    fill_normal_lanes(gbuf, gwords, k0, keys, alive, block0, n_blocks, c3)
                if do_ring and step >= burn_step and (step - burn_step) % ring_stride == 0:
                    sample = (step - burn_step) // ring_stride
                    for ln in range(nl):
                        if alive[ln]:
                            s_now = 0.0
                            for i in range(n):
                                s_now += q[i, ln] * inv_t[i]
                            _ring_sample(
                                x, ln, r0 + ln, n, d, sample, box, gamma, contact_range, s_now, scr, ring_x, ring_n,
                                ring_c, ring_s, chase_lags, arrow_lags, chase_b, chase_bn, chase_f, chase_fn,
                                arrow_pos, arrow_n,
                            )  # fmt: skip
                if traj.shape[0] > r0 and step % traj_stride == 0:
                    frame = step // traj_stride
                    for ln in range(nl):
                        if r0 + ln < traj.shape[0] and frame < traj.shape[1] and alive[ln]:
                            for i in range(n):
                                for a in range(d):
                                    traj[r0 + ln, frame, i, a] = x[i, a, ln]
                if step == burn_step:
                    for ln in range(nl):
                        if alive[ln]:
                            for i in range(n):
                                for a in range(d):
                                    pos_burn[r0 + ln, i, a] = x[i, a, ln]
                # Euler: one stage (x' into xn); Heun: the predictor into xt, then the corrector
                # into xn.  One call site of the inlined force routine for all (compile time).
                # Stage -1 (a block's first step only): F(x) into f.
                for stage in range(0 if have_f else -1, 2 if heun else 1):
                    last = stage == 1 or not heun
                    y = x if stage < 0 else (xn if last else xt)
                    fy = f if stage < 0 else (fn if last else ft)
                    n_bad = 0  # values of y that are not finite (counted in the same pass)
                    if stage < 0:
                        last = False
                    elif stage == 0:
                        for i in range(n):
                            for a in range(d):
                                for ln in range(nl):
                                    v = x[i, a, ln] + mudt[i] * f[i, a, ln] + amp[i] * gbuf[step * nd + i * d + a - g0, ln]
                                    y[i, a, ln] = v
                                    n_bad += 0 if abs(v) < 1e150 else 1
                    else:
                        for i in range(n):
                            for a in range(d):
                                for ln in range(nl):
                                    v = (
                                        x[i, a, ln]
                                        + 0.5 * mudt[i] * (f[i, a, ln] + ft[i, a, ln])
                                        + amp[i] * gbuf[step * nd + i * d + a - g0, ln]
                                    )
                                    y[i, a, ln] = v
                                    n_bad += 0 if abs(v) < 1e150 else 1
                    if last and n_bad:
                        _stop_blown_lanes(x, xn, n, d, alive, blowup_step, r0, step)
                    compute_forces(
                        y, n, d, box, pair_kind, pair_p, ext_kind, ext_p, bonds, bond_k, tethers, tether_k, anchors,
                        fy, sep, r2s, frs, user, ext_xn,
                    )  # fmt: skip
                if step >= burn_step:
                    _accumulate_step(x, xn, f, fn, n, d, mudt, inv_t, q, s_ito, s_path, s_ang)
                    add_discrete_gradient_corrections(
                        x, xn, n, d, box, pair_kind, pair_p, ext_kind, ext_p, q, heat_scratch, user, ext_at,
                        bool(ext_at_x), ext_xn,  # a bool, not a literal: one compilation (see README)
                    )  # the heat is then exact: sum_i dQ_i = -dE on every step
                    ext_at_x = True
                    if do_hist:
                        _histogram_step(x, xn, alive, hist, nbins, hist_lo, inv_width, hbin, hdx0, hdx1)
                x, xn = xn, x
                f, fn = fn, f
                have_f = True
            for ln in range(nl):
                r = r0 + ln
                if r < r_end and blowup_step[r] < 0:
                    ep_ito[r] = s_ito[ln]
                    ep_path[r] = s_path[ln]
                    angmom[r] = s_ang[ln]
                    for i in range(n):
                        heat[r, i] = q[i, ln]
                        for a in range(d):
                            pos[r, i, a] = x[i, a, ln]
        if do_hist:  # this chunk's map into its slot (integer sums: the same in any order)
            for b0 in range(nbins):
                for b1 in range(nbins):
                    k = b0 * nbins + b1
                    hist_count[c, b0, b1] += hist[k, 0]
                    hist_jx[c, b0, b1] += hist[k, 1]
                    hist_jy[c, b0, b1] += hist[k, 2]
