"""R1, click prediction with target attention (issue 12): DIN against mean pooling and
against DeepCTR-Torch's DIN, on the same generated data and budget.

Target: DIN's test AUC above the mean-pooling baseline's over ≥ 3 seeds; beside it, in the
same run, DeepCTR-Torch's ``DIN`` (``deepctr-torch`` in ``.bench-venvs/deepctr``, CPU torch
2.13) on the same splits and budget: AUC and training examples per second as ratios
(goal: at least its AUC, faster).

For each seed (0, 1, 2) the generated data of ``RecommendConfig()`` (2 000 users, 20
categories × 4 styles × 10 items, histories of 5–40, 10 candidates per user; split by user
70/10/20 %) are built once and every contender trains on them, one after the other, with
the same wall-clock budget (training plus dev evaluations; 120 s each, ``--quick`` 15 s),
batch size 256, learning rate 0.003 (AdamW, no weight decay), embeddings of 16 for item and
category, the scoring MLP (200, 80) with Dice, and the thread count of the run:

* ours ``mean``, ``din`` and ``competitive`` through
  :func:`neuroattn.apps.recommend.train` (dev AUC every 100 steps, the best dev weights
  kept, patience 5);
* DeepCTR-Torch's ``DIN`` (``peers/deepctr_din.py``): its own model and ``fit``, the local
  activation unit with one hidden layer of 36 (as ours), no attention normalisation, one
  epoch at a time with a dev AUC after each, the best epoch's weights kept.

AUC and GAUC are computed here, on every contender's test probabilities. Throughput is
training examples per second with the dev evaluations left out. The table gives each
seed's rows and the mean ± standard deviation over seeds; the ratios are ours DIN ÷
DeepCTR DIN (AUC and examples/s) and DIN − mean (AUC).
"""

from __future__ import annotations

import dataclasses
import math
import statistics
import time
from typing import Any

from ._common import BenchResult
from ._peers import PEER_PACKAGES, PeerUnavailable, run_peer

DEEPCTR_PACKAGES = ["deepctr-torch==0.3.0", "torch==2.13.0", "requests"]
SEEDS = (0, 1, 2)
BUDGET_S, QUICK_S = 120.0, 15.0
OURS = ("mean", "din", "competitive")
COLUMNS = [
    ("case", "case"), ("seed", "seed"), ("steps", "steps"), ("stopped", "stopped"),
    ("auc", "test AUC"), ("gauc", "test GAUC"), ("ex_s", "examples/s"),
    ("auc_ratio", "AUC ÷ DeepCTR"), ("ex_ratio", "ex/s ÷ DeepCTR"), ("notes", "notes"),
]  # fmt: skip


def _ours(model: str, seed: int, splits: Any, budget: float, threads: int) -> dict[str, Any]:
    from neuroattn.apps import _trainer
    from neuroattn.apps.recommend import RecommendConfig, scores, train

    config = RecommendConfig(model=model, seed=seed, max_seconds=budget, threads=threads)
    counted = {"eval_s": 0.0}
    real_eval = _trainer._State.evaluate

    def evaluate(self: Any, loss: float) -> Any:  # dev evaluations timed, to leave them out
        start = time.monotonic()
        try:
            return real_eval(self, loss)
        finally:
            counted["eval_s"] += time.monotonic() - start

    _trainer._State.evaluate = evaluate  # type: ignore[method-assign]
    try:
        result = train(config, splits=splits, log=lambda _: None)
    finally:
        _trainer._State.evaluate = real_eval  # type: ignore[method-assign]
    train_s = result.seconds - counted["eval_s"]
    test = scores(result.model, splits.test)
    return {
        "case": f"ours {model}", "model": model, "seed": seed, "steps": result.step,
        "stopped": result.stopped, "auc": test["auc"], "gauc": test["gauc"],
        "ex_s": result.examples / train_s if train_s > 0 else math.nan,
        "best_dev_auc": result.best_dev,
        "params": sum(p.numel() for p in result.model.parameters()),
    }  # fmt: skip


def _deepctr(seed: int, splits: Any, budget: float, threads: int) -> dict[str, Any]:
    from neuroattn.apps.recommend import RecommendConfig, auc, gauc

    cfg = RecommendConfig()
    arrays = {}
    for name in ("train", "dev", "test"):
        part = getattr(splits, name)
        for f in ("history", "history_category", "length", "item", "category", "label"):
            arrays[f"{name}_{f}"] = getattr(part, f)
    options = {
        "n_items": splits.n_items, "n_categories": splits.n_categories,
        "max_history": cfg.max_history, "embed_dim": cfg.embed_dim,
        "hidden": [cfg.hidden1, cfg.hidden2], "att_hidden": [36], "activation": cfg.activation,
        "batch_size": cfg.batch_size, "lr": cfg.lr, "budget_s": budget, "threads": threads,
        "seed": seed,
    }  # fmt: skip
    PEER_PACKAGES["deepctr"] = DEEPCTR_PACKAGES
    report, out = run_peer("deepctr", "deepctr_din.py", arrays, options, timeout=budget + 900)
    p, test = out["test_p"], splits.test
    return {
        "case": f"DeepCTR-Torch {report['deepctr_torch']} DIN", "model": "deepctr", "seed": seed,
        "steps": report["steps"], "stopped": "max_seconds", "auc": auc(p, test.label),
        "gauc": gauc(p, test.label, test.user), "ex_s": report["examples"] / report["train_s"],
        "best_dev_auc": report["best_dev_auc"], "params": report["params"],
        "notes": f"torch {report['torch']}, {report['threads']} thread(s), {report['epochs']} "
        "epochs",
    }  # fmt: skip


