"""Checkpoints that carry their own config: ``{"format", "config", "state_dict", "meta"}``.

Loaded with ``torch.load(weights_only=True)``: no code runs from a checkpoint file.
"""
from __future__ import annotations

from pathlib import Path

import torch

from .config import ModelConfig
from .roformer import MelBandRoformer

FORMAT = "nr-bridge/mel-band-roformer/1"


def save_model(path: Path, model: MelBandRoformer, meta: dict | None = None) -> None:
    """Write atomically: a temp file beside ``path``, then rename."""
    path = Path(path)
    tmp = path.with_name(path.name + ".tmp")
    state = {k: v.detach().cpu().contiguous() for k, v in model.state_dict().items()}
    torch.save({"format": FORMAT, "config": model.cfg.to_dict(), "state_dict": state, "meta": meta or {}}, tmp)
    tmp.replace(path)


def load_checkpoint(path: Path) -> dict:
    checkpoint = torch.load(Path(path), map_location="cpu", weights_only=True)
    if not isinstance(checkpoint, dict) or checkpoint.get("format") != FORMAT:
        raise ValueError(f"{path} is not an nr-bridge model checkpoint")
    return checkpoint


def load_model(path: Path) -> tuple[MelBandRoformer, dict]:
    """Model (eval mode) and its ``meta`` dict from a checkpoint file."""
    checkpoint = load_checkpoint(path)
    model = MelBandRoformer(ModelConfig.from_dict(checkpoint["config"]))
    model.load_state_dict(checkpoint["state_dict"])
    return model.eval(), checkpoint["meta"]
