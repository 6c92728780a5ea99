"""Many-body kernel: N particles in a periodic box (2D or 3D), parallel over particles.

Euler-Maruyama, ``x' = x + mu_i F_i(x) dt + sqrt(2 mu_i T_i dt) g_i`` with g_i standard
normal, or Heun (predictor-corrector with the same normals).  The heat into bath i (Sekimoto, Stratonovich, physics.md section 2), ``dQ_i =
F_i o dx_i``, is accumulated from the burn-in step on, so the entropy production is
``sum_i Q_i / T_i``.  Each pair (and wall) term is integrated by the energy-conserving
discrete gradient (see :func:`_discrete_gradient_heat`), a Stratonovich rule that agrees
with the trapezoid rule to leading order but makes ``sum_i dQ_i = -dU`` hold exactly on
every step.  The plain trapezoid rule leaves an O(dt) imbalance with these nonlinear,
kinked forces: at equal temperatures it shows as a spurious entropy production of 6 standard
errors (1000 soft disks, T = 2, k = 20, dt = 5e-4), and in the hot/cold example the heat
out of the hot baths and into the cold ones differed by 4%.

Forces: pair repulsion within the cutoff ``rc`` (minimum image) plus an optional spherical
wall ``-k_w (|r - c| - R) (r - c)/|r - c|`` beyond radius R (a soft container).

Bonds (chains, physics.md section 8b): ``bonds = (partner, slot, bond_p)``, with
``partner[t, b]`` the particle ids bonded to particle id t (-1: none; width 0 without bonds),
``slot[t]`` the storage slot of particle id t (kept up to date at every list build), and
``bond_p = (kind, k, r0, r_max, exclude)``: harmonic ``U = k (r - r0)^2 / 2`` (kind 1) or
FENE ``U = -k r_max^2 ln(1 - r^2 / r_max^2) / 2`` (kind 2; a bond stretched to r_max gives a
non-finite force, which stops the run as a blow-up).  With ``exclude`` = 1 bonded pairs are
left out of the neighbour list (no pair repulsion between bonded monomers).  Bond terms enter
the forces and the heat exactly as pair terms (discrete gradient, both sides), so the first
law stays exact per step.

Neighbours: a Verlet list of all pairs within ``rc + skin``, built from a cell list
(counting sort, cells of side >= rc + skin) and rebuilt as soon as any particle has moved
more than ``skin / 2`` since the last build, so no pair within ``rc`` is ever missed.  The
list is a *half* list: each pair once, in the row of its owner (see :func:`_fill_rows`),
whose visit adds the pair's force and heat into both particles.  The sums are made in an
order that does not depend on the number of threads, without atomics or races: storage
order is cut into bands of cell rows, and each band adds into its own particles and, in a
second sum, into the next band's (:func:`_band_start`).  Against the full list (each pair twice,
every particle summing only its own force), measured per particle-step on one thread, with
the heat / without: N = 4096 54 -> 48 / 39 -> 35 ns, N = 65536 59 -> 53.5 / 42.7 -> 40.9;
on two threads 32.4 -> 26-30 / 24.5 -> 18.6-22.7 and 31.6 -> 28.1 / 22.9 -> 22.2.

Noise: Philox stream ``STREAM_NOISE`` keyed by (seed, particle id).  In 3D, normals 0..2 of
block ``step``; in 2D one block serves two steps: normals ``2 (step % 2)`` and ``2 (step % 2)
+ 1`` of block ``step // 2`` (the spare pair is kept per particle; 15% faster).  A pure
function of (seed, step, particle), whatever the threads, the cell order or where a run was
restarted.
"""

from __future__ import annotations

import math

import numba as nb
import numpy as np

from multitemp.core.potentials.bond import bond_force_energy
from multitemp.core.potentials.dispatch import SOFT, pair_energy, pair_force, pair_force_energy
from multitemp.core.rng import STREAM_NOISE, normal_block

__all__ = [
    "build_neighbors",
    "in_cell_order",
    "restore_neighbors",
    "compute_forces",
    "advance",
    "all_pairs_forces",
    "all_pairs_energy",
]


#: for the neighbour loops only: reassociation (vectorised sums), reciprocal and function
#: approximations; not nnan/ninf, which would drop the blow-up checks.  Deterministic on a
#: given machine and independent of threads; bits may differ between CPUs of other SIMD width.
FAST = {"reassoc", "nsz", "arcp", "contract", "afn"}

#: relative margin on the squared cutoff of the entries' flags "within the cutoff before the
#: step" (:func:`_pairs_in_range`): far above the rounding of a separation recomputed from the
#: step (about 1e-16 L / rc), so that no pair within the cutoff is ever left out.
NEAR_MARGIN = 1e-6


@nb.njit(cache=True, inline="always")
def _box_values(box):
    """The box as values, not memory: (L_0, L_1, L_2, 1/L_0, 1/L_1, 1/L_2) (L_2 = 1 in 2D).
    The pair loops take this tuple: read from the box array, the lengths had to be loaded
    again after every store of the loop (which might alias them), and each minimum image cost
    a division (a stand-alone copy of the listing of the pairs in range: 16 -> 9.6 ns per
    particle; in the kernel, with the unsigned count of :func:`_pairs_in_range`, the force
    pass 17.4 -> 12.1 ns)."""
    l2 = box[2] if box.shape[0] == 3 else 1.0
    return (box[0], box[1], l2, 1.0 / box[0], 1.0 / box[1], 1.0 / l2)


@nb.njit(cache=True, inline="always")
def _wrap(dx, bv, a):
    """Minimum image along axis a of a coordinate difference of two points inside the box
    (|dx| < L_a); bv from :func:`_box_values`.

    Rounds to the nearest integer with ``rint`` (one instruction), not ``floor(. + 0.5)``: the
    neighbour-list build measured 95 -> 79 ns per particle.  The two differ only where
    |dx| = box / 2 to the last bit, where both images are equally near (so does the product
    with 1/L_a instead of a division by L_a)."""
    return dx - bv[a] * np.rint(dx * bv[3 + a])


@nb.njit(cache=True)
def _grid(box, rlist, n, d):
    """Cells per axis: side >= rlist, and never more cells than particles (memory)."""
    nc = np.ones(3, dtype=np.int64)
    r = rlist
    while True:
        total = 1
        for a in range(d):
            nc[a] = max(1, int(box[a] / r))
            total *= nc[a]
        if total <= max(n, 1):
            return nc
        r *= 1.26


