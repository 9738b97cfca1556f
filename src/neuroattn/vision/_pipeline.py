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
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, NamedTuple, overload

import numpy as np
from numpy.typing import ArrayLike

from ._field import AttentionField, Spot
from ._image import Checked, as_list, as_rgb, is_batch, resize_map, restack
from ._loop import LoopState, TrialSequence, cue_points, per_trial, target_point
from ._modulate import Modulator
from ._quitting import absolute_saliency
from ._records import CompetitionTrace, Fixation
from ._result import AttentionResult
from ._scan import Refresh
from .compete import WinnerTakeAll
from .config import VisionConfig
from .encode import Encoder
from .features import FeatureExtractor, Features, combine
from .feedback import Task, TopDown, vocus_gains
from .io import MAX_PIXELS

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
    drive: Modulator
    field: AttentionField | None = None


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
    max_pixels : int
        Arrays with more pixels are refused before any copy (:data:`~.io.MAX_PIXELS`).
    """

    encode: Encoder = field(default_factory=Encoder)
    features: FeatureExtractor = field(default_factory=FeatureExtractor)
    compete: WinnerTakeAll = field(default_factory=WinnerTakeAll)
    feedback: TopDown = field(default_factory=TopDown)
    weights: Mapping[str, float] = field(default_factory=lambda: MappingProxyType({}))
    max_side: int = 2048
    max_pixels: int = MAX_PIXELS

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
            config.max_pixels,
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
    def _bottom_up(
        self,
        image: Any,
        channel_axis: int | None,
        name: str,
        make_field: Callable[[float], AttentionField] | None = None,
    ) -> _ImageMaps:
        """Check ``image`` and run the encode and feature stages, encoding under the
        attention field ``make_field(scale)`` when given (``scale``: working / given
        pixels)."""
        checked = as_rgb(
            image,
            channel_axis=channel_axis,
            max_side=self.max_side,
            max_pixels=self.max_pixels,
            name=name,
        )
        field = None if make_field is None else make_field(checked.scale)
        drive = Modulator(self.encode(checked.image), pool_width=self.feedback.pool_width)
        features, conspicuity, sal = self._maps(drive, field)
        shown = _channels_last(image, channel_axis)
        return _ImageMaps(
            checked, features, conspicuity, sal, np.ones_like(sal), shown, drive, field
        )

    def _maps(
        self, drive: Modulator, field: AttentionField | None
    ) -> tuple[Features, dict[str, np.ndarray], np.ndarray]:
        """Stage 1's drive modulated by the attention field, then stage 2."""
        encoding = drive.encoding if field is None else drive(field)
        features = self.features(encoding)
        conspicuity, sal = combine(features, weights=self.weights)
        return features, conspicuity, sal

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
        cue: Any = None,
        state: LoopState | None = None,
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
        cue: Any = None,
        state: LoopState | None = None,
    ) -> AttentionResult: ...
    def attend(
        self,
        image: Any,
        *,
        task: Any = None,
        n_fixations: int = 5,
        seed: int | np.random.Generator | None = None,
        channel_axis: int | None = -1,
        cue: Any = None,
        state: LoopState | None = None,
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
        cue : (x, y) or sequence of (x, y), optional
            Spatial cues in the pixels of the image as given: each adds a spot to the
            attention field that modulates encoding (peak and width of ``feedback``).
        state : LoopState, optional
            The closed loop's state to start from (its priming history enters the
            attention field); see :meth:`run_trials`.

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
        cues = cue_points(cue)
        history = state.history if state is not None else None
        prepared = [
            self._with_task(im, channel_axis, name, resolved, cues, history)
            for im, name in zip(images, names, strict=True)
        ]
        results = self._compete(prepared, resolved, n_fixations, seed)
        return results if batch else results[0]

    def _with_task(
        self,
        image: Any,
        channel_axis: int | None,
        name: str,
        task: Task | None,
        cues: Sequence[tuple[float, float]] = (),
        history: Mapping[str, float] | None = None,
    ) -> _ImageMaps:
        """The maps of ``image`` under the attention field, with stage 4's saliency and gain.

        The field (task gains, priming history, cues) enters encoding only in the closed
        loop or when there is a cue or a history; otherwise encoding is bottom-up.
        """

        def make_field(scale: float) -> AttentionField:
            spots = [(x * scale, y * scale) for x, y in cues]
            return self.feedback.attention_field(task, spots=spots, history=history)

        closed = self.feedback.loop or cues or history
        maps = self._bottom_up(image, channel_axis, name, make_field if closed else None)
        sal, gain = self.feedback.apply(maps.features, maps.saliency, task)
        return maps._replace(saliency=sal, gain=gain)

    def _refresh(self, maps: _ImageMaps, task: Task | None) -> Refresh:
        """The closed loop after a fixation at (x, y): attention leaves the winner, whose
        spot in the field turns suppressive (peak 1/a; inhibition of return entering
        encoding), and the maps are encoded again under the field of all spots so far."""
        base = maps.field if maps.field is not None else AttentionField()
        width, peak = self.feedback.field_width, 1.0 / self.feedback.field_peak
        visited: list[Spot] = []

        def refresh(x: float, y: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
            visited.append(Spot(x, y, width, peak))
            field = base.combined(AttentionField(tuple(visited)))
            features, _, sal = self._maps(maps.drive, field)
            sal, gain = self.feedback.apply(features, sal, task)
            # the competition keeps the trial's field (cues, features): its own inhibition
            # of return already covers the visited places
            return sal, gain, base.priority(features.contrast_maps, maps.drive.encoding.shape)

        return refresh

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
            loop = self.feedback.loop
            runs = self.compete(
                np.stack([prepared[i].saliency for i in members]),
                n_fixations=n_fixations,
                gain=np.stack([prepared[i].gain for i in members]),
                image_shape=(key[2], key[3]),
                seed=rng,
                refresh=[self._refresh(prepared[i], task) for i in members] if loop else None,
                field=np.stack([_spatial(prepared[i]) for i in members]),
                peak=[_peak(prepared[i], self.weights) for i in members],
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

    def run_trials(
        self,
        images: Any,
        *,
        task: Any = None,
        cues: Any = None,
        targets: Any = None,
        n_fixations: int = 5,
        seed: int | np.random.Generator | None = None,
        channel_axis: int | None = -1,
        state: LoopState | None = None,
    ) -> TrialSequence:
        """A sequence of trials with the closed loop's state carried from one to the next.

        Each image is one trial (:meth:`attend` with that trial's cue). After it, the
        features of its target — inside ``targets[k]`` (a boolean mask; an empty mask is
        a target-absent trial) when given, else at the first fixation — enter the
        priming history, which decays over trials (:meth:`~.feedback.TopDown.remember`;
        priming of pop-out, Maljkovic & Nakayama 1994). Pass the returned ``state`` on
        to continue; ``state=None`` starts from a reset (no history). The spatial field
        is not carried between trials. One trial costs one :meth:`attend` plus one
        bottom-up pass to read the target's features.
        """
        ims = as_list(images)
        cue_list = per_trial(cues, len(ims), "cues")
        target_list = per_trial(targets, len(ims), "targets")
        state = LoopState() if state is None else state
        if not isinstance(state, LoopState):
            raise TypeError(f"state must be a LoopState, got {type(state).__name__}")
        rng = np.random.default_rng(seed)
        results, states = [], []
        for k, image in enumerate(ims):
            states.append(state)
            result = self.attend(
                image,
                task=task,
                n_fixations=n_fixations,
                seed=rng,
                channel_axis=channel_axis,
                cue=cue_list[k],
                state=state,
            )
            results.append(result)
            maps = self._bottom_up(image, channel_axis, f"image {k}")
            point = target_point(target_list[k], result, maps.checked.shape, k)
            if point is None:
                history = self.feedback.decay(state.history)
            else:
                (h, w), (height, width) = maps.saliency.shape, maps.checked.shape
                cell = (
                    min(int(point[1] * h / height), h - 1),
                    min(int(point[0] * w / width), w - 1),
                )
                history = self.feedback.remember(state.history, maps.features, cell)
            state = LoopState(MappingProxyType(history), state.trials + 1)
        return TrialSequence(tuple(results), tuple(states), state)

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


def _peak(maps: _ImageMaps, weights: Mapping[str, float]) -> float:
    """The saliency's maximum before :func:`combine` scaled it to one (absolute priority)."""
    if not maps.conspicuity or sum(weights.get(g, 1.0) for g in maps.conspicuity) <= 0:
        return 0.0
    return float(absolute_saliency(maps.conspicuity, weights).max())


def _spatial(maps: _ImageMaps) -> np.ndarray:
    """The attention field as the competition's units see it (ones without a field)."""
    if maps.field is None:
        return np.ones_like(maps.saliency)
    return maps.field.priority(maps.features.contrast_maps, maps.drive.encoding.shape)


def _channels_last(image: Any, channel_axis: int | None) -> Any:
    """The image as given, its colour axis moved last for plots (a checked image is 3-D
    with a valid ``channel_axis`` whenever that axis is not already last)."""
    if channel_axis is None or np.ndim(image) != 3 or channel_axis in (-1, 2):
        return image
    return np.moveaxis(np.asarray(image), channel_axis, -1)
