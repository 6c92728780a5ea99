"""Counter-based RNG: numpy's Philox is the known-answer oracle; normals are normal and pure."""

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


@nb.njit
def _normal_block_draws(count):
    out = np.empty(count)
    for b in range(count // 4):
        out[4 * b : 4 * b + 4] = rng.normal_block(b, 0, np.uint64(3), np.uint64(11))
    return out


@pytest.mark.parametrize(
    "draw,tail",
    [
        (lambda n: rng.normals(seed=3, replica=11, start=0, count=n), rng._ZIG1K_R),  # half-words
        (_normal_block_draws, rng._ZIG_R),  # whole words (the many-body kernel)
    ],
    ids=["normal_block8", "normal_block"],
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


def test_half_word_fast_path_against_numpy_philox():
    """Normals accepted on the fast path are j W[layer] with the sign bit, from numpy's own
    Philox words (low half first); about 0.3% go to the slow path (wedge or tail)."""
    blocks = 4096
    bg = np.random.Philox(key=np.array([3, 11], dtype=np.uint64), counter=np.full(4, 2**64 - 1, dtype=np.uint64))
    words = bg.random_raw(4 * blocks)  # blocks 0, 1, ... (numpy increments first)
    halves = np.stack([words & 0xFFFFFFFF, words >> np.uint64(32)], axis=1).ravel()
    layer, negative, j = halves & 0x3FF, (halves >> np.uint64(10)) & 1, halves >> np.uint64(11)
    fast = j < rng.ZIG1K_K[layer]
    expected = np.where(negative == 1, -1.0, 1.0) * (j.astype(float) * rng.ZIG1K_W[layer])
    got = rng.normals(seed=3, replica=11, start=0, count=8 * blocks)
    assert np.array_equal(got[fast], expected[fast])
    assert 0.001 < 1 - fast.mean() < 0.006


@nb.njit
def _lanes(out, words, rejected, k0, keys, alive, block0, n_blocks):
    rng.fill_normal_lanes(out, words, rejected, k0, keys, alive, block0, n_blocks, rng.STREAM_NOISE)


def test_lanes_equal_the_scalar_stream():
    """The kernels' three-pass generator gives every lane the numbers of ``normals``, slow path
    included; lanes not alive get zeros."""
    keys = np.arange(5, 5 + 37, dtype=np.uint64)  # more than 32 lanes
    alive = np.ones(keys.size, dtype=np.bool_)
    alive[[3, 36]] = False
    n_blocks = 64  # 512 normals per lane, ~50 slow-path ones in all
    out = np.full((8 * n_blocks, keys.size), np.nan)
    words = np.empty((4 * n_blocks, keys.size), dtype=np.int64)
    _lanes(out, words, np.empty_like(words), np.uint64(9), keys, alive, 3, n_blocks)
    for ln, key in enumerate(keys):
        want = rng.normals(9, int(key), 24, 8 * n_blocks) if alive[ln] else np.zeros(8 * n_blocks)
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
