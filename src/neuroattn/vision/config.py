"""One typed configuration of the whole pipeline, loadable from TOML.

:class:`VisionConfig` holds the four stage objects (each a frozen dataclass that checks
its own values) and the two settings between them. :func:`load_config` reads a TOML file
or string, checks every field once (unknown fields, types) and names the field in the
one-line error. :data:`EXAMPLE_CONFIG` is the commented default configuration. The
defaults are ours (see :mod:`.features` for what in them is published);
:meth:`VisionConfig.from_preset` and the TOML key ``preset = "itti1998"`` start from the
published model of Itti, Koch & Niebur (1998) instead (:mod:`._presets`).
"""

from __future__ import annotations

import dataclasses
import sys
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

from ..dynamics.checks import check_integer, check_number, check_numbers
from ._presets import preset_stages
from .compete import WinnerTakeAll
from .encode import MAX_WAVELENGTH, Encoder
from .features import GROUPS, FeatureExtractor
from .feedback import TopDown
from .io import MAX_PIXELS

EXAMPLE_CONFIG = """\
# neuroattn vision pipeline — configuration (TOML); every value here is the default.
# Use:  neuroattn attend IMAGE --config this.toml   or   attend(img, config=load_config(path))
# The defaults are ours; "(Itti 1998)" marks a published value. To start from the published
# model of Itti, Koch & Niebur (1998) instead, uncomment the next line; a field set below
# then replaces the preset's (and the model is no longer the published one).
# preset = "itti1998"

max_side = 2048          # larger images are shrunk to this longer side (with a warning)
max_pixels = 67108864    # image files of more pixels (8192 × 8192) are refused unread

[weights]                # conspicuity maps in the saliency sum S = Σ w_k N(C_k) / Σ w_k
intensity = 1.0
colour = 1.0
orientation = 1.0

[encode]                 # stage 1: the formulas of Itti, Koch & Niebur (1998)
orientations = [0.0, 45.0, 90.0, 135.0]  # Gabor orientations, degrees (0 = horizontal)
levels = 8               # deepest pyramid level (1/256 of the image)
first_level = 2          # finest level kept (the finest centre scale)
colour_level = 2         # level where intensity and colour opponency are computed (Itti 1998: 0)
gabor_wavelength = 4.0   # λ in pixels of each level
gabor_aspect = 0.7       # γ: the envelope is 1/γ times longer along the bar
colour_threshold = 0.1   # hue is undefined below this fraction of max intensity
colour = true            # compute the colour-opponent channels

[features]               # stage 2 (what is published and what is ours: neuroattn.vision.features)
centres = [2, 3, 4]      # centre levels c (Itti 1998)
deltas = [3, 4]          # surround s = c + δ (Itti 1998)
normalization = "hybrid" # hybrid (ours) | iterative | maxnorm (N(·), Itti 1998) | none
iterations = 5           # iterations of the iterative DoG (Itti & Koch 2000)
split_polarity = true    # on/off, red/green, blue/yellow apart (VOCUS); false: |·| (Itti)
map_level = 4            # level of the feature, conspicuity and saliency maps (1/16)
min_contrast = 0.05      # noise floor of the first normalisation (fraction of range; Itti 1998: 0)
channel_normalization = "all"  # normalised again after the scales: all | orientation (Itti 1998)
size_channels = true     # the "size" group: items smaller/larger than their neighbours (ours)
pool_orientations = false # true: orientation energy / its sum over orientations (ours)

[compete]                # stage 3: winner-take-all dynamics and inhibition of return
model = "wta"            # wta (lateral inhibition) | field (2-D Amari neural field)
alpha = 0.5              # self-excitation α < 1
beta = 1.0               # lateral inhibition β
threshold = 0.2          # θ of the rate function f(u) = max(u − θ, 0)
rate_threshold = 1.0     # rate whose crossing is a fixation onset
tau_ms = 7.0             # τ in milliseconds (shifts every 40–60 ms in search)
method = "auto"          # auto (exact; rk4 for the field, euler with noise) | exact | rk4 | euler
dt = 0.25                # largest rk4/euler step, units of τ (euler: <= 0.05)
save_dt = 0.25           # saved-state interval (onsets are interpolated between saves)
chunk = 8.0              # simulated time per batched call, units of τ (>= save_dt)
max_latency = 40.0       # give up a competition after this long, units of τ
dwell = 1.0              # the winner is held this long before IOR, units of τ
ior_radius = 0.06        # radius of inhibition of return, fraction of the longer side
ior_extent = 0.5         # IOR also covers the connected region ≥ this × the winner's input
ior_strength = 1.0       # peak suppression of the input by IOR (≤ 1)
ior_tau_ms = 10000.0     # decay time constant of IOR, ms (a 49-item display is covered)
min_saliency = 0.05      # stop when the best remaining input is below this fraction
noise = 0.0              # σ of noise in the dynamics
field_sigma = 1.0        # local excitation width of the neural field, cells
max_work = 1e9           # refuse scanpaths that may need more unit-steps than this

[feedback]               # stage 4: top-down task (Frintrop 2005; Navalpakkam & Itti 2007)
weight = 0.5             # t: share of the top-down map in the saliency map
gain_strength = 1.0      # γ: exponent of the input gain map g(x) of the competition
max_gain = 10.0          # gains are clipped to [1/max_gain, max_gain]
loop = false             # closed loop: a suppressive spot at each past winner re-enters encoding
field_peak = 2.0         # attention field peak on a base of 1 (Reynolds & Heeger 2009)
field_width = 0.08       # σ of the spots at cues and past winners, fraction of the longer side
pool_width = 0.2         # σ of the suppressive pool of the normalisation, same units
history_decay = 0.6      # priming: share of a feature's log-gain kept per trial
history_boost = 1.0      # priming: log-gain one target adds to its features
"""

