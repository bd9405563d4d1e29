"""nr-bridge: local, offline speech noise reduction with a Mel-Band RoFormer."""
from .engine import Denoiser, EngineConfig, Stems

__all__ = ["Denoiser", "EngineConfig", "Stems"]
