"""neuroattn — attention from neurons to networks.

One vocabulary, encode → features → compete → feedback, across a circuit simulation
(:mod:`neuroattn.dynamics`), an image pipeline and PyTorch attention layers.
"""

from typing import Any

from . import dynamics
from .dynamics import simulate

__version__ = "0.1.0"
__all__ = ["__version__", "attend", "dynamics", "saliency", "simulate"]


def __getattr__(name: str) -> Any:
    # the vision pipeline (OpenCV, scikit-image) is imported on first use only
    if name in ("saliency", "attend", "vision"):
        import importlib

        vision = importlib.import_module(".vision", __name__)
        return vision if name == "vision" else getattr(vision, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
