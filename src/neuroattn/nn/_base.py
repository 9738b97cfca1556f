"""One attention contract: ``forward(Q, K, V, mask=None, *, need_weights=True)``.

Every query/key/value layer returns ``(context, weights)``, ``weights`` None when it was
not asked for. The body of that forward is written once, here:

:class:`AttentionCore`
    The per-head core shared by :class:`Attention` and
    :class:`~neuroattn.nn.MultiHeadAttention`: on (..., H, L, E) heads and a normal-form
    mask it chooses the path (:meth:`~AttentionCore.takes_fast_path`), merges a causal
    mask, computes, records and returns.
:class:`Attention`
    The base of the Q/K/V layers (:class:`~neuroattn.nn.ScaledDotProductAttention`,
    :class:`~neuroattn.nn.CompetitiveAttention`): options (dropout, scale, causal, mask
    convention), input checks (the :meth:`~Attention.check_inputs` hook) and the mask's
    normal form, then the core.

A new layer overrides :meth:`~AttentionCore.normalize` (masked scores -> weights) and
nothing else; it then always takes the reference path, whose weights it defines.

The two paths
-------------
*fused*: :func:`torch.nn.functional.scaled_dot_product_attention` (see
:func:`._functional.fused_attention`); the context only. *reference*: scores, mask,
:meth:`~AttentionCore.normalize`, weighted sum, readable and tested against the fused one
(:func:`._functional.reference_attention`); when the layer's normalisation is plain
softmax and no gradient is needed, the softmax runs in place in the scores' buffer.
"""

from __future__ import annotations

import math

import torch
from torch import Tensor, nn

from ..dynamics.checks import check_number, check_probability
from . import _masks
from ._checks import checks_enabled, finite_inputs, finite_outputs, flag, within_limit
from ._functional import check_qkv, fused_attention, reference_attention, scores_shape
from ._record import RecordsAttention


class AttentionCore(RecordsAttention, nn.Module):
    """The per-head attention core: path choice, causal merge, recording in one place.

    Subclasses set ``dropout`` (a rate, used in training mode only) and call
    :meth:`attend` from their forward with heads already split and the mask in normal
    form. They may override :meth:`normalize`.
    """

    dropout: float

    def normalize(self, scores: Tensor) -> Tensor:
        """Weights from masked scores (..., L, S) along the last axis; masked entries are -inf.

        Default: softmax. Override it to define a new attention; a fully masked row is
        zeroed afterwards whatever this returns for it.
        """
        return torch.softmax(scores, dim=-1)  # (..., L, S)

    @property
    def uses_softmax(self) -> bool:
        """True when :meth:`normalize` is plain softmax along the keys.

        The core may then compute it by the fused kernel or by a softmax in place, without
        calling :meth:`normalize`. By default True exactly when the class does not
        override :meth:`normalize`, so a new normalisation is never bypassed; a subclass
        whose :meth:`normalize` equals softmax for some settings says so by overriding
        this property too (as :class:`~neuroattn.nn.CompetitiveAttention` does).
        """
        return type(self).normalize is AttentionCore.normalize

    def takes_fast_path(self, need_weights: bool) -> bool:
        """Whether :meth:`attend` uses the fused SDPA kernel: the one place this is chosen.

        The fused kernel returns no weights, so it is taken only when (1) the caller did
        not ask for the weights, (2) no :func:`~neuroattn.nn.record_attention` block is
        collecting them, and (3) the layer's normalisation is softmax
        (:attr:`uses_softmax`), the only one the kernel computes. Otherwise the reference
        path runs. Callers may ask before projecting, to lay out the heads for the path.
        """
        return not need_weights and not self.recording and self.uses_softmax

    def attend(
        self,
        q: Tensor,
        k: Tensor,
        v: Tensor,
        mask: Tensor | None = None,
        *,
        need_weights: bool = True,
        causal: bool = False,
        scale: float | None = None,
    ) -> tuple[Tensor, Tensor | None]:
        """Attention of checked heads: q (..., Hq, L, E), k (..., Hk, S, E), v (..., Hk, S, Ev).

        ``mask`` is in normal form (:mod:`._masks`) and broadcasts to (..., Hq, L, S);
        ``causal`` adds the causal mask; ``scale`` multiplies Q Kᵀ (None: 1/√E). Returns
        the context (..., Hq, L, Ev) and, if ``need_weights``, the weights
        (..., Hq, L, S). The weights are recorded whenever they are computed.
        """
        dropout_p = self.dropout if self.training else 0.0
        if self.takes_fast_path(need_weights):
            context = fused_attention(  # (..., Hq, L, Ev)
                q, k, v, mask, causal=causal, scale=scale, dropout_p=dropout_p
            )
            return context, None
        within_limit(
            math.prod(q.shape[:-1]) * k.shape[-2], "max_weights", "the attention weights' size"
        )
        if causal:
            keep = _masks.causal(q.shape[-2], k.shape[-2], q.device)  # (L, S)
            mask = _masks.merge(mask, keep, q.dtype)  # (..., Hq, L, S) broadcastable
        scale = 1.0 / math.sqrt(q.shape[-1]) if scale is None else scale
        normalize = None if self.uses_softmax else self.normalize  # None: softmax, in place
        context, weights = reference_attention(  # (..., Hq, L, Ev), (..., Hq, L, S)
            q, k, v, mask, scale=scale, dropout_p=dropout_p, normalize=normalize
        )
        self._record(weights)
        return context, (weights if need_weights else None)


