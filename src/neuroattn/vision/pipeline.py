"""The pipeline in one call: :func:`saliency` and :func:`attend` (and :class:`Pipeline`).

:func:`saliency` runs the encode and feature stages and returns the bottom-up map;
:func:`attend` runs all four stages and returns an :class:`AttentionResult`. Both take
``config`` (a :class:`~.config.VisionConfig`; default: our settings, see
:mod:`.features` for what in them is published and what is ours) or
``preset="itti1998"`` (the published model of Itti, Koch & Niebur 1998, see
:mod:`._presets`); :func:`saliency` also takes single settings of the encode and feature
stages as keyword arguments, which replace those of the config or preset. One image gives
one result, a list of images a list (:class:`~._pipeline.Pipeline` composes the stages;
:class:`AttentionResult` is in :mod:`._result`; both are public here).

References
----------
Itti, L., Koch, C. & Niebur, E. (1998). A model of saliency-based visual attention for
rapid scene analysis. IEEE PAMI 20(11), 1254–1259.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from functools import lru_cache
from typing import Any, overload

import numpy as np
from numpy.typing import ArrayLike

from ..dynamics.checks import check_choice
from ._pipeline import ImageBatch, Pipeline
from ._presets import PRESETS
from ._result import AttentionResult
from .config import VisionConfig

__all__ = ["AttentionResult", "ImageBatch", "Pipeline", "attend", "saliency"]


@lru_cache(maxsize=1)
def _default_pipeline() -> Pipeline:
    return Pipeline.from_config(VisionConfig())


def _check_config(config: object) -> VisionConfig | None:
    if config is not None and not isinstance(config, VisionConfig):
        raise TypeError(f"config must be a VisionConfig, got {type(config).__name__}")
    return config


@lru_cache(maxsize=len(PRESETS))
def _preset_pipeline(preset: str) -> Pipeline:
    return Pipeline.from_preset(preset)


def _check_preset(config: VisionConfig | None, preset: object) -> str | None:
    """The preset's name, checked; a preset and a config together are a ValueError."""
    if preset is None:
        return None
    name = check_choice(preset, "preset", PRESETS)
    if config is not None:
        raise ValueError(
            "preset: give a preset or a config, not both "
            "(VisionConfig.from_preset(...) starts a config from a preset)"
        )
    return str(name)


def _pipeline(config: VisionConfig | None, preset: str | None = None) -> Pipeline:
    if preset is not None:
        return _preset_pipeline(preset)
    return _default_pipeline() if config is None else Pipeline.from_config(config)


def _given(**values: Any) -> dict[str, Any]:
    """The settings that were given (not None)."""
    return {k: v for k, v in values.items() if v is not None}


def _overridden(
    config: VisionConfig | None,
    preset: str | None,
    encode: dict[str, Any],
    features: dict[str, Any],
    between: dict[str, Any],
) -> Pipeline:
    """The pipeline of ``config`` or ``preset`` with single settings of the stages replaced."""
    if not (encode or features or between):
        return _pipeline(config, preset)
    cfg = VisionConfig.from_preset(preset) if preset else (config or VisionConfig())
    changes = dict(between)
    if encode:
        changes["encode"] = dataclasses.replace(cfg.encode, **encode)
    if features:
        changes["features"] = dataclasses.replace(cfg.features, **features)
    return Pipeline.from_config(dataclasses.replace(cfg, **changes))


