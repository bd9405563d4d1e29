"""``nr-bridge train base|lora|full``: resumable CPU (or GPU) training with a JSON-lines log.

Files in ``out_dir``: ``state.pt`` (resume point: model, optimiser, step), ``log.jsonl`` (loss every
``log_every`` steps, validation SI-SDR every ``validate_every``), ``model.pt`` (final model, LoRA
merged) and, for ``lora``, ``adapter.pt`` (adapters only), ``train_config.json``.
"""
from __future__ import annotations

import json
import math
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import torch

from ..data.mixing import MixConfig, Mixer
from ..eval.metrics import si_sdr
from ..model.checkpoint import load_model, save_model
from ..model.config import LoRAConfig, ModelConfig
from ..model.lora import add_lora, lora_state_dict, merge_lora
from ..model.loss import MultiResolutionComplexLoss
from ..model.roformer import MelBandRoformer

STAGES = ("base", "lora", "full")


@dataclass(frozen=True)
class TrainConfig:
    stage: str
    data_root: str
    out_dir: str
    init: str | None = None  # base checkpoint for lora/full
    steps: int = 2000
    batch_size: int = 4
    segment_seconds: float = 3.0
    lr: float = 5e-4
    warmup_steps: int = 100
    seed: int = 1234
    threads: int = 0  # 0: all cores
    bf16: bool = True
    log_every: int = 10
    validate_every: int = 200
    checkpoint_every: int = 50
    validation_examples: int = 24
    balanced_loss: bool = False  # per-example loss in dB (see MultiResolutionComplexLoss)
    clean_fraction: float = 0.1  # share of clean-only examples in the noise stages
    compressed_weight: float = 0.0  # weight of the compressed-magnitude term (see MultiResolutionComplexLoss)
    model: ModelConfig = field(default_factory=ModelConfig)
    lora: LoRAConfig = field(default_factory=LoRAConfig)


def build_model(cfg: TrainConfig) -> MelBandRoformer:
    if cfg.stage == "base":
        torch.manual_seed(cfg.seed)
        return MelBandRoformer(cfg.model)
    if not cfg.init:
        raise ValueError(f"stage {cfg.stage} needs --init BASE_CHECKPOINT")
    model, _ = load_model(Path(cfg.init))
    if cfg.stage == "lora":
        torch.manual_seed(cfg.seed)
        add_lora(model, cfg.lora)
    return model


def validate(model: MelBandRoformer, batch: tuple[np.ndarray, np.ndarray], bf16: bool) -> float:
    """Mean SI-SDR improvement (dB) of the voice estimate over the mixture on a fixed batch."""
    mixture, voice = batch
    model.eval()
    with torch.inference_mode(), torch.autocast(model_device(model).type, torch.bfloat16, enabled=bf16):
        estimate = torch.cat([model(torch.from_numpy(mixture[i:i + 4]).to(model_device(model)))
                              for i in range(0, len(mixture), 4)]).float().cpu().numpy()
    model.train()
    silent = [i for i in range(len(voice)) if np.abs(mixture[i] - voice[i]).max() > 0]
    return float(np.mean([si_sdr(estimate[i], voice[i]) - si_sdr(mixture[i], voice[i]) for i in silent]))


def learning_rate_factor(step: int, cfg: TrainConfig) -> float:
    """Linear warm-up, then cosine decay to zero at ``cfg.steps`` (a plain float: checkpoints stay
    loadable with ``weights_only``)."""
    warmup = min(1.0, (step + 1) / cfg.warmup_steps)
    return float(warmup * 0.5 * (1 + math.cos(math.pi * min(1.0, step / cfg.steps))))


def model_device(model: torch.nn.Module) -> torch.device:
    return next(model.parameters()).device


def train(cfg: TrainConfig) -> Path:
    """Train (resuming from ``out_dir/state.pt`` when present); returns the final model path."""
    if cfg.stage not in STAGES:
        raise ValueError(f"stage must be one of {STAGES}")
    out = Path(cfg.out_dir)
    out.mkdir(parents=True, exist_ok=True)
    (out / "train_config.json").write_text(json.dumps(asdict(cfg), indent=2))
    if cfg.threads:
        torch.set_num_threads(cfg.threads)
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    mix_cfg = MixConfig(segment_samples=int(cfg.segment_seconds * 44100), clean_fraction=cfg.clean_fraction)
    mix_stage = "base" if cfg.stage == "base" else "noise"
    train_mixer = Mixer(Path(cfg.data_root), "train", mix_stage, mix_cfg)
    val_batch = Mixer(Path(cfg.data_root), "validation", mix_stage, mix_cfg).batch(
        np.random.default_rng(cfg.seed + 7), cfg.validation_examples)

    model = build_model(cfg).to(device).train()
    trainable = [p for p in model.parameters() if p.requires_grad]
    optimiser = torch.optim.AdamW(trainable, lr=cfg.lr, weight_decay=1e-4 if cfg.stage != "lora" else 0.0)
    schedule = torch.optim.lr_scheduler.LambdaLR(optimiser, lambda s: learning_rate_factor(s, cfg))
    loss_fn = MultiResolutionComplexLoss(balanced=cfg.balanced_loss, compressed_weight=cfg.compressed_weight).to(device)
    step = 0
    state_path = out / "state.pt"
    if state_path.exists():
        state = torch.load(state_path, map_location=device, weights_only=True)
        model.load_state_dict(state["model"])
        optimiser.load_state_dict(state["optimiser"])
        schedule.load_state_dict(state["schedule"])
        step = state["step"]
    log = (out / "log.jsonl").open("a")

    def write(record: dict) -> None:
        log.write(json.dumps(record) + "\n")
        log.flush()

    if step == 0:
        write({"step": 0, "val_si_sdri_db": validate(model, val_batch, cfg.bf16),
               "trainable_params": sum(p.numel() for p in trainable)})
    started, losses = time.time(), []
    while step < cfg.steps:
        rng = np.random.default_rng([cfg.seed, step])
        mixture, voice = (torch.from_numpy(a).to(device) for a in train_mixer.batch(rng, cfg.batch_size))
        with torch.autocast(device.type, torch.bfloat16, enabled=cfg.bf16):
            estimate = model(mixture)
        loss = loss_fn(estimate, voice)
        optimiser.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(trainable, 5.0)
        optimiser.step()
        schedule.step()
        step += 1
        losses.append(loss.item())
        if step % cfg.log_every == 0:
            write({"step": step, "loss": float(np.mean(losses)), "lr": schedule.get_last_lr()[0],
                   "s_per_step": (time.time() - started) / len(losses)})
            started, losses = time.time(), []
        if step % cfg.validate_every == 0 or step == cfg.steps:
            write({"step": step, "val_si_sdri_db": validate(model, val_batch, cfg.bf16)})
        if step % cfg.checkpoint_every == 0 or step == cfg.steps:
            tmp = state_path.with_suffix(".tmp")
            torch.save({"model": model.state_dict(), "optimiser": optimiser.state_dict(),
                        "schedule": schedule.state_dict(), "step": step}, tmp)
            tmp.replace(state_path)
    model = model.cpu().eval()
    meta = {"stage": cfg.stage, "steps": cfg.steps, "train_config": asdict(cfg)}
    if cfg.stage == "lora":
        torch.save({"lora": cfg.lora.to_dict(), "state_dict": lora_state_dict(model)}, out / "adapter.pt")
        merge_lora(model)
    save_model(out / "model.pt", model, meta)
    return out / "model.pt"
