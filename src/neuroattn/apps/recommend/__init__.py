"""Recommendation with target attention: click prediction over behaviour sequences.

The source's section 6: attention models a user's interests in a recommender system. A
user's history holds several interests; whether they click a candidate depends on the part
of the history that is about that candidate, which target attention picks out (the Deep
Interest Network of Zhou et al. 2018). Everything runs offline on a CPU with generated
users (:func:`generate`) or a user's CSV log (:func:`read_csv`).

>>> from neuroattn.apps import recommend as rec
>>> splits = rec.generate(users=30, candidates=4, seed=0)
>>> splits.sizes()
(84, 12, 24)

Typical use::

    config = rec.RecommendConfig(model="din", max_seconds=120)
    result = rec.train(config, run_dir="runs/din", progress=True)
    rec.scores(result.model, result.splits.test)      # {'auc': ..., 'gauc': ...}
    model, config = rec.load_recommender("runs/din")  # later, from best.pt

Modules: data (:func:`generate`, :func:`read_csv`, :class:`Examples`, :class:`Splits`),
models by name (:data:`MODELS`, :func:`build_model`: ``mean``, ``din``, ``competitive``),
training (:func:`train` on the shared trainer), metrics (:func:`auc`, :func:`gauc`) and
the attention plot (:func:`plot_history_attention`). Needs the ``torch`` extra.
"""

from ._config import EXAMPLE_TOML, RecommendConfig, config_from_mapping, load_config
from ._csv import COLUMNS, read_csv
from ._data import CLICK_MODEL, Examples, Splits, click_probability, generate, split_users
from ._metrics import auc, gauc
from ._models import ACTIVATIONS, MODELS, Batch, Dice, Recommender, build_model
from ._plot import plot_history_attention
from ._train import (
    FORMAT,
    RESUMABLE,
    TrainResult,
    load_data,
    load_recommender,
    model_from_config,
    predict,
    scores,
    to_batch,
    train,
)

__all__ = [
    "ACTIVATIONS",
    "CLICK_MODEL",
    "COLUMNS",
    "EXAMPLE_TOML",
    "FORMAT",
    "MODELS",
    "RESUMABLE",
    "Batch",
    "Dice",
    "Examples",
    "RecommendConfig",
    "Recommender",
    "Splits",
    "TrainResult",
    "auc",
    "build_model",
    "click_probability",
    "config_from_mapping",
    "gauc",
    "generate",
    "load_config",
    "load_data",
    "load_recommender",
    "model_from_config",
    "plot_history_attention",
    "predict",
    "read_csv",
    "scores",
    "split_users",
    "to_batch",
    "train",
]
