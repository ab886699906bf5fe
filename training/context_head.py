"""The second stage: reads a final together with the call's previous finals, as line embeddings.

The encoder embeds every line once (as it does for a line read alone); serving caches the
embeddings of recent finals. This head takes the target line's embedding, the embeddings of up to
MAX_TURNS earlier turns and who said each, and returns the final four-way logits as the line head's
logits plus a correction learnt from the context. With no context the correction is learnt too, but
starts at zero, so the head begins as the line classifier.

Two kinds are trained and compared on dev (training/train.py keeps the better one):
  attention: the target attends over [context turns, itself];
  gru:       a GRU reads the turns oldest first, then the target.
"""
import copy
import math

import torch
from torch import nn

MAX_TURNS = 4
EMBEDDING = 512


class ContextHead(nn.Module):
    def __init__(self, line_head: nn.Linear, kind: str, width: int = 128, dropout: float = 0.1):
        super().__init__()
        if kind not in ("attention", "gru"):
            raise ValueError(f"unknown context head kind {kind}")
        self.kind = kind
        self.line_head = copy.deepcopy(line_head)
        for parameter in self.line_head.parameters():
            parameter.requires_grad_(False)
        self.project = nn.Linear(EMBEDDING, width)
        self.norm = nn.LayerNorm(width)
        self.speaker = nn.Embedding(2, width)
        # Position 0 is the target line, k is k turns before it.
        self.position = nn.Embedding(MAX_TURNS + 1, width)
        self.dropout = nn.Dropout(dropout)
        if kind == "attention":
            self.query = nn.Linear(width, width)
            self.key = nn.Linear(width, width)
            self.value = nn.Linear(width, width)
        else:
            self.cell = nn.GRUCell(width, width)
        self.correction = nn.Sequential(nn.Linear(3 * width, width), nn.ReLU(), nn.Linear(width, line_head.out_features))
        nn.init.zeros_(self.correction[-1].weight)
        nn.init.zeros_(self.correction[-1].bias)

    def turns(self, embeddings: torch.Tensor, agent: torch.Tensor, position: torch.Tensor) -> torch.Tensor:
        return self.dropout(self.norm(self.project(embeddings)) + self.speaker(agent.long()) + self.position(position))

    def forward(self, target: torch.Tensor, target_agent: torch.Tensor, context: torch.Tensor,
                context_mask: torch.Tensor, context_agent: torch.Tensor) -> torch.Tensor:
        """target [B, 512], target_agent [B], context [B, K, 512] (oldest first, right-aligned:
        missing turns are on the left), context_mask and context_agent [B, K] → logits [B, 4]."""
        batch = target.shape[0]
        slots = context.shape[1]
        x_target = self.turns(target, target_agent, torch.zeros(batch, dtype=torch.long))
        distance = torch.arange(slots, 0, -1, dtype=torch.long)[None].expand(batch, slots)
        x_context = self.turns(context, context_agent, distance)
        if self.kind == "attention":
            keys = torch.cat([x_context, x_target[:, None]], 1)
            valid = torch.cat([context_mask, torch.ones(batch, 1)], 1)
            scores = (self.query(x_target)[:, None] * self.key(keys)).sum(-1) / math.sqrt(keys.shape[-1])
            weights = (scores + (1.0 - valid) * -1e9).softmax(-1)
            summary = (weights[..., None] * self.value(keys)).sum(1)
        else:
            state = torch.zeros_like(x_target)
            for k in range(slots):
                step = self.cell(x_context[:, k], state)
                keep = context_mask[:, k:k + 1]
                state = keep * step + (1.0 - keep) * state
            summary = self.cell(x_target, state)
        features = torch.cat([x_target, summary, x_target * summary], -1)
        return self.line_head(target) + self.correction(features)


class HeadEnsemble(nn.Module):
    """Context heads trained alike with different seeds, read as one: the mean of their logits. On the
    dev calls a single head's seed moves the result by a few calls (training/README.md), which the
    mean smooths. Each head adds its own time to every line the service reads in context."""

    def __init__(self, heads: list[ContextHead]):
        super().__init__()
        self.heads = nn.ModuleList(heads)

    def forward(self, *inputs: torch.Tensor) -> torch.Tensor:
        return torch.stack([head(*inputs) for head in self.heads]).mean(0)


def export(head: nn.Module, path: str) -> None:
    """context-head.onnx: float inputs, batch axis dynamic, MAX_TURNS context slots."""
    head.eval()
    batch = 2
    example = (torch.zeros(batch, EMBEDDING), torch.zeros(batch), torch.zeros(batch, MAX_TURNS, EMBEDDING),
               torch.zeros(batch, MAX_TURNS), torch.zeros(batch, MAX_TURNS))
    names = ["target_embedding", "target_agent", "context_embeddings", "context_mask", "context_agent"]
    torch.onnx.export(head, example, path, input_names=names, output_names=["logits"],
                      dynamic_axes={**{name: {0: "batch"} for name in names}, "logits": {0: "batch"}},
                      opset_version=14, do_constant_folding=True)
