"""A1–A2, translation with attention (issue 11) against Joey NMT on the same data and budget.

* A1 — dates in CLDR formats of 16 locales → ISO 8601 (``load_task("dates")``): target
  ≥ 99 % exact match on the held-out test set after ≤ 5 minutes of training.
* A2 — numbers 0..999 999, English words → German words (``load_task("numbers-en-de")``):
  target ≥ 97 % exact match after ≤ 10 minutes.

Contenders, each with the same wall-clock budget and threads, on the same splits (seed 0;
20 000 / 500 / 2 000 pairs; character level everywhere). Each Joey NMT model trains at the
same time as ours of its family (our GRU + Bahdanau beside Joey's, our Transformer beside
Joey's; ``--threads``, default 1, each), so that whatever load the machine's neighbours put
on it falls on both alike; ``rnn-none`` runs alone:

* ours: ``rnn-bahdanau`` (the application's default), ``rnn-none`` (the same GRUs without
  attention: the gap attention makes) and ``transformer``, through
  :func:`neuroattn.apps.translate.train` with the library's default settings and
  ``max_seconds`` = the budget;
* Joey NMT 2.3.0 (``.bench-venvs/joeynmt``, CPU torch; ``peers/joeynmt_train.py``): a GRU
  encoder-decoder with Bahdanau attention and a Transformer, of our sizes, learning rate,
  weight decay, clipping, batch size and dev interval, on the splits written as its plain
  ``train/dev/test.src|trg`` files.

The budget starts with each training loop (after data, vocabularies and model are built)
and includes the dev evaluations and checkpoint writes of both. Test decoding is greedy for
all, and every contender's test hypotheses are scored here with the same sacrebleu chrF and
exact match. Throughput is target tokens (characters and ``<eos>``, padding left out) per
second of training with the dev evaluations left out (Joey's own "Tokens per Sec"
definition, summed over its logging intervals); its ratio is to the Joey model of the same
family (the GRUs to Joey's GRU, ours Transformer to Joey's). ``--quick``: 30 s each.
"""

from __future__ import annotations

import math
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from ._common import BenchResult
from ._peers import PEER_PACKAGES, PeerUnavailable, run_peer

JOEY_PACKAGES = ["joeynmt==2.3.0", "torch==2.13.0", "importlib_metadata"]
SIZES = (20000, 500, 2000)
QUICK_S = 30.0
OURS = ("rnn-bahdanau", "rnn-none", "transformer")
JOEY = ("rnn", "transformer")
COLUMNS = [
    ("bench", "bench"), ("case", "case"), ("budget_s", "budget s"), ("steps", "steps"),
    ("stopped", "stopped"), ("exact", "exact %"), ("chrf", "chrF"), ("tok_s", "tokens/s"),
    ("tok_ratio", "tok/s ÷ Joey"), ("params", "params"), ("notes", "notes"),
]  # fmt: skip


def _instrumented_train(config: Any, splits: Any, run_dir: Path) -> tuple[Any, int, float]:
    """``train`` with its dev evaluations timed (the target tokens come with the result)."""
    from neuroattn.apps import _trainer

    counted = {"eval_s": 0.0}
    real_eval = _trainer._State.evaluate

    def evaluate(self: Any, loss: float) -> Any:
        start = time.monotonic()
        try:
            return real_eval(self, loss)
        finally:
            counted["eval_s"] += time.monotonic() - start

    _trainer._State.evaluate = evaluate  # type: ignore[method-assign]
    try:
        from neuroattn.apps.translate import train

        result = train(config, splits=splits, run_dir=run_dir)
    finally:
        _trainer._State.evaluate = real_eval  # type: ignore[method-assign]
    return result, int(result.target_tokens), float(counted["eval_s"])


def _ours(bench: str, task: str, model: str, splits: Any, budget: float, threads: int) -> dict:
    from neuroattn.apps.translate import TranslateConfig, score

    config = TranslateConfig(task=task, model=model, max_seconds=budget, threads=threads)
    with tempfile.TemporaryDirectory(prefix="bench-translate-") as tmp:
        result, tokens, eval_s = _instrumented_train(config, splits, Path(tmp))
    test = splits.test
    hyps = result.translator.translate([p.source for p in test], beam=1)
    scores = score(hyps, [p.target for p in test])
    train_s = result.seconds - eval_s
    return {
        "bench": bench, "case": f"ours {model}", "family": "transformer" if model ==
        "transformer" else "rnn", "budget_s": budget, "steps": result.step,
        "stopped": result.stopped, "seconds": result.seconds, "train_s": train_s,
        "exact": scores.exact_match, "chrf": scores.chrf, "bleu": scores.bleu,
        "tok_s": tokens / train_s if train_s > 0 else math.nan, "tokens": tokens,
        "params": sum(p.numel() for p in result.translator.model.parameters()),
        "max_len": result.translator.max_len,
    }  # fmt: skip


def _write_plain(splits: Any, folder: Path) -> None:
    for name in ("train", "dev", "test"):
        pairs = getattr(splits, name)
        for side, index in (("src", 0), ("trg", 1)):
            text = "".join(p[index] + "\n" for p in pairs)
            (folder / f"{name}.{side}").write_text(text, encoding="utf-8")


