"""Python client of the gRPC server, and ``ensure_server`` (start a local server when none answers)."""
from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import grpc
import numpy as np
from grpc_health.v1 import health_pb2, health_pb2_grpc

from .audio_io import AudioFileError, open_section, stem_writers
from .engine import Stems
from .server.app import DEFAULT_PORT, SERVICE
from .v1 import denoiser_pb2 as pb
from .v1 import denoiser_pb2_grpc as pb_grpc

DEFAULT_ADDRESS = os.environ.get("NR_BRIDGE_SERVER", f"127.0.0.1:{DEFAULT_PORT}")
BLOCK_FRAMES = 32768
STEM_IDS = {"voice": pb.STEM_VOICE, "noise": pb.STEM_NOISE}
Progress = Callable[[int, int], None]


class Client:
    """``Client(address, token=None)``: denoise arrays or files through a running server."""

    def __init__(self, address: str = DEFAULT_ADDRESS, token: str | None = None):
        self.address = address
        self.channel = grpc.insecure_channel(address, options=[("grpc.max_receive_message_length", 64 << 20)])
        self.stub = pb_grpc.DenoiserStub(self.channel)
        self.metadata = (("authorization", f"Bearer {token}"),) if token else ()

    def close(self) -> None:
        self.channel.close()

    def info(self) -> pb.ModelInfo:
        return self.stub.GetInfo(pb.GetInfoRequest(), metadata=self.metadata, timeout=10)

    def healthy(self, timeout: float = 2.0) -> bool:
        try:
            reply = health_pb2_grpc.HealthStub(self.channel).Check(
                health_pb2.HealthCheckRequest(service=SERVICE), timeout=timeout, metadata=self.metadata)
        except grpc.RpcError:
            return False
        return reply.status == health_pb2.HealthCheckResponse.SERVING

    def stream(self, blocks: Iterator[np.ndarray], sample_rate: int, channels: int, total_frames: int = 0,
               strength_db: float | None = None, stems: tuple[str, ...] = ("voice", "noise"), label: str = "",
               ) -> Iterator[pb.DenoiseResponse]:
        """The raw response stream for float32 (frames, channels) ``blocks``; cancel by closing it."""
        config = pb.JobConfig(sample_rate=sample_rate, channels=channels, sample_format=pb.SAMPLE_FORMAT_F32,
                              stems=[STEM_IDS[s] for s in stems], label=label, total_frames=total_frames)
        if strength_db is not None:
            config.strength_db = strength_db

        def requests():
            yield pb.DenoiseRequest(config=config)
            for block in blocks:
                for start in range(0, block.shape[0], BLOCK_FRAMES):
                    data = np.ascontiguousarray(block[start:start + BLOCK_FRAMES], dtype="<f4").tobytes()
                    yield pb.DenoiseRequest(audio=pb.AudioBlock(data=data))

        return self.stub.Denoise(requests(), metadata=self.metadata)

    def denoise(self, audio: np.ndarray, sample_rate: int, strength_db: float | None = None,
                label: str = "", progress: Progress | None = None) -> Stems:
        """(frames, channels) float32 -> Stems, through the server."""
        audio = np.asarray(audio, dtype=np.float32)
        channels = audio.shape[1]
        parts: dict[str, list[np.ndarray]] = {"voice": [], "noise": []}
        for response in self.stream(iter([audio]), sample_rate, channels, audio.shape[0], strength_db, label=label):
            kind = response.WhichOneof("payload")
            if kind == "stem":
                name = "voice" if response.stem.stem == pb.STEM_VOICE else "noise"
                parts[name].append(np.frombuffer(response.stem.data, "<f4").reshape(-1, channels))
            elif kind == "progress" and progress:
                progress(int(response.progress.seconds_done * sample_rate), audio.shape[0])
        return Stems.concatenate([Stems(v, n) for v, n in zip(parts["voice"], parts["noise"])], channels)

    def denoise_file(self, in_path: Path, outputs: dict[str, Path], fmt: str = "wav",
                     strength_db: float | None = None, progress: Progress | None = None,
                     start_s: float = 0.0, end_s: float | None = None) -> dict[str, Path]:
        """Stream a file (or its section ``start_s``-``end_s`` s) through the server into stem files
        (atomic writes); same contract as :func:`nr_bridge.file_denoise.denoise_file`."""
        section = open_section(in_path, start_s, end_s)
        info = section.info
        responses = self.stream(section.blocks(), info.sample_rate, info.channels, section.frames, strength_db,
                                tuple(outputs), label=Path(in_path).name)
        try:
            with stem_writers(section, outputs, fmt) as write:
                for response in responses:
                    kind = response.WhichOneof("payload")
                    if kind == "stem":
                        name = "voice" if response.stem.stem == pb.STEM_VOICE else "noise"
                        write(name, np.frombuffer(response.stem.data, "<f4").reshape(-1, info.channels))
                    elif kind == "progress" and progress:
                        progress(int(response.progress.seconds_done * info.sample_rate), section.frames)
        except grpc.RpcError as error:
            responses.cancel()
            raise AudioFileError(f"{in_path}: server said {error.code().name}: {error.details()}") from None
        return outputs


def ensure_server(address: str = DEFAULT_ADDRESS, timeout: float = 120.0, log_path: Path | None = None) -> str:
    """Return ``address`` once a server there answers health SERVING, starting one in the background
    (``nr-bridge serve``, detached, logging to ``log_path``) if none answers."""
    client = Client(address)
    try:
        if client.healthy():
            return address
        host, _, port = address.rpartition(":")
        log_path = Path(log_path or Path.home() / ".cache" / "nr-bridge" / "server.log")
        log_path.parent.mkdir(parents=True, exist_ok=True)
        with open(log_path, "ab") as log:
            subprocess.Popen([sys.executable, "-m", "nr_bridge.cli", "serve", "--host", host, "--port", port],
                             stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if client.healthy(timeout=1.0):
                return address
            time.sleep(0.25)
        raise TimeoutError(f"no nr-bridge server answered at {address} within {timeout:.0f} s (log: {log_path})")
    finally:
        client.close()
