import torch

from nr_bridge.model import MelBandRoformer, ModelConfig
from nr_bridge.model.checkpoint import load_model, save_model


def small_config() -> ModelConfig:
    return ModelConfig(dim=16, depth=1, heads=2, dim_head=8)


def test_shapes_and_identity_start():
    torch.manual_seed(0)
    model = MelBandRoformer(small_config()).eval()
    audio = torch.randn(2, 2, 44100) * 0.1
    with torch.inference_mode():
        voice = model(audio)
    assert voice.shape == audio.shape
    # A fresh model's mask is 1 + 0j: it passes the input through (only float/STFT error).
    assert (voice - audio).abs().max() < 0.05 * audio.abs().max()


def test_mask_is_complex_and_changes_phase():
    torch.manual_seed(0)
    model = MelBandRoformer(small_config()).eval()
    for out in model.mask_estimator.outputs:
        out.bias.data.zero_()
        n = out.out_features // 2
        out.bias.data[1:n:2] = 2.0  # mask = 0 + 1j on every bin
    audio = torch.randn(1, 2, 22050)
    with torch.inference_mode():
        spec = model.stft(audio)
        mask = model.estimate_mask(spec)
    assert torch.allclose(mask, torch.full_like(mask, 1j), atol=0.05)


def test_band_attention_mixes_frequency_and_time_attention_mixes_frames():
    torch.manual_seed(0)
    cfg = small_config()
    model = MelBandRoformer(cfg).eval()
    for out in model.mask_estimator.outputs:
        torch.nn.init.normal_(out.weight, std=0.5)
    audio = torch.zeros(1, 2, 44100)
    audio[..., 30000:30100] = torch.randn(2, 100)  # an impulse late in the clip, broadband
    base = torch.randn(1, 2, 44100) * 0.01
    with torch.inference_mode():
        quiet = model.estimate_mask(model.stft(base))
        loud = model.estimate_mask(model.stft(base + audio))
    early = slice(0, 20)  # frames long before the impulse still see it through time attention
    assert (quiet[..., early] - loud[..., early]).abs().max() > 1e-4


def test_checkpoint_round_trip_carries_config(tmp_path):
    model = MelBandRoformer(small_config())
    save_model(tmp_path / "m.pt", model, {"stage": "test"})
    loaded, meta = load_model(tmp_path / "m.pt")
    assert loaded.cfg == model.cfg and meta == {"stage": "test"}
    for key, value in model.state_dict().items():
        assert torch.equal(value, loaded.state_dict()[key])
