"""The Mel-Band RoFormer, its band layout, LoRA adapters, loss and checkpoints."""
from .config import LoRAConfig, ModelConfig
from .roformer import MelBandRoformer

__all__ = ["LoRAConfig", "ModelConfig", "MelBandRoformer"]
