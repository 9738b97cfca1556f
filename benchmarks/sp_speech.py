"""SP1–SP2, speech recognition with attention on synthesised speech (issue 14).

* SP1 — connected digits (1-7 digits, eSpeak NG voices; train / dev / test voices
  disjoint): word error rate on the held-out test voices at 20 dB SNR after the budget
  (target ≤ 5 % after ≤ 10 minutes of training on the 2-core machine). The attention model
  (LAS: the library's default, pyramidal BiGRU + location-aware additive attention + joint
  CTC) and the CTC-only baseline without attention (the gap attention makes) train at the
  same time, in two processes of ``--threads`` torch threads each (default 1), on the same
  data with the same budget, so that whatever load the machine's neighbours add falls on
  both alike. With ``--sp1-transformer`` a second pair follows in the same way: LAS with the
  conv-Transformer encoder (and the default location-aware additive attention: multi-head
  attention aligned far slower in our study, see ``docs/speech.md``), and CTC on that
  encoder.
  Each seed (``--seeds``, default 0,1,2; ``--quick`` 0) draws its own corpus, noise,
  initial weights and batches; the table has a row per seed and model and one mean ± sd
  row per model. Every model is scored on the same clean test utterances of its seed with
  white noise at clean / 20 / 10 / 5 dB (the WER-against-SNR curve with error bars over
  seeds: ``results/sp1_wer_snr.png``).
* SP2 — real-time factor of ``transcribe`` (WAV read, front end, greedy decoding) on one
  core: seconds of audio per second of processing, median over the test WAVs' repetitions
  (goal ≥ 20). The model is SP1's LAS of the first seed when SP1 ran in the same process,
  else one trained for 30 s (the factor depends on the model's size and output length, not
  on its accuracy, as long as it stops at ``<eos>``).

Settings are :class:`neuroattn.apps.speech.SpeechConfig`'s defaults (3000 / 200 / 400
utterances; ``max_seconds`` = the budget; the corpus is synthesised once per seed and
cached). ``--quick``: 600 / 100 / 100 utterances and 45 s per model. A worker process is
``python -m benchmarks.sp_speech SPEC.json`` (what the parent starts; not for users).
"""

from __future__ import annotations

import json
import math
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from ._common import BenchResult

BUDGET_S, QUICK_S = 600.0, 45.0
SEEDS, QUICK_SEEDS = (0, 1, 2), (0,)
SNRS = (math.inf, 20.0, 10.0, 5.0)
TARGET_WER = 5.0
TRANSFORMER = {"encoder": "conv-transformer"}  # with the default location-aware attention
CASES: dict[str, tuple[str, dict[str, Any]]] = {
    "las": ("ours LAS (BiGRU, location-aware)", {"model": "las"}),
    "ctc": ("ours CTC (BiGRU)", {"model": "ctc"}),
    "las-tf": ("ours LAS (conv-Transformer, location-aware)", {"model": "las", **TRANSFORMER}),
    "ctc-tf": ("ours CTC (conv-Transformer)", {"model": "ctc", **TRANSFORMER}),
}
PAIRS = (("las", "ctc"), ("las-tf", "ctc-tf"))  # each pair trains concurrently
COLUMNS = [
    ("case", "case"), ("seed", "seed"), ("steps", "steps"), ("stopped", "stopped"),
    ("wer_clean", "WER clean %"), ("wer_20", "WER 20 dB %"), ("sd_20", "± sd"),
    ("wer_10", "WER 10 dB %"), ("wer_5", "WER 5 dB %"), ("cer_20", "CER 20 dB %"),
    ("params", "params"), ("notes", "notes"),
]  # fmt: skip
SP2_COLUMNS = [
    ("case", "case"), ("rtf", "x real time (median)"), ("min_rtf", "min"),
    ("utterances", "utterances"), ("audio_s", "audio s"), ("notes", "notes"),
]  # fmt: skip
_RUNS: list[tempfile.TemporaryDirectory[str]] = []  # SP1's run directories (kept for SP2)
_TRAINED: dict[str, Any] = {}  # SP1's LAS run directory and its config, reused by SP2


def _runs_dir() -> Path:
    if not _RUNS:
        _RUNS.append(tempfile.TemporaryDirectory(prefix="bench-speech-runs-"))
    return Path(_RUNS[0].name)


def _config(fields: dict[str, Any]) -> Any:
    from neuroattn.apps.speech import SpeechConfig

    return SpeechConfig(task="digits", **fields)


def _fields(case: str, quick: bool, budget: float, seed: int, threads: int) -> dict[str, Any]:
    sizes = {"train_size": 600, "dev_size": 100, "test_size": 100} if quick else {}
    options = CASES[case][1]
    return {**options, **sizes, "max_seconds": budget, "threads": threads, "seed": seed}


def _snr_key(snr: float) -> str:
    return "clean" if math.isinf(snr) else f"{snr:g}"


