"""Training loss: multi-resolution complex STFT L1 plus waveform L1."""
from __future__ import annotations

import torch
from torch import nn

STFT_WINDOWS = (4096, 2048, 1024, 512, 256)


class MultiResolutionComplexLoss(nn.Module):
    """Sum over STFT sizes of L1 between complex spectra (real and imaginary parts) + waveform L1.

    Hop per window: max(147, window // 4) samples. Inputs: estimate and target (B, C, N).
    """

    def __init__(self, windows: tuple[int, ...] = STFT_WINDOWS, waveform_weight: float = 1.0):
        super().__init__()
        self.windows = windows
        self.waveform_weight = waveform_weight
        for size in windows:
            self.register_buffer(f"window_{size}", torch.hann_window(size), persistent=False)

    def spectrum(self, audio: torch.Tensor, size: int) -> torch.Tensor:
        spec = torch.stft(
            audio.reshape(-1, audio.shape[-1]), size, max(147, size // 4),
            window=getattr(self, f"window_{size}"), return_complex=True,
        )
        return torch.view_as_real(spec)

    def forward(self, estimate: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        estimate, target = estimate.float(), target.float()
        loss = self.waveform_weight * (estimate - target).abs().mean()
        for size in self.windows:
            loss = loss + (self.spectrum(estimate, size) - self.spectrum(target, size)).abs().mean()
        return loss
