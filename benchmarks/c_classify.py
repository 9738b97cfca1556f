"""C1, classification of cluttered digits with attention (issue 12).

Target: each attention model's test error below the baseline CNN's, as the mean over ≥ 3
seeds, with the spread beside it; each training ≤ 5 minutes on this machine.

Data: :func:`neuroattn.apps.classify.cluttered_digits` — scikit-learn's 8×8 digits
upscaled to 24×24 on a 60×60 canvas with 4 fragments (8×8) of other digits, after Mnih et
al. (2014)'s cluttered MNIST (their 60×60 test errors: CNN 8.09 %, RAM 4.04 %; a reference
point, not the same data). Train, dev and test canvases come from disjoint source digits
(split seed 0); every step trains on fresh canvases; the test set is 2 000 canvases of the
held-out digits, regenerated from each run's seed.

Contenders: the four models of :func:`neuroattn.apps.classify.create_model` — ``none`` (the
CNN), ``spatial`` (SpatialAttention), ``cbam`` (CBAM) and ``competitive`` (the gate of a
neural field) — with the application's default settings (tuned on the dev split), each
trained by :func:`neuroattn.apps.classify.train` for ``max_steps`` steps (4 000) or 300 s,
whichever comes first, and tested with the best dev checkpoint. Seeds 0, 1, 2; the models
of one seed run one after another, seed by seed, so that the neighbours' load falls on all
alike. ``--quick``: 30 s each (the target is for the full budget).
"""

from __future__ import annotations

import statistics
import time
from typing import Any

from ._common import BenchResult

BUDGET_S = 300.0
QUICK_S = 30.0
STEPS = 4000
SEEDS = (0, 1, 2)
MODELS = ("none", "spatial", "cbam", "competitive")
MNIH_2014 = {"CNN": 8.09, "RAM": 4.04}  # % test error, 60×60 cluttered MNIST
COLUMNS = [
    ("case", "model"), ("params", "params"), ("steps", "steps (mean)"), ("seconds", "s (mean)"),
    ("error", "test error % (mean)"), ("spread", "± sd"), ("range", "min–max"),
    ("ratio", "error ÷ none"), ("below", "below none"), ("notes", "notes"),
]  # fmt: skip


def _one(model: str, seed: int, budget: float, threads: int) -> dict[str, Any]:
    from neuroattn.apps.classify import ClassifyConfig, evaluation_set, parameter_count, train

    config = ClassifyConfig(attention=model, seed=seed, max_steps=STEPS, max_seconds=budget,
                            threads=threads)  # fmt: skip
    start = time.monotonic()
    result = train(config, log=lambda _: None)
    scores = result.classifier.evaluate(evaluation_set(config, "test"))
    return {
        "model": model, "seed": seed, "error": 100.0 * scores.error, "steps": result.step,
        "seconds": result.seconds, "wall_s": time.monotonic() - start,
        "stopped": result.stopped, "best_dev_error": 100.0 * (1.0 - result.best_dev),
        "params": parameter_count(result.classifier.model),
    }  # fmt: skip


def _summary(model: str, runs: list[dict[str, Any]]) -> dict[str, Any]:
    errors = [r["error"] for r in runs]
    return {
        "case": model,
        "params": runs[0]["params"],
        "steps": statistics.mean(r["steps"] for r in runs),
        "seconds": statistics.mean(r["seconds"] for r in runs),
        "error": statistics.mean(errors),
        "spread": statistics.stdev(errors) if len(errors) > 1 else 0.0,
        "range": f"{min(errors):.2f}–{max(errors):.2f}",
        "errors": errors,
        "runs": runs,
    }


def run(
    reps: int = 1, quick: bool = False, peers: bool = True, slow_s: float = 30.0
) -> BenchResult:
    """C1 (``reps``, ``peers`` and ``slow_s`` do not apply: one training per model and seed)."""
    import torch

    budget = QUICK_S if quick else BUDGET_S
    threads = torch.get_num_threads()
    runs: dict[str, list[dict[str, Any]]] = {m: [] for m in MODELS}
    for seed in SEEDS:
        for model in MODELS:
            print(f"  C1: {model}, seed {seed}, ≤ {budget:.0f} s …", flush=True)
            runs[model].append(_one(model, seed, budget, threads))
    rows = [_summary(m, runs[m]) for m in MODELS]
    base = rows[0]
    for row in rows[1:]:
        row["ratio"] = row["error"] / base["error"] if base["error"] > 0 else float("nan")
        row["below"] = row["error"] < base["error"]
        wins = sum(a < b for a, b in zip(row["errors"], base["errors"], strict=True))
        row["notes"] = f"below none in {wins} of {len(SEEDS)} seeds"
    met = all(row["below"] for row in rows[1:])
    base["notes"] = "the baseline CNN"
    notes = [
        f"target: every attention model's mean test error below none's: "
        f"{'met' if met else 'NOT met'}"
        + (" (quick budget; the target is for the full budget)" if quick else ""),
        f"seeds {SEEDS}; {STEPS} steps or {budget:.0f} s each, whichever first; batch 64 fresh "
        f"canvases per step; best dev checkpoint tested on 2 000 held-out canvases; "
        f"{threads} torch thread(s)",
        f"reference, not the same data: Mnih et al. 2014, 60×60 cluttered MNIST test error "
        f"CNN {MNIH_2014['CNN']} %, RAM {MNIH_2014['RAM']} %",
    ]
    meta = {"budget_s": budget, "max_steps": STEPS, "seeds": SEEDS, "threads": threads,
            "models": MODELS, "test_size": 2000, "reference": MNIH_2014}  # fmt: skip
    return BenchResult(
        name="c_classify_c1",
        title=f"C1 — cluttered digits, attention vs the CNN (≤ {budget:.0f} s each, "
        f"{len(SEEDS)} seeds)",
        columns=COLUMNS,
        rows=rows,
        meta=meta,
        notes=notes,
    )
