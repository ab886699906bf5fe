"""The Universal Sentence Encoder lite, rebuilt in PyTorch from its TensorFlow.js graph.

Architecture read off `model.json` (see MODEL_CARD.md): token embeddings (8002 x 256) →
two pre-layer-norm transformer layers (4 heads; layer 0 widens 256 → 512 with a projected
residual) → mean over the tokens → 512-unit tanh layer → l2 normalisation.
One quirk of the original graph is kept on purpose: layer 0's input is 2·embedding + timing
signal, because the graph adds the timing-signalled embedding back onto the embedding.
"""
import math
from pathlib import Path

import numpy as np
import torch
from torch import nn

from tfjs_weights import load_tfjs_weights

MAX_TOKENS = 128
_ENC = "module_apply_default/Encoder_en/KonaTransformer/Encode/"
_VAR = "module/Encoder_en/KonaTransformer/Encode/"


class LayerNorm(nn.Module):
    def __init__(self, width: int):
        super().__init__()
        self.scale = nn.Parameter(torch.ones(width))
        self.bias = nn.Parameter(torch.zeros(width))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        mean = x.mean(-1, keepdim=True)
        centred = x - mean
        variance = (centred * centred).mean(-1, keepdim=True)
        return centred * torch.rsqrt(variance + 1e-6) * self.scale + self.bias


class TransformerLayer(nn.Module):
    def __init__(self, width_in: int, width_out: int, heads: int = 4, ffn: int = 1536):
        super().__init__()
        self.heads = heads
        self.attention_norm = LayerNorm(width_in)
        self.qkv = nn.Linear(width_in, 3 * width_in)
        self.attention_out = nn.Linear(width_in, width_out)
        self.residual = nn.Linear(width_in, width_out) if width_in != width_out else None
        self.ffn_norm = LayerNorm(width_out)
        self.ffn_in = nn.Linear(width_out, ffn)
        self.ffn_out = nn.Linear(ffn, width_out)

    def forward(self, x: torch.Tensor, key_bias: torch.Tensor) -> torch.Tensor:
        batch, length, width = x.shape
        depth = width // self.heads
        q, k, v = self.qkv(self.attention_norm(x)).split(width, dim=-1)

        def split_heads(t: torch.Tensor) -> torch.Tensor:
            return t.reshape(batch, length, self.heads, depth).transpose(1, 2)

        logits = split_heads(q) * (depth ** -0.5) @ split_heads(k).transpose(-1, -2) + key_bias
        attended = (logits.softmax(-1) @ split_heads(v)).transpose(1, 2).reshape(batch, length, width)
        residual = self.residual(x) if self.residual is not None else x
        x = self.attention_out(attended) + residual
        return x + self.ffn_out(torch.relu(self.ffn_in(self.ffn_norm(x))))


