"""Gradient-based fitting through the differentiable torch simulation."""

from __future__ import annotations

from typing import Any

import numpy as np

from ._backend import torch_module
from ._base import Model
from ._simulate import simulate


def fit_torch(
    model: Model,
    inputs: Any,
    target: np.ndarray,
    names: list[str],
    start: list[float],
    observable: str,
    steps: int,
    sim: dict[str, Any],
    lower: dict[str, float],
) -> tuple[dict[str, float], float, bool, int, str]:
    """L-BFGS on the squared error; bounded parameters are optimised as lower + softplus(θ)."""
    torch = torch_module()
    F = torch.nn.functional
    tgt = torch.as_tensor(target, dtype=torch.float64)
    raw = []
    for p, s in zip(names, start, strict=True):
        lo = lower.get(p, -np.inf)
        if np.isfinite(lo):
            # inverse softplus of the starting distance above the bound
            d = max(s - lo, 1e-6)
            raw.append(torch.tensor(np.log(np.expm1(d)), dtype=torch.float64, requires_grad=True))
        else:
            raw.append(torch.tensor(s, dtype=torch.float64, requires_grad=True))

    def values() -> list[Any]:
        out = []
        for p, r in zip(names, raw, strict=True):
            lo = lower.get(p, -np.inf)
            out.append(lo + F.softplus(r) if np.isfinite(lo) else r)
        return out

    def loss_fn() -> Any:
        changes: dict[str, Any] = {}
        for p, v in zip(names, values(), strict=True):
            if p == "w_scale":
                changes["W"] = torch.as_tensor(np.asarray(model.W), dtype=torch.float64) * v  # type: ignore[attr-defined]
            else:
                changes[p] = v
        traj = simulate(model.replace(**changes), inputs, dtype="float64", **sim)
        out = traj.rates if observable == "rates" else traj.u
        if tuple(out.shape) != tuple(tgt.shape):
            raise ValueError(
                f"target has shape {tuple(tgt.shape)} but the model gives {tuple(out.shape)}"
            )
        return ((out - tgt) ** 2).mean()

    opt = torch.optim.LBFGS(
        raw,
        max_iter=steps,
        line_search_fn="strong_wolfe",
        tolerance_grad=1e-12,
        tolerance_change=1e-14,
    )
    nfev = 0

    def closure() -> Any:
        nonlocal nfev
        nfev += 1
        opt.zero_grad()
        loss = loss_fn()
        loss.backward()
        return loss

    opt.step(closure)
    with torch.no_grad():
        final = float(loss_fn())
    est = {p: float(v.detach()) for p, v in zip(names, values(), strict=True)}
    return est, float(np.sqrt(final)), bool(np.isfinite(final)), nfev, "L-BFGS finished"
