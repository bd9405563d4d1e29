"""Regenerate nr_bridge/v1/*_pb2*.py from protos/ (grpcio-tools). Never edit the output by hand."""
from __future__ import annotations

import sys
from pathlib import Path

from grpc_tools import protoc

ROOT = Path(__file__).resolve().parent.parent


def generate(out_dir: Path) -> None:
    proto = "nr_bridge/v1/denoiser.proto"
    code = protoc.main(["protoc", f"-I{ROOT / 'protos'}", f"--python_out={out_dir}", f"--pyi_out={out_dir}",
                        f"--grpc_python_out={out_dir}", proto])
    if code:
        raise SystemExit(f"protoc failed with {code}")


if __name__ == "__main__":
    generate(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT)
