"""The four stages as one object: :class:`Pipeline` (public in :mod:`.pipeline`).

``Pipeline(encode=…, features=…, compete=…, feedback=…)`` takes any stage objects with
the call signatures of :class:`~.encode.Encoder`, :class:`~.features.FeatureExtractor`,
:class:`~.compete.WinnerTakeAll` and :class:`~.feedback.TopDown`, so each stage can be
swapped. A batch (a list of images, or a 4-D stack) goes through the competition stage
as one batched network. The one-call functions :func:`~.pipeline.saliency` and
:func:`~.pipeline.attend`, with their options, are in :mod:`.pipeline`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, NamedTuple, overload

import numpy as np
from numpy.typing import ArrayLike

from ._image import Checked, as_list, as_rgb, is_batch, resize_map, restack
from ._records import CompetitionTrace, Fixation
from ._result import AttentionResult
from .compete import WinnerTakeAll
from .config import VisionConfig
from .encode import Encoder
from .features import FeatureExtractor, Features, combine
from .feedback import Task, TopDown, vocus_gains

__all__ = ["ImageBatch", "Pipeline"]

ImageBatch = list[Any] | tuple[Any, ...]
"""A batch of images as a list or tuple (each result comes back in a list)."""


class _ImageMaps(NamedTuple):
    """One image after the encode and feature stages (and the feedback stage, if run)."""

    checked: Checked
    features: Features
    conspicuity: dict[str, np.ndarray]
    saliency: np.ndarray
    gain: np.ndarray
    original: Any


def _frozen(a: np.ndarray) -> np.ndarray:
    a.setflags(write=False)
    return a


def _at_image_size(saliency: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """A map-level saliency map resized (bilinear) to the image's ``(H, W)``, clipped at 0."""
    return resize_map(saliency, shape)


