"""Synthesized noise the registries lack: mains hum, fans/AC, hiss, room tone, typing and babble.

Every generator returns float32 (samples, 2) at ``rate`` Hz, peak-normalised, from a numpy Generator.
"""
from __future__ import annotations

import numpy as np


def coloured_noise(rng: np.random.Generator, samples: int, exponent: float) -> np.ndarray:
    """Stereo noise with power spectrum ~ 1 / f**exponent (0 white, 1 pink, 2 brown)."""
    spec = np.fft.rfft(rng.standard_normal((2, samples)), axis=-1)
    freqs = np.maximum(np.fft.rfftfreq(samples), 1.0 / samples)
    audio = np.fft.irfft(spec * freqs ** (-exponent / 2), n=samples, axis=-1).T
    return normalise(audio)


def normalise(audio: np.ndarray) -> np.ndarray:
    return (audio / (np.abs(audio).max() + 1e-9) * 0.9).astype(np.float32)


def mains_hum(rng: np.random.Generator, samples: int, rate: int) -> np.ndarray:
    """50 or 60 Hz hum with 2-20 harmonics, slow drift and a little buzz."""
    f0 = rng.choice([50.0, 60.0]) * (1 + rng.uniform(-0.003, 0.003))
    t = np.arange(samples) / rate
    drift = 1 + 0.002 * np.sin(2 * np.pi * rng.uniform(0.05, 0.3) * t)
    audio = np.zeros(samples)
    for h in range(1, int(rng.integers(2, 21)) + 1):
        audio += rng.uniform(0.1, 1.0) / h ** rng.uniform(0.3, 1.5) * np.sin(
            2 * np.pi * f0 * h * t * drift + rng.uniform(0, 2 * np.pi))
    stereo = np.stack([audio, audio * rng.uniform(0.7, 1.0)], axis=1)
    return normalise(stereo + 0.05 * coloured_noise(rng, samples, 0.0))


def fan(rng: np.random.Generator, samples: int, rate: int) -> np.ndarray:
    """Fan / air conditioning: pink-brown broadband noise, blade-pass tone, slow modulation."""
    base = coloured_noise(rng, samples, rng.uniform(0.8, 2.0))
    t = np.arange(samples) / rate
    blade = np.sin(2 * np.pi * rng.uniform(40, 300) * t)[:, None] * rng.uniform(0.0, 0.4)
    modulation = 1 + rng.uniform(0, 0.3) * np.sin(2 * np.pi * rng.uniform(0.1, 2.0) * t)[:, None]
    return normalise((base + blade) * modulation)


def hiss(rng: np.random.Generator, samples: int, rate: int) -> np.ndarray:
    """Tape / preamp hiss: white to slightly blue noise."""
    return coloured_noise(rng, samples, rng.uniform(-0.5, 0.3))


def room_tone(rng: np.random.Generator, samples: int, rate: int) -> np.ndarray:
    """Quiet room: pink noise over a low rumble."""
    return normalise(coloured_noise(rng, samples, 1.0) + 2 * coloured_noise(rng, samples, 2.5))


def typing(rng: np.random.Generator, samples: int, keys: list[np.ndarray]) -> np.ndarray:
    """Keyboard clatter: single key recordings (samples, channels) placed at typing rhythm, 3-9 keys/s."""
    audio = np.zeros((samples, 2), dtype=np.float32)
    rate_keys = rng.uniform(3, 9)
    position = int(rng.integers(0, 4000))
    while position < samples:
        key = keys[int(rng.integers(len(keys)))]
        key = key if key.shape[1] == 2 else np.repeat(key, 2, axis=1)
        end = min(samples, position + key.shape[0])
        audio[position:end] += key[: end - position] * rng.uniform(0.3, 1.0)
        position += int(44100 * rng.exponential(1 / rate_keys)) + 800
    return normalise(audio)


SYNTHETIC = {"hum": mains_hum, "fan": fan, "hiss": hiss, "room-tone": room_tone}
