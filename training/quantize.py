"""Dynamic int8 quantization of an ONNX model's weight matrices, without onnxruntime's Python tools.

usage: /usr/bin/python3 training/quantize.py IN_ONNX OUT_ONNX [--activations tensor|token]
Every MatMul whose second input is a 2-D float initializer becomes an integer MatMul. Weights are
quantized symmetrically per output column. Activations are quantized at run time:
- per tensor (the default, as served): the standard pattern DynamicQuantizeLinear → MatMulInteger →
  Cast → Mul, which onnxruntime fuses into one kernel. One range covers the whole batch, so a line's
  scores move with the other lines (and the padding) of its batch, by up to 0.1 (model card, "Speed");
- per token: each token's vector by its own largest absolute value, so a line reads the same alone
  or in any batch, at about 40 % more line-model time in batches of 8. Tried on round 11, not served.
Embeddings and the small heads stay float32.
"""
import argparse

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

from onnx_graph import replace_nodes

LEVELS = 127.0
# Per token, a token's values map to -127..127, stored as uint8 with zero point 128: onnxruntime's
# fast integer MatMul takes uint8 activations with int8 weights.
TOKEN_ZERO_POINT = 128


def per_tensor_matmul(base: str, x: str, output: str) -> tuple[list, list]:
    n = lambda suffix: f"{base}_{suffix}"  # noqa: E731
    nodes = [
        helper.make_node("DynamicQuantizeLinear", [x], [n("xq"), n("xscale"), n("xzp")]),
        helper.make_node("MatMulInteger", [n("xq"), n("wq"), n("xzp"), n("wzp")], [n("int")]),
        helper.make_node("Cast", [n("int")], [n("float")], to=TensorProto.FLOAT),
        helper.make_node("Mul", [n("xscale"), n("wscale")], [n("scale")]),
        helper.make_node("Mul", [n("float"), n("scale")], [output]),
    ]
    return nodes, []


def per_token_matmul(base: str, x: str, output: str) -> tuple[list, list]:
    n = lambda suffix: f"{base}_{suffix}"  # noqa: E731
    constants = [
        numpy_helper.from_array(np.array(1e-8, np.float32), n("tiny")),
        numpy_helper.from_array(np.array(LEVELS, np.float32), n("levels")),
        numpy_helper.from_array(np.array(TOKEN_ZERO_POINT + 0.5, np.float32), n("xoffset")),
        numpy_helper.from_array(np.array(TOKEN_ZERO_POINT, np.uint8), n("xzp")),
    ]
    nodes = [
        helper.make_node("Abs", [x], [n("xabs")]),
        helper.make_node("ReduceMax", [n("xabs")], [n("xmax")], axes=[-1], keepdims=1),
        helper.make_node("Max", [n("xmax"), n("tiny")], [n("xrange")]),
        helper.make_node("Div", [n("xrange"), n("levels")], [n("xscale")]),
        helper.make_node("Div", [n("levels"), n("xrange")], [n("xinverse")]),
        helper.make_node("Mul", [x, n("xinverse")], [n("xlevels")]),
        # Cast truncates: adding the zero point and a half rounds to the nearest level.
        helper.make_node("Add", [n("xlevels"), n("xoffset")], [n("xshifted")]),
        helper.make_node("Cast", [n("xshifted")], [n("xq")], to=TensorProto.UINT8),
        helper.make_node("MatMulInteger", [n("xq"), n("wq"), n("xzp"), n("wzp")], [n("int")]),
        helper.make_node("Cast", [n("int")], [n("float")], to=TensorProto.FLOAT),
        helper.make_node("Mul", [n("float"), n("xscale")], [n("xscaled")]),
        helper.make_node("Mul", [n("xscaled"), n("wscale")], [output]),
    ]
    return nodes, constants


ACTIVATIONS = {"tensor": per_tensor_matmul, "token": per_token_matmul}


def quantize(model: onnx.ModelProto, activations: str = "tensor") -> onnx.ModelProto:
    graph = model.graph
    initializers = {init.name: init for init in graph.initializer}
    nodes = []
    for node in graph.node:
        weight = initializers.get(node.input[1]) if node.op_type == "MatMul" else None
        if weight is None or len(weight.dims) != 2:
            nodes.append(node)
            continue
        w = numpy_helper.to_array(weight).astype(np.float32)
        scale = np.maximum(np.abs(w).max(axis=0), 1e-8) / LEVELS
        q = np.clip(np.round(w / scale), -LEVELS, LEVELS).astype(np.int8)
        base = node.name.replace("/", "_").strip("_") or node.output[0]
        matmul_nodes, constants = ACTIVATIONS[activations](base, node.input[0], node.output[0])
        graph.initializer.extend([
            numpy_helper.from_array(q, f"{base}_wq"),
            numpy_helper.from_array(np.zeros(w.shape[1], np.int8), f"{base}_wzp"),
            numpy_helper.from_array(scale.astype(np.float32), f"{base}_wscale"),
            *constants,
        ])
        nodes += matmul_nodes
    return replace_nodes(model, nodes)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="int8 dynamic quantization of an ONNX model's weight matrices")
    parser.add_argument("source")
    parser.add_argument("target")
    parser.add_argument("--activations", choices=sorted(ACTIVATIONS), default="tensor")
    args = parser.parse_args()
    onnx.save(quantize(onnx.load(args.source), args.activations), args.target)
    print(f"quantized {args.source} -> {args.target} (activations per {args.activations})")
