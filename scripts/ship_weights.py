"""Copy a trained model into the package with everything needed to reproduce and audit it.

    python scripts/ship_weights.py --model runs/lora/model.pt --data data/ --runs runs/ --eval reports/eval.md

Writes nr_bridge/weights/: model.pt (stage meta + version), data_manifest.json (sources, licences,
minutes per split), training/ (each stage's train_config.json and log.jsonl), adapter.pt when present.
"""
from __future__ import annotations

import argparse
import json
import shutil
from pathlib import Path

from nr_bridge.data.build import read_manifest, summarise
from nr_bridge.model.checkpoint import load_model, save_model

WEIGHTS = Path(__file__).resolve().parent.parent / "nr_bridge" / "weights"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", required=True, type=Path)
    parser.add_argument("--version", required=True)
    parser.add_argument("--data", required=True, type=Path)
    parser.add_argument("--runs", required=True, type=Path, help="folder with one sub-folder per stage")
    parser.add_argument("--adapter", type=Path, default=None)
    args = parser.parse_args()
    model, meta = load_model(args.model)
    meta = {**meta, "version": args.version}
    save_model(WEIGHTS / "model.pt", model, meta)
    (WEIGHTS / "data_manifest.json").write_text(json.dumps(summarise(read_manifest(args.data)), indent=1) + "\n")
    training = WEIGHTS / "training"
    training.mkdir(exist_ok=True)
    for stage in sorted(p for p in args.runs.iterdir() if (p / "log.jsonl").exists()):
        for name in ("train_config.json", "log.jsonl"):
            shutil.copyfile(stage / name, training / f"{stage.name}.{name}")
    if args.adapter:
        shutil.copyfile(args.adapter, WEIGHTS / "adapter.pt")


if __name__ == "__main__":
    main()