class Attention(AttentionCore):
    r"""Base of the query/key/value attention layers: one ``forward`` for all of them.

    ``forward(Q, K, V, mask=None, *, need_weights=True) -> (context, weights | None)``
    checks the inputs (:meth:`check_inputs`), brings ``mask`` into normal form by
    ``mask_convention`` and checks that it broadcasts to the scores, then runs
    :meth:`AttentionCore.attend` with the layer's scale, dropout and causal option.
    A subclass defines its weights by overriding :meth:`~AttentionCore.normalize`.

    Parameters
    ----------
    dropout : float
        Dropout rate on the attention weights, in [0, 1); training mode only.
    scale : float, optional
        Multiplier of Q Kᵀ (> 0); default 1/√d_k.
    causal : bool
        If True, query i attends to keys j <= i only (top-left aligned when L != S, as SDPA).
    mask_convention : {"keep", "additive", "torch"}
        How ``mask`` is read; see :mod:`neuroattn.nn._masks`.

    Shapes
    ------
    Q (..., H, L, D), K (..., Hk, S, D), V (..., Hk, S, Dv) with Hk dividing H -> context
    (..., H, L, Dv), weights (..., H, L, S). ``mask`` broadcasts to (..., H, L, S). Any
    size may be 0 except D (ValueError): empty batches, heads or queries give empty
    outputs, no keys (S = 0) zero weights and a zero context.

    Non-finite values
    -----------------
    By default nothing is checked: NaN and inf flow through the computation as in torch.
    On the weights path the outcome is that of torch's math backend -- a NaN in query row
    i makes context row i NaN, a NaN or inf in key j every row that attends to j, a NaN
    in value j the same rows -- except that a masked-out key never contributes (its score
    is replaced, not added to). On the fused path it is exactly
    :func:`torch.nn.functional.scaled_dot_product_attention`'s, whose CPU kernel (torch
    2.13) returns a *zero* row for a NaN query row and lets a NaN in a masked-out key
    through. Finite inputs whose scaled scores overflow the dtype give NaN. Do not rely on
    any of this: with check mode on (:class:`~neuroattn.nn.set_checks`) a non-finite
    input, a NaN or ``+inf`` in a floating mask and an overflowed output each raise
    ValueError instead.

    Examples
    --------
    A new attention by its normalisation alone (here: independent sigmoid gates):

    >>> import torch
    >>> from neuroattn.nn import Attention
    >>> class SigmoidAttention(Attention):
    ...     def normalize(self, scores):
    ...         return torch.sigmoid(scores)  # (..., L, S); -inf -> 0
    >>> q = torch.randn(2, 4, 5, 8)
    >>> context, weights = SigmoidAttention()(q, q, q)
    >>> tuple(context.shape), tuple(weights.shape)
    ((2, 4, 5, 8), (2, 4, 5, 5))
    """

    def __init__(
        self,
        dropout: float = 0.0,
        *,
        scale: float | None = None,
        causal: bool = False,
        mask_convention: str = "keep",
    ) -> None:
        super().__init__()
        self.dropout = check_probability(dropout, "dropout")
        self.scale = None if scale is None else check_number(scale, "scale", gt=0)
        self.causal = flag(causal, "causal")
        self.mask_convention = _masks.check_convention(mask_convention)

    def check_inputs(self, Q: Tensor, K: Tensor, V: Tensor) -> None:
        """Raise ValueError for inputs the layer cannot take (hook; extend with super())."""
        check_qkv(Q, K, V)

    def forward(
        self,
        Q: Tensor,
        K: Tensor,
        V: Tensor,
        mask: Tensor | None = None,
        *,
        need_weights: bool = True,
    ) -> tuple[Tensor, Tensor | None]:
        """Attend from ``Q`` to ``K``/``V``; see the class docstring for shapes and masks."""
        self.check_inputs(Q, K, V)
        keep = _masks.prepare(  # broadcasts to (..., H, L, S), or None
            mask, self.mask_convention, Q.dtype, scores_shape(Q, K), device=Q.device
        )
        checking = checks_enabled()
        if checking:
            finite_inputs(("Q", Q), ("K", K), ("V", V))
        context, weights = self.attend(  # (..., H, L, Dv), (..., H, L, S) or None
            Q, K, V, keep, need_weights=need_weights, causal=self.causal, scale=self.scale
        )
        if checking:
            finite_outputs(("context", context), ("attention weights", weights))
        return context, weights

    def extra_repr(self) -> str:
        return (
            f"dropout={self.dropout}, scale={self.scale}, causal={self.causal}, "
            f"mask_convention={self.mask_convention!r}"
        )
