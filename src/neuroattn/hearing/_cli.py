"""``neuroattn listen``: the command-line side of the hearing stages.

The inputs are WAV files, or with none three generated sounds (an oddball sequence, an ABA–
sequence and two voices mixed). Every input is read and the ``--attend`` text parsed before
anything is computed, so bad input ends with one line and nothing written; the output folder
is staged and moved into place when complete. For every sound ``out/<name>/`` gets
``cochleagram.png``, ``saliency.png`` and ``scan.json`` (the captures of attention in order,
with latencies), and with ``--attend`` ``attended.wav``, ``attended_cochleagram.png`` and
``attention.json`` (the scan of the attended encoding, and the target-to-masker ratios when
the sound's components are known).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from .._atomic import staged_dir
from ._config import ListenConfig, load_config
from .compete import Scan
from .feedback import AttendedSound, Task, parse_task
from .io import read_wav, write_wav
from .stimuli import Sound, aba_sequence, oddball_sequence, two_voices

__all__ = ["builtin_sounds", "run_listen"]


def builtin_sounds() -> dict[str, Sound]:
    """The generated sounds used when no file is given (seeded)."""
    return {
        "oddball": oddball_sequence(1000.0, 1500.0, n_tones=10, deviant_index=6, seed=0),
        "aba": aba_sequence(500.0, 7.0, n_triplets=6),
        "voices": two_voices(220.0, 311.0, duration=2.0, seed=0),
    }


def _inputs(paths: Sequence[Path]) -> dict[str, Sound]:
    if not paths:
        return builtin_sounds()
    out: dict[str, Sound] = {}
    for p in paths:
        x, sr = read_wav(p)
        name, k = p.stem or "sound", 2
        while name in out:
            name, k = f"{p.stem}-{k}", k + 1
        out[name] = Sound(x, sr)
    return out


def _scan_record(scan: Scan, saliency: np.ndarray) -> dict[str, Any]:
    return {
        "captures": [
            {"order": k, "onset_s": round(c.onset, 4), "latency_ms": round(1000 * c.latency, 1),
             "frequency_hz": round(c.frequency, 1), "band": c.band,
             "saliency": round(c.saliency, 4), "duration_ms": round(1000 * c.duration, 1)}
            for k, c in enumerate(scan.captures, 1)
        ],
        "frame_rate_hz": float(1.0 / np.diff(scan.times[:2])[0]) if scan.times.size > 1 else None,
        "saliency": [round(float(v), 5) for v in saliency],
    }  # fmt: skip


def _attention_record(att: AttendedSound, sound: Sound) -> dict[str, Any]:
    rec: dict[str, Any] = {"task": {"kind": att.task.kind, "frequency_hz": att.task.frequency}}
    if att.pitch is not None:
        rec["attended_pitch_median_hz"] = round(float(np.nanmedian(att.pitch)), 2)
    if {"target", "masker"} <= sound.components.keys():
        t, m = sound.components["target"], sound.components["masker"]
        before, after = att.tmr(t, m, attended=False), att.tmr(t, m)
        rec["tmr_db"] = {"input": round(before, 3), "attended": round(after, 3),
                         "gain": round(after - before, 3)}  # fmt: skip
        rec["tmr_definition"] = (
            "10 log10(sum y_T^2 / sum y_M^2), y_T and y_M the target and masker each "
            "resynthesised under the gains computed from the mixture"
        )
    return rec


def _one(
    name: str, sound: Sound, task: Task | None, folder: Path, config: ListenConfig
) -> dict[str, Any]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from ._plot import cochleagram_figure, saliency_figure

    enc, extract, scanner = config.encode, config.features, config.scan
    coch = enc(sound.signal, sound.sr)
    feats = extract(coch, sound.signal)
    (scan,) = scanner(feats.saliency_map, coch.cf, coch.frame_rate)
    folder.mkdir(parents=True, exist_ok=True)
    figs = {
        "cochleagram.png": cochleagram_figure(coch),
        "saliency.png": saliency_figure(coch, feats.saliency_map, feats.saliency, scan),
    }
    (folder / "scan.json").write_text(json.dumps(_scan_record(scan, feats.saliency), indent=1))
    info: dict[str, Any] = {"name": name, "duration_s": round(sound.duration, 3),
                            "captures": len(scan.captures)}  # fmt: skip
    if task is not None:
        att = config.attention(task, coch, sound.signal, enc)
        peak = max(float(np.abs(att.signal).max()), 1e-12)
        write_wav(folder / "attended.wav", att.signal / max(peak, 1.0), sound.sr)
        figs["attended_cochleagram.png"] = cochleagram_figure(
            att.cochleagram, f"attended: {task.kind} {task.frequency or ''}".strip()
        )
        rec = _attention_record(att, sound)
        # the attended encoding re-enters stages 2 and 3: what captures attention now
        again = extract(att.cochleagram, att.signal)
        (scan_a,) = scanner(again.saliency_map, coch.cf, coch.frame_rate)
        rec["captures_attended"] = _scan_record(scan_a, again.saliency)["captures"]
        (folder / "attention.json").write_text(json.dumps(rec, indent=1))
        info["tmr_db"] = rec.get("tmr_db")
    for fname, fig in figs.items():
        fig.savefig(folder / fname, dpi=100)
        plt.close(fig)
    info["files"] = sorted(p.name for p in folder.iterdir())
    return info


def run_listen(
    paths: Sequence[Path],
    out: Path,
    *,
    attend: str | None = None,
    config: ListenConfig | str | Path | None = None,
) -> dict[str, Any]:
    """Read the config, every input and the task, then encode, scan and attend each sound
    into ``out``. ``config`` is a :class:`ListenConfig` or a TOML file
    (:mod:`._config`); ``attend`` overrides its ``attend``.

    Raises
    ------
    ValueError
        An unreadable, empty or non-finite WAV file, an unsupported sample format, an
        ``attend`` text naming no feature, or a bad config file — before anything is written.
    TypeError
        A config value of the wrong type.
    """
    if config is None:
        config = ListenConfig()
    elif not isinstance(config, ListenConfig):
        config = load_config(config)
    attend = config.attend if attend is None else attend
    task = None if attend is None else parse_task(attend)
    sounds = _inputs(paths)
    with staged_dir(out) as tmp:
        infos = [_one(name, s, task, tmp / name, config) for name, s in sounds.items()]
        (tmp / "summary.json").write_text(json.dumps({"sounds": infos}, indent=1))
    return {"sounds": infos, "builtin": not paths}
