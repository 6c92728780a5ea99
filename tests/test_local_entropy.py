"""Where the entropy is produced (physics.md section 7): per-particle heat from the kernel adds
up to the totals step by step, and the configurational estimator
q_i = mu_i (<|grad_i U|^2> - T_i <laplacian_i U>) agrees with it in a steady state."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import mixture_config, within

from multitemp.api import parse_config
from multitemp.mixture import kernel
from multitemp.mixture.configurational import configurational_heat, forces_and_laplacians
from multitemp.mixture.engine import ManyBodyEngine, random_positions
from multitemp.mixture.simulation import MixtureSimulation


def test_laplacian_is_minus_the_divergence_of_the_force():
    cfg = mixture_config(**{"mixture.particles": 60, "mixture.phi": 0.5})
    m = cfg.build()
    x = random_positions(m, 2)
    f0, lap = forces_and_laplacians(x, m)
    h = 1e-6
    div = np.zeros(m.n_particles)
    for i in range(m.n_particles):
        for a in range(m.dim):
            xp, xm = x.copy(), x.copy()
            xp[i, a] += h
            xm[i, a] -= h
            div[i] += (forces_and_laplacians(xp, m)[0][i, a] - forces_and_laplacians(xm, m)[0][i, a]) / (2 * h)
    assert np.abs(lap).max() > 10
    np.testing.assert_allclose(lap, -div, rtol=1e-5, atol=1e-4)


def test_per_particle_entropy_adds_up_to_the_total_every_step():
    """Each step: sum_i dQ_i / T_i equals the entropy production of the baths by type, and
    sum_i dQ_i = -dU (first law), both to 1e-10 of the step's heat."""
    cfg = mixture_config()
    m = cfg.build()
    engine = ManyBodyEngine(m, 1e-4, 1, 0.5, positions=random_positions(m, 1))
    temps = m.temperatures
    args = (engine.box, m.cutoff, engine.pair_kind, engine.pair_p, engine.wall, None, m.bonds, m.bond_params())
    energy = kernel.all_pairs_energy(engine.positions(), *args)
    heat = engine.heat()
    for _ in range(30):
        engine.advance(1)
        new_heat = engine.heat()
        dq = new_heat - heat
        by_type = np.bincount(m.typeid, weights=dq) / np.asarray(m.type_temperatures)
        new_energy = kernel.all_pairs_energy(engine.positions(), *args)
        scale = np.abs(dq).sum()
        assert scale > 1.0
        assert abs(np.sum(dq / temps) - by_type.sum()) < 1e-10 * scale
        assert abs(dq.sum() + new_energy - energy) < 1e-10 * scale
        heat, energy = new_heat, new_energy


