"""H1 peer: librosa's mel spectrogram and our hearing stages, round-robin, one process.

Run by ``benchmarks._peers.run_peer`` inside ``.bench-venvs/librosa`` (librosa, its numpy
and scipy): ``python librosa_mel.py in.npz out.npz '{...}'``. ``neuroattn`` is imported from
the source tree (option ``src``), so that librosa and ours are timed on the same numpy/scipy.

Input: ``audio`` (N,) float64 at ``sr``. Contenders: librosa.feature.melspectrogram (64 mels,
n_fft 512, hop 160, win 400, power 2; librosa's default Slaney mel and centred frames) +
power_to_db(top_db=None); our log-mel with the same settings; our gammatone cochleagram; our
cochleagram + features and saliency (stages 1–2). Output: librosa's and our log-mel (float32)
and one JSON line with the timings (seconds) and versions.
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
    import librosa
    import scipy

    from neuroattn.hearing import Encoder, FeatureExtractor, log_mel

    x = np.load(in_path)["audio"]
    sr = float(opts["sr"])

    def peer() -> np.ndarray:
        s = librosa.feature.melspectrogram(y=x, sr=sr, n_fft=512, hop_length=160,
                                           win_length=400, n_mels=64, power=2.0)  # fmt: skip
        return librosa.power_to_db(s, ref=1.0, amin=1e-10, top_db=None)

    enc = Encoder()
    extract = FeatureExtractor()

    def stages() -> Any:
        return extract(enc(x, sr), x)

    contenders = {
        f"librosa {librosa.__version__} melspectrogram + power_to_db": peer,
        "ours: log_mel": lambda: log_mel(x, sr).data,
        "ours: cochleagram (gammatone, fft)": lambda: enc(x, sr),
        "ours: cochleagram + features + saliency": stages,
    }
    times: dict[str, list[float]] = {k: [] for k in contenders}
    results: dict[str, Any] = {}
    for rep in range(opts["reps"] + 1):  # rep 0 is a warm-up (numba compiles librosa's parts)
        for name, fn in contenders.items():
            start = time.perf_counter()
            results[name] = fn()
            if rep:
                times[name].append(time.perf_counter() - start)
    names = list(contenders)
    np.savez(out_path, librosa=results[names[0]].astype(np.float32),
             ours=results[names[1]].astype(np.float32))  # fmt: skip
    versions = {"librosa": librosa.__version__, "numpy": np.__version__,
                "scipy": scipy.__version__}  # fmt: skip
    print(json.dumps({"times": times, "versions": versions}))


if __name__ == "__main__":
    main()
