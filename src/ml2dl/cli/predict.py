"""``ml2dl predict``: the probability of pneumonia for image files, and a heatmap of the evidence."""

from __future__ import annotations

import json
from pathlib import Path

from ..checks import InputError
from .arguments import DEFAULT_OPERATING_POINT, OPERATING_POINT_NAMES, window
from .runs import load_run


def add_parser(sub) -> None:
    p = sub.add_parser("predict", help="probability of pneumonia for images (PNG, JPEG, DICOM)")
    p.add_argument("run", help="run directory written by ml2dl train")
    p.add_argument("images", nargs="+", help="image files")
    p.add_argument("--heatmap", help="write a Grad-CAM overlay PNG here (with several images: "
                                     "one file per image, named after it)")
    p.add_argument("--method", default="gradcam", choices=("gradcam", "saliency"), help="heatmap method")
    p.add_argument("--operating-point", default=DEFAULT_OPERATING_POINT, choices=OPERATING_POINT_NAMES)
    p.add_argument("--window", type=window, help="DICOM window CENTRE,WIDTH (default: the file's)")
    p.add_argument("--json", action="store_true", help="print one JSON object per image")


def run(args) -> int:
    from ..train import predict_proba

    run_dir, config, model, meta = load_run(args.run)
    shape = config.get("input_shape") or meta.get("input_shape")
    if not shape:
        raise InputError(f"{run_dir.path} does not record its input image shape")
    saved = run_dir.operating_points()
    if saved and args.operating_point not in saved["points"]:
        raise InputError(f"{run_dir.path / 'operating_points.json'} has no {args.operating_point!r} point "
                         f"(it has: {', '.join(sorted(map(str, saved['points'])))[:80]})")
    if saved:
        p = saved["points"][args.operating_point]
        threshold, rule = p["threshold"], f"{args.operating_point} threshold {p['threshold']:.3f}"
    else:
        threshold, rule = 0.5, "threshold 0.5 (the run has no operating points)"
    names = config.get("class_names") or ["normal", "pneumonia"]
    x = read_images(args.images, shape, args.window)
    probs = predict_proba(model, x)
    heat_paths = [None] * len(x)
    if args.heatmap:
        heat_paths = heatmap_paths(args.heatmap, args.images)
        write_heatmaps(model, x, (probs >= threshold).astype(int), args.method, heat_paths)
    for path, prob, heat in zip(args.images, probs, heat_paths):
        label = names[1] if prob >= threshold else names[0]
        if args.json:
            print(json.dumps({"image": path, "probability": float(prob), "label": label, "threshold": threshold,
                              "operating_point": args.operating_point if saved else None,
                              "heatmap": str(heat) if heat else None}))
        else:
            print(f"{path}: P({names[1]}) = {prob:.3f} → {label} ({rule})"
                  + (f"; heatmap of the evidence for {label}: {heat}" if heat else ""))
    return 0


def read_images(paths, shape, window_):
    """The image files as one float32 batch (N, C, H, W) of the run's input shape."""
    import numpy as np

    from ..data.images import read_image

    c, h, w = shape
    images = []
    for path in paths:
        img = read_image(path, mode="L" if c == 1 else "RGB", size=(h, w), window=window_)
        images.append(img[None] if img.ndim == 2 else np.transpose(img, (2, 0, 1)))
    return np.stack(images).astype(np.float32)


def write_heatmaps(model, x, targets, method: str, paths) -> None:
    """An overlay PNG per image (at least 224 px) of the evidence for the label given (``targets``)."""
    from PIL import Image

    from ..explain import grad_cam, overlay, resize_maps, saliency
    from ..files import atomic_write

    h, w = x.shape[2:]
    scale = max(1, 224 // max(h, w))
    big = (h * scale, w * scale)
    for img, target, out in zip(x, targets, paths):
        if method == "gradcam":
            heat = grad_cam(model, img[None], target=int(target), size=big)[0]
        else:
            sal = saliency(model, img[None], target=int(target))[0]
            heat = resize_maps((sal / sal.max() if sal.max() > 0 else sal)[None], big)[0]
        pic = overlay(resize_maps(img.mean(axis=0, keepdims=True), big)[0], heat)
        atomic_write(out, lambda f, pic=pic: Image.fromarray(pic).save(f, format="PNG"))


def heatmap_paths(target, images) -> list[Path]:
    """``--heatmap cam.png``: that file for one image, ``cam_<image>.png`` for several."""
    target = Path(target)
    if target.suffix.lower() != ".png":
        raise InputError(f"--heatmap must name a .png file, got {target}")
    if len(images) == 1:
        return [target]
    return [target.with_name(f"{target.stem}_{Path(p).stem}.png") for p in images]
