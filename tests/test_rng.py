"""Counter-based RNG: Random123's known-answer vectors (Philox4x32-10) and numpy's Philox
(Philox4x64-10) are the oracles; normals are normal and pure."""

from pathlib import Path

import numba as nb
import numpy as np
import pytest
from scipy import stats

from multitemp.core import rng


@pytest.mark.parametrize(
    "key,counter",
    [
        ((0, 0), (0, 0, 0, 0)),
        ((1, 2), (0, 0, 0, 0)),
        ((5, 6), (7, 3, 9, 1)),
        (((1 << 63) + 5, 12345), (2**40, 0, 0, 2)),
    ],
)
def test_philox_matches_numpy(key, counter):
    bg = np.random.Philox(key=np.array(key, dtype=np.uint64), counter=np.array(counter, dtype=np.uint64))
    expected = bg.random_raw(4)
    c = np.array(counter, dtype=np.uint64)
    c[0] += np.uint64(1)  # numpy increments its counter before generating a block
    got = rng.philox4x64(*c, np.uint64(key[0]), np.uint64(key[1]))
    assert [int(v) for v in got] == [int(v) for v in expected]


KAT = Path(__file__).resolve().parents[2] / "shared" / "data" / "philox4x32-10-kat.txt"
KAT_LINES = [  # Random123's kat_vectors, as in ../shared/data (kept here so a clone alone can test)
    "00000000 00000000 00000000 00000000  00000000 00000000  6627e8d5 e169c58d bc57ac4c 9b00dbd8",
    "ffffffff ffffffff ffffffff ffffffff  ffffffff ffffffff  408f276d 41c83b0e a20bc7c6 6d5451fd",
    "243f6a88 85a308d3 13198a2e 03707344  a4093822 299f31d0  d16cfe09 94fdcceb 5001e420 24126ea1",
]


def _kat_vectors() -> list[list[int]]:
    lines = KAT.read_text().splitlines() if KAT.exists() else KAT_LINES
    vectors = [[int(t, 16) for t in line.split()] for line in lines if line.strip() and not line.startswith("#")]
    assert len(vectors) >= 3
    return vectors


@pytest.mark.parametrize("vector", _kat_vectors(), ids=lambda v: f"{v[0]:08x}")
def test_philox4x32_known_answers(vector):
    counter, key, expected = vector[:4], vector[4:6], vector[6:]
    got = rng.philox4x32(*(np.uint64(c) for c in counter), np.uint64(key[0]), np.uint64(key[1]))
    assert [int(v) for v in got] == expected


@nb.njit
def _philox4x32_lanes(c0, keys):
    out = np.empty((4, keys.size), np.uint64)
    for ln in range(keys.size):  # the loop the kernels vectorise
        w = rng.philox4x32(c0, np.uint64(0), np.uint64(0), np.uint64(0), np.uint64(7), keys[ln])
        for k in range(4):
            out[k, ln] = w[k]
    return out


def test_philox4x32_vectorised_equals_scalar():
    keys = np.arange(37, dtype=np.uint64) * np.uint64(0x9E3779B9) & np.uint64(0xFFFFFFFF)
    got = _philox4x32_lanes(np.uint64(5), keys)
    for ln, k in enumerate(keys):
        want = rng.philox4x32(np.uint64(5), np.uint64(0), np.uint64(0), np.uint64(0), np.uint64(7), k)
        assert [int(v) for v in got[:, ln]] == [int(v) for v in want]


