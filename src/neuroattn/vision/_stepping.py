"""Integrating the competition network chunk by chunk, with a step the stiffness allows.

:class:`ChunkIntegrator` is the :data:`~._scan.ChunkSimulator` of
:class:`~.compete.WinnerTakeAll`: it runs :func:`neuroattn.dynamics.simulate` on the
batched network of the maps still scanning, for one chunk of time, saving every
``save_dt``. The step is at most ``dt`` and short enough for the most active network of
the batch (``max_step(k)`` for k units above θ, from the caller); a chunk in which more
units could have been active than its step allowed is simulated again with a shorter
step. The work of every attempt is counted against ``max_work``.

Which units could be active is judged at every save, not only by the units above θ
there: a silent unit is held down by inhibition, u(t) ≤ c + (u(0) − c) e^{−t} with
c = g ⊙ I its input, so it can reach θ within one save interval only if
c + (u − c) e^{−save_dt} > θ. Counting those too catches the units an unstable step
keeps hovering just under θ (a flat plateau of input at too long a step), which are
never above θ at a save.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ..dynamics import Model, simulate
from ._exact import Network, exact_chunk

EULER_MAX_DT = 0.05
"""Largest Euler step (units of τ): onsets within about 1 % of a tight reference."""

STABLE = {"rk4": 2.0, "euler": 1.0}
"""Step × decay rate for each method: inside its stability interval (RK4: 2.79, Euler: 2),
with a margin that keeps the decaying mode accurate enough for the onsets."""

NEAR = 0.02

GROWTH = 0.5
"""Step × growth rate of the winner's lead that keeps the growth accurate."""


def stable_step(dt: float, method: str, decay: float, growth: float) -> float:
    """The largest step ≤ ``dt`` for modes decaying at ``decay`` and growing at ``growth``."""
    h = min(dt, STABLE[method] / max(decay, 1.0))
    return min(h, GROWTH / growth) if growth > 0 else h


def solver_name(method: str, noise: float) -> str:
    """The name :func:`~neuroattn.dynamics.simulate` knows the integrator by."""
    if method == "euler":
        return "euler_maruyama" if noise > 0 else "euler"
    return method


@dataclass
class ChunkIntegrator:
    """One call's chunks: ``(gains, inputs, u0) -> (t, rates, u)``, saved every ``save_dt``.

    Attributes
    ----------
    network : callable
        ``network(gains) -> Model``: the batched model for the maps' gain maps.
    max_step : callable
        ``max_step(k) -> float``: the longest step with k units above θ.
    method : str
        ``"rk4"`` or ``"euler"`` (Euler–Maruyama with noise).
    threshold : float
        θ: units above it are active.
    save_dt, n_saves : float, int
        Interval between saves and saves per chunk.
    noise : float
    rng : numpy.random.Generator
    max_work : float
        Work limit in unit-steps (units × steps, every attempt counted).
    exact : Network, optional
        Solve the lateral-inhibition network exactly (:func:`~._exact.exact_chunk`)
        instead of integrating ``network`` with ``method``.
    """

    network: Callable[[np.ndarray], Model]
    max_step: Callable[[int], float]
    method: str
    threshold: float
    save_dt: float
    n_saves: int
    noise: float
    rng: np.random.Generator
    max_work: float
    exact: Network | None = None
    active: int = 0  # the most active units seen in the last chunk
    work: float = 0.0

    def __call__(
        self, gains: np.ndarray, inputs: np.ndarray, u0: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Saved times ``(T,)``, rates and states ``(T, B, …)`` of one chunk."""
        flat = u0.reshape(len(u0), -1)
        if self.exact is not None:
            drive = (gains * inputs).reshape(flat.shape)
            return exact_chunk(
                self.exact,
                drive,
                flat,
                n_saves=self.n_saves,
                save_dt=self.save_dt,
                count=self._count,
            )
        model = self.network(gains)
        drive = (gains * inputs).reshape(flat.shape)
        active = max(self.active, self._reachable(flat[None], drive))
        while True:
            n_sub = math.ceil(self.save_dt / self.max_step(active) - 1e-9)
            self._count(self.n_saves * n_sub * flat.shape[1])
            traj = simulate(
                model,
                inputs.reshape(u0.shape),
                t_span=(0.0, self.n_saves * self.save_dt),
                dt=self.save_dt / n_sub,
                method=solver_name(self.method, self.noise),
                u0=u0,
                save_every=self.save_dt,
                noise=self.noise,
                seed=self.rng,
            )
            rates = np.asarray(traj.rates)
            states = np.asarray(traj.u)
            seen = self._reachable(states.reshape(len(states), *flat.shape), drive)
            if self.max_step(seen) >= self.save_dt / n_sub * (1 - 1e-9):
                self.active = seen
                return np.asarray(traj.t), rates, states
            active = seen

    def _reachable(self, states: np.ndarray, drive: np.ndarray) -> int:
        """Most units of one network, at one save of ``states`` ``(T, B, N)``, that are
        above θ or within ``NEAR`` of it."""
        could = states > self.threshold - NEAR
        return int(could.sum(axis=2).max())

    def _count(self, work: float) -> None:
        """Add ``work`` unit-steps; ValueError past ``max_work``."""
        self.work += work
        if self.work > self.max_work:
            raise ValueError(
                f"compete: the competition needed more than max_work = {self.max_work:.3g} "
                "unit-steps (a flat plateau of input makes it stiff); raise compete.max_work"
            )
