"""Other saliency tools: :func:`pysaliency_model`, the pipeline as a pysaliency model.

pysaliency (Kümmerer, Wallis & Bethge 2018) evaluates saliency models on fixation data sets
with the metrics of the MIT/Tübingen saliency benchmark; a model is a
``pysaliency.SaliencyMapModel`` whose ``_saliency_map(stimulus)`` returns an ``(H, W)`` map
for an ``(H, W[, 3])`` image. :func:`pysaliency_model` wraps our pipeline so, e.g.::

    model = pysaliency_model()                       # bottom-up, our default settings
    model.AUC_Judd(stimuli, fixations, jitter=False)
    model.NSS(stimuli, fixations), model.CC(stimuli, other_model)

give pysaliency's numbers for it (``tests/vision/test_pysaliency.py`` checks them against
:mod:`.metrics`). pysaliency is imported only when this is called and is not a dependency of
neuroattn: it is an sdist that compiles, and version 0.2.22 needs ``pkg_resources``
(setuptools < 81) and ``numpy.trapz`` (numpy < 2.4); benchmarks/README.md says how to make a
virtual environment where it works. The wrapper is ours; nothing in it is published.

References
----------
Kümmerer, M., Wallis, T. S. A. & Bethge, M. (2018). Saliency benchmarking made easy:
separating models, maps and metrics. ECCV (pysaliency).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import numpy as np

from .batch import _pipeline_of
from .config import VisionConfig
from .pipeline import Pipeline

__all__ = ["PYSALIENCY_HINT", "pysaliency_model"]

PYSALIENCY_HINT = (
    "pysaliency is not part of neuroattn's install (it compiles); in a Python 3.11 venv: "
    "pip install 'numpy<2' 'setuptools<81' cython && pip install --no-build-isolation "
    "pysaliency (see benchmarks/README.md, 'pysaliency cross-check')"
)


def require_pysaliency() -> Any:
    """The ``pysaliency`` module, or an ImportError saying why not and what to install."""
    try:
        import pysaliency
    except Exception as exc:  # ImportError, or an error of its own imports
        reason = " ".join(str(exc).split()) or type(exc).__name__
        raise ImportError(f"pysaliency cannot be imported ({reason}); {PYSALIENCY_HINT}") from None
    if not hasattr(np, "trapz"):
        raise ImportError(
            f"pysaliency's ROC calls numpy.trapz, which numpy {np.__version__} no longer has; "
            f"{PYSALIENCY_HINT}"
        )
    return pysaliency


@lru_cache(maxsize=1)
def _model_class() -> type:
    """The ``SaliencyMapModel`` subclass (made once, after pysaliency is imported)."""
    pysaliency = require_pysaliency()

    class NeuroattnSaliencyMapModel(pysaliency.SaliencyMapModel):  # type: ignore[name-defined]
        """neuroattn's pipeline as a pysaliency model: the map of :func:`saliency` (or,
        with a task, the task's saliency map of :func:`attend`) at image resolution."""

        def __init__(self, pipeline: Pipeline, task: Any, **kwargs: Any) -> None:
            super().__init__(**kwargs)
            self.pipeline = pipeline
            self.task = task

        def _saliency_map(self, stimulus: np.ndarray) -> np.ndarray:
            if self.task is None:
                out = self.pipeline.saliency(stimulus)
            else:
                out = self.pipeline.attend(stimulus, task=self.task, n_fixations=1).saliency
            return np.asarray(out, dtype=np.float64)

    return NeuroattnSaliencyMapModel


def pysaliency_model(
    *,
    config: VisionConfig | None = None,
    preset: str | None = None,
    task: Any = None,
    caching: bool = True,
) -> Any:
    """Our pipeline as a ``pysaliency.SaliencyMapModel``.

    Parameters
    ----------
    config : VisionConfig, optional
        All settings (default: ours).
    preset : {"itti1998"}, optional
        The published model of Itti, Koch & Niebur (1998) instead; not with ``config``.
    task : str, mapping, ndarray or Task, optional
        A top-down task (as for :func:`~.pipeline.attend`): the model's map is then the
        task's saliency map (bottom-up mixed with the top-down map), not the bottom-up one.
    caching : bool
        pysaliency's cache of computed maps, by stimulus id (its default, True).

    Returns
    -------
    pysaliency.SaliencyMapModel
        ``saliency_map(image)`` is a float64 ``(H, W)`` map; every pysaliency metric
        (``AUC``, ``AUC_Judd``, ``NSS``, ``CC``, ``SIM``, ``KLDiv``, …) applies.

    Raises
    ------
    ValueError, TypeError
        A bad config, preset, task or ``caching`` (checked before pysaliency is imported).
    ImportError
        pysaliency cannot be imported; the message says why and how to install it.
    """
    if not isinstance(caching, (bool, np.bool_)):
        raise TypeError(f"caching must be True or False, got {caching!r}")
    if config is not None and not isinstance(config, VisionConfig):
        raise TypeError(f"config must be a VisionConfig, got {type(config).__name__}")
    pipeline = _pipeline_of(config, preset)
    resolved = None
    if task is not None:
        resolved = pipeline.feedback.task(task, orientations=pipeline.encode.orientations)
    return _model_class()(pipeline, resolved, caching=bool(caching))
