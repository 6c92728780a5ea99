"""Mean-field spinodal of a symmetric 50:50 hot/cold mixture of hard spheres (Grosberg &
Joanny, PRE 2015; physics.md section 7): the mixed state is unstable when

    B n > 4 [1 + sqrt(1 + Delta / 4)] / Delta,    Delta = (T_h - T_c)^2 / (T_h T_c),

with B the second virial coefficient and n the number density; for hard disks B n = 2 phi,
for hard spheres B n = 4 phi (phi: area / volume fraction).  Second-virial level, hard cores
only: soft particles that hot partners can overlap separate much later.  A guide, not a
prediction for soft potentials.
"""

from __future__ import annotations

import numpy as np

__all__ = ["spinodal_phi", "delta"]


def delta(ratio):
    """Delta = (T_h - T_c)^2 / (T_h T_c) as a function of the ratio T_h / T_c."""
    r = np.asarray(ratio, dtype=np.float64)
    return (r - 1.0) ** 2 / r


def spinodal_phi(ratio, dim: int):
    """Packing fraction above which the mixed state is unstable (inf at ratio 1)."""
    dl = delta(ratio)
    with np.errstate(divide="ignore"):
        bn = np.where(dl > 0, 4.0 * (1.0 + np.sqrt(1.0 + dl / 4.0)) / np.where(dl > 0, dl, 1.0), np.inf)
    return bn / (2.0 if dim == 2 else 4.0)
