"""multitemp: overdamped particles, each with its own heat bath, and how far they are from equilibrium.

The public API (imported on first use, so that ``import multitemp`` stays fast)::

    multitemp.load_config(source, overrides=())     a TOML path or a dict -> a validated config
    multitemp.run(config, out=None, progress=None)   -> Result(.summary, .dataset, .files)
    multitemp.EnsembleSimulation, multitemp.MixtureSimulation    step by step, in a notebook
    multitemp.System, multitemp.RunParameters, multitemp.Mixture, the potentials and bonds
    multitemp.LinearTheory                           exact results of linear systems and ideal chains
    multitemp.ConfigError, multitemp.BlowUpError, multitemp.RunInterrupted, multitemp.ResumeError
"""

from importlib import import_module

from multitemp.core import numba_cache  # noqa: F401  (first: sets numba's cache folder)

__version__ = "0.1.0"

_EXPORTS = {
    "load_config": "multitemp.api",
    "parse_config": "multitemp.api",
    "run": "multitemp.api",
    "Result": "multitemp.api",
    "ConfigError": "multitemp.core.config",
    "BlowUpError": "multitemp.core.driver",
    "RunInterrupted": "multitemp.core.driver",
    "ResumeError": "multitemp.core.checkpoint",
    "EnsembleSimulation": "multitemp.ensemble.simulation",
    "RunParameters": "multitemp.ensemble.simulation",
    "simulate": "multitemp.ensemble.simulation",
    "System": "multitemp.ensemble.system",
    "MixtureSimulation": "multitemp.mixture.simulation",
    "Mixture": "multitemp.mixture.model",
    "GSDWriter": "multitemp.mixture.run",
    "HarmonicSpring": "multitemp.core.potentials",
    "SoftRepulsion": "multitemp.core.potentials",
    "WCARepulsion": "multitemp.core.potentials",
    "NoPair": "multitemp.core.potentials",
    "HarmonicTrap": "multitemp.core.potentials",
    "SmoothedSawtooth": "multitemp.core.potentials",
    "Cosine": "multitemp.core.potentials",
    "NoExternal": "multitemp.core.potentials",
    "CustomPair": "multitemp.core.potentials",
    "CustomExternal": "multitemp.core.potentials",
    "HarmonicBond": "multitemp.core.potentials",
    "FENEBond": "multitemp.core.potentials",
    "LinearTheory": "multitemp.theory",
}

__all__ = ["__version__", *_EXPORTS]


def __getattr__(name: str):
    if name in _EXPORTS:
        value = getattr(import_module(_EXPORTS[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'multitemp' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
