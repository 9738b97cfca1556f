"""Word and character error rates.

WER = (S + D + I) / N over a corpus: the substitutions, deletions and insertions of the
minimum edit (Levenshtein) alignment of each hypothesis with its reference, summed, over
the number N of reference words (the NIST scoring definition); CER the same over
characters. Both in percent; they can exceed 100 when a system inserts much.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass

__all__ = ["ErrorRates", "cer", "edit_distance", "error_rates", "wer"]


def edit_distance(ref: Sequence[Hashable], hyp: Sequence[Hashable]) -> int:
    """The Levenshtein distance (unit costs) between two sequences (dynamic programming)."""
    prev = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, 1):
        cur = [i]
        for j, h in enumerate(hyp, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (r != h)))
        prev = cur
    return prev[-1]


def _rate(refs: Sequence[Sequence[Hashable]], hyps: Sequence[Sequence[Hashable]]) -> float:
    if len(refs) != len(hyps):
        raise ValueError(f"hypotheses must match the references, got {len(hyps)} and {len(refs)}")
    total = sum(len(r) for r in refs)
    if total == 0:
        raise ValueError("references must not all be empty")
    return 100.0 * sum(edit_distance(r, h) for r, h in zip(refs, hyps, strict=True)) / total


def _strings(texts: Sequence[str], name: str) -> list[str]:
    if isinstance(texts, str) or not all(isinstance(t, str) for t in texts):
        raise TypeError(f"{name} must be a sequence of strings")
    return list(texts)


def wer(hyps: Sequence[str], refs: Sequence[str]) -> float:
    """Word error rate (%) of ``hyps`` against ``refs`` (words split on whitespace)."""
    h, r = _strings(hyps, "hyps"), _strings(refs, "refs")
    return _rate([x.split() for x in r], [x.split() for x in h])


def cer(hyps: Sequence[str], refs: Sequence[str]) -> float:
    """Character error rate (%) (runs of whitespace count as one space)."""
    h, r = _strings(hyps, "hyps"), _strings(refs, "refs")
    return _rate([" ".join(x.split()) for x in r], [" ".join(x.split()) for x in h])


@dataclass(frozen=True)
class ErrorRates:
    """WER and CER (%) and the share of utterances recognised exactly (%)."""

    wer: float
    cer: float
    exact: float

    def __str__(self) -> str:
        return f"WER {self.wer:.2f} %, CER {self.cer:.2f} %, exact {self.exact:.1f} %"


def error_rates(hyps: Sequence[str], refs: Sequence[str]) -> ErrorRates:
    """:func:`wer`, :func:`cer` and the exact-match share of ``hyps`` against ``refs``."""
    exact = [" ".join(h.split()) == " ".join(r.split()) for h, r in zip(hyps, refs, strict=False)]
    return ErrorRates(wer(hyps, refs), cer(hyps, refs), 100.0 * sum(exact) / max(len(refs), 1))
