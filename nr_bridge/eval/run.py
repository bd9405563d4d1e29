"""``nr-bridge eval``: a fixed validation set, every system on it, metrics, reports/eval.md + spectrograms.

The set: held-apart speakers and noise files (the validation split), every noise family at SNR
-5/0/5/10/20 dB, ``per_cell`` clips each, 4 s stereo 44.1 kHz; plus clean clips for the no-harm check.
"""
from __future__ import annotations

import json
import time
from pathlib import Path

import numpy as np
from tqdm import tqdm

from ..data.mixing import MixConfig, Mixer
from . import metrics
from .peers import PEERS, RATE, ours

SNRS = (-5, 0, 5, 10, 20)


def validation_set(data_root: Path, per_cell: int = 3, clean_clips: int = 10, seconds: float = 4.0,
                   seed: int = 2024) -> list[dict]:
    mixer = Mixer(data_root, "validation", "noise", MixConfig(segment_samples=int(seconds * RATE), reverb_fraction=0.2))
    rng = np.random.default_rng(seed)
    clips = []
    for family in mixer.noise_families():
        for snr in SNRS:
            for _ in range(per_cell):
                mixture, voice = mixer.example(rng, family=family, snr_db=float(snr), clean=False)
                clips.append({"family": family, "snr": snr, "mixture": mixture, "voice": voice})
    for _ in range(clean_clips):
        mixture, voice = mixer.example(rng, clean=True)
        clips.append({"family": "clean", "snr": None, "mixture": mixture, "voice": voice})
    return clips


def score(estimate: np.ndarray, clip: dict) -> dict:
    reference16 = metrics.to_metric_rate(clip["voice"], RATE)
    estimate16 = metrics.to_metric_rate(estimate, RATE)
    result = {"si_sdr": metrics.si_sdr(estimate, clip["voice"]),
              "si_sdri": metrics.si_sdr(estimate, clip["voice"]) - metrics.si_sdr(clip["mixture"], clip["voice"]),
              "pesq_wb": metrics.pesq_wb(estimate16, reference16), "stoi": metrics.stoi(estimate16, reference16)}
    result.update({f"dnsmos_{k}": v for k, v in metrics.dnsmos(estimate16).items()})
    if clip["family"] == "clean":
        residual = estimate - clip["mixture"]
        result["clean_change_db"] = float(10 * np.log10((residual**2).sum() / (clip["mixture"] ** 2).sum() + 1e-12))
    return result


def reused_rows(previous: Path, clips: list[dict], skip: set[str]) -> tuple[list[dict], dict]:
    """Rows and timings of the systems in an earlier ``eval.json`` (except ``skip``), if it scored the
    same clips: checked by the SI-SDR of every noisy input, which identifies the clip set."""
    data = json.loads(Path(previous).read_text())
    noisy = {r["clip"]: r["si_sdr"] for r in data["rows"] if r["system"] == "noisy input"}
    now = {i: metrics.si_sdr(c["mixture"], c["voice"]) for i, c in enumerate(clips)}
    if set(noisy) != set(now) or any(abs(noisy[i] - now[i]) > 1e-6 for i in now):
        raise ValueError(f"{previous} scored other clips than this validation set; run every system again")
    rows = [r for r in data["rows"] if r["system"] not in skip]
    return rows, {k: v for k, v in data["rtf_including_metrics"].items() if k not in skip}


