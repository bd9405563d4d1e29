"""The data builder on real registry packages (--small: three small Debian packages + espeak-ng)."""
from __future__ import annotations

import shutil
from collections import defaultdict
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from nr_bridge.data.build import build, read_manifest
from nr_bridge.data.convert import fold_bandwidth
from nr_bridge.data.mixing import MixConfig, Mixer

pytestmark = pytest.mark.skipif(shutil.which("apt-get") is None or shutil.which("espeak-ng") is None,
                                reason="needs apt-get and espeak-ng")


@pytest.fixture(scope="module")
def small_data(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("data")
    build(root, small=True)
    return root


def test_manifest_records_sources_licences_and_disjoint_splits(small_data):
    records = read_manifest(small_data)
    assert {r["kind"] for r in records} == {"speech", "noise", "music"}
    for record in records:
        assert record["licence"] and record["version"] and record["duration_s"] > 0
        info = sf.info(small_data / record["file"])
        assert info.samplerate == 44100 and info.subtype == "PCM_16"
    groups = defaultdict(set)
    for record in records:
        groups[(record["kind"], record["family"], record["group"])].add(record["split"])
    assert all(len(splits) == 1 for splits in groups.values())  # no speaker/noise file in both splits
    assert {r["split"] for r in records if r["kind"] == "speech"} == {"train", "validation"}
    assert (small_data / "licences" / "bucklespring-data.copyright").exists()


def test_build_is_idempotent(small_data):
    files = sorted((small_data / "audio").rglob("*.flac"))
    stamps = [f.stat().st_mtime_ns for f in files]
    build(small_data, small=True)
    assert [f.stat().st_mtime_ns for f in sorted((small_data / "audio").rglob("*.flac"))] == stamps


def test_mixer_examples(small_data):
    mixer = Mixer(small_data, "train", "noise", MixConfig(segment_samples=44100, clean_fraction=0.0, reverb_fraction=0.0))
    rng = np.random.default_rng(0)
    mixture, voice = mixer.batch(rng, 6)
    assert mixture.shape == voice.shape == (6, 2, 44100)
    assert np.isfinite(mixture).all() and np.abs(mixture).max() <= 1.0
    snrs = [10 * np.log10((v**2).mean() / ((m - v) ** 2).mean()) for m, v in zip(mixture, voice)]
    assert all(-5.5 <= s <= 25.5 for s in snrs)
    clean = Mixer(small_data, "train", "noise", MixConfig(segment_samples=22050, clean_fraction=1.0))
    m, v = clean.example(rng)
    np.testing.assert_array_equal(m, v)  # clean-only examples: the model must leave clean speech alone


def test_bandwidth_folding_adds_quiet_content_above_11khz():
    rate = 22050
    t = np.arange(rate) / rate
    speech_like = (np.sin(2 * np.pi * 3000 * t) * (1 + np.sin(2 * np.pi * 4 * t))).astype(np.float32)
    folded = fold_bandwidth(speech_like, rate)
    spectrum = np.abs(np.fft.rfft(folded))
    freqs = np.fft.rfftfreq(folded.size, 1 / 44100)
    low = spectrum[(freqs > 2500) & (freqs < 3500)].max()
    high = spectrum[(freqs > 18500) & (freqs < 19500)].max()  # the image of 3 kHz
    assert 10 ** (-40 / 20) < high / low < 10 ** (-20 / 20)
