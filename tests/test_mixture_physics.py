"""Physics of hot and cold mixtures against exact results (physics.md section 7)."""

from __future__ import annotations

import gsd.hoomd
import numpy as np
import pytest
from conftest import mixture_config

from multitemp.mixture.analysis import AnalysisOptions, analyze_frame, partial_rdfs
from multitemp.mixture.config import MixtureConfig
from multitemp.mixture.run import run_mixture


@pytest.fixture(scope="module", params=["euler", "heun"])
def dilute(tmp_path_factory, request):
    """1500 soft disks at phi = 0.01: pairs meet one at a time, so g_ab(r) = exp(-U(r) / T_ab);
    with each integrator (Heun's predictor-corrector must sample the same pair distributions)."""
    cfg = mixture_config(
        mixture={
            "dim": 2,
            "particles": 1500,
            "phi": 0.01,
            "types": [
                {"name": "hot", "temperature": 3.0, "fraction": 0.5},
                {"name": "cold", "temperature": 1.0, "fraction": 0.5},
            ],
        },
        pair_potential={"kind": "soft", "k": 6.0, "s": 1.0},
        run={"dt": 1e-3, "time": 160.0, "burn_in": 10.0, "seed": 4, "threads": 1, "integrator": request.param},
        neighbors={"skin": 0.8},
        output={"write_every": 250},
    )
    out = tmp_path_factory.mktemp("dilute")
    result = run_mixture(cfg, out)
    return cfg, result


def test_dilute_pair_correlations_follow_the_mean_temperature(dilute):
    """Grosberg-Joanny: with equal mobilities the relative coordinate of a hot-cold pair feels
    the temperature (T_h + T_c) / 2; like pairs feel their own temperature."""
    cfg, result = dilute
    opts = AnalysisOptions(rdf_bins=15, rdf_r_max=1.5)
    with gsd.hoomd.open(str(result.trajectory), "r") as traj:
        frames = [traj[i] for i in range(40, len(traj))]  # after burn-in
    blocks = [
        partial_rdfs(b, opts) for b in np.array_split(np.arange(len(frames)), 10) for b in [[frames[i] for i in b]]
    ]
    r = blocks[0]["r"]
    u = np.where(r < 1.0, 0.5 * 6.0 * (1 - r) ** 2, 0.0)
    keep = r > 0.3
    for key, t in (("g_hh", 3.0), ("g_cc", 1.0), ("g_hc", 2.0)):
        g = np.array([b[key] for b in blocks])
        mean, se = g.mean(axis=0), g.std(axis=0, ddof=1) / np.sqrt(len(g))
        exact = np.exp(-u / t)
        z = (mean - exact)[keep] / se[keep]
        assert np.all(np.abs(z) < 4.5), (key, np.round(z, 1))
        assert np.sum(z**2) / keep.sum() < 2.5, (key, np.round(z, 1))
    # the test can tell the temperatures apart: g_hc rejects T_h and T_c
    g = np.array([b["g_hc"] for b in blocks])
    mean, se = g.mean(axis=0), g.std(axis=0, ddof=1) / np.sqrt(len(g))
    for wrong in (1.0, 3.0):
        z = (mean - np.exp(-u / wrong))[keep] / se[keep]
        assert np.sum(z**2) / keep.sum() > 3, (wrong, np.round(z, 1))  # p < 1e-4 for 12 bins


def test_friction_weighted_centre_diffuses_freely(dilute, tmp_path):
    """Pair forces cancel (Newton's third law), so Y = sum_i gamma_i r_i (unwrapped) is free
    Brownian motion: no drift, variance 2 sum_i gamma_i T_i per axis per unit time.  Checked
    in a dense, strongly interacting mixture (and in the dilute one)."""
    dense = mixture_config(run={"dt": 1e-4, "time": 1.0, "burn_in": 0.0, "seed": 9}, output={"write_every": 20})
    for cfg, out in ((dense, run_mixture(dense, tmp_path)), dilute):
        import xarray as xr

        ds = xr.open_dataset(out.results_file)
        inc = np.diff(ds.center.values, axis=0)
        dt = np.diff(ds.time.values)[:, None]
        m = cfg.build()
        d_exact = float(np.sum(m.temperatures / m.mobilities))
        z = inc / np.sqrt(2 * d_exact * dt)  # standard normal if exact
        n = z.size
        assert abs(z.mean()) < 5 / np.sqrt(n)
        assert abs(z.var() - 1) < 5 * np.sqrt(2 / n)


def test_equal_temperatures_no_demixing_no_entropy(tmp_path):
    cfg = mixture_config(
        mixture={
            "dim": 2,
            "particles": 1000,
            "phi": 0.5,
            "types": [
                {"name": "hot", "temperature": 2.0, "fraction": 0.5},
                {"name": "cold", "temperature": 2.0, "fraction": 0.5},
            ],
        },
        pair_potential={"kind": "soft", "k": 20.0, "s": 1.0},
        run={"dt": 5e-4, "time": 30.0, "burn_in": 2.0, "seed": 5},
        neighbors={"skin": 0.6},
        output={"write_every": 1000},
    )
    out = run_mixture(cfg, tmp_path)
    s = out.summary
    assert abs(s["entropy_production_rate"]) < 4 * s["entropy_production_rate_stderr"]
    with gsd.hoomd.open(str(out.trajectory), "r") as traj:
        psi = [analyze_frame(traj[i]).demixing for i in range(5, len(traj))]
    assert abs(np.mean(psi)) < 5 * np.std(psi, ddof=1) / np.sqrt(len(psi)) + 0.005
    assert max(abs(v) for v in psi) < 0.08


def test_unequal_temperatures_produce_entropy(tmp_path):
    """Heat flows from the hot baths to the cold ones: sigma > 0 by many error bars."""
    cfg = mixture_config(run={"dt": 1e-4, "time": 0.5, "burn_in": 0.1, "seed": 2}, output={"write_every": 100})
    s = run_mixture(cfg, tmp_path).summary
    assert s["heat_rate"][0] < 0 < s["heat_rate"][1]
    assert s["entropy_production_rate"] > 10 * s["entropy_production_rate_stderr"]


def test_mixture_config_round_trip():
    cfg = mixture_config()
    again = MixtureConfig.model_validate_json(cfg.model_dump_json())
    assert again == cfg
