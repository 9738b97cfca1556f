"""An experiment's config as TOML: the commented example, and a file read into the dataclass.

Every experiment's settings are a frozen dataclass whose defaults carry a comment saying
where each value comes from (published or ours). :func:`example_toml` writes those defaults
as a TOML file with the comments taken from the class's source (the trailing ``#`` comment
and the comment lines just above each field; the numpydoc ``Attributes`` entry when there
are none). :func:`load_toml` reads such a file back: keys are the fields (flat, or inside a
table named after the experiment), TOML arrays become tuples, integers become floats where
the default is a float, and the dataclass's own ``__post_init__`` checks the values, so an
error names the field in the words of :mod:`neuroattn.dynamics.checks`.
"""

from __future__ import annotations

import ast
import dataclasses
import inspect
import io
import json
import math
import sys
import textwrap
import tokenize
from collections.abc import Mapping
from enum import Enum
from pathlib import Path
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

from ._registry import get

__all__ = ["config_from_mapping", "example_toml", "load_toml"]


def _source_comments(cls: type) -> dict[str, list[str]]:
    """Comments of each field in the class body: lines just above, then the trailing one."""
    try:
        source = textwrap.dedent(inspect.getsource(cls))
    except (OSError, TypeError):
        return {}
    comments: dict[int, str] = {}
    try:
        for tok in tokenize.generate_tokens(io.StringIO(source).readline):
            if tok.type == tokenize.COMMENT:
                comments[tok.start[0]] = tok.string.lstrip("#").strip()
    except (tokenize.TokenError, SyntaxError):  # pragma: no cover - source that compiled
        return {}
    tree = ast.parse(source)
    body = tree.body[0].body if tree.body and isinstance(tree.body[0], ast.ClassDef) else []
    lines = source.splitlines()
    out: dict[str, list[str]] = {}
    for node in body:
        if not (isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name)):
            continue
        above: list[str] = []
        row = node.lineno - 1
        while row >= 1 and lines[row - 1].strip().startswith("#") and row in comments:
            above.insert(0, comments[row])
            row -= 1
        end = node.end_lineno or node.lineno
        trailing = [comments[r] for r in range(node.lineno, end + 1) if r in comments]
        text = [c for c in above + trailing if c and c != "fmt: skip"]
        if text:
            out[node.target.id] = text
    return out


def _doc_comments(cls: type) -> dict[str, list[str]]:
    """Field descriptions from a numpydoc ``Attributes``/``Parameters`` section."""
    doc = inspect.getdoc(cls) or ""
    out: dict[str, list[str]] = {}
    current: str | None = None
    names = {f.name for f in dataclasses.fields(cls)}
    for line in doc.splitlines():
        if line and not line[0].isspace():
            head = line.split(":")[0].strip()
            current = head if head in names else None
            if current is not None:
                out[current] = []
        elif current is not None and line.strip():
            out[current].append(line.strip())
    return {k: [" ".join(v)] for k, v in out.items() if v}


def field_comments(cls: type) -> dict[str, list[str]]:
    """The comment lines of each field of the dataclass ``cls`` (source first, then doc)."""
    found = _doc_comments(cls)
    found.update(_source_comments(cls))
    return found


def _toml_value(value: Any) -> str | None:
    """``value`` in TOML syntax, or None when TOML cannot say it."""
    if isinstance(value, Enum):
        value = value.value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if hasattr(value, "tolist") and not isinstance(value, Mapping):
        value = value.tolist()
        if not isinstance(value, list):
            return _toml_value(value)
    if isinstance(value, list | tuple):
        items = [_toml_value(v) for v in value]
        return None if None in items else "[" + ", ".join(i for i in items if i) + "]"
    if isinstance(value, Mapping):
        pairs = [(str(k), _toml_value(v)) for k, v in value.items()]
        if any(v is None for _, v in pairs):
            return None
        return "{" + ", ".join(f"{json.dumps(k)} = {v}" for k, v in pairs) + "}"
    return None


