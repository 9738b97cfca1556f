"""Competition–inhibition neural dynamics: the mathematical model of attention (section 4).

The seed equation (:class:`Competition`), its relatives (:class:`LateralInhibition`,
:class:`Shunting`, :class:`NeuralField`), one integrator entry point (:func:`simulate`),
steady states and their stability (:func:`steady_state`) and parameter fitting (:func:`fit`).
numpy first; every function also runs in torch, differentiably, when given torch tensors.
"""

from ._activations import Activation, available_activations, get_activation, sigmoid
from ._base import Model
from ._connectivity import mexican_hat, ring, uniform
from ._connectivity import random as random_weights
from ._fields import NeuralField, dog_kernel
from ._fit import FitResult, fit
from ._inputs import TimeSeries
from ._integrate import SimulationError
from ._rate import Competition, LateralInhibition, RateModel
from ._shunting import Shunting, shunting_equilibrium
from ._simulate import simulate
from ._solvers import RK4, Dopri5, Euler, EulerMaruyama, Heun
from ._steady import SteadyState, steady_state
from ._trajectory import Trajectory, selectivity, winner

__all__ = [
    "RK4",
    "Activation",
    "Competition",
    "Dopri5",
    "Euler",
    "EulerMaruyama",
    "FitResult",
    "Heun",
    "LateralInhibition",
    "Model",
    "NeuralField",
    "RateModel",
    "Shunting",
    "SimulationError",
    "SteadyState",
    "TimeSeries",
    "Trajectory",
    "available_activations",
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
    "uniform",
    "winner",
]
