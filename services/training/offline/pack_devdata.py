"""Packs what a GPU training machine needs into one small folder: the packaged MiniLM (weights as fp16) and the data.

Run: python -m services.training.offline.pack_devdata [--dest .devdata]; then carry the folder to the machine and
run `python -m services.training.offline.finetune --data DEST/data --base DEST/minilm`. fp16 halves the 87 MB of
weights; finetune loads them back as float32.
"""

from __future__ import annotations

import argparse
import json
import shutil
import struct
from pathlib import Path

import numpy as np

from services.training.offline import data
from services.training.offline.data import default_data_dir, packaged_base

_FILES = ("config.json", "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "vocab.txt")


def safetensors_to_fp16(src: Path, dst: Path) -> None:
    """Rewrites a safetensors file with every F32 tensor as F16 (the format is a JSON header plus raw bytes)."""
    raw = src.read_bytes()
    (size,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8 : 8 + size])
    body = raw[8 + size :]
    new_header: dict[str, object] = {"__metadata__": header.pop("__metadata__", {"format": "pt"})}
    chunks, offset = [], 0
    for name, info in header.items():
        start, end = info["data_offsets"]
        blob = body[start:end]
        if info["dtype"] == "F32":
            blob = np.frombuffer(blob, dtype="<f4").astype("<f2").tobytes()
            info = {**info, "dtype": "F16"}
        chunks.append(blob)
        new_header[name] = {**info, "data_offsets": [offset, offset + len(blob)]}
        offset += len(blob)
    encoded = json.dumps(new_header).encode()
    encoded += b" " * (-len(encoded) % 8)
    dst.write_bytes(struct.pack("<Q", len(encoded)) + encoded + b"".join(chunks))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--dest", type=Path, default=Path(".devdata"))
    parser.add_argument("--data", type=Path, default=default_data_dir())
    args = parser.parse_args(argv)
    base, model_dir = packaged_base(), args.dest / "minilm"
    model_dir.mkdir(parents=True, exist_ok=True)
    for name in _FILES:
        shutil.copy(base / name, model_dir / name)
    safetensors_to_fp16(base / "model.safetensors", model_dir / "model.safetensors")
    for folder, names in (
        ("tweeteval_sentiment", ("train_text.txt", "train_labels.txt", "val_text.txt", "val_labels.txt")),
        ("banking77", ("train.csv",)),
    ):
        (args.dest / "data" / folder).mkdir(parents=True, exist_ok=True)
        for name in names:
            shutil.copy(args.data / folder / name, args.dest / "data" / folder / name)
    data.load(args.dest / "data")  # fails loudly if anything is missing


if __name__ == "__main__":
    main()
