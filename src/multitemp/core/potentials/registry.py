"""One registry of the potentials: each defined once (its class holds the parameters, the kind
name and id, and the numba energy and force; its config table in :mod:`.tables` the defaults
and units, shared by both engines' configs), looked up here by name, and the user slot of the
kernels (:func:`kernel_user_functions`)."""

from __future__ import annotations

import warnings

from multitemp.core.potentials.external import (
    Cosine,
    CustomExternal,
    ExternalPotential,
    HarmonicTrap,
    NoExternal,
    SmoothedSawtooth,
)
from multitemp.core.potentials.pair import (
    CustomPair,
    HarmonicSpring,
    NoPair,
    PairPotential,
    SoftRepulsion,
    WCARepulsion,
)

__all__ = ["PAIR_POTENTIALS", "EXTERNAL_POTENTIALS", "kernel_user_functions"]

#: pair potentials by kind name
PAIR_POTENTIALS: dict[str, type[PairPotential]] = {
    c.kind: c for c in (NoPair, HarmonicSpring, SoftRepulsion, WCARepulsion)
}
#: external potentials by kind name
EXTERNAL_POTENTIALS: dict[str, type[ExternalPotential]] = {
    c.kind: c for c in (NoExternal, HarmonicTrap, SmoothedSawtooth, Cosine)
}


def kernel_user_functions(pair: PairPotential | None = None, external: ExternalPotential | None = None):
    """The kernels' ``user`` argument: None when both potentials are built in (cached kernels),
    else ``(pair_energy, pair_force_over_r, external_energy, external_force)``."""
    custom_pair = isinstance(pair, CustomPair)
    custom_ext = isinstance(external, CustomExternal)
    if not (custom_pair or custom_ext):
        return None
    from numba.core.errors import NumbaExperimentalFeatureWarning

    from multitemp.core.potentials import external as ext_module
    from multitemp.core.potentials import pair as pair_module

    warnings.filterwarnings("ignore", category=NumbaExperimentalFeatureWarning)
    return (
        pair.energy_kernel if custom_pair else pair_module._zero_energy,
        pair.force_kernel if custom_pair else pair_module._zero_force,
        external.energy_kernel if custom_ext else ext_module._none_energy,
        external.force_kernel if custom_ext else ext_module._none_force,
    )
