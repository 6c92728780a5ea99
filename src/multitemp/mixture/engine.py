"""The many-body engine: a mixture's state and the kernel that advances it.

The state lives in *storage order* (particles sorted by neighbour cell at the last list
build, see :mod:`multitemp.mixture.kernel`); ``tag`` maps storage slots to particle ids.
Everything a user sees (positions, images, heat) is returned in particle-id order.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numba
import numpy as np

from multitemp.core.driver import BlowUpError
from multitemp.core.files import load_npz, save_npz
from multitemp.core.potentials.registry import kernel_user_functions
from multitemp.mixture import kernel
from multitemp.mixture.model import Mixture

__all__ = ["ManyBodyState", "ManyBodyEngine", "random_positions"]


@dataclass
class ManyBodyState:
    """Everything needed to continue a run bit for bit (storage order)."""

    step: int
    x: np.ndarray  # (N, d) positions in [0, L)
    img: np.ndarray  # (N, d) int64 image counts: unwrapped = x + img * L
    f: np.ndarray  # (N, d) forces at x
    heat: np.ndarray  # (N,) heat into each particle's bath since burn-in
    tag: np.ndarray  # (N,) particle id of each slot
    xb: np.ndarray  # positions at the last neighbour-list build (cell order)
    imgb: np.ndarray
    n_builds: int = 0

    _ARRAYS = ("x", "img", "f", "heat", "tag", "xb", "imgb")

    def save(self, path: Path, **extra: np.ndarray) -> None:
        """Write atomically, with ``extra`` arrays beside the state."""
        save_npz(path, step=self.step, n_builds=self.n_builds, **{k: getattr(self, k) for k in self._ARRAYS}, **extra)

    @classmethod
    def load(cls, path: Path) -> tuple[ManyBodyState, dict[str, np.ndarray]]:
        """The state and the extra arrays saved with it."""
        data = load_npz(path)
        state = cls(
            step=int(data.pop("step")), n_builds=int(data.pop("n_builds")), **{k: data.pop(k) for k in cls._ARRAYS}
        )
        return state, data

    def by_tag(self, a: np.ndarray) -> np.ndarray:
        out = np.empty_like(a)
        out[self.tag] = a
        return out


def random_positions(mixture: Mixture, seed: int) -> np.ndarray:
    """Initial positions: uniform in the box (or the container's sphere) for soft repulsion,
    where overlaps are fine; a jittered lattice with types placed at random for WCA, which
    cannot start from overlaps."""
    rng = np.random.default_rng([seed, 0x6D62])
    n, d = mixture.n_particles, mixture.dim
    box = np.asarray(mixture.box)
    centre = box / 2
    radius = mixture.wall[1] if mixture.wall is not None else None
    if mixture.n_bonds:
        return _chain_positions(mixture, rng, box, centre, radius)
    if mixture.pair.kind == "wca":
        volume = np.prod(box) if radius is None else (np.pi * radius**2 if d == 2 else 4 / 3 * np.pi * radius**3)
        spacing = (volume / n) ** (1 / d)
        while True:
            per_axis = np.maximum(np.floor(box / spacing).astype(int), 1)
            grid = np.stack(np.meshgrid(*[(np.arange(m) + 0.5) * L / m for m, L in zip(per_axis, box, strict=True)],
                                        indexing="ij"), axis=-1).reshape(-1, d)  # fmt: skip
            if radius is not None:
                grid = grid[np.linalg.norm(grid - centre, axis=1) < radius]
            if len(grid) >= n:
                break
            spacing *= 0.97
        if radius is not None:  # the n sites closest to the centre
            grid = grid[np.argsort(np.linalg.norm(grid - centre, axis=1), kind="stable")[:n]]
        sites = grid[rng.permutation(len(grid))[:n]]
        return sites + rng.uniform(-0.05, 0.05, (n, d)) * spacing
    if radius is None:
        return rng.uniform(0.0, 1.0, (n, d)) * box
    out = np.empty((n, d))
    filled = 0
    while filled < n:
        trial = rng.uniform(-1.0, 1.0, (2 * (n - filled) + 16, d))
        trial = trial[np.einsum("ij,ij->i", trial, trial) < 1.0][: n - filled]
        out[filled : filled + len(trial)] = trial
        filled += len(trial)
    return centre + radius * out


def _chain_positions(mixture: Mixture, rng: np.random.Generator, box: np.ndarray, centre: np.ndarray,
                     radius: float | None) -> np.ndarray:  # fmt: skip
    """Chains as random walks of steps ``bond.rest_length`` (grown along the bonds from a random
    first monomer), inside the container; free particles at random.  With WCA (which cannot
    start from overlaps) every new site keeps 0.9 sigma from those placed (self-avoiding)."""
    n, d = mixture.n_particles, mixture.dim
    partners = mixture.bond_partners()
    step = mixture.bond.rest_length
    hard = mixture.pair.kind == "wca"
    gap2 = (0.9 * getattr(mixture.pair, "sigma", 1.0)) ** 2
    pos = np.zeros((n, d))
    placed = np.zeros(n, dtype=bool)

    def fits(p: np.ndarray) -> bool:
        if radius is not None and np.sum((p - centre) ** 2) > (radius - 0.5 * step) ** 2:
            return False
        if not hard or not placed.any():
            return True
        u = pos[placed] - p
        u -= box * np.round(u / box)
        return bool(np.min(np.einsum("ij,ij->i", u, u)) > gap2)

    def anywhere() -> np.ndarray:
        for _ in range(10000):
            p = rng.uniform(0.0, 1.0, d) * box if radius is None else centre + radius * rng.uniform(-1.0, 1.0, d)
            if fits(p):
                return p
        return p

    for root in range(n):
        if placed[root]:
            continue
        pos[root] = anywhere()
        placed[root] = True
        queue = [root]
        while queue:
            cur = queue.pop()
            for nxt in partners[cur]:
                if nxt < 0 or placed[nxt]:
                    continue
                for _ in range(200):
                    v = rng.normal(size=d)
                    trial = pos[cur] + step * v / np.linalg.norm(v)
                    if fits(trial):
                        break
                pos[nxt] = trial
                placed[nxt] = True
                queue.append(nxt)
    return pos


class ManyBodyEngine:
    """Advances a mixture (Euler-Maruyama or Heun); accumulates the heat into every bath.

    Args:
        mixture: the system.
        dt: time step.
        seed: noise seed (the noise of particle i at step s is a pure function of (seed, s, i)).
        skin: Verlet skin (length).
        burn_step: first step whose heat is accumulated.
        positions: (N, d) initial positions (particle-id order), for a fresh start.
        state: a saved state, to continue bit for bit.
        integrator: "euler" or "heun".
    """

    def __init__(self, mixture: Mixture, dt: float, seed: int, skin: float, burn_step: int = 0,
                 positions: np.ndarray | None = None, state: ManyBodyState | None = None,
                 integrator: str = "euler"):  # fmt: skip
        if mixture.pair.kind != "none" and getattr(mixture.pair, "cutoff", None) is None:
            raise ValueError(
                "the many-body engine needs a pair potential with a finite cutoff (CustomPair(..., cutoff=...))"
            )
        if integrator not in ("euler", "heun"):
            raise ValueError(f"integrator must be 'euler' or 'heun', got {integrator!r}")
        self.heun = integrator == "heun"
        self.mixture = mixture
        self.dt = float(dt)
        self.seed = int(seed)
        self.skin = float(skin)
        self.burn_step = int(burn_step)
        n, d = mixture.n_particles, mixture.dim
        self.box = np.asarray(mixture.box, dtype=np.float64)
        self.pair_kind = np.int64(mixture.pair.kind_id)
        self.pair_p = mixture.pair.params()
        self.wall = mixture.wall_array()
        self.user = kernel_user_functions(mixture.pair)
        # bonds = (partner ids per id, storage slot per id, bond parameters); see kernel
        self.bonds = (mixture.bond_partners(), np.arange(n, dtype=np.int64), mixture.bond_params())
        self.fene = mixture.bond is not None and mixture.bond.kind == "fene"
        self.cells = np.zeros(4 * n + 2, dtype=np.int64)
        self.scratch_f, self.scratch_i = kernel.build_work_arrays(n, d)
        self.dxs = np.zeros((n, d))
        self.ft = np.zeros((n, d))  # Heun: forces at the predictor
        self.spare = np.zeros((n, 2))  # 2D: the second normal pair of the current Philox block
        self.nnb = np.zeros(n, dtype=np.int32)
        self.nbr = np.zeros((n, 17), dtype=np.int32)  # an odd width (see kernel._rows)
        self.bands = np.zeros(2 * n + 4, dtype=np.int64)  # the force passes' bands (kernel._bands)
        self.fs = np.zeros((n, 2, d))  # the force passes' two sums per particle (kernel._band_start)
        self.dqs = np.zeros((n, 2))  # and of the step's heat
        self.stats = np.zeros(2, dtype=np.int64)
        rlist = mixture.cutoff + self.skin
        if state is None:
            if positions is None:
                raise ValueError("give initial positions or a saved state")
            x = np.array(positions, dtype=np.float64).reshape(n, d)
            img = np.floor_divide(x, self.box).astype(np.int64)
            x = x - img * self.box
            x[x >= self.box] = 0.0  # a rounding edge case of x - floor(x / L) L
            state = ManyBodyState(
                step=0, x=np.ascontiguousarray(x), img=img, f=np.zeros((n, d)), heat=np.zeros(n),
                tag=np.arange(n, dtype=np.int64), xb=np.zeros((n, d)), imgb=np.zeros((n, d), dtype=np.int64),
            )  # fmt: skip
            self.state = state
            self._per_slot()
            self.nbr = kernel.build_neighbors(
                state.x, state.img, state.f, self.dxs, self.spare, state.heat, state.tag, self.mudt, self.amp,
                state.xb, state.imgb, self.box, rlist, self.cells, self.scratch_f, self.scratch_i, self.nbr, self.nnb,
                self.bonds, self.bands,
            )  # fmt: skip
            kernel.compute_forces(state.x, self.box, mixture.cutoff, self.pair_kind, self.pair_p, self.wall,
                                  self.nbr, self.nnb, state.f, self.fs, self.user, state.tag, self.bonds,
                                  self.bands, kernel.pair_buffer(self.bands, np.empty((2, 0), np.uint32)))  # fmt: skip
            if not np.isfinite(state.f).all():
                raise ValueError(
                    "the initial forces are not finite: a FENE bond is stretched past its maximum length "
                    f"r_max = {mixture.bond.max_length():g}" if self.fene else "the initial forces are not finite"
                )
        else:
            if state.x.shape != (n, d):
                raise ValueError(f"saved state has {state.x.shape} positions, the mixture needs ({n}, {d})")
            self.state = state
            self._per_slot()
            if not kernel.in_cell_order(state.xb, self.box, rlist, self.cells):
                raise ValueError("saved state is not in neighbour-cell order (not written by this engine?)")
            self.nbr = kernel.restore_neighbors(state.xb, self.box, rlist, self.cells, self.nbr, self.nnb, state.tag,
                                                self.bonds, self.bands)  # fmt: skip
        self.stats[0] = self.state.n_builds

    def _per_slot(self) -> None:
        """mu dt and sqrt(2 mu T dt) per storage slot (recomputed from the tags: same bits)."""
        m = self.mixture
        mu = m.mobilities[self.state.tag]
        t = m.temperatures[self.state.tag]
        self.mudt = mu * self.dt
        self.amp = np.sqrt(2.0 * mu * t * self.dt)

    def advance(self, n_steps: int) -> None:
        """Advance n_steps steps (any split into calls gives the same bits)."""
        s = self.state
        self.nbr, bad_step = kernel.advance(
            s.x, s.img, s.f, self.dxs, self.spare, s.heat, s.tag, self.mudt, self.amp, s.xb, s.imgb, self.nbr, self.nnb,
            self.cells, self.scratch_f, self.scratch_i, self.box, self.mixture.cutoff, self.skin, self.pair_kind,
            self.pair_p, self.wall, self.seed, s.step, int(n_steps), self.burn_step, self.stats, self.user, self.heun, self.ft,
            self.bonds, self.bands, self.fs, self.dqs,
        )  # fmt: skip
        if bad_step >= 0:
            where = "(a particle moved more than half the box in one step"
            where += ", or a FENE bond was stretched past its maximum length)" if self.fene else ")"
            raise BlowUpError(int(bad_step), self.dt, where)
        s.step += int(n_steps)
        s.n_builds = int(self.stats[0])

    @property
    def step(self) -> int:
        return self.state.step

    def positions(self) -> np.ndarray:
        """(N, d) positions in [0, L), particle-id order."""
        return self.state.by_tag(self.state.x)

    def images(self) -> np.ndarray:
        return self.state.by_tag(self.state.img)

    def unwrapped(self) -> np.ndarray:
        return self.positions() + self.images() * self.box

    def heat(self) -> np.ndarray:
        """(N,) heat into each particle's bath since burn-in (Stratonovich), particle-id order."""
        return self.state.by_tag(self.state.heat)

    def forces(self) -> np.ndarray:
        return self.state.by_tag(self.state.f)

    @property
    def neighbor_builds(self) -> int:
        return int(self.stats[0])

    @staticmethod
    def set_threads(threads: int | None) -> None:
        if threads:
            numba.set_num_threads(min(threads, numba.config.NUMBA_NUM_THREADS))
