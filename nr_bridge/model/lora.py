"""Low-rank adapters (LoRA) for the Linear layers of a frozen base model."""
from __future__ import annotations

import math

import torch
from torch import nn

from .config import LoRAConfig


class LoRALinear(nn.Module):
    """``base(x) + (alpha / rank) * up(down(dropout(x)))`` with ``base`` frozen.

    ``up`` starts at zero, so a fresh adapter leaves the base output unchanged. ``merge()`` folds the
    adapter into the base weight (zero inference overhead); ``unmerge()`` takes it out again.
    """

    def __init__(self, base: nn.Linear, cfg: LoRAConfig):
        super().__init__()
        self.base = base
        self.scaling = cfg.alpha / cfg.rank
        self.down = nn.Linear(base.in_features, cfg.rank, bias=False)
        self.up = nn.Linear(cfg.rank, base.out_features, bias=False)
        self.dropout = nn.Dropout(cfg.dropout)
        nn.init.kaiming_uniform_(self.down.weight, a=math.sqrt(5))
        nn.init.zeros_(self.up.weight)
        self.merged = False
        for parameter in self.base.parameters():
            parameter.requires_grad_(False)

    def delta_weight(self) -> torch.Tensor:
        return (self.up.weight @ self.down.weight) * self.scaling

    @torch.no_grad()
    def merge(self) -> None:
        if not self.merged:
            self.base.weight += self.delta_weight()
            self.merged = True

    @torch.no_grad()
    def unmerge(self) -> None:
        if self.merged:
            self.base.weight -= self.delta_weight()
            self.merged = False

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = self.base(x)
        if self.merged:
            return out
        return out + self.up(self.down(self.dropout(x))) * self.scaling


def add_lora(model: nn.Module, cfg: LoRAConfig) -> list[str]:
    """Freeze ``model`` and wrap every Linear whose qualified name contains a target; returns the names."""
    for parameter in model.parameters():
        parameter.requires_grad_(False)
    wrapped = []
    for name, module in list(model.named_modules()):
        if isinstance(module, nn.Linear) and any(target in name for target in cfg.targets):
            parent_name, _, child = name.rpartition(".")
            parent = model.get_submodule(parent_name) if parent_name else model
            setattr(parent, child, LoRALinear(module, cfg))
            wrapped.append(name)
    if not wrapped:
        raise ValueError(f"no Linear layer matches the LoRA targets {cfg.targets}")
    return wrapped


def lora_modules(model: nn.Module) -> dict[str, LoRALinear]:
    return {name: m for name, m in model.named_modules() if isinstance(m, LoRALinear)}


def lora_state_dict(model: nn.Module) -> dict[str, torch.Tensor]:
    """Only the adapter weights (``<layer>.down.weight`` / ``<layer>.up.weight``)."""
    state = {}
    for name, module in lora_modules(model).items():
        state[f"{name}.down.weight"] = module.down.weight.detach().clone()
        state[f"{name}.up.weight"] = module.up.weight.detach().clone()
    return state


def load_lora_state_dict(model: nn.Module, state: dict[str, torch.Tensor]) -> None:
    modules = lora_modules(model)
    expected = {f"{n}.{part}.weight" for n in modules for part in ("down", "up")}
    if set(state) != expected:
        missing, extra = sorted(expected - set(state)), sorted(set(state) - expected)
        raise ValueError(f"adapter does not fit this model: missing {missing[:3]}, unexpected {extra[:3]}")
    for name, module in modules.items():
        module.down.weight.data.copy_(state[f"{name}.down.weight"])
        module.up.weight.data.copy_(state[f"{name}.up.weight"])


def merge_lora(model: nn.Module) -> nn.Module:
    """Merge every adapter into its base and put the plain Linear layers back in place."""
    for name, module in lora_modules(model).items():
        module.merge()
        parent_name, _, child = name.rpartition(".")
        parent = model.get_submodule(parent_name) if parent_name else model
        setattr(parent, child, module.base)
    return model
