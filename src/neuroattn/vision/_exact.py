r"""The exact solution of the lateral-inhibition WTA network between threshold crossings.

With f(u) = max(u − θ, 0) the network of :class:`~neuroattn.dynamics.LateralInhibition`
(time in units of τ, constant input c = g ⊙ I)

.. math::

    \dot u_i = -u_i + (α + β) f(u_i) - β R + c_i, \qquad R = \sum_j f(u_j)

is linear while the set A of units above θ does not change, and is solved in closed form.
With k = |A|, the mean m of the active units and their deviations d_i = u_i − m obey

.. math::

    \dot m = λ_m m + s_m, \quad λ_m = α + β − 1 − βk, \quad
    s_m = \bar c_A − (α + β) θ + βkθ; \qquad \dot d_i = λ_d d_i + (c_i − \bar c_A),
    \quad λ_d = α + β − 1,

each x(t) = x_0 e^{λt} + s t φ(λt) with φ(z) = (e^z − 1)/z; every silent unit feels the
same inhibition, u_i(t) = c_i + (u_i(0) − c_i) e^{−t} − βk Q(t) with
Q(t) = (M − θ)(1 − e^{−t}) + (m_0 − M) e^{−t} t φ((λ_m + 1) t) and M = −s_m/λ_m.

:func:`exact_chunk` evaluates these formulas at the next few saves of every network at
once; a network whose active set would change before a save is advanced to the first
crossing (found by Newton's method on the closed form, from a secant guess), the unit
changes sides there, and the network goes on. The result is exact to rounding: there is
no step to choose, and a flat plateau of input that activates dozens of units at once (a
stiff system for an explicit integrator) is solved as exactly as a single peak. A unit
that rises above θ and falls back between two saves, unseen at either, is missed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

LOOKAHEAD = 8
"""Saves evaluated per pass (more: fewer passes, more work wasted after a crossing)."""

_NEWTON = 2  # Newton steps from the secant guess (quadratic convergence)
_MAX_EXPONENT = 30.0  # |λ_d| × (time between evaluations) stays below this


def _tphi(lam: np.ndarray | float, t: np.ndarray) -> np.ndarray:
    """t φ(λt) = (e^{λt} − 1)/λ; a λ of 0 is taken as 1e-12 (then t to 1e-12 t²)."""
    lam = lam + (lam == 0) * 1e-12
    return np.expm1(lam * t) / lam


@dataclass(frozen=True)
class Network:
    """The lateral-inhibition network: self-excitation α, inhibition β, threshold θ."""

    alpha: float
    beta: float
    theta: float

    @property
    def growth(self) -> float:
        """λ_d = α + β − 1: rate at which a lead among active units grows."""
        return self.alpha + self.beta - 1.0


class _Segment:
    """The closed-form solution of networks ``(B, N)`` from their current state, valid
    until a unit crosses θ. Times are arrays broadcasting against ``(B,)``."""

    def __init__(self, net: Network, u: np.ndarray, c: np.ndarray, active: np.ndarray):
        self.net, self.u, self.c, self.active = net, u, c, active
        k = active.sum(axis=1).astype(np.float64)
        k1 = np.maximum(k, 1.0)
        self.k = k
        self.m0 = np.where(active, u, 0.0).sum(axis=1) / k1
        c_mean = np.where(active, c, 0.0).sum(axis=1) / k1
        self.lam_m = net.growth - net.beta * k  # < 0 whenever k >= 1 (α < 1)
        self.s_m = c_mean - (net.alpha + net.beta) * net.theta + net.beta * k * net.theta
        self.big_m = np.where(k > 0, -self.s_m / np.where(k > 0, self.lam_m, -1.0), 0.0)
        self.uc = u - c
        self.du = u - self.m0[:, None]
        self.dc = c - c_mean[:, None]

    def _terms(self, t: np.ndarray, rows: np.ndarray | slice) -> tuple[np.ndarray, ...]:
        """e^{−t} − 1, the inhibition βkQ, m − m_0, e^{λ_d t} − 1, t φ(λ_d t) and Q: each
        exactly zero at t = 0, so that a network is left exactly where it is."""
        net = self.net
        lam_m, m0, big_m = self.lam_m[rows], self.m0[rows], self.big_m[rows]
        decay_m1 = np.expm1(-t)
        q = (big_m - net.theta) * -decay_m1 + (m0 - big_m) * (1 + decay_m1) * _tphi(lam_m + 1, t)
        dmean = m0 * np.expm1(lam_m * t) + self.s_m[rows] * _tphi(lam_m, t)
        grow_m1 = np.expm1(net.growth * t)
        inh = net.beta * self.k[rows] * q
        return decay_m1, inh, dmean, grow_m1, _tphi(net.growth, t), q

    def at(self, t: np.ndarray, rows: np.ndarray | slice = slice(None)) -> np.ndarray:
        """States ``(L, b, N)`` of networks ``rows`` at times ``t`` ``(L, b)`` after the
        segment's start (the silent formula for every unit, then the few active ones)."""
        decay_m1, inh, dmean, grow_m1, gphi, _ = self._terms(t, rows)
        out = self.u[rows] + self.uc[rows] * decay_m1[..., None]
        out -= inh[..., None]
        net_i, unit_i = np.nonzero(self.active[rows])
        if net_i.size:
            du, dc = self.du[rows][net_i, unit_i], self.dc[rows][net_i, unit_i]
            on = dmean[:, net_i] + du * grow_m1[:, net_i] + dc * gphi[:, net_i]
            out[:, net_i, unit_i] = self.u[rows][net_i, unit_i] + on
        return out

    def unit(self, rows: np.ndarray, units: np.ndarray, t: np.ndarray) -> tuple[np.ndarray, ...]:
        """Value and slope of one unit per network ``rows`` at times ``t``."""
        decay_m1, inh, dmean, grow_m1, gphi, q = self._terms(t, rows)
        net, k, lam_m, m0 = self.net, self.k[rows], self.lam_m[rows], self.m0[rows]
        uc, du, dc = self.uc[rows, units], self.du[rows, units], self.dc[rows, units]
        silent = uc * decay_m1 - inh
        on = dmean + du * grow_m1 + dc * gphi
        mean_slope = np.exp(lam_m * t) * (lam_m * m0 + self.s_m[rows])
        silent_slope = -uc * (1 + decay_m1) - net.beta * k * (m0 + dmean - net.theta - q)
        active_slope = mean_slope + (net.growth * du + dc) * (1 + grow_m1)
        active = self.active[rows, units]
        value = self.u[rows, units] + np.where(active, on, silent)
        return value, np.where(active, active_slope, silent_slope)


