"""`python -m libs.embeddings`: build the encoder's ONNX file into the model cache now (install time, image build)."""

from __future__ import annotations

import sys

from libs.embeddings.model_file import encoder_model


def main() -> int:
    path = encoder_model()
    print(f"encoder model: {path} ({path.stat().st_size / 1e6:.1f} MB)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
