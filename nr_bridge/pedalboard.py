"""Denoising inside pedalboard-style chains: ``NoiseReducer``, ``Chain``, ``process_file``, ``parse_chain``.

Arrays follow pedalboard: float32 (channels, samples) or 1-D mono, plus a sample rate in Hz.

    from pedalboard import Compressor, HighpassFilter, Limiter
    from nr_bridge.pedalboard import Chain, NoiseReducer, process_file
    chain = Chain([HighpassFilter(80), NoiseReducer(strength_db=18), Compressor(), Limiter()])
    clean = chain(audio, 48000)
    process_file("take.wav", "take.clean.wav", chain, voice_path="take.voice.wav")
"""
from __future__ import annotations

import ast
from collections.abc import Callable, Iterable
from pathlib import Path

import numpy as np
import pedalboard
from pedalboard.io import AudioFile
from tqdm import tqdm

from .audio_io import temp_file_beside
from .engine import Denoiser, Stems

_shared_denoiser: Denoiser | None = None


def shared_denoiser() -> Denoiser:
    """The in-process model, loaded once per process."""
    global _shared_denoiser
    if _shared_denoiser is None:
        _shared_denoiser = Denoiser.load()
    return _shared_denoiser


class NoiseReducer:
    """Speech denoiser that behaves like a pedalboard plugin.

    strength_db: attenuation limit (None: unlimited, 0: input unchanged); output: "voice" (default)
    or "noise"; server: None (in-process model), "auto" (a local server, started if needed) or
    "host:port". Same length out as in, aligned (zero latency) whenever the clip ends in the call.
    """

    def __init__(self, strength_db: float | None = None, output: str = "voice", server: str | None = None,
                 denoiser: Denoiser | None = None):
        if output not in ("voice", "noise"):
            raise ValueError("output must be 'voice' or 'noise'")
        self.strength_db, self.output, self.server = strength_db, output, server
        self._denoiser = denoiser
        self._client = None
        self._stream = None
        self._rate = self._channels = None

    def __repr__(self) -> str:
        return f"<NoiseReducer strength_db={self.strength_db} output={self.output!r} server={self.server!r}>"

    def reset(self) -> None:
        """Forget any audio of a stream in progress."""
        self._stream = None

    def process(self, input_array: np.ndarray, sample_rate: float, buffer_size: int = 8192,
                reset: bool = True) -> np.ndarray:
        """Denoise a whole clip: (channels, samples) or (samples,) float32 -> same shape."""
        audio = np.asarray(input_array, dtype=np.float32)
        mono = audio.ndim == 1
        frames = audio[:, None] if mono else audio.T
        if self.server:
            stems = self._server_client().denoise(frames, int(sample_rate), self.strength_db)
        else:
            stream = self._engine().stream(int(sample_rate), frames.shape[1], self.strength_db)
            parts = [stream.push(frames[i:i + buffer_size]) for i in range(0, frames.shape[0], buffer_size)]
            stems = Stems.concatenate(parts + [stream.finish()], frames.shape[1])
        out = getattr(stems, self.output)
        return out[:, 0] if mono else np.ascontiguousarray(out.T)

    __call__ = process

    def stream_block(self, block: np.ndarray, sample_rate: int, last: bool) -> Stems:
        """Streaming step on (channels, samples): the stems that became ready (in-process model only)."""
        if self._stream is None:
            self._stream = self._engine().stream(int(sample_rate), block.shape[0], self.strength_db)
        ready = self._stream.push(block.T)
        if last:
            tail = self._stream.finish()
            self._stream = None
            ready = Stems.concatenate([ready, tail], block.shape[0])
        return ready

    def _engine(self) -> Denoiser:
        if self._denoiser is None:
            self._denoiser = shared_denoiser()
        return self._denoiser

    def _server_client(self):
        if self._client is None:
            from .client import Client, ensure_server

            self._client = Client(ensure_server() if self.server == "auto" else self.server)
        return self._client


Stage = pedalboard.Plugin | NoiseReducer


class Chain:
    """Pedalboard plugins (or ``Pedalboard`` objects) and ``NoiseReducer``s, applied in order."""

    def __init__(self, stages: Iterable[Stage]):
        self.stages = list(stages)
        for stage in self.stages:
            if not isinstance(stage, (pedalboard.Plugin, NoiseReducer)):
                raise TypeError(f"{stage!r} is neither a pedalboard plugin nor a NoiseReducer")

    def __repr__(self) -> str:
        return f"Chain({self.stages!r})"

    def process(self, input_array: np.ndarray, sample_rate: float) -> np.ndarray:
        """Whole clip: (channels, samples) float32 -> same shape."""
        audio = np.asarray(input_array, dtype=np.float32)
        for stage in self.stages:
            audio = stage.process(audio, sample_rate) if isinstance(stage, NoiseReducer) \
                else stage(audio, sample_rate)
        return audio

    __call__ = process

    def stream(self, sample_rate: int) -> "ChainStream":
        return ChainStream(self, sample_rate)


class ChainStream:
    """Block-by-block run of a Chain; ``push(block, last)`` returns what is ready, in order.

    ``taps`` collects the voice and noise stems of the first NoiseReducer as they become ready.
    """

    def __init__(self, chain: Chain, sample_rate: int):
        self.chain, self.rate = chain, sample_rate
        self.first_reducer = next((s for s in chain.stages if isinstance(s, NoiseReducer)), None)
        self.taps: list[Stems] = []
        for stage in chain.stages:
            stage.reset()

    def push(self, block: np.ndarray, last: bool = False) -> np.ndarray:
        audio = np.asarray(block, dtype=np.float32)
        for stage in self.chain.stages:
            if isinstance(stage, NoiseReducer):
                stems = stage.stream_block(audio, self.rate, last)
                if stage is self.first_reducer:
                    self.taps.append(stems)
                audio = np.ascontiguousarray(getattr(stems, stage.output).T)
            elif audio.shape[1]:
                audio = stage.process(audio, self.rate, reset=False)
        return audio


