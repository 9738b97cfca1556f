"""N1–N4, the PyTorch layers of ``neuroattn.nn`` against torch, the source's code and timm.

* N1 — ``ScaledDotProductAttention(need_weights=False)`` against the raw
  ``F.scaled_dot_product_attention`` (target: overhead ≤ 5 %) and the source's snippet
  (matmul, ``masked_fill(mask == 0, -1e9)``, softmax, matmul); forward, no grad.
* N2 — ``MultiHeadAttention`` against ``torch.nn.MultiheadAttention`` with the same
  weights (``from_torch``): self-attention, need_weights True and False, inference
  (eval, no grad: torch may take its native fast path) and training forward+backward.
  Target: at least as fast (ratio ≤ 1).
* N3 — ``CBAM`` and ``SpatialAttention`` forward+backward at 32×64×56×56 against timm's
  ``CbamModule`` / ``SpatialAttn`` (own venv: torch 2.14.1, torchvision, timm; same
  weights, outputs compared), and against the paper's formulation in plain autograd in
  this process. timm's spatial gate has a BatchNorm, so ours runs with ``norm=True``.
  Target: within 1.1× of timm.
* N4 — ``CompetitiveAttention`` (shunting, learnable A; dynamics, 3 Euler steps) against
  softmax attention (reference path with weights, and fused), forward+backward. Reported.

Every ratio is of medians measured side by side (round-robin) in this run; the ratio of
the fastest repetitions is printed beside it, as the machines are shared and a neighbour's
load spikes hit single repetitions. N3's timm and ours run round-robin in the peer's
process.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from ._common import BenchResult, Timing, time_interleaved
from ._peers import PEER_PACKAGES, PeerUnavailable, run_peer

TIMM_PACKAGES = ["torch==2.14.1", "torchvision==0.29.1", "timm", "scipy"]
COLUMNS = [
    ("bench", "bench"), ("case", "case"), ("shape", "shape"), ("median_ms", "median ms"),
    ("ratio", "ratio"), ("min_ratio", "ratio of minima"), ("vs", "ratio vs"),
    ("max_diff", "max|Δ|"), ("reps", "reps"), ("notes", "notes"),
]  # fmt: skip


def _randn(*shape: int, seed: int, grad: bool = False) -> Any:
    import torch

    x = torch.randn(*shape, generator=torch.Generator().manual_seed(seed))
    return x.requires_grad_(grad)


def _no_grad(fn: Callable[[], Any]) -> Callable[[], Any]:
    import torch

    def call() -> Any:
        with torch.no_grad():
            return fn()

    return call


def _fwd_bwd(fn: Callable[[], Any], leaves: list[Any], grad: Any = None) -> Callable[[], Any]:
    """Forward, then backward of sum(out) (or of out·grad); gradients reset each call."""

    def call() -> Any:
        for t in leaves:
            t.grad = None
        out = fn()
        out = out[0] if isinstance(out, tuple) else out
        (out.sum() if grad is None else out).backward(None if grad is None else grad)
        return out.detach()

    return call


def _rows(
    bench: str,
    shape: str,
    timings: dict[str, Timing],
    base: str,
    check: str | None = None,
    target: float | None = None,
    target_case: str | None = None,
) -> list[dict[str, Any]]:
    """Table rows: medians, ratio to ``base``, max |Δ| of results against ``check``."""
    base_s, base_min = timings[base].median, min(timings[base].times)
    ref = None if check is None else timings[check].result
    rows = []
    for name, tm in timings.items():
        row: dict[str, Any] = {
            "bench": bench, "case": name, "shape": shape, "median_ms": tm.median * 1e3,
            "ratio": tm.median / base_s, "min_ratio": min(tm.times) / base_min, "vs": base,
            "reps": len(tm.times), "times": tm.times,
        }  # fmt: skip
        if ref is not None and name != check:
            row["max_diff"] = float((tm.result.float() - ref.float()).abs().max())
        if target is not None and name == target_case:
            ok = row["ratio"] <= target
            row["notes"] = f"target ≤ {target}: {'met' if ok else 'NOT met'}"
        rows.append(row)
    return rows


def snippet(Q: Any, K: Any, V: Any, mask: Any = None) -> Any:
    """The source's scaled dot-product attention."""
    import torch

    scores = torch.matmul(Q, K.transpose(-2, -1)) / math.sqrt(Q.size(-1))
    if mask is not None:
        scores = scores.masked_fill(mask == 0, -1e9)
    return torch.matmul(torch.softmax(scores, dim=-1), V)


