"""Click-through models over a behaviour sequence, built by name.

Every model embeds an item as the concatenation of its item and category embeddings,
e = [E_item(i), E_cat(c)] ∈ R^{2d} (Zhou et al. 2018 embed goods id and category id
likewise), pools the history e_1..e_T into one user vector u, and scores the candidate q
by an MLP on [q, u] (hidden layers (200, 80) with Dice or PReLU, as the paper's Fig. 2)
→ one logit. They differ only in the pooling:

``mean``
    u = (1/T) Σ_j e_j over the T real history items (the paper's "base model" pools by
    sum; the mean is the usual form, ours).
``din``
    Deep Interest Network (Zhou et al. 2018, KDD): u = Σ_j a(e_j, q) e_j with the local
    activation unit a = MLP([q, e_j, q − e_j, q ⊙ e_j]) → one weight, *not* normalised
    by a softmax, so that u's size reflects how much of the history relates to q.
    Padded positions are never computed and weigh 0. The unit's hidden layer has 36
    units (the paper's Fig. 2) with the same activation as the MLP.
``competitive``
    ours: the activation unit replaced by neuroattn's competition stage,
    :class:`neuroattn.nn.CompetitiveAttention` in shunting mode: scores
    s_j = (W_q q)·(W_k e_j)/√d_a and weights x_j = e^{s_j} / (A + Σ_k e^{s_k}) over the
    real items, with a learnt decay A > 0 (Grossberg 1973's equilibrium). The weights sum
    to less than 1 and grow with the summed drive of the matching items, so like DIN's
    they keep how much of the history is about q; u = Σ_j x_j e_j.

``forward(batch)`` returns the logits (B,) and ``attention(batch)`` the weights over the
history (B, T) (zeros past each length; the mean model's are 1/T).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import NamedTuple

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from ...dynamics.checks import check_choice, check_integer
from ...nn import CompetitiveAttention

__all__ = ["ACTIVATIONS", "MODELS", "Batch", "Dice", "Recommender", "build_model"]

ACTIVATIONS = ("dice", "prelu")
ATTENTION_HIDDEN = 36  # the local activation unit's hidden units (Zhou et al. 2018, Fig. 2)


class Batch(NamedTuple):
    """A batch of examples as tensors (ids from 1, 0 pads)."""

    history: Tensor  # (B, T) int64
    history_category: Tensor  # (B, T) int64
    length: Tensor  # (B,) int64
    item: Tensor  # (B,) int64
    category: Tensor  # (B,) int64

    def mask(self) -> Tensor:
        """True at the real history items: (B, T) bool."""
        positions = torch.arange(self.history.shape[1], device=self.history.device)  # (T,)
        return positions[None, :] < self.length[:, None]  # (B, T)


class Dice(nn.Module):
    """Dice (Zhou et al. 2018, "data adaptive activation"): f(s) = p(s) s + (1 − p(s)) α s,
    p(s) = σ((s − E[s]) / √(Var[s] + ε)) with ε = 1e-8.

    E and Var are the batch's statistics in training and their running averages in
    evaluation (a batch norm without affine parameters); α is learnt per channel (init 0).
    Inputs are (N, C).
    """

    def __init__(self, channels: int) -> None:
        super().__init__()
        self.norm = nn.BatchNorm1d(channels, eps=1e-8, affine=False)
        self.alpha = nn.Parameter(torch.zeros(channels))

    def forward(self, s: Tensor) -> Tensor:
        if s.shape[0] == 0:
            return s  # (0, C)
        if self.training and s.shape[0] > 1:
            z = self.norm(s)  # (N, C), batch statistics (the running ones updated)
        else:  # evaluation, or one row whose variance is undefined: the running statistics
            norm = self.norm
            z = F.batch_norm(s, norm.running_mean, norm.running_var, training=False, eps=norm.eps)
        p = torch.sigmoid(z)  # (N, C)
        return p * s + (1 - p) * self.alpha * s  # (N, C)


def _mlp(sizes: tuple[int, ...], activation: str) -> nn.Sequential:
    """Linear layers through ``sizes`` with the activation between them, none after the last."""
    layers: list[nn.Module] = []
    for i, (a, b) in enumerate(itertools.pairwise(sizes)):
        layers.append(nn.Linear(a, b))
        if i < len(sizes) - 2:
            layers.append(Dice(b) if activation == "dice" else nn.PReLU(b))
    return nn.Sequential(*layers)


class Recommender(nn.Module):
    """The shared parts: embeddings, pooling (by subclasses) and the scoring MLP."""

    def __init__(
        self,
        n_items: int,
        n_categories: int,
        *,
        embed_dim: int = 16,
        hidden: tuple[int, int] = (200, 80),
        activation: str = "dice",
    ) -> None:
        super().__init__()
        self.item_embedding = nn.Embedding(n_items, embed_dim, padding_idx=0)
        self.category_embedding = nn.Embedding(n_categories, embed_dim, padding_idx=0)
        self.activation = activation
        self.width = 2 * embed_dim
        self.mlp = _mlp((2 * self.width, *hidden, 1), activation)

    def embed(self, items: Tensor, categories: Tensor) -> Tensor:
        """[E_item(i), E_cat(c)]: (..., 2d)."""
        return torch.cat([self.item_embedding(items), self.category_embedding(categories)], -1)

    def pool(self, q: Tensor, keys: Tensor, mask: Tensor) -> tuple[Tensor, Tensor]:
        """The user vector (B, 2d) and the history weights (B, T)."""
        raise NotImplementedError

    def _pooled(self, batch: Batch) -> tuple[Tensor, Tensor, Tensor]:
        q = self.embed(batch.item, batch.category)  # (B, 2d)
        keys = self.embed(batch.history, batch.history_category)  # (B, T, 2d)
        u, weights = self.pool(q, keys, batch.mask())  # (B, 2d), (B, T)
        return q, u, weights

    def forward(self, batch: Batch) -> Tensor:
        """Click logits (B,)."""
        q, u, _ = self._pooled(batch)  # (B, 2d), (B, 2d)
        return self.mlp(torch.cat([q, u], dim=-1)).squeeze(-1)  # (B,)

    def attention(self, batch: Batch) -> Tensor:
        """The weight of each history item for the candidate: (B, T), 0 past the length."""
        return self._pooled(batch)[2]  # (B, T)


class MeanPooling(Recommender):
    """Embedding + mean pooling + MLP (the base model)."""

    def pool(self, q: Tensor, keys: Tensor, mask: Tensor) -> tuple[Tensor, Tensor]:
        count = mask.sum(dim=1, keepdim=True).clamp_min(1)  # (B, 1)
        weights = mask / count  # (B, T)
        return (weights.unsqueeze(-1) * keys).sum(dim=1), weights  # (B, 2d), (B, T)


class DIN(Recommender):
    """Deep Interest Network's local activation unit (Zhou et al. 2018), no softmax."""

    def __init__(self, n_items: int, n_categories: int, **options: object) -> None:
        super().__init__(n_items, n_categories, **options)  # type: ignore[arg-type]
        self.unit = _mlp((4 * self.width, ATTENTION_HIDDEN, 1), self.activation)

    def pool(self, q: Tensor, keys: Tensor, mask: Tensor) -> tuple[Tensor, Tensor]:
        qs = q.unsqueeze(1).expand_as(keys)  # (B, T, 2d)
        features = torch.cat([qs, keys, qs - keys, qs * keys], dim=-1)  # (B, T, 8d)
        scores = self.unit(features[mask]).squeeze(-1)  # (M,) over the M real items only
        weights = torch.zeros(mask.shape, dtype=keys.dtype, device=keys.device)  # (B, T)
        weights = weights.masked_scatter(mask, scores)  # (B, T), 0 at padding
        return (weights.unsqueeze(-1) * keys).sum(dim=1), weights  # (B, 2d), (B, T)


