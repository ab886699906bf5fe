"""Dynamic int8 quantization of an ONNX model's weight matrices, without onnxruntime's Python tools.

usage: /usr/bin/python3 training/quantize.py IN_ONNX OUT_ONNX
Every MatMul whose second input is a 2-D float initializer becomes the standard dynamic
quantization pattern (DynamicQuantizeLinear → MatMulInteger → Cast → Mul), which onnxruntime
fuses into one int8 kernel. Weights are quantized symmetrically per output column; activations
per tensor at run time. Embeddings and the small heads stay float32.
"""
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def quantize(model: onnx.ModelProto) -> onnx.ModelProto:
    graph = model.graph
    initializers = {init.name: init for init in graph.initializer}
    nodes = []
    for node in graph.node:
        weight = initializers.get(node.input[1]) if node.op_type == "MatMul" else None
        if weight is None or len(weight.dims) != 2:
            nodes.append(node)
            continue
        w = numpy_helper.to_array(weight).astype(np.float32)
        scale = np.maximum(np.abs(w).max(axis=0), 1e-8) / 127.0
        q = np.clip(np.round(w / scale), -127, 127).astype(np.int8)
        base = node.name.replace("/", "_").strip("_") or node.output[0]
        graph.initializer.extend([
            numpy_helper.from_array(q, f"{base}_wq"),
            numpy_helper.from_array(np.zeros(w.shape[1], np.int8), f"{base}_wzp"),
            numpy_helper.from_array(scale.astype(np.float32), f"{base}_wscale"),
        ])
        x = node.input[0]
        nodes += [
            helper.make_node("DynamicQuantizeLinear", [x], [f"{base}_xq", f"{base}_xscale", f"{base}_xzp"]),
            helper.make_node("MatMulInteger", [f"{base}_xq", f"{base}_wq", f"{base}_xzp", f"{base}_wzp"], [f"{base}_int"]),
            helper.make_node("Cast", [f"{base}_int"], [f"{base}_float"], to=TensorProto.FLOAT),
            helper.make_node("Mul", [f"{base}_xscale", f"{base}_wscale"], [f"{base}_scale"]),
            helper.make_node("Mul", [f"{base}_float", f"{base}_scale"], [node.output[0]]),
        ]
    del graph.node[:]
    graph.node.extend(nodes)
    used = {name for node in graph.node for name in node.input}
    kept = [init for init in graph.initializer if init.name in used]
    del graph.initializer[:]
    graph.initializer.extend(kept)
    onnx.checker.check_model(model)
    return model


if __name__ == "__main__":
    source, target = sys.argv[1:3]
    onnx.save(quantize(onnx.load(source)), target)
    print(f"quantized {source} -> {target}")
