"""V1/V3 peer: OpenCV's static saliency (opencv-contrib) and ours, round-robin, one process.

Run by ``benchmarks._peers.run_peer`` inside ``.bench-venvs/opencv``
(opencv-contrib-python-headless, numpy, scipy): ``python opencv_saliency.py in.npz out.npz
'{...}'``. ``neuroattn`` is imported from the source tree (option ``src``), so that
OpenCV's two methods and ours are timed round-robin in one process on one OpenCV build.

Inputs: ``photo`` (H, W, 3) RGB uint8 and any number of sets of search displays, each
(N, H, W, 3) RGB uint8 under its own name (``arrays``: V3's ``search_array`` displays,
``family``: the held-out family's). Outputs: the saliency maps of every display from each
OpenCV method, resized to ``map_size`` (float16), under ``<set>__<method>``, and one JSON
line with the timings (seconds) and versions.
"""

from __future__ import annotations

import json
import sys
import time
from typing import Any

import numpy as np


def main() -> None:
    in_path, out_path, opts = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
    sys.path.insert(0, opts["src"])
    import cv2

    cv2.setNumThreads(opts["threads"])
    from neuroattn.vision import saliency

    data = np.load(in_path)
    photo = data["photo"]
    bgr = cv2.cvtColor(photo, cv2.COLOR_RGB2BGR)
    fine = cv2.saliency.StaticSaliencyFineGrained_create()
    spectral = cv2.saliency.StaticSaliencySpectralResidual_create()

    def peer(method: Any, img: np.ndarray) -> np.ndarray:
        ok, m = method.computeSaliency(img)
        if not ok:
            raise RuntimeError("computeSaliency failed")
        return m

    contenders = {
        "fine_grained": lambda: peer(fine, bgr),
        "spectral_residual": lambda: peer(spectral, bgr),
        "ours": lambda: saliency(photo),
    }
    times: dict[str, list[float]] = {k: [] for k in contenders}
    for rep in range(opts["reps"] + 1):  # rep 0 is a warm-up
        for name, fn in contenders.items():
            start = time.perf_counter()
            fn()
            if rep:
                times[name].append(time.perf_counter() - start)
    size = tuple(opts["map_size"])
    maps: dict[str, list[np.ndarray]] = {}
    for key in data.files:
        if key == "photo":
            continue
        for img in data[key]:
            b = cv2.cvtColor(img, cv2.COLOR_RGB2BGR)
            for name, method in (("fine_grained", fine), ("spectral_residual", spectral)):
                m = np.asarray(peer(method, b), np.float32)
                resized = cv2.resize(m, size, interpolation=cv2.INTER_AREA)
                maps.setdefault(f"{key}__{name}", []).append(resized)
    np.savez(out_path, **{k: np.stack(v).astype(np.float16) for k, v in maps.items()})
    versions = {"opencv": cv2.__version__, "numpy": np.__version__}
    print(json.dumps({"times": times, "versions": versions}))


if __name__ == "__main__":
    main()
