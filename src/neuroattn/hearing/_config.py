"""Settings of ``neuroattn listen``: a TOML file checked once, at the boundary, into a frozen
:class:`ListenConfig` of the four stages' own settings.

The tables ``[encode]``, ``[features]``, ``[scan]`` and ``[attention]`` hold the fields of
:class:`~neuroattn.hearing.Encoder`, :class:`~neuroattn.hearing.FeatureExtractor`,
:class:`~neuroattn.hearing.AuditoryScan` and :class:`~neuroattn.hearing.AuditoryAttention`
(every key optional, the defaults otherwise); a top-level ``attend`` gives the task. Here
the keys and the TOML types are checked (an unknown key is a ValueError listing the valid
ones, a value of the wrong type a TypeError naming ``<table>.<key>``); the values are checked
by the stages' own dataclasses, with the same dotted names. Nothing here is published: it is
the house's config pattern (``docs/architecture.md``), kept in :mod:`neuroattn.hearing`
because the applications' reader lives in a layer above it.
"""

from __future__ import annotations

import dataclasses
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .compete import AuditoryScan
from .encode import Encoder
from .features import FeatureExtractor
from .feedback import AuditoryAttention, parse_task

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

__all__ = ["EXAMPLE_TOML", "ListenConfig", "config_from_mapping", "load_config"]

SECTIONS: dict[str, type] = {
    "encode": Encoder,
    "features": FeatureExtractor,
    "scan": AuditoryScan,
    "attention": AuditoryAttention,
}


@dataclass(frozen=True)
class ListenConfig:
    """The settings of every stage, and the task (None: no attention)."""

    encode: Encoder = field(default_factory=Encoder)
    features: FeatureExtractor = field(default_factory=FeatureExtractor)
    scan: AuditoryScan = field(default_factory=AuditoryScan)
    attention: AuditoryAttention = field(default_factory=AuditoryAttention)
    attend: str | None = None

    def __post_init__(self) -> None:
        for name, cls in SECTIONS.items():
            if not isinstance(getattr(self, name), cls):
                raise TypeError(f"{name} must be a {cls.__name__}, got {getattr(self, name)!r}")
        if self.attend is not None:
            parse_task(self.attend)  # "attend must …" errors come from the parser


def _number(value: Any, name: str, integer: bool) -> Any:
    ok = isinstance(value, int) if integer else isinstance(value, (int, float))
    if isinstance(value, bool) or not ok:
        what = "an integer" if integer else "a number"
        raise TypeError(f"{name} must be {what}, got {value!r}")
    return value if integer else float(value)


def _typed(value: Any, default: Any, name: str) -> Any:
    """``value`` if its TOML type fits the field whose default is ``default``."""
    if isinstance(default, bool):
        if not isinstance(value, bool):
            raise TypeError(f"{name} must be true or false, got {value!r}")
        return value
    if isinstance(default, (int, float)) or default is None:
        return _number(value, name, integer=isinstance(default, int))
    if isinstance(default, str):
        if not isinstance(value, str):
            raise TypeError(f"{name} must be a string, got {value!r}")
        return value
    if isinstance(default, tuple):
        if not isinstance(value, list) or len(value) != len(default):
            raise TypeError(f"{name} must be a list of {len(default)} numbers, got {value!r}")
        return tuple(_number(v, f"{name}[{i}]", False) for i, v in enumerate(value))
    if isinstance(default, dict):
        if not isinstance(value, dict):
            raise TypeError(f"{name} must be a table of numbers, got {value!r}")
        return {k: _number(v, f"{name}.{k}", False) for k, v in value.items()}
    raise TypeError(f"{name} cannot be set from a config file")  # pragma: no cover


def _section(name: str, table: Any) -> Any:
    cls = SECTIONS[name]
    if not isinstance(table, Mapping):
        raise TypeError(f"{name} must be a table of settings, got {table!r}")
    defaults = cls()
    fields = {f.name for f in dataclasses.fields(cls)}
    values = {}
    for key, value in table.items():
        if key not in fields:
            raise ValueError(f"{name}.{key} is not a setting; valid: {', '.join(sorted(fields))}")
        values[key] = _typed(value, getattr(defaults, key), f"{name}.{key}")
    return cls(**values)


