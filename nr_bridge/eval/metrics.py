"""Signal and perceptual metrics. Inputs are (channels, samples) or (samples,) float arrays."""
from __future__ import annotations

import numpy as np
import soxr

METRIC_RATE = 16000


def si_sdr(estimate: np.ndarray, reference: np.ndarray, eps: float = 1e-9) -> float:
    """Scale-invariant SDR in dB (mean over channels)."""
    estimate, reference = np.atleast_2d(estimate).astype(np.float64), np.atleast_2d(reference).astype(np.float64)
    values = []
    for est, ref in zip(estimate, reference):
        est, ref = est - est.mean(), ref - ref.mean()
        scale = np.dot(est, ref) / (np.dot(ref, ref) + eps)
        target = scale * ref
        values.append(10 * np.log10((np.dot(target, target) + eps) / (np.dot(est - target, est - target) + eps)))
    return float(np.mean(values))


def to_metric_rate(audio: np.ndarray, rate: int) -> np.ndarray:
    """(channels, samples) at ``rate`` -> mono (samples,) at 16 kHz, the rate PESQ-WB and DNSMOS use."""
    mono = np.atleast_2d(audio).mean(axis=0).astype(np.float32)
    return soxr.resample(mono, rate, METRIC_RATE, quality="HQ")


def pesq_wb(estimate16: np.ndarray, reference16: np.ndarray) -> float:
    from pesq import pesq

    try:
        return float(pesq(METRIC_RATE, reference16, estimate16, "wb"))
    except Exception:  # noqa: BLE001  PESQ refuses silent or too-short references
        return float("nan")


def stoi(estimate16: np.ndarray, reference16: np.ndarray) -> float:
    from pystoi import stoi as pystoi

    return float(pystoi(reference16, estimate16, METRIC_RATE, extended=False))


def dnsmos(estimate16: np.ndarray) -> dict[str, float]:
    """DNSMOS P.835 OVRL/SIG/BAK (non-intrusive) of 16 kHz mono audio."""
    from speechmos import dnsmos as model

    peak = np.abs(estimate16).max()
    scores = model.run(estimate16 / peak * 0.9 if peak > 0 else estimate16, METRIC_RATE)
    return {"ovrl": float(scores["ovrl_mos"]), "sig": float(scores["sig_mos"]), "bak": float(scores["bak_mos"])}
