"""Many-body engine: neighbour lists, forces, reproducibility, checkpoint/resume."""

from __future__ import annotations

import gsd.hoomd
import numba
import numpy as np
import pytest
from conftest import mixture_config

from multitemp.core.driver import RunInterrupted
from multitemp.mixture import kernel
from multitemp.mixture.engine import ManyBodyEngine, random_positions
from multitemp.mixture.run import run_mixture


def reference_forces(engine: ManyBodyEngine) -> np.ndarray:
    m = engine.mixture
    f = np.zeros((m.n_particles, m.dim))
    kernel.all_pairs_forces(
        engine.positions(), engine.box, m.cutoff, engine.pair_kind, engine.pair_p, engine.wall, f, None, m.bonds, m.bond_params()
    )
    return f


@pytest.mark.parametrize(
    "over",
    [
        {},
        {"mixture.dim": 3, "mixture.phi": 0.3},
        {"pair_potential": {"kind": "wca", "epsilon": 1.0, "sigma": 1.0}, "mixture.phi": 0.2},
        {"container": {"kind": "sphere", "stiffness": 50.0}},
        {"container": {"kind": "sphere", "stiffness": 50.0}, "mixture.dim": 3, "mixture.phi": 0.3},
    ],
)
def test_forces_match_all_pairs_after_many_steps(over):
    """No pair is ever dropped: after 300 steps of hot particles moving ~0.06 per step (many
    list rebuilds, the skin is small), the list forces equal the all-pairs forces."""
    cfg = mixture_config(**over)
    m = cfg.build()
    dt = 1e-5 if cfg.pair_potential.kind == "wca" else 1e-4
    engine = ManyBodyEngine(m, dt, 1, cfg.neighbors.skin, positions=random_positions(m, 1))
    np.testing.assert_allclose(engine.forces(), reference_forces(engine), rtol=1e-12, atol=1e-9)
    engine.advance(300)
    assert engine.neighbor_builds > 10
    f = engine.forces()
    assert np.abs(f).max() > 1.0
    np.testing.assert_allclose(f, reference_forces(engine), rtol=1e-12, atol=1e-9)


@pytest.mark.parametrize("integrator", ["euler", "heun"])
@pytest.mark.parametrize(
    "over", [{}, {"mixture.dim": 3, "mixture.phi": 0.3}, {"container": {"kind": "sphere", "stiffness": 50.0}}]
)
def test_first_law_holds_step_by_step(over, integrator):
    """The heats of all baths add up to minus the energy change, to rounding (the discrete
    gradient); the plain trapezoid rule misses by O(dt) with these kinked forces."""
    cfg = mixture_config(**over)
    m = cfg.build()
    engine = ManyBodyEngine(m, 1e-4, 1, 0.5, positions=random_positions(m, 1), integrator=integrator)
    energy = [
        kernel.all_pairs_energy(
            engine.positions(), engine.box, m.cutoff, engine.pair_kind, engine.pair_p, engine.wall, None, m.bonds, m.bond_params()
        )
    ]
    engine.advance(500)
    energy.append(
        kernel.all_pairs_energy(
            engine.positions(), engine.box, m.cutoff, engine.pair_kind, engine.pair_p, engine.wall, None, m.bonds, m.bond_params()
        )
    )
    heat = engine.heat()
    scale = np.abs(heat).sum()
    assert scale > 100.0
    assert abs(heat.sum() + energy[1] - energy[0]) < 1e-10 * scale


def test_wall_holds_particles():
    cfg = mixture_config(container={"kind": "sphere", "stiffness": 100.0})
    m = cfg.build()
    engine = ManyBodyEngine(m, 1e-4, 1, 0.5, positions=random_positions(m, 1))
    engine.advance(2000)
    r = np.linalg.norm(engine.unwrapped() - np.asarray(m.box) / 2, axis=1)
    # penetration beyond R: Boltzmann tail exp(-k_w delta^2 / 2 T_h), plus the gas pressure
    assert r.max() < m.wall[1] + 5 * np.sqrt(20.0 / 100.0)
    assert np.mean(r < m.wall[1]) > 0.9
    assert np.all(engine.images() == 0)


