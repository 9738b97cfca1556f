"""The shared training fields' bounds (apps/_schedule_fields): every application's config
accepts and refuses the same values of them, with the same message.

The expected bounds are written out here, not read from the table, so that a change of the
table shows up as a failing test.
"""

from __future__ import annotations

import importlib
import math
from typing import Any

import pytest

pytest.importorskip("torch")

from neuroattn.apps._schedule_fields import check_schedule_fields
from neuroattn.apps._trainer import DECAYS, Schedule

APPS = ("translate", "speech", "recommend", "classify", "detect")
WITH_DECAY = ("speech", "classify", "detect")

ACCEPTED = [
    ("warmup", 1), ("warmup", 10**12), ("max_steps", 1), ("max_steps", 10**12),
    ("eval_every", 1), ("eval_every", 10**12), ("patience", 1), ("patience", 10**9),
    ("seed", 0), ("threads", 0), ("threads", 1024), ("lr", 1e-9), ("lr", 1.0),
    ("weight_decay", 0.0), ("weight_decay", 1.0), ("clip", 0.0), ("clip", 1e9),
    ("max_seconds", 0.0), ("max_seconds", 1e9),
]  # fmt: skip
REFUSED = [
    ("warmup", 0), ("max_steps", 0), ("eval_every", 0), ("patience", 0), ("seed", -1),
    ("seed", 2**63), ("threads", -1), ("threads", 1025), ("lr", 0.0), ("lr", 1.5),
    ("weight_decay", -0.1), ("weight_decay", 1.5), ("clip", -1.0), ("max_seconds", -1.0),
    ("max_seconds", math.inf), ("lr", math.nan), ("warmup", 2.0), ("seed", True),
]  # fmt: skip


def _config(app: str) -> type:
    pytest.importorskip(f"neuroattn.apps.{app}")  # an extra may be missing
    module = importlib.import_module(f"neuroattn.apps.{app}")
    return next(v for k, v in vars(module).items() if k.endswith("Config") and k[0] != "_")


@pytest.mark.parametrize("app", APPS)
@pytest.mark.parametrize(("field", "value"), ACCEPTED)
def test_every_app_accepts_the_shared_bounds(app: str, field: str, value: Any) -> None:
    config = _config(app)(**{field: value})
    assert getattr(config, field) == value
    assert type(getattr(config, field)) is type(value)
    assert getattr(Schedule.from_config(config, score="x"), field) == value


@pytest.mark.parametrize("app", APPS)
@pytest.mark.parametrize(("field", "value"), REFUSED)
def test_every_app_refuses_outside_the_shared_bounds(app: str, field: str, value: Any) -> None:
    with pytest.raises(ValueError, match=f"^{field} must be"):
        _config(app)(**{field: value})


@pytest.mark.parametrize("app", APPS)
def test_reals_are_written_back_as_floats(app: str) -> None:
    config = _config(app)(lr=1, weight_decay=0, clip=2, max_seconds=3)
    assert [type(getattr(config, f)) for f in ("lr", "weight_decay", "clip", "max_seconds")] == [
        float
    ] * 4


@pytest.mark.parametrize("app", WITH_DECAY)
def test_decay_is_one_of_the_trainers(app: str) -> None:
    for decay in DECAYS:
        assert _config(app)(decay=decay).decay == decay
    with pytest.raises(ValueError, match=r"^decay must be one of 'none', 'cosine'"):
        _config(app)(decay="linear")


def test_speech_keeps_its_narrower_seed() -> None:
    """Speech seeds torch with seed * 1_000_003 + step, so its seed stays below 2**32."""
    speech = _config("speech")
    assert speech(seed=2**32 - 1).seed == 2**32 - 1
    with pytest.raises(ValueError, match=r"^seed must be an integer >= 0 and <= 4\.29497e\+09"):
        speech(seed=2**32)
    for app in ("translate", "recommend", "classify", "detect"):
        assert _config(app)(seed=2**63 - 1).seed == 2**63 - 1


def test_the_check_names_a_missing_field() -> None:
    class Partial:
        lr = 0.1

    with pytest.raises(AttributeError, match="warmup"):
        check_schedule_fields(Partial())
