"""A user's own recordings: a folder of WAV files and ``transcripts.tsv``.

Each line of ``transcripts.tsv`` is ``<file name><TAB><transcript>`` (a first line
``file<TAB>text`` is taken as a header); blank lines and lines starting with ``#`` are
skipped. Transcripts are lower-cased and their whitespace collapsed; every WAV is read as
16 kHz mono (:func:`._audio.read_wav`: resampled when needed, a note saying so).
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from ._audio import read_wav

__all__ = ["TRANSCRIPTS", "read_folder", "read_transcripts"]

TRANSCRIPTS = "transcripts.tsv"


def read_transcripts(path: str | os.PathLike[str]) -> list[tuple[str, str]]:
    """(file name, transcript) pairs of a transcripts TSV.

    Raises ValueError naming the file and line for a line without exactly two non-empty
    fields, a repeated file name, or a file with no pairs.
    """
    return [(name, words) for _, name, words in _rows(Path(path))]


def _rows(path: Path) -> list[tuple[int, str, str]]:
    """(line number, file name, transcript) of every transcript line."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise ValueError(f"{path}: not a UTF-8 text file") from None
    except OSError as exc:
        raise ValueError(f"{path}: cannot read ({exc.strerror or exc})") from None
    rows: list[tuple[int, str, str]] = []
    seen: set[str] = set()
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        fields = line.split("\t")
        if len(fields) != 2 or not fields[0].strip() or not fields[1].strip():
            raise ValueError(f"{path}, line {number}: expected <file>\\t<transcript>")
        name, words = fields[0].strip(), " ".join(fields[1].lower().split())
        if not rows and name.lower() == "file" and words == "text":
            continue  # header
        if name in seen:
            raise ValueError(f"{path}, line {number}: {name!r} is listed twice")
        seen.add(name)
        rows.append((number, name, words))
    if not rows:
        raise ValueError(f"{path}: no transcripts")
    return rows


def read_folder(
    folder: str | os.PathLike[str], *, notes: list[str] | None = None
) -> list[tuple[str, np.ndarray, int]]:
    """(transcript, 16 kHz audio, line number) of every WAV listed in the folder's
    ``transcripts.tsv``; ValueError naming the file for a missing or bad recording."""
    folder = Path(folder)
    if not folder.is_dir():
        raise ValueError(f"task must be digits, commands or a folder, got {str(folder)!r}")
    tsv = folder / TRANSCRIPTS
    if not tsv.is_file():
        raise ValueError(f"{folder}: no {TRANSCRIPTS} (lines of <file.wav>\\t<transcript>)")
    out = []
    for number, name, words in _rows(tsv):
        wav = folder / name
        if not wav.resolve().is_relative_to(folder.resolve()):
            raise ValueError(f"{tsv}, line {number}: {name!r} is outside the folder")
        out.append((words, read_wav(wav, notes=notes), number))
    return out
