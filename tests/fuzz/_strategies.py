"""Hypothesis strategies shared by the fuzz suite: bad values of every kind, TOML text,
arrays of any shape, dtype and content, documents of an application's config."""

from __future__ import annotations

import dataclasses
import math
import os
from typing import Any

import numpy as np
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

# `make test` runs a fast profile; `make fuzz` sets NEUROATTN_FUZZ_EXAMPLES for a long one
EXAMPLES = int(os.environ.get("NEUROATTN_FUZZ_EXAMPLES", "15"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=EXAMPLES <= 15,  # CI: the same examples every run
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
SECONDS = 20.0  # every single run finishes within this bound

# numbers a new user might type, and the ones that break naive code
NUMBERS = st.sampled_from(
    [0, -1, 1, 2, 3, 0.5, -0.5, 1e-12, 1e-300, 1e6, 1e9, 1e300, 2**63 - 1, -(2**63),
     math.inf, -math.inf, math.nan]
)  # fmt: skip
SCALARS = st.one_of(
    NUMBERS,
    st.booleans(),
    st.text(max_size=8),
    st.sampled_from(["", "[red]x", "uniform", "nan", "-1", "1e9"]),
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.floats(allow_nan=True, allow_infinity=True),
)
_ANY_VALUE = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.sampled_from("abxyz"), inner, max_size=3)
    ),
    max_leaves=6,
)


def _toml_char(c: str) -> str:
    if c in '"\\':
        return "\\" + c
    if ord(c) < 0x20 or ord(c) == 0x7F:
        return f"\\u{ord(c):04x}"
    return c


def toml_value(v: Any) -> str:
    """A TOML literal for a Python value (inline tables for dicts)."""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        if math.isnan(v):
            return "nan"
        if math.isinf(v):
            return "inf" if v > 0 else "-inf"
        return repr(v)
    if isinstance(v, str):
        return '"' + "".join(_toml_char(c) for c in v) + '"'
    if isinstance(v, list):
        return "[" + ", ".join(toml_value(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{" + ", ".join(f"{k} = {toml_value(x)}" for k, x in v.items()) + "}"
    raise TypeError(type(v))


def to_toml(doc: dict[str, Any]) -> str:
    """TOML text of a two-level document: top-level tables of values and sub-tables."""
    lines: list[str] = []
    plain = {k: v for k, v in doc.items() if not isinstance(v, dict)}
    lines += [f"{k} = {toml_value(v)}" for k, v in plain.items()]

    def table(name: str, body: dict[str, Any]) -> None:
        lines.append(f"[{name}]")
        subs = {k: v for k, v in body.items() if isinstance(v, dict) and k.startswith("_t_")}
        lines.extend(f"{k} = {toml_value(v)}" for k, v in body.items() if k not in subs)
        for k, v in subs.items():
            table(f"{name}.{k[3:]}", v)

    for name, body in doc.items():
        if isinstance(body, dict):
            table(name, body)
    return "\n".join(lines) + "\n"


DTYPES = st.sampled_from(
    [np.float64, np.float32, np.float16, np.int64, np.uint8, np.bool_, np.complex128, object]
)


@st.composite
def arrays(draw: Any, max_dims: int = 4, max_side: int = 6) -> np.ndarray:
    """Arrays of any small shape (empty included), dtype and content (NaN, inf, huge)."""
    shape = tuple(draw(st.lists(st.integers(0, max_side), max_size=max_dims)))
    dtype = draw(DTYPES)
    fill = draw(st.sampled_from(["random", "nan", "inf", "huge", "zeros", "constant"]))
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    base = rng.normal(size=shape)
    base = {"nan": base * np.nan, "inf": base * np.inf, "huge": base * 1e300,
            "zeros": base * 0, "constant": base * 0 + 0.5}.get(fill, base)  # fmt: skip
    with np.errstate(invalid="ignore", over="ignore"):
        if dtype is object:
            return np.asarray(base, dtype=object)
        return np.asarray(base).astype(dtype)


@st.composite
def images(draw: Any, side: int, odd: tuple[int, ...]) -> np.ndarray:
    """Mostly ``side`` × ``side`` images (grey, one channel, RGB, RGBA, or of the shape
    ``odd``) of any dtype and content, sometimes an array of any other small shape."""
    if draw(st.booleans()):
        return draw(arrays(max_dims=3, max_side=6))
    base = draw(arrays(max_dims=0))
    square = (side, side)
    shape = draw(st.sampled_from([square, (*square, 1), (*square, 3), odd, (*square, 4)]))
    with np.errstate(invalid="ignore", over="ignore"):
        return np.broadcast_to(base, shape).copy()


# mostly numbers (valid kinds at extreme values reach deepest), sometimes anything at all
TOML_VALUES = st.one_of(NUMBERS, NUMBERS, _ANY_VALUE)


def settings_with_one_wild(
    good: dict[str, st.SearchStrategy[Any]], bad: dict[str, st.SearchStrategy[Any]]
) -> st.SearchStrategy[dict[str, Any]]:
    """Valid settings drawn from ``good`` with at most one field (or none) replaced by a
    value from ``bad`` (the experiments' config fuzz)."""

    @st.composite
    def draw_settings(draw: st.DrawFn) -> dict[str, Any]:
        values = {k: draw(v) for k, v in good.items()}
        field = draw(st.sampled_from([None, *bad]))
        if field is not None:
            values[field] = draw(bad[field])
        return values

    return draw_settings()


def config_docs(
    config: type,
    *,
    base: dict[str, Any] | None = None,
    near: st.SearchStrategy[Any] | None = None,
    most: int = 3,
) -> st.SearchStrategy[dict[str, Any]]:
    """Documents of an application's config (the apps' config fuzz): the ``base`` settings
    (tiny ones keep a run short) with zero to ``most`` keys set to generated values. A key
    is a field of the dataclass ``config`` or a stray one; a value is drawn from ``near``
    (values close to the valid ones, so that most documents get through) twice as often as
    from any TOML value."""
    fields = [f.name for f in dataclasses.fields(config)]
    named = st.sampled_from([*fields, "not_a_field"])
    keys = st.one_of(named, named, named, st.text(min_size=1, max_size=5))
    values = TOML_VALUES if near is None else st.one_of(near, near, TOML_VALUES)

    @st.composite
    def draw_doc(draw: st.DrawFn) -> dict[str, Any]:
        doc = dict(base or {})
        for _ in range(draw(st.integers(0, most))):
            doc[draw(keys)] = draw(values)
        return doc

    return draw_doc()
