"""Analysis of accumulated observables: rates with error bars, phase-space maps."""

from multitemp.analysis.phase_space import PhaseSpaceMap
from multitemp.analysis.summary import summarize

__all__ = ["PhaseSpaceMap", "summarize"]
