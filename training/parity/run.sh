#!/usr/bin/env bash
# Encoder parity: the PyTorch port against the published TensorFlow.js model.
# usage: training/parity/run.sh DATA_DIR   (needs Debian's python3-torch; see training/README.md)
set -euo pipefail
data=${1:?usage: training/parity/run.sh DATA_DIR}
cd "$(dirname "$0")/../.."
out=training/out/parity
mkdir -p "$out"
/usr/bin/python3 training/parity/sample_sentences.py "$data" "$out/sentences.txt"
npx tsx training/parity/reference-embeddings.ts "$out/sentences.txt" "$out/reference.jsonl"
/usr/bin/python3 training/check_parity.py "$out/reference.jsonl"
