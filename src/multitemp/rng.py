"""Counter-based normal random numbers: Philox4x64-10 plus a 256-layer ziggurat.

Every Gaussian number is a pure function of ``(seed, replica, index)``: the Philox key is
``(seed, replica)`` and the counter is ``(index // 4, lane_stream, 0, stream)``.  Nothing
depends on the number of threads, on how replicas are split into chunks, or on where a run
was restarted.  ``numpy.random.Philox`` is the known-answer oracle for the bit generator
(Salmon et al., "Parallel random numbers: as easy as 1, 2, 3", SC11): numpy increments its
counter *before* generating a block, so ``Philox(key=k, counter=c).random_raw(4)`` equals
``philox4x64(c + 1, k)``.

Gaussians come from the Marsaglia & Tsang (2000) ziggurat with 256 layers: one 64-bit word
per number on the fast path (8 bits pick the layer, 1 bit the sign, 53 bits the abscissa);
the rare slow path draws fresh words from a separate counter stream, so it stays a pure
function of the same indices.
"""

from __future__ import annotations

import math

import numba as nb
import numpy as np
from llvmlite import ir
from numba import types
from numba.extending import intrinsic

__all__ = [
    "philox4x64",
    "normal_block",
    "normals",
    "STREAM_NOISE",
    "STREAM_INIT",
]

#: counter word 3 of the per-step noise stream and of the initial-condition stream
STREAM_NOISE = 0
STREAM_INIT = 1

_M0 = np.uint64(0xD2E7470EE14C6C93)
_M1 = np.uint64(0xCA5A826395121157)
_W0 = np.uint64(0x9E3779B97F4A7C15)
_W1 = np.uint64(0xBB67AE8584CAA73B)


@intrinsic
def _mulhilo(typingctx, a, b):
    """Full 64x64 -> 128-bit product as (hi, lo), one machine multiply."""
    sig = types.UniTuple(types.uint64, 2)(types.uint64, types.uint64)

    def codegen(context, builder, signature, args):
        i128 = ir.IntType(128)
        i64 = ir.IntType(64)
        prod = builder.mul(builder.zext(args[0], i128), builder.zext(args[1], i128))
        lo = builder.trunc(prod, i64)
        hi = builder.trunc(builder.lshr(prod, ir.Constant(i128, 64)), i64)
        return context.make_tuple(builder, signature.return_type, [hi, lo])

    return sig, codegen


@nb.njit(cache=True, inline="always")
def philox4x64(c0, c1, c2, c3, k0, k1):
    """Philox4x64-10 block: four uint64 words from a 256-bit counter and a 128-bit key."""
    for _ in range(10):
        hi0, lo0 = _mulhilo(_M0, c0)
        hi1, lo1 = _mulhilo(_M1, c2)
        c0, c1, c2, c3 = hi1 ^ c1 ^ k0, lo1, hi0 ^ c3 ^ k1, lo0
        k0 = k0 + _W0
        k1 = k1 + _W1
    return c0, c1, c2, c3


# ---------------------------------------------------------------------------------------
# Ziggurat tables (Marsaglia & Tsang 2000, 256 layers, unnormalised f(x) = exp(-x^2/2))
# ---------------------------------------------------------------------------------------
_ZIG_R = 3.6541528853610088  # right edge of the base layer


