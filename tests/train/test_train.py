"""Training stages on the small real data set: resumable, logged, LoRA adapters saved."""
from __future__ import annotations

import json
import shutil
from dataclasses import replace

import pytest
import torch

from nr_bridge.model import LoRAConfig, ModelConfig
from nr_bridge.model.checkpoint import load_model
from nr_bridge.train.loop import TrainConfig, train

from ..data.test_build import small_data  # noqa: F401  (module fixture)

pytestmark = pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="needs espeak-ng")
TINY = ModelConfig(dim=16, depth=1, heads=2, dim_head=8)


def config(stage, data, out, **extra) -> TrainConfig:
    return TrainConfig(stage=stage, data_root=str(data), out_dir=str(out), steps=2, batch_size=2, segment_seconds=1.0,
                       log_every=1, validate_every=2, checkpoint_every=1, validation_examples=2, threads=2,
                       model=TINY, **extra)


def read_log(out):
    return [json.loads(line) for line in (out / "log.jsonl").read_text().splitlines()]


def test_base_resumes_and_lora_saves_adapters(small_data, tmp_path):  # noqa: F811
    base_dir = tmp_path / "base"
    train(config("base", small_data, base_dir))
    first = read_log(base_dir)
    assert [r["step"] for r in first if "loss" in r] == [1, 2]
    assert any("val_si_sdri_db" in r for r in first)
    train(replace(config("base", small_data, base_dir), steps=3))
    resumed = [r["step"] for r in read_log(base_dir) if "loss" in r]
    assert resumed == [1, 2, 3]  # continued from the checkpoint, not from scratch
    base_model, meta = load_model(base_dir / "model.pt")
    assert meta["stage"] == "base" and base_model.cfg == TINY

    lora_dir = tmp_path / "lora"
    train(config("lora", small_data, lora_dir, init=str(base_dir / "model.pt"), lora=LoRAConfig(rank=2)))
    adapter = torch.load(lora_dir / "adapter.pt", weights_only=True)
    assert adapter["lora"]["rank"] == 2 and all(".down." in k or ".up." in k for k in adapter["state_dict"])
    merged, meta = load_model(lora_dir / "model.pt")
    assert meta["stage"] == "lora"
    changed = [k for k, v in merged.state_dict().items() if not torch.equal(v, base_model.state_dict()[k])]
    assert changed and all(any(t in k for t in ("to_qkv", "to_gates", "to_out", "ff.", "mask_estimator.outputs"))
                           for k in changed)  # only adapted layers moved; the rest of the base is frozen