def _flips(states: np.ndarray, active: np.ndarray, theta: float) -> np.ndarray:
    """Units on the other side of θ than their side says (a unit on θ is on its side)."""
    return np.where(active, states < theta, states > theta)


def _crossing(
    seg: _Segment,
    rows: np.ndarray,
    before: np.ndarray,
    after: np.ndarray,
    span: tuple[np.ndarray, np.ndarray],
) -> tuple[np.ndarray, np.ndarray]:
    """The unit of each network ``rows`` that crosses θ first in ``span`` = (t0, t1) of
    the segment, from its states at t0 and t1, and the time it does."""
    theta = seg.net.theta
    flips = _flips(after, seg.active[rows], theta)
    with np.errstate(divide="ignore", invalid="ignore"):
        frac = np.nan_to_num((theta - before) / (after - before), nan=0.0, posinf=1.0)
    unit = np.argmin(np.where(flips, frac, np.inf), axis=1)
    t0, t1 = span
    pick = np.arange(len(rows))
    t = t0 + np.clip(frac[pick, unit], 0.0, 1.0) * (t1 - t0)
    for _ in range(_NEWTON):
        value, slope = seg.unit(rows, unit, t)
        ok = slope != 0
        t = np.clip(t - (value - theta) / np.where(ok, slope, 1.0) * ok, t0, t1)
    return unit, t


