"""The four stages as one pipeline: :class:`Pipeline`, :func:`saliency`, :func:`attend`.

``Pipeline(encode=…, features=…, compete=…, feedback=…)`` takes any stage objects with
the call signatures of :class:`~.encode.Encoder`, :class:`~.features.FeatureExtractor`,
:class:`~.compete.WinnerTakeAll` and :class:`~.feedback.TopDown`, so each stage can be
swapped. A batch (a list of images, or a 4-D stack) goes through the competition stage
as one batched network.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Any, NamedTuple

import cv2
import numpy as np

from ._image import Checked, as_list, as_rgb, is_batch, restack
from .compete import CompetitionTrace, Fixation, WinnerTakeAll
from .config import VisionConfig
from .encode import Encoder
from .features import FeatureExtractor, Features, combine
from .feedback import Task, TopDown


class _Prepared(NamedTuple):
    """One image after the encode, feature and feedback stages."""

    checked: Checked
    features: Features
    conspicuity: dict[str, np.ndarray]
    saliency: np.ndarray
    gain: np.ndarray
    original: Any


def _frozen(a: np.ndarray) -> np.ndarray:
    a.setflags(write=False)
    return a


@dataclass(frozen=True)
class AttentionResult:
    """Where attention went in one image, in what order, and how fast (immutable).

    Attributes
    ----------
    saliency : ndarray of float32, shape (H, W)
        The saliency map that drove the competition (bottom-up, or mixed with the task's
        top-down map), at image resolution, maximum one.
    feature_maps : mapping of str to ndarray
        Normalised feature maps (map level, 1/16 of the image side by default).
    conspicuity : mapping of str to ndarray
        Intensity, colour and orientation conspicuity maps (map level).
    fixations : tuple of Fixation
        The scanpath: x, y (image pixels), onset, duration, latency (ms), saliency.
    trace : CompetitionTrace
        The simulated competition (time in ms, rates of every unit).
    gain : ndarray, shape (h, w)
        The top-down input gain g of the competition (ones without a task).
    task : Task or None
    image : ndarray
        The image as given (for plots).
    """

    saliency: np.ndarray
    feature_maps: Mapping[str, np.ndarray]
    conspicuity: Mapping[str, np.ndarray]
    fixations: tuple[Fixation, ...]
    trace: CompetitionTrace
    gain: np.ndarray
    task: Task | None
    image: np.ndarray = field(repr=False)

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly summary: image shape, task and the fixations."""
        return {
            "shape": list(self.saliency.shape),
            "task": None if self.task is None else dict(self.task.gains),
            "task_description": None if self.task is None else self.task.description,
            "fixations": [f.as_dict() for f in self.fixations],
        }

    def save(self, folder: str | os.PathLike[str], *, label: str = "image") -> Path:
        """Write saliency.png, scanpath.png, maps.png and fixations.json into ``folder``.

        The files are written to a temporary folder and moved into place when complete.
        """
        from .._atomic import staged_dir
        from ._cli import write_outputs

        folder = Path(folder)
        with staged_dir(folder) as tmp:
            write_outputs(self, tmp, label)
        return folder

    def plot(self, kind: str = "overview", **kwargs: Any) -> Any:
        """A matplotlib figure: ``"overview"`` (scanpath, saliency, dynamics), ``"maps"``
        (feature and conspicuity maps), ``"scanpath"`` or ``"trace"``."""
        from . import _plot

        return _plot.plot_result(self, kind, **kwargs)


