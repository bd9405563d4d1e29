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
