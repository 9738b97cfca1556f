"""Fuzz the experiments' command line: generated TOML configs for every registered experiment,
``neuroattn experiment`` on them, and generated baselines for ``neuroattn validate``.

The promise: a config file becomes the experiment's config or a ValueError/TypeError naming
the file; at the command line, exit 0 with the files written, or exit 2 with one line and
nothing written; a baseline is read as {experiment: {measure: agrees}} or refused in one line.
"""

from __future__ import annotations

import contextlib
import dataclasses
import io
import json
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from neuroattn import cli
from neuroattn.experiments import _configio, _validate, available, get

from ..experiments._toys import TOYS, ToyConfig, only_toys  # noqa: F401
from ._strategies import FUZZ, TOML_VALUES, to_toml

NAMES = available()  # the real experiments registered so far


def _fields(cls: type) -> list[str]:
    return [f.name for f in dataclasses.fields(cls) if f.init]


@st.composite
def config_docs(draw: Any, cls: type) -> dict[str, Any]:
    """One to three fields of ``cls`` (or a stray key) set to generated values."""
    keys = [*_fields(cls), "not_a_field"]
    doc: dict[str, Any] = {}
    for _ in range(draw(st.integers(1, 3))):
        key = draw(st.sampled_from(keys))
        doc[key] = draw(TOML_VALUES)
    return doc


@contextlib.contextmanager
def _written(text: str) -> Iterator[Path]:
    """``text`` in a file ``config.toml`` of a fresh folder, removed afterwards."""
    with tempfile.TemporaryDirectory(prefix="neuroattn-fuzz-") as folder:
        path = Path(folder) / "config.toml"
        path.write_text(text, encoding="utf-8")
        yield path


@FUZZ
@given(data=st.data())
def test_every_experiment_reads_generated_configs_or_names_the_problem(data):
    if not NAMES:  # pragma: no cover - before the first experiment lands
        return
    name = data.draw(st.sampled_from(NAMES))
    exp = get(name)
    with _written(to_toml(data.draw(config_docs(exp.config)))) as path:
        try:
            config = _configio.load_toml(name, path)
        except (ValueError, TypeError) as exc:
            message = str(exc)
            assert message.startswith("config.toml: ") and "\n" not in message.strip(), message
        else:
            assert isinstance(config, exp.config)


def _run_cli(*argv: str) -> tuple[int, list[str]]:
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        code = cli.main(list(argv))
    return code, [line for line in err.getvalue().splitlines() if line.strip()]


@FUZZ
@given(doc=config_docs(ToyConfig))
def test_the_experiment_command_on_generated_configs(only_toys, doc):  # noqa: F811
    with _written(to_toml(doc)) as path:
        _experiment_promise(path)


def _experiment_promise(path: Path) -> None:
    out = path.parent / "out"
    code, err = _run_cli("experiment", "toy-a", "-c", str(path), "-o", str(out))
    assert code in (0, 2), (code, err)
    if code == 2:
        assert len(err) == 1 and err[0].startswith("error: "), err
        assert not out.exists()
    else:
        assert sorted(p.name for p in out.iterdir()) == ["results.json", "table.txt", "toy-a.png"]
        data = json.loads((out / "results.json").read_text())  # strict JSON: no NaN
        assert "NaN" not in json.dumps(data) and data["name"] == "toy-a"
    leftovers = [p.name for p in path.parent.iterdir() if p.name.startswith(".out.")]
    assert not leftovers


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=4),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner,
                                                                  max_size=3),
    max_leaves=8,
)  # fmt: skip
_NEAR = st.fixed_dictionaries(
    {"findings": st.dictionaries(st.sampled_from(["toy-a", "x"]),
                                 st.dictionaries(st.sampled_from(["ratio", "m"]),
                                                 st.booleans() | _JSON, max_size=2),
                                 max_size=2)}
)  # fmt: skip


@FUZZ
@given(doc=st.one_of(_JSON, _NEAR), raw=st.booleans())
def test_generated_baselines_are_read_or_refused_in_one_line(only_toys, doc, raw):  # noqa: F811
    with _written(json.dumps(doc)[:-1] if raw else json.dumps(doc)) as path:  # raw: cut short
        _baseline_promise(path)


def _baseline_promise(path: Path) -> None:
    try:
        found = _validate.read_baseline(path)
    except ValueError as exc:
        assert str(exc).startswith(str(path))
    else:
        assert all(isinstance(v, bool) for m in found.values() for v in m.values())
    code, err = _run_cli(
        "validate", "-o", str(path.parent / "v"), "--only", "toy-a", "--baseline", str(path), "-q"
    )
    assert code in (0, 2, 3), (code, err)
    if code == 2:
        assert len(err) == 1 and err[0].startswith("error: "), err
    assert set(TOYS) == set(available())