@dataclass(frozen=True)
class Pipeline:
    """encode → features → compete → feedback, with swappable stages.

    Parameters
    ----------
    encode, features, compete, feedback
        The stage objects (defaults: ours, see :mod:`.features` for what is published;
        :meth:`from_preset` gives the published model of Itti, Koch & Niebur 1998).
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
        return cls(
            config.encode,
            config.features,
            config.compete,
            config.feedback,
            config.weights,
            config.max_side,
        )

    @classmethod
    def from_preset(cls, preset: str) -> Pipeline:
        """The pipeline of a published model: ``"itti1998"`` (Itti, Koch & Niebur 1998).

        The encode and feature stages and the conspicuity weights are the preset's
        (:mod:`._presets`); the competition and feedback stages are the defaults. An
        unknown preset is a ValueError naming ``preset``.
        """
        return cls.from_config(VisionConfig.from_preset(preset))

    # --- the stages ------------------------------------------------------------------------
    def _bottom_up(self, image: Any, channel_axis: int | None, name: str) -> _ImageMaps:
        """Check ``image`` and run the encode and feature stages (gain one)."""
        checked = as_rgb(image, channel_axis=channel_axis, max_side=self.max_side, name=name)
        features = self.features(self.encode(checked.image))
        conspicuity, sal = combine(features, weights=self.weights)
        return _ImageMaps(checked, features, conspicuity, sal, np.ones_like(sal), image)

    @overload
    def saliency(self, image: ImageBatch, *, channel_axis: int | None = -1) -> list[np.ndarray]: ...
    @overload
    def saliency(self, image: ArrayLike, *, channel_axis: int | None = -1) -> np.ndarray: ...
    def saliency(
        self, image: Any, *, channel_axis: int | None = -1
    ) -> np.ndarray | list[np.ndarray]:
        """Bottom-up saliency at image resolution: ``(H, W)`` for one image, a list for a
        list of images, a ``(B, H, W)`` stack for a ``(B, H, W, C)`` stack."""
        if is_batch(image):
            return restack(
                [self.saliency(im, channel_axis=channel_axis) for im in as_list(image)], image
            )
        maps = self._bottom_up(image, channel_axis, "image")
        return _at_image_size(maps.saliency, maps.checked.shape)

    @overload
    def attend(
        self,
        image: ImageBatch,
        *,
        task: Any = None,
        n_fixations: int = 5,
        seed: int | np.random.Generator | None = None,
        channel_axis: int | None = -1,
    ) -> list[AttentionResult]: ...
    @overload
    def attend(
        self,
        image: ArrayLike,
        *,
        task: Any = None,
        n_fixations: int = 5,
        seed: int | np.random.Generator | None = None,
        channel_axis: int | None = -1,
    ) -> AttentionResult: ...
    def attend(
        self,
        image: Any,
        *,
        task: Any = None,
        n_fixations: int = 5,
        seed: int | np.random.Generator | None = None,
        channel_axis: int | None = -1,
    ) -> AttentionResult | list[AttentionResult]:
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

        Returns
        -------
        AttentionResult or list of AttentionResult
            One result for one image; a list for a list of images or a 4-D stack (a 4-D
            array is typed as one image: pass a list for the list type).
        """
        images = as_list(image)
        batch = is_batch(image)
        names = [f"image {i}" for i in range(len(images))] if batch else ["image"]
        resolved = None
        if task is not None:
            resolved = self.feedback.task(task, orientations=self.encode.orientations)
        prepared = [
            self._with_task(im, channel_axis, name, resolved)
            for im, name in zip(images, names, strict=True)
        ]
        results = self._compete(prepared, resolved, n_fixations, seed)
        return results if batch else results[0]

    def _with_task(
        self, image: Any, channel_axis: int | None, name: str, task: Task | None
    ) -> _ImageMaps:
        """The bottom-up maps of ``image`` with the feedback stage's saliency and gain."""
        maps = self._bottom_up(image, channel_axis, name)
        sal, gain = self.feedback.apply(maps.features, maps.saliency, task)
        return maps._replace(saliency=sal, gain=gain)

    def _compete(
        self, prepared: list[_ImageMaps], task: Task | None, n_fixations: int, seed: Any
    ) -> list[AttentionResult]:
        """The competition stage, one batched network per group of equally sized maps."""
        groups: dict[tuple[int, ...], list[int]] = {}
        for i, p in enumerate(prepared):
            groups.setdefault((*p.saliency.shape, *p.checked.image.shape[:2]), []).append(i)
        rng = np.random.default_rng(seed)
        out: list[Any] = [None] * len(prepared)
        for key, members in groups.items():
            runs = self.compete(
                np.stack([prepared[i].saliency for i in members]),
                n_fixations=n_fixations,
                gain=np.stack([prepared[i].gain for i in members]),
                image_shape=(key[2], key[3]),
                seed=rng,
            )
            for i, (fixations, trace) in zip(members, runs, strict=True):
                out[i] = self._result(prepared[i], fixations, trace, task)
        return out

    def _result(
        self,
        maps: _ImageMaps,
        fixations: tuple[Fixation, ...],
        trace: CompetitionTrace,
        task: Task | None,
    ) -> AttentionResult:
        """The immutable result, fixations in the pixels of the image as given."""
        scale = maps.checked.scale
        if scale != 1.0:
            fixations = tuple(
                dataclasses.replace(f, x=f.x / scale, y=f.y / scale) for f in fixations
            )
        return AttentionResult(  # the map level only: saliency at image size is lazy
            saliency_map=_frozen(np.asarray(maps.saliency, dtype=np.float32)),
            feature_maps=MappingProxyType(dict(maps.features.feature_maps)),
            conspicuity=MappingProxyType(maps.conspicuity),
            fixations=fixations,
            trace=trace,
            gain=_frozen(np.asarray(maps.gain)),
            task=task,
            image=np.asarray(maps.original),
            image_shape=maps.checked.shape,
            scale=scale,
            level=maps.features.level,
        )

    def learn_task(self, images: Any, masks: Any) -> Task:
        """A VOCUS task (Frintrop 2005) from example images and their target masks."""
        ims, ms = as_list(images), as_list(masks)
        if len(ims) != len(ms):
            raise ValueError(f"learn_task: {len(ims)} images but {len(ms)} masks")
        examples = []
        for k, (im, m) in enumerate(zip(ims, ms, strict=True)):
            maps = self._bottom_up(im, -1, f"example {k}")
            mask = np.asarray(m, bool)
            if mask.shape != maps.checked.shape:
                raise ValueError(f"mask {k}: shape {mask.shape} does not match its image")
            examples.append((maps.features, mask))
        gains = vocus_gains(examples, max_gain=self.feedback.max_gain)
        return Task(MappingProxyType(gains), f"learned from {len(ims)} example(s)")
