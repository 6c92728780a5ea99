"""Parameter sweeps on Dask: a base config, a [sweep] table, one xarray Dataset of results."""

from multitemp.sweep.runner import SweepSummary, run_sweep
from multitemp.sweep.spec import SweepSpec, load_sweep

__all__ = ["SweepSpec", "load_sweep", "run_sweep", "SweepSummary"]
