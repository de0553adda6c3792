"""Step ``descent`` API: gradient descent with one weight, then two (``ml2dl.lessons.descent``, ``descent_2d``).

Stateless: the page sends where it started and how many steps it has taken.

    GET  /api/descent/options     presets, surfaces, the limits
    POST /api/descent/one         {w, lr, steps}                 → the run so far and the next step
    POST /api/descent/surface     {surface, start, optimizer, lr, steps}  → contours and the path
    POST /api/descent/compare     {surface, start, lr, adam_lr, steps}   → gd, momentum, Adam side by side
    POST /api/descent/minibatch   {batch_size, lr, epochs, seed, start}  → full batch against mini-batches
    POST /api/descent/batches     {dataset_size, batch_size}             → batches per epoch
"""

from __future__ import annotations

from fastapi import APIRouter

from ml2dl.checks import InputError
from ml2dl.lessons import descent as one
from ml2dl.lessons import descent_2d as two
from ml2dl.web.schemas.descent import (MAX_COMPARE_STEPS, MAX_MINIBATCH_UPDATES, BatchesRequest, BatchesResult,
                                       CompareRequest, CompareResult, DescentOptions, MinibatchRequest,
                                       MinibatchResult, OneWeightRequest, OneWeightResult, SurfaceRequest,
                                       SurfaceResult)

router = APIRouter(prefix="/api/descent", tags=["descent"])


@router.get("/options", response_model=DescentOptions)
async def options() -> dict:
    """The learning-rate presets, the parabola's minimum, the two surfaces and every limit."""
    return {
        "presets": [{"name": name, "lr": lr} for name, lr in one.LEARNING_RATES.items()],
        "minimum": one.minimum(),
        "data": one.tumour_data(),
        "surfaces": {name: {"axes": list(s.axes), "extent": [list(e) for e in s.extent], "start": list(s.start),
                            "lr": s.lr, "adam_lr": two.ADAM_LR[name]} for name, s in two.SURFACES.items()},
        "optimizers": dict(two.OPTIMIZER_LABELS),
        "limits": {"w": list(one.W_RANGE), "max_lr": one.MAX_LR, "max_steps": one.MAX_STEPS,
                   "max_steps_2d": two.MAX_STEPS, "max_compare_steps": MAX_COMPARE_STEPS,
                   "max_minibatch_updates": MAX_MINIBATCH_UPDATES, "max_epochs": two.MAX_EPOCHS},
    }


@router.post("/one", response_model=OneWeightResult)
async def one_weight(req: OneWeightRequest) -> dict:
    """``steps`` steps from ``w`` with what they did, and the next step from where the run stands."""
    run = one.descend(req.w, req.lr, req.steps) if req.steps else None
    current = run["w"][-1] if run else req.w
    inside = one.W_RANGE[0] <= current <= one.W_RANGE[1]  # step() takes weights on the chart only
    return {"run": run, "step": one.step(current, req.lr) if inside else None}


@router.post("/surface", response_model=SurfaceResult)
async def surface(req: SurfaceRequest) -> dict:
    """Contours of a two-weight loss and the path of descent from ``start``."""
    return two.descend(req.surface, req.start, req.optimizer, req.lr, req.steps, req.resolution)


@router.post("/compare", response_model=CompareResult)
async def compare(req: CompareRequest) -> dict:
    """Gradient descent, momentum and Adam from the same start, on the same contours."""
    return two.compare_optimizers(req.surface, req.start, req.lr, req.adam_lr, req.steps, req.resolution)


@router.post("/minibatch", response_model=MinibatchResult)
async def minibatch(req: MinibatchRequest) -> dict:
    """Full-batch against mini-batch descent on the tumour surface, epoch for epoch."""
    batches = one.batches_per_epoch(len(one.SIZES_CM), req.batch_size)["batches"]
    if req.epochs * batches > MAX_MINIBATCH_UPDATES:
        raise InputError(f"epochs × batches per epoch must be ≤ {MAX_MINIBATCH_UPDATES} updates per request, "
                         f"got {req.epochs} × {batches} = {req.epochs * batches}")
    return two.minibatch(req.batch_size, req.lr, req.epochs, req.seed, req.start, req.resolution)


@router.post("/batches", response_model=BatchesResult)
async def batches(req: BatchesRequest) -> dict:
    """How many mini-batch updates make one epoch: ⌈N / m⌉."""
    return one.batches_per_epoch(req.dataset_size, req.batch_size)
