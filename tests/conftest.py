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


def write_media(path, audio: np.ndarray | None, rate: int, codec: str, video: bool = False):
    """A media container written with FFmpeg (PyAV): ``audio`` float32 (samples, channels) encoded with
    ``codec`` (e.g. "aac", "pcm_s16le"), plus a small video stream when ``video``."""
    import fractions

    import av

    with av.open(str(path), "w") as out:  # every stream is added before the first packet is muxed
        picture = out.add_stream("mpeg4", rate=25) if video else None
        if picture:
            picture.width, picture.height, picture.pix_fmt = 64, 48, "yuv420p"
        layout = {1: "mono", 2: "stereo"}[audio.shape[1]] if audio is not None else None
        stream = out.add_stream(codec, rate=rate, layout=layout) if audio is not None else None
        if picture:
            for index in range(25):
                frame = av.VideoFrame.from_ndarray(np.full((48, 64, 3), index * 8, np.uint8), format="rgb24")
                frame.pts, frame.time_base = index, fractions.Fraction(1, 25)
                for packet in picture.encode(frame):
                    out.mux(packet)
            for packet in picture.encode(None):
                out.mux(packet)
        if stream is None:
            return path
        planar = codec == "aac"
        for start in range(0, audio.shape[0], 1024):
            chunk = audio[start:start + 1024]
            if planar:
                frame = av.AudioFrame.from_ndarray(np.ascontiguousarray(chunk.T), format="fltp", layout=layout)
            else:
                pcm = np.round(np.clip(chunk, -1, 32767 / 32768) * 32768).astype(np.int16).reshape(1, -1)
                frame = av.AudioFrame.from_ndarray(pcm, format="s16", layout=layout)
            frame.sample_rate, frame.pts, frame.time_base = rate, start, fractions.Fraction(1, rate)
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)
    return path
