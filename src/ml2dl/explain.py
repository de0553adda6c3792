"""Where did the network look? Saliency maps and Grad-CAM, from the engine's own backward pass.

Both answer "which pixels would change the pneumonia score?" with a gradient, the same
backpropagation that trains the network, only taken with respect to the *image* (or a
feature map) instead of the weights.

**Saliency** (Simonyan et al. 2014). For the logit z of one image x,

    S[i, j] = max_c | ∂z / ∂x[c, i, j] |

a pixel-level map: bright where a small change of the pixel moves the score most.
``model.backward`` returns dz/dx directly. For a linear model z = w·x + b the map is
exactly |w| reshaped to the image: saliency is "the weights the image is multiplied by".

**Grad-CAM** (Selvaraju et al. 2017). Take the feature maps A (K, h, w) of the last
convolutional block and the gradient of z flowing into them; weigh each map by its
average gradient and keep the positive evidence:

    α_k = (1 / h·w) Σ_ij ∂z / ∂A[k, i, j]          (how much map k pushes the score up)
    CAM = ReLU( Σ_k α_k A[k] )                      (h, w), then resized to the image

Coarser than saliency (7×7 on a 28-px image) but class-discriminative and far less noisy.

For the normal class (target 0) the score is −z (the logit of "normal"). Both functions
run the model in evaluation mode and leave its parameters' gradients as they found them.
"""

from __future__ import annotations

import numpy as np

from . import checks, nn
from .checks import InputError
from .data.images import to_uint8

__all__ = ["input_gradient", "saliency", "grad_cam", "last_conv_index", "overlay"]


def _images(x) -> np.ndarray:
    x = np.asarray(x)
    if x.ndim == 3:  # one image (C, H, W)
        x = x[None]
    if x.ndim != 4:
        raise InputError(f"images must have shape (N, C, H, W) or (C, H, W), got shape {x.shape}")
    if not np.issubdtype(x.dtype, np.floating):
        raise InputError(f"images must be floats in [0, 1], got dtype {x.dtype}")
    return x


def _check_target(target) -> float:
    """The sign of the explained logit: +1 for pneumonia (target 1), −1 for normal (target 0)."""
    return 1.0 if checks.choice("target (1 = pneumonia, 0 = normal)", target, (1, 0)) == 1 else -1.0


def _sequential(model):
    if not isinstance(model, nn.Sequential):
        raise InputError(f"model must be an nn.Sequential, got {type(model).__name__}")
    return model


class _Explaining:
    """Eval mode and untouched parameter gradients for the duration of an explanation."""

    def __init__(self, model):
        self.model = _sequential(model)

    def __enter__(self):
        self.was_training = self.model.training
        self.grads = [p.grad.copy() for p in self.model.parameters()]
        self.model.eval()
        return self.model

    def __exit__(self, *exc):
        for p, g in zip(self.model.parameters(), self.grads):
            p.grad[...] = g
        self.model.train(self.was_training)
        return False


def _check_logits(logits):
    if logits.ndim != 2 or logits.shape[1] != 1:
        raise InputError(f"explanations need a model with one output logit, got output shape {logits.shape}")
    return logits


def input_gradient(model, images, *, target: int = 1) -> np.ndarray:
    """∂z/∂x for each image (z = the pneumonia logit; −z for ``target=0``).

    Shape: images (N, C, H, W) → gradients (N, C, H, W), same dtype.
    """
    x = _images(images)
    sign = _check_target(target)
    with _Explaining(model):
        logits = _check_logits(model(x))
        return model.backward(np.full_like(logits, sign))


def saliency(model, images, *, target: int = 1) -> np.ndarray:
    """Saliency map S = max over channels of |∂z/∂x|, not normalised.

    Shape: images (N, C, H, W) → maps (N, H, W).
    """
    return np.abs(input_gradient(model, images, target=target)).max(axis=1)


def last_conv_index(model) -> int:
    """Index of the layer whose output Grad-CAM uses: the last one with a spatial (h, w > 1)
    output before the network's head (after the last Conv2d and its batch norm / ReLU / pooling).
    """
    _sequential(model)
    convs = [i for i, layer in enumerate(model.layers) if isinstance(layer, nn.Conv2d)]
    if not convs:
        raise InputError("Grad-CAM needs a convolutional network; this model has no Conv2d layer")
    index = convs[-1]
    for i in range(index + 1, len(model.layers)):
        layer = model.layers[i]
        if isinstance(layer, (nn.Flatten, nn.AdaptiveAvgPool2d, nn.Linear)):
            break
        index = i
    return index


