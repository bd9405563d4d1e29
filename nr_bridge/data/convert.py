"""Decoding source audio and converting it to the 44.1 kHz training format."""
from __future__ import annotations

import io

import numpy as np
import soundfile as sf
import soxr

TRAIN_RATE = 44100
FOLD_RATE = 22050
FOLD_GAIN_DB = -24.0


def decode(data: bytes) -> tuple[np.ndarray, int]:
    """Encoded file bytes -> float32 (samples, channels) and its rate in Hz."""
    audio, rate = sf.read(io.BytesIO(data), dtype="float32", always_2d=True)
    return audio, rate


def resample(audio: np.ndarray, rate: int, target: int) -> np.ndarray:
    """(samples, channels) float32 at ``rate`` Hz -> at ``target`` Hz (soxr, very high quality)."""
    if rate == target:
        return audio
    return soxr.resample(audio, rate, target, quality="VHQ").astype(np.float32)


def fold_bandwidth(mono: np.ndarray, rate: int) -> np.ndarray:
    """Band-limited speech -> 44.1 kHz speech with plausible content above 11 kHz.

    Real speech in the registries stops at 10-13 kHz. A model trained on such targets learns to cut
    everything above, sibilance included. So the speech is brought to 22.05 kHz (flat to ~10 kHz),
    then upsampled by zero insertion, whose mirror image of 0-11 kHz (spectral folding, the oldest
    bandwidth extension) is kept above 11 kHz at ``FOLD_GAIN_DB`` and tapering towards Nyquist.
    Input (samples,) float32 at ``rate`` Hz; output (samples * 44100 / rate,) float32 at 44.1 kHz.
    """
    low = resample(mono[:, None], rate, FOLD_RATE)[:, 0]
    base = resample(low[:, None], FOLD_RATE, TRAIN_RATE)[:, 0]
    zero_stuffed = np.zeros(2 * low.size, dtype=np.float32)
    zero_stuffed[::2] = 2 * low
    spec = np.fft.rfft(zero_stuffed)
    freqs = np.fft.rfftfreq(zero_stuffed.size, 1 / TRAIN_RATE)
    image = freqs > FOLD_RATE / 2
    taper = 10 ** ((FOLD_GAIN_DB - 12 * (freqs - FOLD_RATE / 2) / (FOLD_RATE / 2)) / 20)
    high = np.fft.irfft(np.where(image, spec * taper, 0), n=zero_stuffed.size).astype(np.float32)
    length = min(base.size, high.size)
    return base[:length] + high[:length]


def to_training_audio(data: bytes, kind: str) -> np.ndarray | None:
    """Encoded bytes -> float32 (samples, channels) at 44.1 kHz, peak 0.9; speech mono and folded.

    Returns None for audio too short (< 0.25 s) or silent to be useful.
    """
    audio, rate = decode(data)
    if audio.shape[0] < rate // 4 or not np.isfinite(audio).all():
        return None
    if kind == "speech":
        audio = fold_bandwidth(audio.mean(axis=1), rate)[:, None]
    else:
        audio = resample(audio[:, :2], rate, TRAIN_RATE)
    peak = float(np.abs(audio).max())
    if peak < 1e-4:
        return None
    return (audio * (0.9 / peak)).astype(np.float32)
