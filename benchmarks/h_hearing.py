"""H1, the hearing stages' speed: encoding + saliency of 60 s of 16 kHz audio, one core.

Contenders, round-robin in one process of the peer venv (``.bench-venvs/librosa``, our
code imported from the source tree, see ``peers/librosa_mel.py``): librosa's mel spectrogram
alone (64 mels, n_fft 512, hop 10 ms, + power_to_db), our log-mel with the same settings,
our gammatone cochleagram (64 channels, fft method) and our cochleagram + the features and
saliency of stage 2. The real-time factor is the audio's duration over the median time
(goal ≥ 100× for cochleagram + saliency, issue 13); ratios are of medians against librosa.
Our stages also run in this process (our venv's numpy/scipy). The audio: two harmonic
"voices" (220 and 311 Hz, vibrato) mixed, plus white noise at −30 dB, seeded. Accuracy: the
largest difference between our log-mel and librosa's, in dB. ``--quick``: 10 s of audio.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from ._common import BenchResult, Timing, time_interleaved
from ._peers import PEER_PACKAGES, PeerUnavailable, run_peer

SR = 16000.0
GOAL_RTF = 100.0
COLUMNS = [
    ("bench", "bench"), ("case", "case"), ("median_ms", "median ms"), ("rtf", "× real time"),
    ("ratio", "ratio"), ("min_ratio", "ratio of minima"), ("vs", "ratio vs"), ("reps", "reps"),
    ("notes", "notes"),
]  # fmt: skip


def _audio(seconds: float) -> np.ndarray:
    from neuroattn.hearing.stimuli import two_voices

    mix = two_voices(220.0, 311.0, duration=seconds, sr=SR, seed=0).signal
    return mix + 0.03 * np.sqrt(np.mean(mix**2)) * np.random.default_rng(1).standard_normal(
        mix.size
    )


def _rows(timings: dict[str, Timing], base: str, seconds: float) -> list[dict[str, Any]]:
    b_med, b_min = timings[base].median, min(timings[base].times)
    rows = []
    for name, tm in timings.items():
        row = {"bench": "H1", "case": name, "median_ms": tm.median * 1e3,
               "rtf": seconds / tm.median, "ratio": tm.median / b_med,
               "min_ratio": min(tm.times) / b_min, "vs": base, "reps": len(tm.times),
               "times": tm.times}  # fmt: skip
        if "saliency" in name:
            ok = row["rtf"] >= GOAL_RTF
            row["notes"] = f"goal ≥ {GOAL_RTF:g}× real time: {'met' if ok else 'NOT met'}"
        rows.append(row)
    return rows


def run(
    reps: int = 5, quick: bool = False, peers: bool = True, slow_s: float = 30.0
) -> BenchResult:
    """Run H1; one table."""
    from neuroattn.hearing import Encoder, FeatureExtractor

    seconds = 10.0 if quick else 60.0
    x = _audio(seconds)
    res = BenchResult(
        name="h_hearing",
        title=f"H1 hearing: {seconds:g} s of 16 kHz audio, encoding + saliency vs librosa mel",
        columns=COLUMNS,
        meta={"seconds": seconds, "sr": SR, "channels": 64, "hop_ms": 10},
    )
    if peers:
        PEER_PACKAGES.setdefault("librosa", ["librosa"])
        src = str(Path(__file__).resolve().parent.parent / "src")
        try:
            report, outs = run_peer("librosa", "librosa_mel.py", {"audio": x},
                                    {"reps": reps, "sr": SR, "src": src})  # fmt: skip
        except PeerUnavailable as exc:
            res.rows.append({"bench": "H1", "case": "librosa", "notes": f"peer unavailable: {exc}"})
        else:
            side = {k: Timing(times=t) for k, t in report["times"].items()}
            res.rows += _rows(side, next(iter(side)), seconds)
            diff = float(np.max(np.abs(outs["ours"] - outs["librosa"])))
            res.rows[1]["notes"] = f"max |ours − librosa| = {diff:.2g} dB"
            res.meta["peer_versions"] = report["versions"]
    enc, extract = Encoder(), FeatureExtractor()
    mine = {
        "ours: cochleagram (this process)": lambda: enc(x, SR),
        "ours: cochleagram + features + saliency (this process)": lambda: extract(enc(x, SR), x),
    }
    timings = time_interleaved(mine, reps, slow_s)
    res.rows += _rows(timings, next(iter(timings)), seconds)
    res.notes.append("one thread (OMP/OpenBLAS 1); real-time factor = audio seconds / median.")
    return res
