"""Phase separation of hot and cold particles, measured on GSD frames (physics.md section 7).

Clusters, local densities and pair correlations come from freud; this module only chooses
what to compute:

* largest cold-cluster fraction: cold particles closer than the contact distance (default
  1.1 s, s the particle diameter) are bonded; the largest cluster's size / N_cold;
* local cold packing fraction at every particle (freud LocalDensity, radius ``2 s``): bimodal
  when a dense cold phase coexists with a hot gas;
* demixing order parameter ``psi = (f - f_rand) / (1 - f_rand)``: f is the mean fraction of
  like neighbours within ``2 s`` (a local composition over the first two shells, so that
  hot and cold softness, which shifts the first shell, matters little) over particles with
  a neighbour, and f_rand its value for random mixing, the mean of (N_type - 1) / (N - 1);
  psi = 0 when mixed, 1 when fully separated.  With chains (frames with bonds) only
  neighbours on other chains count (the monomers of one chain are neighbours by
  construction), and f_rand is taken over the particles of the other chains;
* partial pair correlations g_hh, g_cc, g_hc (freud RDF);
* coarsening length L = 2 pi / <q>, with <q> the first moment of the concentration structure
  factor S_cc(q) = |c_q|^2 / N, c = n_cold - n_hot on a grid of cell ~ s, over q < pi / s.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import freud
import gsd.hoomd
import numpy as np

from multitemp.mixture.model import particle_volume
from multitemp.mixture.trajectory import TrajectoryError

__all__ = ["FrameAnalysis", "analyze_frame", "analyze_trajectory", "partial_rdfs", "AnalysisOptions"]


@dataclass(frozen=True)
class AnalysisOptions:
    cold_type: str = "cold"
    hot_type: str = "hot"
    contact: float | None = None  # cluster bond length; default 1.1 diameters
    composition_radius: float | None = None  # demixing neighbourhood; default 2 diameters
    density_bins: int = 40
    rdf_bins: int = 60
    rdf_r_max: float = 3.0


@dataclass
class FrameAnalysis:
    step: int
    largest_cold_cluster_fraction: float
    demixing: float
    coarsening_length: float
    cold_local_phi: np.ndarray  # histogram over density_bins of the local cold packing fraction
    phi_edges: np.ndarray

    def as_dict(self) -> dict:
        return {
            "step": self.step,
            "largest_cold_cluster_fraction": self.largest_cold_cluster_fraction,
            "demixing": self.demixing,
            "coarsening_length": self.coarsening_length,
        }


def _system(frame: gsd.hoomd.Frame) -> tuple[freud.box.Box, np.ndarray]:
    d = int(frame.configuration.dimensions)
    b = np.asarray(frame.configuration.box, dtype=np.float64)
    box = freud.box.Box(Lx=b[0], Ly=b[1], is2D=True) if d == 2 else freud.box.Box.from_box(b, dimensions=3)
    pts = np.array(frame.particles.position, dtype=np.float32)
    if d == 2:
        pts[:, 2] = 0.0
    return box, pts


def _diameter(frame: gsd.hoomd.Frame) -> float:
    dia = frame.particles.diameter
    return float(np.median(dia)) if dia is not None and len(dia) else 1.0


def _type_ids(frame: gsd.hoomd.Frame, opts: AnalysisOptions) -> tuple[int, int]:
    types = list(frame.particles.types)
    for key, name in (("cold", opts.cold_type), ("hot", opts.hot_type)):
        if name not in types:
            raise TrajectoryError(f"--{key}-type {name!r} is not a type of this trajectory; its types are {types}")
    return types.index(opts.cold_type), types.index(opts.hot_type)


def molecule_ids(frame: gsd.hoomd.Frame) -> np.ndarray:
    """(N,) molecule of each particle: connected by the frame's bonds (a free particle is its own)."""
    n = int(frame.particles.N)
    if not frame.bonds.N:
        return np.arange(n)
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    g = np.asarray(frame.bonds.group, dtype=np.int64)
    graph = coo_matrix((np.ones(len(g)), (g[:, 0], g[:, 1])), shape=(n, n))
    return connected_components(graph, directed=False)[1]


