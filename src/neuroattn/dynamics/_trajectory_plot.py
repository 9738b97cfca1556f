"""The figure of a :class:`~neuroattn.dynamics.Trajectory`: rate traces over time."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .checks import to_numpy

if TYPE_CHECKING:
    from ._trajectory import Trajectory


def plot_rates(
    traj: Trajectory, *, member: tuple[int, ...] = (), ax: Any = None, max_traces: int = 32
) -> Any:
    """Rate traces of one batch member (default: the first), at most ``max_traces`` of
    them (every k-th unit); a legend for up to ten units. Returns the figure."""
    import matplotlib.pyplot as plt

    r = to_numpy(traj.rates)
    idx = member or (0,) * len(traj.batch_shape)
    r = r[(slice(None), *idx)].reshape(r.shape[0], -1)  # type: ignore[arg-type]
    if ax is None:
        fig, ax = plt.subplots(figsize=(6, 3.5), layout="constrained")
    else:
        fig = ax.figure
    step = max(1, r.shape[1] // max_traces)
    t = to_numpy(traj.t)
    for i in range(0, r.shape[1], step):
        ax.plot(t, r[:, i], lw=1.2, label=f"unit {i}" if r.shape[1] <= 10 else None)
    ax.set_xlabel("time (τ units)")
    ax.set_ylabel("rate f(u)")
    ax.set_title(str(traj.params.get("model", "")) + " — rates")
    if r.shape[1] <= 10:
        ax.legend(fontsize=7, ncol=2)
    return fig