@overload
def saliency(
    image: ImageBatch,
    *,
    config: VisionConfig | None = None,
    preset: str | None = None,
    channel_axis: int | None = -1,
    orientations: tuple[float, ...] | None = None,
    levels: int | None = None,
    first_level: int | None = None,
    colour_level: int | None = None,
    gabor_wavelength: float | None = None,
    gabor_aspect: float | None = None,
    colour_threshold: float | None = None,
    colour: bool | None = None,
    centres: tuple[int, ...] | None = None,
    deltas: tuple[int, ...] | None = None,
    normalization: str | None = None,
    iterations: int | None = None,
    split_polarity: bool | None = None,
    map_level: int | None = None,
    min_contrast: float | None = None,
    channel_normalization: str | None = None,
    size_channels: bool | None = None,
    pool_orientations: bool | None = None,
    weights: Mapping[str, float] | None = None,
    max_side: int | None = None,
) -> list[np.ndarray]: ...
@overload
def saliency(
    image: ArrayLike,
    *,
    config: VisionConfig | None = None,
    preset: str | None = None,
    channel_axis: int | None = -1,
    orientations: tuple[float, ...] | None = None,
    levels: int | None = None,
    first_level: int | None = None,
    colour_level: int | None = None,
    gabor_wavelength: float | None = None,
    gabor_aspect: float | None = None,
    colour_threshold: float | None = None,
    colour: bool | None = None,
    centres: tuple[int, ...] | None = None,
    deltas: tuple[int, ...] | None = None,
    normalization: str | None = None,
    iterations: int | None = None,
    split_polarity: bool | None = None,
    map_level: int | None = None,
    min_contrast: float | None = None,
    channel_normalization: str | None = None,
    size_channels: bool | None = None,
    pool_orientations: bool | None = None,
    weights: Mapping[str, float] | None = None,
    max_side: int | None = None,
) -> np.ndarray: ...
def saliency(
    image: Any,
    *,
    config: VisionConfig | None = None,
    preset: str | None = None,
    channel_axis: int | None = -1,
    orientations: tuple[float, ...] | None = None,
    levels: int | None = None,
    first_level: int | None = None,
    colour_level: int | None = None,
    gabor_wavelength: float | None = None,
    gabor_aspect: float | None = None,
    colour_threshold: float | None = None,
    colour: bool | None = None,
    centres: tuple[int, ...] | None = None,
    deltas: tuple[int, ...] | None = None,
    normalization: str | None = None,
    iterations: int | None = None,
    split_polarity: bool | None = None,
    map_level: int | None = None,
    min_contrast: float | None = None,
    channel_normalization: str | None = None,
    size_channels: bool | None = None,
    pool_orientations: bool | None = None,
    weights: Mapping[str, float] | None = None,
    max_side: int | None = None,
    **unknown: Any,
) -> np.ndarray | list[np.ndarray]:
    """Bottom-up saliency map of an image at its resolution (float32, maximum one).

    Every setting left at None is taken from ``config``; a setting given replaces that
    one field of its stage (:class:`~.encode.Encoder`, :class:`~.features.FeatureExtractor`,
    or the two between the stages) and is checked by it.

    Parameters
    ----------
    image : array_like or list of array_like
        ``(H, W)`` grey or ``(H, W, 3)`` RGB (uint8, other integers, or float); a list or a
        ``(B, H, W, C)`` stack gives one map per image (a list, or a stack).
    config : VisionConfig, optional
        All settings (default: ours; see :mod:`.features` for what is published).
    preset : {"itti1998"}, optional
        Start from a published model instead (Itti, Koch & Niebur 1998; see
        :mod:`._presets`). Not together with ``config``; the settings below, when given,
        replace the preset's (the result is then no longer the published model).
    channel_axis : int or None
        Colour axis of a 3-D image.
    orientations : tuple of float, optional
        Encoding: preferred orientations of the Gabor filters in degrees (0, 45, 90, 135).
    levels : int, optional
        Encoding: deepest pyramid level (8: 1/256 of the image).
    first_level : int, optional
        Encoding: shallowest level kept, the finest centre scale (2).
    colour_level : int, optional
        Encoding: level at which intensity and colour opponency are computed
        (``<= first_level``; 2).
    gabor_wavelength : float, optional
        Encoding: Gabor wavelength λ in pixels of each level (4).
    gabor_aspect : float, optional
        Encoding: Gabor aspect γ; the envelope is 1/γ times longer along the bar (0.7).
    colour_threshold : float, optional
        Encoding: fraction of the maximum intensity below which hue is undefined (0.1).
    colour : bool, optional
        Encoding: compute the colour-opponent channels (True).
    centres : tuple of int, optional
        Features: centre levels c (2, 3, 4).
    deltas : tuple of int, optional
        Features: surround offsets δ, s = c + δ (3, 4).
    normalization : {"hybrid", "iterative", "maxnorm", "none"}, optional
        Features: the map normalisation ("hybrid", ours; "maxnorm" is the N(·) of Itti et
        al. 1998; see :func:`~.features.normalize`).
    iterations : int, optional
        Features: iterations of the iterative DoG normalisation (5).
    split_polarity : bool, optional
        Features: keep on/off, red/green, blue/yellow apart (VOCUS; True, ours) or take
        |·| (False, Itti et al. 1998).
    map_level : int, optional
        Features: pyramid level of the feature, conspicuity and saliency maps (4: 1/16).
    min_contrast : float, optional
        Features: noise floor of the first normalisation, as a fraction of a channel's
        range (0.05, ours; the paper has none).
    channel_normalization : {"all", "orientation"}, optional
        Features: which channels are normalised again after the sum over scales ("all",
        ours; "orientation", Itti et al. 1998).
    size_channels : bool, optional
        Features: the "size" group, items smaller or larger than their neighbours (True,
        ours; see :mod:`._size`).
    pool_orientations : bool, optional
        Features: orientation energies divided by their sum over orientations (False;
        True is ours, see :func:`~.features.pooled_orientations`).
    weights : mapping of str to float, optional
        Weights of the intensity, colour, orientation and size conspicuity maps (one each).
    max_side : int, optional
        Longer side above which images are shrunk, with a warning (2048).
    **unknown
        Refused: any other keyword is a TypeError naming it (a misspelt setting is
        never ignored).

    Returns
    -------
    ndarray or list of ndarray
        ``(H, W)`` float32 for one image; a list of maps for a list of images; a
        ``(B, H, W)`` stack for a ``(B, H, W, C)`` stack.

    Raises
    ------
    ValueError
        A bad image or a setting out of range, one line naming it; an unknown
        ``preset``, or a preset given with a ``config``.
    TypeError
        An image that is not a numeric array, a ``config`` that is not a
        :class:`~.config.VisionConfig`, or an unknown setting.
    """
    if unknown:
        raise TypeError(f"saliency() got an unknown option {next(iter(unknown))!r}")
    encode = _given(
        orientations=orientations,
        levels=levels,
        first_level=first_level,
        colour_level=colour_level,
        gabor_wavelength=gabor_wavelength,
        gabor_aspect=gabor_aspect,
        colour_threshold=colour_threshold,
        colour=colour,
    )
    features = _given(
        centres=centres,
        deltas=deltas,
        normalization=normalization,
        iterations=iterations,
        split_polarity=split_polarity,
        map_level=map_level,
        min_contrast=min_contrast,
        channel_normalization=channel_normalization,
        size_channels=size_channels,
        pool_orientations=pool_orientations,
    )
    between = _given(weights=weights, max_side=max_side)
    cfg = _check_config(config)
    pipeline = _overridden(cfg, _check_preset(cfg, preset), encode, features, between)
    return pipeline.saliency(image, channel_axis=channel_axis)


