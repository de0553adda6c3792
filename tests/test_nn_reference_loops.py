"""Convolution and pooling against slow, obviously correct loop implementations."""

import numpy as np
import pytest

from ml2dl import nn

pytestmark = pytest.mark.usefixtures("engine_parts")  # sequential, and in parts on threads


def slow_conv2d(x, w, b, stride, padding):
    n, c, h, wd = x.shape
    o, _, kh, kw = w.shape
    (sh, sw), (ph, pw) = stride, padding
    xp = np.zeros((n, c, h + 2 * ph, wd + 2 * pw))
    xp[:, :, ph:ph + h, pw:pw + wd] = x
    ho, wo = (h + 2 * ph - kh) // sh + 1, (wd + 2 * pw - kw) // sw + 1
    out = np.zeros((n, o, ho, wo))
    for i in range(n):
        for f in range(o):
            for r in range(ho):
                for s in range(wo):
                    total = b[f] if b is not None else 0.0
                    for ch in range(c):
                        for u in range(kh):
                            for v in range(kw):
                                total += w[f, ch, u, v] * xp[i, ch, r * sh + u, s * sw + v]
                    out[i, f, r, s] = total
    return out


def slow_pool(x, k, s, reduce):
    n, c, h, w = x.shape
    ho, wo = (h - k[0]) // s[0] + 1, (w - k[1]) // s[1] + 1
    out = np.zeros((n, c, ho, wo))
    for i in range(n):
        for ch in range(c):
            for r in range(ho):
                for q in range(wo):
                    out[i, ch, r, q] = reduce(x[i, ch, r * s[0]:r * s[0] + k[0], q * s[1]:q * s[1] + k[1]])
    return out


@pytest.mark.parametrize("cin,cout,k,stride,padding,hw", [
    (1, 1, 3, 1, 0, (5, 5)), (2, 3, 3, 1, 1, (6, 5)), (3, 2, 3, 2, 1, (7, 7)),
    (1, 2, 5, 2, 2, (9, 10)), (2, 2, (1, 3), (1, 2), (0, 1), (4, 6)), (1, 1, 2, 3, 0, (8, 7)),
])
def test_conv2d_matches_loops(cin, cout, k, stride, padding, hw, rng):
    conv = nn.Conv2d(cin, cout, k, stride=stride, padding=padding, rng=0).double()
    x = rng.standard_normal((2, cin, *hw))
    expected = slow_conv2d(x, conv.weight.data, conv.bias.data, conv.stride, conv.padding)
    np.testing.assert_allclose(conv(x), expected, rtol=1e-12, atol=1e-12)


def test_conv2d_float32_matches_loops(rng):
    conv = nn.Conv2d(3, 4, 3, padding=1, rng=0)
    x = rng.standard_normal((2, 3, 6, 6)).astype(np.float32)
    out = conv(x)
    assert out.dtype == np.float32
    expected = slow_conv2d(x.astype(np.float64), conv.weight.data.astype(np.float64), conv.bias.data, (1, 1), (1, 1))
    np.testing.assert_allclose(out, expected, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("k,s,hw", [((2, 2), (2, 2), (6, 6)), ((3, 3), (2, 2), (7, 8)), ((2, 2), (1, 1), (4, 5)),
                                    ((2, 3), (2, 1), (5, 7)), ((2, 2), (2, 2), (7, 5))])
def test_pooling_matches_loops(k, s, hw, rng):
    x = rng.standard_normal((2, 3, *hw))
    np.testing.assert_allclose(nn.MaxPool2d(k, s)(x), slow_pool(x, k, s, np.max), rtol=1e-12)
    np.testing.assert_allclose(nn.AvgPool2d(k, s)(x), slow_pool(x, k, s, np.mean), rtol=1e-12)


def test_max_pool_backward_routes_to_the_winner():
    x = np.array([[[[1.0, 5.0, 2.0, 0.0],
                    [3.0, 4.0, 8.0, 1.0],
                    [0.0, 0.0, 6.0, 7.0],
                    [9.0, 2.0, 5.0, 5.0]]]])
    pool = nn.MaxPool2d(2)
    np.testing.assert_array_equal(pool(x)[0, 0], [[5.0, 8.0], [9.0, 7.0]])
    grad = pool.backward(np.array([[[[1.0, 2.0], [3.0, 4.0]]]]))
    expected = np.zeros((4, 4))
    expected[0, 1], expected[1, 2], expected[3, 0], expected[2, 3] = 1, 2, 3, 4
    np.testing.assert_array_equal(grad[0, 0], expected)
    np.testing.assert_array_equal(pool.winners()[0, 0], expected > 0)


def test_pooling_progression_224_to_7():
    sizes = [224]
    pool = nn.MaxPool2d(2)
    shape = (1, 224, 224)
    while shape[1] > 7:
        shape = pool.output_shape(shape)
        sizes.append(shape[1])
    assert sizes == [224, 112, 56, 28, 14, 7]
