"""Denoising one audio file to stem files, streaming: memory does not grow with file length."""
from __future__ import annotations

from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path

import numpy as np

from .audio_io import FORMATS, AudioFileError, atomic_writer, output_subtype, probe, read_blocks, section_frames
from .engine import Denoiser, Stems

STEMS = ("voice", "noise")


def stem_paths(in_path: Path, out_dir: Path | None, stems: tuple[str, ...], fmt: str) -> dict[str, Path]:
    """``<out_dir or input folder>/<input stem>.<stem>.<fmt>`` for each stem."""
    folder = Path(out_dir) if out_dir else Path(in_path).parent
    return {stem: folder / f"{Path(in_path).stem}.{stem}.{fmt}" for stem in stems}


def denoise_file(denoiser: Denoiser, in_path: Path, outputs: dict[str, Path], fmt: str = "wav",
                 strength_db: float | None = None,
                 progress: Callable[[int, int], None] | None = None,
                 start_s: float = 0.0, end_s: float | None = None) -> dict[str, Path]:
    """Write the requested stems of ``in_path`` (or of its section ``start_s``-``end_s`` seconds);
    ``progress(frames_done, frames_total)``.

    Refuses to write over the input. Keeps rate and channels, and bit depth where the format allows.
    """
    info = probe(in_path)
    if info.frames == 0:
        raise AudioFileError(f"{in_path}: holds no audio (0 samples)")
    start, stop = section_frames(info, start_s, end_s)
    for stem, out in outputs.items():
        if stem not in STEMS:
            raise ValueError(f"unknown stem {stem!r}; choose from {', '.join(STEMS)}")
        if out.exists() and out.resolve() == Path(in_path).resolve():
            raise AudioFileError(f"{out}: output would overwrite the input")
    container = FORMATS[fmt]
    subtype = output_subtype(info.subtype, container)
    stream = denoiser.stream(info.sample_rate, info.channels, strength_db)
    done = 0
    with ExitStack() as stack:
        writers = {stem: stack.enter_context(atomic_writer(path, info.sample_rate, info.channels, container, subtype))
                   for stem, path in outputs.items()}

        def write(stems: Stems) -> None:
            for stem, writer in writers.items():
                writer.write(np.clip(getattr(stems, stem), -1.0, 1.0) if subtype.startswith("PCM")
                             else getattr(stems, stem))

        for block in read_blocks(in_path, start=start, stop=stop):
            write(stream.push(block))
            done += block.shape[0]
            if progress:
                progress(done, stop - start)
        write(stream.finish())
    return outputs
