"""External input I(t): constant, sampled over time, or a callable of t."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from ._backend import Array
from ._params import check_torch_finite, neuron_batch_shape, to_backend
from .checks import check_finite_array, is_torch, to_numpy


@dataclass(frozen=True)
class TimeSeries:
    """Input sampled at times ``t``, linearly interpolated and held beyond the ends.

    Parameters
    ----------
    t : array_like, shape (T,)
        Strictly increasing sample times.
    values : array_like, shape (T, *batch, *state)
        Input at each sample time.
    """

    t: Any
    values: Any

    def __post_init__(self) -> None:
        t = check_finite_array(self.t, "inputs.t")
        if t.ndim != 1 or t.size < 1:
            raise ValueError("inputs.t must be a 1-D array of sample times")
        if t.size > 1 and np.any(np.diff(t) <= 0):
            raise ValueError("inputs.t must be strictly increasing")
        if is_torch(self.values):
            check_torch_finite(self.values, "inputs.values")
            v = self.values
        else:
            v = check_finite_array(self.values, "inputs.values")
        if v.ndim == 0 or v.shape[0] != t.size:
            raise ValueError(
                f"inputs.values has shape {tuple(v.shape)}: it needs {t.size} samples along "
                "axis 0, one per time of inputs.t"
            )
        object.__setattr__(self, "t", t)
        object.__setattr__(self, "values", v)


class InputFn:
    """Input bound to a backend: ``at(t)`` returns an array broadcastable to the state."""

    def __init__(
        self, spec: Any, state_shape: tuple[int, ...], torch_: bool, dtype: Any, device: Any = None
    ) -> None:
        """Check ``spec`` (a constant, a :class:`TimeSeries` or a callable of t) and convert
        it to the backend; ``constant`` and ``value`` tell the loops it never changes."""
        self.constant = not (callable(spec) or isinstance(spec, TimeSeries))
        self._fn: Callable[[Any], Array]
        self._spec = spec
        # the last times a callable input was called at: enough to cover the steps between
        # two finiteness checks of the loops (64 steps of 7 stages, a collapsing step)
        self._recent: deque[Any] = deque(maxlen=2048)
        if isinstance(spec, TimeSeries):
            self.batch_shape = neuron_batch_shape(spec.values[0], state_shape, "inputs.values")
            ts = spec.t
            vals = to_backend(spec.values, torch_, dtype, device)

            def interp(t: Any) -> Array:
                tf = float(t)
                i = int(np.clip(np.searchsorted(ts, tf, side="right") - 1, 0, len(ts) - 1))
                if i >= len(ts) - 1 or tf <= ts[0]:
                    return vals[i]
                w = (tf - ts[i]) / (ts[i + 1] - ts[i])
                return vals[i] * (1 - w) + vals[i + 1] * w

            self._fn = interp
        elif callable(spec):
            probe = spec(0.0)
            if is_torch(probe):
                check_torch_finite(probe, "inputs(t)")
            else:
                probe = check_finite_array(probe, "inputs(t)")
            self.batch_shape = neuron_batch_shape(probe, state_shape, "inputs(t)")
            recent = self._recent

            def call(t: Any) -> Array:
                recent.append(t)  # for first_nonfinite(), after a failed run
                return to_backend(spec(t), torch_, dtype, device)

            self._fn = call
        else:
            if not is_torch(spec):
                spec = check_finite_array(spec, "inputs")
            else:
                check_torch_finite(spec, "inputs")
            self.batch_shape = neuron_batch_shape(spec, state_shape, "inputs")
            value = to_backend(spec, torch_, dtype, device)
            self._fn = lambda t: value
        self.value = self._fn(0.0) if self.constant else None

    def at(self, t: Any) -> Array:
        """Input at time t (a float)."""
        return self._fn(t)

    def first_nonfinite(self) -> tuple[float, str] | None:
        """For a callable input, the earliest of the last times it was called at where it
        returns NaN or inf, with that value (``"nan"``, ``"inf"``); None when there is none
        (and always for constant and sampled inputs, which are checked when given)."""
        if not callable(self._spec) or isinstance(self._spec, TimeSeries):
            return None
        times = {float(x) for t in self._recent for x in np.ravel(to_numpy(t))}
        for t in sorted(times):
            try:
                with np.errstate(all="ignore"):
                    value = np.asarray(to_numpy(self._spec(t)), dtype=np.float64).ravel()
            except (TypeError, ValueError):  # not numbers: not this question's answer
                continue
            bad = value[~np.isfinite(value)]
            if bad.size:
                return t, str(bad[0])
        return None
