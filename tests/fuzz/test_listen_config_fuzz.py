"""Fuzz of ``neuroattn listen``'s config reader (``hearing._config.config_from_mapping``):
any TOML document either gives a ListenConfig or raises ValueError/TypeError."""

from __future__ import annotations

import sys
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from neuroattn.hearing._config import ListenConfig, config_from_mapping

from ._strategies import FUZZ, TOML_VALUES, to_toml

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

KEYS = {
    "encode": ["kind", "n_channels", "fmin", "fmax", "method", "compression", "exponent",
               "frame_ms", "hop_ms", "nope"],
    "features": ["surround_s", "pitch_range", "weights"],
    "scan": ["n_bands", "alpha", "beta", "threshold", "rate_threshold", "tau_ms", "dwell_ms",
             "max_captures"],
    "attention": ["peak", "width_cam", "pitch_width", "n_harmonics", "pool_ms", "sigma"],
    "other": ["x"],
}  # fmt: skip


@st.composite
def documents(draw: st.DrawFn) -> dict[str, Any]:
    doc: dict[str, Any] = {}
    for table in draw(st.lists(st.sampled_from(sorted(KEYS)), max_size=3, unique=True)):
        keys = draw(st.lists(st.sampled_from(KEYS[table]), max_size=3, unique=True))
        doc[table] = {k: draw(TOML_VALUES) for k in keys}
    if draw(st.booleans()):
        doc["attend"] = draw(st.one_of(st.sampled_from(["high", "500 Hz", "voice at 90 Hz"]),
                                       TOML_VALUES))  # fmt: skip
    return doc


@FUZZ
@given(doc=documents())
def test_config_from_mapping_keeps_its_promise(doc: dict[str, Any]) -> None:
    try:
        data = tomllib.loads(to_toml(doc))
    except (tomllib.TOMLDecodeError, TypeError, ValueError):
        return
    try:
        config = config_from_mapping(data)
    except (ValueError, TypeError):
        return
    assert isinstance(config, ListenConfig)
