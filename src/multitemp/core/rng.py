"""Counter-based normal random numbers: Philox (Salmon et al., "Parallel random numbers: as
easy as 1, 2, 3", SC11) plus a ziggurat (Marsaglia & Tsang 2000).

Every Gaussian number is a pure function of its indices: nothing depends on the number of
threads, on how replicas are split into chunks, or on where a run was restarted.

* The ensemble kernels (:func:`fill_normal_lanes`, :func:`normals`) use **Philox4x32-10**,
  the generator of cuRAND and JAX, checked against Random123's known-answer vectors.  Normal
  number i of (seed, replica, stream) is word ``i % 4`` of the block at counter
  ``(b_lo, b_hi, 0, stream + 2 seed_hi)``, ``b = i // 4``, key ``(seed_lo, replica)`` (32-bit
  halves; replicas < 2^32).  Its 32 x 32-bit multiplies vectorise across replicas (AVX2
  ``vpmuludq``), about four times the normals per second of the 64-bit generator below.  One
  normal per 32-bit word: a 1024-layer ziggurat (10 bits pick the layer, 1 the sign, 21 the
  abscissa; fast path 99.7 %), resolved to 2e-6 or better, far below any physical scale.
* The many-body kernel (:func:`normal_block`) uses **Philox4x64-10**, bit-identical to
  ``numpy.random.Philox`` (numpy increments its counter *before* generating a block, so
  ``Philox(key=k, counter=c).random_raw(4)`` equals ``philox4x64(c + 1, k)``): four normals
  per block, one per 64-bit word, 256 layers (8 bits the layer, 1 the sign, 53 the abscissa).

The rare slow path (wedge or tail) draws fresh words from a side stream of the same key
(counter word 1, or 2 for Philox4x32, > 0), so it stays a pure function of the same indices.
"""

from __future__ import annotations

import math

import numba as nb
import numpy as np
from llvmlite import ir
from numba import types
from numba.extending import intrinsic

