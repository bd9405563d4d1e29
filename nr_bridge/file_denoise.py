"""Denoising one audio file to stem files, streaming: memory does not grow with file length."""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from .audio_io import open_section, stem_writers
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
    section = open_section(in_path, start_s, end_s)
    for stem in outputs:
        if stem not in STEMS:
            raise ValueError(f"unknown stem {stem!r}; choose from {', '.join(STEMS)}")
    stream = denoiser.stream(section.info.sample_rate, section.info.channels, strength_db)
    done = 0
    with stem_writers(section, outputs, fmt) as write:
        def write_all(stems: Stems) -> None:
            for stem in outputs:
                write(stem, getattr(stems, stem))

        for block in section.blocks():
            write_all(stream.push(block))
            done += block.shape[0]
            if progress:
                progress(done, section.frames)
        write_all(stream.finish())
    return outputs
