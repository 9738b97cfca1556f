"""Encoder-decoder attention: Bahdanau (additive) and Luong (dot, general, concat) scores."""

from __future__ import annotations

import math

from torch import Tensor, nn

from ..dynamics.checks import check_choice, check_integer
from . import _masks
from ._base import AttentionCore
from ._checks import (
    checks_enabled,
    finite_inputs,
    finite_outputs,
    flag,
    float_tensor,
    matches_module,
    same_dtype,
    within_limit,
)
from ._functional import masked_weights
from ._record import RecordsAttention

LUONG_SCORES = ("dot", "general", "concat")


class _EncoderDecoderAttention(RecordsAttention, nn.Module):
    """Shared sizes, input checks, masking, recording and the weighted sum.

    ``forward(query, keys, values=None, mask=None) -> (context, weights)``: the seq2seq
    form of the attention contract (the decoder state queries the encoder states), with
    masks read and applied as by :class:`~neuroattn.nn.Attention`. Inputs share one
    dtype, that of the layer's parameters; non-finite ones propagate unless check mode
    is on (:class:`~neuroattn.nn.set_checks`). No keys (S = 0) give zero weights and a
    zero context.

    ``normalizer``: an :class:`~neuroattn.nn.Attention` layer whose ``normalize(scores)``
    replaces the softmax over the keys (masked scores at -inf, as every layer receives
    them), e.g. :class:`~neuroattn.nn.CompetitiveAttention` for the competition of the
    source's section 4 on additive or multiplicative scores; its parameters train with
    this layer's. One whose ``uses_softmax`` is True changes nothing.
    """

    def __init__(
        self,
        query_dim: int,
        key_dim: int | None,
        mask_convention: str,
        normalizer: AttentionCore | None = None,
    ) -> None:
        super().__init__()
        if normalizer is not None and not isinstance(normalizer, AttentionCore):
            raise TypeError(
                "normalizer must be an attention layer with a normalize(scores) method "
                f"(such as CompetitiveAttention), got {type(normalizer).__name__}"
            )
        self.normalizer = normalizer
        self.query_dim = check_integer(query_dim, "query_dim", ge=1)
        self.key_dim = (
            self.query_dim if key_dim is None else check_integer(key_dim, "key_dim", ge=1)
        )
        self.mask_convention = _masks.check_convention(mask_convention)

    def _hidden_size(self, hidden_dim: int | None) -> int:
        """``hidden_dim`` checked, by default ``key_dim``."""
        return self.key_dim if hidden_dim is None else check_integer(hidden_dim, "hidden_dim", ge=1)

    def _check(
        self, query: Tensor, keys: Tensor, values: Tensor | None
    ) -> tuple[Tensor, Tensor, bool]:
        """Validate shapes; return query as (B, Lq, Dq), values, and whether Lq was absent."""
        float_tensor(query, "query", 2)
        float_tensor(keys, "keys", 3)
        values = keys if values is None else float_tensor(values, "values", 3)  # (B, S, Dv)
        same_dtype(("query", query), ("keys", keys), ("values", values))
        matches_module(self, ("query", query), ("keys", keys))
        if query.shape[-1] != self.query_dim or keys.shape[-1] != self.key_dim:
            raise ValueError(
                f"expected query (..., {self.query_dim}) and keys (B, S, {self.key_dim}), "
                f"got {tuple(query.shape)} and {tuple(keys.shape)}"
            )
        if keys.ndim != 3 or values.ndim != 3 or keys.shape[:2] != values.shape[:2]:
            raise ValueError(
                f"keys (B, S, Dk) and values (B, S, Dv) must agree, got {tuple(keys.shape)} "
                f"and {tuple(values.shape)}"
            )
        if query.ndim > 3 or query.shape[0] != keys.shape[0]:
            raise ValueError(
                f"query must be (B, Dq) or (B, Lq, Dq) with the keys' batch size "
                f"{keys.shape[0]}, got {tuple(query.shape)}"
            )
        single = query.ndim == 2
        if checks_enabled():
            finite_inputs(("query", query), ("keys", keys), ("values", values))
        return (query.unsqueeze(1) if single else query), values, single  # (B, Lq, Dq), ...

    @staticmethod
    def _check_size(*shape: int) -> None:
        """ValueError if a score-sized tensor of ``shape`` exceeds ``LIMITS.max_weights``."""
        within_limit(math.prod(shape), "max_weights", "the attention scores' size")

    def _attend(
        self, scores: Tensor, values: Tensor, mask: Tensor | None, single: bool
    ) -> tuple[Tensor, Tensor]:
        """Masked softmax (or ``normalizer``) of scores (B, Lq, S), the weighted sum of
        values, recording.

        The mask is read as by every layer (:func:`._masks.prepare`) and applied as on the
        reference path of :class:`~neuroattn.nn.Attention` (:func:`._functional.masked_weights`).
        """
        if isinstance(mask, Tensor) and mask.ndim == 2:
            mask = mask.unsqueeze(1)  # (B, 1, S): a key mask, the same for every query
        keep = _masks.prepare(  # broadcasts to (B, Lq, S), or None
            mask, self.mask_convention, scores.dtype, tuple(scores.shape), device=scores.device
        )
        norm = self.normalizer
        normalize = None if norm is None or norm.uses_softmax else norm.normalize
        weights = masked_weights(scores, keep, normalize=normalize)  # (B, Lq, S)
        context = weights @ values  # (B, Lq, Dv)
        if single:
            context, weights = context.squeeze(1), weights.squeeze(1)  # (B, Dv), (B, S)
        if checks_enabled():
            finite_outputs(("context", context), ("attention weights", weights))
        self._record(weights)
        return context, weights