def _worker(spec_path: str) -> None:
    """Train one model of one seed and score it at every SNR (a child process)."""
    import torch

    from neuroattn.apps.speech import load_splits, train

    spec = json.loads(Path(spec_path).read_text())
    config = _config(spec["fields"])
    torch.set_num_threads(config.threads)  # scoring too, not only training
    result = train(config, run_dir=Path(spec["run_dir"]), log=lambda line: None)
    rec = result.recognizer
    row: dict[str, Any] = {
        "steps": result.step, "stopped": result.stopped, "seconds": result.seconds,
        "best_dev_word_accuracy": result.best_dev,
        "params": sum(p.numel() for p in rec.model.parameters()),
    }  # fmt: skip
    for snr in SNRS:
        rates = rec.evaluate(load_splits(config, test_snr=snr, train=False).test, beam=1)
        row[f"wer_{_snr_key(snr)}"] = rates.wer
        row[f"cer_{_snr_key(snr)}"] = rates.cer
    Path(spec["out"]).write_text(json.dumps(row))


def _run_pair(pair: tuple[str, ...], seed: int, quick: bool, budget: float,
              threads: int) -> list[dict[str, Any]]:  # fmt: skip
    """Train the pair's models at the same time, one process each; their rows."""
    procs, rows = [], []
    root = Path(__file__).resolve().parent.parent
    for case in pair:
        folder = _runs_dir() / f"{case}-{seed}"
        folder.mkdir(parents=True, exist_ok=True)
        spec = {"fields": _fields(case, quick, budget, seed, threads),
                "run_dir": str(folder / "run"), "out": str(folder / "row.json")}  # fmt: skip
        (folder / "spec.json").write_text(json.dumps(spec))
        log = (folder / "log.txt").open("w")
        cmd = [sys.executable, "-m", "benchmarks.sp_speech", str(folder / "spec.json")]
        procs.append((case, folder, subprocess.Popen(cmd, cwd=root, stdout=log, stderr=log)))
        log.close()
    for case, folder, proc in procs:
        code = proc.wait()
        row: dict[str, Any] = {"case": CASES[case][0], "key": case, "seed": seed,
                               "budget_s": budget}  # fmt: skip
        if code == 0:
            row.update(json.loads((folder / "row.json").read_text()))
        else:
            tail = (folder / "log.txt").read_text().strip().splitlines()[-1:]
            row["notes"] = f"failed (exit {code}): {' '.join(tail)[:200]}"
        rows.append(row)
        if case == "las" and code == 0 and "las" not in _TRAINED:
            _TRAINED["las"] = (folder / "run", _config(_fields(case, quick, budget, seed, 1)))
    return rows


def _summaries(rows: list[dict[str, Any]], cases: list[str]) -> list[dict[str, Any]]:
    """Mean over seeds per model, with the sample standard deviation of each WER."""
    out = []
    for case in cases:
        mine = [r for r in rows if r["key"] == case and "wer_20" in r]
        if not mine:
            continue
        row: dict[str, Any] = {"case": f"{CASES[case][0]}: mean", "key": case, "seed": "all",
                               "steps": statistics.mean(r["steps"] for r in mine),
                               "summary": True, "n_seeds": len(mine)}  # fmt: skip
        for name in ("wer", "cer"):
            for snr in SNRS:
                values = [r[f"{name}_{_snr_key(snr)}"] for r in mine]
                row[f"{name}_{_snr_key(snr)}"] = statistics.mean(values)
                sd = statistics.stdev(values) if len(values) > 1 else math.nan
                row[f"sd_{name}_{_snr_key(snr)}" if name == "cer" else f"sd_{_snr_key(snr)}"] = sd
        row["params"] = mine[0]["params"]
        out.append(row)
    return out


def _plot(summaries: list[dict[str, Any]], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    fig = Figure(figsize=(5.5, 3.8), layout="constrained")
    ax = fig.subplots()
    labels = [_snr_key(s) for s in SNRS]
    for row in summaries:
        means = [row[f"wer_{k}"] for k in labels]
        errs = [0.0 if math.isnan(row[f"sd_{k}"]) else row[f"sd_{k}"] for k in labels]
        name = row["case"].removesuffix(": mean").removeprefix("ours ")
        ax.errorbar(labels, means, yerr=errs, marker="o", capsize=3,
                    label=f"{name} (n={row['n_seeds']})")  # fmt: skip
    ax.set_xlabel("SNR of the test utterances (dB)")
    ax.set_ylabel("WER (%), mean ± sd over seeds")
    ax.set_title("SP1: connected digits, held-out voices")
    ax.legend(fontsize=6)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)