@nb.njit(cache=True, parallel=True)
def _permute_state(order, sf, si, x, f, dxs, spare, heat, mudt, amp, img, tag, xb, imgb, slot):
    """Row k of every per-particle array = its row order[k], through the work arrays sf
    (N, 3 d + 5) and si (N, d + 1); then xb = x, imgb = img and slot[tag[k]] = k.  One
    gather and one copy for all the arrays (two parallel loops, not two per array: a list
    build 75 -> 64 ns per particle at N = 4096 on one thread, 49 -> 38 on two)."""
    n, d = x.shape
    for k in nb.prange(n):
        o = order[k]
        for a in range(d):
            sf[k, a] = x[o, a]
            sf[k, d + a] = f[o, a]
            sf[k, 2 * d + a] = dxs[o, a]
            si[k, a] = img[o, a]
        sf[k, 3 * d] = spare[o, 0]
        sf[k, 3 * d + 1] = spare[o, 1]
        sf[k, 3 * d + 2] = heat[o]
        sf[k, 3 * d + 3] = mudt[o]
        sf[k, 3 * d + 4] = amp[o]
        si[k, d] = tag[o]
    for k in nb.prange(n):
        for a in range(d):
            x[k, a] = sf[k, a]
            xb[k, a] = sf[k, a]
            f[k, a] = sf[k, d + a]
            dxs[k, a] = sf[k, 2 * d + a]
            img[k, a] = si[k, a]
            imgb[k, a] = si[k, a]
        spare[k, 0] = sf[k, 3 * d]
        spare[k, 1] = sf[k, 3 * d + 1]
        heat[k] = sf[k, 3 * d + 2]
        mudt[k] = sf[k, 3 * d + 3]
        amp[k] = sf[k, 3 * d + 4]
        tag[k] = si[k, d]
        slot[si[k, d]] = k


@nb.njit(cache=True, inline="always")
def _shift(c, o, n):
    """Cell coordinate c + o on a periodic axis of n cells (|o| <= 1)."""
    c += o
    if c < 0:
        return c + n
    if c >= n:
        return c - n
    return c


@nb.njit(cache=True, inline="always")
def _scan(i, j_begin, j_end, jmin, count, x, bv, d, rlist2, nbr, tag, partner, exclude):
    """Candidates j_begin .. j_end - 1 (consecutive cells) with j > jmin into row i from
    position count (unsigned); returns the new count (may exceed nbr's width: only the
    entries that fit are written)."""
    width = np.uint64(nbr.shape[1])
    xi0 = x[i, 0]
    xi1 = x[i, 1]
    xi2 = x[i, d - 1]
    ti = tag[i]
    # unsigned indices: numba then skips its test for negative (from-the-end) indices, which
    # cost the scan 20 % (measured 77 -> 60 ns per particle); the candidates j <= jmin are
    # not scanned at all where the run starts below jmin (the build 82 -> 75 ns per particle)
    for j in range(np.uint64(max(j_begin, jmin + 1)), np.uint64(j_end)):
        u = _wrap(xi0 - x[j, 0], bv, 0)
        r2 = u * u
        u = _wrap(xi1 - x[j, 1], bv, 1)
        r2 += u * u
        if d == 3:
            u = _wrap(xi2 - x[j, 2], bv, 2)
            r2 += u * u
        # branch-free: write always, keep if inside (2.2x faster than a branch)
        if count < width:
            nbr[i, count] = np.int32(j)
        keep = r2 < rlist2
        if exclude:
            for b in range(partner.shape[1]):
                keep &= tag[j] != partner[ti, b]
        count += np.uint64(keep)
    return count


@nb.njit(cache=True, parallel=True, fastmath=FAST)
def _fill_rows(x, box, rlist2, nc, cell_start, nbr, nnb, tag, partner, exclude):
    """Half neighbour rows from the cell list (particles sorted by cell): each pair once, in
    the row of its *owner*; returns the longest row, which may exceed nbr's width (the caller
    then widens nbr and calls again).  With ``exclude``, the particles bonded to i
    (``partner[tag[i]]``) are left out of its row.

    Owner (see :func:`_bands`): with three or more cell rows along the slow axis (the last,
    along which storage order runs), the particle whose row is the other's minus one
    (periodic), or the lower storage index within one row; so i scans its own row (keeping
    j > i) and the next row (all), never the previous one.  With fewer rows, the lower index.

    The cells c0 - 1, c0, c0 + 1 of a stencil row are consecutive in memory, so each row is
    scanned as one run of particles (two where it wraps around the box), in the same order as
    cell by cell (c0 - 1, c0, c0 + 1, periodic).  Measured (2D soft disks, rlist 2.6, 32
    candidates per particle, full list): 119 ns per particle cell by cell, 100 with the
    fast-math flags, 92 with the runs as well, 60 with the minimum image by ``rint`` and
    unsigned indices."""
    bv = _box_values(box)
    n, d = x.shape
    n0, n1, n2 = nc[0], nc[1], nc[2]
    by_rows = nc[d - 1] >= 3
    m1 = min(3, n1)  # stencil offsets per axis: -1, 0, 1, or fewer when the grid is narrower
    m2 = min(3, n2)
    for i in nb.prange(n):
        ci0 = min(int(x[i, 0] * n0 / box[0]), n0 - 1)
        ci1 = min(int(x[i, 1] * n1 / box[1]), n1 - 1)
        ci2 = min(int(x[i, d - 1] * n2 / box[d - 1]), n2 - 1) if d == 3 else 0
        # the row's cells along axis 0 as runs [a0, b0] then [a1, b1] (inclusive; a1 > b1: none)
        if n0 < 3:  # the whole row, from ci0 on
            a0, b0, a1, b1 = ci0, n0 - 1, 0, ci0 - 1
        elif ci0 == 0:
            a0, b0, a1, b1 = n0 - 1, n0 - 1, 0, 1
        elif ci0 == n0 - 1:
            a0, b0, a1, b1 = n0 - 2, n0 - 1, 0, 0
        else:
            a0, b0, a1, b1 = ci0 - 1, ci0 + 1, 0, -1
        count = np.uint64(0)
        for s2 in range(m2):
            o2 = s2 - 1 if m2 == 3 else s2
            c2 = _shift(ci2, o2, n2)
            for s1 in range(m1):
                o1 = s1 - 1 if m1 == 3 else s1
                slow = o2 if d == 3 else o1  # offset along the slow axis
                if by_rows and slow < 0:
                    continue  # the previous row owns those pairs
                jmin = -1 if (by_rows and slow > 0) else i
                c1 = _shift(ci1, o1, n1)
                base = n0 * (c1 + n1 * c2)
                count = _scan(i, cell_start[base + a0], cell_start[base + b0 + 1], jmin, count, x, bv, d, rlist2,
                              nbr, tag, partner, exclude)  # fmt: skip
                if a1 <= b1:
                    count = _scan(i, cell_start[base + a1], cell_start[base + b1 + 1], jmin, count, x, bv, d,
                                  rlist2, nbr, tag, partner, exclude)  # fmt: skip
        nnb[i] = count
    longest = 0
    for i in range(n):
        longest = max(longest, nnb[i])
    return longest