def _ziggurat_tables() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Layer edges X[0..256], fast-path thresholds K and scales W, and heights F = f(X).

    Layer i (1 <= i <= 255) is the rectangle [0, X[i]] x [f(X[i]), f(X[i+1])]; layer 0 is the
    rectangle [0, r] x [0, f(r)] plus the tail x > r, of equivalent width X[0] = v / f(r).
    All layers have the same area v.
    """
    r = _ZIG_R
    f = lambda x: math.exp(-0.5 * x * x)  # noqa: E731
    v = r * f(r) + math.sqrt(math.pi / 2.0) * math.erfc(r / math.sqrt(2.0))
    x = np.zeros(257)
    x[0] = v / f(r)
    x[1] = r
    for i in range(1, 255):
        x[i + 1] = math.sqrt(-2.0 * math.log(v / x[i] + f(x[i])))
    x[256] = 0.0
    two53 = float(2**53)
    k = np.array([int(math.floor(x[i + 1] / x[i] * two53)) for i in range(256)], dtype=np.uint64)
    w = x[:256] / two53
    fx = np.exp(-0.5 * x * x)
    return x, k, w, fx


ZIG_X, ZIG_K, ZIG_W, ZIG_F = _ziggurat_tables()


@nb.njit(cache=True)
def _u01(word):
    """Uniform in (0, 1] from the top 53 bits of a word."""
    return ((word >> np.uint64(11)) + np.uint64(1)) * (1.0 / 9007199254740992.0)


@nb.njit(cache=True)
def _ziggurat_slow(word, block, lane, k0, k1, stream, zx, zf):
    """Rejected fast path: wedge or tail test, retrying with words from a side stream."""
    attempt = np.uint64(0)
    while True:
        layer = word & np.uint64(0xFF)
        negative = (word >> np.uint64(8)) & np.uint64(1)
        j = word >> np.uint64(11)
        xabs = j * (zx[layer] / 9007199254740992.0)
        # fresh words for this attempt: counter (block, 1 + lane + 4 * attempt, 0, stream)
        c1 = np.uint64(1) + np.uint64(lane) + np.uint64(4) * attempt
        w0, w1, w2, w3 = philox4x64(block, c1, np.uint64(0), stream, k0, k1)
        attempt += np.uint64(1)
        if j < ZIG_K[layer]:
            res = xabs
        elif layer == 0:
            # tail beyond r (Marsaglia 1964)
            while True:
                tx = -math.log(_u01(w1)) / _ZIG_R
                ty = -math.log(_u01(w2))
                if ty + ty >= tx * tx:
                    break
                c1 = np.uint64(1) + np.uint64(lane) + np.uint64(4) * attempt
                w0, w1, w2, w3 = philox4x64(block, c1, np.uint64(0), stream, k0, k1)
                attempt += np.uint64(1)
            res = _ZIG_R + tx
        else:
            fl = zf[layer]
            fh = zf[layer + 1]
            if fl + _u01(w1) * (fh - fl) < math.exp(-0.5 * xabs * xabs):
                res = xabs
            else:
                word = w3
                continue
        return -res if negative else res


@nb.njit(cache=True, inline="always")
def _ziggurat(word, block, lane, k0, k1, stream):
    layer = word & np.uint64(0xFF)
    j = word >> np.uint64(11)
    if j < ZIG_K[layer]:
        # branch-free sign (a random branch would be mispredicted half the time), and a
        # signed int -> float conversion (one instruction; j < 2^53 fits)
        sign = 1.0 - 2.0 * np.float64(np.int64((word >> np.uint64(8)) & np.uint64(1)))
        return sign * (np.float64(np.int64(j)) * ZIG_W[layer])
    return _ziggurat_slow(word, block, lane, k0, k1, stream, ZIG_X, ZIG_F)


@nb.njit(cache=True, inline="always")
def normal_block(block, stream, k0, k1):
    """Four standard normals: numbers 4*block .. 4*block + 3 of stream ``stream`` of key (k0, k1)."""
    b = np.uint64(block)
    s = np.uint64(stream)
    w0, w1, w2, w3 = philox4x64(b, np.uint64(0), np.uint64(0), s, k0, k1)
    return (
        _ziggurat(w0, b, 0, k0, k1, s),
        _ziggurat(w1, b, 1, k0, k1, s),
        _ziggurat(w2, b, 2, k0, k1, s),
        _ziggurat(w3, b, 3, k0, k1, s),
    )


@nb.njit(cache=True)
def _normals_into(out, seed, replica, start, stream):
    k0 = np.uint64(seed)
    k1 = np.uint64(replica)
    n = out.shape[0]
    i = 0
    while i < n:
        idx = start + i
        block = idx // 4
        g = normal_block(block, stream, k0, k1)
        lane = idx - 4 * block
        while lane < 4 and i < n:
            out[i] = g[lane]
            lane += 1
            i += 1


def normals(seed: int, replica: int, start: int, count: int, stream: int = STREAM_NOISE) -> np.ndarray:
    """Standard normals number ``start .. start + count - 1`` of one (seed, replica) stream.

    The kernels draw normal number ``step * N * d + particle * d + component`` for each step.
    """
    if seed < 0 or replica < 0 or start < 0 or count < 0:
        raise ValueError("seed, replica, start and count must be >= 0")
    out = np.empty(count)
    _normals_into(out, seed, replica, start, stream)
    return out


@nb.njit(cache=True, parallel=True)
def _fill_normal_array(out, seed, replica0, stream):
    n_rep, count = out.shape
    k0 = np.uint64(seed)
    for r in nb.prange(n_rep):
        k1 = np.uint64(replica0 + r)
        for b in range((count + 3) // 4):
            z = normal_block(b, stream, k0, k1)
            for lane in range(4):
                m = 4 * b + lane
                if m < count:
                    out[r, m] = z[lane]


def normal_array(seed: int, replica0: int, n_replicas: int, count: int, stream: int) -> np.ndarray:
    """(n_replicas, count) standard normals; row r is ``normals(seed, replica0 + r, 0, count, stream)``."""
    out = np.empty((n_replicas, count))
    _fill_normal_array(out, seed, replica0, stream)
    return out
