"""The Markdown report: per-SNR tables from the rows, and the clean targets' own DNSMOS as context."""
from __future__ import annotations

from nr_bridge.eval.run import SNRS, render_report


def test_report_tables_are_means_of_the_rows():
    clips = [{"family": "fan", "snr": s} for s in SNRS for _ in range(2)] + [{"family": "clean", "snr": None}]
    rows = []
    for system, offset in (("ours", 1.0), ("peer", 0.0)):
        for i, clip in enumerate(clips):
            value = offset + i  # differs per clip, so a wrong grouping shows
            rows.append({"system": system, "clip": i, "family": clip["family"], "snr": clip["snr"], "seconds": 0.4,
                         "si_sdri": value, "pesq_wb": value, "stoi": value, "dnsmos_ovrl": value,
                         "dnsmos_sig": value, "dnsmos_bak": value, "clean_change_db": -50.0})
    report = render_report(rows, ["ours", "peer"], clips, {"ovrl": 2.5, "sig": 3.0, "bak": 3.25})
    section = report.split("## DNSMOS BAK (background noise) per SNR")[1].split("##")[0]
    # clips 2k and 2k+1 have SNR SNRS[k]: ours' BAK mean is 1 + 2k + 0.5
    assert "| ours | " + " | ".join(f"{1 + 2 * k + 0.5:.2f}" for k in range(len(SNRS))) + " |" in section
    assert "| peer | " + " | ".join(f"{2 * k + 0.5:.2f}" for k in range(len(SNRS))) + " |" in section
    assert "targets themselves score DNSMOS OVRL 2.50 / SIG 3.00 / BAK 3.25" in report
    assert "| ours | -50.0 |" in report  # the clean clip's change, not mixed into the noisy tables
