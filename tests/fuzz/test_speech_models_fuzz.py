"""Fuzz of the speech models' constructors: ``build_encoder`` (every encoder by name) and
``LAS`` with any encoder and decoder attention.

The promise checked: a call either builds a module whose forward pass on a small padded
batch gives the documented shapes (states (B, ceil(T / stride), out_dim), lengths
ceil(T_i / stride); logits (B, L, V)), or raises one ValueError/TypeError.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

torch = pytest.importorskip("torch")

from neuroattn.apps.speech import ATTENTIONS, ENCODERS, LAS, build_encoder  # noqa: E402

from ._strategies import FUZZ, NUMBERS  # noqa: E402

ERRORS = (ValueError, TypeError)
WILD = st.one_of(NUMBERS, st.booleans(), st.none(), st.text(max_size=6))
SMALL = st.one_of(st.integers(-1, 9), WILD)
NAMES = st.one_of(st.sampled_from([*ENCODERS, "", "BiGRU", "conformer"]), WILD)


def _batch() -> tuple[Any, Any]:
    torch.manual_seed(0)
    return torch.randn(2, 13, 8), torch.tensor([13, 6])


@FUZZ
@given(name=NAMES, hidden=SMALL, pyramid=SMALL, layers=SMALL, heads=SMALL, ffn=SMALL,
       dropout=st.one_of(st.sampled_from([0.0, 0.5, 1.0, -0.1, 2.0]), WILD))  # fmt: skip
def test_build_encoder_keeps_its_promise(
    name: Any, hidden: Any, pyramid: Any, layers: Any, heads: Any, ffn: Any, dropout: Any
) -> None:
    try:
        enc = build_encoder(name, 8, hidden_dim=hidden, pyramid=pyramid, layers=layers,
                            heads=heads, ffn_dim=ffn, dropout=dropout)  # fmt: skip
    except ERRORS:
        return
    x, lengths = _batch()
    with torch.no_grad():
        out, lens = enc.eval()(x, lengths)
    s = enc.stride
    assert lens.tolist() == [-(-13 // s), -(-6 // s)]
    assert out.shape == (2, -(-13 // s), enc.out_dim)


@FUZZ
@given(encoder=NAMES, attention=st.one_of(st.sampled_from([*ATTENTIONS, "dot"]), WILD),
       location=st.one_of(st.booleans(), WILD), heads=SMALL, hidden=SMALL)  # fmt: skip
def test_las_keeps_its_promise(
    encoder: Any, attention: Any, location: Any, heads: Any, hidden: Any
) -> None:
    try:
        model = LAS(8, 7, encoder=encoder, attention=attention, location=location, heads=heads,
                    hidden_dim=hidden, embed_dim=3, pyramid=1, layers=1, ffn_dim=8)  # fmt: skip
    except ERRORS:
        return
    x, lengths = _batch()
    with torch.no_grad():
        logits = model.eval()(x, lengths, torch.tensor([[1, 4, 5], [1, 6, 0]]))
    assert logits.shape == (2, 3, 7) and bool(torch.isfinite(logits).all())
