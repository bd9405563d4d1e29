"""Typed configuration for the Mel-Band RoFormer; saved inside every checkpoint."""
from __future__ import annotations

from dataclasses import asdict, dataclass, fields


@dataclass(frozen=True)
class ModelConfig:
    """Hyperparameters of :class:`~nr_bridge.model.roformer.MelBandRoformer`.

    Audio: ``sample_rate`` Hz, STFT of ``n_fft`` samples (Hann window of the same length) every
    ``hop_length`` samples, ``channels`` audio channels folded into every band.
    """

    sample_rate: int = 44100
    channels: int = 2
    n_fft: int = 2048
    hop_length: int = 512
    num_bands: int = 60
    dim: int = 64
    depth: int = 2
    heads: int = 4
    dim_head: int = 16
    ff_mult: int = 2
    mask_hidden_mult: int = 2
    dropout: float = 0.0

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, values: dict) -> "ModelConfig":
        known = {f.name for f in fields(cls)}
        unknown = set(values) - known
        if unknown:
            raise ValueError(f"unknown model config keys: {sorted(unknown)}")
        return cls(**values)


@dataclass(frozen=True)
class LoRAConfig:
    """Low-rank adapters: ``W x + (alpha / rank) * B A x`` on every Linear whose name contains a target."""

    rank: int = 8
    alpha: float = 16.0
    dropout: float = 0.0
    targets: tuple[str, ...] = ("to_qkv", "to_gates", "to_out", "ff.", "mask_estimator.outputs")

    def to_dict(self) -> dict:
        values = asdict(self)
        values["targets"] = list(self.targets)
        return values

    @classmethod
    def from_dict(cls, values: dict) -> "LoRAConfig":
        values = dict(values)
        values["targets"] = tuple(values.get("targets", cls.targets))
        return cls(**values)