class Competitive(Recommender):
    """The competition stage (shunting equilibrium) in place of the activation unit (ours)."""

    def __init__(self, n_items: int, n_categories: int, **options: object) -> None:
        super().__init__(n_items, n_categories, **options)  # type: ignore[arg-type]
        self.query = nn.Linear(self.width, self.width)
        self.key = nn.Linear(self.width, self.width)
        self.compete = CompetitiveAttention("shunting", A=1.0)

    def pool(self, q: Tensor, keys: Tensor, mask: Tensor) -> tuple[Tensor, Tensor]:
        Q = self.query(q)[:, None, None, :]  # (B, 1, 1, 2d)
        K = self.key(keys).unsqueeze(1)  # (B, 1, T, 2d)
        V = keys.unsqueeze(1)  # (B, 1, T, 2d)
        keep = mask[:, None, None, :]  # (B, 1, 1, T)
        context, weights = self.compete(Q, K, V, keep)  # (B, 1, 1, 2d), (B, 1, 1, T)
        assert weights is not None
        weights = weights[:, 0, 0, :].masked_fill(~mask, 0.0)  # (B, T)
        return context[:, 0, 0, :], weights  # (B, 2d), (B, T)


MODELS: dict[str, Callable[..., Recommender]] = {
    "mean": MeanPooling,
    "din": DIN,
    "competitive": Competitive,
}


def build_model(
    name: str,
    n_items: int,
    n_categories: int,
    *,
    embed_dim: int = 16,
    hidden: tuple[int, int] = (200, 80),
    activation: str = "dice",
) -> Recommender:
    """A model of :data:`MODELS` by name, for ids below ``n_items`` and ``n_categories``.

    Raises
    ------
    ValueError
        For an unknown name (the message lists the valid ones) or a bad size.
    """
    name = check_choice(name, "model", tuple(MODELS))
    n_items = check_integer(n_items, "n_items", ge=2, le=10**8)
    n_categories = check_integer(n_categories, "n_categories", ge=2, le=10**8)
    embed_dim = check_integer(embed_dim, "embed_dim", ge=1, le=4096)
    if not isinstance(hidden, (tuple, list)) or len(hidden) != 2:
        raise ValueError(f"hidden must be two layer sizes, got {hidden!r}")
    sizes = (
        check_integer(hidden[0], "hidden[0]", ge=1, le=65536),
        check_integer(hidden[1], "hidden[1]", ge=1, le=65536),
    )
    activation = check_choice(activation, "activation", ACTIVATIONS)
    return MODELS[name](
        n_items, n_categories, embed_dim=embed_dim, hidden=sizes, activation=activation
    )
