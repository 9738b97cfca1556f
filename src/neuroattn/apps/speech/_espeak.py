"""eSpeak NG through ctypes: text → int16 samples at 22,050 Hz, offline.

The library and its voice data come inside the ``espeakng-loader`` wheel (extra
``speech``); this module reads their paths from the wheel's own functions
(``get_library_path``, ``get_data_path``), initialises the library once per process in
synchronous mode (``AUDIO_OUTPUT_SYNCHRONOUS``: ``espeak_Synth`` returns when the whole
text has gone through the synth callback) and collects the callback's samples. The C
declarations follow ``speak_lib.h`` of eSpeak NG 1.5x. The library is not thread-safe, so
every call holds one lock.

A voice is named ``"<language>+<variant>"`` (``"en-us+f3"``): one of the wheel's English
language files and one of its variant files (``voices/!v``).
"""

from __future__ import annotations

import ctypes
import threading
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from ...dynamics.checks import check_integer

__all__ = ["SYNTH_RATE", "english_voices", "synthesize", "variants"]

SYNTH_RATE = 22050  # eSpeak NG's output rate (Hz)
_AUDIO_OUTPUT_SYNCHRONOUS = 2
_POS_CHARACTER = 1
_CHARS_UTF8 = 1
_RATE, _PITCH = 1, 3  # espeak_PARAMETER: espeakRATE, espeakPITCH
_CALLBACK = ctypes.CFUNCTYPE(
    ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.c_void_p
)
_LOCK = threading.RLock()  # the library is not thread-safe


class _Engine:
    """The initialised library (one per process) and the samples of the current call."""

    def __init__(self) -> None:
        try:
            import espeakng_loader
        except ModuleNotFoundError as exc:
            raise ModuleNotFoundError(
                "speech synthesis needs espeakng-loader: pip install 'neuroattn[speech]'",
                name=exc.name,
            ) from None
        self.data = Path(espeakng_loader.get_data_path())
        self.lib = ctypes.CDLL(espeakng_loader.get_library_path())
        lib = self.lib
        lib.espeak_Initialize.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_char_p, ctypes.c_int]
        lib.espeak_Initialize.restype = ctypes.c_int
        lib.espeak_SetSynthCallback.argtypes = [_CALLBACK]
        lib.espeak_SetVoiceByName.argtypes = [ctypes.c_char_p]
        lib.espeak_SetVoiceByName.restype = ctypes.c_int
        lib.espeak_SetParameter.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_int]
        lib.espeak_SetParameter.restype = ctypes.c_int
        lib.espeak_Synth.argtypes = [
            ctypes.c_char_p,
            ctypes.c_size_t,
            ctypes.c_uint,
            ctypes.c_int,
            ctypes.c_uint,
            ctypes.c_uint,
            ctypes.c_void_p,
            ctypes.c_void_p,
        ]
        lib.espeak_Synth.restype = ctypes.c_int
        rate = lib.espeak_Initialize(_AUDIO_OUTPUT_SYNCHRONOUS, 0, str(self.data).encode(), 0)
        if rate != SYNTH_RATE:
            raise OSError(f"eSpeak NG did not initialise (returned {rate})")
        self.chunks: list[np.ndarray] = []
        self._callback = _CALLBACK(self._collect)  # kept alive as long as the engine
        lib.espeak_SetSynthCallback(self._callback)

    def _collect(self, wav: Any, count: int, events: Any) -> int:
        if count > 0 and wav:
            self.chunks.append(np.ctypeslib.as_array(wav, shape=(count,)).copy())
        return 0  # go on

    def speak(self, text: str, voice: str, rate: int, pitch: int) -> np.ndarray:
        lib = self.lib
        if lib.espeak_SetVoiceByName(voice.encode()) != 0:
            raise ValueError(f"voice must be one of the wheel's voices, got {voice!r}")
        lib.espeak_SetParameter(_RATE, rate, 0)
        lib.espeak_SetParameter(_PITCH, pitch, 0)
        data = text.encode("utf-8") + b"\0"
        self.chunks = []
        err = lib.espeak_Synth(data, len(data), 0, _POS_CHARACTER, 0, _CHARS_UTF8, None, None)
        if err != 0:
            raise OSError(f"eSpeak NG could not synthesise {text!r} (error {err})")
        out = np.concatenate(self.chunks) if self.chunks else np.zeros(0, np.int16)
        self.chunks = []
        return out.astype(np.int16, copy=False)


_ENGINE: _Engine | None = None
_FAILED: BaseException | None = None


def _engine() -> _Engine:
    """The one engine of this process: ``espeak_Initialize`` runs once (under the lock);
    if it failed, the same error is raised again without a second initialisation."""
    global _ENGINE, _FAILED
    with _LOCK:
        if _ENGINE is None:
            if _FAILED is not None:
                raise _FAILED
            try:
                _ENGINE = _Engine()
            except (OSError, ModuleNotFoundError) as exc:
                _FAILED = exc
                raise
        return _ENGINE


def synthesize(
    text: str, *, voice: str = "en-us+m3", rate: int = 175, pitch: int = 50
) -> np.ndarray:
    """Speak ``text`` with eSpeak NG: int16 samples (N,) at :data:`SYNTH_RATE` Hz.

    Parameters
    ----------
    text : str
        What to say (UTF-8; not empty).
    voice : str
        ``"<language>+<variant>"`` from :func:`english_voices` (any voice name the
        library accepts works).
    rate : int
        Speaking rate in words per minute (eSpeak's ``espeakRATE``, 80-450; default 175).
    pitch : int
        Base pitch, 0-100 (eSpeak's ``espeakPITCH``; default 50).

    Raises
    ------
    ValueError
        For an empty text, an unknown voice or a value out of range.
    ModuleNotFoundError
        Without the ``speech`` extra (espeakng-loader).
    """
    if not isinstance(text, str) or not text.strip():
        raise ValueError(f"text must be a non-empty string, got {text!r}")
    if not isinstance(voice, str) or not voice or "\0" in voice:
        raise ValueError(f"voice must be a voice name, got {voice!r}")
    rate = check_integer(rate, "rate", ge=80, le=450)
    pitch = check_integer(pitch, "pitch", ge=0, le=100)
    with _LOCK:
        return _engine().speak(text, voice, rate, pitch)


def _data_dir() -> Path:
    return _engine().data


@lru_cache(maxsize=1)
def english_voices() -> tuple[str, ...]:
    """The English language files of the wheel (``"en-us"``, ``"en-gb-scotland"``, …)."""
    folder = _data_dir() / "lang" / "gmw"
    names = sorted(p.name.lower() for p in folder.iterdir() if p.name.lower().startswith("en"))
    return tuple(n for n in names if n != "en-shaw")  # Shavian script: not read aloud here


@lru_cache(maxsize=1)
def variants() -> tuple[str, ...]:
    """The voice variants of the wheel (``"m1"``, ``"f3"``, ``"klatt"``, …)."""
    return tuple(sorted(p.name for p in (_data_dir() / "voices" / "!v").iterdir()))
