"""On-the-fly training examples: (mixture, voice) pairs of stereo 44.1 kHz segments.

Stage ``base``: voice over music. Stage ``noise``: voice over real and synthesized noise at SNR
uniform in [-5, 25] dB, with random gain, EQ, stereo decorrelation, reverberation and clean-only examples.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import soundfile as sf

from .build import read_manifest
from .synth import SYNTHETIC, typing

RATE = 44100


@dataclass(frozen=True)
class MixConfig:
    segment_samples: int = 3 * RATE
    snr_db: tuple[float, float] = (-5.0, 25.0)
    clean_fraction: float = 0.1
    reverb_fraction: float = 0.25
    synthetic_fraction: float = 0.35
    peak_dbfs: tuple[float, float] = (-25.0, -1.0)


def load_pool(root: Path, records: list[dict]) -> list[np.ndarray]:
    """Decode files to int16 (samples, channels) arrays: half the memory of float32."""
    return [sf.read(Path(root) / r["file"], dtype="int16", always_2d=True)[0] for r in records]


def as_float(audio: np.ndarray) -> np.ndarray:
    return audio.astype(np.float32) / 32768.0


def to_stereo(audio: np.ndarray) -> np.ndarray:
    return audio if audio.shape[1] == 2 else np.repeat(audio, 2, axis=1)


def crop_or_loop(rng: np.random.Generator, audio: np.ndarray, samples: int) -> np.ndarray:
    """A random ``samples``-long stretch, looping audio shorter than that."""
    if audio.shape[0] < samples:
        audio = np.tile(audio, (samples // audio.shape[0] + 1, 1))
    start = int(rng.integers(0, audio.shape[0] - samples + 1))
    return audio[start: start + samples]


def random_eq(rng: np.random.Generator, audio: np.ndarray) -> np.ndarray:
    """Gentle random tilt and one peak/dip (each within +-6 dB), applied in the frequency domain."""
    spec = np.fft.rfft(audio, axis=0)
    freqs = np.fft.rfftfreq(audio.shape[0], 1 / RATE)
    octaves = np.log2(np.maximum(freqs, 20.0) / 1000.0)
    centre, width = rng.uniform(-3, 3.5), rng.uniform(0.3, 1.5)
    gain_db = rng.uniform(-1.5, 1.5) * octaves + rng.uniform(-6, 6) * np.exp(-((octaves - centre) / width) ** 2)
    return np.fft.irfft(spec * 10 ** (np.clip(gain_db, -12, 12) / 20)[:, None], n=audio.shape[0], axis=0)


def reverberate(rng: np.random.Generator, audio: np.ndarray) -> np.ndarray:
    """Convolve with a synthetic room (exponentially decaying stereo noise, RT60 0.15-0.8 s)."""
    rt60 = rng.uniform(0.15, 0.8)
    length = int(rt60 * RATE)
    t = np.arange(length) / RATE
    rir = rng.standard_normal((length, 2)) * np.exp(-6.9 * t / rt60)[:, None]
    rir[0] = 1.0 / rng.uniform(0.3, 1.0)
    rir /= np.sqrt((rir**2).sum(axis=0))
    size = audio.shape[0] + length
    wet = np.fft.irfft(np.fft.rfft(audio, size, axis=0) * np.fft.rfft(rir, size, axis=0), size, axis=0)
    return wet[: audio.shape[0]]


class Mixer:
    """Draws training examples from one split of a built data set.

    ``example(rng)`` -> (mixture, voice), float32 (2, samples) each; noise = mixture - voice.
    """

    def __init__(self, root: Path, split: str, stage: str, cfg: MixConfig = MixConfig()):
        records = [r for r in read_manifest(root) if r["split"] == split]
        self.cfg = cfg
        self.stage = stage
        speech = [r for r in records if r["kind"] == "speech"]
        other = [r for r in records if r["kind"] == ("music" if stage == "base" else "noise")]
        if not speech or not other:
            raise ValueError(f"data set at {root} has no speech or no {stage} audio in split {split}")
        self.speech = load_pool(root, speech)
        self.families: dict[str, list[np.ndarray]] = {}
        for record, audio in zip(other, load_pool(root, other)):
            self.families.setdefault(record["family"], []).append(audio)

    def voice(self, rng: np.random.Generator, samples: int) -> np.ndarray:
        """Utterances end to end with short random pauses, panned near the centre: (samples, 2)."""
        out = np.zeros((samples, 2), dtype=np.float32)
        position = int(rng.integers(0, RATE // 4))
        while position < samples:
            utterance = as_float(self.speech[int(rng.integers(len(self.speech)))])[:, :1]
            end = min(samples, position + utterance.shape[0])
            pan = rng.uniform(0.8, 1.0, size=2)
            out[position:end] += utterance[: end - position] * pan * rng.uniform(0.5, 1.0)
            position = end + int(rng.uniform(0.0, 0.4) * RATE)
        return out

    def noise_families(self) -> list[str]:
        """Every family this mixer can draw: the real ones, then the synthetic ones (noise stage)."""
        if self.stage == "base":
            return sorted(self.families)
        synthetic = [*SYNTHETIC, "babble"] + (["typing"] if "keyboard" in self.families else [])
        return sorted(f for f in self.families if f != "keyboard") + synthetic

    def noise(self, rng: np.random.Generator, samples: int, family: str | None = None) -> tuple[np.ndarray, str]:
        """A stretch of one noise family (real or synthetic), stereo-decorrelated: (samples, 2)."""
        if family is None:
            if self.stage == "noise" and rng.random() < self.cfg.synthetic_fraction:
                family = str(rng.choice([*SYNTHETIC, "babble", "typing"] if "keyboard" in self.families
                                        else [*SYNTHETIC, "babble"]))
            else:
                family = str(rng.choice(sorted(self.families)))
        if family == "babble":
            talkers = [self.voice(rng, samples) for _ in range(int(rng.integers(5, 21)))]
            return np.sum(talkers, axis=0) / np.sqrt(len(talkers)), family
        if family in ("typing", "keyboard"):
            return typing(rng, samples, [as_float(k) for k in self.families["keyboard"]]), family
        if family in SYNTHETIC:
            return SYNTHETIC[family](rng, samples, RATE), family
        pool = self.families[family]
        first = to_stereo(as_float(crop_or_loop(rng, pool[int(rng.integers(len(pool)))], samples)))
        if rng.random() < 0.5:
            second = to_stereo(as_float(crop_or_loop(rng, pool[int(rng.integers(len(pool)))], samples)))
            first = first + second * rng.uniform(0.2, 1.0)
        if first[:, 0].std() > 0 and np.allclose(first[:, 0], first[:, 1]):
            shift = int(rng.integers(1, 2000))
            first = np.stack([first[:, 0], np.roll(first[:, 1], shift)], axis=1)
        return first, family

    def example(self, rng: np.random.Generator, family: str | None = None, snr_db: float | None = None,
                clean: bool | None = None) -> tuple[np.ndarray, np.ndarray]:
        """(mixture, voice) float32 (2, samples); family/snr_db/clean fix what is otherwise drawn."""
        samples = self.cfg.segment_samples
        voice = self.voice(rng, samples)
        voice = random_eq(rng, voice)
        if rng.random() < self.cfg.reverb_fraction:
            voice = reverberate(rng, voice)
        if clean is None:
            clean = self.stage == "noise" and rng.random() < self.cfg.clean_fraction
        if clean:
            noise = np.zeros_like(voice)
        else:
            noise = random_eq(rng, self.noise(rng, samples, family)[0])
            low, high = self.cfg.snr_db if self.stage == "noise" else (-5.0, 10.0)
            snr = rng.uniform(low, high) if snr_db is None else snr_db
            voice_power = (voice**2).mean() + 1e-9
            noise_power = (noise**2).mean() + 1e-9
            noise = noise * np.sqrt(voice_power / noise_power / 10 ** (snr / 10))
        mixture = voice + noise
        peak = np.abs(mixture).max() + 1e-9
        gain = 10 ** (rng.uniform(*self.cfg.peak_dbfs) / 20) / peak
        return (mixture * gain).T.astype(np.float32), (voice * gain).T.astype(np.float32)

    def batch(self, rng: np.random.Generator, size: int) -> tuple[np.ndarray, np.ndarray]:
        """(mixture, voice), float32 (size, 2, samples) each."""
        pairs = [self.example(rng) for _ in range(size)]
        return np.stack([p[0] for p in pairs]), np.stack([p[1] for p in pairs])
