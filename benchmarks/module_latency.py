"""Server time of each step's API call: p50 / p95 over repeated in-process requests.

Each case is one request a page makes while a student drags a control. Requests go through
FastAPI's TestClient (validation, the lesson function, JSON encoding: everything but the
network), and the reference beside them is the framework's floor, ``GET /api/health``:
the ratio says how much of a call is the lesson's own work.

    .venv/bin/python benchmarks/module_latency.py              # all cases, 50 calls each
    .venv/bin/python benchmarks/module_latency.py --step 3 --step loss -n 200

To add a step's cases, append ``Case(...)`` entries to ``CASES`` (one line each).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Case:
    """One API call: ``body=None`` means GET, otherwise POST with this JSON body."""

    step: int | str  # 1–9, or a new step's URL name
    name: str
    path: str
    body: dict | None = field(default=None)
    job: tuple[str, dict] | None = None  # (POST path, body) of a job that must be done before timing;
    # its answer's "run" (a clinic run's name) fills "{run}" in ``path``


CLINIC_RUN = ("/api/clinic/train", {"n_train": 64, "epochs": 1, "width": 4, "batch_size": 32})  # a tiny phantom run

CASES: list[Case] = [
    # step 1 — neuron
    Case(1, "neuron (worked example)", "/api/neuron", {}),
    Case(1, "neuron (far from 0)", "/api/neuron", {"x1": 3, "x2": 3, "w1": 3, "w2": 3, "b": 3}),
    # step 3 — activations
    Case(3, "activation sigmoid", "/api/activations", {"fn": "sigmoid", "z": 0.5}),
    Case(3, "activation softmax (8 classes)", "/api/activations", {"fn": "softmax", "vector": [1, 2, 3, 4, 5, 6, 7, 8]}),
    Case(3, "stack tanh k=3", "/api/activations/stack", {"fn": "tanh", "width": 3, "seed": 1}),
    Case(3, "stack relu k=8", "/api/activations/stack", {"fn": "relu", "width": 8, "seed": 1}),
    # step 4 — layers
    Case(4, "layers 10→10→10→10", "/api/layers", {"sizes": [10, 10, 10, 10]}),
    Case(4, "layers 10 layers", "/api/layers", {"sizes": [784] + [1000] * 8 + [10]}),
    # step 6 — convolution
    Case(6, "convolution 28, 32", "/api/convolution", {"size": 28, "neurons": 32}),
    Case(6, "convolution 512, 1024, k=11", "/api/convolution", {"size": 512, "neurons": 1024, "kernel": 11}),
    Case(6, "convolution quiz", "/api/convolution/quiz", {"fc_answer": 1010, "conv_answer": 100}),
    # step 8 — pooling
    Case(8, "pooling 8×8", "/api/pooling", {"size": 8, "seed": 0}),
    Case(8, "pooling 16×16", "/api/pooling", {"size": 16, "seed": 0}),
    # step 2 — playground (engineer B): a fresh 2→8→8→1 net, 10 steps, 48² boundary, 200 training points
    Case(2, "playground 10 steps, 48² grid", "/api/playground/train", {"settings": {"hidden": [8, 8]}, "steps": 10, "include_points": False}),
    Case(2, "playground 100 steps, 64² grid", "/api/playground/train", {"settings": {"hidden": [8, 8, 8, 8]}, "steps": 100, "resolution": 64}),
    Case(2, "playground 10 steps, all 7 input features", "/api/playground/train", {"settings": {"hidden": [8, 8], "features": ["x1", "x2", "x1sq", "x2sq", "x1x2", "sin1", "sin2"]}, "steps": 10, "include_points": False}),
    # step 5 — images (B)
    Case(5, "images view (28×28 + shuffled)", "/api/images/view", None),
    # step 7 — kernels (B): the engine's Conv2d on a 512×512 image, PNG out
    Case(7, "kernel sharpen 512×512", "/api/kernels/apply", {"image": "sample:retina", "kernel": [[0, -1, 0], [-1, 5, -1], [0, -1, 0]]}),
    Case(7, "kernel outline 512×512 (signed)", "/api/kernels/apply", {"image": "sample:retina", "kernel": [[-1, -1, -1], [-1, 8, -1], [-1, -1, -1]]}),
    Case(7, "kernel pixel explanation", "/api/kernels/pixel", {"image": "sample:retina", "row": 200, "col": 300}),
    # the training loop (its runs and searches are jobs: only the small calls are timed)
    Case("loop", "loop options", "/api/loop/options", None),
    Case("loop", "loop plan (run and search)", "/api/loop/plan", {"n_train": 600, "batch_size": 32, "epochs": 20}),
    Case("loop", "loop run status (unknown job)", "/api/loop/run/0123456789abcdef", None),
    # perceptron
    Case("perceptron", "perceptron truth table", "/api/perceptron", {"w1": -1, "w2": 1, "b": 0.5}),
    Case("perceptron", "perceptron check answers", "/api/perceptron/check", {"w1": -1, "w2": 2, "b": -0.5, "answers": [0, 1, 0, 1]}),
    Case("perceptron", "perceptron XOR search + two layers", "/api/perceptron/xor", None),
    Case("perceptron", "perceptron one learning update", "/api/perceptron/learn", {"state": {"w1": 1, "w2": 0, "b": -1, "step": 7}, "data": "XOR", "lr": 0.5}),
    # descent — one weight, then two: contours (41² grid) with paths
    Case("descent", "descent options", "/api/descent/options", None),
    Case("descent", "descent one weight, 20 steps", "/api/descent/one", {"w": -0.5, "lr": 0.2, "steps": 20}),
    Case("descent", "descent one weight, 200 steps", "/api/descent/one", {"w": -0.5, "lr": 0.01, "steps": 200}),
    Case("descent", "descent two minima, 300 steps", "/api/descent/surface", {"surface": "two_minima", "steps": 300}),
    Case("descent", "descent tumour surface, 300 steps", "/api/descent/surface", {"surface": "tumour", "steps": 300}),
    Case("descent", "descent compare 3×100 steps, 31²", "/api/descent/compare", {"steps": 100, "resolution": 31}),
    Case("descent", "descent compare 3×100 steps, 41²", "/api/descent/compare", {"steps": 100}),
    Case("descent", "descent minibatch m=4, 10 epochs", "/api/descent/minibatch", {"batch_size": 4, "epochs": 10, "resolution": 31}),
    Case("descent", "descent minibatch m=1, 10 epochs", "/api/descent/minibatch", {"batch_size": 1, "epochs": 10, "resolution": 31}),
    Case("descent", "descent batches per epoch", "/api/descent/batches", {"dataset_size": 4708, "batch_size": 32}),
    # backprop — the 2 → 2 → 1 network, node by node
    Case("backprop", "backprop graph + gradients", "/api/backprop", {}),
    Case("backprop", "backprop one update", "/api/backprop/update", {"lr": 1.0}),
    # loss
    Case("loss", "loss binary (6 predictions + curves)", "/api/loss/binary", {}),
    Case("loss", "loss binary (12 predictions)", "/api/loss/binary", {"predictions": [0.05, 0.2, 0.4, 0.6, 0.8, 0.95] * 2, "labels": [1, 0] * 6}),
    Case("loss", "loss regression (BMI line)", "/api/loss/regression", {"slope": 0.3, "intercept": 2}),
    Case("loss", "loss table (10 rows of logits)", "/api/loss/table", {"rows": [[1, 2, 0.5]] * 10, "true_classes": [2] * 10, "kind": "logits"}),
    Case("loss", "loss set one probability", "/api/loss/set-probability", {"row": [0.25, 0.6, 0.15], "index": 2, "value": 0.9}),
    Case("loss", "loss worked examples", "/api/loss/worked", None),
    # the clinic (a trained run's ROC, table and mistakes: benchmarks/clinic.py)
    Case("clinic-train", "clinic options", "/api/clinic/options", None),
    Case("clinic-train", "clinic runs (empty folder)", "/api/clinic/runs", None),
    # …and on one tiny trained run ({run}: its name, from the train job); the ROC slider itself asks the server nothing
    Case("clinic-train", "clinic runs (one run)", "/api/clinic/runs", None, job=CLINIC_RUN),
    Case("clinic-roc", "clinic roc table at 1% prevalence", "/api/clinic/roc/table?run={run}&prevalence=0.01", None, job=CLINIC_RUN),
    Case("clinic-mistakes", "clinic mistakes: fn cell at 0.5", "/api/clinic/mistakes?run={run}&threshold=0.5&cell=fn", None, job=CLINIC_RUN),
    Case("cases", "cases data (balanced point)", "/api/clinic/cases?run={run}", None, job=CLINIC_RUN),
    # when learning goes wrong — vanishing: the three stacks train once per setting as a job; the page reads its state
    Case("vanishing", "vanishing options", "/api/vanishing/options", None),
    Case("vanishing", "vanishing job state (done)", "/api/vanishing/train?depth=4&epochs=10", None, job=("/api/vanishing/train", {"depth": 4, "epochs": 10})),
    # beyond images — rnn: both networks train once per setting as a job (POST /api/rnn/train first), then another patient is a lookup
    Case("rnn", "rnn another patient (networks read from disk once)", "/api/rnn/patient", {"patient": 5}, job=("/api/rnn/train", {})),
    Case("rnn", "rnn options", "/api/rnn/options", None),
    Case("rnn", "rnn training state (done)", "/api/rnn/train?hidden=12&epochs=20&seed=0", None, job=("/api/rnn/train", {})),
    # overfitting: the job's state (the trainings themselves run in the background)
    Case("overfitting", "overfitting options", "/api/overfitting/options", None),
    Case("overfitting", "overfitting job state", "/api/overfitting/experiment?n_train=50&epochs=20", None),
    # beyond images
    Case("quiz", "quiz kinds", "/api/quiz/kinds", None),
    Case("quiz", "quiz question", "/api/quiz/question", {"kind": "fc_vs_conv", "seed": 5}),
    Case("quiz", "quiz check (a step's end: vanishing)", "/api/quiz/check", {"kind": "vanishing", "seed": 1, "answer": 6.25}),
    Case("quiz", "quiz check", "/api/quiz/check", {"kind": "dense_params", "seed": 0, "answer": 330}),
    Case("quiz", "quiz set of 8", "/api/quiz/set", {"seed": 3, "count": 8}),
    Case("quiz", "quiz score of 8", "/api/quiz/score", {"answers": [{"kind": "sigmoid", "seed": s, "answer": 0.5} for s in range(8)]}),
    Case("data", "data row", "/api/data/row", None),
    Case("data", "data chest pixels, 18 × 18 crop", "/api/data/pixels", {"row": 3, "col": 4}),
    Case("data", "data CT sample pixels", "/api/data/pixels", {"source": "ct_small", "size": 32}),
    Case("data", "data chest pixels, largest crop (32 × 32)", "/api/data/pixels", {"index": 7, "size": 32}),
    Case("data", "data colour photograph (3 × 96 × 96)", "/api/data/colour", None),
    Case("data", "data word map", "/api/data/words", None),
    Case("data", "data neighbours", "/api/data/neighbours", {"word": "doctors", "k": 5}),
    Case("architectures", "architectures", "/api/architectures", None),
]

REFERENCE = Case(0, "reference: GET /api/health", "/api/health", None)


def time_case(client, case: Case, repeats: int) -> list[float]:
    """Seconds per call, after two warm-up calls; fails loudly on a non-200 answer."""
    path = case.path
    if case.job:  # train first (not timed): the case reads what the job saved
        while True:
            answer = client.post(case.job[0], json=case.job[1]).json()
            if (answer.get("status") or answer["snapshot"]["status"]) in ("done", "failed", "cancelled"):
                break
            time.sleep(0.1)
        path = path.replace("{run}", answer.get("run", ""))

    def call():
        r = client.get(path) if case.body is None else client.post(path, json=case.body)
        if r.status_code != 200:
            raise RuntimeError(f"{case.name}: {path} answered {r.status_code}: {r.text[:200]}")
        return r

    for _ in range(2):
        call()
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        call()
        times.append(time.perf_counter() - t0)
    return times


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    k = (len(ordered) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", "--repeats", type=int, default=50, help="calls per case (default 50)")
    parser.add_argument("--step", action="append", help="only these steps (a number or a URL name; repeatable)")
    args = parser.parse_args(argv)
    if args.repeats < 1:
        parser.error(f"--repeats must be ≥ 1, got {args.repeats}")

    from fastapi.testclient import TestClient

    from ml2dl.web.app import create_app

    cases = [c for c in CASES if not args.step or str(c.step) in args.step]
    with tempfile.TemporaryDirectory() as cache, TestClient(create_app(cache_dir=cache)) as client:
        # The reference is timed before and after the cases (the machine is shared); the lower median counts.
        before = time_case(client, REFERENCE, args.repeats)
        results = [(case, time_case(client, case, args.repeats)) for case in cases]
        after = time_case(client, REFERENCE, args.repeats)
        ref = min(statistics.median(before), statistics.median(after))
        print(f"{'step':>10}  {'case':<34} {'p50 ms':>8} {'p95 ms':>8} {'p50 / ref':>10}")
        print(f"{'':>10}  {REFERENCE.name:<34} {ref * 1e3:8.2f} {'':>8} {1.0:10.1f}")
        for case, t in results:
            p50, p95 = percentile(t, 0.5), percentile(t, 0.95)
            print(f"{case.step:>10}  {case.name:<34} {p50 * 1e3:8.2f} {p95 * 1e3:8.2f} {p50 / ref:10.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