class AdditiveAttention(_EncoderDecoderAttention):
    r"""Additive (Bahdanau) attention for encoder-decoder models.

    .. math::

        e_{ij} = v_a^\top \tanh(W_a s_{i-1} + U_a h_j), \qquad
        \alpha_{ij} = \frac{\exp e_{ij}}{\sum_k \exp e_{ik}}, \qquad
        c_i = \sum_j \alpha_{ij} h_j

    (Bahdanau, Cho & Bengio 2015, eqs. 5-6 and appendix A.1.2): ``query`` is the decoder
    state s_{i-1}, ``keys`` the encoder annotations h_j, ``values`` default to the keys.

    Parameters
    ----------
    query_dim : int
        Size of the decoder state s (the layer's width).
    key_dim : int, optional
        Size of the encoder states h (default ``query_dim``).
    hidden_dim : int, optional
        Size n' of the alignment model's hidden layer (default ``key_dim``).
    bias : bool
        A bias on U_a h_j (not in the paper's equation; default False).
    mask_convention : {"keep", "additive", "torch"}
        See :mod:`neuroattn.nn._masks`; default: zero / False masks a key.
    normalizer : Attention, optional
        A layer whose ``normalize`` replaces the softmax, e.g.
        :class:`~neuroattn.nn.CompetitiveAttention` (ours: competition on additive scores).

    Shapes
    ------
    query (B, Dq) or (B, Lq, Dq); keys (B, S, Dk); values (B, S, Dv); mask (B, S) (the
    same keys for every query) or (B, Lq, S). Returns context (B, [Lq,] Dv) and weights
    (B, [Lq,] S).

    References
    ----------
    Bahdanau, D., Cho, K. & Bengio, Y. (2015). Neural machine translation by jointly
    learning to align and translate. ICLR.
    """

    def __init__(
        self,
        query_dim: int,
        key_dim: int | None = None,
        hidden_dim: int | None = None,
        *,
        bias: bool = False,
        mask_convention: str = "keep",
        normalizer: AttentionCore | None = None,
    ) -> None:
        super().__init__(query_dim, key_dim, mask_convention, normalizer)
        hidden = self._hidden_size(hidden_dim)
        bias = flag(bias, "bias")
        count = hidden * (self.query_dim + self.key_dim + 1 + bias)
        within_limit(count, "max_parameters", "AdditiveAttention's parameter count")
        self.W = nn.Linear(self.query_dim, hidden, bias=False)  # W_a
        self.U = nn.Linear(self.key_dim, hidden, bias=bias)  # U_a
        self.v = nn.Linear(hidden, 1, bias=False)  # v_a

    def project_keys(self, keys: Tensor) -> Tensor:
        """U_a h_j (B, S, n'): compute once per source sentence, pass as ``projected_keys``."""
        return self.U(keys)  # (B, S, n')

    def forward(
        self,
        query: Tensor,
        keys: Tensor,
        values: Tensor | None = None,
        mask: Tensor | None = None,
        *,
        projected_keys: Tensor | None = None,
    ) -> tuple[Tensor, Tensor]:
        """Context vectors and alignment weights; see the class docstring."""
        query, values, single = self._check(query, keys, values)  # (B, Lq, Dq), (B, S, Dv)
        hidden = self.v.in_features
        self._check_size(query.shape[0], query.shape[1], keys.shape[1], hidden)
        if projected_keys is None:
            uh = self.project_keys(keys)  # (B, S, n')
        else:
            uh = float_tensor(projected_keys, "projected_keys", 3)  # (B, S, n')
            if uh.shape != (*keys.shape[:2], hidden):
                raise ValueError(
                    f"projected_keys must be (B, S, hidden_dim) = {(*keys.shape[:2], hidden)} "
                    f"(project_keys(keys)), got {tuple(uh.shape)}"
                )
            same_dtype(("keys", keys), ("projected_keys", uh))
        ws = self.W(query)  # (B, Lq, n')
        energy = self.v((ws.unsqueeze(2) + uh.unsqueeze(1)).tanh()).squeeze(-1)  # (B, Lq, S)
        return self._attend(energy, values, mask, single)  # (B, [Lq,] Dv), (B, [Lq,] S)

    def extra_repr(self) -> str:
        return (
            f"query_dim={self.query_dim}, key_dim={self.key_dim}, "
            f"hidden_dim={self.v.in_features}, mask_convention={self.mask_convention!r}"
        )


