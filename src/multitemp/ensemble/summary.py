"""The numbers a run reports: rates with standard errors, next to exact values when known."""

from __future__ import annotations

from typing import Any

import numpy as np

from multitemp.core.statistics import mean_stderr
from multitemp.ensemble.simulation import EnsembleResult
from multitemp.theory import LinearTheory


def _num(x: Any) -> Any:
    if x is None:
        return None
    if isinstance(x, np.ndarray):
        return _num(x.tolist())  # a 0-d array (e.g. one replica's nan error bar) gives a float
    if isinstance(x, list):
        return [_num(v) for v in x]
    x = float(x)
    return x if np.isfinite(x) else None


def ratio_stderr(sums: np.ndarray, counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Conditional mean sum(S_r) / sum(N_r) over replicas r and its standard error (delta method)."""
    total = counts.sum(axis=0)
    mean = sums.sum(axis=0) / np.where(total > 0, total, np.nan)
    r = sums.shape[0]
    resid = sums - mean * counts
    err = np.sqrt(r / max(r - 1, 1) * np.sum(resid**2, axis=0)) / np.where(total > 0, total, np.nan)
    return mean, err


def summarize(result: EnsembleResult) -> dict[str, Any]:
    """Rates per unit time (means over replicas, standard error across replicas).

    Keys: entropy_production_rate (Stratonovich heat / T), its ``_stderr`` and ``_exact``;
    ``_path`` (log path-probability ratio of the Euler-Maruyama chain) and ``_ito`` (the
    biased pre-point product) variants; heat_rate per bath (heat into the bath, energy/time);
    angular_momentum (N >= 2); bond_msd, <|r_i - r_j|^2> of each bond (one sample per replica
    at the end of the run; physics.md 8b); mean_velocity per particle and axis; center_of_mass_velocity of
    the friction-weighted centre along the first axis (the ratchet current); pair_steps_per_second.
    """
    system = result.system
    t = result.measured_time
    theory = LinearTheory.from_system(system) if system.is_linear else None
    ep, ep_err = mean_stderr(result.entropy / t)
    path, path_err = mean_stderr(result.entropy_production_path / t)
    ito, ito_err = mean_stderr(result.entropy_production_ito / t)
    heat, heat_err = mean_stderr(result.heat / t)
    disp = (result.positions - result.positions_burn) / t  # (R, N, d), unwrapped
    vel, vel_err = mean_stderr(disp)
    gamma = 1.0 / system.mobilities  # friction-weighted centre X = sum gamma_i r_i / sum gamma_i
    com, com_err = mean_stderr(disp[:, :, 0] @ gamma / gamma.sum())
    out: dict[str, Any] = {
        "entropy_production_rate": ep,
        "entropy_production_rate_stderr": ep_err,
        "entropy_production_rate_exact": theory.entropy_production_rate if theory else None,
        "entropy_production_rate_path": path,
        "entropy_production_rate_path_stderr": path_err,
        "entropy_production_rate_path_exact": theory.entropy_production_rate if theory else None,
        "entropy_production_rate_ito": ito,
        "entropy_production_rate_ito_stderr": ito_err,
        "entropy_production_rate_ito_exact": theory.ito_entropy_rate if theory else None,
        "heat_rate": heat,
        "heat_rate_stderr": heat_err,
        "heat_rate_exact": theory.heat_rate if theory else None,
        "mean_velocity": vel,
        "mean_velocity_stderr": vel_err,
        "center_of_mass_velocity": com,
        "center_of_mass_velocity_stderr": com_err,
    }
    if system.bonds:  # squared bond lengths at the end of the run, one sample per replica
        pairs = np.array([(i, j) for i, j, _ in system.bonds])
        sep = result.positions[:, pairs[:, 0]] - result.positions[:, pairs[:, 1]]
        msd, msd_err = mean_stderr(np.sum(sep**2, axis=-1))
        out["bond_msd"] = msd
        out["bond_msd_stderr"] = msd_err
        out["bond_msd_exact"] = theory.separation_msds(pairs) if theory else None
    if system.n_particles >= 2:
        am, am_err = mean_stderr(result.angular_momentum / t)
        out["angular_momentum"] = am
        out["angular_momentum_stderr"] = am_err
        out["angular_momentum_exact"] = theory.angular_momentum if theory else None
    lag_time = result.params.ring_every * result.params.dt
    if result.params.chase_lags:
        back, back_err = ratio_stderr(result.chase[0], result.chase[1])
        fwd, fwd_err = ratio_stderr(result.chase[2], result.chase[3])
        out["chase_tau"] = np.asarray(result.params.chase_lags) * lag_time
        out.update(chase_backward=back, chase_backward_stderr=back_err, chase_forward=fwd, chase_forward_stderr=fwd_err)
    if result.params.arrow_lags:
        p, p_err = ratio_stderr(result.arrow[0], result.arrow[1])
        out.update(
            arrow_tau=np.asarray(result.params.arrow_lags) * lag_time, arrow_p_correct=p, arrow_p_correct_stderr=p_err
        )
    out.update(
        {
            "replicas": result.params.replicas,
            "dt": result.params.dt,
            "measured_time": t,
            "integrator": result.params.integrator,
            "pair_steps_per_second": result.replica_steps_per_second if system.n_particles == 2 else None,
            "replica_steps_per_second": result.replica_steps_per_second,
            "wall_seconds": result.wall_seconds,
            "compile_seconds": result.compile_seconds,
        }
    )
    return {k: (v if isinstance(v, (str, int)) and not isinstance(v, bool) else _num(v)) for k, v in out.items()}