def exact_chunk(
    net: Network,
    c: np.ndarray,
    u0: np.ndarray,
    *,
    n_saves: int,
    save_dt: float,
    count: Callable[[int], None],
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Advance networks ``(B, N)`` from ``u0`` with inputs ``c`` through ``n_saves`` saves.

    ``count(n)`` is told the unit-evaluations of every pass (for the work bound). Returns
    the saved times ``(n_saves + 1,)``, rates and states ``(n_saves + 1, B, N)``.
    """
    n_nets, n_units = u0.shape
    grid = save_dt * np.arange(n_saves + 1)
    out = np.empty((n_saves + 1, n_nets, n_units))
    out[0] = u = np.array(u0, dtype=np.float64)
    active = u > net.theta
    clock = np.zeros(n_nets)
    nxt = np.ones(n_nets, dtype=np.int64)  # index of the next save to fill
    ahead = max(1, min(LOOKAHEAD, int(_MAX_EXPONENT / max(abs(net.growth), 1e-9) / save_dt)))
    stuck = np.zeros(n_nets, dtype=np.int64)  # passes without moving on
    while (live := np.flatnonzero(nxt <= n_saves)).size:
        before = clock[live] + nxt[live]
        idx = nxt[live][None, :] + np.arange(ahead)[:, None]  # (L, b)
        valid = idx <= n_saves
        times = np.where(valid, grid[np.minimum(idx, n_saves)] - clock[live], 0.0)
        seg = _Segment(net, u[live], c[live], active[live])
        states = seg.at(times)  # (L, b, N)
        count(ahead * n_units)
        changed = _flips(states, seg.active[None], net.theta).any(axis=2) & valid
        hit = changed.any(axis=0)
        first = np.where(hit, changed.argmax(axis=0), valid.sum(axis=0))  # saves kept
        _store(out, states, live, nxt, first)
        done = ~hit
        end = first - 1
        u[live[done]] = states[end[done], np.flatnonzero(done)]
        clock[live[done]] = times[end[done], np.flatnonzero(done)] + clock[live[done]]
        nxt[live] += first
        if hit.any():
            _cross(seg, live, np.flatnonzero(hit), first, states, times, u, active, clock)
        stuck[live] = np.where(clock[live] + nxt[live] > before, 0, stuck[live] + 1)
        if stuck.max() > 2 * n_units + 8:  # every unit has changed sides twice, in no time
            raise RuntimeError("exact_chunk: no progress (units changing sides in no time)")
    return grid, np.maximum(out - net.theta, 0.0), out


def _store(
    out: np.ndarray, states: np.ndarray, live: np.ndarray, nxt: np.ndarray, kept: np.ndarray
) -> None:
    """Copy the first ``kept[j]`` rows of ``states[:, j]`` to the saves of ``live[j]``."""
    if len(live) <= states.shape[0]:
        for j, b in enumerate(live):
            out[nxt[b] : nxt[b] + kept[j], b] = states[: kept[j], j]
        return
    for row in range(int(kept.max(initial=0))):
        take = np.flatnonzero(kept > row)
        out[nxt[live[take]] + row, live[take]] = states[row, take]


def _cross(
    seg: _Segment,
    live: np.ndarray,
    rows: np.ndarray,
    first: np.ndarray,
    states: np.ndarray,
    times: np.ndarray,
    u: np.ndarray,
    active: np.ndarray,
    clock: np.ndarray,
) -> None:
    """Advance the networks ``live[rows]`` to their first crossing; the unit changes sides."""
    at = first[rows]
    prev = np.maximum(at - 1, 0)
    start = np.where(at > 0, times[prev, rows], 0.0)
    before = np.where((at > 0)[:, None], states[prev, rows], u[live[rows]])
    after = states[at, rows]
    unit, when = _crossing(seg, rows, before, after, (start, times[at, rows]))
    new = seg.at(when[None], rows)[0]
    nets = live[rows]
    new[np.arange(len(rows)), unit] = seg.net.theta  # on θ exactly: the unit changes sides
    side = seg.active[rows] ^ _flips(new, seg.active[rows], seg.net.theta)  # on θ: kept
    side[np.arange(len(rows)), unit] = ~seg.active[rows, unit]
    u[nets], active[nets] = new, side
    clock[nets] += when
