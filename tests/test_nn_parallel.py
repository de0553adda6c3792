"""The engine's threads (nn.kernels.threads) and memory layouts: same numbers, whatever the split."""

import copy
import json
import subprocess
import sys
import threading

import numpy as np
import pytest
from hypothesis import given, strategies as st

from ml2dl import nn
from ml2dl.nn.kernels import threads as _parallel


@given(st.integers(0, 200), st.integers(1, 9))
def test_part_bounds_cover_the_range_in_near_equal_pieces(n, parts):
    slices = _parallel.part_bounds(n, parts)
    assert len(slices) == parts
    assert [i for s in slices for i in range(n)[s]] == list(range(n))
    lengths = [len(range(n)[s]) for s in slices]
    assert max(lengths) - min(lengths) <= 1


def test_parts_run_on_separate_threads_and_come_back_in_order(three_parts):
    seen = []

    def work(part):
        seen.append(threading.get_ident())
        return (part.start, part.stop)

    assert _parallel.in_parts(work, 10, size=1) == [(0, 4), (4, 7), (7, 10)]
    assert len(set(seen)) == 3


def test_small_work_runs_as_one_part_in_the_caller(monkeypatch):
    monkeypatch.setattr(_parallel, "MIN_PARALLEL_SIZE", 1000)
    with nn.num_threads(3):
        assert _parallel.in_parts(lambda part: threading.get_ident(), 10, size=999) == [threading.get_ident()]


def test_an_error_in_a_part_reaches_the_caller_after_every_part_has_finished(three_parts):
    finished = []

    def work(part):
        if part.start == 4:
            raise ZeroDivisionError("part two")
        finished.append(part.start)

    with pytest.raises(ZeroDivisionError, match="part two"):
        _parallel.in_parts(work, 10, size=1)
    assert sorted(finished) == [0, 7]
    assert _parallel.in_parts(lambda part: part.start, 10, size=1) == [0, 4, 7]  # the pool still works


def test_a_nested_call_runs_its_parts_in_its_own_thread(three_parts):
    def outer(part):
        return _parallel.in_parts(lambda inner: (threading.get_ident(), inner.start), 6, size=1)

    for results in _parallel.in_parts(outer, 3, size=1):
        assert [start for _, start in results] == [0, 2, 4]
        assert len({ident for ident, _ in results}) == 1


BLAS_HOLD_SCRIPT = """
import json
import threadpoolctl
from ml2dl import nn
from ml2dl.nn.kernels import threads as _parallel
_parallel.MIN_PARALLEL_SIZE = 0
with nn.num_threads(3), threadpoolctl.threadpool_limits(2, user_api="blas"):
    _parallel.in_parts(lambda part: None, 3, size=1)  # finds the BLAS libraries NumPy loaded
    libraries = _parallel._blas._libraries
    before = [library.num_threads for library in libraries]
    inside = _parallel.in_parts(lambda part: [library.num_threads for library in libraries], 3, size=1)
    print(json.dumps({"before": before, "inside": inside, "after": [library.num_threads for library in libraries]}))
"""


def test_blas_is_held_to_one_thread_inside_parts_and_restored_after():
    pytest.importorskip("threadpoolctl")
    # in a fresh interpreter: BLAS's setting is global, and other tests' threads may use the engine
    done = subprocess.run([sys.executable, "-c", BLAS_HOLD_SCRIPT], capture_output=True, text=True, check=True)
    seen = json.loads(done.stdout)
    before, inside, after = seen["before"], seen["inside"], seen["after"]
    if not before:
        pytest.skip("no BLAS library found by threadpoolctl")
    assert max(before) == 2
    assert inside == [[1] * len(before)] * 3
    assert after == before