class UseLiteEncoder(nn.Module):
    """token ids [batch, length] + mask [batch, length] (1 = token) → pooled states [batch, 512]."""

    def __init__(self, vocab_size: int = 8002):
        super().__init__()
        self.embeddings = nn.Embedding(vocab_size, 256)
        self.layers = nn.ModuleList([TransformerLayer(256, 512), TransformerLayer(512, 512)])
        self.hidden = nn.Linear(512, 512)
        self.register_buffer("inv_timescales", torch.zeros(128), persistent=False)

    def timing_signal(self, length: int) -> torch.Tensor:
        scaled = torch.arange(length, dtype=torch.float32)[:, None] * self.inv_timescales[None, :]
        return torch.cat([scaled.sin(), scaled.cos()], dim=-1)

    def token_states(self, ids: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        maskf = mask.to(torch.float32)
        embedded = self.embeddings(ids) * maskf[..., None]
        x = 2 * embedded + self.timing_signal(ids.shape[1])[None] * maskf[..., None]
        key_bias = ((1.0 - maskf) * -1e9)[:, None, None, :]
        for layer in self.layers:
            x = layer(x, key_bias)
        return x

    def pool(self, states: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        maskf = mask.to(torch.float32)
        total = (states * maskf[..., None]).sum(1)
        return total / maskf.sum(1, keepdim=True).clamp(min=1.0)

    def forward(self, ids: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        return torch.tanh(self.hidden(self.pool(self.token_states(ids, mask), mask)))

    def embed(self, ids: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """The original model's output: the l2-normalised sentence embedding."""
        return nn.functional.normalize(self.forward(ids, mask), dim=-1, eps=1e-6)

    @classmethod
    def from_tfjs(cls, model_dir: Path) -> "UseLiteEncoder":
        w = load_tfjs_weights(model_dir)
        model = cls(vocab_size=w["module/Embeddings_en"].shape[0])
        inv = w[_ENC + "TransformerStack/Layer_0/AddTimingSignal/TimingSignal/ExpandDims_1"][0]
        model.inv_timescales = torch.from_numpy(inv.astype(np.float32))
        state = {"embeddings.weight": w["module/Embeddings_en"],
                 "hidden.weight": w["module/Encoder_en/hidden_layers/tanh_layer_0/weights"].T,
                 "hidden.bias": w["module/Encoder_en/hidden_layers/tanh_layer_0/bias"]}
        for i in range(2):
            layer = f"{_ENC}Layer_{i}/TransformerLayer/"
            stack = f"{_ENC}TransformerStack/Layer_{i}/TransformerLayer/"
            prefix = f"layers.{i}."
            state.update({
                prefix + "attention_norm.scale": w[layer + "layer_prepostprocess/layer_norm/layer_norm_scale/ConcatPartitions/concat"],
                prefix + "attention_norm.bias": w[layer + "layer_prepostprocess/layer_norm/layer_norm_bias/ConcatPartitions/concat"],
                prefix + "qkv.weight": w[f"{_VAR}Layer_{i}/TransformerLayer/MultiheadAttention/qkv_transform_single/kernel/part_0"][0, 0].T,
                prefix + "qkv.bias": w[layer + "MultiheadAttention/qkv_transform_single/bias/ConcatPartitions/concat"],
                prefix + "attention_out.weight": w[f"{_VAR}Layer_{i}/TransformerLayer/MultiheadAttention/output_transform_single/kernel/part_0"][0, 0].T,
                prefix + "attention_out.bias": w[layer + "MultiheadAttention/output_transform_single/bias/ConcatPartitions/concat"],
                prefix + "ffn_norm.scale": w[layer + "FFN/layer_prepostprocess/layer_norm/layer_norm_scale/ConcatPartitions/concat"],
                prefix + "ffn_norm.bias": w[layer + "FFN/layer_prepostprocess/layer_norm/layer_norm_bias/ConcatPartitions/concat"],
                prefix + "ffn_in.weight": w[stack + "FFN/conv1/Tensordot/Reshape_1"].T,
                prefix + "ffn_in.bias": w[layer + "FFN/conv1/bias/ConcatPartitions/concat"],
                prefix + "ffn_out.weight": w[stack + "FFN/conv2/Tensordot/Reshape_1"].T,
                prefix + "ffn_out.bias": w[layer + "FFN/conv2/bias/ConcatPartitions/concat"],
            })
        state["layers.0.residual.weight"] = w[_ENC + "Layer_0/TransformerLayer/dense/kernel/ConcatPartitions/concat"].T
        state["layers.0.residual.bias"] = w[_ENC + "Layer_0/TransformerLayer/dense/bias/ConcatPartitions/concat"]
        tensors = {k: torch.from_numpy(np.ascontiguousarray(v, dtype=np.float32)) for k, v in state.items()}
        missing, unexpected = model.load_state_dict(tensors, strict=False)
        if missing or unexpected:
            raise ValueError(f"weight mapping incomplete: missing={missing} unexpected={unexpected}")
        return model
