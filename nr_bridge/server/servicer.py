"""Denoiser servicer: protocol messages <-> engine streams. No audio logic lives here."""
from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterator

import grpc
import numpy as np

from ..audio_io import AudioFileError, Section, open_section
from ..engine import BadAudioError, Denoiser, Stems
from ..v1 import denoiser_pb2 as pb
from ..v1 import denoiser_pb2_grpc as pb_grpc
from .auth import is_loopback
from .jobs import JobSlots, QueueFull

log = logging.getLogger("nr_bridge.server")
DTYPES = {pb.SAMPLE_FORMAT_F32: np.dtype("<f4"), pb.SAMPLE_FORMAT_I16: np.dtype("<i2")}
STEM_NAMES = {pb.STEM_VOICE: "voice", pb.STEM_NOISE: "noise"}
MAX_BLOCK_BYTES = 4 * 1024 * 1024


def model_version(denoiser: Denoiser) -> str:
    return str(denoiser.meta.get("version", denoiser.meta.get("stage", "unknown")))


def encode(audio: np.ndarray, dtype: np.dtype) -> bytes:
    if dtype.kind == "i":
        return np.round(np.clip(audio, -1.0, 32767 / 32768) * 32768).astype(dtype).tobytes()
    return audio.astype(dtype).tobytes()


class BadRequest(Exception):
    pass