@pytest.mark.parametrize("case", ["hot/cold soft disks", "ideal block chains"])
def test_configurational_and_trajectory_heat_agree(case):
    """In a steady state the heat into each type's baths (the mixture) or into each monomer's
    bath along the chain (chains, also against the exact theory) is the same from the kernel's
    trajectories and from snapshots alone, within 5 standard errors."""
    if case == "hot/cold soft disks":
        cfg = mixture_config(**{"mixture.particles": 400, "mixture.types": [
            {"name": "hot", "temperature": 5.0, "fraction": 0.5}, {"name": "cold", "temperature": 1.0, "fraction": 0.5}]})  # fmt: skip
        m, dt, burn, steps, every = cfg.build(), 1e-4, 5000, 60_000, 200
    else:
        cfg = parse_config({
            "mixture": {"dim": 3, "phi": 0.001, "types": [{"name": "hot", "temperature": 5.0},
                                                        {"name": "cold", "temperature": 1.0}]},
            "pair_potential": {"kind": "none"},
            "polymer": {"bond": {"kind": "harmonic", "k": 10.0},
                        "chains": [{"count": 32, "monomers": 10,
                                    "pattern": {"kind": "blocks", "blocks": [["hot", 5], ["cold", 5]]}}]},
            "run": {"dt": 1e-3, "time": 1.0}})  # fmt: skip
        m, dt, burn, steps, every = cfg.build(), 1e-3, 10_000, 30_000, 50
    sim = MixtureSimulation(m, dt, 3, skin=0.5, burn_in=burn * dt, integrator="heun")
    sim.advance(burn)
    sim.record()
    frames = []
    for _ in range(steps // every):
        sim.advance(every)
        sim.record()
        frames.append(sim.positions)
    conf, _ = configurational_heat(np.asarray(frames), m)
    ds = sim.dataset()
    traj = ds["particle_heat_rate"].values
    if case == "hot/cold soft disks":
        # per type, error bars from batch means over time (trajectory) and over frame blocks (snapshots)
        s = sim.summary()
        _, conf_err = configurational_heat(np.asarray(frames), m, blocks=10)
        for k in range(2):
            sel = m.typeid == k
            err_c = np.sqrt(np.sum(conf_err[sel] ** 2))  # blocks of frames: one error per particle, independent enough
            err = np.hypot(s["heat_rate_stderr"][k], err_c)
            assert within(s["heat_rate"][k], conf[sel].sum(), err), (k, s["heat_rate"][k], conf[sel].sum(), err)
        assert s["heat_rate"][0] < -5 * s["heat_rate_stderr"][0]  # heat flows out of the hot baths
    else:
        from multitemp.mixture.polymer import ideal_chain_theory

        exact = ideal_chain_theory(m).heat_rate[:10]
        per_chain_t = traj.reshape(32, 10)
        per_chain_c = conf.reshape(32, 10)
        for values in (per_chain_t, per_chain_c):
            z = (values.mean(0) - exact) / (values.std(0, ddof=1) / np.sqrt(32))
            assert np.all(np.abs(z) < 5), z
        diff = per_chain_t - per_chain_c  # same chains: compare paired
        z = diff.mean(0) / (diff.std(0, ddof=1) / np.sqrt(32))
        assert np.all(np.abs(z) < 5), z


def test_entropy_command(tmp_path):
    import json

    import gsd.hoomd
    from typer.testing import CliRunner

    from multitemp.cli import app
    from multitemp.mixture.run import run_mixture

    out = run_mixture(mixture_config(**{"output.write_every": 100}), tmp_path / "run")
    res = CliRunner().invoke(app, ["entropy", str(out.trajectory), "--json", "--skip", "0.2"])
    assert res.exit_code == 0, res.output
    s = json.loads(res.stdout)
    shares = s["entropy_production_rate_per_environment"]
    assert set(shares) == {"bulk hot", "interface", "bulk cold"}
    assert sum(shares.values()) == pytest.approx(s["entropy_production_rate"], rel=1e-9)
    assert sum(s["particles_per_environment"].values()) == pytest.approx(600)
    assert "cold in interface" in s["entropy_production_rate_per_particle_configurational"]
    assert (tmp_path / "run" / "entropy.png").stat().st_size > 10_000
    # a GSD file without the per-particle heat: exit 2, saying why
    with gsd.hoomd.open(str(out.trajectory)) as src, gsd.hoomd.open(str(tmp_path / "bare.gsd"), "w") as dst:
        for f in src:
            f.log = {}
            dst.append(f)
    res = CliRunner().invoke(app, ["entropy", str(tmp_path / "bare.gsd")])
    assert res.exit_code == 2 and "per-particle heat" in res.output, res.output


def test_phase_diagram_marks_disagreements_with_the_spinodal(tmp_path):
    import json

    import xarray as xr

    from multitemp.mixture.phase_diagram import phase_diagram
    from multitemp.theory.spinodal import spinodal_phi

    assert spinodal_phi(1.0, 2) == np.inf
    assert spinodal_phi(10.0, 2) == pytest.approx(4 * (1 + np.sqrt(1 + 8.1 / 4)) / 8.1 / 2)
    assert spinodal_phi(10.0, 3) == pytest.approx(spinodal_phi(10.0, 2) / 2)
    cold = np.array([1.0, 0.1, 0.01])  # ratios 1, 10, 100 (hot fixed at 1)
    phi = np.array([0.2, 0.5, 0.8])
    psi = np.array([[0.0, 0.0, 0.0],  # ratio 1: mixed everywhere
                    [0.0, 0.0, 0.3],  # ratio 10: spinodal at 0.676 -> 0.8 unstable, separated: agree
                    [0.0, 0.2, 0.4]])  # ratio 100: spinodal 0.12 -> all unstable; 0.2 mixed: disagree  # fmt: skip
    base = {"mixture": {"dim": 2, "types": [{"name": "hot", "temperature": 1.0}, {"name": "cold", "temperature": 1.0}]}}
    ds = xr.Dataset(
        {"demixing": (("mixture.types.1.temperature", "mixture.phi"), psi),
         "demixing_stderr": (("mixture.types.1.temperature", "mixture.phi"), np.full((3, 3), 0.01))},
        coords={"mixture.types.1.temperature": cold, "mixture.phi": phi}, attrs={"base_config": json.dumps(base)},
    )  # fmt: skip
    path, s = phase_diagram(ds, tmp_path / "pd.png")
    assert path.stat().st_size > 10_000
    assert [(d["temperature_ratio"], d["phi"]) for d in s["disagreements"]] == [(100.0, 0.2)]
    assert sum(p["separated"] for p in s["points"]) == 3


def test_elongated_box_and_slab_start():
    from multitemp.mixture.run import simulation_from_config

    cfg = mixture_config(**{"mixture.aspect": [3.0, 1.0], "initial": {"arrangement": "slab"}})
    m = cfg.build()
    assert m.box[0] == pytest.approx(3 * m.box[1])
    assert np.prod(m.box) == pytest.approx(600 * np.pi / 4 / 0.4)
    x = simulation_from_config(cfg).positions
    cold = m.typeid == 1
    assert x[cold, 0].max() <= x[~cold, 0].min()  # the cold slab, then the hot gas
    drop = simulation_from_config(mixture_config(initial={"arrangement": "drop"})).positions
    r = np.linalg.norm(drop - np.asarray(mixture_config().build().box) / 2, axis=1)
    assert r[cold].max() <= r[~cold].min()
    with pytest.raises(ValueError, match="mixture.aspect"):
        mixture_config(**{"mixture.aspect": [3.0]})