__all__ = [
    "philox4x32",
    "philox4x64",
    "normal_block",
    "normal_block4",
    "fill_normals",
    "fill_normal_lanes",
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


_P32_M0 = np.uint64(0xD2511F53)
_P32_M1 = np.uint64(0xCD9E8D57)
_P32_W0 = np.uint64(0x9E3779B9)
_P32_W1 = np.uint64(0xBB67AE85)
_L32 = np.uint64(0xFFFFFFFF)
_S32 = np.uint64(32)


@nb.njit(cache=True, inline="always")
def philox4x32(c0, c1, c2, c3, k0, k1):
    """Philox4x32-10 block: four 32-bit words from a 128-bit counter and a 64-bit key, every
    word held in a uint64 (< 2^32).  The 32 x 32 -> 64-bit products vectorise across lanes."""
    # fresh uint64 locals (the arguments are not reassigned): every product is 32 x 32 -> 64
    # bits whatever integer types the caller passed
    x0, x1, x2, x3 = np.uint64(c0), np.uint64(c1), np.uint64(c2), np.uint64(c3)
    y0, y1 = np.uint64(k0), np.uint64(k1)
    for _ in range(10):
        p0 = _P32_M0 * x0
        p1 = _P32_M1 * x2
        x0, x1, x2, x3 = (p1 >> _S32) ^ x1 ^ y0, p1 & _L32, (p0 >> _S32) ^ x3 ^ y1, p0 & _L32
        y0 = (y0 + _P32_W0) & _L32
        y1 = (y1 + _P32_W1) & _L32
    return x0, x1, x2, x3


def stream_key(seed: int, stream: int) -> tuple[int, int]:
    """(key word 0, counter word 3) of the Philox4x32 streams of ``seed``: the seed's low 32
    bits are the key, its high bits go into the counter beside the stream (0 noise, 1 initial)."""
    if not 0 <= seed < 2**63:
        raise ValueError(f"seed {seed}: must be in [0, 2^63)")
    return seed & 0xFFFFFFFF, stream + 2 * (seed >> 32)


# ---------------------------------------------------------------------------------------
# Ziggurat tables (Marsaglia & Tsang 2000, unnormalised f(x) = exp(-x^2/2))
# ---------------------------------------------------------------------------------------
#: right edge of the base layer that closes the ziggurat (top layer ends at f(0) = 1), for
#: 256 and 1024 layers (solved by bisection; ``test_ziggurat_tables_close`` checks them)
_ZIG_R = 3.654152885361009
_ZIG1K_R = 4.038849846109505


def _ziggurat_tables(n_layers: int, r: float, abscissa_bits: int):
    """Layer edges X[0..n], fast-path thresholds K and scales W, and heights F = f(X).

    Layer i (1 <= i < n) is the rectangle [0, X[i]] x [f(X[i]), f(X[i+1])]; layer 0 is the
    rectangle [0, r] x [0, f(r)] plus the tail x > r, of equivalent width X[0] = v / f(r).
    All layers have the same area v.  An abscissa is an integer j < 2^abscissa_bits; the fast
    path accepts x = j W[layer] when j < K[layer].
    """
    f = lambda x: math.exp(-0.5 * x * x)  # noqa: E731
    v = r * f(r) + math.sqrt(math.pi / 2.0) * math.erfc(r / math.sqrt(2.0))
    x = np.zeros(n_layers + 1)
    x[0] = v / f(r)
    x[1] = r
    for i in range(1, n_layers - 1):
        x[i + 1] = math.sqrt(-2.0 * math.log(v / x[i] + f(x[i])))
    x[n_layers] = 0.0
    scale = float(2**abscissa_bits)
    k = np.array([int(math.floor(x[i + 1] / x[i] * scale)) for i in range(n_layers)], dtype=np.uint64)
    w = x[:n_layers] / scale
    fx = np.exp(-0.5 * x * x)
    return x, k, w, fx


#: 64-bit words, 256 layers: bits 0-7 pick the layer, bit 8 the sign, bits 11-63 the abscissa
ZIG_X, ZIG_K, ZIG_W, ZIG_F = _ziggurat_tables(256, _ZIG_R, 53)
#: 32-bit half-words, 1024 layers: bits 0-9 the layer, bit 10 the sign, bits 11-31 the abscissa
ZIG1K_X, ZIG1K_K, ZIG1K_W, ZIG1K_F = _ziggurat_tables(1024, _ZIG1K_R, 21)
#: the same indexed by bits 0-10 (layer and sign): signed scales, and int64 thresholds
_ZIG1K_SW = np.concatenate([ZIG1K_W, -ZIG1K_W])
_ZIG1K_SK = np.concatenate([ZIG1K_K, ZIG1K_K]).astype(np.int64)

_ALL64 = 0xFFFFFFFFFFFFFFFF
_LOW32 = 0xFFFFFFFF


@nb.njit(cache=True)
def _u01(word):
    """Uniform in (0, 1] from the top 53 bits of a word."""
    return ((word >> np.uint64(11)) + np.uint64(1)) * (1.0 / 9007199254740992.0)


@nb.njit(cache=True)
def _ziggurat_slow(word, layer_bits, word_mask, zk, zw, zf, r, block, lane, n_lanes, k0, k1, stream):
    """Rejected fast path: wedge or tail test, retrying with words from a side stream.

    ``word``: bits 0 .. layer_bits - 1 pick the layer, bit ``layer_bits`` the sign, bits 11 and
    up the abscissa; ``word_mask`` is its width (64 or 32 bits).  Attempt a of output ``lane``
    of ``block`` uses the Philox block at counter (block, 1 + lane + n_lanes a, 0, stream),
    whose full 64-bit words give the uniforms and the next word.
    """
    attempt = np.uint64(0)
    while True:
        layer = word & np.uint64((1 << layer_bits) - 1)
        negative = (word >> np.uint64(layer_bits)) & np.uint64(1)
        j = word >> np.uint64(11)
        xabs = np.float64(np.int64(j)) * zw[layer]
        c1 = np.uint64(1) + np.uint64(lane) + np.uint64(n_lanes) * attempt
        w0, w1, w2, w3 = philox4x64(block, c1, np.uint64(0), stream, k0, k1)
        attempt += np.uint64(1)
        if j < zk[layer]:
            res = xabs
        elif layer == 0:
            # tail beyond r (Marsaglia 1964)
            while True:
                tx = -math.log(_u01(w1)) / r
                ty = -math.log(_u01(w2))
                if ty + ty >= tx * tx:
                    break
                c1 = np.uint64(1) + np.uint64(lane) + np.uint64(n_lanes) * attempt
                w0, w1, w2, w3 = philox4x64(block, c1, np.uint64(0), stream, k0, k1)
                attempt += np.uint64(1)
            res = r + tx
        else:
            fl = zf[layer]
            fh = zf[layer + 1]
            if fl + _u01(w1) * (fh - fl) < math.exp(-0.5 * xabs * xabs):
                res = xabs
            else:
                word = w3 & np.uint64(word_mask)
                continue
        return -res if negative else res


@nb.njit(cache=True, inline="always")
def _ziggurat64(word, block, lane, k0, k1, stream):
    """Normal from a 64-bit word, 256 layers."""
    layer = word & np.uint64(0xFF)
    j = word >> np.uint64(11)
    if j < ZIG_K[layer]:
        # branch-free sign (a random branch would be mispredicted half the time), and a
        # signed int -> float conversion (one instruction; j < 2^53 fits)
        sign = 1.0 - 2.0 * np.float64(np.int64((word >> np.uint64(8)) & np.uint64(1)))
        return sign * (np.float64(np.int64(j)) * ZIG_W[layer])
    # int64, not the literal lane: one compiled slow path, not one per lane (a literal is a type)
    return _ziggurat_slow(word, 8, _ALL64, ZIG_K, ZIG_W, ZIG_F, _ZIG_R, block, np.int64(lane), 4, k0, k1, stream)


@nb.njit(cache=True)
def _u53(hi, lo):
    """Uniform in (0, 1] from two 32-bit words (53 bits)."""
    return (((hi << np.uint64(21)) | (lo >> np.uint64(11))) + np.uint64(1)) * (1.0 / 9007199254740992.0)


@nb.njit(cache=True)
def _ziggurat32_slow(h, block, lane, k0, k1, c3):
    """Rejected fast path of a 32-bit word ``h``: wedge or tail test.  Attempt a of output
    ``lane`` of ``block`` uses the Philox4x32 block at counter (block, 1 + lane + 4 a, c3) of
    the same key: two uniforms of 53 bits, and its word 2 as the next candidate."""
    attempt = np.uint64(0)
    blo = np.uint64(block) & _L32
    bhi = np.uint64(block) >> _S32
    while True:
        layer = h & np.uint64(0x3FF)
        negative = (h >> np.uint64(10)) & np.uint64(1)
        j = h >> np.uint64(11)
        xabs = np.float64(np.int64(j)) * ZIG1K_W[layer]
        side = np.uint64(1) + np.uint64(lane) + np.uint64(4) * attempt
        w0, w1, w2, w3 = philox4x32(blo, bhi, side, c3, k0, k1)
        attempt += np.uint64(1)
        if j < ZIG1K_K[layer]:
            res = xabs
        elif layer == 0:
            # tail beyond r (Marsaglia 1964)
            while True:
                tx = -math.log(_u53(w0, w1)) / _ZIG1K_R
                ty = -math.log(_u53(w2, w3))
                if ty + ty >= tx * tx:
                    break
                side = np.uint64(1) + np.uint64(lane) + np.uint64(4) * attempt
                w0, w1, w2, w3 = philox4x32(blo, bhi, side, c3, k0, k1)
                attempt += np.uint64(1)
            res = _ZIG1K_R + tx
        else:
            fl = ZIG1K_F[layer]
            fh = ZIG1K_F[layer + 1]
            if fl + _u53(w0, w1) * (fh - fl) < math.exp(-0.5 * xabs * xabs):
                res = xabs
            else:
                h = w2
                continue
        return -res if negative else res


@nb.njit(cache=True, inline="always")
def _ziggurat32(h, block, lane, k0, k1, c3):
    """Normal from a 32-bit word ``h`` (in a uint64), 1024 layers."""
    idx = np.int64(h & np.uint64(0x7FF))
    j = np.int64(h >> np.uint64(11))
    if j < _ZIG1K_SK[idx]:
        return np.float64(j) * _ZIG1K_SW[idx]
    return _ziggurat32_slow(h, block, np.int64(lane), k0, k1, c3)


@nb.njit(cache=True, inline="always")
def normal_block4(block, c3, k0, k1):
    """Four standard normals, one per word of the Philox4x32 block ``block`` (counter
    ``(block_lo, block_hi, 0, c3)``, key ``(k0, k1)``): normals ``4 block .. 4 block + 3``."""
    b = np.uint64(block)
    w0, w1, w2, w3 = philox4x32(b & _L32, b >> _S32, np.uint64(0), c3, k0, k1)
    return (
        _ziggurat32(w0, b, 0, k0, k1, c3),
        _ziggurat32(w1, b, 1, k0, k1, c3),
        _ziggurat32(w2, b, 2, k0, k1, c3),
        _ziggurat32(w3, b, 3, k0, k1, c3),
    )


@nb.njit(cache=True, inline="always")
def normal_block(block, stream, k0, k1):
    """Four standard normals with 53-bit abscissae (256-layer ziggurat), one per 64-bit word
    of Philox block ``block`` of stream ``stream`` and key (k0, k1)."""
    b = np.uint64(block)
    s = np.uint64(stream)
    w0, w1, w2, w3 = philox4x64(b, np.uint64(0), np.uint64(0), s, k0, k1)
    return (
        _ziggurat64(w0, b, 0, k0, k1, s),
        _ziggurat64(w1, b, 1, k0, k1, s),
        _ziggurat64(w2, b, 2, k0, k1, s),
        _ziggurat64(w3, b, 3, k0, k1, s),
    )


@nb.njit(cache=True, inline="always")
def normal_block8(block, stream, k0, k1):
    """Eight standard normals, one per 32-bit half-word of Philox block ``block`` (low half
    first, as numpy's ``next_uint32``): normals ``8 block .. 8 block + 7`` of the stream.

    Twice as many normals per block as :func:`normal_block`, for half the Philox cost (the
    64x64-bit multiplies bound it).  A 1024-layer ziggurat (fast path 99.7%) with 21-bit
    abscissae: a normal is resolved to 2e-6 or better, far below any physical scale.
    """
    b = np.uint64(block)
    s = np.uint64(stream)
    w0, w1, w2, w3 = philox4x64(b, np.uint64(0), np.uint64(0), s, k0, k1)
    lo = np.uint64(_LOW32)
    hi = np.uint64(32)
    return (
        _ziggurat32(w0 & lo, b, 0, k0, k1, s),
        _ziggurat32(w0 >> hi, b, 1, k0, k1, s),
        _ziggurat32(w1 & lo, b, 2, k0, k1, s),
        _ziggurat32(w1 >> hi, b, 3, k0, k1, s),
        _ziggurat32(w2 & lo, b, 4, k0, k1, s),
        _ziggurat32(w2 >> hi, b, 5, k0, k1, s),
        _ziggurat32(w3 & lo, b, 6, k0, k1, s),
        _ziggurat32(w3 >> hi, b, 7, k0, k1, s),
    )


@nb.njit(cache=True, error_model="numpy")
def fill_normal_lanes(out, words, k0, keys, alive, block0, n_blocks, c3):
    """Normals of many keys at once: ``out[m, ln] = normal(4 block0 + m)`` of key (k0, keys[ln])
    for m < 4 n_blocks, the same numbers as :func:`normal_block4`; lanes not ``alive`` get 0.

    Three passes, for speed: the Philox4x32 words, a loop over lanes that LLVM vectorises (32 x
    32-bit multiplies); the ziggurat's fast path for every word, vectorised too, with a count
    of the rejected; then, in the rows that have any, the slow path for the ~0.3 % rejected.
    Scratch: ``words``, int64, at least (4 n_blocks, len(keys)).
    """
    nl = keys.shape[0]
    for b in range(n_blocks):
        blk = np.uint64(block0 + b)
        blo = blk & _L32
        bhi = blk >> _S32
        for ln in range(nl):
            w0, w1, w2, w3 = philox4x32(blo, bhi, np.uint64(0), c3, k0, keys[ln])
            words[4 * b, ln] = np.int64(w0)
            words[4 * b + 1, ln] = np.int64(w1)
            words[4 * b + 2, ln] = np.int64(w2)
            words[4 * b + 3, ln] = np.int64(w3)
    for row in range(4 * n_blocks):
        n_rejected = 0
        for ln in range(nl):  # vectorised: no branch, lanes not alive get 0 by a select
            w = words[row, ln]
            idx = w & 0x7FF
            j = w >> 11
            live = alive[ln]
            out[row, ln] = np.float64(j) * _ZIG1K_SW[idx] if live else 0.0
            n_rejected += np.int64(live and j >= _ZIG1K_SK[idx])
        if n_rejected:
            blk = np.uint64(block0 + row // 4)
            for ln in range(nl):  # until the last rejected lane (the kernel 8 % faster)
                w = words[row, ln]
                if (w >> 11) >= _ZIG1K_SK[w & 0x7FF] and alive[ln]:
                    out[row, ln] = _ziggurat32_slow(np.uint64(w), blk, np.int64(row % 4), k0, keys[ln], c3)
                    n_rejected -= 1
                    if n_rejected == 0:
                        break


@nb.njit(cache=True, inline="always")
def fill_normals(out, col, k0, k1, first, count, c3):
    """``out[m, col]`` = normal number ``first + m`` of the Philox4x32 stream (key (k0, k1),
    counter word 3 ``c3``), m < count.  Normal number i is output ``i % 4`` of
    :func:`normal_block4` block ``i // 4``."""
    block = np.uint64(first >> 2)
    lane = first & 3
    m = 0
    while m < count:
        z = normal_block4(block, c3, k0, k1)
        while lane < 4 and m < count:
            out[m, col] = z[lane]
            lane += 1
            m += 1
        lane = 0
        block += np.uint64(1)


@nb.njit(cache=True)
def _normals_into(out, k0, replica, start, c3):
    fill_normals(out, 0, np.uint64(k0), np.uint64(replica), start, out.shape[0], np.uint64(c3))


def normals(seed: int, replica: int, start: int, count: int, stream: int = STREAM_NOISE) -> np.ndarray:
    """Standard normals number ``start .. start + count - 1`` of one (seed, replica) stream.

    The ensemble kernel draws normal number ``step * N * d + particle * d + component`` for
    each step (see :func:`fill_normals`).
    """
    if seed < 0 or replica < 0 or start < 0 or count < 0:
        raise ValueError("seed, replica, start and count must be >= 0")
    if replica >= 2**32:
        raise ValueError(f"replica {replica}: must be < 2^32")
    k0, c3 = stream_key(seed, stream)
    out = np.empty((count, 1))
    _normals_into(out, k0, replica, start, c3)
    return out[:, 0]


@nb.njit(cache=True)
def _fill_normal_array(out, k0, replica0, c3):
    """Serial: a few normals per replica (initial positions) are not worth a parallel compile."""
    n_rep, count = out.shape
    rows = out.T  # (count, R) view: column r is replica r
    for r in range(n_rep):
        fill_normals(rows, r, np.uint64(k0), np.uint64(replica0 + r), 0, count, np.uint64(c3))


def normal_array(seed: int, replica0: int, n_replicas: int, count: int, stream: int) -> np.ndarray:
    """(n_replicas, count) standard normals; row r is ``normals(seed, replica0 + r, 0, count, stream)``."""
    if replica0 + n_replicas > 2**32:
        raise ValueError(f"replicas up to {replica0 + n_replicas}: the noise keys allow 2^32")
    k0, c3 = stream_key(seed, stream)
    out = np.empty((n_replicas, count))
    _fill_normal_array(out, k0, replica0, c3)
    return out
