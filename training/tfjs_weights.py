"""Read a TensorFlow.js graph model's weights (model.json + binary shards) into numpy arrays."""
import json
from pathlib import Path

import numpy as np

_DTYPES = {"float32": np.float32, "int32": np.int32}


def load_tfjs_weights(model_dir: Path) -> dict[str, np.ndarray]:
    manifest = json.loads((model_dir / "model.json").read_text())["weightsManifest"]
    weights: dict[str, np.ndarray] = {}
    for group in manifest:
        buffer = b"".join((model_dir / path).read_bytes() for path in group["paths"])
        offset = 0
        for spec in group["weights"]:
            if "quantization" in spec:
                raise ValueError(f"quantized weight {spec['name']} is not supported")
            dtype = _DTYPES[spec["dtype"]]
            count = int(np.prod(spec["shape"], dtype=np.int64))
            array = np.frombuffer(buffer, dtype=dtype, count=count, offset=offset)
            weights[spec["name"]] = array.reshape(spec["shape"]).copy()
            offset += count * np.dtype(dtype).itemsize
        if offset != len(buffer):
            raise ValueError(f"weights group read {offset} of {len(buffer)} bytes")
    return weights