SMALL_PRODUCT_SCRIPT = """
import json, types
import numpy as np
import threadpoolctl
from ml2dl import nn
from ml2dl.nn.kernels import dense
libraries = threadpoolctl.ThreadpoolController().select(user_api="blas").lib_controllers
seen = []

def matmul(*args, **kwargs):  # BLAS's thread count at every product the dense kernels run
    seen.append(max(library.num_threads for library in libraries))
    return np.matmul(*args, **kwargs)

dense.np = types.SimpleNamespace(**{**vars(np), "matmul": matmul})
rng = np.random.default_rng(0)
with threadpoolctl.threadpool_limits(2, user_api="blas"):
    for n, k, m in [(16, 784, 128), (10, 2, 8)]:  # the overfitting lesson's first layer; the playground's
        x, layer = rng.standard_normal((n, k), dtype=np.float32), nn.Linear(k, m, rng=0)
        seen.clear()
        y = layer(x)
        layer.backward(np.ones_like(y))
        product = dense.matmul(x, layer.weight.data.T)
        reference = x.astype(np.float64) @ layer.weight.data.T.astype(np.float64)
        print(json.dumps({"inside": seen[:], "after": max(library.num_threads for library in libraries),
                          "error": float(np.abs(product - reference).max())}))
"""


def test_small_products_that_blas_would_thread_run_with_blas_held_to_one_thread():
    pytest.importorskip("threadpoolctl")
    done = subprocess.run([sys.executable, "-c", SMALL_PRODUCT_SCRIPT], capture_output=True, text=True, check=True)
    lesson, playground = [json.loads(line) for line in done.stdout.splitlines()]
    if not lesson["inside"] or lesson["after"] != 2:
        pytest.skip("no BLAS library whose threads threadpoolctl can set")
    # 16·784·128 multiply-adds: over OpenBLAS's own threading threshold, under the engine's split size
    assert 16 * 784 * 128 >= _parallel.BLAS_THREADS_FROM and 16 * (784 + 128) < _parallel.MIN_PARALLEL_SIZE
    assert lesson["inside"] == [1, 1, 1]     # forward, dL/dW, and the product above
    assert playground["inside"] == [2, 2, 2]  # too small for BLAS to thread: no hold (it costs ~5 µs)
    assert lesson["after"] == playground["after"] == 2
    assert lesson["error"] < 1e-3 and playground["error"] < 1e-5


@pytest.mark.parametrize("bad", [0, -1, 1.5, True, "2"])
def test_num_threads_rejects_what_is_not_a_positive_int(bad):
    with pytest.raises(ValueError, match=f"positive int, got {bad!r}"):
        with nn.num_threads(bad):
            pass


def test_num_threads_restores_the_setting():
    before = nn.get_num_threads()
    with nn.num_threads(5):
        assert nn.get_num_threads() == 5
    assert nn.get_num_threads() == before