def _default(f: dataclasses.Field[Any]) -> Any:
    if f.default is not dataclasses.MISSING:
        return f.default
    if f.default_factory is not dataclasses.MISSING:
        return f.default_factory()
    return dataclasses.MISSING


def _example_lines(cls: type, table: str | None) -> list[str]:
    comments = field_comments(cls)
    lines: list[str] = []
    nested: list[tuple[str, type]] = []
    for f in dataclasses.fields(cls):
        if not f.init:
            continue
        default = _default(f)
        if dataclasses.is_dataclass(default) and not isinstance(default, type):
            nested.append((f.name, type(default)))
            continue
        lines.extend(f"# {c}" for c in comments.get(f.name, []))
        text = None if default is dataclasses.MISSING else _toml_value(default)
        if text is None:
            shown = "required" if default is dataclasses.MISSING else repr(default)
            lines.append(f"# {f.name} = …   (default: {shown})")
        else:
            lines.append(f"{f.name} = {text}")
    for name, sub in nested:
        key = f"{table}.{name}" if table else name
        lines.extend(["", f"[{key}]", *_example_lines(sub, key)])
    return lines


def example_toml(name: str) -> str:
    """The commented TOML config of experiment ``name``, its defaults spelled out."""
    exp = get(name)
    head = [
        f"# neuroattn experiment {name}: {exp.summary}",
        f"# Run:  neuroattn experiment {name} -c this.toml -o results/",
        "# Every field is optional; the values below are the defaults.",
    ]
    if exp.quick:
        quick = ", ".join(f"{k} = {_toml_value(v) or repr(v)}" for k, v in exp.quick.items())
        head.append(f"# Quick settings (--quick, make demo): {quick}")
    return "\n".join([*head, "", *_example_lines(exp.config, None)]) + "\n"


def _coerce(value: Any, default: Any, where: str) -> Any:
    """A TOML value shaped like the field's default (arrays → tuples, ints → floats)."""
    if isinstance(value, dict):
        if dataclasses.is_dataclass(default) and not isinstance(default, type):
            return config_from_mapping(type(default), value, prefix=f"{where}.")
        return value
    if isinstance(value, list):
        if isinstance(default, list):
            return [_coerce(v, None, where) for v in value]
        return tuple(_coerce(v, None, where) for v in value)
    if isinstance(default, float) and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    return value


def config_from_mapping(cls: type, data: Mapping[str, Any], *, prefix: str = "") -> Any:
    """Build the dataclass ``cls`` from ``data`` (TOML-shaped); unknown keys are a ValueError
    naming them and the valid ones; the values are checked by the class itself."""
    fields = {f.name: f for f in dataclasses.fields(cls) if f.init}
    kwargs: dict[str, Any] = {}
    for key, value in data.items():
        if key not in fields:
            raise ValueError(
                f"{prefix}{key} is not a setting of this experiment; "
                f"use one of: {', '.join(sorted(fields))}"
            )
        kwargs[key] = _coerce(value, _default(fields[key]), f"{prefix}{key}")
    return cls(**kwargs)


def load_toml(name: str, path: str | Path) -> Any:
    """The config of experiment ``name`` read from the TOML file ``path``.

    The keys may stand at the top of the file or inside a ``[<name>]`` table.

    Raises
    ------
    ValueError
        For a file that is not TOML, an unknown key or a bad value (the message names the
        file and the field).
    OSError
        When the file cannot be read.
    """
    exp = get(name)
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise ValueError(f"{path}: not a UTF-8 text file") from None
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(f"{path}: not valid TOML ({exc})") from None
    if set(data) == {name} and isinstance(data[name], dict):
        data = data[name]
    try:
        return config_from_mapping(exp.config, data)
    except (ValueError, TypeError) as exc:
        kind = TypeError if isinstance(exc, TypeError) else ValueError
        raise kind(f"{path.name}: {exc}") from None