class DenoiserServicer(pb_grpc.DenoiserServicer):
    def __init__(self, denoiser: Denoiser, slots: JobSlots):
        self.denoiser = denoiser
        self.slots = slots

    def GetInfo(self, request, context) -> pb.ModelInfo:
        model = self.denoiser.model
        return pb.ModelInfo(
            model_version=model_version(self.denoiser), stage=str(self.denoiser.meta.get("stage", "")),
            parameters=sum(p.numel() for p in model.parameters()), config_json=json.dumps(model.cfg.to_dict()),
            model_sample_rate=model.cfg.sample_rate, max_block_bytes=MAX_BLOCK_BYTES,
            workers=self.slots.workers, queue_size=self.slots.queue_size)

    def Denoise(self, request_iterator, context) -> Iterator[pb.DenoiseResponse]:
        label, rate, received, result = "?", 1, 0, "failed"
        started = time.perf_counter()
        try:
            first = next(request_iterator, None)
            if first is None or first.WhichOneof("payload") != "config":
                raise BadRequest("the first message must carry the job config (JobConfig)")
            cfg = first.config
            label = cfg.label or "unnamed"
            if cfg.source_path:
                source = self._source(cfg, context)
                rate, channels, total = source.info.sample_rate, source.info.channels, source.frames
                blocks = source.blocks()
            else:
                rate, channels, total = cfg.sample_rate or 1, cfg.channels, cfg.total_frames
                blocks = self._uploaded_blocks(request_iterator, cfg)
            stream, dtype, stems = self._open(cfg, rate, channels)
            with self.slots.slot(context.is_active):
                started, sent = time.perf_counter(), 0
                if cfg.source_path:
                    yield pb.DenoiseResponse(source=pb.SourceFormat(sample_rate=rate, channels=channels,
                                                                    total_frames=total))
                for block in blocks:
                    received += block.shape[0]
                    ready = stream.push(block)
                    yield from self._stem_blocks(ready, sent, stems, dtype)
                    sent += ready.samples
                    yield self._progress(received, total, rate, started)
                    if not context.is_active():
                        result = "cancelled"
                        return
                yield from self._stem_blocks(stream.finish(), sent, stems, dtype)
                elapsed = time.perf_counter() - started
                seconds = received / rate
                yield pb.DenoiseResponse(summary=pb.Summary(
                    frames=received, duration_seconds=seconds, model_version=model_version(self.denoiser),
                    real_time_factor=elapsed / seconds if seconds else 0.0))
                result = "ok"
        except (BadRequest, BadAudioError, AudioFileError) as error:
            result = "invalid"
            context.abort(grpc.StatusCode.INVALID_ARGUMENT, str(error))
        except QueueFull as error:
            result = "refused"
            context.abort(grpc.StatusCode.RESOURCE_EXHAUSTED, str(error))
        except GeneratorExit:
            result = "cancelled"
            raise
        finally:
            seconds = received / rate
            rtf = (time.perf_counter() - started) / seconds if seconds else 0.0
            log.info("job label=%s duration=%.2fs rtf=%.3f result=%s", label, seconds, rtf, result)

    def _uploaded_blocks(self, request_iterator, cfg: pb.JobConfig) -> Iterator[np.ndarray]:
        dtype = DTYPES.get(cfg.sample_format)
        for request in request_iterator:
            if request.WhichOneof("payload") != "audio":
                raise BadRequest("only audio blocks may follow the job config")
            yield self._decode(request.audio.data, dtype, cfg.channels)

    @staticmethod
    def _source(cfg: pb.JobConfig, context) -> Section:
        """The section of ``cfg.source_path`` to read; only for clients on this machine."""
        peer = context.peer()  # "ipv4:127.0.0.1:port", "ipv6:[::1]:port" or "unix:..."
        host = peer.split(":", 1)[1].rsplit(":", 1)[0].strip("[]") if peer.startswith(("ipv4:", "ipv6:")) else ""
        if not (peer.startswith("unix:") or is_loopback(host)):
            raise BadRequest("source_path is accepted only from clients on this machine; stream the audio instead")
        return open_section(cfg.source_path, cfg.start_seconds, cfg.end_seconds or None)

    def _open(self, cfg: pb.JobConfig, rate: int, channels: int):
        if cfg.sample_format not in DTYPES:
            raise BadRequest("sample_format must be SAMPLE_FORMAT_F32 or SAMPLE_FORMAT_I16")
        stems = [STEM_NAMES.get(s) for s in cfg.stems] or ["voice"]
        if None in stems:
            raise BadRequest("stems must be STEM_VOICE and/or STEM_NOISE")
        strength = cfg.strength_db if cfg.HasField("strength_db") else None
        stream = self.denoiser.stream(rate, channels, strength)
        return stream, DTYPES[cfg.sample_format], list(dict.fromkeys(stems))

    @staticmethod
    def _decode(data: bytes, dtype: np.dtype, channels: int) -> np.ndarray:
        if len(data) > MAX_BLOCK_BYTES:
            raise BadRequest(f"audio block of {len(data)} bytes is over the limit of {MAX_BLOCK_BYTES}")
        frame_bytes = dtype.itemsize * channels
        if len(data) % frame_bytes:
            raise BadRequest(f"audio block of {len(data)} bytes is not a whole number of frames "
                             f"({channels} channels x {dtype.itemsize} bytes = {frame_bytes} bytes per frame)")
        return np.frombuffer(data, dtype).reshape(-1, channels)

    @staticmethod
    def _stem_blocks(ready: Stems, start: int, stems: list[str], dtype: np.dtype) -> Iterator[pb.DenoiseResponse]:
        if not ready.samples:
            return
        for name in stems:
            yield pb.DenoiseResponse(stem=pb.StemBlock(
                stem=pb.STEM_VOICE if name == "voice" else pb.STEM_NOISE, start_frame=start,
                data=encode(getattr(ready, name), dtype)))

    @staticmethod
    def _progress(frames: int, total: int, rate: int, started: float) -> pb.DenoiseResponse:
        elapsed = time.perf_counter() - started
        if total:
            fraction = min(1.0, frames / total)
            eta = elapsed / fraction * (1 - fraction) if fraction else -1.0
        else:
            fraction, eta = -1.0, -1.0
        return pb.DenoiseResponse(progress=pb.Progress(fraction=fraction, seconds_done=frames / rate,
                                                       eta_seconds=eta))
