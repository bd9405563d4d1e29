"""The one denoiser every front end uses: audio blocks in, voice and noise stems out.

``Denoiser`` holds the model. ``Denoiser.stream(...)`` gives a ``StreamDenoiser`` for one clip:
``push(block)`` any number of (samples, channels) float32 blocks at the clip's own rate, then
``finish()``; each returns the ``Stems`` that became ready. Concatenated, the stems have exactly the
input's length, rate and channel count, with no added delay, and ``voice + noise == input``.

Inside: resample to 44.1 kHz (soxr), channels in stereo pairs (mono as dual-mono), fixed chunks on an
absolute grid with ``overlap`` chunks covering every sample, periodic-Hann weights (they sum to a
constant), model, resample back. Chunk positions never depend on how the input was split into
blocks, so the output does not either; memory is a few chunks whatever the clip length.
"""
from __future__ import annotations

import os
from collections import deque
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import soxr
import torch

from .model.checkpoint import load_model
from .model.roformer import MelBandRoformer

MODEL_RATE = 44100
MIN_RATE, MAX_RATE = 1000, 768000
MAX_CHANNELS = 64
DEFAULT_WEIGHTS = Path(__file__).parent / "weights" / "model.pt"


class BadAudioError(ValueError):
    """Input the engine refuses, with a message meant for a person."""


@dataclass(frozen=True)
class Stems:
    """voice and noise, float32 (samples, channels) each; voice + noise is the input."""

    voice: np.ndarray
    noise: np.ndarray

    @property
    def samples(self) -> int:
        return self.voice.shape[0]

    @staticmethod
    def concatenate(parts: list["Stems"], channels: int) -> "Stems":
        empty = np.zeros((0, channels), np.float32)
        return Stems(np.concatenate([empty] + [p.voice for p in parts]),
                     np.concatenate([empty] + [p.noise for p in parts]))


@dataclass(frozen=True)
class EngineConfig:
    """chunk_seconds: model window (s), the training segment length; overlap: chunks covering each
    sample (>= 2); precision: "bf16" (autocast; on CPUs with AVX512-BF16 as fast as fp32 or faster, voice
    within -45 dB of fp32's: README, Benchmarks) or "fp32"; threads: torch CPU threads, 0 = all cores."""

    chunk_seconds: float = 3.0
    overlap: int = 2
    precision: str = "bf16"
    threads: int = 0
    batch_chunks: int = 4

    @classmethod
    def chosen(cls, precision: str | None = None, threads: int = 0) -> "EngineConfig":
        """The defaults with what a user chose on the command line (None: keep the default)."""
        return cls(threads=threads, **({"precision": precision} if precision else {}))


def attenuation_gain(strength_db: float | None) -> float:
    """Linear gain of the noise kept in the voice stem: 0 for unlimited, 1 for 0 dB (input returned)."""
    if strength_db is None:
        return 0.0
    if not np.isfinite(strength_db) or strength_db < 0:
        raise BadAudioError(f"strength must be a non-negative number of dB, got {strength_db}")
    return float(10 ** (-strength_db / 20))


class Denoiser:
    """A loaded model plus how to run it; thread-safe for concurrent ``stream`` users."""

    def __init__(self, model: MelBandRoformer, meta: dict, cfg: EngineConfig = EngineConfig()):
        if cfg.overlap < 2:
            raise ValueError("overlap must be at least 2")
        if cfg.precision not in ("fp32", "bf16"):
            raise ValueError("precision must be fp32 or bf16")
        self.model = model.eval()
        self.meta = meta
        self.cfg = cfg
        torch.set_num_threads(cfg.threads or os.cpu_count() or 1)
        hop = int(round(cfg.chunk_seconds * MODEL_RATE / cfg.overlap))
        self.chunk = hop * cfg.overlap
        self.hop = hop
        window = np.hanning(self.chunk + 1)[:-1]  # periodic Hann: shifted copies sum to overlap / 2
        self.window = (window / (cfg.overlap / 2)).astype(np.float32)

    @classmethod
    def load(cls, path: Path | None = None, cfg: EngineConfig = EngineConfig()) -> "Denoiser":
        model, meta = load_model(Path(path) if path else DEFAULT_WEIGHTS)
        return cls(model, meta, cfg)

    def run_chunks(self, chunks: np.ndarray) -> np.ndarray:
        """Voice estimate of (n, 2, chunk) float32 stereo chunks at 44.1 kHz, same shape."""
        out = []
        with torch.inference_mode(), torch.autocast("cpu", torch.bfloat16, enabled=self.cfg.precision == "bf16"):
            for start in range(0, len(chunks), self.cfg.batch_chunks):
                batch = torch.from_numpy(np.ascontiguousarray(chunks[start:start + self.cfg.batch_chunks]))
                out.append(self.model(batch).float().numpy())
        return np.concatenate(out)

    def stream(self, sample_rate: int, channels: int, strength_db: float | None = None) -> "StreamDenoiser":
        return StreamDenoiser(self, sample_rate, channels, strength_db)

    def denoise(self, audio: np.ndarray, sample_rate: int, strength_db: float | None = None) -> Stems:
        """Whole-array convenience: (samples, channels) -> Stems."""
        audio = np.asarray(audio)
        if audio.ndim != 2:
            raise BadAudioError(f"audio must be (samples, channels), got shape {audio.shape}")
        stream = self.stream(sample_rate, audio.shape[1], strength_db)
        return Stems.concatenate([stream.push(audio), stream.finish()], audio.shape[1])


