"""Does bf16 autocast keep quality? fp32 vs bf16 on validation clips, same model, same run.

    python benchmarks/precision.py --data data/ [--clips 24]

Prints the SI-SDR improvement of each precision, how far the bf16 output is from the fp32 output
(SI-SDR of bf16 against fp32, dB: higher = closer), and the speed ratio.
"""
from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

from nr_bridge.engine import Denoiser, EngineConfig
from nr_bridge.eval.metrics import si_sdr
from nr_bridge.eval.run import validation_set


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", required=True, type=Path)
    parser.add_argument("--clips", type=int, default=24)
    parser.add_argument("--weights", type=Path, default=None)
    args = parser.parse_args()
    clips = validation_set(args.data, per_cell=1, clean_clips=0)
    clips = [clips[i] for i in np.linspace(0, len(clips) - 1, args.clips).astype(int)]
    outputs, seconds = {}, {}
    for precision in ("fp32", "bf16"):
        denoiser = Denoiser.load(args.weights, EngineConfig(precision=precision))
        denoiser.denoise(clips[0]["mixture"].T, 44100)  # warm-up
        started = time.perf_counter()
        outputs[precision] = [denoiser.denoise(c["mixture"].T, 44100).voice.T for c in clips]
        seconds[precision] = time.perf_counter() - started
    print("| precision | SI-SDRi dB | distance to fp32 output (SI-SDR dB) | time s | speed vs fp32 |")
    print("|---|---|---|---|---|")
    for precision in ("fp32", "bf16"):
        improvement = np.mean([si_sdr(o, c["voice"]) - si_sdr(c["mixture"], c["voice"])
                               for o, c in zip(outputs[precision], clips)])
        closeness = np.mean([si_sdr(o, f) for o, f in zip(outputs[precision], outputs["fp32"])])
        closeness_text = "identical" if precision == "fp32" else f"{closeness:.1f}"
        print(f"| {precision} | {improvement:+.2f} | {closeness_text} | {seconds[precision]:.1f} | "
              f"{seconds['fp32'] / seconds[precision]:.2f}x |")


if __name__ == "__main__":
    main()