@nb.njit
def _normal_block_draws(count):
    out = np.empty(count)
    for b in range(count // 4):
        out[4 * b : 4 * b + 4] = rng.normal_block(b, 0, np.uint64(3), np.uint64(11))
    return out


@pytest.mark.parametrize(
    "draw,tail",
    [
        (lambda n: rng.normals(seed=3, replica=11, start=0, count=n), rng._ZIG1K_R),  # Philox4x32 words
        (_normal_block_draws, rng._ZIG_R),  # Philox4x64 words (the many-body kernel)
    ],
    ids=["normal_block4", "normal_block"],
)
def test_normals_are_standard_normal(draw, tail):
    x = draw(2_000_000)
    n = x.size
    assert abs(x.mean()) < 5 / np.sqrt(n)
    assert abs(x.var() - 1) < 5 * np.sqrt(2 / n)
    assert abs(stats.kurtosis(x)) < 5 * np.sqrt(24 / n)
    assert stats.kstest(x, "norm").pvalue > 1e-4
    # the tail beyond the ziggurat's base layer is sampled with the right weight
    p = 2 * stats.norm.sf(tail)
    assert abs(np.mean(np.abs(x) > tail) - p) < 5 * np.sqrt(p / n)


def test_fast_path_from_the_philox4x32_words():
    """Normals accepted on the fast path are j W[layer] with the sign bit, from the Philox4x32
    words of counter (block, 0, 0, stream + 2 seed_hi), key (seed_lo, replica); about 0.3 % go
    to the slow path (wedge or tail)."""
    blocks = 4096
    seed = (5 << 32) + 3  # the high half of the seed goes to counter word 3
    k0, c3 = rng.stream_key(seed, rng.STREAM_NOISE)
    assert (k0, c3) == (3, 10)
    words = np.array([rng.philox4x32(np.uint64(b), np.uint64(0), np.uint64(0), np.uint64(c3), np.uint64(k0),
                                     np.uint64(11)) for b in range(blocks)], dtype=np.uint64).ravel()  # fmt: skip
    layer, negative, j = words & 0x3FF, (words >> np.uint64(10)) & 1, words >> np.uint64(11)
    fast = j < rng.ZIG1K_K[layer]
    expected = np.where(negative == 1, -1.0, 1.0) * (j.astype(float) * rng.ZIG1K_W[layer])
    got = rng.normals(seed=seed, replica=11, start=0, count=4 * blocks)
    assert np.array_equal(got[fast], expected[fast])
    assert 0.001 < 1 - fast.mean() < 0.006


@nb.njit
def _lanes(out, words, k0, keys, alive, block0, n_blocks):
    rng.fill_normal_lanes(out, words, k0, keys, alive, block0, n_blocks, np.uint64(rng.STREAM_NOISE))


def test_lanes_equal_the_scalar_stream():
    """The kernels' three-pass generator gives every lane the numbers of ``normals``, slow path
    included; lanes not alive get zeros."""
    keys = np.arange(5, 5 + 37, dtype=np.uint64)  # more than 32 lanes
    alive = np.ones(keys.size, dtype=np.bool_)
    alive[[3, 36]] = False
    n_blocks = 128  # 512 normals per lane, ~50 slow-path ones in all
    out = np.full((4 * n_blocks, keys.size), np.nan)
    words = np.empty((4 * n_blocks, keys.size), dtype=np.int64)
    _lanes(out, words, np.uint64(9), keys, alive, 3, n_blocks)
    for ln, key in enumerate(keys):
        want = rng.normals(9, int(key), 12, 4 * n_blocks) if alive[ln] else np.zeros(4 * n_blocks)
        assert np.array_equal(out[:, ln], want), ln


def test_normals_are_a_pure_function_of_their_index():
    whole = rng.normals(9, 4, 0, 103)
    assert np.array_equal(rng.normals(9, 4, 37, 50), whole[37:87])
    assert not np.array_equal(rng.normals(9, 5, 0, 103), whole)
    assert not np.array_equal(rng.normals(10, 4, 0, 103), whole)
    assert np.array_equal(rng.normal_array(9, 3, 3, 103, rng.STREAM_NOISE)[1], whole)


@pytest.mark.parametrize("x", [rng.ZIG_X, rng.ZIG1K_X], ids=["256", "1024"])
def test_ziggurat_tables_close(x):
    f = np.exp(-0.5 * x * x)
    v = x[0] * f[1]  # area of each layer
    assert np.all(np.diff(x[1:]) < 0)
    top = len(x) - 2
    assert abs(x[top] * (1.0 - f[top]) - v) < 1e-9  # the top layer closes at f(0) = 1
