"""Undo the weight quantization of models quantized before activations were quantized per token.

usage: /usr/bin/python3 training/dequantize.py IN_ONNX OUT_ONNX
Each DynamicQuantizeLinear → MatMulInteger → Cast → Mul → Mul run (quantize.py until the tenth
session) becomes a float MatMul again, its weight the int8 weight times its per-column scale.
quantize.py scales each column by its largest absolute value, so quantizing the result again gives
back the same int8 weights: round 11's served model, whose float export was not kept, was
re-quantized per token this way (model card, "Speed").
"""
import sys

import numpy as np
import onnx
from onnx import helper, numpy_helper

from onnx_graph import replace_nodes
from quantize import per_tensor_matmul

# The op types quantize.py writes for one MatMul with activations per tensor.
PATTERN = tuple(node.op_type for node in per_tensor_matmul("m", "x", "y")[0])


def dequantize(model: onnx.ModelProto) -> onnx.ModelProto:
    graph = model.graph
    initializers = {init.name: numpy_helper.to_array(init) for init in graph.initializer}
    nodes = list(graph.node)
    out = []
    i = 0
    while i < len(nodes):
        window = nodes[i : i + len(PATTERN)]
        if tuple(node.op_type for node in window) != PATTERN:
            out.append(nodes[i])
            i += 1
            continue
        quantize_x, matmul, _, scales, output = window
        weight = initializers[matmul.input[1]].astype(np.float32) * initializers[scales.input[1]]
        # quantize.py named the weights after the MatMul node: the same name gives the same names back.
        base = matmul.input[1].removesuffix("_wq")
        graph.initializer.append(numpy_helper.from_array(weight, f"{base}_weight"))
        out.append(helper.make_node("MatMul", [quantize_x.input[0], f"{base}_weight"], [output.output[0]], name=base))
        i += len(PATTERN)
    return replace_nodes(model, out)


if __name__ == "__main__":
    source, target = sys.argv[1:3]
    onnx.save(dequantize(onnx.load(source)), target)
    print(f"dequantized {source} -> {target}")
