"""Step 7 — the kernel explorer: a 3×3 kernel slid over a real medical image.

A convolution layer with one 3×3 filter computes, at every pixel (i, j),

    out[i, j] = Σ_u Σ_v  K[u, v] · x[i + u − 1, j + v − 1]        (u, v ∈ {0, 1, 2})

— a cross-correlation, as in every CNN library: the kernel is laid on the image as
written. Textbook convolution first flips it (rotates it by 180°), so an asymmetric
kernel such as the emboss lights the image from the opposite side there. Those 9
numbers K are exactly the weights a CNN learns in ``nn.Conv2d(1, 1, 3)``; here the
student types them in or picks a classic preset, and the engine's own ``Conv2d``
applies them.

The border: outside the image the pixels are the image mirrored ("reflect", SciPy's
name: … c b a | a b c …), so the border invents no edge; zeros there (a CNN's padding)
would make every edge detector light up the whole frame and set the display scale.
The Gaussian blur with a chosen σ (a (2r + 1)² kernel, r = ⌊4σ + ½⌋, as SciPy and
scikit-image truncate it) extends the border with its nearest pixel, as
``skimage.filters.gaussian`` does.

Images travel as PNG data URLs (8-bit grayscale). The filtered values can leave
0..255: ``display`` says how they are mapped to grey levels
("clip": below 0 black, above 255 white — what an 8-bit image would store;
"signed": grey = 0, white = the largest positive value, black = the most negative,
for kernels whose weights sum to 0 and so answer "how much does this pixel differ
from its neighbours").
"""

from __future__ import annotations

import base64
import io

import numpy as np

from ml2dl import nn
from ml2dl.data.images import to_uint8
from ml2dl.checks import InputError, choice, int_in_range, number_in_range

KERNEL_LIMIT = 100.0  # |weight| bound: beyond this every output is pure black/white anyway
DISPLAYS = ("auto", "clip", "signed")  # how filter outputs become grey levels (see to_display)

PRESETS: dict[str, dict] = {
    "identity": {
        "label": "Identity",
        "kernel": [[0, 0, 0], [0, 1, 0], [0, 0, 0]],
        "about": "Copies each pixel: the output is the input. A CNN starts from random numbers, not from this.",
    },
    "box_blur": {
        "label": "Box blur",
        "kernel": [[1 / 9] * 3, [1 / 9] * 3, [1 / 9] * 3],
        "about": "The mean of the 3×3 neighbourhood: noise and fine detail are smoothed away.",
    },
    "gaussian_blur": {
        "label": "Gaussian blur",
        "kernel": [[1 / 16, 2 / 16, 1 / 16], [2 / 16, 4 / 16, 2 / 16], [1 / 16, 2 / 16, 1 / 16]],
        "about": "A weighted mean: near pixels count more than corners. A smoother blur than the box.",
    },
    "sharpen": {
        "label": "Sharpen",
        "kernel": [[0, -1, 0], [-1, 5, -1], [0, -1, 0]],
        "about": "The pixel plus how much it differs from its neighbours: edges and texture stand out.",
    },
    "laplacian": {
        "label": "Laplacian edge",
        "kernel": [[0, -1, 0], [-1, 4, -1], [0, -1, 0]],
        "about": "How much the pixel differs from its 4 neighbours (weights sum to 0): flat areas become 0, edges light up.",
    },
    "sobel_x": {
        "label": "Sobel x",
        "kernel": [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]],
        "about": "Right minus left: brightness changing along x, i.e. vertical edges (sign = direction).",
    },
    "sobel_y": {
        "label": "Sobel y",
        "kernel": [[-1, -2, -1], [0, 0, 0], [1, 2, 1]],
        "about": "Below minus above: brightness changing along y, i.e. horizontal edges.",
    },
    "emboss": {
        "label": "Emboss",
        "kernel": [[-2, -1, 0], [-1, 1, 1], [0, 1, 2]],
        "about": "The pixel plus (lower right − upper left): a relief lit from the top left. The kernel is laid on the "
                 "image as written (cross-correlation, as in every CNN library); textbook convolution flips it first, "
                 "which would light it from the bottom right.",
    },
    "outline": {
        "label": "Outline",
        "kernel": [[-1, -1, -1], [-1, 8, -1], [-1, -1, -1]],
        "about": "The pixel minus its 8 neighbours (weights sum to 0): outlines of every structure.",
    },
}


