"""Counter-based RNG: numpy's Philox is the known-answer oracle; normals are normal and pure."""

import numpy as np
import pytest
from scipy import stats

from multitemp import rng


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


def test_normals_are_standard_normal():
    x = rng.normals(seed=3, replica=11, start=0, count=2_000_000)
    n = x.size
    assert abs(x.mean()) < 5 / np.sqrt(n)
    assert abs(x.var() - 1) < 5 * np.sqrt(2 / n)
    assert abs(stats.kurtosis(x)) < 5 * np.sqrt(24 / n)
    assert stats.kstest(x, "norm").pvalue > 1e-4
    # the tail beyond the ziggurat's base layer is sampled with the right weight
    r = rng._ZIG_R
    p = 2 * stats.norm.sf(r)
    assert abs(np.mean(np.abs(x) > r) - p) < 5 * np.sqrt(p / n)


def test_normals_are_a_pure_function_of_their_index():
    whole = rng.normals(9, 4, 0, 103)
    assert np.array_equal(rng.normals(9, 4, 37, 50), whole[37:87])
    assert not np.array_equal(rng.normals(9, 5, 0, 103), whole)
    assert not np.array_equal(rng.normals(10, 4, 0, 103), whole)
    assert np.array_equal(rng.normal_array(9, 3, 3, 103, rng.STREAM_NOISE)[1], whole)


def test_ziggurat_tables_close():
    x = rng.ZIG_X
    f = np.exp(-0.5 * x * x)
    v = x[0] * f[1]  # area of each layer
    assert np.all(np.diff(x[1:]) < 0)
    assert abs(x[255] * (1.0 - f[255]) - v) < 1e-9  # the top layer closes at f(0) = 1