_SECTIONS = {
    "encode": Encoder,
    "features": FeatureExtractor,
    "compete": WinnerTakeAll,
    "feedback": TopDown,
}


def _default_weights() -> Mapping[str, float]:
    return MappingProxyType(dict.fromkeys(GROUPS, 1.0))


@dataclass(frozen=True)
class VisionConfig:
    """The pipeline's settings: the four stages and what lies between them.

    Attributes
    ----------
    encode : Encoder
    features : FeatureExtractor
    compete : WinnerTakeAll
    feedback : TopDown
    weights : mapping of str to float
        Weights of the intensity, colour and orientation conspicuity maps.
    max_side : int
        Longer side above which images are shrunk (with a warning).
    max_pixels : int
        Image files with more pixels are refused from their header, before decoding
        (:data:`~.io.MAX_PIXELS`, 8192 × 8192; ``neuroattn attend`` reads with it).

    Every field of the stages is checked by its stage; the bounds that keep the work
    finite and the maps meaningful are checked here too: at most :data:`MAX_LEVELS`
    pyramid levels, map and centre levels within the pyramid, Gabor wavelengths up to
    :data:`MAX_WAVELENGTH` pixels, at most :data:`MAX_ITERATIONS` normalisation
    iterations, finite orientations and a noise floor in [0, 1).
    """

    encode: Encoder = field(default_factory=Encoder)
    features: FeatureExtractor = field(default_factory=FeatureExtractor)
    compete: WinnerTakeAll = field(default_factory=WinnerTakeAll)
    feedback: TopDown = field(default_factory=TopDown)
    weights: Mapping[str, float] = field(default_factory=_default_weights)
    max_side: int = 2048
    max_pixels: int = MAX_PIXELS

    @classmethod
    def from_preset(cls, preset: str) -> VisionConfig:
        """The settings of a published model: ``"itti1998"`` (Itti, Koch & Niebur 1998).

        The encode and feature stages and the conspicuity weights are the preset's
        (:func:`~._presets.preset_stages`); the other fields are the defaults. Change
        single fields with :func:`dataclasses.replace`. An unknown preset is a ValueError
        naming ``preset``.
        """
        stages = preset_stages(preset)
        return cls(encode=stages.encode, features=stages.features, weights=stages.weights)

    def __post_init__(self) -> None:
        check_integer(self.max_side, "max_side", ge=32)
        check_integer(self.max_pixels, "max_pixels", ge=32 * 32)
        _check_stage_bounds(self.encode, self.features)
        bad = set(self.weights) - set(GROUPS)
        if bad:
            raise ValueError(f"weights.{sorted(bad)[0]}: unknown field; use {', '.join(GROUPS)}")
        for group, weight in self.weights.items():
            check_number(weight, f"weights.{group}", ge=0)
        if not any(self.weights.values()):
            raise ValueError("weights: must not all be zero")
        object.__setattr__(
            self, "weights", MappingProxyType({**dict.fromkeys(GROUPS, 1.0), **self.weights})
        )


MAX_LEVELS = 16
"""Deepest pyramid level accepted (1/65536 of the image side)."""
MAX_ITERATIONS = 100
"""Most iterations of the iterative normalisation accepted ("a few" in Itti & Koch 2000)."""