def _writer(path: Path, rate: float, channels: int, bit_depth: int):
    """A pedalboard AudioFile writer on a temp file beside ``path``: (file, temp path)."""
    tmp = temp_file_beside(path)
    return AudioFile(str(tmp), "w", rate, channels, bit_depth=bit_depth), tmp


BIT_DEPTHS = {"int8": 8, "int16": 16, "int24": 24, "int32": 32, "float32": 32}


def process_file(in_path: str | Path, out_path: str | Path, chain: Chain | Iterable[Stage],
                 voice_path: str | Path | None = None, noise_path: str | Path | None = None,
                 sample_rate: float | None = None, buffer_size: int = 65536, progress: bool = True,
                 on_progress: Callable[[int, int], None] | None = None) -> Path:
    """Stream ``in_path`` through ``chain`` into ``out_path`` (and the first NoiseReducer's stems).

    Reads every format pedalboard reads (``resampled_to(sample_rate)`` when given); keeps rate,
    channels and bit depth; memory stays bounded; outputs are written to temp files and renamed
    only when complete; the input is never written.
    """
    chain = chain if isinstance(chain, Chain) else Chain(chain)
    in_path, out_path = Path(in_path), Path(out_path)
    targets = {"out": out_path, "voice": voice_path, "noise": noise_path}
    targets = {k: Path(v) for k, v in targets.items() if v is not None}
    for path in targets.values():
        if path.exists() and path.resolve() == in_path.resolve():
            raise ValueError(f"{path}: output would overwrite the input")
    with AudioFile(str(in_path)) as source:
        reader = source.resampled_to(sample_rate) if sample_rate and sample_rate != source.samplerate else source
        rate, channels, total = reader.samplerate, reader.num_channels, reader.frames
        bit_depth = BIT_DEPTHS.get(source.file_dtype, 16)
        if total == 0:
            raise ValueError(f"{in_path}: holds no audio (0 samples)")
        stream = chain.stream(int(rate))
        opened = {k: _writer(p, rate, channels, bit_depth) for k, p in targets.items()}
        bar = tqdm(total=total, unit="frame", unit_scale=True, desc=in_path.name, disable=not progress)
        try:
            done = 0
            while done < total:
                block = reader.read(buffer_size)
                if block.shape[1] == 0:
                    break
                done += block.shape[1]
                last = done >= total
                out = stream.push(block, last=last)
                _write_ready(opened, out, stream)
                bar.update(block.shape[1])
                if on_progress:
                    on_progress(done, total)
            if done < total:  # the reader ended early: still flush what the chain holds
                _write_ready(opened, stream.push(np.zeros((channels, 0), np.float32), last=True), stream)
            for writer, tmp in opened.values():
                writer.close()
            for key, (writer, tmp) in opened.items():
                tmp.replace(targets[key])
        except BaseException:
            for writer, tmp in opened.values():
                writer.close()
                tmp.unlink(missing_ok=True)
            raise
        finally:
            bar.close()
    return out_path


def _write_ready(opened: dict, out: np.ndarray, stream: ChainStream) -> None:
    if out.shape[1]:
        opened["out"][0].write(out)
    for stems in stream.taps:
        for key in ("voice", "noise"):
            if key in opened and stems.samples:
                opened[key][0].write(np.ascontiguousarray(getattr(stems, key).T))
    stream.taps.clear()


PLUGINS = {name: getattr(pedalboard, name) for name in dir(pedalboard)
           if isinstance(getattr(pedalboard, name), type) and issubclass(getattr(pedalboard, name), pedalboard.Plugin)
           and name not in ("Plugin", "ExternalPlugin", "VST3Plugin", "Pedalboard", "Chain", "Mix", "PluginContainer")}


def parse_chain(text: str) -> Chain:
    """``"HighpassFilter(cutoff_frequency_hz=80); NoiseReducer(); Compressor()"`` -> Chain.

    Only pedalboard plugin names and NoiseReducer, with literal keyword arguments, are accepted:
    nothing is evaluated.
    """
    stages: list[Stage] = []
    for part in (p.strip() for p in text.split(";")):
        if not part:
            continue
        try:
            node = ast.parse(part, mode="eval").body
        except SyntaxError:
            raise ValueError(f"cannot parse {part!r}: write Name(keyword=value, ...)") from None
        if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Name):
            raise ValueError(f"{part!r} is not a plugin call like Compressor(threshold_db=-20)")
        name = node.func.id
        if name != "NoiseReducer" and name not in PLUGINS:
            raise ValueError(f"unknown plugin {name!r}; known: NoiseReducer, {', '.join(sorted(PLUGINS))}")
        if node.args:
            raise ValueError(f"{name}: use keyword arguments only (e.g. {name}(cutoff_frequency_hz=80))")
        kwargs = {}
        for keyword in node.keywords:
            try:
                kwargs[keyword.arg] = ast.literal_eval(keyword.value)
            except ValueError:
                raise ValueError(f"{name}: argument {keyword.arg} must be a literal number/string") from None
        try:
            stages.append(NoiseReducer(**kwargs) if name == "NoiseReducer" else PLUGINS[name](**kwargs))
        except TypeError as error:
            raise ValueError(f"{name}: {error}") from None
    if not stages:
        raise ValueError("the chain is empty")
    return Chain(stages)