# ------------------------------------------------------------------------------ checks


def check_kernel(kernel) -> np.ndarray:
    """A 3×3 list of finite numbers within ±KERNEL_LIMIT, as float32."""
    try:
        k = np.asarray(kernel, dtype=np.float64)
    except (TypeError, ValueError):
        raise InputError(f"kernel must be 3×3 numbers, got {kernel!r}") from None
    if k.shape != (3, 3):
        raise InputError(f"kernel must be 3×3 numbers, got shape {k.shape}")
    if not np.all(np.isfinite(k)):
        raise InputError("kernel weights must be finite numbers, got NaN or infinity")
    if np.abs(k).max() > KERNEL_LIMIT:
        raise InputError(f"kernel weights must be within ±{KERNEL_LIMIT:g}, got {float(np.abs(k).max()):g}")
    return k.astype(np.float32)


def as_gray_image(image) -> np.ndarray:
    """Any 2-D grayscale or (H, W, 3|4) colour image as a float32 (H, W) array of 0..255.

    Colour becomes luminance (ITU-R 601: 0.299 R + 0.587 G + 0.114 B); floats in [0, 1]
    are scaled to 0..255, other floats are min–max scaled (e.g. CT values).
    """
    a = np.asarray(image)
    if a.ndim == 3 and a.shape[2] in (3, 4):
        a = a[..., :3].astype(np.float64) @ np.array([0.299, 0.587, 0.114])
    if a.ndim != 2 or min(a.shape) < 3:
        raise InputError(f"image must be 2-D (H, W) or colour (H, W, 3), at least 3×3, got shape {np.shape(image)}")
    if a.dtype == np.uint8:
        return a.astype(np.float32)
    a = a.astype(np.float64)
    if not np.all(np.isfinite(a)):
        raise InputError("image has NaN or infinite values")
    lo, hi = float(a.min()), float(a.max())
    if lo >= 0 and hi <= 1 and np.issubdtype(np.asarray(image).dtype, np.floating):
        return (a * 255).astype(np.float32)
    if lo >= 0 and hi <= 255:
        return a.astype(np.float32)
    return ((a - lo) / (hi - lo) * 255 if hi > lo else np.zeros_like(a)).astype(np.float32)


# ------------------------------------------------------------------------------ the maths


PADDING = "reflect"          # 3×3 kernels: the image mirrored at its border (… c b a | a b c …)
GAUSSIAN_PADDING = "nearest"  # the Gaussian σ blur: the border pixel repeated, as skimage.filters.gaussian
SIGMA_RANGE = (0.5, 4.0)     # σ in pixels: r = ⌊4σ + ½⌋ gives 5 × 5 … 33 × 33 kernels
_NUMPY_PAD = {"reflect": "symmetric", "nearest": "edge"}  # SciPy's names → np.pad's


