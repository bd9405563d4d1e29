import torch

from nr_bridge.model.loss import MultiResolutionComplexLoss


def test_zero_for_equal_signals_and_phase_sensitive():
    loss = MultiResolutionComplexLoss()
    audio = torch.randn(2, 2, 22050)
    assert loss(audio, audio).item() < 1e-6
    shifted = torch.roll(audio, 1, dims=-1)
    assert loss(-audio, audio) > loss(audio * 0.9, audio) > 0
    assert loss(shifted, audio) > 0