def lesson_cnn():
    return nn.Sequential(
        nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(8, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(16, 8, 3, stride=2, padding=1), nn.ReLU(), nn.MaxPool2d(3, stride=1),
        nn.Flatten(), nn.Linear(8 * 2 * 2, 6), nn.ReLU(), nn.Linear(6, 1)).reset_parameters(0)


def run(model, x, g_seed=0):
    out = model(x)
    model.zero_grad()
    dx = model.backward(np.random.default_rng(g_seed).standard_normal(out.shape).astype(x.dtype))
    return out, dx, [p.grad.copy() for p in model.parameters()]


def test_the_engine_gives_the_same_numbers_in_one_thread_and_in_parts(monkeypatch, rng):
    x = rng.standard_normal((7, 1, 28, 28)).astype(np.float32)
    with nn.num_threads(1):
        out1, dx1, grads1 = run(lesson_cnn(), x)
    monkeypatch.setattr(_parallel, "MIN_PARALLEL_SIZE", 0)
    with nn.num_threads(3):
        out3, dx3, grads3 = run(lesson_cnn(), x)
    # BLAS may round a block of columns differently from the whole, and sums over the batch
    # are added part by part: equal up to float32 rounding
    np.testing.assert_allclose(out1, out3, rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(dx1, dx3, rtol=1e-5, atol=1e-7)
    for a, b in zip(grads1, grads3):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def test_a_run_in_parts_is_reproducible(three_parts, rng):
    x = rng.standard_normal((7, 1, 28, 28)).astype(np.float32)
    first, second = run(lesson_cnn(), x), run(lesson_cnn(), x)
    for a, b in zip(first[2], second[2]):
        np.testing.assert_array_equal(a, b)


def test_workspace_keeps_its_largest_memory_and_zeroes_what_it_carves_from_it():
    work = nn.kernels.Workspace()
    big = work.array("a", (4, 5), np.float32, zeros=True)
    big[...] = 7
    small = work.array("a", (2, 3), np.float32, zeros=True)    # carved from the same memory, zeroed
    assert np.shares_memory(big, small) and small.shape == (2, 3) and not small.any()
    small[...] = 1
    assert work.array("a", (2, 3), np.float32, zeros=True) is small  # the same call: left as it was
    channel_major = work.array("a", (3, 2), np.float32, order=(1, 0))
    assert np.shares_memory(channel_major, big) and channel_major.T.flags.c_contiguous
    assert not np.shares_memory(work.array("a", (5, 5), np.float32), big)     # larger: new memory
    assert work.array("a", (2, 2), np.float64).dtype == np.float64


def test_batches_of_changing_sizes_give_what_a_fresh_model_gives(rng):
    """Training batches of 64, a last one of 36, validation batches of 256 and 12, images of
    another size: the working memory is carved from the largest asked, and the padding border
    of the patches' buffers must be zero again each time."""
    model = nn.Sequential(nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                          nn.Conv2d(8, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(),  # O ≤ C: im2col of g
                          nn.Conv2d(4, 6, 3, padding=2)).reset_parameters(0)
    for n, side in [(5, 16), (2, 12), (5, 16), (3, 10), (1, 16), (4, 12)]:
        x = rng.standard_normal((n, 1, side, side)).astype(np.float32)
        fresh = run(copy.deepcopy(model), x)  # a copy starts with empty working memory
        kept = run(model, x)
        for a, b in zip(flat(fresh), flat(kept)):
            np.testing.assert_array_equal(a, b)


def flat(result):
    out, dx, grads = result
    return [out, dx, *grads]


def test_conv_output_is_a_channel_major_view_that_later_layers_keep(rng):
    model = nn.Sequential(nn.Conv2d(2, 4, 3, padding=1, rng=0), nn.ReLU(), nn.MaxPool2d(2))
    x = rng.standard_normal((3, 2, 8, 8)).astype(np.float32)
    conv_out = model[0](x)
    assert conv_out.shape == (3, 4, 8, 8)
    assert conv_out.transpose(1, 0, 2, 3).flags.c_contiguous
    relu_out = model[1](conv_out)
    assert relu_out.transpose(1, 0, 2, 3).flags.c_contiguous
    assert model[2](relu_out).transpose(1, 0, 2, 3).flags.c_contiguous


LAYERS = [
    lambda: nn.Conv2d(3, 4, 3, padding=1, rng=0),
    lambda: nn.Conv2d(3, 2, (3, 2), stride=(2, 1), padding=(1, 0), rng=0),
    lambda: nn.ReLU(),
    lambda: nn.ReLU().eval(),       # evaluation: the mask is found when backward asks
    lambda: nn.MaxPool2d(2),
    lambda: nn.MaxPool2d(2).eval(),
    lambda: nn.MaxPool2d((2, 3)),
    lambda: nn.MaxPool2d(3, stride=2),
    lambda: nn.AvgPool2d(2),
    lambda: nn.BatchNorm2d(3),
    lambda: nn.BatchNorm2d(3).eval(),
]


@pytest.mark.parametrize("make", LAYERS, ids=lambda make: repr(make()))
@pytest.mark.usefixtures("engine_parts")
def test_layers_give_the_same_numbers_for_any_memory_order(make, rng):
    """A channel-major view (what a convolution returns) and a C-ordered copy of the same
    values go through every layer to the same outputs and gradients (up to the order of
    float64 sums)."""
    values = rng.standard_normal((3, 4, 6, 6))[:, :3]                       # (N, C, H, W), C order
    channel_major = np.ascontiguousarray(values.transpose(1, 0, 2, 3)).transpose(1, 0, 2, 3)
    results = []
    for x in (np.ascontiguousarray(values), channel_major):
        layer = make().double()
        out = layer(x)
        g = np.random.default_rng(1).standard_normal(out.shape)
        results.append((out, layer.backward(g), [p.grad for p in layer.parameters()]))
    (out_a, dx_a, grads_a), (out_b, dx_b, grads_b) = results
    np.testing.assert_allclose(out_a, out_b, rtol=1e-13, atol=1e-14)
    np.testing.assert_allclose(dx_a, dx_b, rtol=1e-13, atol=1e-14)
    for a, b in zip(grads_a, grads_b):
        np.testing.assert_allclose(a, b, rtol=1e-13, atol=1e-14)


def slow_max_pool(x, k, s):
    n, c, h, w = x.shape
    ho, wo = (h - k[0]) // s[0] + 1, (w - k[1]) // s[1] + 1
    return np.array([[[[x[i, ch, r * s[0]:r * s[0] + k[0], q * s[1]:q * s[1] + k[1]].max() for q in range(wo)]
                       for r in range(ho)] for ch in range(c)] for i in range(n)])


def slow_max_pool_backward(x, grad, k, s):
    """Each window's gradient to its first maximum in row-major order (PyTorch's rule)."""
    dx = np.zeros_like(x)
    n, c, ho, wo = grad.shape
    for i in range(n):
        for ch in range(c):
            for r in range(ho):
                for q in range(wo):
                    window = x[i, ch, r * s[0]:r * s[0] + k[0], q * s[1]:q * s[1] + k[1]]
                    u, v = np.unravel_index(np.argmax(window), window.shape)  # argmax: first maximum
                    dx[i, ch, r * s[0] + u, q * s[1] + v] += grad[i, ch, r, q]
    return dx


@pytest.mark.parametrize("k,s,hw", [
    ((2, 2), (2, 2), (6, 8)),    # tiles the image: the separable path
    ((3, 3), (3, 3), (6, 9)),
    ((2, 3), (2, 3), (4, 6)),
    ((1, 2), (1, 2), (3, 4)),
    ((2, 1), (2, 1), (4, 3)),
    ((2, 2), (2, 2), (5, 7)),    # does not tile: the planes path
    ((3, 3), (2, 2), (7, 7)),    # overlapping windows
])
@pytest.mark.parametrize("order", ["C order", "channel-major"])
@pytest.mark.parametrize("mode", ["train", "eval"])  # eval: the winners are found when backward asks
@pytest.mark.usefixtures("engine_parts")
def test_max_pool_routes_ties_to_the_first_maximum(k, s, hw, order, mode, rng):
    values = rng.integers(0, 3, (2, 3, *hw)).astype(np.float64)  # many ties
    x = values if order == "C order" else \
        np.ascontiguousarray(values.transpose(1, 0, 2, 3)).transpose(1, 0, 2, 3)
    pool = nn.MaxPool2d(k, s).train(mode == "train")
    out = pool(x)
    np.testing.assert_array_equal(out, slow_max_pool(values, k, s))
    grad = rng.standard_normal(out.shape)
    # exact but for the order in which overlapping windows add into one input
    np.testing.assert_allclose(pool.backward(grad), slow_max_pool_backward(values, grad, k, s), rtol=1e-15, atol=0)
    np.testing.assert_array_equal(pool.winners(), slow_max_pool_backward(values, np.ones_like(grad), k, s) > 0)


def test_max_pool_ties_match_torch(rng):
    torch = pytest.importorskip("torch", reason="PyTorch is the reference; not installed")
    values = rng.integers(0, 2, (4, 3, 8, 8)).astype(np.float64)
    pool = nn.MaxPool2d(2)
    grad = rng.standard_normal((4, 3, 4, 4))
    pool(values)
    xt = torch.tensor(values, requires_grad=True)
    torch.nn.functional.max_pool2d(xt, 2).backward(torch.tensor(grad))
    np.testing.assert_array_equal(pool.backward(grad), xt.grad.numpy())
