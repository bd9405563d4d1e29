"""Shipped model weights and the manifest of the data they were trained on."""
from __future__ import annotations

import json
from pathlib import Path

WEIGHTS_DIR = Path(__file__).parent


def data_manifest() -> dict:
    """The training data manifest shipped beside the weights (sources, versions, licences)."""
    path = WEIGHTS_DIR / "data_manifest.json"
    return json.loads(path.read_text()) if path.exists() else {"sources": []}
