"""An application's settings as TOML: a flat, frozen dataclass read from a mapping or a file
and written back, with one-line errors that name the field.

Every application (translate, recommend, speech, classify) keeps its settings in a frozen
dataclass of ``str``, ``int``, ``float`` and ``bool`` fields whose ``__post_init__`` checks
the values with :mod:`neuroattn.dynamics.checks`. This module does what is the same for all
of them: the keys may stand at the top of the file or in a table named after the
application; an unknown key is a ValueError listing the valid ones; a value of the wrong
TOML type is a TypeError (``"<field> must be an integer, got '3'"``); an integer is taken
for a float; and a file that cannot be read or is not TOML is one line naming the file.
Nothing here is published; it is the house's config pattern (``docs/architecture.md``).

:mod:`neuroattn.experiments._configio` reads experiments' (nested) configs; it sits in a
sibling layer, so the two cannot share code, and the behaviours differ on purpose (this one
checks TOML types, that one leaves every check to the dataclass).
"""

from __future__ import annotations

import dataclasses
import math
import sys
import typing
from collections.abc import Mapping
from pathlib import Path
from typing import Any, TypeVar

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

__all__ = [
    "TomlFields",
    "check_same_settings",
    "config_from_mapping",
    "load_config",
    "read_toml",
    "to_toml",
    "toml_string",
]

_C = TypeVar("_C")
_KINDS = {str: "a string", int: "an integer", float: "a number", bool: "true or false"}


def toml_string(value: str) -> str:
    """``value`` as a TOML basic string (quotes, backslashes and control characters escaped)."""
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    escaped = "".join(
        c if ord(c) >= 0x20 and ord(c) != 0x7F else f"\\u{ord(c):04x}" for c in escaped
    )
    return f'"{escaped}"'


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and math.isinf(value):
        return "inf" if value > 0 else "-inf"
    if isinstance(value, float) and math.isnan(value):
        return "nan"
    if isinstance(value, (int, float)):
        return repr(value)
    return toml_string(str(value))


def to_toml(config: Any) -> str:
    """The fields of the flat dataclass ``config`` as TOML text, one ``name = value`` a line,
    that :func:`load_config` reads back to an equal config."""
    lines = [
        f"{f.name} = {_toml_value(getattr(config, f.name))}" for f in dataclasses.fields(config)
    ]
    return "\n".join(lines) + "\n"


class TomlFields:
    """What a flat config dataclass inherits: :meth:`to_dict` and :meth:`to_toml`."""

    def to_dict(self) -> dict[str, Any]:
        """The fields as a plain dict (what checkpoints store)."""
        return dataclasses.asdict(self)  # type: ignore[call-overload]

    def to_toml(self) -> str:
        """The fields as TOML text that ``load_config`` reads back to an equal config."""
        return to_toml(self)


def _typed(name: str, value: Any, hint: Any, finite: bool) -> Any:
    """A TOML value checked against a field's type (an integer is accepted as a float)."""
    if hint is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if (isinstance(value, bool) and hint is not bool) or not isinstance(value, hint):
        raise TypeError(f"{name} must be {_KINDS[hint]}, got {value!r}")
    if finite and hint is float and not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number, got {value!r}")
    return value


def config_from_mapping(
    cls: type[_C], data: Mapping[str, Any], *, table: str, finite: bool = True
) -> _C:
    """The dataclass ``cls`` from a TOML-shaped mapping (keys at the top or in a ``[table]``
    table); missing keys keep their defaults.

    ``finite=False`` lets float fields be ``inf`` or ``nan`` (the class then checks them).

    Raises
    ------
    ValueError
        For an unknown key (the message lists the valid ones) or a bad value.
    TypeError
        For a value of the wrong type (a string for a number, ...).
    """
    if not isinstance(data, Mapping):
        raise TypeError(f"config must be a mapping, got {type(data).__name__}")
    if set(data) == {table} and isinstance(data[table], Mapping):
        data = data[table]
    hints = typing.get_type_hints(cls)
    names = [f.name for f in dataclasses.fields(cls)]  # type: ignore[arg-type]
    kwargs = {}
    for key, value in data.items():
        if key not in names:
            raise ValueError(f"{key} is not a setting; use one of: {', '.join(names)}")
        kwargs[key] = _typed(key, value, hints[key], finite)
    return cls(**kwargs)


def read_toml(path: str | Path) -> dict[str, Any]:
    """The TOML file ``path`` as a dict; ValueError in one line naming the file when it
    cannot be read, is not UTF-8 text or is not TOML."""
    path = Path(path)
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise ValueError(f"{path}: not a UTF-8 text file") from None
    except OSError as exc:
        raise ValueError(f"{path}: cannot read the config ({exc.strerror or exc})") from None
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(f"{path}: not valid TOML ({exc})") from None


def load_config(cls: type[_C], path: str | Path, *, table: str, finite: bool = True) -> _C:
    """Read a TOML file into a checked ``cls`` (see :func:`config_from_mapping`).

    Raises
    ------
    ValueError, TypeError
        One line that names the file and the field at fault, or says that the file cannot
        be read or is not TOML.
    """
    data = read_toml(path)
    try:
        return config_from_mapping(cls, data, table=table, finite=finite)
    except (ValueError, TypeError) as exc:
        raise type(exc)(f"{Path(path)}: {exc}") from None


def check_same_settings(
    saved: Any, config: Any, where: str | Path, *, resumable: tuple[str, ...]
) -> None:
    """ValueError when ``config`` differs from the ``saved`` config of a run outside the
    fields named in ``resumable`` (those a resumed run may change)."""
    for name in saved.to_dict():
        if name not in resumable and getattr(saved, name) != getattr(config, name):
            raise ValueError(
                f"{where}: the run was trained with {name} = {getattr(saved, name)!r}, not "
                f"{getattr(config, name)!r}; resume with the same settings or use a new directory"
            )
