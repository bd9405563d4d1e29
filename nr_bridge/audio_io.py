"""Reading audio files in blocks and writing them atomically (temp file + rename).

Files libsndfile reads (WAV, FLAC, AIFF, OGG, MP3, ...) go through soundfile; anything else, such as
the AAC or PCM audio of MP4/MOV video, through FFmpeg (``media_decode``).
"""
from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import soundfile as sf

from .media_decode import MediaError, probe_media, read_media_blocks

BLOCK_FRAMES = 65536
FORMATS = {"wav": "WAV", "flac": "FLAC"}
# Subtypes each output format can hold; anything else falls back to the first.
SUBTYPES = {"WAV": ("PCM_24", "PCM_16", "PCM_32", "FLOAT", "DOUBLE"), "FLAC": ("PCM_24", "PCM_16")}


class AudioFileError(ValueError):
    """A file that cannot be read as audio, with the reason for a person."""


@dataclass(frozen=True)
class AudioInfo:
    path: Path
    sample_rate: int
    channels: int
    frames: int
    subtype: str

    @property
    def seconds(self) -> float:
        return self.frames / self.sample_rate if self.sample_rate else 0.0


def probe(path: Path) -> AudioInfo:
    """Header facts of an audio file, or AudioFileError saying why it is unusable."""
    path = Path(path)
    if not path.is_file():
        raise AudioFileError(f"{path}: no such file")
    if path.stat().st_size == 0:
        raise AudioFileError(f"{path}: file is empty (0 bytes)")
    try:
        info = sf.info(str(path))
    except (sf.LibsndfileError, RuntimeError) as error:
        return probe_container(path, error)
    if info.samplerate <= 0:
        raise AudioFileError(f"{path}: header declares a sample rate of {info.samplerate} Hz")
    if info.channels <= 0:
        raise AudioFileError(f"{path}: header declares {info.channels} channels")
    return AudioInfo(path, info.samplerate, info.channels, info.frames, info.subtype)


def probe_container(path: Path, soundfile_error: Exception) -> AudioInfo:
    """Header facts of media libsndfile cannot read (decoded output is written as 24-bit PCM)."""
    try:
        media = probe_media(path)
    except MediaError as error:
        if "no audio stream" in str(error):
            raise AudioFileError(str(error)) from None
        raise AudioFileError(f"{path}: not a readable audio file ({soundfile_error})") from None
    if media.sample_rate <= 0 or media.channels <= 0:
        raise AudioFileError(f"{path}: audio stream declares {media.sample_rate} Hz, {media.channels} channels")
    return AudioInfo(path, media.sample_rate, media.channels, media.frames, "PCM_24")


def read_blocks(path: Path, block_frames: int = BLOCK_FRAMES, start: int = 0,
                stop: int | None = None) -> Iterator[np.ndarray]:
    """float32 (frames, channels) blocks of frames [start, stop) (default: the whole file), never more
    than one block in memory."""
    try:
        f = sf.SoundFile(str(path))
    except (sf.LibsndfileError, RuntimeError):
        yield from read_container_blocks(path, block_frames, start, stop)
        return
    try:
        with f:
            if start:
                f.seek(start)
            remaining = (stop if stop is not None else f.frames) - start
            while remaining > 0:
                block = f.read(min(block_frames, remaining), dtype="float32", always_2d=True)
                if not len(block):
                    return
                remaining -= len(block)
                yield block
    except (sf.LibsndfileError, RuntimeError) as error:
        raise AudioFileError(f"{path}: audio data is corrupt ({error})") from None


def read_container_blocks(path: Path, block_frames: int, start: int, stop: int | None) -> Iterator[np.ndarray]:
    """``read_media_blocks`` (codec frames of ~1024) regrouped into blocks of ``block_frames``."""
    pending: list[np.ndarray] = []
    count = 0
    try:
        for block in read_media_blocks(path, start, stop):
            pending.append(block)
            count += block.shape[0]
            while count >= block_frames:
                joined = np.concatenate(pending)
                yield joined[:block_frames]
                pending, count = [joined[block_frames:]], count - block_frames
    except MediaError as error:
        raise AudioFileError(str(error)) from None
    if count:
        yield np.concatenate(pending)


