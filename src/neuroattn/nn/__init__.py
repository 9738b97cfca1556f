"""PyTorch attention layers (the source's section 5) and the competition stage as a layer.

Import explicitly (torch is an optional extra)::

    import neuroattn.nn as nna

Every layer that computes attention weights returns or records them; masks follow SDPA
(``True`` takes part) and accept the source's ``mask == 0`` convention (see
:mod:`neuroattn.nn._masks`). The query/key/value layers share one forward,
``(Q, K, V, mask=None, *, need_weights=True) -> (context, weights | None)``, written once in
:class:`Attention` (a new layer overrides ``normalize`` only); layers are built by name with
:func:`create`.

Non-finite values, dtypes and sizes
-----------------------------------
By default every layer lets NaN and inf flow through as torch's layers do (mostly NaN in
the affected rows; finite inputs whose scores overflow the dtype give NaN), at no cost and
with torch's quirks (see :class:`Attention`). ``nna.set_checks(True)`` -- or
``with nna.set_checks(True):`` -- turns on check mode: non-finite inputs, NaN or ``+inf``
in floating masks and overflowed outputs then raise ValueError (see
:mod:`neuroattn.nn._checks`). float16 and bfloat16 work in every layer (the competition
layer computes in float32 and casts back); inputs must share the dtype and device of a
layer's parameters. :data:`LIMITS` bounds the parameters of one layer, the size of one
weights tensor and the competition layer's Euler steps (ValueError beyond; assign to
raise them). Bad arguments raise ValueError, or TypeError for a value of the wrong kind.
"""

try:
    import torch as _torch  # noqa: F401
except ImportError as exc:  # pragma: no cover - exercised without torch only
    raise ImportError(
        "neuroattn.nn needs PyTorch, an optional extra: pip install 'neuroattn[torch]'"
    ) from exc

from ._base import Attention
from ._cbam import CBAM
from ._channel import ECA, ChannelAttention
from ._checks import LIMITS, checks_enabled, set_checks
from ._competitive import CompetitiveAttention
from ._masks import MASK_CONVENTIONS
from ._mha import MultiHeadAttention
from ._plot import plot_attention, plot_spatial_map
from ._record import AttentionRecord, record_attention
from ._registry import available, create, register, width_parameter
from ._sdpa import ScaledDotProductAttention
from ._seq2seq import AdditiveAttention, LuongAttention
from ._spatial import SpatialAttention

__all__ = [
    "CBAM",
    "ECA",
    "LIMITS",
    "MASK_CONVENTIONS",
    "AdditiveAttention",
    "Attention",
    "AttentionRecord",
    "ChannelAttention",
    "CompetitiveAttention",
    "LuongAttention",
    "MultiHeadAttention",
    "ScaledDotProductAttention",
    "SpatialAttention",
    "available",
    "checks_enabled",
    "create",
    "plot_attention",
    "plot_spatial_map",
    "record_attention",
    "register",
    "set_checks",
    "width_parameter",
]