def analyze_frame(frame: gsd.hoomd.Frame, opts: AnalysisOptions = AnalysisOptions()) -> FrameAnalysis:
    """The phase-separation observables of one frame."""
    cold_id, hot_id = _type_ids(frame, opts)
    box, pts = _system(frame)
    d = int(frame.configuration.dimensions)
    typeid = np.asarray(frame.particles.typeid)
    sigma = _diameter(frame)
    contact = opts.contact or 1.1 * sigma
    shell = opts.composition_radius or 2.0 * sigma
    cold = typeid == cold_id
    n_cold = int(cold.sum())

    largest = 0.0
    if n_cold:
        cl = freud.cluster.Cluster()
        cl.compute((box, pts[cold]), neighbors={"r_max": contact})
        largest = float(np.bincount(cl.cluster_idx).max() / n_cold)

    # like-neighbour fraction against random mixing
    nl = freud.locality.AABBQuery(box, pts).query(pts, {"r_max": shell, "exclude_ii": True}).toNeighborList()
    qi, pj = nl.query_point_indices, nl.point_indices
    n = len(pts)
    molecule = molecule_ids(frame)
    keep = molecule[qi] != molecule[pj]
    qi, pj = qi[keep], pj[keep]
    total = np.bincount(qi, minlength=n)
    like = np.bincount(qi, weights=(typeid[qi] == typeid[pj]).astype(float), minlength=n)
    has = total > 0
    if has.any():
        f_like = float(np.mean(like[has] / total[has]))
        counts = np.bincount(typeid, minlength=typeid.max() + 1)
        mol_size = np.bincount(molecule)
        same = np.bincount(molecule * (typeid.max() + 1) + typeid)  # particles of (molecule, type)
        own = same[molecule * (typeid.max() + 1) + typeid]
        f_rand = float(np.mean(((counts[typeid] - own) / np.maximum(n - mol_size[molecule], 1))[has]))
        demix = (f_like - f_rand) / (1 - f_rand) if f_rand < 1 else 0.0
    else:
        demix = 0.0

    # local cold packing fraction at every particle
    r_loc = 2.0 * sigma
    ld = freud.density.LocalDensity(r_max=r_loc, diameter=sigma)
    ld.compute((box, pts[cold]), query_points=pts)
    phi_local = ld.density * particle_volume(d, sigma)
    edges = np.linspace(0.0, 1.2 if d == 2 else 0.8, opts.density_bins + 1)
    hist, _ = np.histogram(np.clip(phi_local, 0, edges[-1] - 1e-9), bins=edges, density=True)

    return FrameAnalysis(
        step=int(frame.configuration.step),
        largest_cold_cluster_fraction=largest,
        demixing=float(demix),
        coarsening_length=coarsening_length(frame, cold, typeid == hot_id, sigma),
        cold_local_phi=hist,
        phi_edges=edges,
    )


def structure_factor(frame: gsd.hoomd.Frame, cold: np.ndarray, hot: np.ndarray, sigma: float):
    """Radially averaged concentration structure factor: (q, S_cc(q)) for 0 < q < pi / sigma."""
    d = int(frame.configuration.dimensions)
    lengths = np.asarray(frame.configuration.box[:d], dtype=np.float64)
    pos = np.asarray(frame.particles.position[:, :d], dtype=np.float64) + lengths / 2
    nbin = np.maximum((lengths / sigma).astype(int), 4)
    rng = [(0.0, length) for length in lengths]
    c = np.histogramdd(pos[cold], bins=nbin, range=rng)[0] - np.histogramdd(pos[hot], bins=nbin, range=rng)[0]
    ck = np.fft.rfftn(c - c.mean())
    s = np.abs(ck) ** 2 / len(pos)
    qs = np.meshgrid(*[2 * np.pi * np.fft.fftfreq(m, length / m) for m, length in zip(nbin[:-1], lengths[:-1], strict=True)],
                     2 * np.pi * np.fft.rfftfreq(nbin[-1], lengths[-1] / nbin[-1]), indexing="ij")  # fmt: skip
    q = np.sqrt(sum(g**2 for g in qs))
    keep = (q > 0) & (q < np.pi / sigma)
    dq = 2 * np.pi / lengths.max()
    idx = np.floor(q[keep] / dq).astype(int)
    num = np.bincount(idx, weights=s[keep])
    cnt = np.bincount(idx)
    ok = cnt > 0
    return (np.arange(len(cnt))[ok] + 0.5) * dq, num[ok] / cnt[ok]


