"""Engine speed and memory: RTF and peak RSS for long 44.1 kHz stereo clips, streamed block by block.

Each case runs in its own process (peak RSS is per process). The audio is generated block by block,
so the clip is never in memory; only the engine's buffers are. Prints a Markdown table; "model share"
is the part of the time spent in the model itself (Denoiser.run_chunks: STFT, network, iSTFT).

    python benchmarks/speed.py                      # 10 s and 10 min, 1/2 threads, fp32/bf16; 60 min at 2 threads bf16
    python benchmarks/speed.py --durations 10 60    # custom (seconds)
"""
from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time

import numpy as np

RATE = 44100
BLOCK = 65536


def run_case(seconds: float, threads: int, precision: str) -> dict:
    from nr_bridge.engine import Denoiser, EngineConfig

    denoiser = Denoiser.load(cfg=EngineConfig(precision=precision, threads=threads))
    network_seconds = 0.0
    run_chunks = denoiser.run_chunks

    def timed_run_chunks(chunks: np.ndarray) -> np.ndarray:  # the model's share of the time
        nonlocal network_seconds
        t0 = time.perf_counter()
        out = run_chunks(chunks)
        network_seconds += time.perf_counter() - t0
        return out

    denoiser.run_chunks = timed_run_chunks
    rng = np.random.default_rng(0)
    t = np.arange(BLOCK) / RATE
    stream = denoiser.stream(RATE, 2)
    total, produced = int(seconds * RATE), 0
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    for start in range(0, total, BLOCK):
        n = min(BLOCK, total - start)
        tone = 0.2 * np.sin(2 * np.pi * 220 * (t[:n] + start / RATE))
        block = np.stack([tone, tone], axis=1) + 0.02 * rng.standard_normal((n, 2))
        produced += stream.push(block.astype(np.float32)).samples
    produced += stream.finish().samples
    elapsed = time.perf_counter() - started
    assert produced == total
    return {"seconds": seconds, "threads": threads, "precision": precision, "rtf": elapsed / seconds,
            "network_share": network_seconds / elapsed,
            "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "model_rss_mb": rss_before / 1024}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--durations", type=float, nargs="+", default=[10, 600])
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--long", type=float, default=3600, help="extra duration run at 2 threads bf16 only (0: skip)")
    parser.add_argument("--case", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.case:
        seconds, threads, precision = args.case.split(",")
        print(json.dumps(run_case(float(seconds), int(threads), precision)))
        return
    cases = [(d, th, p) for d in args.durations for th in args.threads for p in ("fp32", "bf16")]
    if args.long:
        cases.append((args.long, 2, "bf16"))
    print("| audio | threads | precision | RTF | model share | peak RSS MB | RTF / fp32 RTF |")
    print("|---|---|---|---|---|---|---|")
    results = {}
    for seconds, threads, precision in cases:
        out = subprocess.run([sys.executable, __file__, "--case", f"{seconds},{threads},{precision}"],
                             capture_output=True, text=True, check=True)
        r = json.loads(out.stdout.strip().splitlines()[-1])
        results[(seconds, threads, precision)] = r
        base = results.get((seconds, threads, "fp32"))
        ratio = f"{r['rtf'] / base['rtf']:.2f}x" if base and precision != "fp32" else "1.00x" if precision == "fp32" else "-"
        label = f"{seconds / 60:.0f} min" if seconds >= 60 else f"{seconds:.0f} s"
        print(f"| {label} | {threads} | {precision} | {r['rtf']:.3f} | {r['network_share']:.0%} | {r['peak_rss_mb']:.0f} | {ratio} |", flush=True)


if __name__ == "__main__":
    main()
