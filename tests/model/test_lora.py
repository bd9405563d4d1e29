import pytest
import torch

from nr_bridge.model import LoRAConfig, MelBandRoformer, ModelConfig
from nr_bridge.model.lora import add_lora, load_lora_state_dict, lora_state_dict, merge_lora


def make_model(seed=0):
    torch.manual_seed(seed)
    return MelBandRoformer(ModelConfig(dim=16, depth=1, heads=2, dim_head=8)).eval()


def randomise_adapters(model):
    for name, param in model.named_parameters():
        if ".up." in name:
            torch.nn.init.normal_(param, std=0.05)


def test_fresh_adapters_change_nothing_and_only_adapters_train():
    model = make_model()
    audio = torch.randn(1, 2, 8192)
    with torch.inference_mode():
        before = model(audio)
    wrapped = add_lora(model, LoRAConfig(rank=4))
    assert any("to_qkv" in n for n in wrapped) and any("ff." in n for n in wrapped)
    with torch.inference_mode():
        assert torch.allclose(model(audio), before, atol=1e-6)
    trainable = {n for n, p in model.named_parameters() if p.requires_grad}
    assert trainable and all(".down." in n or ".up." in n for n in trainable)


def test_merge_equals_unmerged_output_and_adapters_reload():
    model = make_model()
    add_lora(model, LoRAConfig(rank=4))
    randomise_adapters(model)
    audio = torch.randn(1, 2, 8192)
    with torch.inference_mode():
        adapted = model(audio)
    state = lora_state_dict(model)
    other = make_model()
    add_lora(other, LoRAConfig(rank=4))
    load_lora_state_dict(other, state)
    merge_lora(other)
    assert not any("down" in n for n, _ in other.named_parameters())
    with torch.inference_mode():
        assert torch.allclose(other(audio), adapted, atol=1e-4)
        base = make_model()(audio)
    assert (adapted - base).abs().max() > 1e-3  # the adapter really changes the output


def test_adapter_for_another_model_is_refused():
    model = make_model()
    add_lora(model, LoRAConfig(rank=4))
    state = lora_state_dict(model)
    state.pop(next(iter(state)))
    with pytest.raises(ValueError, match="does not fit"):
        load_lora_state_dict(model, state)
