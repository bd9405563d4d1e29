"""Training loss: multi-resolution complex STFT L1 plus waveform L1, optionally balanced per example and
with a power-law compressed magnitude term."""
from __future__ import annotations

import torch
from torch import nn

STFT_WINDOWS = (4096, 2048, 1024, 512, 256)


class MultiResolutionComplexLoss(nn.Module):
    """Sum over STFT sizes of L1 between complex spectra (real and imaginary parts) + waveform L1.

    Hop per window: max(147, window // 4) samples. Inputs: estimate and target (B, C, N).

    ``balanced``: each example's error is divided by the same measure of its target and taken in dB
    (floored at ``floor_db``), then averaged. Plain L1 lets loud, low-SNR examples dominate the
    gradient, so the model learns to trade high-SNR and clean speech for gains at low SNR; in dB a
    step from -20 to -25 dB at 20 dB SNR counts as much as one from 0 to -5 dB at -5 dB SNR.

    ``compressed_weight``: adds that weight x the L1 between magnitudes raised to ``COMPRESSION`` (0.3),
    summed over the same STFT sizes (its own dB term when balanced). Linear L1 barely sees residual noise
    in quiet bins and speech pauses; compressed magnitudes weigh it as the ear (and DNSMOS BAK) does.
    """

    COMPRESSION = 0.3

    def __init__(self, windows: tuple[int, ...] = STFT_WINDOWS, waveform_weight: float = 1.0,
                 balanced: bool = False, floor_db: float = -40.0, compressed_weight: float = 0.0):
        super().__init__()
        self.windows = windows
        self.waveform_weight = waveform_weight
        self.balanced = balanced
        self.floor = 10 ** (floor_db / 20)
        self.compressed_weight = compressed_weight
        for size in windows:
            self.register_buffer(f"window_{size}", torch.hann_window(size), persistent=False)

    def spectrum(self, audio: torch.Tensor, size: int) -> torch.Tensor:
        spec = torch.stft(
            audio.reshape(-1, audio.shape[-1]), size, max(147, size // 4),
            window=getattr(self, f"window_{size}"), return_complex=True,
        )
        return torch.view_as_real(spec)

    def compress(self, spec: torch.Tensor) -> torch.Tensor:
        """Real-view spectrum (..., 2) -> magnitude ** COMPRESSION; the eps inside the root keeps the
        gradient finite where a spectrum is exactly zero (magnitudes below 1e-5 count as equal)."""
        return spec.square().sum(-1).add(1e-10).pow(self.COMPRESSION / 2)

    def forward(self, estimate: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        estimate, target = estimate.float(), target.float()
        batch = estimate.shape[0]

        def mean_abs(x: torch.Tensor) -> torch.Tensor:
            return x.abs().reshape(batch, -1).mean(1)

        # per term: (B,) errors and the same measure of an all-zero estimate (the balanced reference)
        linear = [self.waveform_weight * mean_abs(estimate - target)]
        linear_reference = [self.waveform_weight * mean_abs(target)]
        compressed, compressed_reference = [], []
        silence = 1e-10 ** (self.COMPRESSION / 2)
        for size in self.windows:
            est, ref = self.spectrum(estimate, size), self.spectrum(target, size)
            linear.append(mean_abs(est - ref))
            linear_reference.append(mean_abs(ref))
            if self.compressed_weight:
                ref_compressed = self.compress(ref)
                compressed.append(mean_abs(self.compress(est) - ref_compressed))
                compressed_reference.append(mean_abs(ref_compressed - silence))
        terms = [(1.0, sum(linear), sum(linear_reference))]
        if self.compressed_weight:
            terms.append((self.compressed_weight, sum(compressed), sum(compressed_reference)))
        loss = estimate.new_zeros(())
        for weight, error, reference in terms:
            if self.balanced:
                error = 20 * torch.log10(error / reference.clamp_min(1e-8) + self.floor)
            loss = loss + weight * error.mean()
        return loss
