"""``nr-bridge denoise`` and ``info`` on real files, bad files included."""
from __future__ import annotations

import hashlib
import stat
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from .conftest import tone_and_noise


def cli(*args, cwd=None, umask=-1) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "nr_bridge.cli", *map(str, args)], capture_output=True, text=True,
                          timeout=600, cwd=cwd, umask=umask)


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize("rate,channels,subtype,fmt,expected_subtype", [
    (44100, 2, "PCM_16", "wav", "PCM_16"), (48000, 1, "PCM_24", "flac", "PCM_24"),
    (8000, 1, "PCM_16", "wav", "PCM_16"), (192000, 2, "FLOAT", "wav", "FLOAT"), (22050, 8, "PCM_24", "wav", "PCM_24"),
    (44100, 2, "FLOAT", "flac", "PCM_24"),
])
def test_denoise_keeps_rate_channels_and_bit_depth(tmp_path, rate, channels, subtype, fmt, expected_subtype):
    src = tmp_path / "in.wav"
    audio = tone_and_noise(1.5, rate, channels)
    sf.write(src, audio, rate, subtype=subtype)
    before = digest(src)
    result = cli("denoise", src, "--stems", "voice,noise", "--format", fmt, "-o", tmp_path / "out", "--precision", "fp32")
    assert result.returncode == 0, result.stderr
    voice, noise = tmp_path / "out" / f"in.voice.{fmt}", tmp_path / "out" / f"in.noise.{fmt}"
    for path in (voice, noise):
        info = sf.info(path)
        assert (info.samplerate, info.channels, info.frames, info.subtype) == (rate, channels, audio.shape[0],
                                                                              expected_subtype)
    original = sf.read(src, dtype="float64")[0].reshape(-1, channels)
    total = sf.read(voice, dtype="float64")[0].reshape(-1, channels) + sf.read(noise, dtype="float64")[0].reshape(-1, channels)
    step = 2 ** -23 if expected_subtype == "PCM_24" else (2 ** -15 if expected_subtype == "PCM_16" else 1e-6)
    assert np.abs(total - original).max() <= 2 * step
    assert digest(src) == before
    assert not list((tmp_path / "out").glob(".*partial*"))


@pytest.mark.parametrize("umask", [0o022, 0o077])
def test_stems_get_the_permissions_of_any_new_file(tmp_path, umask):
    src = tmp_path / "in.wav"
    sf.write(src, tone_and_noise(0.5, 44100, 1), 44100)
    result = cli("denoise", src, "--stems", "voice,noise", "-o", tmp_path / "out", umask=umask)
    assert result.returncode == 0, result.stderr
    for stem in ("voice", "noise"):  # what the umask allows, not a temp file's 0600
        assert stat.S_IMODE((tmp_path / "out" / f"in.{stem}.wav").stat().st_mode) == 0o666 & ~umask


def test_folder_input_and_per_file_failures(tmp_path):
    folder = tmp_path / "takes"
    folder.mkdir()
    sf.write(folder / "good.wav", tone_and_noise(1.0, 44100, 1), 44100)
    (folder / "empty.wav").write_bytes(b"")
    (folder / "corrupt.wav").write_bytes(b"RIFF\x00\x00\x00\x00WAVEfmt garbage that is not audio")
    sf.write(folder / "zero.wav", np.zeros((0, 2)), 44100)
    nan = tone_and_noise(1.0, 44100, 1)
    nan[100] = np.nan
    sf.write(folder / "nan.wav", nan, 44100, subtype="FLOAT")
    result = cli("denoise", folder, "--precision", "fp32")
    assert result.returncode == 1
    assert (folder / "good.voice.wav").exists()
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 4
    assert any("empty.wav: file is empty" in e for e in errors)
    assert any("corrupt.wav: not a readable audio file" in e for e in errors)
    assert any("zero.wav: holds no audio" in e for e in errors)
    assert any("NaN or infinite" in e and "sample 100" in e for e in errors)
    assert not (folder / "nan.voice.wav").exists() and not list(folder.glob(".*partial*"))


def test_one_sample_and_silent_files(tmp_path):
    sf.write(tmp_path / "one.wav", np.array([[0.25, -0.25]]), 44100, subtype="FLOAT")
    sf.write(tmp_path / "quiet.wav", np.zeros((44100, 1)), 44100, subtype="PCM_16")
    result = cli("denoise", tmp_path / "one.wav", tmp_path / "quiet.wav", "--stems", "voice,noise")
    assert result.returncode == 0, result.stderr
    one_voice, one_noise = sf.read(tmp_path / "one.voice.wav")[0], sf.read(tmp_path / "one.noise.wav")[0]
    assert one_voice.shape == (1, 2) and np.allclose(one_voice + one_noise, [[0.25, -0.25]])
    quiet = sf.read(tmp_path / "quiet.voice.wav")[0]
    assert quiet.shape == (44100,) and np.all(quiet == 0)


def test_never_overwrites_an_input(tmp_path):
    src = tmp_path / "a.voice.wav"  # a file named like an output of "a.voice"
    sf.write(src, tone_and_noise(0.5, 16000, 1), 16000)
    other = tmp_path / "a.wav"
    sf.write(other, tone_and_noise(0.5, 16000, 1), 16000)
    before = digest(src)
    result = cli("denoise", other, src, "--precision", "fp32")
    assert result.returncode == 1 and "would overwrite an input" in result.stderr
    assert digest(src) == before


def test_section_and_exact_output(tmp_path):
    src = tmp_path / "long.wav"
    sf.write(src, tone_and_noise(3.0, 32000, 2), 32000)
    out = tmp_path / "cut.wav"
    result = cli("denoise", src, "--start", "0.5", "--end", "1.75", "--output", out, "--precision", "fp32")
    assert result.returncode == 0, result.stderr
    assert sf.info(out).frames == int(1.25 * 32000)
    beyond = cli("denoise", src, "--start", "5", "--output", tmp_path / "x.wav")
    assert beyond.returncode == 1 and "outside the file" in beyond.stderr


def test_usage_errors_exit_2(tmp_path):
    assert cli("denoise").returncode == 2
    assert cli("denoise", tmp_path, "--stems", "music").returncode == 2
    assert cli("denoise", tmp_path, "--strength", "-3").returncode == 2
    empty_folder = cli("denoise", tmp_path)
    assert empty_folder.returncode == 2 and "no audio files" in empty_folder.stderr


def test_strength_zero_returns_the_input(tmp_path):
    src = tmp_path / "in.wav"
    sf.write(src, tone_and_noise(1.0, 44100, 2), 44100, subtype="PCM_16")
    assert cli("denoise", src, "--strength", "0").returncode == 0
    np.testing.assert_array_equal(sf.read(tmp_path / "in.voice.wav", dtype="int16")[0],
                                  sf.read(src, dtype="int16")[0])


def test_info_shows_model_and_manifest():
    result = cli("info")
    assert result.returncode == 0
    assert "Mel-Band RoFormer" in result.stdout and "parameters:" in result.stdout
    assert '"num_bands": 60' in result.stdout and "training data:" in result.stdout