def run_n1(reps: int, quick: bool, slow_s: float) -> list[dict[str, Any]]:
    import torch.nn.functional as F

    from neuroattn.nn import ScaledDotProductAttention

    layer = ScaledDotProductAttention()
    rows = []
    shapes = [(8, 8, 256, 64, False), (8, 8, 256, 64, True)]
    shapes += [] if quick else [(8, 12, 1024, 64, False)]
    for i, (B, H, L, D, masked) in enumerate(shapes):
        q, k, v = (_randn(B, H, L, D, seed=10 * i + j) for j in range(3))
        keep = None
        if masked:  # key padding: the last quarter of the keys of half the batch
            keep = _randn(B, 1, 1, L, seed=99) > -10
            keep[: B // 2, ..., 3 * L // 4 :] = False
        contenders = {
            "raw F.scaled_dot_product_attention": _no_grad(
                lambda q=q, k=k, v=v, m=keep: F.scaled_dot_product_attention(q, k, v, attn_mask=m)
            ),
            "ours: need_weights=False": _no_grad(
                lambda q=q, k=k, v=v, m=keep: layer(q, k, v, m, need_weights=False)[0]
            ),
            "source snippet": _no_grad(lambda q=q, k=k, v=v, m=keep: snippet(q, k, v, m)),
        }
        timings = time_interleaved(contenders, reps, slow_s)
        shape = f"B={B} H={H} L={L} D={D}" + (", bool key mask" if masked else "")
        raw = "raw F.scaled_dot_product_attention"
        group = _rows("N1", shape, timings, raw, check=raw, target=1.05,
                      target_case="ours: need_weights=False")  # fmt: skip
        ours_s = timings["ours: need_weights=False"].median
        group[-1]["notes"] = f"{timings['source snippet'].median / ours_s:.2f}× ours"
        rows += group
    return rows


def run_n2(reps: int, quick: bool, slow_s: float) -> list[dict[str, Any]]:
    import torch

    from neuroattn.nn import MultiHeadAttention

    B, L, E, H = (4, 128, 256, 8) if quick else (8, 256, 512, 8)
    torch.manual_seed(0)
    ref = torch.nn.MultiheadAttention(E, H, batch_first=True)
    ours = MultiHeadAttention.from_torch(ref)
    x = _randn(B, L, E, seed=1)
    rows = []
    for training in (False, True):
        for need in (True, False):
            ref.train(training)
            ours.train(training)
            contenders = {}
            for name, m in (
                ("torch.nn.MultiheadAttention", ref),
                ("ours: MultiHeadAttention", ours),
            ):
                params = list(m.parameters())
                if training:
                    fn = _fwd_bwd(lambda m=m, n=need: m(x, x, x, need_weights=n), params)
                else:
                    fn = _no_grad(lambda m=m, n=need: m(x, x, x, need_weights=n)[0])
                contenders[name] = fn
            timings = time_interleaved(contenders, reps, slow_s)
            mode = "train fwd+bwd" if training else "inference (eval, no grad)"
            shape = f"B={B} L={L} E={E} H={H}; need_weights={need}; {mode}"
            rows += _rows("N2", shape, timings, "torch.nn.MultiheadAttention",
                          check="torch.nn.MultiheadAttention", target=1.0,
                          target_case="ours: MultiHeadAttention")  # fmt: skip
    return rows


def plain_cbam_parts(C: int, k: int) -> tuple[Callable[[Any], Any], Callable[[Any], Any], Any]:
    """Woo et al.'s equations in plain autograd (mean/amax/cat/conv/BN/sigmoid)."""
    import torch
    import torch.nn.functional as F

    mods = torch.nn.ModuleDict({
        "fc1": torch.nn.Conv2d(C, max(C // 16, 1), 1, bias=False),
        "fc2": torch.nn.Conv2d(max(C // 16, 1), C, 1, bias=False),
        "conv": torch.nn.Conv2d(2, 1, k, padding=k // 2, bias=False),
        "bn": torch.nn.BatchNorm2d(1),
    })  # fmt: skip

    def channel(x: Any) -> Any:
        mlp = lambda p: mods["fc2"](F.relu(mods["fc1"](p)))  # noqa: E731
        return x * torch.sigmoid(
            mlp(x.mean((2, 3), keepdim=True)) + mlp(x.amax((2, 3), keepdim=True))
        )

    def spatial(x: Any) -> Any:
        pooled = torch.cat([x.mean(1, keepdim=True), x.amax(1, keepdim=True)], dim=1)
        return x * torch.sigmoid(mods["bn"](mods["conv"](pooled)))

    return channel, spatial, mods


def run_n3(reps: int, quick: bool, slow_s: float, peers: bool) -> list[dict[str, Any]]:
    import torch

    from neuroattn.nn import CBAM, SpatialAttention

    B, C, S = (8, 64, 56) if quick else (32, 64, 56)
    x = _randn(B, C, S, S, seed=3, grad=True)
    g = _randn(B, C, S, S, seed=4)
    torch.manual_seed(0)
    cbam, spatial = CBAM(C, 16, 7, norm=True), SpatialAttention(7, norm=True)
    source = SpatialAttention(7)  # the source's module: no BatchNorm
    channel_p, spatial_p, plain = plain_cbam_parts(C, 7)
    with torch.no_grad():  # the plain formulation and the peer get our weights
        plain["fc1"].weight.copy_(cbam.channel.fc1.weight[..., None, None])
        plain["fc2"].weight.copy_(cbam.channel.fc2.weight[..., None, None])
        plain["conv"].weight.copy_(cbam.spatial.conv.weight)
    arrays = {"x": x.detach().numpy(), "grad": g.numpy(),
              "fc1": cbam.channel.fc1.weight.detach().numpy(),
              "fc2": cbam.channel.fc2.weight.detach().numpy(),
              "conv_cbam": cbam.spatial.conv.weight.detach().numpy(),
              "conv_spatial": spatial.conv.weight.detach().numpy()}  # fmt: skip
    peer = _timm_peer(arrays, reps, slow_s) if peers else {"error": "peers skipped"}
    groups = {
        "cbam": {
            "ours: CBAM(norm=True), torch 2.13": _fwd_bwd(lambda: cbam(x), [x], g),
            "plain autograd CBAM, torch 2.13": _fwd_bwd(lambda: spatial_p(channel_p(x)), [x], g),
        },
        "spatial": {
            "ours: SpatialAttention(norm=True), torch 2.13": _fwd_bwd(lambda: spatial(x), [x], g),
            "ours: SpatialAttention() (no BN), torch 2.13": _fwd_bwd(lambda: source(x), [x], g),
            "plain autograd spatial, torch 2.13": _fwd_bwd(lambda: spatial_p(x), [x], g),
        },
    }
    rows = []
    shape = f"{B}×{C}×{S}×{S} fwd+bwd"
    for key, contenders in groups.items():
        timings = time_interleaved(contenders, reps, slow_s)
        if "error" in peer:
            rows.append({"bench": "N3", "case": f"timm {key}", "shape": shape,
                         "notes": f"peer unavailable: {peer['error']}"})  # fmt: skip
            rows += _rows("N3", shape, timings, next(iter(contenders)))
            continue
        timm_name = "timm " + ("CbamModule" if key == "cbam" else "SpatialAttn")
        v = peer["versions"]
        side = {f"{timm_name}, torch {v['torch']}": Timing(times=peer[f"timm_{key}"]),
                "ours, same process as timm": Timing(times=peer[f"ours_{key}"])}  # fmt: skip
        group = _rows("N3", shape, {**side, **timings}, next(iter(side)))
        group[0]["notes"] = f"timm {v['timm']} in its own venv"
        ratio = group[1]["ratio"]
        group[1]["max_diff"] = peer[f"diff_{key}"]
        group[1]["notes"] = (
            f"interleaved with timm; target ≤ 1.1: {'met' if ratio <= 1.1 else 'NOT met'}"
        )
        for row in group[2:]:
            row["notes"] = "this process, after the peer"
        rows += group
    return rows


def _timm_peer(arrays: dict[str, np.ndarray], reps: int, slow_s: float) -> dict[str, Any]:
    """timm and ours interleaved in the timm venv; {"error": why} if unavailable."""
    import torch

    PEER_PACKAGES.setdefault("timm", TIMM_PACKAGES)
    src = str(Path(__file__).resolve().parent.parent / "src")
    opts = {"reps": reps, "slow_s": slow_s, "threads": torch.get_num_threads(), "src": src}
    try:
        report, outs = run_peer("timm", "timm_cbam.py", arrays, opts)
    except PeerUnavailable as exc:
        return {"error": str(exc)}
    result: dict[str, Any] = {"versions": report["versions"], **report["times"]}
    for key in ("cbam", "spatial"):
        diff = np.abs(outs[f"ours_{key}_out0"] - outs[f"timm_{key}_out0"]).max()
        result[f"diff_{key}"] = float(diff)
    return result


def run_n4(reps: int, quick: bool, slow_s: float) -> list[dict[str, Any]]:
    from neuroattn.nn import CompetitiveAttention, ScaledDotProductAttention

    B, H, L, D = (4, 4, 128, 64) if quick else (8, 8, 256, 64)
    q, k, v = (_randn(B, H, L, D, seed=20 + j, grad=True) for j in range(3))
    sdpa = ScaledDotProductAttention()
    shunting, dynamics = CompetitiveAttention("shunting"), CompetitiveAttention("dynamics")
    leaves = [q, k, v]
    contenders = {
        "softmax, reference path (weights)": _fwd_bwd(lambda: sdpa(q, k, v), leaves),
        "softmax, fused (need_weights=False)": _fwd_bwd(
            lambda: sdpa(q, k, v, need_weights=False), leaves
        ),
        "competitive: shunting (learnable A)": _fwd_bwd(lambda: shunting(q, k, v), leaves),
        "competitive: dynamics (3 Euler steps)": _fwd_bwd(lambda: dynamics(q, k, v), leaves),
    }
    timings = time_interleaved(contenders, reps, slow_s)
    shape = f"B={B} H={H} L={L} D={D} fwd+bwd"
    rows = _rows("N4", shape, timings, "softmax, reference path (weights)")
    fused = timings["softmax, fused (need_weights=False)"].median
    for row in rows:
        row["notes"] = f"{row['median_ms'] / 1e3 / fused:.2f}× fused softmax"
    return rows


RUNNERS = {"N1": run_n1, "N2": run_n2, "N4": run_n4}


def run(
    reps: int = 5,
    quick: bool = False,
    peers: bool = True,
    slow_s: float = 30.0,
    only: tuple[str, ...] = ("N1", "N2", "N3", "N4"),
) -> BenchResult:
    """Run N1–N4 (or ``only`` some); one table."""
    import torch

    res = BenchResult(
        name="n_layers",
        title="N1–N4 neuroattn.nn layers (ratio = median / median of 'ratio vs'; < 1 is faster)",
        columns=COLUMNS,
        meta={"torch": torch.__version__, "torch_threads": torch.get_num_threads()},
    )
    for name in only:
        if name == "N3":
            res.rows += run_n3(reps, quick, slow_s, peers)
        else:
            res.rows += RUNNERS[name](reps, quick, slow_s)
    res.notes.append(
        "N3: timm and ours run round-robin in the timm venv (torch 2.14.1); the torch 2.13 rows "
        "run in this process after the peer."
    )
    return res