def coarsening_length(frame: gsd.hoomd.Frame, cold: np.ndarray, hot: np.ndarray, sigma: float) -> float:
    """L = 2 pi / <q>, <q> = sum q S(q) / sum S(q) over the shells 0 < q < pi / sigma."""
    q, s = structure_factor(frame, cold, hot, sigma)
    return float(2 * np.pi * s.sum() / (q * s).sum()) if s.sum() > 0 else float("nan")


def partial_rdfs(frames: list[gsd.hoomd.Frame], opts: AnalysisOptions = AnalysisOptions()) -> dict[str, np.ndarray]:
    """g_hh, g_cc, g_hc averaged over frames (freud RDF), with the bin centres as ``r``."""
    out: dict[str, freud.density.RDF] = {
        k: freud.density.RDF(opts.rdf_bins, opts.rdf_r_max) for k in ("hh", "cc", "hc")
    }
    for frame in frames:
        cold_id, hot_id = _type_ids(frame, opts)
        box, pts = _system(frame)
        typeid = np.asarray(frame.particles.typeid)
        hot, cold = pts[typeid == hot_id], pts[typeid == cold_id]
        out["hh"].compute((box, hot), reset=False)
        out["cc"].compute((box, cold), reset=False)
        out["hc"].compute((box, cold), query_points=hot, reset=False)
    result = {f"g_{k}": np.asarray(v.rdf) for k, v in out.items()}
    result["r"] = np.asarray(out["hh"].bin_centers)
    return result


def open_trajectory(path: Path) -> gsd.hoomd.HOOMDTrajectory:
    if not Path(path).exists():
        raise TrajectoryError(f"trajectory not found: {path}")
    try:
        return gsd.hoomd.open(str(path), "r")
    except Exception as err:
        raise TrajectoryError(f"{path} is not a readable GSD file: {err}") from None


def analyze_trajectory(path: Path, opts: AnalysisOptions = AnalysisOptions(), stride: int = 1):
    """Time series of the observables over the frames (every ``stride``-th, and the last),
    the partial RDFs of the last quarter of the frames, as one xarray Dataset."""
    import xarray as xr

    with open_trajectory(path) as traj:
        n = len(traj)
        if n == 0:
            raise TrajectoryError(f"{path} has no frames")
        picks = sorted(set(range(0, n, max(1, stride))) | {n - 1})
        results = [analyze_frame(traj[i], opts) for i in picks]
        tail = [traj[i] for i in range(max(0, n - max(1, n // 4)), n)]
        rdf = partial_rdfs(tail, opts)
        dt = None
        cfg = traj[0].log.get("multitemp/config")
    if cfg is not None:
        import json

        dt = json.loads(bytes(np.asarray(cfg, dtype=np.uint8)).decode())["run"]["dt"]
    steps = np.array([r.step for r in results])
    ds = xr.Dataset(
        {
            "largest_cold_cluster_fraction": ("frame", [r.largest_cold_cluster_fraction for r in results]),
            "demixing": ("frame", [r.demixing for r in results]),
            "coarsening_length": ("frame", [r.coarsening_length for r in results]),
            "cold_local_phi_density": (("frame", "phi"), np.array([r.cold_local_phi for r in results])),
            "g_hh": ("r", rdf["g_hh"]),
            "g_cc": ("r", rdf["g_cc"]),
            "g_hc": ("r", rdf["g_hc"]),
        },
        coords={
            "step": ("frame", steps),
            "time": ("frame", steps * dt if dt else steps.astype(float)),
            "phi": 0.5 * (results[0].phi_edges[1:] + results[0].phi_edges[:-1]),
            "r": rdf["r"],
        },
        attrs={"trajectory": str(path), "cold_type": opts.cold_type, "hot_type": opts.hot_type},
    )
    return ds, results[-1]
