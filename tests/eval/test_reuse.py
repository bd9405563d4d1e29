"""Reusing an earlier evaluation's rows only when it scored exactly the same clips."""
from __future__ import annotations

import json
import shutil

import pytest

from nr_bridge.eval import metrics
from nr_bridge.eval.run import reused_rows, validation_set

from ..data.test_build import small_data  # noqa: F401  (module fixture)

pytestmark = pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="needs espeak-ng")


def test_rows_are_reused_only_for_the_same_clips(small_data, tmp_path):  # noqa: F811
    clips = validation_set(small_data, per_cell=1, clean_clips=1)
    rows = [{"system": "noisy input", "clip": i, "si_sdr": metrics.si_sdr(c["mixture"], c["voice"])}
            for i, c in enumerate(clips)]
    rows += [{"system": "peer", "clip": i, "si_sdr": 0.0} for i in range(len(clips))]
    rows += [{"system": "ours", "clip": i, "si_sdr": 1.0} for i in range(len(clips))]
    previous = tmp_path / "eval.json"
    previous.write_text(json.dumps({"rows": rows, "rtf_including_metrics": {"peer": 0.1, "ours": 0.2}}))
    kept, timing = reused_rows(previous, clips, skip={"ours"})
    assert {r["system"] for r in kept} == {"noisy input", "peer"}
    assert timing == {"peer": 0.1}
    rows[3]["si_sdr"] += 0.01  # one clip differs: nothing may be reused
    previous.write_text(json.dumps({"rows": rows, "rtf_including_metrics": {}}))
    with pytest.raises(ValueError, match="other clips"):
        reused_rows(previous, clips, skip=set())
