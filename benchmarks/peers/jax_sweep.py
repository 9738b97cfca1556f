"""D2 peer: the sweep's fixed-step loop in JAX — one set's loop, ``vmap``-ed over sets.

Built by ``sweep_server.py`` (``build``) inside ``.bench-venvs/jax``; also runs alone:
``python jax_sweep.py in.npz out.npz '{"method": ..., "n_steps": ..., "dt": ..., ...}'``.

This is the engine under BrainPy: a per-network step function, scanned over time with
``lax.scan`` and vectorised over parameter sets with ``vmap``, compiled once by XLA.
``method`` is ``"euler"`` or ``"rk4"`` (classic fourth order). With ``"until": "steady"``
the scan becomes a ``lax.while_loop`` over chunks of ``check_every`` steps that stops once
max |du/dt| < ``tol`` (our ``simulate(until="steady")`` criterion); under ``vmap`` the loop
runs until every set has stopped, the settled ones frozen by a select, as ours does.
Compile time (ahead of time, via ``lower().compile()``) is reported apart from the run time.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from sweep_server import compile_timed, standalone


def build(data: dict[str, np.ndarray], opts: dict[str, Any]) -> tuple[Any, float]:
    """Compile the loop for all sets; ``((call, summarize), compile seconds)``."""
    import jax
    import jax.numpy as jnp

    dtype = jnp.dtype(opts["dtype"])
    W = jnp.asarray(data["W"], dtype=dtype)
    W0 = W * (1 - jnp.eye(W.shape[0], dtype=dtype))
    rowsum = W.sum(1)
    beta = jnp.asarray(data["beta"], dtype=dtype)
    I = jnp.asarray(data["I"], dtype=dtype)
    dt, n_steps = opts["dt"], opts["n_steps"]
    method = opts.get("method", "euler")
    until = opts.get("until")

    def one_set(b: Any, inp: Any) -> tuple[Any, Any]:
        def f(u: Any) -> Any:
            r = jax.nn.sigmoid(u)
            return -u + W0 @ r - b * rowsum * r + inp

        if method == "euler":

            def step(u: Any) -> Any:
                return u + dt * f(u)

        elif method == "rk4":

            def step(u: Any) -> Any:
                k1 = f(u)
                k2 = f(u + (0.5 * dt) * k1)
                k3 = f(u + (0.5 * dt) * k2)
                k4 = f(u + dt * k3)
                return u + (dt / 6) * (k1 + 2 * k2 + 2 * k3 + k4)

        else:
            raise ValueError(f"unknown method {method!r}")

        u0 = jnp.zeros_like(inp)
        if until is None:
            u, _ = jax.lax.scan(lambda u, _: (step(u), None), u0, None, length=n_steps)
            return u, jnp.asarray(n_steps)
        if until != "steady":
            raise ValueError(f"unknown until {until!r}")
        every, tol = opts.get("check_every", 10), opts["tol"]

        def cond(carry: tuple[Any, Any]) -> Any:
            u, k = carry
            return (k < n_steps) & (jnp.max(jnp.abs(f(u))) >= tol)

        def body(carry: tuple[Any, Any]) -> tuple[Any, Any]:
            u, k = carry
            return jax.lax.fori_loop(0, every, lambda _, v: step(v), u), k + every

        return jax.lax.while_loop(cond, body, (u0, jnp.asarray(0)))

    compiled, compile_s = compile_timed(jax.vmap(one_set), beta, I)

    def call() -> Any:
        return jax.block_until_ready(compiled(beta, I))

    def summarize(out: Any) -> tuple[np.ndarray, dict[str, Any]]:
        final, steps = (np.asarray(x) for x in out)
        stats = {"dtype": str(final.dtype), "devices": [str(d) for d in jax.devices()],
                 "steps_max": int(steps.max()), "steps_mean": float(steps.mean())}  # fmt: skip
        return final.astype(np.float64), stats

    return (call, summarize), compile_s


if __name__ == "__main__":
    standalone(build)
