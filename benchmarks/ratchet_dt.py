"""dt dependence of the ratchet current (smoothed sawtooth; physics.md section 6), which
justifies the default dt = 1e-3 of examples/ratchet.toml: the current at dt and at dt / 2 agree
within their error bars from dt = 1e-3 down.

    python benchmarks/ratchet_dt.py
"""

from __future__ import annotations

from pathlib import Path

from multitemp.api import load_config
from multitemp.ensemble.simulation import simulate
from multitemp.ensemble.summary import summarize

EXAMPLE = Path(__file__).parents[1] / "examples" / "ratchet.toml"


def main() -> None:
    print(f"{'dt':>8} {'current':>9} {'stderr':>8}")
    for dt in (4e-3, 2e-3, 1e-3, 5e-4):
        cfg = load_config(EXAMPLE, [f"run.dt={dt}"])
        s = summarize(simulate(cfg.build_system(), cfg.build_run((-5.0, 5.0))))
        print(f"{dt:>8g} {s['center_of_mass_velocity']:>9.4f} {s['center_of_mass_velocity_stderr']:>8.4f}")


if __name__ == "__main__":
    main()