def _summary(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for model in (*OURS, "deepctr"):
        mine = [r for r in rows if r.get("model") == model and not math.isnan(r["auc"])]
        if not mine:
            continue
        aucs, speeds = [r["auc"] for r in mine], [r["ex_s"] for r in mine]
        spread = statistics.stdev(aucs) if len(aucs) > 1 else 0.0
        out.append({
            "case": f"{mine[0]['case']}: mean over seeds", "seed": "all",
            "auc": statistics.mean(aucs), "gauc": statistics.mean(r["gauc"] for r in mine),
            "ex_s": statistics.mean(speeds), "notes": f"AUC ± {spread:.4f} (sd)",
            "model": model, "summary": True,
        })  # fmt: skip
    return out


def _ratios(rows: list[dict[str, Any]]) -> None:
    peers = {r["seed"]: r for r in rows if r.get("model") == "deepctr"}
    for row in rows:
        base = peers.get(row.get("seed"))
        if base is not None and row is not base:
            row["auc_ratio"] = row["auc"] / base["auc"]
            row["ex_ratio"] = row["ex_s"] / base["ex_s"]


def run(
    reps: int = 1, quick: bool = False, peers: bool = True, slow_s: float = 30.0
) -> BenchResult:
    """R1 (``reps`` and ``slow_s`` do not apply: one training per contender and seed)."""
    import torch

    from neuroattn.apps.recommend import RecommendConfig, auc, load_data

    budget = QUICK_S if quick else BUDGET_S
    threads = torch.get_num_threads()
    rows: list[dict[str, Any]] = []
    oracle = []
    for seed in SEEDS:
        splits = load_data(dataclasses.replace(RecommendConfig(), seed=seed))
        oracle.append(auc(splits.test.truth, splits.test.label))
        for model in OURS:
            print(f"  R1 seed {seed}: ours {model}, {budget:.0f} s …", flush=True)
            rows.append(_ours(model, seed, splits, budget, threads))
        if peers:
            print(f"  R1 seed {seed}: DeepCTR-Torch DIN, {budget:.0f} s …", flush=True)
            try:
                rows.append(_deepctr(seed, splits, budget, threads))
            except PeerUnavailable as exc:
                rows.append({"case": f"peer unavailable: {exc}", "seed": seed, "auc": math.nan})
    summary = _summary(rows)
    _ratios(rows)
    _ratios_summary(summary)
    notes = _notes(rows, summary, oracle, budget, threads)
    return BenchResult(
        name="r_recommend",
        title=f"R1 — click prediction: DIN, mean pooling, DeepCTR-Torch (budget {budget:.0f} s)",
        columns=COLUMNS,
        rows=rows + summary,
        meta={"seeds": SEEDS, "budget_s": budget, "threads": threads, "oracle_auc": oracle},
        notes=notes,
    )


def _ratios_summary(summary: list[dict[str, Any]]) -> None:
    base = next((r for r in summary if r["model"] == "deepctr"), None)
    if base is None:
        return
    for row in summary:
        if row is not base:
            row["auc_ratio"] = row["auc"] / base["auc"]
            row["ex_ratio"] = row["ex_s"] / base["ex_s"]


def _notes(
    rows: list[dict[str, Any]],
    summary: list[dict[str, Any]],
    oracle: list[float],
    budget: float,
    threads: int,
) -> list[str]:
    by = {r["model"]: r for r in summary}
    notes = []
    if "din" in by and "mean" in by:
        wins = sum(
            d["auc"] > m["auc"]
            for d, m in zip(
                [r for r in rows if r.get("model") == "din"],
                [r for r in rows if r.get("model") == "mean"],
                strict=True,
            )
        )
        met = wins == len(SEEDS)
        notes.append(
            f"target R1 (DIN's test AUC above mean pooling's on every seed): "
            f"{'met' if met else 'NOT met'} ({wins}/{len(SEEDS)} seeds; mean AUC "
            f"{by['din']['auc']:.4f} vs {by['mean']['auc']:.4f})"
        )
    if "din" in by and "deepctr" in by:
        notes.append(
            f"ours DIN ÷ DeepCTR-Torch DIN: AUC {by['din']['auc'] / by['deepctr']['auc']:.4f}, "
            f"examples/s {by['din']['ex_s'] / by['deepctr']['ex_s']:.2f}"
        )
    notes.append(
        f"Bayes-optimal test AUC (the generator's own click probabilities): "
        f"{statistics.mean(oracle):.4f} mean over seeds"
    )
    notes.append(
        f"{threads} torch thread(s) for every contender, one after the other; budget "
        f"{budget:.0f} s each counts dev evaluations, examples/s leaves them out"
    )
    return notes
