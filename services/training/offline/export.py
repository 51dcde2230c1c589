"""Exports the fine-tuned two-head MiniLM to ONNX (token ids + attention mask in, both heads' logits out) and checks it.

Needs torch (a training machine). The check that matters: a padded batch must give each text the logits it gets
alone (fp32, before quantization), because the service pads its batches.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

PAD_TOLERANCE = 1e-3  # fp32 logits: padding must change nothing beyond float noise


class _Export(nn.Module):
    def __init__(self, model: nn.Module) -> None:
        super().__init__()
        self.model = model

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        return self.model(input_ids, attention_mask)


def trace(module: nn.Module, path: Path) -> None:
    ids = torch.ones((2, 16), dtype=torch.long)
    mask = torch.ones_like(ids)
    mask[1, 10:] = 0  # a padded row: with an all-ones mask the tracer may drop the attention masking altogether
    kwargs: dict[str, Any] = {
        "input_names": ["input_ids", "attention_mask"],
        "output_names": ["sentiment_logits", "intent_logits"],
        "dynamic_axes": {"input_ids": {0: "batch", 1: "seq"}, "attention_mask": {0: "batch", 1: "seq"}},
        "opset_version": 17,
    }
    try:
        torch.onnx.export(_Export(module), (ids, mask), str(path), dynamo=False, **kwargs)
    except TypeError:  # older torch has no `dynamo` switch and always uses the TorchScript exporter
        torch.onnx.export(_Export(module), (ids, mask), str(path), **kwargs)


def pad(rows: Sequence[Sequence[int]]) -> tuple[np.ndarray, np.ndarray]:
    width = max(len(r) for r in rows)
    ids = np.zeros((len(rows), width), dtype=np.int64)
    mask = np.zeros_like(ids)
    for i, row in enumerate(rows):
        ids[i, : len(row)], mask[i, : len(row)] = row, 1
    return ids, mask


def padding_gap(path: Path, rows: Sequence[Sequence[int]]) -> float:
    """Largest logit change between each text run alone and inside one padded batch (0 for a mask-honouring graph)."""
    import onnxruntime as ort

    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    ids, mask = pad(rows)
    batch = session.run(None, {"input_ids": ids, "attention_mask": mask})
    gap = 0.0
    for i, row in enumerate(rows):
        one = np.array([row], dtype=np.int64)
        alone = session.run(None, {"input_ids": one, "attention_mask": np.ones_like(one)})
        gap = max(gap, *(float(np.abs(a[0] - b[i]).max()) for a, b in zip(alone, batch, strict=True)))
    return gap


def export_onnx(model: nn.Module, path: Path, probe_rows: Sequence[Sequence[int]]) -> dict[str, Any]:
    """Exports to `path` and refuses a graph whose padded batch changes any text's logits (the service pads)."""
    trace(model.cpu().eval(), path)
    report: dict[str, Any] = {"exporter": "torch.onnx TorchScript trace", "padding_gap": padding_gap(path, probe_rows)}
    print("export:", report, flush=True)
    if report["padding_gap"] > PAD_TOLERANCE:
        raise RuntimeError(f"the exported graph does not honour the attention mask: {report}")
    return report
