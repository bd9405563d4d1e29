"""Mel-spaced band layout: which STFT bins belong to which of the overlapping bands."""
from __future__ import annotations

import numpy as np


HZ_PER_MEL = 200.0 / 3  # below 1 kHz
LOG_START_HZ = 1000.0
LOG_START_MEL = LOG_START_HZ / HZ_PER_MEL
LOG_STEP = np.log(6.4) / 27.0  # above 1 kHz


def hz_to_mel_slaney(freq_hz: np.ndarray) -> np.ndarray:
    """Slaney mel scale: linear below 1 kHz (200/3 Hz per mel), logarithmic above."""
    freq_hz = np.asarray(freq_hz, dtype=np.float64)
    log = LOG_START_MEL + np.log(np.maximum(freq_hz, 1e-10) / LOG_START_HZ) / LOG_STEP
    return np.where(freq_hz >= LOG_START_HZ, log, freq_hz / HZ_PER_MEL)


def mel_to_hz_slaney(mel: np.ndarray) -> np.ndarray:
    """Inverse of :func:`hz_to_mel_slaney`."""
    mel = np.asarray(mel, dtype=np.float64)
    return np.where(mel >= LOG_START_MEL, LOG_START_HZ * np.exp(LOG_STEP * (mel - LOG_START_MEL)), HZ_PER_MEL * mel)


def slaney_mel_filterbank(sample_rate: int, n_fft: int, num_bands: int) -> np.ndarray:
    """Triangular Slaney-normalised mel filterbank, shape (num_bands, n_fft // 2 + 1), 0 Hz to Nyquist."""
    bin_hz = np.linspace(0.0, sample_rate / 2, n_fft // 2 + 1)
    edges_hz = mel_to_hz_slaney(
        np.linspace(hz_to_mel_slaney(0.0), hz_to_mel_slaney(sample_rate / 2), num_bands + 2)
    )
    lower, centre, upper = edges_hz[:-2, None], edges_hz[1:-1, None], edges_hz[2:, None]
    rising = (bin_hz[None] - lower) / (centre - lower)
    falling = (upper - bin_hz[None]) / (upper - centre)
    weights = np.maximum(0.0, np.minimum(rising, falling))
    return weights * (2.0 / (upper - lower))


def mel_band_membership(sample_rate: int, n_fft: int, num_bands: int) -> np.ndarray:
    """Binary band membership, bool array (num_bands, n_fft // 2 + 1).

    A bin belongs to a band where that band's Slaney mel filter is non-zero. The DC bin is forced into
    the first band and the Nyquist bin into the last so every bin is covered by at least one band.
    """
    membership = slaney_mel_filterbank(sample_rate, n_fft, num_bands) > 0
    membership[0, 0] = True
    membership[-1, -1] = True
    uncovered = np.flatnonzero(~membership.any(axis=0))
    if uncovered.size:
        raise ValueError(f"mel bands leave {uncovered.size} STFT bins uncovered; use fewer bands")
    empty = np.flatnonzero(~membership.any(axis=1))
    if empty.size:
        raise ValueError(f"{empty.size} mel bands hold no STFT bin; use fewer bands or a larger n_fft")
    return membership
