"""Translation with attention: train, decode, score and inspect seq2seq models offline.

The source's section 5.1: in sequence-to-sequence models attention lets the decoder look
at the source characters it needs. Everything runs on a laptop CPU with generated data
(nothing is downloaded): numbers written out in English → German/French/Spanish
(``num2words``), dates in CLDR formats of 16 locales → ISO 8601 (Babel), or a user's TSV.

>>> from neuroattn.apps import translate as tr
>>> splits = tr.load_task("numbers-en-de", seed=0, sizes=(50, 5, 5))
>>> splits.sizes()
(50, 5, 5)

Typical use::

    config = tr.TranslateConfig(task="dates", model="rnn-bahdanau", max_seconds=120)
    result = tr.train(config, run_dir="runs/dates", progress=tr.TrainingBar())
    result.translator.translate("Montag, 23. November 2026")   # '2026-11-23'
    result.translator.evaluate(result.splits.test)             # exact match, chrF, BLEU
    tr.save_alignments(result.translator, ["23 novembre 2026"], "align.png")
    translator = tr.load_translator("runs/dates")              # later, from best.pt

Modules: data (:func:`load_task`), character vocabularies (:class:`Vocab`), models by
name (:data:`MODELS`, :func:`build_model`), training (:func:`train` on the shared
trainer, :func:`step_loss`,
:func:`evaluate`), checkpoints (:func:`load_translator`), decoding
(:func:`greedy_decode`, :func:`beam_search`), metrics (:func:`score`) and plots
(:func:`save_alignments`). Needs the ``torch`` and ``translate`` extras.
"""

from ._base import Seq2Seq, select_state
from ._checkpoint import BEST, LAST, load_translator, read_checkpoint
from ._config import ATTENTIONS, EXAMPLE_TOML, TranslateConfig, config_from_mapping, load_config
from ._data import (
    DATE_FORMATS,
    DATE_RANGE,
    TASKS,
    Pair,
    Splits,
    date_pairs,
    load_task,
    number_pairs,
    read_tsv,
    split_pairs,
)
from ._decode import beam_search, greedy_decode
from ._metrics import Scores, bleu, chrf, exact_match, score
from ._models import MODELS, build_model, model_from_config
from ._plot import plot_alignment, save_alignments
from ._train import TrainingBar, TrainResult, epoch_batches, evaluate, step_loss, train
from ._translator import Alignment, Translator, pad_ids
from ._vocab import BOS, EOS, PAD, UNK, Vocab

__all__ = [
    "ATTENTIONS",
    "BEST",
    "BOS",
    "DATE_FORMATS",
    "DATE_RANGE",
    "EOS",
    "EXAMPLE_TOML",
    "LAST",
    "MODELS",
    "PAD",
    "TASKS",
    "UNK",
    "Alignment",
    "Pair",
    "Scores",
    "Seq2Seq",
    "Splits",
    "TrainResult",
    "TrainingBar",
    "TranslateConfig",
    "Translator",
    "Vocab",
    "beam_search",
    "bleu",
    "build_model",
    "chrf",
    "config_from_mapping",
    "date_pairs",
    "epoch_batches",
    "evaluate",
    "exact_match",
    "greedy_decode",
    "load_config",
    "load_task",
    "load_translator",
    "model_from_config",
    "number_pairs",
    "pad_ids",
    "plot_alignment",
    "read_checkpoint",
    "read_tsv",
    "save_alignments",
    "score",
    "select_state",
    "split_pairs",
    "step_loss",
    "train",
]
