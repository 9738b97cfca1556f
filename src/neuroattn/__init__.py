"""neuroattn — attention from neurons to networks.

One vocabulary, encode → features → compete → feedback, across a circuit simulation
(:mod:`neuroattn.dynamics`), an image pipeline and PyTorch attention layers.
"""

from . import dynamics
from .dynamics import simulate

__version__ = "0.1.0"
__all__ = ["__version__", "dynamics", "simulate"]
