"""Competition–inhibition neural dynamics: the mathematical model of attention (section 4).

The seed equation (:class:`Competition`), its relatives (:class:`LateralInhibition`,
:class:`Shunting`, :class:`NeuralField`), one integrator entry point (:func:`simulate`),
steady states and their stability (:func:`steady_state`) and parameter fitting (:func:`fit`).
numpy first; every function also runs in torch, differentiably, when given torch tensors.

``simulate`` is configured by small objects, as diffrax's ``diffeqsolve`` is: a
:class:`Solver` (:class:`Euler`, :class:`EulerMaruyama`, :class:`Heun`, :class:`RK4`,
:class:`Dopri5`), :class:`SaveAt` (when to save), a :class:`StoppingRule` such as
:class:`Steady` (when to stop), a :class:`~neuroattn.dynamics.progress.ProgressMeter`
(where progress goes); a run ends with a :class:`Status`. Arguments are checked by
:mod:`neuroattn.dynamics.checks`, the project's one validation module; the work and memory
one argument can ask for are bounded (:data:`LIMITS`, ``simulate(max_steps=, max_work=,
max_memory=)``), and a refusal is a :class:`LimitError` saying how to raise the bound.
"""

from ._activations import Activation, available_activations, get_activation, sigmoid
from ._base import Model
from ._connectivity import mexican_hat, ring, uniform
from ._connectivity import random as random_weights
from ._depression import SynapticDepression
from ._fields import NeuralField, dog_kernel
from ._fit import FitResult, fit
from ._inputs import TimeSeries
from ._integrate import SimulationError
from ._limits import LIMITS, LimitError, Limits
from ._normalization import attention_modulation, attention_normalization, suppressive_pool
from ._normalization_model import (
    ContrastResponse,
    NakaRushton,
    NormalizationModel,
    PopulationResponse,
)
from ._options import SaveAt, Status, Steady, StoppingRule
from ._rate import Competition, LateralInhibition, RateModel
from ._shunting import Shunting, shunting_equilibrium
from ._simulate import simulate
from ._solvers import RK4, Dopri5, Euler, EulerMaruyama, Heun, Solver, available_methods
from ._steady import SteadyState, steady_state
from ._trajectory import Trajectory, selectivity, winner
from .progress import ProgressMeter

__all__ = [
    "LIMITS",
    "RK4",
    "Activation",
    "Competition",
    "ContrastResponse",
    "Dopri5",
    "Euler",
    "EulerMaruyama",
    "FitResult",
    "Heun",
    "LateralInhibition",
    "LimitError",
    "Limits",
    "Model",
    "NakaRushton",
    "NeuralField",
    "NormalizationModel",
    "PopulationResponse",
    "ProgressMeter",
    "RateModel",
    "SaveAt",
    "Shunting",
    "SimulationError",
    "Solver",
    "Status",
    "Steady",
    "SteadyState",
    "StoppingRule",
    "SynapticDepression",
    "TimeSeries",
    "Trajectory",
    "attention_modulation",
    "attention_normalization",
    "available_activations",
    "available_methods",
    "dog_kernel",
    "fit",
    "get_activation",
    "mexican_hat",
    "random_weights",
    "ring",
    "selectivity",
    "shunting_equilibrium",
    "sigmoid",
    "simulate",
    "steady_state",
    "suppressive_pool",
    "uniform",
    "winner",
]