def evaluate(data_root: Path, out_dir: Path, weights: dict[str, Path | None], per_cell: int = 2,
             peers: bool = True, clean_clips: int = 20, reuse: Path | None = None) -> Path:
    """Run every system on the validation set; write ``out_dir/eval.md``, ``eval.json`` and PNGs.

    ``reuse``: an earlier eval.json of the same clips; its systems are not run again (peers, older
    models), only those in ``weights`` (and the peers, if ``peers`` and not in that file).
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    clips = validation_set(Path(data_root), per_cell, clean_clips)
    systems = {name: ours(path) for name, path in weights.items()}
    rows, timing = reused_rows(reuse, clips, set(systems)) if reuse else ([], {})
    done = {r["system"] for r in rows}
    if peers:
        systems.update({name: system for name, system in PEERS.items() if name not in done})
    names = list(weights) + [n for n in dict.fromkeys(r["system"] for r in rows) if n not in weights]
    names += [n for n in systems if n not in names]
    examples = {}
    for name, system in systems.items():
        started, audio_seconds = time.perf_counter(), 0.0
        for index, clip in enumerate(tqdm(clips, desc=name, unit="clip")):
            t0 = time.perf_counter()
            estimate = system(clip["mixture"])
            audio_seconds += clip["mixture"].shape[1] / RATE
            row = {"system": name, "clip": index, "family": clip["family"], "snr": clip["snr"],
                   "seconds": time.perf_counter() - t0}
            row.update(score(estimate, clip))
            rows.append(row)
            if index in (0, len(clips) // 3):
                examples.setdefault(index, {})[name] = estimate
        timing[name] = (time.perf_counter() - started) / audio_seconds
    (out_dir / "eval.json").write_text(json.dumps({"rows": rows, "rtf_including_metrics": timing}, indent=1))
    report = out_dir / "eval.md"
    report.write_text(render_report(rows, names, clips, target_dnsmos(clips)))
    for index, estimates in examples.items():
        plot_spectrograms(out_dir / f"spectrogram_{index}.png", clips[index], estimates)
    return report


def target_dnsmos(clips: list[dict]) -> dict[str, float]:
    """Mean DNSMOS of the clean voice targets of the noisy clips: what a perfect separator would score."""
    scores = [metrics.dnsmos(metrics.to_metric_rate(c["voice"], RATE)) for c in clips if c["family"] != "clean"]
    return {k: mean([s[k] for s in scores]) for k in scores[0]}


def mean(values: list[float]) -> float:
    values = [v for v in values if v is not None and np.isfinite(v)]
    return float(np.mean(values)) if values else float("nan")


def render_report(rows: list[dict], names: list[str], clips: list[dict], target: dict[str, float]) -> str:
    noisy_rows = [r for r in rows if r["family"] != "clean"]
    cols = ("si_sdri", "pesq_wb", "stoi", "dnsmos_ovrl", "dnsmos_sig", "dnsmos_bak")
    lines = [f"# Evaluation ({len(clips)} clips: {len(noisy_rows) // len(names)} noisy, "
             f"{len(clips) - len(noisy_rows) // len(names)} clean; 4 s stereo 44.1 kHz, validation split)", "",
             "## Overall (noisy clips)", "",
             "| system | SI-SDRi dB | PESQ-WB | STOI | DNSMOS OVRL | SIG | BAK | RTF |", "|---|---|---|---|---|---|---|---|"]
    for name in names:
        mine = [r for r in noisy_rows if r["system"] == name]
        rtf = sum(r["seconds"] for r in mine) / (len(mine) * 4.0)
        lines.append(f"| {name} | " + " | ".join(f"{mean([r[c] for r in mine]):.2f}" for c in cols) + f" | {rtf:.3f} |")
    lines += ["", "RTF: processing time / audio time on this machine (2 CPU cores), metrics excluded.",
              f"The clean voice targets themselves score DNSMOS OVRL {target['ovrl']:.2f} / SIG {target['sig']:.2f} / "
              f"BAK {target['bak']:.2f}: a perfect separator scores that; a system can score higher only by also "
              "removing what DNSMOS hears in the targets (their own hiss, room, codec artefacts)."]
    for title, key, fmt in (("SI-SDR improvement (dB)", "si_sdri", "+.2f"), ("PESQ-WB", "pesq_wb", ".2f"),
                            ("DNSMOS BAK (background noise)", "dnsmos_bak", ".2f")):
        lines += ["", f"## {title} per SNR", "", "| system | " + " | ".join(f"{s} dB" for s in SNRS) + " |",
                  "|---|" + "---|" * len(SNRS)]
        for name in names:
            cells = [mean([r[key] for r in noisy_rows if r["system"] == name and r["snr"] == s]) for s in SNRS]
            lines.append(f"| {name} | " + " | ".join(f"{c:{fmt}}" for c in cells) + " |")
    families = sorted({r["family"] for r in noisy_rows})
    lines += ["", "## SI-SDR improvement (dB) per noise family", "", "| family | " + " | ".join(names) + " |",
              "|---|" + "---|" * len(names)]
    for family in families:
        cells = [mean([r["si_sdri"] for r in noisy_rows if r["system"] == n and r["family"] == family]) for n in names]
        lines.append(f"| {family} | " + " | ".join(f"{c:+.2f}" for c in cells) + " |")
    lines += ["", "## Clean input (no harm)", "", "| system | change vs input dB (lower = untouched) | DNSMOS OVRL |",
              "|---|---|---|"]
    for name in names:
        mine = [r for r in rows if r["system"] == name and r["family"] == "clean"]
        lines.append(f"| {name} | {mean([r['clean_change_db'] for r in mine]):.1f} | "
                     f"{mean([r['dnsmos_ovrl'] for r in mine]):.2f} |")
    return "\n".join(lines) + "\n"


def plot_spectrograms(path: Path, clip: dict, estimates: dict[str, np.ndarray]) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    panels = {"clean voice": clip["voice"], "noisy input": clip["mixture"], **estimates}
    fig, axes = plt.subplots(len(panels), 1, figsize=(9, 2.1 * len(panels)), sharex=True)
    for ax, (name, audio) in zip(axes, panels.items()):
        ax.specgram(audio.mean(axis=0), NFFT=1024, Fs=RATE, noverlap=768, cmap="magma", vmin=-130)
        ax.set_ylabel("Hz")
        ax.set_title(f"{name}  ({clip['family']}, SNR {clip['snr']} dB)", fontsize=9)
    axes[-1].set_xlabel("s")
    fig.tight_layout()
    fig.savefig(path, dpi=80)
    plt.close(fig)
