"""Signal metrics in numpy."""
from __future__ import annotations

import numpy as np


def si_sdr(estimate: np.ndarray, reference: np.ndarray, eps: float = 1e-9) -> float:
    """Scale-invariant SDR in dB of 1-D (samples,) arrays (mean over channels for 2-D (channels, samples))."""
    estimate, reference = np.atleast_2d(estimate).astype(np.float64), np.atleast_2d(reference).astype(np.float64)
    values = []
    for est, ref in zip(estimate, reference):
        est, ref = est - est.mean(), ref - ref.mean()
        scale = np.dot(est, ref) / (np.dot(ref, ref) + eps)
        target = scale * ref
        values.append(10 * np.log10((np.dot(target, target) + eps) / (np.dot(est - target, est - target) + eps)))
    return float(np.mean(values))