class LuongAttention(_EncoderDecoderAttention):
    r"""Multiplicative (Luong) attention with the paper's three score functions.

    .. math::

        \operatorname{score}(h_t, \bar h_s) =
        \begin{cases}
            h_t^\top \bar h_s & \text{dot} \\
            h_t^\top W_a \bar h_s & \text{general} \\
            v_a^\top \tanh(W_a [h_t; \bar h_s]) & \text{concat}
        \end{cases}

    a_t(s) = softmax over s of the scores, c_t = Σ_s a_t(s) h̄_s (Luong, Pham & Manning
    2015, eqs. 7-8): ``query`` is the current decoder state h_t, ``keys`` the encoder
    states h̄_s. The attentional state h̃_t = tanh(W_c [c_t; h_t]) (eq. 5) belongs to the
    decoder and is left to the caller.

    Parameters
    ----------
    query_dim : int
        Size of h_t (the layer's width).
    key_dim : int, optional
        Size of h̄_s (default ``query_dim``); ``"dot"`` needs the two equal.
    score : {"dot", "general", "concat"}
        The score function.
    hidden_dim : int, optional
        Rows of W_a for ``"concat"`` (default ``key_dim``).
    mask_convention : {"keep", "additive", "torch"}
        See :mod:`neuroattn.nn._masks`.
    normalizer : Attention, optional
        A layer whose ``normalize`` replaces the softmax (see :class:`AdditiveAttention`).

    Shapes
    ------
    As :class:`AdditiveAttention`.

    References
    ----------
    Luong, M.-T., Pham, H. & Manning, C. D. (2015). Effective approaches to attention-based
    neural machine translation. EMNLP.
    """

    def __init__(
        self,
        query_dim: int,
        key_dim: int | None = None,
        score: str = "general",
        *,
        hidden_dim: int | None = None,
        mask_convention: str = "keep",
        normalizer: AttentionCore | None = None,
    ) -> None:
        super().__init__(query_dim, key_dim, mask_convention, normalizer)
        self.score = check_choice(score, "score", LUONG_SCORES)
        if score == "dot" and self.query_dim != self.key_dim:
            raise ValueError(
                f"the dot score needs query_dim == key_dim, got {self.query_dim} and "
                f"{self.key_dim}; use score='general'"
            )
        hidden = self._hidden_size(hidden_dim)
        count = {
            "dot": 0,
            "general": self.key_dim * self.query_dim,
            "concat": hidden * (self.query_dim + self.key_dim + 1),
        }[score]
        within_limit(count, "max_parameters", "LuongAttention's parameter count")
        if score == "general":
            self.W = nn.Linear(self.key_dim, self.query_dim, bias=False)  # W_a
        elif score == "concat":
            self.W = nn.Linear(self.query_dim + self.key_dim, hidden, bias=False)  # W_a
            self.v = nn.Linear(hidden, 1, bias=False)  # v_a

    def scores(self, query: Tensor, keys: Tensor) -> Tensor:
        """score(h_t, h̄_s) for query (B, Lq, Dq) and keys (B, S, Dk) -> (B, Lq, S)."""
        if self.score == "dot":
            return query @ keys.transpose(1, 2)  # (B, Lq, S)
        if self.score == "general":
            return query @ self.W(keys).transpose(1, 2)  # (B, Lq, S)
        wq, wk = self.W.weight.split([self.query_dim, self.key_dim], dim=1)  # (n, Dq), (n, Dk)
        hidden = (query @ wq.T).unsqueeze(2) + (keys @ wk.T).unsqueeze(1)  # (B, Lq, S, n)
        return self.v(hidden.tanh()).squeeze(-1)  # (B, Lq, S)

    def forward(
        self,
        query: Tensor,
        keys: Tensor,
        values: Tensor | None = None,
        mask: Tensor | None = None,
    ) -> tuple[Tensor, Tensor]:
        """Context vectors and alignment weights; see the class docstring."""
        query, values, single = self._check(query, keys, values)  # (B, Lq, Dq), (B, S, Dv)
        if self.score == "concat":
            self._check_size(query.shape[0], query.shape[1], keys.shape[1], self.v.in_features)
        scores = self.scores(query, keys)  # (B, Lq, S)
        return self._attend(scores, values, mask, single)  # (B, [Lq,] Dv), (B, [Lq,] S)

    def extra_repr(self) -> str:
        return f"query_dim={self.query_dim}, key_dim={self.key_dim}, score={self.score!r}"
