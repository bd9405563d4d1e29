"""Server throughput and latency to the first stem block with 1, 2 and 4 concurrent clients, and the
overhead of the gRPC round trip against in-process denoising of the same clip in the same run.

    python benchmarks/server.py [--seconds 20]
"""
from __future__ import annotations

import argparse
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from nr_bridge.client import Client
from nr_bridge.engine import Denoiser, EngineConfig
from nr_bridge.server.app import ServerConfig, start_server

RATE = 44100


def clip(seconds: float) -> np.ndarray:
    rng = np.random.default_rng(0)
    t = np.arange(int(seconds * RATE)) / RATE
    tone = 0.2 * np.sin(2 * np.pi * 220 * t)
    return (np.stack([tone, tone], axis=1) + 0.02 * rng.standard_normal((t.size, 2))).astype(np.float32)


def one_job(address: str, audio: np.ndarray) -> tuple[float, float]:
    """(seconds to the first stem block, seconds to the end)."""
    client = Client(address)
    started, first = time.perf_counter(), None
    for response in client.stream(iter([audio]), RATE, 2, audio.shape[0]):
        if first is None and response.WhichOneof("payload") == "stem":
            first = time.perf_counter() - started
    client.close()
    return first, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20.0)
    args = parser.parse_args()
    audio = clip(args.seconds)
    denoiser = Denoiser.load(cfg=EngineConfig())
    denoiser.denoise(audio[:RATE], RATE)  # warm-up
    started = time.perf_counter()
    denoiser.denoise(audio, RATE)
    in_process = time.perf_counter() - started
    server = start_server(denoiser, ServerConfig(port=0, workers=4, queue_size=4))
    try:
        one_job(server.address, audio[:RATE])
        print(f"in-process: {in_process:.2f} s for {args.seconds:.0f} s of audio (RTF {in_process / args.seconds:.3f})\n")
        print("| clients | first stem block s (mean) | wall s | throughput (audio s / s) | overhead vs in-process |")
        print("|---|---|---|---|---|")
        for clients in (1, 2, 4):
            started = time.perf_counter()
            with ThreadPoolExecutor(clients) as pool:
                results = list(pool.map(lambda _: one_job(server.address, audio), range(clients)))
            wall = time.perf_counter() - started
            overhead = wall / (clients * in_process) - 1
            print(f"| {clients} | {np.mean([r[0] for r in results]):.2f} | {wall:.2f} | "
                  f"{clients * args.seconds / wall:.1f} | {overhead * 100:+.1f} % |", flush=True)
    finally:
        server.stop(0)


if __name__ == "__main__":
    main()