@dataclass(frozen=True)
class Pipeline:
    """encode → features → compete → feedback, with swappable stages.

    Parameters
    ----------
    encode, features, compete, feedback
        The stage objects (defaults: the published parameters, see :mod:`.config`).
    weights : mapping of str to float
        Weights of the conspicuity maps in the saliency sum.
    max_side : int
        Images with a longer side are shrunk to it first (with a warning).
    """

    encode: Encoder = field(default_factory=Encoder)
    features: FeatureExtractor = field(default_factory=FeatureExtractor)
    compete: WinnerTakeAll = field(default_factory=WinnerTakeAll)
    feedback: TopDown = field(default_factory=TopDown)
    weights: Mapping[str, float] = field(default_factory=lambda: MappingProxyType({}))
    max_side: int = 2048

    @classmethod
    def from_config(cls, config: VisionConfig) -> Pipeline:
        """The pipeline of a :class:`~.config.VisionConfig`."""
        if not isinstance(config, VisionConfig):
            raise TypeError(f"config must be a VisionConfig, got {type(config).__name__}")
        return cls(config.encode, config.features, config.compete, config.feedback,
                   config.weights, config.max_side)  # fmt: skip

    # --- the stages ------------------------------------------------------------------------
    def _maps(self, image: Any, channel_axis: int | None, name: str) -> _Prepared:
        chk = as_rgb(image, channel_axis=channel_axis, max_side=self.max_side, name=name)
        feats = self.features(self.encode(chk.image))
        cons, sal = combine(feats, weights=self.weights)
        return _Prepared(chk, feats, cons, sal, np.ones_like(sal), image)

    @staticmethod
    def _full(sal: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
        out = cv2.resize(sal, (shape[1], shape[0]), interpolation=cv2.INTER_LINEAR)
        return np.clip(out, 0, None, out=out)

    def saliency(self, image: Any, *, channel_axis: int | None = -1) -> Any:
        """Bottom-up saliency at image resolution: ``(H, W)``, or one per image of a batch."""
        if is_batch(image):
            return restack(
                [self.saliency(im, channel_axis=channel_axis) for im in as_list(image)], image
            )
        p = self._maps(image, channel_axis, "image")
        return self._full(p.saliency, p.checked.shape)

    def attend(
        self,
        image: Any,
        *,
        task: Any = None,
        n_fixations: int = 5,
        seed: int | np.random.Generator | None = None,
        channel_axis: int | None = -1,
    ) -> Any:
        """Run all four stages: an :class:`AttentionResult`, or a list for a batch.

        Parameters
        ----------
        image : array_like or list of array_like
            One image, a list of images or a stack ``(B, H, W, C)``.
        task : str, mapping, ndarray or Task, optional
            What to look for: a feature spec (``"red"``, ``"colour=red,orientation=45"``),
            an example patch, or a :class:`~.feedback.Task` (e.g. learned with
            :meth:`learn_task`). None: bottom-up.
        n_fixations : int
            Length of the scanpath.
        seed : int or Generator, optional
            Randomness of the competition's noise (when ``compete.noise > 0``).
        channel_axis : int or None
            Colour axis of 3-D images.
        """
        images = as_list(image)
        names = ["image"] if not is_batch(image) else [f"image {i}" for i in range(len(images))]
        tsk = None if task is None else self.feedback.task(
            task, orientations=self.encode.orientations
        )  # fmt: skip
        prepared = [
            self._prepare(im, channel_axis, n, tsk) for im, n in zip(images, names, strict=True)
        ]
        results = self._compete(prepared, tsk, n_fixations, seed)
        return results if is_batch(image) else results[0]

    def _prepare(
        self, image: Any, channel_axis: int | None, name: str, task: Task | None
    ) -> _Prepared:
        p = self._maps(image, channel_axis, name)
        sal, gain = self.feedback.apply(p.features, p.saliency, task)
        return p._replace(saliency=sal, gain=gain)

    def _compete(
        self, prepared: list[_Prepared], task: Task | None, n: int, seed: Any
    ) -> list[AttentionResult]:
        groups: dict[tuple[int, ...], list[int]] = {}
        for i, p in enumerate(prepared):
            groups.setdefault((*p.saliency.shape, *p.checked.image.shape[:2]), []).append(i)
        rng = np.random.default_rng(seed)
        out: list[Any] = [None] * len(prepared)
        for key, idx in groups.items():
            runs = self.compete(
                np.stack([prepared[i].saliency for i in idx]), n_fixations=n,
                gain=np.stack([prepared[i].gain for i in idx]), image_shape=(key[2], key[3]),
                seed=rng,
            )  # fmt: skip
            for i, (fixes, trace) in zip(idx, runs, strict=True):
                out[i] = self._result(prepared[i], fixes, trace, task)
        return out

    def _result(
        self, p: _Prepared, fixes: tuple[Fixation, ...], trace: CompetitionTrace, task: Any
    ) -> AttentionResult:
        scale = p.checked.scale
        if scale != 1.0:
            fixes = tuple(dataclasses.replace(f, x=f.x / scale, y=f.y / scale) for f in fixes)
        return AttentionResult(
            _frozen(self._full(p.saliency, p.checked.shape)),
            MappingProxyType(dict(p.features.feature_maps)), MappingProxyType(p.conspicuity),
            fixes, trace, _frozen(np.asarray(p.gain)), task, np.asarray(p.original),
        )  # fmt: skip

    def learn_task(self, images: Any, masks: Any) -> Task:
        """A VOCUS task (Frintrop 2005) from example images and their target masks."""
        from .feedback import vocus_gains

        ims, ms = as_list(images), as_list(masks)
        if len(ims) != len(ms):
            raise ValueError(f"learn_task: {len(ims)} images but {len(ms)} masks")
        examples = []
        for k, (im, m) in enumerate(zip(ims, ms, strict=True)):
            p = self._maps(im, -1, f"example {k}")
            mask = np.asarray(m, bool)
            if mask.shape != p.checked.shape:
                raise ValueError(f"mask {k}: shape {mask.shape} does not match its image")
            examples.append((p.features, mask))
        gains = vocus_gains(examples, max_gain=self.feedback.max_gain)
        return Task(MappingProxyType(gains), f"learned from {len(ims)} example(s)")


@lru_cache(maxsize=1)
def _default_pipeline() -> Pipeline:
    return Pipeline.from_config(VisionConfig())


def _pipeline(config: VisionConfig | None) -> Pipeline:
    return _default_pipeline() if config is None else Pipeline.from_config(config)


_STAGE_FIELDS = {
    "encode": {f.name for f in dataclasses.fields(Encoder) if f.init},
    "features": {f.name for f in dataclasses.fields(FeatureExtractor) if f.init},
}


def _with_options(config: VisionConfig | None, options: dict[str, Any]) -> Pipeline:
    if not options:
        return _pipeline(config)
    cfg = config or VisionConfig()
    changes: dict[str, Any] = {}
    for key, value in options.items():
        stage = next((s for s, names in _STAGE_FIELDS.items() if key in names), None)
        if stage is not None:
            changes[stage] = dataclasses.replace(
                changes.get(stage, getattr(cfg, stage)), **{key: value}
            )
        elif key in ("weights", "max_side"):
            changes[key] = value
        else:
            raise TypeError(f"saliency() got an unknown option {key!r}")
    return Pipeline.from_config(dataclasses.replace(cfg, **changes))


def saliency(
    image: Any,
    *,
    config: VisionConfig | None = None,
    channel_axis: int | None = -1,
    **options: Any,
) -> Any:
    """Bottom-up saliency map of an image at its resolution (float32, maximum one).

    Parameters
    ----------
    image : array_like or list of array_like
        ``(H, W)`` grey or ``(H, W, 3)`` RGB (uint8, other integers, or float); a list or a
        ``(B, H, W, C)`` stack gives one map per image (a list, or a stack).
    config : VisionConfig, optional
        All settings (default: the published parameters).
    channel_axis : int or None
        Colour axis of a 3-D image.
    **options
        Overrides of single settings of the encode and feature stages, e.g.
        ``normalization="maxnorm"``, ``orientations=(0, 90)``, ``map_level=3``, and
        ``weights``, ``max_side``.

    Returns
    -------
    ndarray, shape (H, W)
    """
    return _with_options(config, options).saliency(image, channel_axis=channel_axis)


def attend(
    image: Any,
    *,
    task: Any = None,
    n_fixations: int = 5,
    config: VisionConfig | None = None,
    seed: int | np.random.Generator | None = None,
    channel_axis: int | None = -1,
) -> Any:
    """Where attention goes in an image, in what order and how fast (all four stages).

    See :meth:`Pipeline.attend`. Returns an :class:`AttentionResult` (a list for a batch).
    """
    if config is not None and not isinstance(config, VisionConfig):
        raise TypeError(f"config must be a VisionConfig, got {type(config).__name__}")
    return _pipeline(config).attend(
        image, task=task, n_fixations=n_fixations, seed=seed, channel_axis=channel_axis
    )
