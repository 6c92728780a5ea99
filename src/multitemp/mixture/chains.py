"""Observables of chains with hot and cold monomers (physics.md section 8b), on arrays of
frames (``positions``: (F, N, d) in the periodic box [0, L)), so that they serve GSD files
and in-memory runs alike.

* :func:`unwrap_chain`: a chain's monomers made continuous across the periodic box (bond
  vectors by minimum image, summed from the first monomer);
* :func:`contact_map`: probability that monomers i and j of a chain are closer than a
  radius, averaged over frames and over chains of the same length and pattern, kept in
  ``blocks`` consecutive groups of frames for error bars;
* :func:`compartment_score`: contrast between like and unlike contacts: observed contacts over
  the contacts expected at the same genomic distance |i - j| (the mean of that diagonal, as
  for Hi-C maps), summed over like pairs, minus the same over unlike pairs; 0 without
  compartments;
* :func:`separation_msd`: <|r_i - r_j|^2> against s = |i - j|, for hot-hot, cold-cold and
  mixed pairs;
* :func:`block_gyration`: squared radius of gyration of each run of equal type ("block");
* :func:`radial_profile`: number density of each type against the distance from the centre
  of a container.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.spatial import cKDTree

__all__ = [
    "unwrap_chain",
    "contact_map",
    "ContactMap",
    "compartment_score",
    "separation_msd",
    "block_gyration",
    "radial_profile",
]


def unwrap_chain(positions: np.ndarray, box: np.ndarray, first: int, length: int) -> np.ndarray:
    """(..., length, d) continuous positions of monomers first..first+length-1."""
    x = positions[..., first : first + length, :]
    bond = np.diff(x, axis=-2)
    bond -= box * np.round(bond / box)
    out = np.empty_like(x)
    out[..., :1, :] = x[..., :1, :]
    out[..., 1:, :] = x[..., :1, :] + np.cumsum(bond, axis=-2)
    return out


@dataclass
class ContactMap:
    """Contact probabilities of a chain: ``probability`` (L, L) over all frames and chains,
    ``blocks`` (B, L, L) over consecutive groups of frames, the monomer ``types`` (L,)."""

    probability: np.ndarray
    blocks: np.ndarray
    types: np.ndarray
    radius: float


def contact_map(positions: np.ndarray, box, chains, typeid: np.ndarray, radius: float,
                blocks: int = 8) -> ContactMap:  # fmt: skip
    """Contact map of the chains ``chains`` ((first id, length) each, all of one length and
    one type pattern), averaged over the frames ``positions`` (F, N, d) and over the chains."""
    box = np.asarray(box, dtype=np.float64)
    lengths = {length for _, length in chains}
    if len(lengths) != 1:
        raise ValueError(f"contact_map: chains of one length are needed, got lengths {sorted(lengths)}")
    length = lengths.pop()
    types = typeid[chains[0][0] : chains[0][0] + length]
    for first, _ in chains[1:]:
        if not np.array_equal(typeid[first : first + length], types):
            raise ValueError("contact_map: the chains do not share one type pattern")
    n_frames = positions.shape[0]
    n_blocks = max(1, min(blocks, n_frames))
    edges = np.linspace(0, n_frames, n_blocks + 1).round().astype(int)
    out = np.zeros((n_blocks, length, length))
    for b in range(n_blocks):
        for f in range(edges[b], edges[b + 1]):
            x = np.mod(positions[f], box)
            for first, _ in chains:
                tree = cKDTree(x[first : first + length], boxsize=box)
                pairs = tree.query_pairs(radius, output_type="ndarray")
                out[b, pairs[:, 0], pairs[:, 1]] += 1.0
        out[b] /= max(edges[b + 1] - edges[b], 1) * len(chains)
        out[b] += out[b].T
        np.fill_diagonal(out[b], 1.0)
    weights = np.diff(edges) / n_frames
    return ContactMap(np.tensordot(weights, out, axes=1), out, types, radius)


def _score(p: np.ndarray, like: np.ndarray, s_min: int) -> float:
    n = p.shape[0]
    i, j = np.triu_indices(n, k=s_min)
    s = j - i
    expected = np.bincount(s, weights=p[i, j], minlength=n) / np.maximum(np.bincount(s, minlength=n), 1)
    lk = like[i, j]
    if not lk.any() or lk.all():
        return float("nan")
    # observed over expected contacts, summed over like (unlike) pairs: weights each pair by
    # its expected contacts, so that the rare, noisy contacts far along the chain count little
    return float(p[i, j][lk].sum() / expected[s][lk].sum() - p[i, j][~lk].sum() / expected[s][~lk].sum())


def compartment_score(cmap: ContactMap, s_min: int = 2) -> tuple[float, float]:
    """(score, standard error over the blocks of frames): observed / expected contacts of like
    pairs (hot-hot, cold-cold) minus that of unlike pairs, over |i - j| >= s_min.  0 for a
    chain without compartments."""
    like = cmap.types[:, None] == cmap.types[None, :]
    score = _score(cmap.probability, like, s_min)
    per_block = np.array([_score(b, like, s_min) for b in cmap.blocks])
    per_block = per_block[np.isfinite(per_block)]
    err = float(per_block.std(ddof=1) / np.sqrt(len(per_block))) if len(per_block) > 1 else float("nan")
    return score, err


def separation_msd(positions: np.ndarray, box, chains, typeid: np.ndarray) -> dict[str, np.ndarray]:
    """<|r_i - r_j|^2> against s = |i - j| (index s - 1), over frames and chains, for pairs of
    like types (``"<type>"``: both monomers of that type index) and ``"mixed"`` pairs."""
    box = np.asarray(box, dtype=np.float64)
    length = chains[0][1]
    sums: dict[str, np.ndarray] = {}
    counts: dict[str, np.ndarray] = {}
    for first, ln in chains:
        if ln != length:
            raise ValueError("separation_msd: chains of one length are needed")
        x = unwrap_chain(positions, box, first, length)  # (F, L, d)
        t = typeid[first : first + length]
        for s in range(1, length):
            d2 = np.sum((x[:, s:] - x[:, :-s]) ** 2, axis=-1).mean(axis=0)  # (L - s,)
            a, b = t[s:], t[:-s]
            groups = {**{str(k): (a == k) & (b == k) for k in np.unique(t)}, "mixed": a != b}
            for name, sel in groups.items():
                sums.setdefault(name, np.zeros(length - 1))[s - 1] += d2[sel].sum()
                counts.setdefault(name, np.zeros(length - 1))[s - 1] += sel.sum()
    return {k: np.where(counts[k] > 0, sums[k] / np.maximum(counts[k], 1), np.nan) for k in sums}


def block_gyration(positions: np.ndarray, box, chains, typeid: np.ndarray) -> dict[int, float]:
    """Mean squared radius of gyration of the runs of equal type along the chains, by type index."""
    box = np.asarray(box, dtype=np.float64)
    values: dict[int, list[float]] = {}
    for first, length in chains:
        x = unwrap_chain(positions, box, first, length)
        t = typeid[first : first + length]
        starts = np.flatnonzero(np.r_[True, t[1:] != t[:-1]])
        ends = np.r_[starts[1:], length]
        for a, b in zip(starts, ends, strict=True):
            if b - a < 2:
                continue
            seg = x[:, a:b]
            rg2 = np.mean(np.sum((seg - seg.mean(axis=1, keepdims=True)) ** 2, axis=-1), axis=1)
            values.setdefault(int(t[a]), []).append(float(rg2.mean()))
    return {k: float(np.mean(v)) for k, v in values.items()}


def radial_profile(positions: np.ndarray, centre, typeid: np.ndarray, radius: float,
                   bins: int = 20) -> tuple[np.ndarray, dict[int, np.ndarray]]:  # fmt: skip
    """(bin edges, number density of each type index in each spherical shell), over frames."""
    d = positions.shape[-1]
    r = np.linalg.norm(positions - np.asarray(centre), axis=-1)  # (F, N)
    edges = np.linspace(0.0, radius * 1.1, bins + 1)
    shell = np.diff(edges**d) * (np.pi if d == 2 else 4 * np.pi / 3)
    out = {}
    for k in np.unique(typeid):
        h, _ = np.histogram(r[:, typeid == k], bins=edges)
        out[int(k)] = h / shell / positions.shape[0]
    return edges, out


def contacts_against_distance(cmap: ContactMap, bins: int = 24) -> dict[str, np.ndarray]:
    """Observed over expected contacts (contacts summed over the pairs of a kind at each |i - j|,
    divided by the diagonal's mean) for ``"like"`` and ``"unlike"`` pairs, in log-spaced bins of
    s = |i - j|: ``{"s": centres, "like": ..., "unlike": ...}``.  Compartments: like > 1 > unlike."""
    p = cmap.probability
    n = p.shape[0]
    i, j = np.triu_indices(n, k=1)
    s = j - i
    like = cmap.types[i] == cmap.types[j]
    expected = np.bincount(s, weights=p[i, j], minlength=n) / np.maximum(np.bincount(s, minlength=n), 1)
    edges = np.unique(np.geomspace(1, n, bins + 1).astype(int))
    which = np.digitize(s, edges) - 1
    out = {"s": np.sqrt(edges[:-1] * np.maximum(edges[1:] - 1, edges[:-1]))}
    for name, sel in (("like", like), ("unlike", ~like)):
        obs_sum = np.bincount(which[sel], weights=p[i, j][sel], minlength=len(edges))[: len(edges) - 1]
        exp_sum = np.bincount(which[sel], weights=expected[s][sel], minlength=len(edges))[: len(edges) - 1]
        out[name] = np.where(exp_sum > 0, obs_sum / np.where(exp_sum > 0, exp_sum, 1.0), np.nan)
    return out
