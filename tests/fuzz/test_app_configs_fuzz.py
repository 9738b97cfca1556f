"""Fuzz of the applications' configs: one test, parametrised over the five applications.

The promise checked, for translate, speech, recommend, classify and detect: a generated
document (fields set near their valid values or to any TOML value, stray keys; at the top
or in the application's table) gives a config or one ValueError/TypeError, naming the file
when read from one; a config's TOML reads back equal, and the config from the mapping
equals the one from the file. Every accepted config's shared training fields lie within the
one table of bounds (``neuroattn.apps._schedule_fields``): no application skips it.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

pytest.importorskip("torch")

from neuroattn.apps._schedule_fields import SCHEDULE_INTEGERS, SCHEDULE_NUMBERS
from neuroattn.dynamics.checks import check_integer, check_number

from ._strategies import FUZZ, config_docs, to_toml

ERRORS = (ValueError, TypeError)
APPS = {"translate": "TranslateConfig", "speech": "SpeechConfig",
        "recommend": "RecommendConfig", "classify": "ClassifyConfig",
        "detect": "DetectConfig"}  # fmt: skip
SHARED = [*SCHEDULE_INTEGERS, *SCHEDULE_NUMBERS, "decay"]
# plausible values (many documents get through) beside the hostile ones
NEAR = st.one_of(
    st.integers(-2, 130),
    st.floats(-0.5, 1.5),
    st.sampled_from(["none", "cosine", "linear", "softmax", "din", "las", "spatial", ""]),
)
# values at and around the shared fields' bounds (0, 1, 1024 threads, the largest seed)
SHARED_NEAR = st.one_of(
    st.integers(-2, 3), st.floats(-0.5, 1.5), st.sampled_from([1024, 1025, 2**63 - 1, 10**9])
)
# what an application's config promises beyond reading back equal
INVARIANTS: dict[str, Callable[[Any], bool]] = {
    "detect": lambda cfg: 8 * cfg.max_scale <= cfg.size and bool(cfg.windows()),
}


def _module(app: str) -> Any:
    pytest.importorskip(f"neuroattn.apps.{app}")  # an extra may be missing
    return importlib.import_module(f"neuroattn.apps.{app}")


def _within_shared_bounds(cfg: Any) -> None:
    for name, limits in SCHEDULE_INTEGERS.items():
        check_integer(getattr(cfg, name), name, **limits)
    for name, bounds in SCHEDULE_NUMBERS.items():
        assert isinstance(getattr(cfg, name), float), name
        check_number(getattr(cfg, name), name, **bounds)


@pytest.mark.parametrize("app", list(APPS))
@FUZZ
@given(data=st.data(), table=st.booleans())
def test_config_keeps_its_promise(
    app: str, data: st.DataObject, table: bool, tmp_path_factory: Any
) -> None:
    module = _module(app)
    doc = data.draw(config_docs(getattr(module, APPS[app]), near=NEAR), label="doc")
    try:
        config = module.config_from_mapping({app: doc} if table else doc)
    except ERRORS:
        config = None
    path = tmp_path_factory.mktemp("cfg") / "c.toml"
    try:
        path.write_text(to_toml({app: doc}), encoding="utf-8")
    except (TypeError, UnicodeEncodeError):  # a value TOML cannot say
        return
    try:
        from_file = module.load_config(path)
    except ERRORS as exc:
        assert "c.toml" in str(exc)
        return
    assert config is None or config == from_file
    _within_shared_bounds(from_file)
    assert INVARIANTS.get(app, bool)(from_file)
    path.write_text(from_file.to_toml(), encoding="utf-8")
    assert module.load_config(path) == from_file


@pytest.mark.parametrize("app", list(APPS))
@FUZZ
@given(field=st.sampled_from(SHARED), value=st.one_of(SHARED_NEAR, SHARED_NEAR, NEAR))
def test_a_shared_field_obeys_the_one_table(app: str, field: str, value: Any) -> None:
    module = _module(app)
    try:
        config = module.config_from_mapping({field: value})
    except ERRORS as exc:
        assert str(exc).startswith(f"{field} ")
        return
    _within_shared_bounds(config)
