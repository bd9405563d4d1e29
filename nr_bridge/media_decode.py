"""Audio of compressed media and video containers (AAC/MP3/Opus/PCM in MP4, MOV, M4A, MKV, ...) through
FFmpeg (PyAV, whose wheels bundle FFmpeg). ``audio_io`` uses this for what libsndfile cannot read.

Positions are in frames (samples per channel) of the first audio stream at its own sample rate.
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import av
import numpy as np


PREROLL_FRAMES = 8192


class MediaError(Exception):
    """The file is not media FFmpeg can read, or has no audio stream."""


@dataclass(frozen=True)
class MediaInfo:
    sample_rate: int  # Hz
    channels: int
    frames: int  # from the container's duration: exact for PCM, within a codec frame for AAC/MP3


def _audio_stream(container: av.container.InputContainer, path: Path) -> av.audio.stream.AudioStream:
    if not container.streams.audio:
        raise MediaError(f"{path}: has no audio stream (video only?)")
    return container.streams.audio[0]


def probe_media(path: Path) -> MediaInfo:
    try:
        with av.open(str(path)) as container:
            stream = _audio_stream(container, path)
            if stream.duration is not None:
                seconds = float(stream.duration * stream.time_base)
            elif container.duration is not None:
                seconds = container.duration / av.time_base
            else:
                raise MediaError(f"{path}: the container does not say how long its audio is")
            return MediaInfo(stream.rate, stream.channels, int(round(seconds * stream.rate)))
    except av.FFmpegError as error:
        raise MediaError(f"{path}: not readable media ({error})") from None


def read_media_blocks(path: Path, start: int = 0, stop: int | None = None) -> Iterator[np.ndarray]:
    """float32 (frames, channels) blocks covering frames [start, stop) of the first audio stream."""
    try:
        with av.open(str(path)) as container:
            stream = _audio_stream(container, path)
            rate, channels = stream.rate, stream.channels
            if start > PREROLL_FRAMES:
                # Seek to a packet a little before the start (lapped codecs such as AAC need the frames
                # before to decode the first one right), then drop what precedes the start exactly.
                target = (start - PREROLL_FRAMES) / rate / stream.time_base
                container.seek(int(target), stream=stream, backward=True, any_frame=False)
            to_float = av.AudioResampler(format="flt", layout=stream.layout, rate=rate)
            position = None
            for frame in container.decode(stream):
                if position is None:
                    position = int(round(float(frame.pts * frame.time_base) * rate)) if frame.pts is not None else 0
                for converted in to_float.resample(frame):
                    block = converted.to_ndarray().reshape(-1, channels)
                    begin, position = position, position + block.shape[0]
                    if position <= start:
                        continue
                    block = block[max(0, start - begin):]
                    if stop is not None and position >= stop:
                        block = block[: block.shape[0] - (position - stop)]
                        if block.shape[0]:
                            yield np.ascontiguousarray(block, dtype=np.float32)
                        return
                    yield np.ascontiguousarray(block, dtype=np.float32)
    except av.FFmpegError as error:
        raise MediaError(f"{path}: audio data is corrupt ({error})") from None
