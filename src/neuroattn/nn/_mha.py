"""Multi-head attention, interchangeable with :class:`torch.nn.MultiheadAttention`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from ..dynamics.checks import check_integer, check_probability
from . import _masks
from ._base import AttentionCore
from ._checks import (
    checks_enabled,
    divides,
    finite_inputs,
    finite_outputs,
    flag,
    float_tensor,
    matches_module,
    within_limit,
)


def _device(device: object) -> torch.device | None:
    """``device`` as a torch.device (None stays None); ValueError for an unknown one."""
    if device is None or isinstance(device, torch.device):
        return device
    if not isinstance(device, (str, int)) or isinstance(device, bool):
        raise TypeError(f"device must be a torch.device, a string or None, got {device!r}")
    try:
        parsed = torch.device(device)
        torch.empty(0, device=parsed)  # an unavailable backend fails here
    except (RuntimeError, AssertionError) as exc:
        raise ValueError(f"device {device!r} is not available: {exc}") from None
    return parsed


def _dtype(dtype: object) -> torch.dtype | None:
    """``dtype`` if it is a floating torch dtype or None, else TypeError/ValueError."""
    if dtype is None:
        return None
    if not isinstance(dtype, torch.dtype):
        raise TypeError(f"dtype must be a torch.dtype or None, got {dtype!r}")
    if not dtype.is_floating_point:
        raise ValueError(f"dtype must be a floating dtype, got {dtype}")
    return dtype


class MultiHeadAttention(AttentionCore):
    r"""Multi-head attention (Vaswani et al. 2017, section 3.2.2) with grouped-query heads.

    .. math::

        \operatorname{MultiHead}(Q, K, V) = [\text{head}_1; \dots; \text{head}_h] W^O,
        \qquad \text{head}_i = \operatorname{Attention}(Q W_i^Q, K W_{g(i)}^K, V W_{g(i)}^V)

    with ``g(i) = i // (num_heads / num_kv_heads)`` (grouped-query attention, Ainslie et
    al. 2023; ``num_kv_heads == num_heads`` is standard multi-head attention).

    Parameters and state-dict keys match :class:`torch.nn.MultiheadAttention`
    (``in_proj_weight`` or ``q/k/v_proj_weight``, ``in_proj_bias``, ``out_proj``), so
    :meth:`from_torch` / :meth:`load_torch_state_dict` copy weights across and the two
    modules then compute the same outputs to rounding (tested).

    Parameters
    ----------
    embed_dim, num_heads : int
        Model width E and query heads H; H must divide E.
    dropout : float
        Dropout on the attention weights, training mode only.
    bias : bool
        Biases on the input and output projections.
    kdim, vdim : int, optional
        Feature sizes of key and value inputs (default E).
    batch_first : bool
        Inputs and outputs are (B, L, E) if True (the default here; torch's default is
        False, i.e. (L, B, E)). Unbatched (L, E) inputs also work.
    num_kv_heads : int, optional
        Key/value heads Hk (must divide H); default H.
    causal : bool
        Always apply a causal mask (query i sees keys j <= i).
    mask_convention : {"keep", "additive", "torch"}
        How ``key_padding_mask`` and ``attn_mask`` are read. ``"keep"`` (default, the
        project's convention): ``True``/non-zero takes part, so a key padding mask is
        ``True`` at real tokens. ``"torch"``: torch's meaning (``True`` = ignored, float
        masks additive), for drop-in ports; :meth:`from_torch` uses it.

    Inputs must have the dtype and device of the layer's parameters (ValueError saying
    which to convert), except under :func:`torch.autocast`. Non-finite inputs propagate
    as in :class:`torch.nn.MultiheadAttention` unless check mode is on
    (:class:`~neuroattn.nn.set_checks`); see :class:`~neuroattn.nn.Attention`.

    References
    ----------
    Vaswani, A. et al. (2017). Attention is all you need. NeurIPS 30.
    Ainslie, J. et al. (2023). GQA: training generalized multi-query transformer models
    from multi-head checkpoints. EMNLP.
    """

    def __init__(
        self,
        embed_dim: int,
        num_heads: int,
        dropout: float = 0.0,
        bias: bool = True,
        kdim: int | None = None,
        vdim: int | None = None,
        *,
        batch_first: bool = True,
        num_kv_heads: int | None = None,
        causal: bool = False,
        mask_convention: str = "keep",
        device: torch.device | str | None = None,
        dtype: torch.dtype | None = None,
    ) -> None:
        super().__init__()
        kw: dict[str, Any] = {"device": _device(device), "dtype": _dtype(dtype)}
        self.embed_dim = check_integer(embed_dim, "embed_dim", ge=1)
        self.num_heads = check_integer(num_heads, "num_heads", ge=1)
        self.head_dim = divides(self.num_heads, self.embed_dim, "embed_dim")
        kv_heads = self.num_heads if num_kv_heads is None else num_kv_heads
        self.num_kv_heads = check_integer(kv_heads, "num_kv_heads", ge=1)
        if self.num_heads % self.num_kv_heads != 0:
            raise ValueError(
                f"num_kv_heads={self.num_kv_heads} must divide num_heads={self.num_heads}"
            )
        self.kdim = self.embed_dim if kdim is None else check_integer(kdim, "kdim", ge=1)
        self.vdim = self.embed_dim if vdim is None else check_integer(vdim, "vdim", ge=1)
        self.dropout = check_probability(dropout, "dropout")
        self.batch_first = flag(batch_first, "batch_first")
        self.causal = flag(causal, "causal")
        self.mask_convention = _masks.check_convention(mask_convention)
        bias = flag(bias, "bias")
        self.kv_dim = self.num_kv_heads * self.head_dim
        self.packed = self.kdim == self.vdim == self.embed_dim
        rows = self.embed_dim + 2 * self.kv_dim
        E, kv = self.embed_dim, self.kv_dim
        count = E * E + kv * (self.kdim + self.vdim) + E * E + (rows + E if bias else 0)
        within_limit(count, "max_parameters", "MultiHeadAttention's parameter count")
        if self.packed:
            self.in_proj_weight = nn.Parameter(torch.empty(rows, self.embed_dim, **kw))
        else:
            self.q_proj_weight = nn.Parameter(torch.empty(self.embed_dim, self.embed_dim, **kw))
            self.k_proj_weight = nn.Parameter(torch.empty(self.kv_dim, self.kdim, **kw))
            self.v_proj_weight = nn.Parameter(torch.empty(self.kv_dim, self.vdim, **kw))
        self.in_proj_bias = nn.Parameter(torch.empty(rows, **kw)) if bias else None
        self.out_proj = nn.Linear(self.embed_dim, self.embed_dim, bias=bias, **kw)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Xavier-uniform projections, zero biases (as torch.nn.MultiheadAttention)."""
        if self.packed:
            nn.init.xavier_uniform_(self.in_proj_weight)
        else:
            for w in (self.q_proj_weight, self.k_proj_weight, self.v_proj_weight):
                nn.init.xavier_uniform_(w)
        if self.in_proj_bias is not None:
            nn.init.zeros_(self.in_proj_bias)
            nn.init.zeros_(self.out_proj.bias)

    @classmethod
    def from_torch(
        cls, module: nn.MultiheadAttention, *, mask_convention: str = "torch"
    ) -> MultiHeadAttention:
        """A copy of a :class:`torch.nn.MultiheadAttention`, same weights and layout.

        The copy reads masks as torch does (``mask_convention="torch"``) unless told
        otherwise, so it is a drop-in replacement. ``add_bias_kv`` and ``add_zero_attn``
        are not supported (ValueError).
        """
        if not isinstance(module, nn.MultiheadAttention):
            raise TypeError(
                f"module must be a torch.nn.MultiheadAttention, got {type(module).__name__}"
            )
        if module.bias_k is not None or module.add_zero_attn:
            raise ValueError("add_bias_kv and add_zero_attn are not supported")
        ref = module.out_proj.weight
        layer = cls(
            module.embed_dim,
            module.num_heads,
            dropout=module.dropout,
            bias=module.in_proj_bias is not None,
            kdim=module.kdim,
            vdim=module.vdim,
            batch_first=module.batch_first,
            mask_convention=mask_convention,
            device=ref.device,
            dtype=ref.dtype,
        )
        layer.load_torch_state_dict(module.state_dict())
        layer.train(module.training)
        return layer

    def load_torch_state_dict(self, state_dict: Mapping[str, Tensor]) -> None:
        """Load a :class:`torch.nn.MultiheadAttention` state dict (same key names)."""
        if not isinstance(state_dict, Mapping):
            raise TypeError(f"state_dict must be a mapping, got {type(state_dict).__name__}")
        if "bias_k" in state_dict or "bias_v" in state_dict:
            raise ValueError("state dicts with bias_k / bias_v (add_bias_kv) are not supported")
        if self.num_kv_heads != self.num_heads:
            raise ValueError("torch.nn.MultiheadAttention has no grouped-query heads")
        try:
            self.load_state_dict(dict(state_dict), strict=True)
        except RuntimeError as exc:  # missing, unexpected or mis-shaped entries
            raise ValueError(" ".join(str(exc).split())) from None

    def _project(self, query: Tensor, key: Tensor, value: Tensor) -> tuple[Tensor, ...]:
        """Input projections Q W^Q, K W^K, V W^V (three products, each output contiguous)."""
        E, kv = self.embed_dim, self.kv_dim
        b = self.in_proj_bias
        bq, bk, bv = (None, None, None) if b is None else b.split([E, kv, kv])  # (E,), (kv,), (kv,)
        if self.packed:
            wq, wk, wv = self.in_proj_weight.split([E, kv, kv])  # (E, E), (kv, E), (kv, E)
        else:
            wq, wk, wv = self.q_proj_weight, self.k_proj_weight, self.v_proj_weight
        q = F.linear(query, wq, bq)  # (B, L, E) or (L, B, E)
        k = F.linear(key, wk, bk)  # (B, S, kv) or (S, B, kv)
        v = F.linear(value, wv, bv)  # (B, S, kv) or (S, B, kv)
        return q, k, v

    def forward(
        self,
        query: Tensor,
        key: Tensor | None = None,
        value: Tensor | None = None,
        key_padding_mask: Tensor | None = None,
        need_weights: bool = True,
        attn_mask: Tensor | None = None,
        average_attn_weights: bool = True,
        is_causal: bool = False,
    ) -> tuple[Tensor, Tensor | None]:
        """Attend from ``query`` to ``key``/``value`` (default: self-attention).

        Shapes (batch_first): query (B, L, E), key (B, S, kdim), value (B, S, vdim),
        key_padding_mask (B, S), attn_mask (L, S), (B·H, L, S) or broadcasting to
        (B, H, L, S). Returns output (B, L, E) and, if ``need_weights``, weights
        (B, L, S) averaged over heads or (B, H, L, S). Argument order follows torch.

        Masks are read by ``mask_convention`` (default ``"keep"``: ``True`` = takes part,
        the opposite of torch's bool masks; :meth:`from_torch` copies read them as torch
        does). ``is_causal=True`` applies the causal mask itself (combined with any
        ``attn_mask``); in torch it is only a hint that ``attn_mask`` is causal.
        """
        key = query if key is None else key
        value = key if value is None else value
        unbatched = self._check_inputs(query, key, value)
        checking = checks_enabled()
        if checking:
            finite_inputs(("query", query), ("key", key), ("value", value))
        fast = self.takes_fast_path(need_weights)
        q, k, v = self._heads(query, key, value, unbatched, seq_first=not fast)
        B, _, L, _ = q.shape  # q (B, H, L, Dh); k, v (B, Hk, S, Dh)
        S = k.shape[2]
        # key padding and attention masks merged, broadcasting to (B, H, L, S)
        mask = self._mask(key_padding_mask, attn_mask, B, L, S, q.dtype, unbatched)
        context, weights = self.attend(  # (B, H, L, Dh), (B, H, L, S) or None
            q, k, v, mask, need_weights=need_weights, causal=self.causal or is_causal
        )
        out = self._output(context, unbatched)  # (B, L, E) or (L, B, E) or (L, E)
        if checking:
            finite_outputs(("output", out), ("attention weights", weights))
        if weights is None:
            return out, None
        if average_attn_weights:
            weights = weights.mean(dim=1)  # (B, L, S)
        return out, (weights.squeeze(0) if unbatched else weights)  # ([B,] [H,] L, S)

    def _output(self, ctx: Tensor, unbatched: bool) -> Tensor:
        """Concatenate the heads of ctx (B, H, L, Dh) and apply W^O, in the caller's layout."""
        B, _, L, _ = ctx.shape
        if unbatched or self.batch_first:
            out = self.out_proj(ctx.transpose(1, 2).reshape(B, L, self.embed_dim))  # (B, L, E)
            return out.squeeze(0) if unbatched else out
        return self.out_proj(ctx.permute(2, 0, 1, 3).reshape(L, B, self.embed_dim))  # (L, B, E)

    def _check_inputs(self, query: Tensor, key: Tensor, value: Tensor) -> bool:
        """Validate feature sizes and ranks; return True for unbatched (L, E) inputs."""
        for name, x, dim in (
            ("query", query, self.embed_dim),
            ("key", key, self.kdim),
            ("value", value, self.vdim),
        ):
            float_tensor(x, name, 2)
            if x.shape[-1] != dim:
                raise ValueError(f"{name} must have {dim} features, got shape {tuple(x.shape)}")
        if not (query.ndim == key.ndim == value.ndim) or query.ndim > 3:
            raise ValueError(
                "query, key and value must all be (L, E) unbatched or all 3-D, got shapes "
                f"{tuple(query.shape)}, {tuple(key.shape)}, {tuple(value.shape)}"
            )
        b = 0 if self.batch_first else 1
        if query.ndim == 3 and not (query.shape[b] == key.shape[b] == value.shape[b]):
            raise ValueError(
                f"query, key and value must share the batch size, got shapes "
                f"{tuple(query.shape)}, {tuple(key.shape)}, {tuple(value.shape)}"
            )
        if key.shape[:-1] != value.shape[:-1]:
            raise ValueError(
                f"key and value must have the same length, got {tuple(key.shape)} "
                f"and {tuple(value.shape)}"
            )
        matches_module(self, ("query", query), ("key", key), ("value", value))
        return query.ndim == 2

    def _heads(
        self, query: Tensor, key: Tensor, value: Tensor, unbatched: bool, seq_first: bool
    ) -> tuple[Tensor, Tensor, Tensor]:
        """Project the inputs and split heads: (B, H, L, Dh), (B, Hk, S, Dh), (B, Hk, S, Dh).

        With ``seq_first`` the projections run on contiguous (L, B, ·) inputs, so each
        (B, H) view merges into one batch dimension for the weights path's matrix products
        without copies. Otherwise they run batch first, the layout in which the fused
        kernel's output needs no copy to merge the heads again.
        """
        seq = seq_first or (not self.batch_first and not unbatched)

        def arrange(x: Tensor) -> Tensor:
            """(L, B, F) if ``seq`` else (B, L, F), from the caller's layout."""
            if unbatched:
                return x.unsqueeze(1) if seq else x.unsqueeze(0)  # (L, 1, F) or (1, L, F)
            if seq == self.batch_first:
                return x.transpose(0, 1).contiguous()  # the other layout, contiguous
            return x

        # self-attention passes one tensor three times: arrange (copy) it once
        query_in = arrange(query)  # (L, B, E) or (B, L, E)
        key_in = query_in if key is query else arrange(key)  # (S, B, kdim) or (B, S, kdim)
        if value is key or value is query:
            value_in = key_in if value is key else query_in  # (S, B, vdim) or (B, S, vdim)
        else:
            value_in = arrange(value)  # (S, B, vdim) or (B, S, vdim)
        q, k, v = self._project(query_in, key_in, value_in)
        H, Hk, Dh = self.num_heads, self.num_kv_heads, self.head_dim
        if seq:
            L, B, S = q.shape[0], q.shape[1], k.shape[0]
            q = q.view(L, B, H, Dh).permute(1, 2, 0, 3)  # (B, H, L, Dh)
            k = k.view(S, B, Hk, Dh).permute(1, 2, 0, 3)  # (B, Hk, S, Dh)
            v = v.view(S, B, Hk, Dh).permute(1, 2, 0, 3)  # (B, Hk, S, Dh)
            return q, k, v
        B, L, S = q.shape[0], q.shape[1], k.shape[1]
        q = q.view(B, L, H, Dh).transpose(1, 2)  # (B, H, L, Dh)
        k = k.view(B, S, Hk, Dh).transpose(1, 2)  # (B, Hk, S, Dh)
        v = v.view(B, S, Hk, Dh).transpose(1, 2)  # (B, Hk, S, Dh)
        return q, k, v

    def _mask(
        self,
        key_padding_mask: Tensor | None,
        attn_mask: Tensor | None,
        B: int,
        L: int,
        S: int,
        dtype: torch.dtype,
        unbatched: bool,
    ) -> Tensor | None:
        """Merge key padding and attention masks into one normal-form (B, H, L, S) mask."""
        conv = self.mask_convention
        device = self.out_proj.weight.device
        pad = _masks.normalize(key_padding_mask, conv, dtype, "key_padding_mask", device)  # (B, S)
        if pad is not None:
            if unbatched and pad.ndim == 1:
                pad = pad.unsqueeze(0)  # (1, S)
            if tuple(pad.shape) != (B, S):
                raise ValueError(
                    f"key_padding_mask must have shape (batch, keys) = {(B, S)}, "
                    f"got {tuple(pad.shape)}"
                )
            pad = pad.view(B, 1, 1, S)  # (B, 1, 1, S)
        attn = _masks.normalize(attn_mask, conv, dtype, "attn_mask", device)  # (L, S), (B·H, L, S)
        if attn is not None and attn.ndim == 3 and attn.shape[0] == B * self.num_heads > 1:
            attn = attn.view(B, self.num_heads, L, S)  # torch's (B·H, L, S) layout
        _masks.check_shape(attn, (B, self.num_heads, L, S), "attn_mask")
        return _masks.merge(pad, attn, dtype)  # broadcasts to (B, H, L, S)

    def extra_repr(self) -> str:
        return (
            f"embed_dim={self.embed_dim}, num_heads={self.num_heads}, "
            f"num_kv_heads={self.num_kv_heads}, kdim={self.kdim}, vdim={self.vdim}, "
            f"dropout={self.dropout}, batch_first={self.batch_first}, causal={self.causal}"
        )
