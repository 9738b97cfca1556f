r"""Stage 4, feedback: a top-down task as gains on the feature maps and on the WTA input.

A task says what is searched for, in one of three forms:

* **features** — ``"red"``, ``"orientation=45"``, ``"colour=red,orientation=90"``,
  ``{"colour": "red", "orientation": 90}``; intensity ``"bright"`` / ``"dark"``;
* an **example patch** — an image of the target alone;
* **example images with target masks** — target versus background.

Each becomes one gain w_j per feature map j (``red``, ``orientation_45``, …):

* from features or a patch, the *SNR-optimal gains* of Navalpakkam & Itti (2007): with
  t_j and d_j the expected responses of map j to the target and to the distractors,

  .. math:: \mathrm{SNR}_j = t_j / d_j, \qquad w_j = \mathrm{SNR}_j \big/
            \tfrac{1}{n}\textstyle\sum_{k} \mathrm{SNR}_k

  over the maps of each feature dimension the task names (colour: four hue maps;
  orientation: a cos⁴ tuning over the Gabor channels); without given distractors d_j
  is the average over the dimension's values;
* from example images, the *VOCUS ratio* of Frintrop (2005): w_j = m_j(target) /
  m_j(background), m the mean of map j inside and outside the target mask (geometric
  mean over several images).

Gains are clipped to [1/``max_gain``, ``max_gain``]: w > 1 excites, w < 1 inhibits. They
act twice: on the feature maps, as the top-down saliency map S_td = Σ_j w_j C_j / Σ_j w_j
(C_j the contrast maps before within-feature competition) mixed into the bottom-up map,
S = (1 − t) S_bu + t S_td; and on the competition, as the input gain g of the dynamics,

.. math:: g(x) = \left(\frac{Σ_j w_j C_j(x) + ε}{Σ_j C_j(x) + ε}\right)^{γ},

the mean gain of the features present at x (one where nothing is). No task: bottom-up.

References
----------
Frintrop, S. (2005). VOCUS: a visual attention system for object detection and
goal-directed search. PhD thesis, University of Bonn (LNAI 3899, Springer 2006).
Navalpakkam, V. & Itti, L. (2007). Search goal tunes visual features optimally.
Neuron 53, 605–617.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import cv2
import numpy as np

from ..dynamics.checks import check_number
from ._field import AttentionField, Spot, target_profile, update_history
from ._normalize import unit_max
from .encode import (
    ORIENTATIONS,
    Encoder,
    gaussian_pyramid,
    intensity,
    opponent_channels,
    orientation_energy,
)
from .features import Features

HUES = ("red", "green", "blue", "yellow")
INTENSITY = {"bright": "intensity_on", "dark": "intensity_off"}
KEYS = ("colour", "orientation", "intensity")
_ALIASES = {"color": "colour", "hue": "colour", "ori": "orientation", "angle": "orientation"}
_EPS = 1e-3


@dataclass(frozen=True)
class Task:
    """A top-down task: one gain per feature map (maps not named have gain one).

    Attributes
    ----------
    gains : mapping of str to float
    description : str
        What the task was made from, for reports.
    """

    gains: Mapping[str, float] = field(default_factory=dict)
    description: str = "bottom-up"


def _unknown(key: str) -> ValueError:
    return ValueError(
        f"target: unknown feature {key!r}; use colour ({', '.join(HUES)}), orientation "
        f"(degrees) or intensity ({', '.join(INTENSITY)})"
    )


def _value(key: str, raw: Any) -> Any:
    if key == "colour":
        name = str(raw).strip().lower()
        if name not in HUES:
            raise ValueError(f"target: unknown colour {raw!r}; use one of {', '.join(HUES)}")
        return name
    if key == "orientation":
        try:
            theta = float(raw)
        except (TypeError, ValueError):
            raise ValueError(
                f"target: orientation must be a number of degrees, got {raw!r}"
            ) from None
        if not math.isfinite(theta):
            raise ValueError(f"target: orientation must be finite, got {raw!r}")
        return theta % 180.0
    name = str(raw).strip().lower()
    if name not in INTENSITY:
        raise ValueError(f"target: unknown intensity {raw!r}; use one of {', '.join(INTENSITY)}")
    return name


def _guess_key(word: str) -> str:
    w = word.strip().lower()
    if w in HUES:
        return "colour"
    if w in INTENSITY:
        return "intensity"
    try:
        float(w)
    except ValueError:
        raise _unknown(word) from None
    return "orientation"


def parse_target(spec: str | Mapping[str, Any]) -> dict[str, Any]:
    """Parse a feature spec into ``{"colour": …, "orientation": …, "intensity": …}``.

    ``"red"``, ``"45"``, ``"bright"``, ``"colour=red,orientation=45"`` (``color`` also
    works) or a mapping with those keys.

    Raises
    ------
    ValueError
        Unknown feature names or values, or an empty spec.
    """
    if isinstance(spec, str):
        items: list[tuple[str, Any]] = []
        for part in filter(None, (p.strip() for p in spec.split(","))):
            key, sep, val = part.partition("=")
            items.append((key.strip().lower(), val) if sep else (_guess_key(part), part))
    elif isinstance(spec, Mapping):
        items = [(str(k).strip().lower(), v) for k, v in spec.items()]
    else:
        raise TypeError(f"target: expected a string or a mapping, got {type(spec).__name__}")
    out: dict[str, Any] = {}
    for key, val in items:
        key = _ALIASES.get(key, key)
        if key not in KEYS:
            raise _unknown(key)
        out[key] = _value(key, val)
    if not out:
        raise ValueError("target: the spec names no feature")
    return out


def _tuning(theta: float, channels: Sequence[float]) -> dict[str, float]:
    """cos⁴ orientation tuning of the Gabor channels to a bar at ``theta``."""
    return {f"orientation_{c:g}": math.cos(math.radians(theta - c)) ** 4 for c in channels}


def feature_profile(spec: Mapping[str, Any], orientations: Sequence[float]) -> dict[str, float]:
    """Expected response t_j ∈ [0, 1] of each named map to a target with these features."""
    prof: dict[str, float] = {}
    if "colour" in spec:
        prof.update({h: float(h == spec["colour"]) for h in HUES})
    if "orientation" in spec:
        prof.update(_tuning(spec["orientation"], orientations))
    if "intensity" in spec:
        prof.update({m: float(k == spec["intensity"]) for k, m in INTENSITY.items()})
    return prof


def patch_profile(patch: np.ndarray, orientations: Sequence[float]) -> dict[str, float]:
    """Hue and orientation profile of an example patch (uint8 or float RGB, or grey)."""
    img = np.asarray(patch)
    img = img.astype(np.float32) / 255 if img.dtype == np.uint8 else img.astype(np.float32)
    prof: dict[str, float] = {}
    if img.ndim == 3:
        rg, by = opponent_channels(img[..., :3])
        hue = {
            "red": rg.clip(0).mean(),
            "green": (-rg).clip(0).mean(),
            "blue": by.clip(0).mean(),
            "yellow": (-by).clip(0).mean(),
        }
        top = max(hue.values())
        if top > 0.05:
            prof.update({h: float(v / top) for h, v in hue.items()})
    lum = gaussian_pyramid(intensity(img[..., :3] if img.ndim == 3 else img), 2)
    energy = {f"orientation_{t:g}": 0.0 for t in orientations}
    kernels = Encoder(orientations=tuple(orientations))._kernels
    for level in lum:
        for t, kern in kernels.items():
            energy[f"orientation_{t:g}"] += float(orientation_energy(level, kern).mean())
    top = max(energy.values())
    # oriented enough to matter: some contrast, and a preference among the channels
    if top > 0.01 * len(lum) and (top - min(energy.values())) > 0.25 * top:
        prof.update({k: v / top for k, v in energy.items()})
    if not prof:
        raise ValueError("target: the example patch has neither a clear hue nor an orientation")
    return prof


def snr_gains(
    target: Mapping[str, float],
    distractors: Mapping[str, float] | None = None,
    *,
    max_gain: float = 10.0,
) -> dict[str, float]:
    """SNR-optimal gains (Navalpakkam & Itti 2007), normalised per feature dimension."""
    dims: dict[str, list[str]] = {}
    for name in target:
        dim = "orientation" if name.startswith("orientation") else name
        dim = "colour" if name in HUES else ("intensity" if name in INTENSITY.values() else dim)
        dims.setdefault(dim, []).append(name)
    gains: dict[str, float] = {}
    for names in dims.values():
        mean_t = float(np.mean([target[n] for n in names]))
        snr = {n: (target[n] + _EPS) / ((distractors or {}).get(n, mean_t) + _EPS) for n in names}
        avg = float(np.mean(list(snr.values())))
        gains.update({n: float(np.clip(v / avg, 1 / max_gain, max_gain)) for n, v in snr.items()})
    return gains


def vocus_gains(
    examples: Sequence[tuple[Features, np.ndarray]], *, max_gain: float = 10.0
) -> dict[str, float]:
    """VOCUS weights m(target)/m(background) of each map, geometric mean over examples.

    ``examples`` pairs the features of an image with its boolean target mask (any
    resolution; it is resized to the maps).
    """
    logs: dict[str, list[float]] = {}
    for feats, mask in examples:
        some = next(iter(feats.contrast_maps.values()))
        small = cv2.resize(
            np.asarray(mask, np.float32), some.shape[::-1], interpolation=cv2.INTER_AREA
        )
        inside = small > 0.25
        if not inside.any() or inside.all():
            raise ValueError("target mask: must cover part of the image, not none or all of it")
        for name, m in feats.contrast_maps.items():
            ratio = (m[inside].mean() + _EPS) / (m[~inside].mean() + _EPS)
            logs.setdefault(name, []).append(math.log(ratio))
    return {
        n: float(np.clip(math.exp(np.mean(v)), 1 / max_gain, max_gain)) for n, v in logs.items()
    }


@dataclass(frozen=True)
class TopDown:
    """Stage 4: task → gains → top-down saliency and the WTA's input gain map.

    It also builds the attention field A(x, f) that re-enters encoding in the closed
    loop (:mod:`._field`, :mod:`._modulate`): a spot at any cue and at past winners, the
    task's feature gains over the whole field, and the priming history.

    Parameters
    ----------
    weight : float
        t, the share of the top-down map in the saliency map (0 … 1).
    gain_strength : float
        γ, the exponent of the input gain map g(x) of the competition (0: none).
    max_gain : float
        Gains are clipped to [1/max_gain, max_gain].
    field_peak : float
        a, the attention field's peak on a base of one (2, Reynolds & Heeger 2009); task
        and history gains in the field are clipped to [1/a, a].
    field_width : float
        σ of the spatial spots at cues and past winners, fraction of the longer side (ours).
    pool_width : float
        σ of the suppressive pool of the normalisation in encoding, same units (ours).
    history_decay, history_boost : float
        λ and η of the priming history (:func:`._field.update_history`; ours): how much
        of a feature's log-gain survives a trial, and how much one target adds.
    loop : bool
        Close the loop within a scanpath: after each fixation attention leaves the winner,
        whose place joins the attention field as a suppressive spot (peak 1/a), and the
        maps are encoded again before the next competition (:mod:`._loop`). Off: the
        field (task, cues, history) is applied once, before the first competition.
    """

    weight: float = 0.5
    gain_strength: float = 1.0
    max_gain: float = 10.0
    field_peak: float = 2.0
    field_width: float = 0.08
    pool_width: float = 0.2
    history_decay: float = 0.6
    history_boost: float = 1.0
    loop: bool = False

    def __post_init__(self) -> None:
        check_number(self.weight, "feedback.weight", ge=0, le=1)
        check_number(self.gain_strength, "feedback.gain_strength", ge=0)
        check_number(self.max_gain, "feedback.max_gain", ge=1)
        check_number(self.field_peak, "feedback.field_peak", ge=1, le=100)
        check_number(self.field_width, "feedback.field_width", gt=0, le=10)
        check_number(self.pool_width, "feedback.pool_width", gt=0, le=10)
        check_number(self.history_decay, "feedback.history_decay", ge=0, le=1)
        check_number(self.history_boost, "feedback.history_boost", ge=0, le=100)
        if not isinstance(self.loop, (bool, np.bool_)):
            raise TypeError(f"feedback.loop must be true or false, got {self.loop!r}")

    def attention_field(
        self,
        task: Task | None = None,
        *,
        spots: Sequence[tuple[float, float]] = (),
        history: Mapping[str, float] | None = None,
    ) -> AttentionField:
        """A(x, f) from the task's feature gains, spots (winner, cues; image pixels) and
        the priming history (gains per feature map)."""
        peak = self.field_peak
        gains = {
            n: float(np.clip(g, 1 / peak, peak)) for n, g in (task.gains if task else {}).items()
        }
        for name, g in (history or {}).items():
            gains[name] = float(np.clip(gains.get(name, 1.0) * g, 1 / peak, peak))
        placed = tuple(Spot(float(x), float(y), self.field_width, peak) for x, y in spots)
        return AttentionField(placed, MappingProxyType(gains))

    def decay(self, history: Mapping[str, float]) -> dict[str, float]:
        """The priming history after a trial without a target (every log-gain × λ)."""
        return update_history(
            history, {}, decay=self.history_decay, boost=0.0, peak=self.field_peak
        )

    def remember(
        self, history: Mapping[str, float], features: Features, cell: tuple[int, int]
    ) -> dict[str, float]:
        """The priming history after attending ``cell`` (row, col of the maps) as a target.

        The target's profile is each contrast map's value there (the maximum over the
        3 × 3 cells around it), divided by the largest in its dimension.
        """
        profile = target_profile(features.feature_maps, cell)
        return update_history(
            history,
            profile,
            decay=self.history_decay,
            boost=self.history_boost,
            peak=self.field_peak,
        )

    def task(
        self,
        target: Any,
        *,
        distractors: Sequence[Any] = (),
        orientations: Sequence[float] = ORIENTATIONS,
    ) -> Task:
        """A :class:`Task` from a feature spec (str or mapping) or an example patch.

        ``distractors`` (specs or patches) replace the default "any other value"
        distractor statistics of the SNR gains.
        """
        if isinstance(target, Task):
            return target
        prof = self._profile(target, orientations)
        dis = None
        if distractors:
            profs = [self._profile(d, orientations) for d in distractors]
            dis = {k: float(np.mean([p.get(k, 0.0) for p in profs])) for k in prof}
        desc = target if isinstance(target, str) else f"{type(target).__name__} example"
        gains = snr_gains(prof, dis, max_gain=self.max_gain)
        return Task(MappingProxyType(gains), str(desc))

    @staticmethod
    def _profile(target: Any, orientations: Sequence[float]) -> dict[str, float]:
        if isinstance(target, (str, Mapping)):
            return feature_profile(parse_target(target), orientations)
        arr = np.asarray(target)
        if arr.ndim not in (2, 3) or min(arr.shape[:2]) < 3 or not np.isfinite(arr).all():
            raise ValueError("target: an example patch must be a finite 2-D or RGB image")
        return patch_profile(arr, orientations)

    def apply(
        self, features: Features, bottom_up: np.ndarray, task: Task | None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Saliency S = (1 − t) S_bu + t S_td and the input gain map g (both at map level)."""
        if task is None or not task.gains:
            return bottom_up, np.ones_like(bottom_up)
        names = list(features.contrast_maps)
        w = np.array([task.gains.get(n, 1.0) for n in names], np.float32)
        C = np.stack([features.contrast_maps[n] for n in names])
        weighted = np.tensordot(w, C, axes=1)
        total = C.sum(axis=0)
        s_td = unit_max(weighted / float(w.sum()))
        sal = unit_max((1 - self.weight) * bottom_up + self.weight * s_td)
        gain = ((weighted + _EPS) / (total + _EPS)) ** self.gain_strength
        return sal.astype(np.float32), np.clip(gain, 1 / self.max_gain, self.max_gain)