def run_sp1(
    reps: int = 1,
    quick: bool = False,
    peers: bool = True,
    slow_s: float = 30.0,
    *,
    seeds: tuple[int, ...] | None = None,
    transformer: bool = False,
) -> BenchResult:
    """SP1: LAS and CTC trained side by side on connected digits, per seed."""
    import torch

    from neuroattn.apps.speech import build_corpus

    budget = QUICK_S if quick else BUDGET_S
    seeds = tuple(seeds) if seeds else (QUICK_SEEDS if quick else SEEDS)
    threads = torch.get_num_threads()
    pairs = PAIRS if transformer else PAIRS[:1]
    rows: list[dict[str, Any]] = []
    start = time.perf_counter()
    for seed in seeds:
        config = _config(_fields("las", quick, budget, seed, threads))
        build_corpus(config.corpus_spec(), cache_dir=config.cache_dir or None)  # cache it once
        for pair in pairs:
            print(f"  SP1 seed {seed}: {' beside '.join(pair)}, {budget:.0f} s …", flush=True)
            rows.extend(_run_pair(pair, seed, quick, budget, threads))
    cases = [c for pair in pairs for c in pair]
    summaries = _summaries(rows, cases)
    by_key = {r["key"]: r for r in summaries}
    main = by_key.get("las")
    if main is not None:
        met = main["wer_20"] <= TARGET_WER
        main["notes"] = (
            f"target mean WER ≤ {TARGET_WER} % at 20 dB in {budget:.0f} s: "
            + ("met" if met else "NOT met")
            + (" (quick budget and corpus; the target is for the full run)" if quick else "")
        )
    for las, ctc in pairs:
        if las in by_key and ctc in by_key:
            gap = by_key[ctc]["wer_20"] - by_key[las]["wer_20"]
            by_key[ctc]["notes"] = f"attention gap at 20 dB: {gap:+.2f} WER points (mean)"
    plot = Path(__file__).resolve().parent / "results" / "sp1_wer_snr.png"
    if summaries:
        _plot(summaries, plot)
    cfg = _config(_fields("las", quick, budget, seeds[0], threads))
    return BenchResult(
        name="sp_speech_sp1",
        title=f"SP1 — connected digits from held-out voices (budget {budget:.0f} s each)",
        columns=COLUMNS,
        rows=[*rows, *summaries],
        meta={
            "sizes": (cfg.train_size, cfg.dev_size, cfg.test_size),
            "budget_s": budget,
            "seeds": list(seeds),
            "threads_per_process": threads,
            "pairs": pairs,
            "snrs": [_snr_key(s) for s in SNRS],
            "plot": str(plot),
            "wall_s": time.perf_counter() - start,
        },
        notes=[
            "each pair trained at the same time, one process each with "
            f"{threads} torch thread(s), same corpus (per seed), budget and settings; greedy "
            "decoding; the budget counts dev evaluations, not corpus synthesis or features",
            "mean rows: mean over seeds, ± sd = sample standard deviation of the 20 dB WER "
            "(– for one seed); each seed draws its own corpus, voices split, noise and weights",
            f"WER against SNR: {plot.name} (error bars: sd over seeds)",
        ],
    )


def run_sp2(
    reps: int = 5, quick: bool = False, peers: bool = True, slow_s: float = 30.0
) -> BenchResult:
    """SP2: real-time factor of transcribe (read WAV, features, greedy decoding), one core."""
    import numpy as np
    from scipy.io import wavfile

    from neuroattn.apps.speech import load_recognizer, load_splits, read_wav

    if "las" not in _TRAINED:
        print("  SP2: training a LAS model for 30 s (SP1 did not run here) …", flush=True)
        _run_pair(("las",), 0, True, 30.0, 1)
    run_dir, config = _TRAINED["las"]
    rec = load_recognizer(run_dir)
    samples = list(load_splits(config, train=False).test)[:20]
    ratios, audio_s = [], 0.0
    with tempfile.TemporaryDirectory(prefix="bench-speech-wav-") as tmp:
        paths = []
        for i, s in enumerate(samples):
            path = Path(tmp) / f"u{i}.wav"
            wavfile.write(path, 16000, (np.clip(s.audio, -1, 1) * 32767).astype(np.int16))
            paths.append(path)
        for _ in range(max(reps, 1)):
            for path in paths:
                start = time.perf_counter()
                audio = read_wav(path)
                rec.transcribe(audio, beam=1)
                took = time.perf_counter() - start
                ratios.append((audio.size / 16000) / took)
                audio_s += audio.size / 16000
    median = statistics.median(ratios)
    row = {
        "case": "ours transcribe (LAS, greedy)", "rtf": median, "min_rtf": min(ratios),
        "utterances": len(samples), "audio_s": audio_s / max(reps, 1),
        "notes": f"goal ≥ 20x real time: {'met' if median >= 20 else 'NOT met'}",
    }  # fmt: skip
    return BenchResult(
        name="sp_speech_sp2",
        title="SP2 — transcribe's real-time factor on one core",
        columns=SP2_COLUMNS,
        rows=[row],
        meta={"reps": reps},
        notes=["per utterance: WAV read, log-mel, listener and greedy speller; one thread"],
    )


run = run_sp1

if __name__ == "__main__":  # a worker: python -m benchmarks.sp_speech SPEC.json
    _worker(sys.argv[1])
