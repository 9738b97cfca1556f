"""D2 peer: the sweep with diffrax — Tsit5 and a PID step-size controller, ``vmap``-ed over sets.

Built by ``sweep_server.py`` (``build``) inside ``.bench-venvs/jax`` (diffrax beside JAX); also
runs alone: ``python diffrax_sweep.py in.npz out.npz '{"rtol": ..., "atol": ..., ...}'``.

What a JAX user who knows diffrax would write: one set's ``diffeqsolve`` from t = 0 to
``t1`` with ``SaveAt(t1=True)`` (only the final state), ``dt0=None`` (diffrax picks the first
step), ``vmap``-ed over the sets (each set keeps its own step size; the batched loop runs until
the slowest set is done) and jitted. With ``"event": "steady"`` each set stops at
``diffrax.Event(diffrax.steady_state_event())`` — |f| below the controller's atol + rtol·|y|
in diffrax's norm — and its state there is the result. Compile time (ahead of time, via
``lower().compile()``) is reported apart from the run time; steps are diffrax's own counts.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from sweep_server import compile_timed, standalone


def build(data: dict[str, np.ndarray], opts: dict[str, Any]) -> tuple[Any, float]:
    """Compile the solve for all sets; ``((call, summarize), compile seconds)``."""
    import diffrax
    import jax
    import jax.numpy as jnp

    dtype = jnp.dtype(opts["dtype"])
    W = jnp.asarray(data["W"], dtype=dtype)
    W0 = W * (1 - jnp.eye(W.shape[0], dtype=dtype))
    rowsum = W.sum(1)
    beta = jnp.asarray(data["beta"], dtype=dtype)
    I = jnp.asarray(data["I"], dtype=dtype)

    def rhs(t: Any, u: Any, args: tuple[Any, Any]) -> Any:
        b, inp = args
        r = jax.nn.sigmoid(u)
        return -u + W0 @ r - b * rowsum * r + inp

    term = diffrax.ODETerm(rhs)
    solver = diffrax.Tsit5()
    controller = diffrax.PIDController(rtol=opts["rtol"], atol=opts["atol"])
    event = None
    if opts.get("event") == "steady":
        event = diffrax.Event(diffrax.steady_state_event())
    elif opts.get("event") is not None:
        raise ValueError(f"unknown event {opts['event']!r}")

    def one_set(b: Any, inp: Any) -> tuple[Any, ...]:
        sol = diffrax.diffeqsolve(
            term, solver, t0=0.0, t1=opts["t1"], dt0=None, y0=jnp.zeros_like(inp),
            args=(b, inp), saveat=diffrax.SaveAt(t1=True), stepsize_controller=controller,
            event=event, max_steps=opts["max_steps"],
        )  # fmt: skip
        st = sol.stats
        return sol.ys[-1], st["num_accepted_steps"], st["num_rejected_steps"], sol.ts[-1]

    compiled, compile_s = compile_timed(jax.vmap(one_set), beta, I)

    def call() -> Any:
        return jax.block_until_ready(compiled(beta, I))

    def summarize(out: Any) -> tuple[np.ndarray, dict[str, Any]]:
        final, accepted, rejected, t_end = (np.asarray(x) for x in out)
        stats = {
            "dtype": str(final.dtype),
            "devices": [str(d) for d in jax.devices()],
            "accepted_mean": float(accepted.mean()),
            "accepted_max": int(accepted.max()),
            "rejected_mean": float(rejected.mean()),
            "steps_max": int((accepted + rejected).max()),
            "t_end_max": float(t_end.max()),
        }
        return final.astype(np.float64), stats

    return (call, summarize), compile_s


if __name__ == "__main__":
    standalone(build)
