import numpy as np

from nr_bridge.model.bands import hz_to_mel_slaney, mel_band_membership, mel_to_hz_slaney, slaney_mel_filterbank


def test_slaney_scale_is_linear_below_1khz_and_invertible():
    assert np.isclose(hz_to_mel_slaney(1000.0), 15.0)
    assert np.isclose(hz_to_mel_slaney(500.0), 7.5)
    freqs = np.array([0.0, 200.0, 999.0, 1000.0, 5000.0, 22050.0])
    assert np.allclose(mel_to_hz_slaney(hz_to_mel_slaney(freqs)), freqs)


def test_membership_covers_every_bin_with_overlapping_bands():
    membership = mel_band_membership(44100, 2048, 60)
    assert membership.shape == (60, 1025)
    assert membership[0, 0] and membership[-1, -1]
    coverage = membership.sum(axis=0)
    assert coverage.min() >= 1
    assert (coverage >= 2).mean() > 0.9  # mel triangles overlap their neighbours
    widths = membership.sum(axis=1)
    assert widths[0] < widths[-1]  # mel spacing: narrow low bands, wide high bands
    first_bins = [int(np.flatnonzero(row)[0]) for row in membership]
    assert first_bins == sorted(first_bins)


def test_filterbank_is_slaney_area_normalised():
    fb = slaney_mel_filterbank(44100, 2048, 60)
    assert fb.shape == (60, 1025) and (fb >= 0).all()
    assert np.all(fb.max(axis=1) > 0)
