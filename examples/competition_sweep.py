"""β sweep of the source's competition equation: ten thousand networks in one batch.

Run: python examples/competition_sweep.py   (writes competition_sweep.png)
"""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

from neuroattn.dynamics import Competition, simulate, uniform

betas = np.linspace(0.0, 0.3, 10_000)
inputs = np.linspace(1.0, 0.6, 8)
model = Competition(uniform(8, -0.4), beta=betas, activation="relu")
traj = simulate(model, inputs, t_span=(0, 100), method="rk4", dt=0.2, until="steady", tol=1e-6)
rates = traj.final_rates  # (10000, 8)
active = (rates > 1e-6 * rates.max(-1, keepdims=True)).sum(-1)
print(f"{traj.stats['steps']} steps, {traj.stats['wall_time']:.2f} s for {betas.size} networks")

fig, ax = plt.subplots(figsize=(5, 3.2), layout="constrained")
ax.plot(betas, active)
ax.set_xlabel("β")
ax.set_ylabel("active neurons at steady state")
fig.savefig("competition_sweep.png", dpi=120)
