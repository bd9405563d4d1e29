"""The streaming engine with the real shipped weights."""
from __future__ import annotations

import numpy as np
import pytest
import torch

from nr_bridge.engine import BadAudioError, Denoiser, EngineConfig, Stems
from nr_bridge.model import MelBandRoformer

from .conftest import tone_and_noise


def stream_in_blocks(denoiser, audio, rate, sizes, strength_db=None) -> Stems:
    stream = denoiser.stream(rate, audio.shape[1], strength_db)
    parts, start, k = [], 0, 0
    while start < audio.shape[0]:
        size = sizes[k % len(sizes)]
        parts.append(stream.push(audio[start:start + size]))
        start, k = start + size, k + 1
    parts.append(stream.finish())
    return Stems.concatenate(parts, audio.shape[1])


@pytest.mark.parametrize("rate,channels", [(44100, 2), (44100, 1), (48000, 2), (8000, 1), (192000, 1), (16000, 8)])
def test_stems_sum_to_input_with_same_shape(denoiser, rate, channels):
    audio = tone_and_noise(2.5, rate, channels)
    stems = denoiser.denoise(audio, rate)
    assert stems.voice.shape == audio.shape == stems.noise.shape
    assert stems.voice.dtype == np.float32
    np.testing.assert_allclose(stems.voice + stems.noise, audio, atol=1e-6)
    assert np.isfinite(stems.voice).all()


def test_block_size_does_not_change_the_output(denoiser):
    audio = tone_and_noise(9.0, 48000, 2, seed=3)
    whole = denoiser.denoise(audio, 48000)
    for sizes in ([1000], [7, 30011, 123457], [48000 * 9]):
        blocks = stream_in_blocks(denoiser, audio, 48000, sizes)
        np.testing.assert_allclose(blocks.voice, whole.voice, atol=1e-5)


def constant_mask_denoiser(chunk_seconds: float) -> Denoiser:
    """A model whose mask is a fixed complex gain (0.5 - 0.3j): a time-invariant filter, so any
    difference between chunked and single-pass output comes from the chunking itself."""
    torch.manual_seed(0)
    model = MelBandRoformer(Denoiser.load().model.cfg)
    for out in model.mask_estimator.outputs:
        out.weight.data.zero_()
        out.bias.data.zero_()
        n = out.out_features // 2
        out.bias.data[0:n:2], out.bias.data[1:n:2] = 1.0, -0.6
    return Denoiser(model, {}, EngineConfig(chunk_seconds=chunk_seconds, precision="fp32"))


def test_chunked_matches_single_pass_without_seams():
    audio = tone_and_noise(10.0, 44100, 2, seed=5)
    single = constant_mask_denoiser(chunk_seconds=24.0).denoise(audio, 44100).voice
    chunked = constant_mask_denoiser(chunk_seconds=2.0).denoise(audio, 44100).voice
    error_db = 10 * np.log10(np.sum((single - chunked) ** 2) / np.sum(single**2))
    assert error_db < -60, error_db
    assert np.abs(single).max() > 0.1  # the filter did not silence the signal


def test_chunked_real_model_has_no_seam_spikes(denoiser):
    audio = tone_and_noise(12.0, 44100, 2, seed=6)
    voice = denoiser.denoise(audio, 44100).voice
    step = np.abs(np.diff(voice, axis=0)).max(axis=1)
    hop = denoiser.hop
    boundaries = np.arange(hop, voice.shape[0] - 1, hop)
    assert step[boundaries - 1].max() < 2 * np.percentile(step, 99.9)


def test_strength_zero_db_returns_input_and_limits_attenuation(denoiser):
    audio = tone_and_noise(3.0, 44100, 2)
    full = denoiser.denoise(audio, 44100)
    none = denoiser.denoise(audio, 44100, strength_db=0.0)
    np.testing.assert_allclose(none.voice, audio, atol=1e-6)
    assert np.abs(none.noise).max() < 1e-6
    limited = denoiser.denoise(audio, 44100, strength_db=12.0)
    expected = full.voice + 10 ** (-12 / 20) * full.noise
    np.testing.assert_allclose(limited.voice, expected, atol=1e-5)
    np.testing.assert_allclose(limited.voice + limited.noise, audio, atol=1e-6)


def test_integer_input_is_scaled_like_float(denoiser):
    audio = tone_and_noise(2.0, 44100, 1)
    as_int16 = np.round(audio * 32767).astype(np.int16)
    from_int = denoiser.denoise(as_int16, 44100)
    from_float = denoiser.denoise(as_int16.astype(np.float32) / 32768, 44100)
    np.testing.assert_allclose(from_int.voice, from_float.voice, atol=1e-6)


def test_silence_gives_silence_and_tiny_inputs_work(denoiser):
    silent = denoiser.denoise(np.zeros((44100, 2), np.float32), 44100)
    assert np.abs(silent.voice).max() == 0 and np.abs(silent.noise).max() == 0
    one = denoiser.denoise(np.full((1, 1), 0.5, np.float32), 44100)
    assert one.voice.shape == (1, 1)
    empty = denoiser.denoise(np.zeros((0, 2), np.float32), 44100)
    assert empty.voice.shape == (0, 2)


@pytest.mark.parametrize("bad,message", [(np.nan, "NaN or infinite"), (np.inf, "NaN or infinite")])
def test_nan_and_inf_are_refused_with_position(denoiser, bad, message):
    audio = tone_and_noise(1.0, 44100, 2)
    audio[1234, 1] = bad
    with pytest.raises(BadAudioError, match=f"{message}.*1234"):
        denoiser.denoise(audio, 44100)


@pytest.mark.parametrize("rate,channels,message", [(0, 2, "sample rate"), (44100, 0, "channel count"),
                                                   (44100, 65, "channel count")])
def test_bad_stream_parameters(denoiser, rate, channels, message):
    with pytest.raises(BadAudioError, match=message):
        denoiser.stream(rate, channels)


def test_wrong_block_shape_and_negative_strength(denoiser):
    stream = denoiser.stream(44100, 2)
    with pytest.raises(BadAudioError, match=r"\(samples, 2\)"):
        stream.push(np.zeros((10, 3), np.float32))
    with pytest.raises(BadAudioError, match="non-negative"):
        denoiser.stream(44100, 2, strength_db=-3)


def test_mono_is_processed_as_dual_mono(denoiser):
    mono = tone_and_noise(3.0, 44100, 1)
    stereo = np.repeat(mono, 2, axis=1)
    as_mono = denoiser.denoise(mono, 44100).voice
    as_stereo = denoiser.denoise(stereo, 44100).voice
    assert as_mono.shape == mono.shape
    np.testing.assert_allclose(as_mono[:, 0], as_stereo.mean(axis=1), atol=1e-5)
