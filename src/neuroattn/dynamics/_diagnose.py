"""Why a run failed when the step is not to blame: the input function or float32's range.

A state that turns non-finite, or an adaptive step that collapses, is reported by the
loops as a matter of the step ("try a smaller dt"). Two other causes are common and a
smaller step does not cure them; :func:`explain_failure` names them instead, after the
run, at no cost per step:

* a callable input that returns NaN or inf at some time after t = 0 (the probe at t = 0
  is checked when the run is set up): :class:`~._inputs.InputFn` keeps the last times it
  was called at, and the first of them where the function is non-finite is named;
* a float32 run whose weights or inputs, finite in float32, can sum past its range
  (3.4e38): the message suggests ``dtype="float64"``. Parameters beyond that range are
  refused before the run (:func:`check_params_representable`).
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np

from ._base import Model
from ._inputs import InputFn
from ._options import Status
from .checks import is_torch, to_numpy

_F32_MAX = float(np.finfo(np.float32).max)


def _magnitudes(model: Model) -> dict[str, float]:
    """The largest |value| of each numeric field of the model (weights, gains, ...)."""
    out = {}
    for f in dataclasses.fields(model):  # type: ignore[arg-type]
        v = getattr(model, f.name)
        if isinstance(v, (bool, np.bool_, str)) or not (
            isinstance(v, (int, float, np.number, np.ndarray)) or is_torch(v)
        ):
            continue
        arr = np.asarray(to_numpy(v), dtype=np.float64)
        if arr.size:
            out[f.name] = float(np.max(np.abs(arr)))
    return out


def check_params_representable(model: Model, dtype_name: str) -> None:
    """ValueError when a parameter of the model lies beyond float32's range in a float32
    run (``W = 1e39`` would become inf and every rate NaN)."""
    if dtype_name != "float32":
        return
    for name, size in _magnitudes(model).items():
        if size > _F32_MAX:
            raise ValueError(
                f"{name} overflows float32 (|{name}| up to {size:.3g}, float32 ends at "
                f"{_F32_MAX:.3g}): use dtype='float64' or smaller values"
            )


def explain_failure(st: Any, model: Model, inp: InputFn, dtype_name: str) -> None:
    """Replace the message of a run that ended non-finite (or with a collapsed adaptive
    step) when the cause is the input function or float32's range, not the step."""
    if st.status not in (Status.NONFINITE, Status.DT_TOO_SMALL):
        return
    bad = inp.first_nonfinite()
    if bad is not None:
        t, value = bad
        st.message = (
            f"the input function returned a non-finite value ({value}) at t = {t:.15g}; "
            "inputs(t) must be finite at every time of t_span (the step is not the cause)"
        )
        return
    if dtype_name != "float32" or st.status != Status.NONFINITE:
        return
    sizes = _magnitudes(model)
    if inp.constant and inp.value is not None:
        sizes["inputs"] = float(np.max(np.abs(to_numpy(inp.value)), initial=0.0))
    name, size = max(sizes.items(), key=lambda kv: kv[1], default=("", 0.0))
    reach = size * max(1, model.n)  # a sum over the units can reach n times the largest term
    if reach > _F32_MAX:
        st.message = (
            f"{st.message.split(';')[0]} in float32: {name} (up to {size:.3g}, summed over "
            f"{model.n} units) overflows float32, which ends at {_F32_MAX:.3g}; use "
            "dtype='float64'"
        )
