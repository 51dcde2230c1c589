"""A BERT encoder's weights (Hugging Face names) in, one fused ONNX graph out, then int8 with dynamic activations.

Why build the graph here instead of exporting it from torch: a generic export spells each layer as ~60 small
operators (reshapes, transposes, an attention written out op by op), and at query size (a dozen tokens) their
overhead costs as much as the arithmetic. Written with ONNX Runtime's fused operators (EmbedLayerNormalization,
Attention, SkipLayerNormalization, BiasGelu), a layer is seven nodes. Quantizing the matrix products to int8
(weights per output channel, activations per call) halves the arithmetic again on a CPU without VNNI.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

MS = "com.microsoft"  # ONNX Runtime's contrib-operator domain
FLOAT_SUFFIX = "_down"  # nodes named so are left in float by quantize_int8 (see there)


@dataclass(frozen=True)
class BertShape:
    """The hyper-parameters the graph needs (Hugging Face config.json names)."""

    num_hidden_layers: int
    num_attention_heads: int
    hidden_size: int
    layer_norm_eps: float = 1e-12


@dataclass
class _Graph:
    """Nodes and initializers collected while the layers are written."""

    nodes: list[onnx.NodeProto] = field(default_factory=list)
    initializers: list[onnx.TensorProto] = field(default_factory=list)

    def weight(self, name: str, value: np.ndarray) -> str:
        self.initializers.append(numpy_helper.from_array(np.ascontiguousarray(value, dtype=np.float32), name))
        return name

    def op(self, op_type: str, inputs: list[str], output: str, **attrs: Any) -> str:
        domain = MS if op_type in _CONTRIB else None
        self.nodes.append(helper.make_node(op_type, inputs, [output], name=output, domain=domain, **attrs))
        return output


_CONTRIB = {"EmbedLayerNormalization", "Attention", "SkipLayerNormalization", "BiasGelu"}


def bert_graph(weights: Mapping[str, np.ndarray], shape: BertShape) -> onnx.ModelProto:
    """Inputs `input_ids`, `attention_mask` (batch, seq) int64; output `last_hidden_state` (batch, seq, hidden).

    Token types are taken as all zero (single-segment sentence encoding), so type embedding 0 is folded into the
    position table. Padding must be on the right (the attention mask is honoured per token).
    """
    g = _Graph()
    eps = shape.layer_norm_eps
    positions = weights["embeddings.position_embeddings.weight"] + weights["embeddings.token_type_embeddings.weight"][0]
    g.op("Cast", ["input_ids"], "ids32", to=TensorProto.INT32)
    g.op("Cast", ["attention_mask"], "mask32", to=TensorProto.INT32)
    embed_inputs = [
        "ids32",
        "",  # no segment ids: folded above
        g.weight("word_embeddings", weights["embeddings.word_embeddings.weight"]),
        g.weight("position_embeddings", positions),
        "",
        g.weight("embeddings_ln_gamma", weights["embeddings.LayerNorm.weight"]),
        g.weight("embeddings_ln_beta", weights["embeddings.LayerNorm.bias"]),
        "mask32",
    ]
    g.nodes.append(
        helper.make_node(
            "EmbedLayerNormalization", embed_inputs, ["h0", "mask_index"], name="embeddings", domain=MS, epsilon=eps
        )
    )
    hidden = "h0"
    for i in range(shape.num_hidden_layers):
        last = i == shape.num_hidden_layers - 1
        hidden = _layer(g, weights, f"encoder.layer.{i}.", f"l{i}", hidden, shape, "last_hidden_state" if last else "")
    graph = helper.make_graph(
        g.nodes,
        "bert_encoder",
        [
            helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["batch", "seq"]),
            helper.make_tensor_value_info("attention_mask", TensorProto.INT64, ["batch", "seq"]),
        ],
        [helper.make_tensor_value_info("last_hidden_state", TensorProto.FLOAT, ["batch", "seq", shape.hidden_size])],
        g.initializers,
    )
    opsets = [helper.make_opsetid("", 17), helper.make_opsetid(MS, 1)]
    return helper.make_model(graph, opset_imports=opsets, producer_name="switchboard")


def _layer(g: _Graph, w: Mapping[str, np.ndarray], src: str, name: str, x: str, shape: BertShape, output: str) -> str:
    """Attention → output projection + residual LayerNorm → feed-forward with GELU → residual LayerNorm."""
    eps = shape.layer_norm_eps
    qkv = ("query", "key", "value")
    # Hugging Face Linear weights are (out, in); ONNX MatMul wants (in, out).
    qkv_weight = np.concatenate([w[f"{src}attention.self.{p}.weight"].T for p in qkv], axis=1)
    qkv_bias = np.concatenate([w[f"{src}attention.self.{p}.bias"] for p in qkv])
    attended = g.op(
        "Attention",
        [x, g.weight(f"{name}_qkv_w", qkv_weight), g.weight(f"{name}_qkv_b", qkv_bias), "mask32"],
        f"{name}_attention",
        num_heads=shape.num_attention_heads,
    )
    projected = g.op("MatMul", [attended, g.weight(f"{name}_ao_w", w[f"{src}attention.output.dense.weight"].T)],
                     f"{name}_attention_out")  # fmt: skip
    x1 = g.op(
        "SkipLayerNormalization",
        [
            projected,
            x,
            g.weight(f"{name}_ln1_gamma", w[f"{src}attention.output.LayerNorm.weight"]),
            g.weight(f"{name}_ln1_beta", w[f"{src}attention.output.LayerNorm.bias"]),
            g.weight(f"{name}_ao_b", w[f"{src}attention.output.dense.bias"]),
        ],
        f"{name}_x1",
        epsilon=eps,
    )
    up = g.op("MatMul", [x1, g.weight(f"{name}_up_w", w[f"{src}intermediate.dense.weight"].T)], f"{name}_up")
    act = g.op("BiasGelu", [up, g.weight(f"{name}_up_b", w[f"{src}intermediate.dense.bias"])], f"{name}_gelu")
    down = g.op("MatMul", [act, g.weight(f"{name}_down_w", w[f"{src}output.dense.weight"].T)], f"{name}{FLOAT_SUFFIX}")
    return g.op(
        "SkipLayerNormalization",
        [
            down,
            x1,
            g.weight(f"{name}_ln2_gamma", w[f"{src}output.LayerNorm.weight"]),
            g.weight(f"{name}_ln2_beta", w[f"{src}output.LayerNorm.bias"]),
            g.weight(f"{name}_down_b", w[f"{src}output.dense.bias"]),
        ],
        output or f"{name}_x2",
        epsilon=eps,
    )


def quantize_int8(model: onnx.ModelProto, out: Path) -> None:
    """Attention and the matrix products to int8: weights per output channel, activations quantized per call.

    The feed-forward down-projection stays float: its input, the GELU output, carries BERT's outlier activations,
    and one int8 range over them costs the small values their precision (Bondarenko et al., 2021). Measured on
    199 BANKING77 and SST-2 texts against the float graph, cosine of the sentence vectors: 0.996 mean, 0.988 worst
    (all products int8: 0.992 and 0.974, which cost StackFAQ hybrid recall@1 0.965 → 0.952; as built: 0.965).
    reduce_range keeps weights to 7 bits: without VNNI, x86 multiplies u8×s8 pairs into saturating int16 sums.
    Deterministic: the same weights always give the same bytes.
    """
    from onnxruntime.quantization import QuantType, quantize_dynamic  # imports onnx tooling: only when building

    root = logging.getLogger()
    level = root.level
    root.setLevel(logging.ERROR)  # the quantizer logs a generic "consider pre-processing" hint on the root logger
    try:
        quantize_dynamic(
            model,
            out,
            op_types_to_quantize=["MatMul", "Attention"],
            nodes_to_exclude=[node.name for node in model.graph.node if node.name.endswith(FLOAT_SUFFIX)],
            per_channel=True,
            reduce_range=True,
            weight_type=QuantType.QInt8,
            # The contrib operators defeat ONNX shape inference, so the quantizer is told the tensors are float.
            extra_options={"DefaultTensorType": TensorProto.FLOAT},
        )
    finally:
        root.setLevel(level)