def config_from_mapping(data: Mapping[str, Any]) -> ListenConfig:
    """A :class:`ListenConfig` from a mapping such as ``tomllib.loads(text)``.

    Raises
    ------
    ValueError
        An unknown table or key, or a value out of range (naming ``<table>.<key>``).
    TypeError
        A value of the wrong type.
    """
    if not isinstance(data, Mapping):
        raise TypeError(f"config must be a mapping of tables, got {type(data).__name__}")
    valid = (*SECTIONS, "attend")
    for key in data:
        if key not in valid:
            raise ValueError(f"{key} is not a setting; valid: {', '.join(valid)}")
    attend = data.get("attend")
    if attend is not None and not isinstance(attend, str):
        raise TypeError(f"attend must be a string, got {attend!r}")
    stages = {name: _section(name, data[name]) for name in SECTIONS if name in data}
    return ListenConfig(**stages, attend=attend)


def load_config(path: str | Path) -> ListenConfig:
    """Read and check the TOML file ``path`` (one-line errors naming the file or the key)."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = getattr(exc, "strerror", None) or str(exc)
        raise ValueError(f"config file {p} cannot be read: {reason}") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(f"config file {p} is not valid TOML: {exc}") from None
    return config_from_mapping(data)


EXAMPLE_TOML = """\
# neuroattn listen --config FILE: the settings of the four stages (all keys optional).
# attend = "voice at 220 Hz"     # task: "high", "low", "1000 Hz", "voice at F Hz" (--attend wins)

[encode]                         # stage 1: the cochleagram (docs/hearing.md)
kind = "gammatone"               # gammatone | mel
n_channels = 64                  # channels, equally spaced in ERB-number
fmin = 100.0                     # lowest centre frequency, Hz
# fmax = 8000.0                  # highest (default: min(8 kHz, 0.45 sr))
method = "fft"                   # fft (weighted STFT) | filter (all-pole gammatone)
compression = "power"            # power | log | none
exponent = 0.3                   # the power compression's exponent
frame_ms = 25.0                  # analysis window
hop_ms = 10.0                    # frame step

[features]                       # stage 2: Kayser et al. 2005 + pitch and timbre
surround_s = 0.5                 # the pitch and timbre contrasts' surround, s
pitch_range = [60.0, 2000.0]     # periodicity search range, Hz

[features.weights]               # each conspicuity map's weight in the saliency map
intensity = 1.0
frequency_contrast = 1.0
temporal_contrast = 1.0
pitch = 1.0
timbre = 1.0

[scan]                           # stage 3: the winner-take-all scan with inhibition of return
n_bands = 16                     # tonotopic units
alpha = 0.5                      # self-excitation (< 1)
beta = 1.0                       # lateral inhibition
threshold = 0.2                  # rate threshold of f(u) = max(u - threshold, 0)
rate_threshold = 0.6             # rate at which a band captures attention
tau_ms = 20.0                    # the units' time constant
dwell_ms = 100.0                 # attention held before inhibition of return
ior_tau_ms = 2000.0              # decay of inhibition of return
ior_strength = 1.0               # its peak (<= 1)
ior_spread = 1.0                 # its width in bands
max_captures = 50                # most captures per sound

[attention]                      # stage 4: the field re-entering encoding (with attend)
peak = 2.0                       # the field's peak over a base of 1 (Reynolds & Heeger 2009)
width_cam = 0.5                  # width over frequency, Cam
pitch_width = 0.041666666666666664  # width over pitch, octaves (a quarter tone)
n_harmonics = 12                 # harmonics of a voice's comb
pool_cam = 4.0                   # suppressive pool over frequency, Cam
pool_ms = 100.0                  # and over time, ms
sigma = 0.001                    # the normalisation's constant, x the largest amplitude
"""