def _joey(bench: str, kind: str, splits: Any, data: Path, budget: float, threads: int,
          max_len: int) -> dict:  # fmt: skip
    import numpy as np

    from neuroattn.apps.translate import TranslateConfig, score

    cfg = TranslateConfig()
    shared = ("seed", "embed_dim", "hidden_dim", "dropout", "layers", "heads", "ffn_dim",
              "warmup", "lr", "weight_decay", "clip", "batch_size", "eval_every")  # fmt: skip
    options = {"data": str(data), "kind": kind, "budget_s": budget, "threads": threads,
               "max_len": max_len, **{k: getattr(cfg, k) for k in shared}}  # fmt: skip
    report, arrays = run_peer("joeynmt", "joeynmt_train.py", {"unused": np.zeros(1)}, options,
                              timeout=budget + 1800)  # fmt: skip
    hyps = [str(h) for h in arrays["hyps"]]
    refs = [p.target for p in splits.test]
    if len(hyps) != len(refs):
        raise PeerUnavailable(f"Joey NMT gave {len(hyps)} test hypotheses for {len(refs)}")
    scores = score(hyps, refs)
    name = "GRU + Bahdanau" if kind == "rnn" else "Transformer"
    return {
        "bench": bench, "case": f"Joey NMT {report['joeynmt']} {name}", "family": kind,
        "budget_s": budget, "steps": report["steps"],
        "stopped": "max_seconds" if report["interrupted"] else "finished",
        "seconds": report["loop_s"], "train_s": report["train_s"], "exact": scores.exact_match,
        "chrf": scores.chrf, "bleu": scores.bleu, "tok_s": report["tokens_per_s"],
        "tokens": report["tokens"], "params": report["params"],
        "notes": f"torch {report['torch']}, {report['threads']} thread(s); tested with "
        f"the {report['checkpoint']} checkpoint",
    }  # fmt: skip


def _run(
    bench: str, task: str, budget: float, target: float, quick: bool, peers: bool
) -> BenchResult:
    import torch

    from neuroattn.apps.translate import load_task

    budget = QUICK_S if quick else budget
    threads = torch.get_num_threads()
    splits = load_task(task, seed=0, sizes=SIZES)
    max_len = int(1.5 * max(len(p.target) for p in splits.train)) + 10  # as ours computes it
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="bench-joey-data-") as tmp:
        _write_plain(splits, Path(tmp))
        pairs = [("rnn-bahdanau", "rnn"), ("rnn-none", None), ("transformer", "transformer")]
        for model, kind in pairs:
            beside = f" beside Joey NMT {kind}" if peers and kind else ""
            print(f"  {bench}: ours {model}{beside}, {budget:.0f} s …", flush=True)
            with ThreadPoolExecutor(max_workers=1) as pool:
                peer = None
                if peers and kind:
                    PEER_PACKAGES["joeynmt"] = JOEY_PACKAGES
                    args = (bench, kind, splits, Path(tmp), budget, threads, max_len)
                    peer = pool.submit(_joey, *args)
                rows.append(_ours(bench, task, model, splits, budget, threads))
                if peer is not None:
                    try:
                        rows.append(peer.result())
                    except PeerUnavailable as exc:
                        rows.append({"bench": bench, "case": f"peer unavailable: {exc}"})
    notes: list[str] = []
    joey = {r["family"]: r for r in rows if r.get("case", "").startswith("Joey")}
    for row in rows:
        base = joey.get(row.get("family", ""))
        if base and base["tok_s"] and row.get("tok_s") is not None:
            row["tok_ratio"] = row["tok_s"] / base["tok_s"]
    main = rows[0]
    met = main["exact"] >= target
    main["notes"] = f"target ≥ {target} % in {budget:.0f} s: {'met' if met else 'NOT met'}"
    if quick:
        main["notes"] += " (quick budget; the target is for the full budget)"
    for kind, base in joey.items():
        ours = next(r for r in rows if r.get("family") == kind and r["case"].startswith("ours"))
        notes.append(
            f"{ours['case']} vs {base['case']}: exact {ours['exact']:.2f} vs {base['exact']:.2f} "
            f"%, chrF {ours['chrf']:.2f} vs {base['chrf']:.2f}, tokens/s ratio "
            f"{ours['tok_s'] / base['tok_s']:.2f}"
        )
    notes.append(
        f"splits {SIZES} (seed 0), character level, greedy test decoding, {threads} torch "
        "thread(s) for every contender, each Joey model trained at the same time as ours of "
        "its family; budget counts dev evaluations, not set-up or test"
    )
    title = {"A1": "A1 — dates → ISO 8601", "A2": "A2 — numbers English → German"}[bench]
    return BenchResult(
        name=f"a_translate_{bench.lower()}",
        title=f"{title} (budget {budget:.0f} s each)",
        columns=COLUMNS,
        rows=rows,
        meta={
            "task": task,
            "sizes": SIZES,
            "budget_s": budget,
            "target": target,
            "threads": threads,
        },
        notes=notes,
    )


def run_a1(
    reps: int = 1, quick: bool = False, peers: bool = True, slow_s: float = 30.0
) -> BenchResult:
    """A1: dates → ISO, 5 minutes each (``reps`` and ``slow_s`` do not apply: one run each)."""
    return _run("A1", "dates", 300.0, 99.0, quick, peers)


def run_a2(
    reps: int = 1, quick: bool = False, peers: bool = True, slow_s: float = 30.0
) -> BenchResult:
    """A2: numbers English → German, 10 minutes each."""
    return _run("A2", "numbers-en-de", 600.0, 97.0, quick, peers)


run = run_a1
