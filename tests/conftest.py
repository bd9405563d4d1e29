"""Shared fixtures: the shipped weights, loaded once; audio helpers."""
from __future__ import annotations

import numpy as np
import pytest
import soundfile as sf

from nr_bridge.engine import Denoiser, EngineConfig


@pytest.fixture(scope="session")
def denoiser() -> Denoiser:
    """The real shipped model, fp32, in-process."""
    return Denoiser.load(cfg=EngineConfig(precision="fp32", threads=2))


def tone_and_noise(seconds: float, rate: int, channels: int, seed: int = 0) -> np.ndarray:
    """A voice-band harmonic tone plus quiet noise, float32 (samples, channels), peak < 1."""
    rng = np.random.default_rng(seed)
    t = np.arange(int(seconds * rate)) / rate
    tone = sum(0.15 / h * np.sin(2 * np.pi * 180 * h * t) for h in range(1, 8) if 180 * h < rate / 2)
    return np.stack([tone * (0.8 + 0.2 * c / channels) + 0.02 * rng.standard_normal(t.size)
                     for c in range(channels)], axis=1).astype(np.float32)


@pytest.fixture
def write_wav(tmp_path):
    def write(name: str, audio: np.ndarray, rate: int, subtype: str = "PCM_16"):
        path = tmp_path / name
        sf.write(path, audio, rate, subtype=subtype)
        return path

    return write
