"""The engine's shape as a codebase: layers that read like the maths, kernels that do the work,
imports that point one way, no lesson state, and a thread count that belongs to the caller."""

import ast
import threading
from pathlib import Path

import numpy as np
import pytest

from ml2dl import nn

NN = Path(nn.__file__).parent
LAYER_FILES = ["linear.py", "conv.py", "pooling.py", "normalization.py", "activation.py", "loss.py"]


@pytest.mark.parametrize("name", LAYER_FILES)
def test_a_layer_file_is_short_and_holds_no_threads_or_working_memory(name):
    text = (NN / name).read_text()
    assert len(text.splitlines()) <= 250
    for word in ("in_parts", "threading", "Workspace", "_work.array", "memory_order", "ascontiguousarray", "scratch"):
        assert word not in text, f"{name} mentions {word}: that belongs to nn/kernels"


def _imports(path: Path) -> set[str]:
    """The nn modules that ``path`` imports, anywhere in the file (lazy imports included)."""
    package = "ml2dl.nn" + ("" if path.parent == NN else ".kernels")
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.level:
            base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
            target = f"{base}.{node.module}" if node.module else base
            names = [target] if node.module else [f"{base}.{alias.name}" for alias in node.names]
            found.update(n for n in names if n.startswith("ml2dl.nn"))
    return found


def test_the_imports_inside_nn_make_no_circle():
    modules = {}
    for path in [*NN.glob("*.py"), *(NN / "kernels").glob("*.py")]:
        name = "ml2dl.nn" + ("" if path.parent == NN else ".kernels")
        if path.stem != "__init__":
            name += "." + path.stem
        modules[name] = _imports(path)
    graph = {m: {d for d in deps if d in modules and d != m} for m, deps in modules.items()}
    graph.pop("ml2dl.nn")  # the package's face imports everything, and nothing imports it
    assert not any("ml2dl.nn" == d for deps in graph.values() for d in deps)
    visiting, done = set(), set()

    def visit(m, path):
        if m in done:
            return
        assert m not in visiting, f"import circle: {' → '.join(path + [m])}"
        visiting.add(m)
        for d in graph.get(m, ()):
            visit(d, path + [m])
        visiting.discard(m)
        done.add(m)

    for m in graph:
        visit(m, [])


def cnn():
    return nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Conv2d(4, 6, 3, padding=1), nn.BatchNorm2d(6), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Flatten(), nn.Linear(6 * 7 * 7, 1)).reset_parameters(0)


def test_forward_all_returns_every_stage_and_keeps_nothing_on_the_layers(rng):
    model = cnn().eval()
    x = rng.random((3, 1, 28, 28), dtype=np.float32)
    outputs = model.forward_all(x)
    assert len(outputs) == len(model)
    expected = x
    for layer, out in zip(model, outputs):
        expected = layer(expected)
        np.testing.assert_array_equal(out, expected)
    np.testing.assert_array_equal(outputs[-1], model(x))
    assert not any(hasattr(layer, "output") for layer in model)


def test_threads_share_one_model_for_inference(rng):
    """The web module answers several requests with one cached model: forward passes in
    parallel threads give each its own numbers (each thread has its own working memory)."""
    model = cnn().eval()
    images = [rng.random((2, 1, 28, 28), dtype=np.float32) for _ in range(4)]
    expected = [model.forward_all(x) for x in images]
    results, start = [None] * len(images), threading.Barrier(len(images))

    def run(i):
        start.wait()
        for _ in range(20):
            outs = model.forward_all(images[i])
            if results[i] is None:
                results[i] = outs
            for a, b in zip(outs, expected[i]):
                np.testing.assert_array_equal(a, b)

    errors = []
    threads = [threading.Thread(target=lambda i=i: _record(errors, run, i)) for i in range(len(images))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors[0]


def _record(errors, run, i):
    try:
        run(i)
    except BaseException as err:  # reported by the test's thread
        errors.append(err)


def test_the_thread_count_belongs_to_the_thread_that_set_it():
    seen, inside = {}, threading.Event()
    outside_value = nn.get_num_threads()

    def other():
        with nn.num_threads(5):
            inside.set()
            seen["other"] = nn.get_num_threads()
            done.wait()

    done = threading.Event()
    t = threading.Thread(target=other)
    t.start()
    inside.wait()
    seen["here"] = nn.get_num_threads()  # another thread's setting does not leak here
    done.set()
    t.join()
    assert seen == {"other": 5, "here": outside_value}
    with nn.num_threads(2):
        with nn.num_threads(1):
            assert nn.get_num_threads() == 1
        assert nn.get_num_threads() == 2


def test_fit_trains_without_the_input_gradient_of_the_first_layer(monkeypatch, rng):
    from ml2dl.train import build_model, fit

    model = build_model("lesson", in_channels=1, image_size=8, width=2, hidden=4, seed=0)
    asked = []
    backward = type(model).backward

    def spy(self, grad, **options):
        asked.append(options.get("input_grad", True))
        return backward(self, grad, **options)

    monkeypatch.setattr(type(model), "backward", spy)
    x = rng.random((8, 1, 8, 8), dtype=np.float32)
    y = np.array([0, 1] * 4)
    fit(model, (x, y), None, epochs=1, batch_size=4, augment=None, precise_bn=None)
    assert asked == [False, False]


def test_backward_without_the_input_gradient_still_trains_a_first_layer_with_parameters(rng):
    x = rng.standard_normal((6, 3)).astype(np.float64)
    g = rng.standard_normal((6, 2))
    for first in (nn.BatchNorm1d(3), nn.Linear(3, 3, rng=0), nn.Tanh()):
        model = nn.Sequential(first, nn.Linear(3, 2, rng=1)).double()
        model(x)
        full = model.backward(g)
        grads = [p.grad.copy() for p in model.parameters()]
        model.zero_grad()
        model(x)
        assert model.backward(g, input_grad=False) is None
        for a, b in zip(grads, [p.grad for p in model.parameters()]):
            np.testing.assert_array_equal(a, b)
        assert full.shape == x.shape


def _kept_bytes(model) -> int:
    """The working memory this thread's calls of the model's layers keep."""
    return sum(entry[2].nbytes for m in model.modules() for entry in getattr(m._work._local, "arrays", {}).values())


def test_forget_workspace_lets_go_of_a_thread_s_working_memory_and_changes_no_answer():
    rng = np.random.default_rng(0)
    model = nn.Sequential(nn.Conv2d(1, 8, 3, padding=1), nn.BatchNorm2d(8), nn.ReLU(), nn.MaxPool2d(2),
                          nn.Flatten(), nn.Linear(8 * 14 * 14, 1))
    model.eval()
    x = rng.standard_normal((256, 1, 28, 28)).astype(np.float32)
    first = model(x).copy()
    im2col = (1 * 3 * 3 + 1) * 256 * 28 * 28 * 4  # the convolution's patch matrix, float32, with its row of ones
    assert _kept_bytes(model) >= im2col
    model.forget_workspace()
    assert _kept_bytes(model) == 0
    np.testing.assert_array_equal(model(x), first)