def _correlate(x: np.ndarray, kernel: np.ndarray, padding: str) -> np.ndarray:
    """The engine's ``nn.Conv2d(1, 1, (kh, kw), padding=0)`` on x extended at its border: (H, W) → (H, W)."""
    kh, kw = kernel.shape
    padded = np.pad(x, ((kh // 2, kh // 2), (kw // 2, kw // 2)), mode=_NUMPY_PAD[padding])
    conv = nn.Conv2d(1, 1, (kh, kw), padding=0, bias=False)
    conv.weight.data[...] = kernel[None, None]
    return conv(padded[None, None].astype(np.float32))[0, 0]


def convolve(image: np.ndarray, kernel) -> np.ndarray:
    """The kernel applied by the engine's ``nn.Conv2d`` (float32, (H, W)).

    Like every CNN library this is a cross-correlation (the kernel is not flipped):
    out[i, j] = Σ K[u, v] · x[i+u−1, j+v−1], the image mirrored outside its border
    (SciPy's ``ndimage.correlate(x, K, mode="reflect")``).
    """
    k = check_kernel(kernel)
    x = np.asarray(image, dtype=np.float32)
    if x.ndim != 2:
        raise InputError(f"image must be 2-D (H, W), got shape {x.shape}")
    return _correlate(x, k, PADDING)


def gaussian_taps(sigma: float) -> np.ndarray:
    """The 1-D Gaussian g[t] ∝ exp(−t² / 2σ²), t = −r … r, r = ⌊4σ + ½⌋, summing to 1 (float64)."""
    sigma = number_in_range("sigma", sigma, *SIGMA_RANGE)
    r = int(4.0 * sigma + 0.5)
    t = np.arange(-r, r + 1, dtype=np.float64)
    g = np.exp(-0.5 * (t / sigma) ** 2)
    return g / g.sum()


def gaussian_kernel(sigma: float) -> np.ndarray:
    """The 2-D Gaussian kernel G = g gᵀ, (2r + 1, 2r + 1), summing to 1."""
    g = gaussian_taps(sigma)
    return np.outer(g, g)


def gaussian_blur(image: np.ndarray, sigma: float) -> np.ndarray:
    """Blur with the Gaussian of standard deviation σ pixels (float32, (H, W)).

    G = g gᵀ is separable: a pass of the 1 × (2r + 1) row kernel g then of the
    (2r + 1) × 1 column kernel gives the same sums as the (2r + 1)² kernel, at 2(2r + 1)
    instead of (2r + 1)² products per pixel. Equal to ``skimage.filters.gaussian(x, σ)``.
    """
    g = gaussian_taps(sigma).astype(np.float32)
    x = np.asarray(image, dtype=np.float32)
    if x.ndim != 2:
        raise InputError(f"image must be 2-D (H, W), got shape {x.shape}")
    return _correlate(_correlate(x, g[None, :], GAUSSIAN_PADDING), g[:, None], GAUSSIAN_PADDING)


def display_mode(kernel) -> str:
    """"signed" when the weights sum to ~0 (edge detectors), else "clip"."""
    k = np.asarray(kernel, dtype=np.float64)
    return "signed" if abs(float(np.sum(check_kernel(k) if k.shape == (3, 3) else k))) < 0.5 else "clip"


def to_display(values: np.ndarray, mode: str) -> tuple[np.ndarray, dict]:
    """Map filter outputs to uint8 grey levels; also return how (for the caption)."""
    choice("display", mode, ("clip", "signed"))
    if mode == "clip":
        shown = to_uint8(values, scale=255)
        scale = {"mode": "clip", "black": 0.0, "white": 255.0}
    elif mode == "signed":
        m = float(np.abs(values).max())
        m = m if m > 1e-12 else 1.0
        shown = to_uint8(127.5 + values * (127.5 / m), scale=255)
        scale = {"mode": "signed", "black": -m, "white": m}
    return shown, scale


def png_data_url(gray: np.ndarray) -> str:
    """uint8 (H, W) → 'data:image/png;base64,...' (fast compression: this is on every edit)."""
    from PIL import Image

    buf = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(gray, dtype=np.uint8), mode="L").save(buf, format="PNG", compress_level=1)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def _filter(x: np.ndarray, kernel, sigma: float | None) -> tuple[np.ndarray, np.ndarray, str]:
    """(filtered, the kernel used as float64, the border mode): the 3×3 kernel, or the Gaussian of σ."""
    if sigma is None:
        k = check_kernel(kernel)
        return convolve(x, k), k.astype(np.float64), PADDING
    return gaussian_blur(x, sigma), gaussian_kernel(sigma), GAUSSIAN_PADDING


BORDERS = {
    "reflect": "Beyond its border the image is mirrored (“reflect”), so the border makes no edge of its own.",
    "nearest": "Beyond its border the edge pixel is repeated (“nearest”, as scikit-image's gaussian), so the border makes no edge of its own.",
}


def apply_kernel(image: np.ndarray, kernel, *, display: str = "auto", include_original: bool = False,
                 sigma: float | None = None) -> dict:
    """Filter a grayscale image (values 0..255, (H, W)) with a 3×3 kernel, or blur it with a Gaussian of σ.

    Returns:
        ``filtered_png`` (data URL), ``display`` ({mode, black, white}: the values shown as
        black and white), ``stats`` of the raw filter output (min, max, mean, fraction
        outside 0..255), ``kernel`` (as used: 3×3, or (2r + 1)² for σ), ``kernel_size``,
        ``kernel_sum``, ``sigma`` (or None), ``padding`` ({mode, about}: how the border is
        extended), ``height``, ``width``, ``parameters`` (the kernel's weights: what a
        Conv2d(1, 1, k, bias=False) learns) and, if asked, ``original_png``.
    """
    x = np.asarray(image, dtype=np.float32)
    out, k, padding = _filter(x, kernel, sigma)
    mode = display_mode(k) if choice("display", display, DISPLAYS) == "auto" else display
    shown, scale = to_display(out, mode)
    result = {
        "height": int(x.shape[0]),
        "width": int(x.shape[1]),
        "kernel": [[float(v) for v in row] for row in k],
        "kernel_size": int(k.shape[0]),
        "kernel_sum": round(float(k.sum()), 6),
        "sigma": None if sigma is None else float(sigma),
        "padding": {"mode": padding, "about": BORDERS[padding]},
        "parameters": int(k.size),
        "display": scale,
        "stats": {
            "min": float(out.min()),
            "max": float(out.max()),
            "mean": float(out.mean()),
            "outside_0_255": float(np.mean((out < 0) | (out > 255))),
        },
        "filtered_png": png_data_url(shown),
    }
    if include_original:
        result["original_png"] = png_data_url(to_uint8(x, scale=255))
    return result


def explain_pixel(image: np.ndarray, kernel, row: int, col: int, *, display: str = "auto",
                  sigma: float | None = None) -> dict:
    """The sum behind one output pixel: its k×k input patch, the products, the total.

    Outside the image the patch holds the extended border (mirrored for 3×3 kernels, the
    nearest pixel for the Gaussian), marked False in ``inside``.
    """
    x = np.asarray(image, dtype=np.float32)
    h, w = x.shape
    row, col = int_in_range("row", row, 0, h - 1), int_in_range("col", col, 0, w - 1)
    filtered, k, padding = _filter(x, kernel, sigma)
    r = k.shape[0] // 2
    padded = np.pad(x, r, mode=_NUMPY_PAD[padding])
    patch = padded[row : row + 2 * r + 1, col : col + 2 * r + 1]
    rows_in = (np.arange(row - r, row + r + 1) >= 0) & (np.arange(row - r, row + r + 1) < h)
    cols_in = (np.arange(col - r, col + r + 1) >= 0) & (np.arange(col - r, col + r + 1) < w)
    inside = rows_in[:, None] & cols_in[None, :]
    products = patch.astype(np.float64) * k
    total = float(products.sum())
    mode = display_mode(k) if choice("display", display, DISPLAYS) == "auto" else display
    shown, scale = to_display(filtered, mode)
    return {
        "row": int(row),
        "col": int(col),
        "patch": patch.astype(float).tolist(),
        "inside": inside.tolist(),
        "kernel": k.tolist(),
        "products": products.tolist(),
        "sum": total,
        "conv_output": float(filtered[row, col]),
        "shown_grey": int(shown[row, col]),
        "display": scale,
        "padding": {"mode": padding, "about": BORDERS[padding]},
    }
