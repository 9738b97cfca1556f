"""The source's scaled dot-product attention layer, with a fused fast path."""

from __future__ import annotations

from ._base import Attention


class ScaledDotProductAttention(Attention):
    r"""Scaled dot-product attention, ``forward(Q, K, V, mask=None) -> (context, attention)``.

    .. math::

        \operatorname{attention} = \operatorname{softmax}\!\left(\frac{Q K^\top}{\sqrt{d_k}}
            \text{ masked}\right), \qquad \text{context} = \text{attention} \; V

    (Vaswani et al. 2017, eq. 1; the source's section 5). With ``need_weights=True`` the
    readable reference path computes the weights and returns them; with
    ``need_weights=False`` the call goes through
    :func:`torch.nn.functional.scaled_dot_product_attention` (fused kernels) and returns
    ``(context, None)``. The two paths agree to rounding (tested). The forward is
    :class:`~neuroattn.nn.Attention`'s, with softmax as the normalisation.

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
