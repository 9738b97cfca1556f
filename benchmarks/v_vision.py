"""V1–V2, the vision pipeline's speed against OpenCV's static saliency (opencv-contrib).

* V1 — bottom-up saliency of a 640×480 photograph (scikit-image's astronaut, resized),
  one thread: ``neuroattn.saliency`` against ``StaticSaliencyFineGrained`` and
  ``StaticSaliencySpectralResidual``, round-robin in the peer's process (ours imported
  from the source tree, on the peer's OpenCV build); ours again in this process, on our
  OpenCV. Target: ≤ 10 ms.
* V2 — ``attend`` with 5 fixations on the same image (all four stages, the competition
  simulated), open loop, with the closed loop (``Pipeline(feedback=TopDown(loop=True))``:
  the attention field re-enters encoding after every fixation) and the competition alone
  beside it, all in one round-robin. Targets: open loop ≤ 25 ms; closed loop ≤ 1.5× the
  open loop's median (issue 9).

V3 (odd-one-out quality, same peer) is in :mod:`.v_family`.

Ratios are of medians measured side by side in one process; the ratio of the fastest
repetitions is printed beside them (the machines are shared).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from ._common import BenchResult, Timing, time_interleaved
from ._peers import PEER_PACKAGES, PeerUnavailable, run_peer

OPENCV_PACKAGES = ["opencv-contrib-python-headless==5.0.0.93", "numpy", "scipy"]
CLOSED_LOOP_LIMIT = 1.5  # closed loop / open loop, issue 9
MAP_SIZE = (128, 128)
COLUMNS = [
    ("bench", "bench"), ("case", "case"), ("median_ms", "median ms"), ("ratio", "ratio"),
    ("min_ratio", "ratio of minima"), ("vs", "ratio vs"), ("reps", "reps"), ("notes", "notes"),
]  # fmt: skip


def _photo() -> np.ndarray:
    import cv2
    import skimage.data

    return cv2.resize(skimage.data.astronaut(), (640, 480), interpolation=cv2.INTER_AREA)


def _timing_rows(bench: str, timings: dict[str, Timing], base: str) -> list[dict[str, Any]]:
    b_med, b_min = timings[base].median, min(timings[base].times)
    return [
        {"bench": bench, "case": name, "median_ms": tm.median * 1e3, "ratio": tm.median / b_med,
         "min_ratio": min(tm.times) / b_min, "vs": base, "reps": len(tm.times),
         "times": tm.times}
        for name, tm in timings.items()
    ]  # fmt: skip


def _target(row: dict[str, Any], limit_ms: float) -> None:
    ok = row["median_ms"] <= limit_ms
    row["notes"] = f"target ≤ {limit_ms:g} ms: {'met' if ok else 'NOT met'}"


def run_v1_v2(photo: np.ndarray, reps: int, slow_s: float) -> list[dict[str, Any]]:
    """Ours in this process: saliency, attend (open and closed loop), the competition alone."""
    from neuroattn.vision import Pipeline, TopDown

    pipe, closed = Pipeline(), Pipeline(feedback=TopDown(loop=True))
    sal_map = pipe._bottom_up(photo, -1, "photo").saliency  # map level, for the WTA alone
    contenders = {
        "ours: saliency (this process)": lambda: pipe.saliency(photo),
        "ours: attend, 5 fixations": lambda: pipe.attend(photo, n_fixations=5),
        "ours: attend, 5 fixations, closed loop": lambda: closed.attend(photo, n_fixations=5),
        "ours: competition alone, 5 fixations": lambda: pipe.compete(
            sal_map, n_fixations=5, image_shape=photo.shape[:2]
        ),
    }
    timings = time_interleaved(contenders, reps, slow_s)
    sal_case, *attend_cases = contenders
    v1 = _timing_rows("V1", {sal_case: timings[sal_case]}, sal_case)
    _target(v1[0], 10.0)
    v2 = _timing_rows("V2", {k: timings[k] for k in attend_cases}, attend_cases[0])
    _target(v2[0], 25.0)
    ok = v2[1]["ratio"] <= CLOSED_LOOP_LIMIT
    # the loop refreshes the maps after every fixation but the last
    v2[1]["extra_ms_per_refresh"] = (v2[1]["median_ms"] - v2[0]["median_ms"]) / 4
    v2[1]["notes"] = (f"target ≤ {CLOSED_LOOP_LIMIT:g}× open loop: {'met' if ok else 'NOT met'}; "
                      f"+{v2[1]['extra_ms_per_refresh']:.1f} ms per refresh (4); "
                      + _onsets(timings[attend_cases[1]].result))  # fmt: skip
    v2[2]["notes"] = "open loop " + _onsets(timings[attend_cases[0]].result)
    return v1 + v2


def _onsets(result: Any) -> str:
    return "onsets " + ", ".join(f"{f.onset:.0f}" for f in result.fixations) + " ms"


def opencv_peer(
    photo: np.ndarray, sets: dict[str, np.ndarray], reps: int, slow_s: float
) -> dict[str, Any]:
    """Run ``peers/opencv_saliency.py``: V1's timings (``reps`` rounds) and OpenCV's maps of
    each set of displays in ``sets`` (``maps["<set>__<method>"]``), or ``{"error": …}``."""
    PEER_PACKAGES.setdefault("opencv", OPENCV_PACKAGES)
    src = str(Path(__file__).resolve().parent.parent / "src")
    opts = {"reps": reps, "slow_s": slow_s, "threads": 1, "src": src, "map_size": MAP_SIZE}
    inputs = {"photo": photo, **sets}
    try:
        report, outs = run_peer("opencv", "opencv_saliency.py", inputs, opts)
    except PeerUnavailable as exc:
        return {"error": str(exc)}
    return {**report, "maps": outs}


def run(
    reps: int = 5, quick: bool = False, peers: bool = True, slow_s: float = 30.0
) -> BenchResult:
    """Run V1–V2; one table."""
    import cv2

    cv2.setNumThreads(1)
    res = BenchResult(
        name="v_vision",
        title="V1–V2 vision pipeline vs OpenCV saliency (ratio = median / median of 'ratio vs')",
        columns=COLUMNS,
        meta={"opencv": cv2.__version__, "cv2_threads": cv2.getNumThreads()},
    )
    photo = _photo()
    peer: dict[str, Any] = (
        opencv_peer(photo, {}, reps, slow_s) if peers else {"error": "peers skipped"}
    )
    if "error" in peer:
        res.rows.append({"bench": "V1", "case": "OpenCV peers",
                         "notes": f"peer unavailable: {peer['error']}"})  # fmt: skip
    else:
        side = {f"OpenCV {k.replace('_', ' ')} {peer['versions']['opencv']}": Timing(times=t)
                for k, t in peer["times"].items() if k != "ours"}  # fmt: skip
        side["ours: saliency, same process as OpenCV"] = Timing(times=peer["times"]["ours"])
        res.rows += _timing_rows("V1", side, next(iter(side)))
        res.rows[-1]["notes"] = "interleaved with OpenCV"
    res.rows += run_v1_v2(photo, reps, slow_s)
    res.notes.append("V1 photo: skimage.data.astronaut() resized to 640×480; one thread "
                     "(cv2.setNumThreads(1), OMP/OpenBLAS 1).")  # fmt: skip
    return res