@pytest.mark.parametrize("integrator", ["euler", "heun"])
def test_bit_identical_for_threads_and_segments(fresh_threads, integrator):
    cfg = mixture_config()
    m = cfg.build()
    results = []
    # the last: calls of one step in the heat's run, each starting with a heat pass that
    # recomputes the entries' flags "within the cutoff before the step" (kernel; a wrong flag
    # drops a pair from the heat, which test_first_law_holds_step_by_step sees)
    for threads, segments in ((1, [500]), (2, [500]), (2, [1, 99, 400]), (1, [150, 1, 1, 1, 1, 346])):
        numba.set_num_threads(threads)
        engine = ManyBodyEngine(m, 1e-4, 5, 0.5, burn_step=100, positions=random_positions(m, 2), integrator=integrator)
        for n in segments:
            engine.advance(n)
        results.append((engine.unwrapped(), engine.heat()))
    for pos, heat in results[1:]:
        assert np.array_equal(pos, results[0][0])
        assert np.array_equal(heat, results[0][1])


def test_noise_is_the_documented_stream():
    """Free particles (no neighbours): displacements are amp * the Philox normals; in 2D,
    step n uses normals 2 (n % 2), 2 (n % 2) + 1 of block n // 2, also across a restart."""
    from multitemp.core.rng import normal_block

    cfg = mixture_config(**{"mixture.particles": 2, "mixture.phi": 0.001})
    m = cfg.build()
    start = np.array([[1.0, 1.0], [20.0, 20.0]])
    engine = ManyBodyEngine(m, 1e-4, 11, 0.5, positions=start)
    before = start
    for step in range(3):
        engine.advance(1)
        if step == 1:  # a fresh engine from the saved state, at an odd step
            engine = ManyBodyEngine(m, 1e-4, 11, 0.5, state=engine.state)
        for i, t in enumerate(m.temperatures):
            block = normal_block(step // 2, 0, np.uint64(11), np.uint64(i))
            g = np.array(block[2 * (step % 2) : 2 * (step % 2) + 2])
            np.testing.assert_allclose(engine.unwrapped()[i] - before[i], np.sqrt(2 * t * 1e-4) * g, rtol=1e-9)
        before = engine.unwrapped()


def _frames(path):
    with gsd.hoomd.open(str(path), "r") as traj:
        return [(f.configuration.step, f.particles.position.copy(), f.particles.image.copy()) for f in traj]


def test_interrupt_and_resume_is_bit_identical(tmp_path):
    cfg = mixture_config()
    whole = run_mixture(cfg, tmp_path / "whole")
    with pytest.raises(RunInterrupted):
        run_mixture(cfg, tmp_path / "cut", stop_after_steps=901)  # mid-frame
    assert len(_frames(tmp_path / "cut" / "trajectory.gsd")) == 3  # steps 0, 400, 800 kept
    resumed = run_mixture(cfg, tmp_path / "cut", resume=True)
    a, b = _frames(whole.trajectory), _frames(resumed.trajectory)
    assert [f[0] for f in a] == [f[0] for f in b] == list(range(0, 2001, 400))
    for fa, fb in zip(a, b, strict=True):
        assert np.array_equal(fa[1], fb[1]) and np.array_equal(fa[2], fb[2])
    for key in ("entropy_production_rate", "heat_rate", "center_drift"):
        assert whole.summary[key] == resumed.summary[key]


def test_resume_after_kill_between_checkpoint_and_frame(tmp_path):
    """The checkpoint is written before its frame: a kill between them loses no frame."""
    cfg = mixture_config()
    whole = run_mixture(cfg, tmp_path / "whole")
    with pytest.raises(RunInterrupted):
        run_mixture(cfg, tmp_path / "cut", stop_after_steps=800)
    # drop the last frame, as if the kill came right after the checkpoint
    path = tmp_path / "cut" / "trajectory.gsd"
    frames = []
    with gsd.hoomd.open(str(path), "r") as traj:
        frames = [traj[i] for i in range(len(traj) - 1)]
    with gsd.hoomd.open(str(path), "w") as traj:
        for f in frames:
            traj.append(f)
    resumed = run_mixture(cfg, tmp_path / "cut", resume=True)
    a, b = _frames(whole.trajectory), _frames(resumed.trajectory)
    assert len(a) == len(b)
    for fa, fb in zip(a, b, strict=True):
        assert fa[0] == fb[0] and np.array_equal(fa[1], fb[1])


def test_gsd_frames_open_with_gsd_alone(tmp_path):
    cfg = mixture_config()
    out = run_mixture(cfg, tmp_path)
    with gsd.hoomd.open(str(out.trajectory), "r") as traj:
        f = traj[-1]
        assert f.particles.types == ["hot", "cold"]
        assert f.configuration.dimensions == 2
        assert f.particles.N == 600
        np.testing.assert_array_equal(f.log["particles/temperature"][:300], 20.0)
        assert np.all(np.abs(f.particles.position[:, :2]) <= f.configuration.box[0] / 2)
        assert b'"mixture"' in bytes(f.log["multitemp/config"])
