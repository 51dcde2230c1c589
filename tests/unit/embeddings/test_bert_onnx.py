"""The hand-written fused BERT graph computes what BERT computes; the cached int8 file is built once, close to it."""

from __future__ import annotations

import json
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import onnxruntime as ort
import pytest
from safetensors.numpy import load_file
from scipy.special import erf
from tokenizers import Tokenizer

from libs.embeddings.bert_onnx import BertShape, bert_graph
from libs.embeddings.model_file import RECIPE, cached_model, encoder_model, packaged_model_dir

TEXTS = ["When will my refund arrive?", "Reset the password from the login page, then sign in again."]
Weights = dict[str, np.ndarray]


@pytest.fixture(scope="module")
def weights() -> Weights:
    return load_file(packaged_model_dir() / "model.safetensors")


@pytest.fixture(scope="module")
def shape() -> BertShape:
    config = json.loads((packaged_model_dir() / "config.json").read_text())
    return BertShape(config["num_hidden_layers"], config["num_attention_heads"], config["hidden_size"])


@pytest.fixture(scope="module")
def float_session(weights: Weights, shape: BertShape) -> ort.InferenceSession:
    model = bert_graph(weights, shape).SerializeToString()
    return ort.InferenceSession(model, providers=["CPUExecutionProvider"])


def token_ids(text: str) -> list[int]:
    tokenizer = Tokenizer.from_file(str(packaged_model_dir() / "tokenizer.json"))
    tokenizer.no_padding()  # the file pads to 128 by default
    return tokenizer.encode(text).ids


def run(session: ort.InferenceSession, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
    return np.asarray(session.run(["last_hidden_state"], {"input_ids": ids, "attention_mask": mask})[0])


def layer_norm(x: np.ndarray, gamma: np.ndarray, beta: np.ndarray) -> np.ndarray:
    mean = x.mean(-1, keepdims=True)
    return (x - mean) / np.sqrt(x.var(-1, keepdims=True) + 1e-12) * gamma + beta


def reference_bert(w: Weights, shape: BertShape, ids: list[int]) -> np.ndarray:
    """BERT's forward pass written plainly in float64 numpy, straight from the Hugging Face weight names."""
    w = {k: v.astype(np.float64) for k, v in w.items()}
    x = w["embeddings.word_embeddings.weight"][ids] + w["embeddings.position_embeddings.weight"][: len(ids)]
    x = layer_norm(x + w["embeddings.token_type_embeddings.weight"][0], *_ln(w, "embeddings."))
    heads, width = shape.num_attention_heads, shape.hidden_size // shape.num_attention_heads
    for i in range(shape.num_hidden_layers):
        p = f"encoder.layer.{i}."
        q, k, v = (
            (_linear(w, f"{p}attention.self.{n}", x)).reshape(len(ids), heads, width).transpose(1, 0, 2)
            for n in ("query", "key", "value")
        )
        scores = q @ k.transpose(0, 2, 1) / np.sqrt(width)
        probs = np.exp(scores - scores.max(-1, keepdims=True))
        attended = (probs / probs.sum(-1, keepdims=True) @ v).transpose(1, 0, 2).reshape(len(ids), -1)
        x = layer_norm(x + _linear(w, f"{p}attention.output.dense", attended), *_ln(w, f"{p}attention.output."))
        up = _linear(w, f"{p}intermediate.dense", x)
        gelu = 0.5 * up * (1 + erf(up / np.sqrt(2)))
        x = layer_norm(x + _linear(w, f"{p}output.dense", gelu), *_ln(w, f"{p}output."))
    return x


def _linear(w: Weights, name: str, x: np.ndarray) -> np.ndarray:
    return x @ w[f"{name}.weight"].T + w[f"{name}.bias"]


def _ln(w: Weights, prefix: str) -> tuple[np.ndarray, np.ndarray]:
    return w[f"{prefix}LayerNorm.weight"], w[f"{prefix}LayerNorm.bias"]


def test_the_float_graph_matches_a_plain_bert_forward_pass(
    weights: Weights, shape: BertShape, float_session: ort.InferenceSession
) -> None:
    for text in TEXTS:
        ids = token_ids(text)
        row = np.array([ids], dtype=np.int64)
        got = run(float_session, row, np.ones_like(row))[0]
        np.testing.assert_allclose(got, reference_bert(weights, shape, ids), atol=2e-4)


def test_the_float_graph_ignores_right_padding(float_session: ort.InferenceSession) -> None:
    short, long = token_ids(TEXTS[0]), token_ids(TEXTS[1])
    ids = np.zeros((2, len(long)), dtype=np.int64)
    mask = np.zeros_like(ids)
    ids[0, : len(short)], mask[0, : len(short)] = short, 1
    ids[1], mask[1] = long, 1
    padded = run(float_session, ids, mask)[0, : len(short)]
    alone = run(float_session, ids[:1, : len(short)], mask[:1, : len(short)])[0]
    np.testing.assert_allclose(padded, alone, atol=1e-4)


def test_the_int8_file_is_built_once_and_stays_close_to_the_float_graph(
    tmp_path: Path, float_session: ort.InferenceSession
) -> None:
    path = encoder_model(cache=tmp_path)
    assert path.parent == tmp_path and RECIPE in path.name
    built_at = path.stat().st_mtime_ns
    assert encoder_model(cache=tmp_path) == path and path.stat().st_mtime_ns == built_at  # found, not rebuilt
    assert not list(tmp_path.glob("*.tmp"))
    int8 = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    for text in TEXTS:
        row = np.array([token_ids(text)], dtype=np.int64)
        a, b = run(int8, row, np.ones_like(row))[0].mean(0), run(float_session, row, np.ones_like(row))[0].mean(0)
        assert float(a @ b / np.linalg.norm(a) / np.linalg.norm(b)) > 0.98


def test_processes_starting_together_build_the_cached_file_once(tmp_path: Path) -> None:
    builds: list[Path] = []

    def slow_build(out: Path) -> None:
        builds.append(out)
        time.sleep(0.2)  # long enough for the other caller to arrive while the file is missing
        out.write_bytes(b"graph")

    with ThreadPoolExecutor(2) as pool:
        paths = list(pool.map(lambda _: cached_model("thing", "v1", slow_build, cache=tmp_path), range(2)))
    assert paths[0] == paths[1] == tmp_path / "thing-v1.onnx"
    assert len(builds) == 1 and paths[0].read_bytes() == b"graph"
    assert sorted(p.name for p in tmp_path.iterdir()) == [".build.lock", "thing-v1.onnx"]


def test_a_failed_build_leaves_nothing_behind(tmp_path: Path) -> None:
    def broken_build(out: Path) -> None:
        out.write_bytes(b"half")
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        cached_model("thing", "v1", broken_build, cache=tmp_path)
    assert [p.name for p in tmp_path.iterdir()] == [".build.lock"]