def section_frames(info: AudioInfo, start_s: float = 0.0, end_s: float | None = None) -> tuple[int, int]:
    """[start, stop) frames of the section ``start_s``-``end_s`` seconds, clamped to the file."""
    if start_s < 0 or (end_s is not None and end_s <= start_s):
        raise AudioFileError(f"{info.path}: bad section {start_s}-{end_s} s")
    start = min(info.frames, int(round(start_s * info.sample_rate)))
    stop = info.frames if end_s is None else min(info.frames, int(round(end_s * info.sample_rate)))
    if stop <= start:
        raise AudioFileError(f"{info.path}: section {start_s}-{end_s} s lies outside the file "
                             f"({info.seconds:.2f} s long)")
    return start, stop


@dataclass(frozen=True)
class Section:
    """Frames [start, stop) of an audio file: what a job reads."""

    info: AudioInfo
    start: int
    stop: int

    @property
    def frames(self) -> int:
        return self.stop - self.start

    def blocks(self, block_frames: int = BLOCK_FRAMES) -> Iterator[np.ndarray]:
        return read_blocks(self.info.path, block_frames, self.start, self.stop)


def open_section(path: Path, start_s: float = 0.0, end_s: float | None = None) -> Section:
    """The section ``start_s``-``end_s`` seconds of ``path`` (default: all of it), or AudioFileError."""
    info = probe(path)
    if info.frames == 0:
        raise AudioFileError(f"{path}: holds no audio (0 samples)")
    return Section(info, *section_frames(info, start_s, end_s))


@contextmanager
def stem_writers(section: Section, outputs: dict[str, Path], fmt: str) -> Iterator[Callable[[str, np.ndarray], None]]:
    """``write(stem, audio)`` into one atomic file per stem (rate and channels of the input, its bit
    depth where ``fmt`` allows). Refuses to write over the input; nothing appears unless all succeed."""
    for out in outputs.values():
        if Path(out).exists() and Path(out).resolve() == Path(section.info.path).resolve():
            raise AudioFileError(f"{out}: output would overwrite the input")
    container = FORMATS[fmt]
    subtype = output_subtype(section.info.subtype, container)
    with ExitStack() as stack:
        files = {stem: stack.enter_context(atomic_writer(path, section.info.sample_rate, section.info.channels,
                                                         container, subtype))
                 for stem, path in outputs.items()}

        def write(stem: str, audio: np.ndarray) -> None:
            files[stem].write(np.clip(audio, -1.0, 1.0) if subtype.startswith("PCM") else audio)

        yield write


def output_subtype(input_subtype: str, container: str) -> str:
    allowed = SUBTYPES[container]
    return input_subtype if input_subtype in allowed else allowed[0]


def temp_file_beside(path: Path) -> Path:
    """A new empty hidden file beside ``path`` (``.<stem>.<random>.partial<suffix>``) to write and then
    rename onto it. Created like any new file, 0666 less the umask (mkstemp's 0600 would leave the
    user's stems unreadable to other users and apps); O_EXCL, so nothing is ever clobbered."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.parent / f".{path.stem}.{uuid.uuid4().hex[:16]}.partial{path.suffix}"
    os.close(os.open(tmp, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o666))
    return tmp


@contextmanager
def atomic_writer(path: Path, sample_rate: int, channels: int, container: str, subtype: str):
    """A SoundFile open on a temp file beside ``path``; renamed onto ``path`` only on success."""
    tmp = temp_file_beside(path)
    try:
        with sf.SoundFile(str(tmp), "w", sample_rate, channels, subtype, format=container) as f:
            yield f
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_atomic(path: Path, audio: np.ndarray, sample_rate: int, container: str = "WAV",
                 subtype: str = "FLOAT") -> None:
    """Write (frames, channels) audio in one go, atomically."""
    with atomic_writer(path, sample_rate, audio.shape[1], container, subtype) as f:
        f.write(audio)
