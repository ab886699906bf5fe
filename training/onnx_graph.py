"""Shared by quantize.py and dequantize.py: swap a graph's nodes and drop the initializers left unused."""
import onnx


def replace_nodes(model: onnx.ModelProto, nodes: list) -> onnx.ModelProto:
    graph = model.graph
    del graph.node[:]
    graph.node.extend(nodes)
    used = {name for node in graph.node for name in node.input}
    kept = [init for init in graph.initializer if init.name in used]
    del graph.initializer[:]
    graph.initializer.extend(kept)
    onnx.checker.check_model(model)
    return model
