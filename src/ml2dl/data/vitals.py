"""Synthetic patient monitoring: 24 hourly vital signs per patient, half of them about to deteriorate.

Made up by ml2dl (no real patient), a pure function of ``n`` and the seed. For every patient:

    baseline  heart rate HR₀ ~ N(78, 16²) bpm, respiratory rate RR₀ ~ N(16, 4²) /min,
              SpO₂₀ ~ N(97, 1.9²) %  (patients differ: what is normal for one is high for another)
    hour t = 1..24:  value = baseline + drift(t) + noise,  noise ~ N(0, σ²), σ = 3 bpm, 1 /min, 0.6 %
    deteriorating patients (label 1, exactly half of them): from an onset hour s, drawn uniformly
              from 8..16, the values drift steadily until hour 24: heart rate up 1.2 bpm per hour,
              respiratory rate up 0.4 /min per hour, SpO₂ down 0.2 % per hour (hour 24 with s = 12:
              +15.6 bpm, +5.2 /min, −2.6 %, about one baseline spread)
    stable patients (label 0): no drift.

The label is what happens next (deterioration in the hours after hour 24), and it shows in the
pattern over several hours: a steady rise *relative to the patient's own first hours*. The last
hour alone says less, since a high heart rate may be one patient's normal. Values are clipped
to physiological ranges (HR 30–200, RR 4–50, SpO₂ 70–100) and rounded to 0.1.

For a network the three signals are standardised with the fixed population figures of
:data:`SCALE` (so one patient's numbers never depend on another's).
"""

from __future__ import annotations

import numpy as np

from ..checks import int_in_range, non_negative_int

HOURS = 24
SIGNALS = ("heart rate", "respiratory rate", "SpO₂")
UNITS = ("bpm", "/min", "%")
BASELINE = np.array([78.0, 16.0, 97.0])  # population mean of each signal
SPREAD = np.array([16.0, 4.0, 1.9])  # between-patient standard deviation of the baseline
NOISE = np.array([3.0, 1.0, 0.6])  # hour-to-hour noise
DRIFT = np.array([1.2, 0.4, -0.2])  # change per hour after the onset, deteriorating patients
ONSET = (8, 16)  # first and last possible onset hour of the drift
LIMITS = np.array([[30.0, 4.0, 70.0], [200.0, 50.0, 100.0]])
SCALE = (BASELINE, np.array([20.0, 5.0, 2.5]))  # (mean, scale) that standardise the signals


def make_patients(n: int, seed: int = 0) -> dict:
    """``n`` patients: ``values`` (n, 24, 3) float64 in their units (heart rate, respiratory rate,
    SpO₂ per hour), ``labels`` (n,) int64 (1: deteriorates; ⌊n/2⌋ of them), ``onset`` (n,) int64
    (the hour the drift starts; 0 for stable patients). In a shuffled order."""
    n = int_in_range("n", n, 2, 100_000)
    rng = np.random.default_rng([non_negative_int("seed", seed), HOURS])
    labels = (np.arange(n) < n // 2).astype(np.int64)
    base = BASELINE + SPREAD * rng.standard_normal((n, 3))
    hours = np.arange(1, HOURS + 1)
    onset = np.where(labels == 1, rng.integers(ONSET[0], ONSET[1] + 1, n), 0)
    ramp = np.where(labels[:, None] == 1, np.maximum(hours[None] - onset[:, None] + 1, 0), 0)  # hours of drift
    values = base[:, None, :] + ramp[..., None] * DRIFT + NOISE * rng.standard_normal((n, HOURS, 3))
    values = np.round(np.clip(values, LIMITS[0], LIMITS[1]), 1)
    order = rng.permutation(n)
    return {"values": values[order], "labels": labels[order], "onset": onset[order].astype(np.int64)}


def standardise(values: np.ndarray) -> np.ndarray:
    """(values − population mean) / scale as float32, same shape: what a network is given."""
    mean, scale = SCALE
    return ((np.asarray(values, dtype=np.float64) - mean) / scale).astype(np.float32)
