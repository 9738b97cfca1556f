"""The applications' shared plumbing: config files (apps._configio) and run directories
(apps._rundir), checked on a toy config against tomllib and hand-written expectations."""

from __future__ import annotations

import math
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

from neuroattn.apps import _configio, _rundir


@dataclass(frozen=True)
class Toy(_configio.TomlFields):
    name: str = "a"
    steps: int = 3
    rate: float = 0.5
    flag: bool = False

    def __post_init__(self) -> None:
        if self.steps < 1:
            raise ValueError(f"steps must be >= 1, got {self.steps}")


def test_to_toml_is_read_back_by_tomllib_to_the_same_values() -> None:
    cfg = Toy(name='q"\\\x01\x7f é', steps=7, rate=math.inf, flag=True)
    data = tomllib.loads(cfg.to_toml())
    assert data == {"name": 'q"\\\x01\x7f é', "steps": 7, "rate": math.inf, "flag": True}
    assert _configio.config_from_mapping(Toy, data, table="toy", finite=False) == cfg


def test_a_table_named_after_the_app_and_ints_for_floats() -> None:
    cfg = _configio.config_from_mapping(Toy, {"toy": {"rate": 2, "steps": 4}}, table="toy")
    assert cfg == Toy(rate=2.0, steps=4) and isinstance(cfg.rate, float)


@pytest.mark.parametrize(
    ("data", "kind", "message"),
    [
        ({"step": 1}, ValueError, "step is not a setting; use one of: name, steps, rate, flag"),
        ({"steps": "3"}, TypeError, "steps must be an integer, got '3'"),
        ({"steps": True}, TypeError, "steps must be an integer, got True"),
        ({"flag": 1}, TypeError, "flag must be true or false, got 1"),
        ({"rate": "x"}, TypeError, "rate must be a number, got 'x'"),
        ({"rate": math.nan}, ValueError, "rate must be a finite number, got nan"),
        ({"steps": 0}, ValueError, "steps must be >= 1, got 0"),
        ([1, 2], TypeError, "config must be a mapping, got list"),
    ],
)
def test_bad_settings_are_one_line_naming_the_field(data: Any, kind: type, message: str) -> None:
    with pytest.raises(kind) as info:
        _configio.config_from_mapping(Toy, data, table="toy")
    assert str(info.value) == message


def test_load_config_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_text("steps = 'x'\n", encoding="utf-8")
    with pytest.raises(TypeError, match=r"c\.toml: steps must be an integer, got 'x'$"):
        _configio.load_config(Toy, path, table="toy")
    path.write_text("steps = [\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"c\.toml: not valid TOML"):
        _configio.load_config(Toy, path, table="toy")
    path.write_bytes(b"\xff\xfe")
    with pytest.raises(ValueError, match=r"c\.toml: not a UTF-8 text file"):
        _configio.load_config(Toy, path, table="toy")
    with pytest.raises(ValueError, match=r"missing\.toml: cannot read the config"):
        _configio.load_config(Toy, tmp_path / "missing.toml", table="toy")


def test_check_resumable_refuses_other_settings_and_gives_the_step(tmp_path: Path) -> None:
    payloads = {"last.pt": {"config": {"steps": 3, "rate": 0.5}, "step": 12}}

    def read(path: Path) -> dict[str, Any]:
        if path.name not in payloads:
            raise ValueError(f"{path}: damaged")
        return payloads[path.name]

    def saved(data: dict[str, Any], where: Path) -> Toy:
        return Toy(**data["config"])

    def check(cfg: Toy) -> int:
        return _rundir.check_resumable(
            tmp_path, cfg, read=read, saved_config=saved, resumable=("rate",)
        )

    assert check(Toy()) == 0  # no last.pt: a fresh run
    (tmp_path / "last.pt").write_bytes(b"")
    assert check(Toy(rate=0.1)) == 12  # rate may change on resume
    with pytest.raises(ValueError, match="trained with steps = 3, not 4; resume with the same"):
        check(Toy(steps=4))
    (tmp_path / "best.pt").write_bytes(b"")
    with pytest.raises(ValueError, match=r"best\.pt: damaged"):
        check(Toy())
    assert _rundir.last_step(tmp_path, read) == 12
    assert _rundir.interrupted(None).endswith("from the start (no checkpoint yet)")


def test_settings_and_finish(tmp_path: Path) -> None:
    def load(path: Path) -> Toy:
        return _configio.load_config(Toy, path, table="toy")

    assert _rundir.settings(tmp_path, None, load, Toy) == Toy()
    _rundir.write_files(tmp_path, {_rundir.CONFIG: Toy(steps=9).to_toml()})
    assert _rundir.settings(tmp_path, None, load, Toy) == Toy(steps=9)
    info = _rundir.finish(tmp_path, {"step": 9})
    assert info == {"step": 9, "files": ["config.toml", "train.json"]}
    assert (tmp_path / "train.json").read_text(encoding="utf-8") == '{\n "step": 9\n}\n'


def test_summary_keys_in_order_and_nan_as_none() -> None:
    @dataclass
    class Result:
        step: int = 5
        seconds: float = 1.234
        stopped: str = "patience"
        best_dev: float = math.nan
        history: tuple[dict[str, float], ...] = ({"step": 5.0},)

    out = _rundir.summary({"task": "t"}, Result(), score="auc", resumed=2, tail={"x": 1})
    assert list(out) == [
        "task", "step", "seconds", "stopped", "best_dev_auc", "resumed_from", "x", "history",
    ]  # fmt: skip
    assert out["seconds"] == 1.23 and out["best_dev_auc"] is None
    assert out["history"] == [{"step": 5.0}]


def test_damaged_contents_is_one_value_error_naming_the_file() -> None:
    from neuroattn.apps._checkpoint import damaged_contents

    with pytest.raises(
        ValueError, match=r"^run/last\.pt: damaged checkpoint contents \('model'\)$"
    ):
        with damaged_contents("run/last.pt"):
            {}["model"]
    with pytest.raises(ValueError) as info:
        with damaged_contents("x.pt"):
            raise RuntimeError("size\n mismatch " + "y" * 300)
    assert str(info.value) == f"x.pt: damaged checkpoint contents (size mismatch {'y' * 146})"
    with damaged_contents("x.pt"):  # nothing wrong: nothing raised
        pass