@overload
def attend(
    image: ImageBatch,
    *,
    task: Any = None,
    n_fixations: int = 5,
    config: VisionConfig | None = None,
    preset: str | None = None,
    seed: int | np.random.Generator | None = None,
    channel_axis: int | None = -1,
    cue: Any = None,
) -> list[AttentionResult]: ...
@overload
def attend(
    image: ArrayLike,
    *,
    task: Any = None,
    n_fixations: int = 5,
    config: VisionConfig | None = None,
    preset: str | None = None,
    seed: int | np.random.Generator | None = None,
    channel_axis: int | None = -1,
    cue: Any = None,
) -> AttentionResult: ...
def attend(
    image: Any,
    *,
    task: Any = None,
    n_fixations: int = 5,
    config: VisionConfig | None = None,
    preset: str | None = None,
    seed: int | np.random.Generator | None = None,
    channel_axis: int | None = -1,
    cue: Any = None,
) -> AttentionResult | list[AttentionResult]:
    """Where attention goes in an image, in what order and how fast (all four stages).

    Parameters
    ----------
    image : array_like or list of array_like
        One image (``(H, W)`` grey or ``(H, W, 3)`` RGB), a list of images or a stack
        ``(B, H, W, C)``.
    task : str, mapping, ndarray or Task, optional
        What to look for: a feature spec (``"red"``, ``"colour=red,orientation=45"``), an
        example patch, or a :class:`~.feedback.Task`. None: bottom-up.
    n_fixations : int
        Length of the scanpath (fewer when nothing salient is left).
    config : VisionConfig, optional
        All settings (default: ours; see :mod:`.features` for what is published).
    preset : {"itti1998"}, optional
        The encode and feature stages of a published model (Itti, Koch & Niebur 1998;
        see :mod:`._presets`); the competition and feedback stages stay the defaults. Not
        together with ``config`` (use ``VisionConfig.from_preset`` to change a preset).
    seed : int or Generator, optional
        Randomness of the competition's noise (when ``config.compete.noise > 0``).
    channel_axis : int or None
        Colour axis of 3-D images.
    cue : (x, y) or sequence of (x, y), optional
        Spatial cues (pixels of the image as given): spots of the attention field that
        modulate encoding and drive the competition's units there harder (Reynolds &
        Heeger 2009; peak and width from ``config.feedback``). The closed loop between
        fixations is ``config.feedback.loop``; trials with a carried state are
        :meth:`Pipeline.run_trials`.

    Returns
    -------
    AttentionResult or list of AttentionResult
        One result for one image; a list for a list of images or a 4-D stack (a 4-D
        array is typed as one image: pass a list for the list type).

    Raises
    ------
    ValueError
        A bad image, task, ``n_fixations``, ``cue`` or ``preset``, one line naming it.
    TypeError
        An image that is not a numeric array, or a ``config`` that is not a
        :class:`~.config.VisionConfig`.

    See Also
    --------
    Pipeline.attend : the same with stage objects of your own.
    """
    cfg = _check_config(config)
    return _pipeline(cfg, _check_preset(cfg, preset)).attend(
        image, task=task, n_fixations=n_fixations, seed=seed, channel_axis=channel_axis, cue=cue
    )