def grad_cam(model, images, *, target: int = 1, layer: int | None = None, size=None,
             normalize: bool = True) -> np.ndarray:
    """Grad-CAM heatmaps for a CNN (an ``nn.Sequential``).

    Args:
        model: a CNN ending in one logit.
        images: (N, C, H, W) (or one image (C, H, W)).
        target: 1 explains "pneumonia" (the logit z), 0 explains "normal" (−z).
        layer: index of the layer whose output A is used; default :func:`last_conv_index`.
        size: (H, W) to resize the maps to with bilinear interpolation; default the
            images' size; ``False`` keeps the feature maps' own (h, w).
        normalize: divide each map by its maximum, so it lies in [0, 1] (an all-zero map stays 0).

    Returns:
        (N, H, W) float64 maps (or (N, h, w) with ``size=False``).
    """
    x = _images(images)
    sign = _check_target(target)
    model = _sequential(model)
    k = last_conv_index(model) if layer is None else checks.int_in_range("layer", layer, 0, len(model.layers) - 2)
    with _Explaining(model):
        activations = model.forward_all(x)
        logits = _check_logits(activations[-1])
        acts = activations[k]
        if acts is None or np.ndim(acts) != 4:
            raise InputError(f"layer {k} ({model.layers[k]!r}) has no (N, K, h, w) feature maps to explain")
        grad = np.full_like(logits, sign)
        for later in reversed(model.layers[k + 1:]):  # backprop down to A only
            grad = later.backward(grad)
    acts = np.asarray(acts, dtype=np.float64)
    grad = np.asarray(grad, dtype=np.float64)
    alpha = grad.mean(axis=(2, 3))                                  # (N, K)
    cam = np.maximum(np.einsum("nk,nkij->nij", alpha, acts), 0.0)   # (N, h, w)
    if size is not False:
        cam = resize_maps(cam, x.shape[2:] if size is None else size)
    if normalize:
        peak = cam.max(axis=(1, 2), keepdims=True)
        cam = np.divide(cam, peak, out=np.zeros_like(cam), where=peak > 0)
    return cam


def resize_maps(maps: np.ndarray, size) -> np.ndarray:
    """Bilinear resize of (N, h, w) maps to (N, H, W), pixel centres aligned (as
    ``torch.nn.functional.interpolate(..., mode="bilinear", align_corners=False)``)."""
    maps = np.asarray(maps, dtype=np.float64)
    out_h, out_w = (size, size) if isinstance(size, (int, np.integer)) else tuple(int(s) for s in size)
    n, h, w = maps.shape

    def axis(out_len, in_len):
        pos = (np.arange(out_len) + 0.5) * (in_len / out_len) - 0.5
        pos = np.clip(pos, 0, in_len - 1)
        lo = np.floor(pos).astype(int)
        hi = np.minimum(lo + 1, in_len - 1)
        return lo, hi, pos - lo

    r0, r1, fr = axis(out_h, h)
    c0, c1, fc = axis(out_w, w)
    top = maps[:, r0][:, :, c0] * (1 - fc) + maps[:, r0][:, :, c1] * fc
    bottom = maps[:, r1][:, :, c0] * (1 - fc) + maps[:, r1][:, :, c1] * fc
    return top * (1 - fr)[None, :, None] + bottom * fr[None, :, None]


def overlay(image: np.ndarray, heatmap: np.ndarray, *, alpha: float = 0.45, cmap: str = "inferno") -> np.ndarray:
    """An RGB uint8 picture: the grayscale image with the heatmap blended over it.

    Args:
        image: (H, W) or (C, H, W) in [0, 1] (RGB images are shown in gray).
        heatmap: (H, W) in [0, 1].
        alpha: opacity of the heatmap where it is 1 (it fades out where it is 0).
    """
    from matplotlib import colormaps

    alpha = checks.number_in_range("alpha", alpha, 0.0, 1.0)
    img = np.asarray(image, dtype=np.float64)
    if img.ndim == 3:
        img = img.mean(axis=0)
    heat = np.clip(np.asarray(heatmap, dtype=np.float64), 0, 1)
    if img.shape != heat.shape:
        raise InputError(f"image {img.shape} and heatmap {heat.shape} must have the same size")
    gray = np.repeat(np.clip(img, 0, 1)[..., None], 3, axis=2)
    colour = colormaps[cmap](heat)[..., :3]
    a = alpha * heat[..., None]
    return to_uint8((1 - a) * gray + a * colour)
