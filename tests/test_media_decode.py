"""Audio of video containers (MP4/AAC, MOV/PCM) through FFmpeg, behind audio_io's probe/read_blocks."""
from __future__ import annotations

import numpy as np
import pytest
import soundfile as sf

from nr_bridge.audio_io import AudioFileError, probe, read_blocks
from tests.conftest import tone_and_noise, write_media


def snr_db(reference: np.ndarray, estimate: np.ndarray) -> float:
    return float(10 * np.log10(np.sum(reference**2) / np.sum((reference - estimate) ** 2)))


def test_mov_pcm_reads_exactly_and_sections_match(tmp_path):
    audio = tone_and_noise(3.0, 48000, 2)
    path = write_media(tmp_path / "take.mov", audio, 48000, "pcm_s16le", video=True)
    info = probe(path)
    assert (info.sample_rate, info.channels, info.frames) == (48000, 2, 144000)
    whole = np.concatenate(list(read_blocks(path, 10000)))
    expected = np.round(np.clip(audio, -1, 32767 / 32768) * 32768) / 32768
    assert whole.shape == audio.shape
    assert np.abs(whole - expected).max() < 1e-6
    section = np.concatenate(list(read_blocks(path, 10000, 50000, 100001)))
    assert np.array_equal(section, whole[50000:100001])
    assert all(len(b) == 10000 for b in list(read_blocks(path, 10000))[:-1])


def test_mp4_aac_decodes_aligned_and_sections_agree(tmp_path):
    audio = tone_and_noise(4.0, 44100, 1)
    path = write_media(tmp_path / "clip.mp4", audio, 44100, "aac", video=True)
    info = probe(path)
    assert (info.sample_rate, info.channels) == (44100, 1)
    assert abs(info.frames - audio.shape[0]) <= 1024
    whole = np.concatenate(list(read_blocks(path)))
    def snr_at(lag: int) -> float:
        return snr_db(audio[10000:150000, 0], whole[10000 + lag:150000 + lag, 0])

    # Aligned to the sample (the codec's priming delay is removed): best match at lag 0.
    assert snr_at(0) > 12
    assert snr_at(0) > max(snr_at(-1), snr_at(1), snr_at(-1024), snr_at(1024)) + 2
    section = np.concatenate(list(read_blocks(path, start=60000, stop=120000)))
    assert section.shape == (60000, 1)
    # Same samples, bar AAC's perceptual noise substitution (the decoder draws random noise for noisy
    # bands, so two decodes of the noise floor differ); shifted by one sample they would match far worse.
    assert snr_db(whole[60000:120000, 0], section[:, 0]) > 18
    assert snr_db(whole[60001:120001, 0], section[:, 0]) < 15


def test_video_only_and_garbage_are_clear_errors(tmp_path):
    silent_film = write_media(tmp_path / "title.mp4", None, 48000, "aac", video=True)
    with pytest.raises(AudioFileError, match="no audio stream"):
        probe(silent_film)
    junk = tmp_path / "junk.mov"
    junk.write_bytes(b"\x00\x01garbage" * 100)
    with pytest.raises(AudioFileError, match="not a readable audio file"):
        probe(junk)


def test_cli_denoises_the_audio_of_a_video(tmp_path):
    from click.testing import CliRunner

    from nr_bridge.cli import main

    audio = tone_and_noise(2.0, 48000, 2)
    video = write_media(tmp_path / "interview.mov", audio, 48000, "pcm_s16le", video=True)
    before = video.read_bytes()
    result = CliRunner().invoke(main, ["denoise", str(video), "--stems", "voice,noise", "-o", str(tmp_path / "out"),
                                       "--precision", "fp32"])
    assert result.exit_code == 0, result.output
    voice, rate = sf.read(tmp_path / "out" / "interview.voice.wav")
    noise, _ = sf.read(tmp_path / "out" / "interview.noise.wav")
    assert rate == 48000 and voice.shape == audio.shape
    decoded = np.concatenate(list(read_blocks(video)))
    assert np.abs(voice + noise - decoded).max() < 1e-4
    assert video.read_bytes() == before