def _check_stage_bounds(encode: Any, features: Any) -> None:
    """The encode and feature settings a stage does not bound itself (see VisionConfig)."""
    levels = check_integer(encode.levels, "encode.levels", ge=1, le=MAX_LEVELS)
    check_numbers(encode.orientations, "encode.orientations")
    check_number(encode.gabor_wavelength, "encode.gabor_wavelength", gt=2, le=MAX_WAVELENGTH)
    check_number(encode.gabor_aspect, "encode.gabor_aspect", gt=0, le=1)
    check_number(encode.colour_threshold, "encode.colour_threshold", ge=0, lt=1)
    first = encode.first_level
    check_integer(features.map_level, "features.map_level", ge=first, le=levels)
    for c in features.centres:
        check_integer(c, "features.centres", ge=first, le=levels)
    check_integer(features.iterations, "features.iterations", ge=0, le=MAX_ITERATIONS)
    check_number(features.min_contrast, "features.min_contrast", ge=0, lt=1)


def _coerce(where: str, value: Any, hint: Any) -> Any:
    """Check a TOML value against a field's type hint (int → float is allowed)."""
    origin = typing.get_origin(hint)
    if origin is tuple:
        (inner, *_) = typing.get_args(hint)
        if not isinstance(value, list) or not value:
            raise ValueError(f"{where}: must be a non-empty list")
        return tuple(_coerce(f"{where}[{i}]", v, inner) for i, v in enumerate(value))
    if hint is bool:
        if not isinstance(value, bool):
            raise ValueError(f"{where}: must be true or false, got {value!r}")
        return value
    if hint is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError(f"{where}: must be an integer, got {value!r}")
        return value
    if hint is float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ValueError(f"{where}: must be a number, got {value!r}")
        return float(value)
    if hint is str and not isinstance(value, str):
        raise ValueError(f"{where}: must be a string, got {value!r}")
    return value


def _section(name: str, base: Any, table: Any) -> Any:
    """The stage ``base`` with the fields of a TOML table replaced."""
    cls = type(base)
    if not isinstance(table, dict):
        raise ValueError(f"{name}: must be a table")
    hints = typing.get_type_hints(cls)
    known = {f.name for f in dataclasses.fields(cls) if f.init}
    kwargs = {}
    for key, value in table.items():
        if key not in known:
            raise ValueError(f"{name}.{key}: unknown field")
        kwargs[key] = _coerce(f"{name}.{key}", value, hints[key])
    try:
        return dataclasses.replace(base, **kwargs)
    except (ValueError, TypeError) as exc:
        msg = str(exc)
        raise ValueError(msg if msg.startswith(name) else f"{name}: {msg}") from None


def config_from_dict(data: Mapping[str, Any]) -> VisionConfig:
    """A :class:`VisionConfig` from a parsed TOML mapping.

    Missing fields are the defaults, or the preset's with a top-level ``preset`` key; a
    field that is given replaces the preset's.
    """
    preset = data.get("preset")
    base = VisionConfig() if preset is None else _preset(preset)
    kwargs: dict[str, Any] = {}
    for key, value in data.items():
        if key == "preset":
            continue
        if key in _SECTIONS:
            kwargs[key] = _section(key, getattr(base, key), value)
        elif key == "weights":
            if not isinstance(value, dict):
                raise ValueError("weights: must be a table")
            kwargs[key] = {k: _coerce(f"weights.{k}", v, float) for k, v in value.items()}
        elif key in ("max_side", "max_pixels"):
            kwargs[key] = _coerce(key, value, int)
        else:
            raise ValueError(f"config.{key}: unknown field")
    return dataclasses.replace(base, **kwargs)


def _preset(value: Any) -> VisionConfig:
    return VisionConfig.from_preset(_coerce("preset", value, str))


def config_from_toml(text: str) -> VisionConfig:
    """A checked :class:`VisionConfig` from TOML text."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(f"config: not valid TOML ({exc})") from None
    return config_from_dict(data)


def load_config(path: str | Path) -> VisionConfig:
    """Read a TOML file into a checked :class:`VisionConfig`.

    Raises
    ------
    ValueError
        One line naming the field at fault, or saying that the file cannot be read or is
        not valid TOML.
    """
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ValueError(f"{path}: cannot read the config ({exc})") from None
    try:
        return config_from_toml(text)
    except ValueError as exc:
        raise ValueError(f"{path}: {exc}") from None
