"""NoiseReducer and Chain with real pedalboard plugins and real files."""
from __future__ import annotations

import os
import stat
import subprocess
import sys

import numpy as np
import pytest
import soundfile as sf
from pedalboard import Compressor, Gain, HighpassFilter, Limiter, Pedalboard
from pedalboard.io import AudioFile

from nr_bridge.pedalboard import Chain, NoiseReducer, parse_chain, process_file

from .conftest import tone_and_noise


@pytest.fixture
def reducer(denoiser):
    return NoiseReducer(denoiser=denoiser)


def test_noise_reducer_is_a_pedalboard_style_callable(reducer, denoiser):
    audio = tone_and_noise(3.0, 48000, 2).T.copy()  # (channels, samples)
    out = reducer(audio, 48000)
    assert out.shape == audio.shape and out.dtype == np.float32
    np.testing.assert_allclose(out, denoiser.denoise(audio.T, 48000).voice.T, atol=1e-6)
    mono = reducer(audio[0], 48000)
    assert mono.shape == audio[0].shape
    noise = NoiseReducer(output="noise", denoiser=denoiser)(audio, 48000)
    np.testing.assert_allclose(out + noise, audio, atol=1e-5)
    untouched = NoiseReducer(strength_db=0, denoiser=denoiser)(audio, 48000)
    np.testing.assert_allclose(untouched, audio, atol=1e-6)


def test_chain_runs_stages_in_order(reducer):
    audio = tone_and_noise(2.0, 44100, 2).T.copy()
    gain_then_reduce = Chain([Gain(gain_db=-12), reducer])(audio, 44100)
    reduce_then_gain = Chain([reducer, Gain(gain_db=-12)])(audio, 44100)
    by_hand = reducer(Gain(gain_db=-12)(audio, 44100), 44100)
    np.testing.assert_allclose(gain_then_reduce, by_hand, atol=1e-6)
    assert not np.allclose(Chain([HighpassFilter(2000), Limiter(threshold_db=-20)])(audio, 44100),
                           Chain([Limiter(threshold_db=-20), HighpassFilter(2000)])(audio, 44100), atol=1e-3)
    assert gain_then_reduce.shape == reduce_then_gain.shape == audio.shape


def test_pedalboard_objects_can_be_stages(reducer):
    audio = tone_and_noise(2.0, 44100, 2).T.copy()
    board = Pedalboard([HighpassFilter(80), Compressor(threshold_db=-20)])
    np.testing.assert_allclose(Chain([board, reducer])(audio, 44100), reducer(board(audio, 44100), 44100), atol=1e-6)
    with pytest.raises(TypeError, match="neither"):
        Chain([lambda a, sr: a])


def test_process_file_streaming_equals_whole_array_and_writes_stems(tmp_path, reducer):
    rate = 48000
    audio = tone_and_noise(7.0, rate, 2, seed=2)
    src = tmp_path / "take.wav"
    sf.write(src, audio, rate, subtype="PCM_24")
    before = src.read_bytes()
    chain = Chain([HighpassFilter(80), reducer, Compressor(threshold_db=-18), Limiter()])
    out = process_file(src, tmp_path / "take.clean.wav", chain, voice_path=tmp_path / "v.wav",
                       noise_path=tmp_path / "n.wav", buffer_size=10000, progress=False)
    assert src.read_bytes() == before  # the source is untouched
    info = sf.info(out)
    assert (info.samplerate, info.channels, info.frames, info.subtype) == (rate, 2, audio.shape[0], "PCM_24")
    streamed = sf.read(out, dtype="float32")[0]
    with AudioFile(str(src)) as f:
        decoded = f.read(f.frames)
    whole = chain(decoded, rate).T
    np.testing.assert_allclose(streamed, whole, atol=2e-4)  # 24-bit quantisation + block effects
    voice, noise = sf.read(tmp_path / "v.wav", dtype="float32")[0], sf.read(tmp_path / "n.wav", dtype="float32")[0]
    highpassed = HighpassFilter(80)(decoded, rate).T
    np.testing.assert_allclose(voice + noise, highpassed, atol=1e-4)
    assert not list(tmp_path.glob("*.partial*"))
    umask = os.umask(0)
    os.umask(umask)
    for path in (out, tmp_path / "v.wav", tmp_path / "n.wav"):  # a new file's permissions, not mkstemp's 0600
        assert stat.S_IMODE(path.stat().st_mode) == 0o666 & ~umask


@pytest.mark.parametrize("suffix", ["flac", "mp3"])
def test_process_file_reads_other_formats(tmp_path, reducer, suffix):
    rate = 44100
    audio = tone_and_noise(2.0, rate, 1)
    src = tmp_path / f"in.{suffix}"
    if suffix == "mp3":
        with AudioFile(str(src), "w", rate, 1, quality="V2") as f:
            f.write(audio.T)
    else:
        sf.write(src, audio, rate, subtype="PCM_16")
    out = process_file(src, tmp_path / "out.wav", [reducer], progress=False)
    with AudioFile(str(src)) as f:
        frames = f.frames
    data, out_rate = sf.read(out)
    assert out_rate == rate and data.shape[0] == frames
    assert np.abs(data).max() > 0.05


def test_parse_chain_accepts_plugins_and_literals_only():
    chain = parse_chain("HighpassFilter(cutoff_frequency_hz=80); NoiseReducer(strength_db=12); Compressor()")
    assert [type(s).__name__ for s in chain.stages] == ["HighpassFilter", "NoiseReducer", "Compressor"]
    assert chain.stages[0].cutoff_frequency_hz == 80 and chain.stages[1].strength_db == 12
    for bad, message in [("__import__('os').system('true')", "not a plugin call"),
                         ("Compressor(threshold_db=os.getpid())", "literal"),
                         ("Frobnicate()", "unknown plugin"), ("Compressor(-20)", "keyword"),
                         ("Compressor(bogus=1)", "Compressor"), ("", "empty"), ("Compressor(", "cannot parse")]:
        with pytest.raises(ValueError, match=message):
            parse_chain(bad)


def test_cli_process_and_bad_chain(tmp_path):
    src = tmp_path / "in.wav"
    sf.write(src, tone_and_noise(1.0, 22050, 2), 22050)
    ok = subprocess.run([sys.executable, "-m", "nr_bridge.cli", "process", str(src), str(tmp_path / "o.flac"),
                         "--chain", "Gain(gain_db=-6); NoiseReducer()", "--voice", str(tmp_path / "v.wav")],
                        capture_output=True, text=True, timeout=300)
    assert ok.returncode == 0, ok.stderr
    assert sf.info(tmp_path / "o.flac").frames == 22050 and (tmp_path / "v.wav").exists()
    bad = subprocess.run([sys.executable, "-m", "nr_bridge.cli", "process", str(src), str(tmp_path / "x.wav"),
                          "--chain", "Reverb(room_size=__import__('os'))"], capture_output=True, text=True, timeout=300)
    assert bad.returncode == 2 and "literal" in bad.stderr and not (tmp_path / "x.wav").exists()
