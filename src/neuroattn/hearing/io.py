"""WAV files in and out, with scipy.io.wavfile only (no audio library needing system packages).

Read: 8-bit unsigned, 16-, 24- and 32-bit signed PCM and 32/64-bit float WAV, scaled to
[−1, 1) (PCM: divided by 2^(bits − 1) after centring 8-bit data on 128), multichannel files
averaged to one channel unless ``mono=False``. Anything else (µ-law, 64-bit integers, a file
that is not RIFF/WAVE, no samples, NaN or inf samples) is a ValueError naming the file.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import scipy.io.wavfile

from ..dynamics.checks import check_choice
from .encode import check_signal

__all__ = ["read_wav", "write_wav"]

FORMATS = ("pcm16", "float32")


def read_wav(path: str | Path, *, mono: bool = True) -> tuple[np.ndarray, float]:
    """Read a WAV file.

    Parameters
    ----------
    path : str or Path
        The file.
    mono : bool
        Average the channels (default); else return (channels, N).

    Returns
    -------
    signal : ndarray, shape (N,) or (channels, N)
        Samples as float64 in [−1, 1) for PCM (floats as stored).
    sr : float
        Sample rate in Hz.

    Raises
    ------
    ValueError
        Unreadable or empty files, unsupported sample formats, non-finite samples.
    """
    where = str(path)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", scipy.io.wavfile.WavFileWarning)
            sr, data = scipy.io.wavfile.read(where, mmap=False)
    except FileNotFoundError:
        raise ValueError(f"{where}: no such file") from None
    except IsADirectoryError:
        raise ValueError(f"{where}: is a folder, not a WAV file") from None
    except Exception as exc:  # a corrupt header raises anything (struct.error, …)
        text = " ".join(str(exc).split()) or type(exc).__name__
        raise ValueError(f"{where}: not a readable WAV file ({text})") from None
    x = _to_float(np.asarray(data), where)
    if x.shape[0] == 0:
        raise ValueError(f"{where}: the WAV file has no samples")
    x = x.T if x.ndim == 2 else x  # (channels, N)
    if mono and x.ndim == 2:
        x = x.mean(axis=0)
    if not np.isfinite(x).all():
        raise ValueError(f"{where}: the WAV file contains NaN or inf samples")
    if sr <= 0:
        raise ValueError(f"{where}: sample rate must be > 0, got {sr}")
    return x, float(sr)


def _to_float(data: np.ndarray, where: str) -> np.ndarray:
    """PCM or float samples as float64 in the convention of :func:`read_wav`."""
    if data.dtype == np.uint8:
        return (data.astype(np.float64) - 128.0) / 128.0
    if data.dtype in (np.int16, np.int32):
        # 24-bit PCM comes from scipy left-justified in int32, so 2^31 scales it too
        return data.astype(np.float64) / float(2 ** (8 * data.dtype.itemsize - 1))
    if data.dtype in (np.float32, np.float64):
        return data.astype(np.float64)
    raise ValueError(f"{where}: unsupported WAV sample format {data.dtype}")


def write_wav(
    path: str | Path, signal: np.ndarray, sr: float, *, sample_format: str = "pcm16"
) -> Path:
    """Write ``signal`` (N,) or (channels, N) as a WAV file.

    ``sample_format`` ``"pcm16"`` clips to [−1, 1] and rounds to 16 bits; ``"float32"``
    stores the samples as they are. The sample rate is rounded to an integer (WAV stores
    integers).
    """
    check_choice(sample_format, "sample_format", FORMATS)
    x, rate = check_signal(signal, sr)
    if x.ndim > 2:
        raise ValueError(f"signal must be (N,) or (channels, N), got shape {x.shape}")
    data = x.T if x.ndim == 2 else x
    if sample_format == "pcm16":
        out = np.round(np.clip(data, -1.0, 32767 / 32768) * 32768).astype(np.int16)
    else:
        out = data.astype(np.float32)
    scipy.io.wavfile.write(str(path), round(rate), out)
    return Path(path)
