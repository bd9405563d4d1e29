import pytest
import torch

from nr_bridge.model.loss import MultiResolutionComplexLoss


def test_zero_for_equal_signals_and_phase_sensitive():
    loss = MultiResolutionComplexLoss()
    audio = torch.randn(2, 2, 22050)
    assert loss(audio, audio).item() < 1e-6
    shifted = torch.roll(audio, 1, dims=-1)
    assert loss(-audio, audio) > loss(audio * 0.9, audio) > 0
    assert loss(shifted, audio) > 0


def test_balanced_loss_is_per_example_db_independent_of_level():
    loss = MultiResolutionComplexLoss(balanced=True, floor_db=-40.0)
    torch.manual_seed(0)
    target = torch.randn(2, 2, 8192)
    estimate = target + 0.1 * torch.randn_like(target)
    value = loss(estimate, target)
    # Each example counts in dB of its own level: scaling one example changes nothing.
    scaled = torch.stack([estimate[0] * 30, estimate[1]]), torch.stack([target[0] * 30, target[1]])
    assert torch.allclose(loss(*scaled), value, atol=1e-4)
    assert -22 < value.item() < -17  # errors near -20 dB
    assert loss(target, target).item() == pytest.approx(-40.0, abs=1e-4)  # floored, not -inf


def test_compressed_term_weighs_residual_noise_in_quiet_parts():
    torch.manual_seed(0)
    n = 16384
    # broadband "speech": loud in the first half, a near-silent pause in the second
    target = torch.randn(1, 2, 2 * n) * torch.cat([torch.full((n,), 0.3), torch.full((n,), 1e-3)])
    noise = 3e-3 * torch.randn(1, 2, n)
    in_pause = target + torch.cat([torch.zeros_like(noise), noise], dim=-1)  # noise where speech is quiet
    in_speech = target + torch.cat([noise, torch.zeros_like(noise)], dim=-1)  # the same noise under loud speech
    linear, compressed = MultiResolutionComplexLoss(), MultiResolutionComplexLoss(compressed_weight=1.0)
    assert linear(in_pause, target) == pytest.approx(linear(in_speech, target).item(), rel=0.05)
    assert compressed(in_pause, target) > 1.5 * compressed(in_speech, target)
    assert compressed(target, target).item() < 1e-3


def test_compressed_balanced_loss_has_finite_gradients_at_zero():
    loss = MultiResolutionComplexLoss(balanced=True, compressed_weight=1.0)
    target = torch.randn(2, 2, 8192)
    estimate = torch.zeros_like(target, requires_grad=True)
    loss(estimate, target).backward()
    assert torch.isfinite(estimate.grad).all() and estimate.grad.abs().sum() > 0
