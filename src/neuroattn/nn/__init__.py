"""PyTorch attention layers (the source's section 5) and the competition stage as a layer.

Import explicitly (torch is an optional extra)::

    import neuroattn.nn as nna

Every layer that computes attention weights returns or records them; masks follow SDPA
(``True`` takes part) and accept the source's ``mask == 0`` convention (see
:mod:`neuroattn.nn._masks`). The query/key/value layers share one forward,
``(Q, K, V, mask=None, *, need_weights=True) -> (context, weights | None)``, written once in
:class:`Attention` (a new layer overrides ``normalize`` only); layers are built by name with
:func:`create`.
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
    "create",
    "plot_attention",
    "plot_spatial_map",
    "record_attention",
    "register",
    "width_parameter",
]