class ChunkGrid:
    """Overlap-add of model chunks on an absolute grid, for (pairs, 2) stereo signals at 44.1 kHz.

    The signal is seen as if ``chunk - hop`` zeros preceded it, so every real sample lies under
    exactly ``overlap`` chunks. ``add(x)`` returns the finished output samples, ``finish()`` the rest.
    """

    def __init__(self, denoiser: Denoiser, pairs: int):
        self.denoiser = denoiser
        self.lead = denoiser.chunk - denoiser.hop
        self.pending = np.zeros((pairs, 2, self.lead), np.float32)  # input not yet in a full chunk
        self.accum = np.zeros((pairs, 2, self.lead), np.float32)  # partial output sums
        self.consumed = 0  # real input samples seen
        self.emitted = 0  # real output samples returned
        self.skip = self.lead  # output samples still to drop (they belong to the virtual zeros)

    def add(self, x: np.ndarray) -> np.ndarray:
        self.pending = np.concatenate([self.pending, x], axis=-1)
        self.consumed += x.shape[-1]
        return self._run(final=False)

    def finish(self) -> np.ndarray:
        if self.consumed == 0:
            return self.accum[..., :0]
        return self._run(final=True)

    def _run(self, final: bool) -> np.ndarray:
        d = self.denoiser
        if final:  # zero-pad so every chunk over the last real sample exists
            length = self.pending.shape[-1]
            total = ((length - 1) // d.hop) * d.hop + d.chunk
            self.pending = np.pad(self.pending, ((0, 0), (0, 0), (0, total - length)))
        count = (self.pending.shape[-1] - self.lead) // d.hop
        if count <= 0:
            return self.accum[..., :0]
        pairs = self.pending.shape[0]
        starts = [k * d.hop for k in range(count)]
        chunks = np.stack([self.pending[:, :, s:s + d.chunk] for s in starts], axis=1)
        voice = d.run_chunks(chunks.reshape(-1, 2, d.chunk)).reshape(pairs, count, 2, d.chunk) * d.window
        accum = np.concatenate([self.accum, np.zeros((pairs, 2, count * d.hop), np.float32)], axis=-1)
        for k, s in enumerate(starts):
            accum[:, :, s:s + d.chunk] += voice[:, k]
        done = count * d.hop
        ready, self.accum = accum[..., :done], accum[..., done:]
        self.pending = self.pending[..., done:]
        skip = min(self.skip, ready.shape[-1])  # the virtual leading zeros
        ready, self.skip = ready[..., skip:], self.skip - skip
        ready = ready[..., : max(0, self.consumed - self.emitted)]
        self.emitted += ready.shape[-1]
        return ready


class StreamDenoiser:
    """One clip's stream: (samples, channels) float32 blocks at ``sample_rate`` Hz in, Stems out."""

    def __init__(self, denoiser: Denoiser, sample_rate: int, channels: int, strength_db: float | None):
        if not isinstance(sample_rate, (int, np.integer)) or not MIN_RATE <= sample_rate <= MAX_RATE:
            raise BadAudioError(f"sample rate must be {MIN_RATE}-{MAX_RATE} Hz, got {sample_rate}")
        if not 1 <= channels <= MAX_CHANNELS:
            raise BadAudioError(f"channel count must be 1-{MAX_CHANNELS}, got {channels}")
        self.rate, self.channels = int(sample_rate), channels
        self.keep = attenuation_gain(strength_db)
        self.pairs = [(c, min(c + 1, channels - 1)) for c in range(0, channels, 2)]
        self.grid = ChunkGrid(denoiser, len(self.pairs))
        resampling = self.rate != MODEL_RATE
        width = 2 * len(self.pairs)
        self.down = soxr.ResampleStream(self.rate, MODEL_RATE, width, np.float32, "VHQ") if resampling else None
        self.up = soxr.ResampleStream(MODEL_RATE, self.rate, width, np.float32, "VHQ") if resampling else None
        self.inputs: deque[np.ndarray] = deque()  # original samples awaiting their voice estimate
        self.voice_ready = np.zeros((0, channels), np.float32)
        self.pushed = 0
        self.finished = False

    def push(self, block: np.ndarray) -> Stems:
        if self.finished:
            raise RuntimeError("stream already finished")
        block = np.asarray(block)
        if block.ndim != 2 or block.shape[1] != self.channels:
            raise BadAudioError(f"expected blocks of shape (samples, {self.channels}), got {block.shape}")
        if np.issubdtype(block.dtype, np.integer):
            block = block.astype(np.float32) / float(np.iinfo(block.dtype).max + 1)
        block = block.astype(np.float32, copy=False)
        if not np.isfinite(block).all():
            bad = int(np.flatnonzero(~np.isfinite(block).all(axis=1))[0]) + self.pushed
            raise BadAudioError(f"input has NaN or infinite samples (first at sample {bad})")
        self.pushed += block.shape[0]
        self.inputs.append(block)
        paired = self._pair(block)
        if self.down is not None:
            paired = self.down.resample_chunk(paired)
        return self._emit(self.grid.add(self._unpack(paired)), last=False)

    def finish(self) -> Stems:
        if self.finished:
            raise RuntimeError("stream already finished")
        self.finished = True
        if self.down is not None:
            tail = self.down.resample_chunk(np.zeros((0, 2 * len(self.pairs)), np.float32), last=True)
            voice = np.concatenate([self.grid.add(self._unpack(tail)), self.grid.finish()], axis=-1)
        else:
            voice = self.grid.finish()
        return self._emit(voice, last=True)

    def _pair(self, block: np.ndarray) -> np.ndarray:
        """(samples, channels) -> (samples, 2 * pairs), channels in stereo pairs."""
        return np.concatenate([block[:, list(p)] for p in self.pairs], axis=1)

    def _unpack(self, interleaved: np.ndarray) -> np.ndarray:
        """(samples, 2 * pairs) -> (pairs, 2, samples)."""
        return np.ascontiguousarray(interleaved.T.reshape(len(self.pairs), 2, interleaved.shape[0]))

    def _emit(self, voice_pairs: np.ndarray, last: bool) -> Stems:
        interleaved = voice_pairs.reshape(2 * len(self.pairs), voice_pairs.shape[-1]).T
        if self.up is not None:
            interleaved = self.up.resample_chunk(np.ascontiguousarray(interleaved), last=last)
        voice = np.zeros((interleaved.shape[0], self.channels), np.float32)
        for p, (left, right) in enumerate(self.pairs):
            if left == right:  # a lone channel ran as dual-mono
                voice[:, left] = interleaved[:, 2 * p: 2 * p + 2].mean(axis=1)
            else:
                voice[:, left], voice[:, right] = interleaved[:, 2 * p], interleaved[:, 2 * p + 1]
        self.voice_ready = np.concatenate([self.voice_ready, voice])
        available = sum(b.shape[0] for b in self.inputs)
        count = min(available, self.voice_ready.shape[0])
        if last:
            count = available
            if self.voice_ready.shape[0] < count:  # resampler rounding: pad the final sample(s)
                short = count - self.voice_ready.shape[0]
                self.voice_ready = np.concatenate([self.voice_ready, np.zeros((short, self.channels), np.float32)])
        original = self._take_inputs(count)
        voice, self.voice_ready = self.voice_ready[:count], self.voice_ready[count:]
        noise = original - voice
        if self.keep:  # written so that 0 dB (keep = 1) returns the input exactly
            voice = self.keep * original + (1 - self.keep) * voice
            noise = original - voice
        return Stems(voice, noise)

    def _take_inputs(self, count: int) -> np.ndarray:
        parts, needed = [], count
        while needed:
            block = self.inputs.popleft()
            if block.shape[0] > needed:
                self.inputs.appendleft(block[needed:])
                block = block[:needed]
            parts.append(block)
            needed -= block.shape[0]
        return np.concatenate(parts) if parts else np.zeros((0, self.channels), np.float32)