@nb.njit(cache=True)
def _bands(nc, d, cell_start, bands):
    """Split storage order into bands, one per cell row along the slow axis, for the force
    passes (:func:`_band_start`): ``bands[0]`` = the number of bands B, ``bands[1 + k]`` the
    first slot of band k, ``bands[1 + B]`` = N.  An owner in band k has its partners in
    bands k and k + 1 (mod B) only.  Fewer than three rows: one band.  (``bands[B + 2 + k]``,
    the first list entry of band k, is set by :func:`_band_entries`.)"""
    rows = nc[d - 1]
    per_row = nc[0] * (nc[1] if d == 3 else 1)  # cells per row of the slow axis
    nbands = rows if rows >= 3 else 1
    bands[0] = nbands
    for k in range(nbands + 1):
        bands[1 + k] = cell_start[(k * rows // nbands) * per_row]


@nb.njit(cache=True)
def _band_entries(nnb, bands):
    """``bands[B + 2 + k]`` = the entries of the rows before band k (k <= B): band k's room
    in the pair buffer of the force passes (:func:`pair_buffer`)."""
    nb_ = bands[0]
    total = 0
    for k in range(nb_):
        bands[nb_ + 2 + k] = total
        for i in range(bands[1 + k], bands[2 + k]):
            total += nnb[i]
    bands[2 * nb_ + 2] = total


@nb.njit(cache=True)
def pair_buffer(bands, pairs):
    """Room for the pairs in range of every band (the force passes' (2, entries) uint32 work
    array, :func:`_band_start`), for the list as last built: ``pairs`` if it is large enough,
    else a new array (start from ``np.empty((2, 0), np.uint32)``)."""
    entries = bands[2 * bands[0] + 2]
    if pairs.shape[1] >= entries:
        return pairs
    return np.empty((2, entries), dtype=np.uint32)


def build_work_arrays(n: int, d: int) -> tuple[np.ndarray, np.ndarray]:
    """(scratch_f, scratch_i) for :func:`build_neighbors` (:func:`_permute_state`'s layout)."""
    return np.zeros((n, 3 * d + 5)), np.zeros((n, d + 1), dtype=np.int64)


@nb.njit(cache=True)
def _count_sort(x, box, nc, cells):
    """Counting sort of particles by cell (stable); fills cell_start and order in ``cells``."""
    n, d = x.shape
    ncells = nc[0] * nc[1] * nc[2]
    cell_count = cells[: n + 1]
    cell_start = cells[n + 1 : 2 * n + 2]
    order = cells[2 * n + 2 : 3 * n + 2]
    cell_of = cells[3 * n + 2 : 4 * n + 2]
    cell_count[: ncells + 1] = 0
    for i in range(n):
        c = 0
        stride = 1
        for a in range(d):
            ca = min(int(x[i, a] * nc[a] / box[a]), nc[a] - 1)
            c += ca * stride
            stride *= nc[a]
        cell_of[i] = c
        cell_count[c + 1] += 1
    cell_start[0] = 0
    for c in range(ncells):
        cell_start[c + 1] = cell_start[c] + cell_count[c + 1]
    cell_count[:ncells] = 0
    for i in range(n):
        c = cell_of[i]
        order[cell_start[c] + cell_count[c]] = i
        cell_count[c] += 1
    return cell_start, order


@nb.njit(cache=True)
def _rows(x, box, rlist, nc, cell_start, nbr, nnb, tag, bonds, bands):
    n, d = x.shape
    _bands(nc, d, cell_start, bands)
    partner, _, bond_p = bonds
    exclude = partner.shape[1] > 0 and bond_p[4] != 0.0
    longest = _fill_rows(x, box, rlist * rlist, nc, cell_start, nbr, nnb, tag, partner, exclude)
    if longest > nbr.shape[1]:
        # an odd width: with rows of 32 entries (128 bytes), 5 of them used, the force pass
        # measured 1.5x slower (N = 65536: 22.6 -> 34.7 ns per particle; the full list with
        # rows of 64 entries, 2x slower)
        nbr = np.empty((n, (longest + longest // 4 + 4) | 1), dtype=np.int32)
        _fill_rows(x, box, rlist * rlist, nc, cell_start, nbr, nnb, tag, partner, exclude)
    _band_entries(nnb, bands)
    return nbr


@nb.njit(cache=True)
def build_neighbors(x, img, f, dxs, spare, heat, tag, mudt, amp, xb, imgb, box, rlist, cells, scratch_f, scratch_i,
                    nbr, nnb, bonds, bands):  # fmt: skip
    """Sort the particles by cell, record the build positions (xb, imgb), rebuild the Verlet list.

    The per-particle arrays (x, img, f, dxs, spare, heat, tag, mudt, amp) are permuted in place into
    cell order (counting sort, stable), so that neighbours sit close in memory; ``tag`` keeps
    each particle's identity (its noise stream, its row in output files).  ``cells``: int64
    work array of length 4 N + 2; scratch_f (N, 3 d + 5), scratch_i (int64, (N, d + 1)): work
    arrays (:func:`_permute_state`); ``bands`` (int64, 2 N + 4) receives the bands of the
    force passes (:func:`_bands`, :func:`_band_entries`).  Returns the neighbour
    array (a new, wider one when a row overflowed).
    """
    n, d = x.shape
    nc = _grid(box, rlist, n, d)
    cell_start, order = _count_sort(x, box, nc, cells)
    _permute_state(order, scratch_f, scratch_i, x, f, dxs, spare, heat, mudt, amp, img, tag, xb, imgb, bonds[1])
    return _rows(x, box, rlist, nc, cell_start, nbr, nnb, tag, bonds, bands)


@nb.njit(cache=True)
def in_cell_order(xb, box, rlist, cells):
    """Whether positions xb are sorted by neighbour cell (a state saved by this kernel is)."""
    n, d = xb.shape
    _, order = _count_sort(xb, box, _grid(box, rlist, n, d), cells)
    for k in range(n):
        if order[k] != k:
            return False
    return True


@nb.njit(cache=True)
def restore_neighbors(xb, box, rlist, cells, nbr, nnb, tag, bonds, bands):
    """Rebuild the Verlet list of the last build from its positions xb (already in cell order,
    see :func:`in_cell_order`, so the stable sort leaves them in place): the list, and every
    later bit, is then the one an uninterrupted run had.  Returns the neighbour array."""
    n, d = xb.shape
    nc = _grid(box, rlist, n, d)
    cell_start, _ = _count_sort(xb, box, nc, cells)
    slot = bonds[1]
    for k in range(n):
        slot[tag[k]] = k
    return _rows(xb, box, rlist, nc, cell_start, nbr, nnb, tag, bonds, bands)


@nb.njit(cache=True, inline="always")
def _separation(x, i, j, bv, d):
    u0 = _wrap(x[i, 0] - x[j, 0], bv, 0)
    u1 = _wrap(x[i, 1] - x[j, 1], bv, 1)
    u2 = _wrap(x[i, 2] - x[j, 2], bv, 2) if d == 3 else 0.0
    return u0, u1, u2


@nb.njit(cache=True, inline="always")
def _discrete_gradient(fa0, fa1, fa2, du, d0, d1, d2):
    """Mean force of one pair (or wall) term over one step, whose heat is ``f_bar . s``.

    ``fa`` is the trapezoid force (mean of the term's force at the old and new positions),
    ``du`` the term's energy change and ``d`` the change of its coordinate (the pair
    separation, or the position for the wall).  The discrete gradient (Gonzalez 1996)
    ``f_bar = fa + [(-du - fa . d) / |d|^2] d`` makes ``f_bar . d = -du`` exactly, so the
    heats of all particles add up to minus the energy change, step by step; it differs from
    the trapezoid rule by a term of higher order.
    """
    dd = d0 * d0 + d1 * d1 + d2 * d2
    c = (-du - (fa0 * d0 + fa1 * d1 + fa2 * d2)) / (dd + 1e-300)  # d = 0: no change, c d = 0
    return fa0 + c * d0, fa1 + c * d1, fa2 + c * d2


@nb.njit(cache=True, inline="always")
def _wall_energy(w0, w1, w2, wall):
    rw = math.sqrt(w0 * w0 + w1 * w1 + w2 * w2)
    return 0.5 * wall[0] * (rw - wall[1]) ** 2 if rw > wall[1] else 0.0


@nb.njit(cache=True, inline="always")
def _wall_force(w0, w1, w2, wall):
    rw = math.sqrt(w0 * w0 + w1 * w1 + w2 * w2)
    if rw > wall[1]:
        g = -wall[0] * (rw - wall[1]) / rw
        return g * w0, g * w1, g * w2
    return 0.0, 0.0, 0.0


@nb.njit(cache=True, inline="always")
def _pairs_in_range(a, b, x, bv, rc2, rc2m, d, nbr, nnb, with_heat, near, hi, hj):
    """The owned pairs (i, j) of band [a, b) within the cutoff at x or (``with_heat``) before
    the step, in list order, into hi, hj; returns their number.  Branch-free (each entry
    written, kept by advancing the count), then :func:`_pair_forces` computes only those:
    against a branch on the distance in one loop (taken at random by one entry in nine),
    measured at N = 4096 39 -> 35 ns per particle-step without the heat, the same with it.

    "Before the step" is the entry's flag ``near`` (uint8, the shape of nbr), set at the
    previous step to "within ``rc2m``", a cutoff a hair (relative 1e-6) above ``rc2``
    (:func:`_near_before`); here set anew for the next step.  The list then holds every pair
    the separation before the step (recomputed from the step, to rounding the same) puts
    within the cutoff, and a few beyond it on both ends of the step, whose terms are exact
    zeros.  The force-and-heat pass with the flags read: 19.6 ns per particle; recomputing them
    first from the step (:func:`_near_before`, as after a list build): 26.6 (N = 4096, 1
    thread)."""
    count = np.uint64(0)  # unsigned, as the indices: no test for negative indices (see _scan)
    for i in range(np.uint64(a), np.uint64(b)):
        xi0 = x[i, 0]  # loaded once: the stores below might alias x as far as LLVM knows
        xi1 = x[i, 1]
        xi2 = x[i, d - 1]
        for m in range(np.uint64(nnb[i])):
            j = np.uint64(nbr[i, m])
            u0 = _wrap(xi0 - x[j, 0], bv, 0)
            u1 = _wrap(xi1 - x[j, 1], bv, 1)
            r2 = u0 * u0 + u1 * u1
            if d == 3:
                u2 = _wrap(xi2 - x[j, 2], bv, 2)
                r2 += u2 * u2
            hi[count] = i
            hj[count] = j
            if with_heat:
                count += np.uint64((r2 < rc2) | (near[i, m] != 0))
                near[i, m] = r2 < rc2m
            else:
                count += np.uint64(r2 < rc2)
    return count


@nb.njit(cache=True, fastmath=FAST)
def _near_before(a, b, x, dxs, bv, rc2m, nbr, nnb, near):
    """near[i, m] = 1 if the pair (i, nbr[i, m]) of band [a, b) was within ``rc2m`` before the
    step dxs (separation recomputed from the step); for the first heat pass after a list
    build, when no previous pass has set the flags (see :func:`_pairs_in_range`).  Written
    out per axis with unsigned indices, as the listing: with a loop over the axes the pass
    that calls it took 34.5 ns per particle, now 20.2 (N = 65536, 2 threads)."""
    d = x.shape[1]
    for i in range(np.uint64(a), np.uint64(b)):
        xi0 = x[i, 0]  # loaded once (the stores might alias them as far as LLVM knows)
        xi1 = x[i, 1]
        xi2 = x[i, d - 1]
        si0 = dxs[i, 0]
        si1 = dxs[i, 1]
        si2 = dxs[i, d - 1]
        for m in range(np.uint64(nnb[i])):
            j = np.uint64(nbr[i, m])
            v0 = _wrap(xi0 - x[j, 0], bv, 0) - (si0 - dxs[j, 0])
            v1 = _wrap(xi1 - x[j, 1], bv, 1) - (si1 - dxs[j, 1])
            r2 = v0 * v0 + v1 * v1
            if d == 3:
                v2 = _wrap(xi2 - x[j, 2], bv, 2) - (si2 - dxs[j, 2])
                r2 += v2 * v2
            near[i, m] = r2 < rc2m


@nb.njit(cache=True, inline="always")
def _listed_pair(h, hi, hj, a, b, x, bv, d):
    """Pair h of hi, hj: (i, j, o, separation x_i - x_j), o = 0 if j is in i's band [a, b),
    1 if not (the sum of j it goes into, see :func:`_band_start`)."""
    i = np.uint64(hi[h])
    j = np.uint64(hj[h])
    u0, u1, u2 = _separation(x, i, j, bv, d)
    o = np.uint64(j - np.uint64(a) >= np.uint64(b - a))  # unsigned: j < a wraps to outside
    return i, j, o, u0, u1, u2


@nb.njit(cache=True, inline="always")
def _add_pair_force(f, i, j, o, d, g0, g1, g2):
    """f[i, 0] += g and f[j, o] -= g (the force on i from j, and its reaction)."""
    f[i, 0, 0] += g0
    f[i, 0, 1] += g1
    f[j, o, 0] -= g0
    f[j, o, 1] -= g1
    if d == 3:
        f[i, 0, 2] += g2
        f[j, o, 2] -= g2


@nb.njit(cache=True, inline="always")
def _pair_forces(count, hi, hj, a, b, x, f, bv, d, pair_kind, pair_p, user):
    """Each pair (i, j) of hi, hj: adds its force into f[i, 0] and the partner's share into
    f[j, 0] if j is in i's band [a, b), f[j, 1] if not (see :func:`_band_start`)."""
    for h in range(count):
        i, j, o, u0, u1, u2 = _listed_pair(h, hi, hj, a, b, x, bv, d)
        fr = pair_force(pair_kind, u0 * u0 + u1 * u1 + u2 * u2, pair_p, user)
        _add_pair_force(f, i, j, o, d, fr * u0, fr * u1, fr * u2)


@nb.njit(cache=True, inline="always")
def _pair_forces_and_heat(count, hi, hj, a, b, x, dxs, f, dq, bv, d, pair_kind, pair_p, user):
    """As :func:`_pair_forces`, and the heat of the step dxs into dq the same way, by the
    discrete gradient: with ``f_bar`` the pair's mean force on i over the step, i gets
    ``f_bar . s_i`` and j gets ``-f_bar . s_j``, which add up to ``-du``."""
    for h in range(count):
        i, j, o, u0, u1, u2 = _listed_pair(h, hi, hj, a, b, x, bv, d)
        fr, e = pair_force_energy(pair_kind, u0 * u0 + u1 * u1 + u2 * u2, pair_p, user)
        _add_pair_force(f, i, j, o, d, fr * u0, fr * u1, fr * u2)
        s0 = dxs[i, 0]
        s1 = dxs[i, 1]
        s2 = dxs[i, 2] if d == 3 else 0.0
        t0 = dxs[j, 0]
        t1 = dxs[j, 1]
        t2 = dxs[j, 2] if d == 3 else 0.0
        d0 = s0 - t0  # change of the separation over the step
        d1 = s1 - t1
        d2 = s2 - t2
        v0 = u0 - d0
        v1 = u1 - d1
        v2 = u2 - d2
        fr_old, e_old = pair_force_energy(pair_kind, v0 * v0 + v1 * v1 + v2 * v2, pair_p, user)
        b0, b1, b2 = _discrete_gradient(0.5 * (fr * u0 + fr_old * v0), 0.5 * (fr * u1 + fr_old * v1),
                                        0.5 * (fr * u2 + fr_old * v2), e - e_old, d0, d1, d2)  # fmt: skip
        dq[i, 0] += b0 * s0 + b1 * s1 + b2 * s2
        dq[j, o] -= b0 * t0 + b1 * t1 + b2 * t2


@nb.njit(cache=True, inline="always")
def _own_forces(i, x, bv, d, wall, tag, bonds):
    """Force on i from its bonds, all of them (each bond is computed from both ends), and
    from the wall."""
    f0 = 0.0
    f1 = 0.0
    f2 = 0.0
    partner, slot, bond_p = bonds
    for b in range(partner.shape[1]):
        t = partner[tag[i], b]
        if t >= 0:
            u0, u1, u2 = _separation(x, i, slot[t], bv, d)
            fr, _ = bond_force_energy(u0 * u0 + u1 * u1 + u2 * u2, bond_p)
            f0 += fr * u0
            f1 += fr * u1
            f2 += fr * u2
    if wall[0] > 0.0:  # wall = (k_w, R, c_0, c_1, c_2)
        g0, g1, g2 = _wall_force(x[i, 0] - wall[2], x[i, 1] - wall[3], x[i, 2] - wall[4] if d == 3 else 0.0, wall)
        f0 += g0
        f1 += g1
        f2 += g2
    return f0, f1, f2


@nb.njit(cache=True, inline="always")
def _own_forces_and_heat(i, x, dxs, bv, d, wall, tag, bonds):
    """As :func:`_own_forces`, and the heat of i's step dxs from the same terms (discrete
    gradient)."""
    f0 = 0.0
    f1 = 0.0
    f2 = 0.0
    q = 0.0
    s0 = dxs[i, 0]
    s1 = dxs[i, 1]
    s2 = dxs[i, 2] if d == 3 else 0.0
    partner, slot, bond_p = bonds
    for b in range(partner.shape[1]):
        t = partner[tag[i], b]
        if t >= 0:
            j = slot[t]
            u0, u1, u2 = _separation(x, i, j, bv, d)
            fr, e = bond_force_energy(u0 * u0 + u1 * u1 + u2 * u2, bond_p)
            f0 += fr * u0
            f1 += fr * u1
            f2 += fr * u2
            d0 = s0 - dxs[j, 0]
            d1 = s1 - dxs[j, 1]
            d2 = (s2 - dxs[j, 2]) if d == 3 else 0.0
            v0 = u0 - d0
            v1 = u1 - d1
            v2 = u2 - d2
            fr_old, e_old = bond_force_energy(v0 * v0 + v1 * v1 + v2 * v2, bond_p)
            b0, b1, b2 = _discrete_gradient(0.5 * (fr * u0 + fr_old * v0), 0.5 * (fr * u1 + fr_old * v1),
                                            0.5 * (fr * u2 + fr_old * v2), e - e_old, d0, d1, d2)  # fmt: skip
            q += b0 * s0 + b1 * s1 + b2 * s2
    if wall[0] > 0.0:
        w0 = x[i, 0] - wall[2]
        w1 = x[i, 1] - wall[3]
        w2 = x[i, 2] - wall[4] if d == 3 else 0.0
        o0 = w0 - s0
        o1 = w1 - s1
        o2 = w2 - s2
        g0, g1, g2 = _wall_force(w0, w1, w2, wall)
        h0, h1, h2 = _wall_force(o0, o1, o2, wall)
        f0 += g0
        f1 += g1
        f2 += g2
        du = _wall_energy(w0, w1, w2, wall) - _wall_energy(o0, o1, o2, wall)
        if du != 0.0 or g0 != 0.0 or h0 != 0.0:
            b0, b1, b2 = _discrete_gradient(0.5 * (g0 + h0), 0.5 * (g1 + h1), 0.5 * (g2 + h2), du, s0, s1, s2)
            q += b0 * s0 + b1 * s1 + b2 * s2
    return f0, f1, f2, q


@nb.njit(cache=True, fastmath=FAST)
def _band_start(k, x, fs, dqs, bands, pairs, with_heat):
    """Band k (see :func:`_bands`): zero its sums ``fs[j, 0]`` (N, 2, d) and those of band
    k + 1 ``fs[j, 1]``, which no other band adds into (and dqs (N, 2) ``with_heat``); returns
    (first slot, end, hi, hj), hi and hj the band's room for its pairs in range in ``pairs``
    (:func:`pair_buffer`; an array allocated per band and step cost 1 ns per particle-step at
    N = 4096).  The sums then add up in an order that does not depend on the threads (see
    :func:`forces_and_heat`).  Not inlined into the passes' specialised copies (compile time)."""
    d = x.shape[1]
    nbands = bands[0]
    a = bands[1 + k]
    b = bands[2 + k]
    k1 = (k + 1) % nbands
    for z in range(2):
        lo = a if z == 0 else bands[1 + k1]
        for r in range(lo, b if z == 0 else bands[2 + k1]):
            fs[r, z, 0] = 0.0
            fs[r, z, 1] = 0.0
            if d == 3:
                fs[r, z, 2] = 0.0
            if with_heat:
                dqs[r, z] = 0.0
    e0 = bands[nbands + 2 + k]
    e1 = bands[nbands + 3 + k]
    return a, b, pairs[0, e0:e1], pairs[1, e0:e1]


@nb.njit(cache=True, inline="always")
def _band_forces(k, x, bv, rc2, d, pair_kind, pair_p, nbr, nnb, fs, user, bands, pairs):
    """Forces of the pairs owned by band k, in storage order, into fs (see
    :func:`_band_start`)."""
    a, b, hi, hj = _band_start(np.int64(k), x, fs, fs[:, :, 0], bands, pairs, False)
    # without the heat there are no flags: nbr stands in for them, unread
    count = _pairs_in_range(a, b, x, bv, rc2, rc2, d, nbr, nnb, False, nbr, hi, hj)
    _pair_forces(count, hi, hj, a, b, x, fs, bv, d, pair_kind, pair_p, user)


@nb.njit(cache=True, inline="always")
def _band_forces_and_heat(k, x, dxs, bv, rc2, d, pair_kind, pair_p, nbr, nnb, fs, dqs, user, bands, pairs,
                          near, near_set):  # fmt: skip
    """As :func:`_band_forces`, and the heat of the step dxs into dqs; ``near`` the entries'
    flags (:func:`_pairs_in_range`), set by the previous pass if ``near_set``."""
    a, b, hi, hj = _band_start(np.int64(k), x, fs, dqs, bands, pairs, True)
    rc2m = rc2 * (1.0 + NEAR_MARGIN)
    if not near_set:
        _near_before(a, b, x, dxs, bv, rc2m, nbr, nnb, near)
    count = _pairs_in_range(a, b, x, bv, rc2, rc2m, d, nbr, nnb, True, near, hi, hj)
    _pair_forces_and_heat(count, hi, hj, a, b, x, dxs, fs, dqs, bv, d, pair_kind, pair_p, user)


# The band loops below repeat their body with the dimension and the soft pair kind as literal
# constants: numba inlines the per-pair functions and LLVM then folds every branch on d and
# on the kind.  What does not depend on them is kept out of the copies: the band's set-up
# (:func:`_band_start`) and the bonds' and the wall's terms (in the loop over particles).
# Inlined into every copy, they took the mixture kernel's compilation from 35 to 58-80 s.


@nb.njit(cache=True, parallel=True, fastmath=FAST)
def forces_and_heat(x, dxs, box, rc, pair_kind, pair_p, wall, nbr, nnb, f, heat, fs, dqs, user, tag, bonds, bands,
                    pairs, near, near_set):  # fmt: skip
    """f[i] = force at x; heat[i] += heat of the step dxs that led to x (discrete gradient).
    fs (N, 2, d), dqs (N, 2): work arrays (see :func:`_band_start`); near (uint8, the shape
    of nbr): which entries were within the cutoff before the step, as left by the previous
    call if ``near_set`` (no list build since), else recomputed (:func:`_pairs_in_range`).
    A parallel loop over the bands, then one over the particles: f_i = (sum from i's band) +
    (sum from the band before) + (bonds and wall), in this order whatever the threads; the
    heat likewise."""
    n, d = x.shape
    rc2 = rc * rc
    bv = _box_values(box)
    if d == 2 and pair_kind == SOFT:
        for k in nb.prange(bands[0]):
            _band_forces_and_heat(k, x, dxs, bv, rc2, 2, SOFT, pair_p, nbr, nnb, fs, dqs, user, bands, pairs,
                                  near, near_set)  # fmt: skip
    elif d == 3 and pair_kind == SOFT:
        for k in nb.prange(bands[0]):
            _band_forces_and_heat(k, x, dxs, bv, rc2, 3, SOFT, pair_p, nbr, nnb, fs, dqs, user, bands, pairs,
                                  near, near_set)  # fmt: skip
    else:
        for k in nb.prange(bands[0]):
            _band_forces_and_heat(k, x, dxs, bv, rc2, d, pair_kind, pair_p, nbr, nnb, fs, dqs, user, bands, pairs,
                                  near, near_set)  # fmt: skip
    for i in nb.prange(n):
        h0, h1, h2, p = _own_forces_and_heat(i, x, dxs, bv, d, wall, tag, bonds)
        f[i, 0] = fs[i, 0, 0] + fs[i, 1, 0] + h0
        f[i, 1] = fs[i, 0, 1] + fs[i, 1, 1] + h1
        if d == 3:
            f[i, 2] = fs[i, 0, 2] + fs[i, 1, 2] + h2
        heat[i] += dqs[i, 0] + dqs[i, 1] + p


@nb.njit(cache=True, parallel=True, fastmath=FAST)
def compute_forces(x, box, rc, pair_kind, pair_p, wall, nbr, nnb, f, fs, user, tag, bonds, bands, pairs):
    """f[i] = force on particle i at positions x (needs a valid neighbour list and bands);
    fs: (N, 2, d) work array."""
    n, d = x.shape
    rc2 = rc * rc
    bv = _box_values(box)
    if d == 2 and pair_kind == SOFT:
        for k in nb.prange(bands[0]):
            _band_forces(k, x, bv, rc2, 2, SOFT, pair_p, nbr, nnb, fs, user, bands, pairs)
    elif d == 3 and pair_kind == SOFT:
        for k in nb.prange(bands[0]):
            _band_forces(k, x, bv, rc2, 3, SOFT, pair_p, nbr, nnb, fs, user, bands, pairs)
    else:
        for k in nb.prange(bands[0]):
            _band_forces(k, x, bv, rc2, d, pair_kind, pair_p, nbr, nnb, fs, user, bands, pairs)
    for i in nb.prange(n):
        h0, h1, h2 = _own_forces(i, x, bv, d, wall, tag, bonds)
        f[i, 0] = fs[i, 0, 0] + fs[i, 1, 0] + h0
        f[i, 1] = fs[i, 0, 1] + fs[i, 1, 1] + h1
        if d == 3:
            f[i, 2] = fs[i, 0, 2] + fs[i, 1, 2] + h2


@nb.njit(cache=True, inline="always")
def _move(i, x, img, dxs, xb, imgb, box, d, delta0, delta1, delta2, half_skin2, first):
    """x_i += delta (wrapped into the box, image counts updated); dxs_i = delta on the ``first``
    move of a step, dxs_i += delta after (a zeroing loop over the axes became a memset call
    per particle: 3 ns of 7 for the whole move).  Returns
    (bad, moved): the move is not finite or longer than half the box (x_i is then kept), and
    x_i is now more than half the skin from where the neighbour list was built."""
    bad = 0
    drift2 = 0.0
    for a in range(d):
        da = delta0 if a == 0 else (delta1 if a == 1 else delta2)
        dxs[i, a] = da if first else dxs[i, a] + da
        u = x[i, a] + da
        if not (u >= 0.0 and u < box[a]):  # also true for NaN (a broken FENE bond)
            if not math.isfinite(u) or abs(dxs[i, a]) > 0.5 * box[a]:
                bad += 1  # blow-up: stop before the state is garbage
                u = x[i, a]
            else:
                wraps = math.floor(u / box[a])
                u -= wraps * box[a]
                if u >= box[a]:  # rounding edge of u - floor(u / L) L
                    u = 0.0
                img[i, a] += np.int64(wraps)
        x[i, a] = u
        sep = (u - xb[i, a]) + (img[i, a] - imgb[i, a]) * box[a]
        drift2 += sep * sep
    return bad, (1 if drift2 > half_skin2 else 0)


@nb.njit(cache=True)
def _rebuild_if_moved(moved, x, img, f, dxs, spare, heat, tag, mudt, amp, xb, imgb, box, rlist, cells, scratch_f,
                      scratch_i, nbr, nnb, bonds, bands, stats):  # fmt: skip
    """Rebuild the neighbour list (counted in ``stats[0]``) if ``moved`` (bool): a particle left
    half the skin."""
    if moved:
        nbr = build_neighbors(x, img, f, dxs, spare, heat, tag, mudt, amp, xb, imgb, box, rlist, cells, scratch_f,
                              scratch_i, nbr, nnb, bonds, bands)  # fmt: skip
        stats[0] += 1
    return nbr


@nb.njit(cache=True)
def _spare_normals(block, k0, tag, spare):
    """2D: spare[i] = normals 2 and 3 of block ``block`` of particle i's noise (a run resumed
    at an odd step needs them before its first step)."""
    for i in range(tag.shape[0]):
        _, _, spare[i, 0], spare[i, 1] = normal_block(block, STREAM_NOISE, k0, np.uint64(tag[i]))


@nb.njit(cache=True, parallel=True)
def advance(x, img, f, dxs, spare, heat, tag, mudt, amp, xb, imgb, nbr, nnb, cells, scratch_f, scratch_i,
            box, rc, skin, pair_kind, pair_p, wall, seed, step0, n_steps, burn_step, stats, user, heun, ft, bonds,
            bands, fs, dqs):  # fmt: skip
    """Advance n_steps steps from global step ``step0``; the state is (x, img, f = forces at x)
    in the current storage order, ``tag`` the particle ids.

    Euler-Maruyama: ``dx = mu dt f(x) + sqrt(2 mu T dt) g``.  Heun (``heun``): the predictor
    ``x~ = x + dx_E``, then ``dx = dx_E + mu dt [f(x~) - f(x)] / 2`` with the same normals
    (``ft``, (N, d), holds f(x~)); the neighbour list is checked after each stage.
    The heat of the step x -> x + dx is accumulated into ``heat`` by the discrete gradient for
    steps >= burn_step; ``stats[0]`` counts neighbour-list builds.  mudt = mu dt and amp =
    sqrt(2 mu T dt) per stored particle; ``bands`` as left by the last list build; fs (N, 2, d)
    and dqs (N, 2) work arrays.  Returns the (possibly widened) neighbour array and
    -1, or, on a blow-up (a displacement that is not finite or longer than half the box), the
    step at which it happened (the state is then partly advanced and must not be continued).
    """
    n, d = x.shape
    half_skin2 = 0.25 * skin * skin
    k0 = np.uint64(seed)
    near = np.empty(nbr.shape, dtype=np.uint8)  # see forces_and_heat
    pairs = pair_buffer(bands, np.empty((2, 0), dtype=np.uint32))
    near_set = False
    if d == 2 and step0 % 2 == 1:  # resuming mid-pair: the spare normals of block step0 // 2
        _spare_normals(step0 // 2, k0, tag, spare)
    for step in range(step0, step0 + n_steps):
        builds = stats[0]
        moved = 0
        bad = 0
        for i in nb.prange(n):
            if d == 3:
                g0, g1, g2, _ = normal_block(step, STREAM_NOISE, k0, np.uint64(tag[i]))
            elif step % 2 == 0:  # 2D: one Philox block serves two steps
                g0, g1, spare[i, 0], spare[i, 1] = normal_block(step // 2, STREAM_NOISE, k0, np.uint64(tag[i]))
                g2 = 0.0
            else:
                g0 = spare[i, 0]
                g1 = spare[i, 1]
                g2 = 0.0
            b, m = _move(i, x, img, dxs, xb, imgb, box, d, mudt[i] * f[i, 0] + amp[i] * g0,
                         mudt[i] * f[i, 1] + amp[i] * g1, (mudt[i] * f[i, 2] + amp[i] * g2) if d == 3 else 0.0,
                         half_skin2, True)  # fmt: skip
            bad += b
            moved += m
        if bad > 0:
            return nbr, step
        nbr = _rebuild_if_moved(moved > 0, x, img, f, dxs, spare, heat, tag, mudt, amp, xb, imgb, box, rc + skin, cells,
                                scratch_f, scratch_i, nbr, nnb, bonds, bands, stats)  # fmt: skip
        if heun:
            pairs = pair_buffer(bands, pairs)
            compute_forces(x, box, rc, pair_kind, pair_p, wall, nbr, nnb, ft, fs, user, tag, bonds, bands, pairs)
            moved = 0
            for i in nb.prange(n):
                b, m = _move(i, x, img, dxs, xb, imgb, box, d, 0.5 * mudt[i] * (ft[i, 0] - f[i, 0]),
                             0.5 * mudt[i] * (ft[i, 1] - f[i, 1]),
                             (0.5 * mudt[i] * (ft[i, 2] - f[i, 2])) if d == 3 else 0.0, half_skin2, False)  # fmt: skip
                bad += b
                moved += m
            if bad > 0:
                return nbr, step
            nbr = _rebuild_if_moved(moved > 0, x, img, f, dxs, spare, heat, tag, mudt, amp, xb, imgb, box, rc + skin,
                                    cells, scratch_f, scratch_i, nbr, nnb, bonds, bands, stats)  # fmt: skip
        pairs = pair_buffer(bands, pairs)  # a list build may have made more entries
        if step >= burn_step:
            if stats[0] != builds:
                near_set = False
                if near.shape[1] != nbr.shape[1]:
                    near = np.empty(nbr.shape, dtype=np.uint8)
            forces_and_heat(x, dxs, box, rc, pair_kind, pair_p, wall, nbr, nnb, f, heat, fs, dqs, user, tag, bonds, bands,
                            pairs, near, bool(near_set))  # fmt: skip
            # (bool(), moved > 0 and np.int64(k) in the band functions: one type per argument;
            # a literal False or 0, or an unsigned prange index, met while numba types this
            # loop, made it compile forces_and_heat, _rebuild_if_moved and _band_start twice)
            near_set = True
        else:
            compute_forces(x, box, rc, pair_kind, pair_p, wall, nbr, nnb, f, fs, user, tag, bonds, bands, pairs)
            near_set = False
    return nbr, -1


@nb.njit(cache=True)
def _bonded(i, j, bond_list):
    for m in range(bond_list.shape[0]):
        a, b = bond_list[m, 0], bond_list[m, 1]
        if (a == i and b == j) or (a == j and b == i):
            return True
    return False


@nb.njit(cache=True)
def all_pairs_forces(x, box, rc, pair_kind, pair_p, wall, f, user, bond_list, bond_p):
    """Reference: forces summed over all N^2 pairs (minimum image) and over the bonds
    (``bond_list``: (M, 2) particle ids), for tests.  x in particle-id order."""
    n, d = x.shape
    bv = _box_values(box)
    rc2 = rc * rc
    exclude = bond_list.shape[0] > 0 and bond_p[4] != 0.0
    for i in range(n):
        acc = np.zeros(3)
        for j in range(n):
            if j == i or (exclude and _bonded(i, j, bond_list)):
                continue
            r2 = 0.0
            u = np.zeros(3)
            for a in range(d):
                u[a] = _wrap(x[i, a] - x[j, a], bv, a)
                r2 += u[a] * u[a]
            if r2 < rc2:
                fr = pair_force(pair_kind, r2, pair_p, user)
                for a in range(d):
                    acc[a] += fr * u[a]
        if wall[0] > 0.0:
            w = np.zeros(3)
            for a in range(d):
                w[a] = x[i, a] - wall[2 + a]
            rw = math.sqrt(w[0] ** 2 + w[1] ** 2 + w[2] ** 2)
            if rw > wall[1]:
                for a in range(d):
                    acc[a] += -wall[0] * (rw - wall[1]) * w[a] / rw
        for a in range(d):
            f[i, a] = acc[a]
    for m in range(bond_list.shape[0]):
        i, j = bond_list[m, 0], bond_list[m, 1]
        u = np.zeros(3)
        for a in range(d):
            u[a] = _wrap(x[i, a] - x[j, a], bv, a)
        fr, _ = bond_force_energy(u[0] ** 2 + u[1] ** 2 + u[2] ** 2, bond_p)
        for a in range(d):
            f[i, a] += fr * u[a]
            f[j, a] -= fr * u[a]


@nb.njit(cache=True)
def all_pairs_energy(x, box, rc, pair_kind, pair_p, wall, user, bond_list, bond_p):
    """Reference: total potential energy (pairs by minimum image, bonds, the wall), for tests."""
    n, d = x.shape
    bv = _box_values(box)
    total = 0.0
    exclude = bond_list.shape[0] > 0 and bond_p[4] != 0.0
    for i in range(n):
        for j in range(i + 1, n):
            if exclude and _bonded(i, j, bond_list):
                continue
            r2 = 0.0
            for a in range(d):
                u = _wrap(x[i, a] - x[j, a], bv, a)
                r2 += u * u
            if r2 < rc * rc:
                total += pair_energy(pair_kind, r2, pair_p, user)
        if wall[0] > 0.0:
            total += _wall_energy(x[i, 0] - wall[2], x[i, 1] - wall[3], x[i, 2] - wall[4] if d == 3 else 0.0, wall)
    for m in range(bond_list.shape[0]):
        i, j = bond_list[m, 0], bond_list[m, 1]
        r2 = 0.0
        for a in range(d):
            u = _wrap(x[i, a] - x[j, a], bv, a)
            r2 += u * u
        total += bond_force_energy(r2, bond_p)[1]
    return total


# Start numba's thread pool now: a kernel loaded from the disk cache that calls a parallel
# kernel from its serial part (build_neighbors, restore_neighbors) segfaults when it is the
# first parallel code of the process (numba 0.6x; found with a resumed run, fixed by this).
nb.get_num_threads()
