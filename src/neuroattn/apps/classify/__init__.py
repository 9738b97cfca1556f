"""Classification of cluttered digits with spatial attention (issue 12).

Data: scikit-learn's bundled 8×8 digits, upscaled and placed at random on a 60×60 canvas
among fragments of other digits (:func:`cluttered_digits`, after Mnih et al. 2014's
cluttered MNIST); train, dev and test canvases come from disjoint source digits. Models:
one small CNN with no attention, :class:`neuroattn.nn.SpatialAttention`,
:class:`neuroattn.nn.CBAM`, or a gate from the competition stage (:class:`FieldGate`, a
neural field of :mod:`neuroattn.dynamics`), by name (:func:`create_model`). Training runs on
the shared trainer (:func:`train`) with a TOML config (:class:`ClassifyConfig`); a run
directory's model is :func:`load_classifier`. Needs the ``torch`` and ``classify`` extras.
"""

from ._checkpoint import load_classifier
from ._classifier import Classifier, Prediction, Scores
from ._config import EXAMPLE_TOML, ClassifyConfig, config_from_mapping, load_config
from ._data import SPLITS, ClutteredDigits, cluttered_digits, source_digits, source_split
from ._field_gate import FieldGate
from ._metrics import accuracy, confusion_matrix, error_rate
from ._models import ATTENTIONS, POOLS, DigitNet, available_models, create_model, parameter_count
from ._plot import plot_confusion, plot_overlays
from ._train import TrainResult, evaluation_set, shifted_test_set, train

__all__ = [
    "ATTENTIONS",
    "EXAMPLE_TOML",
    "POOLS",
    "SPLITS",
    "Classifier",
    "ClassifyConfig",
    "ClutteredDigits",
    "DigitNet",
    "FieldGate",
    "Prediction",
    "Scores",
    "TrainResult",
    "accuracy",
    "available_models",
    "cluttered_digits",
    "config_from_mapping",
    "confusion_matrix",
    "create_model",
    "error_rate",
    "evaluation_set",
    "load_classifier",
    "load_config",
    "parameter_count",
    "plot_confusion",
    "plot_overlays",
    "shifted_test_set",
    "source_digits",
    "source_split",
    "train",
]
