"""N3 peer: timm's ``CbamModule`` / ``SpatialAttn`` and ours, interleaved, same weights.

Run by ``benchmarks._peers.run_peer`` inside ``.bench-venvs/timm`` (torch 2.14.1,
torchvision 0.29.1, timm, scipy): ``python timm_cbam.py in.npz out.npz '{...}'``.
``neuroattn`` is imported from the source tree (option ``src``), so that timm and ours
run round-robin in one process on one torch: the ratio is not disturbed by load changes
between processes or by the torch version.

Inputs: x, grad (B, C, H, W), the MLP weights fc1 (C/16, C), fc2 (C, C/16) and the
spatial conv weights (1, 2, 7, 7) of the CBAM and of the stand-alone spatial gate. All
modules train (batch statistics in the spatial gates' BatchNorm). Saves item 0 of every
output for comparison.
"""

from __future__ import annotations

import json
import sys
import time
from typing import Any

import numpy as np


def _conv_weight(module: Any, shape: tuple[int, ...]) -> Any:
    """The one parameter of ``module`` with this shape (timm's spatial conv)."""
    found = [p for p in module.parameters() if tuple(p.shape) == shape]
    if len(found) != 1:
        raise RuntimeError(f"expected one parameter of shape {shape}, found {len(found)}")
    return found[0]


def build(data: Any, channels: int) -> dict[str, Any]:
    """The four contenders with the weights from ``data``."""
    import torch
    from timm.layers.cbam import CbamModule, SpatialAttn

    from neuroattn.nn import CBAM, SpatialAttention

    t = {k: torch.from_numpy(data[k]) for k in ("fc1", "fc2", "conv_cbam", "conv_spatial")}
    timm_cbam, timm_spatial = CbamModule(channels, spatial_kernel_size=7), SpatialAttn(7)
    ours_cbam, ours_spatial = CBAM(channels, 16, 7, norm=True), SpatialAttention(7, norm=True)
    with torch.no_grad():
        timm_cbam.channel.fc1.weight.copy_(t["fc1"][..., None, None])
        timm_cbam.channel.fc2.weight.copy_(t["fc2"][..., None, None])
        _conv_weight(timm_cbam.spatial, (1, 2, 7, 7)).copy_(t["conv_cbam"])
        _conv_weight(timm_spatial, (1, 2, 7, 7)).copy_(t["conv_spatial"])
        ours_cbam.channel.fc1.weight.copy_(t["fc1"])
        ours_cbam.channel.fc2.weight.copy_(t["fc2"])
        ours_cbam.spatial.conv.weight.copy_(t["conv_cbam"])
        ours_spatial.conv.weight.copy_(t["conv_spatial"])
    return {"timm_cbam": timm_cbam, "ours_cbam": ours_cbam,
            "timm_spatial": timm_spatial, "ours_spatial": ours_spatial}  # fmt: skip


def main() -> None:
    in_path, out_path, opts = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
    sys.path.insert(0, opts["src"])
    import timm
    import torch

    torch.set_num_threads(opts["threads"])
    data = np.load(in_path)
    x = torch.from_numpy(data["x"]).requires_grad_(True)
    grad = torch.from_numpy(data["grad"])
    modules = build(data, x.shape[1])
    times: dict[str, list[float]] = {name: [] for name in modules}
    outs = {}
    reps = opts["reps"]
    rep = 0
    while rep <= reps:  # round-robin; rep 0 is a warm-up
        for name, module in modules.items():
            x.grad = None
            start = time.perf_counter()
            y = module(x)
            y.backward(grad)
            if rep:
                times[name].append(time.perf_counter() - start)
            outs[f"{name}_out0"] = y[0].detach().numpy()
        if rep == 1 and max(t[0] for t in times.values()) > opts.get("slow_s", 30.0):
            reps = min(reps, 3)
        rep += 1
    np.savez(out_path, **outs)
    report = {"versions": {"timm": timm.__version__, "torch": torch.__version__},
              "threads": torch.get_num_threads(), "times": times}  # fmt: skip
    print(json.dumps(report))


if __name__ == "__main__":
    main()
