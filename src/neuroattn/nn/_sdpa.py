"""The source's scaled dot-product attention layer, with a fused fast path."""

from __future__ import annotations

import math

from torch import Tensor, nn

from ..dynamics.checks import check_number, check_probability
from . import _masks
from ._functional import check_qkv, fused_attention, reference_attention, scores_shape
from ._record import RecordsAttention


class ScaledDotProductAttention(RecordsAttention, nn.Module):
    r"""Scaled dot-product attention, ``forward(Q, K, V, mask=None) -> (context, attention)``.

    .. math::

        \operatorname{attention} = \operatorname{softmax}\!\left(\frac{Q K^\top}{\sqrt{d_k}}
            \text{ masked}\right), \qquad \text{context} = \text{attention} \; V

    (Vaswani et al. 2017, eq. 1; the source's section 5). With ``need_weights=True`` the
    readable reference path computes the weights and returns them; with
    ``need_weights=False`` the call goes through
    :func:`torch.nn.functional.scaled_dot_product_attention` (fused kernels) and returns
    ``(context, None)``. The two paths agree to rounding (tested).

    Parameters
    ----------
    dropout : float
        Dropout rate on the attention weights, applied only in training mode.
    scale : float, optional
        Multiplier of Q Kᵀ; default 1/√d_k.
    causal : bool
        If True, query i attends to keys j <= i only (top-left aligned when L != S, as SDPA).
    mask_convention : {"keep", "additive", "torch"}
        How ``mask`` is read; default ``"keep"``: zero / ``False`` is masked, anything
        else takes part -- SDPA's bool meaning and the source's ``mask == 0`` convention at
        once. See :mod:`neuroattn.nn._masks` for the others.

    Shapes
    ------
    Q (B, H, L, D), K (B, Hk, S, D), V (B, Hk, S, Dv) -> context (B, H, L, Dv),
    attention (B, H, L, S). Any number of leading batch dimensions works; Hk may divide H
    (grouped-query attention). ``mask`` broadcasts to (B, H, L, S). Dtypes are preserved.
    A query whose keys are all masked gets zero weights and a zero context, never NaN
    (the source's ``-1e9`` fill would give it uniform weights instead).

    Notes
    -----
    ``torch.jit.script`` is deprecated in torch 2.13 and not supported here (the layer
    takes keyword-only arguments and a recorder hook); ``torch.compile(fullgraph=True)``
    and ``torch.export`` trace it (tested).

    References
    ----------
    Vaswani, A. et al. (2017). Attention is all you need. NeurIPS 30.
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
        self.causal = bool(causal)
        self.mask_convention = _masks.check_convention(mask_convention)

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
        check_qkv(Q, K, V)
        keep = _masks.normalize(mask, self.mask_convention, Q.dtype)
        _masks.check_shape(keep, scores_shape(Q, K))
        scale = self.scale if self.scale is not None else 1.0 / math.sqrt(Q.shape[-1])
        dropout_p = self.dropout if self.training else 0.0
        if not (need_weights or self.recording):
            context = fused_attention(
                Q, K, V, keep, causal=self.causal, scale=self.scale, dropout_p=dropout_p
            )
            return context, None
        if self.causal:
            keep = _masks.merge(keep, _masks.causal(Q.shape[-2], K.shape[-2], Q.device), Q.dtype)
        context, attention = reference_attention(
            Q, K, V, keep, scale=scale, dropout_p=dropout_p
        )  # (B, H, L, Dv), (B, H, L, S)
        self._record(attention)
        return context, (attention if need_weights else None)

    def extra_repr(self) -> str:
        return (
            f"dropout={self.dropout}, scale={self.scale}, causal={self.causal}, "
            f"mask_convention={self.mask_convention!r}"
        )
