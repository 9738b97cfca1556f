"""Scores of translations against references: exact match, chrF and BLEU (sacrebleu).

All three are percentages (0-100) over the whole corpus. chrF is Popović (2015) with
sacrebleu's defaults (character 6-grams, β = 2); BLEU is Papineni et al. (2002) with
sacrebleu's defaults (13a tokenisation, corpus-level n-gram statistics, brevity penalty).
Exact match counts outputs equal to their reference character for character.

BLEU counts word n-grams up to 4: outputs of one word (German numbers such as
"dreihundertzweiundvierzig", ISO dates) have no 2-, 3- or 4-grams, so their BLEU is 0
even when every output is right. Read exact match and chrF for those tasks.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["Scores", "bleu", "chrf", "exact_match", "score"]


def _check(hypotheses: Sequence[str], references: Sequence[str]) -> tuple[list[str], list[str]]:
    hyps, refs = list(hypotheses), list(references)
    if len(hyps) != len(refs):
        raise ValueError(
            f"hypotheses and references must have the same length, got {len(hyps)} and {len(refs)}"
        )
    if not hyps:
        raise ValueError("hypotheses must not be empty")
    for name, texts in (("hypotheses", hyps), ("references", refs)):
        bad = next((t for t in texts if not isinstance(t, str)), None)
        if bad is not None:
            raise TypeError(f"{name} must be strings, got {type(bad).__name__}")
    return hyps, refs


def exact_match(hypotheses: Sequence[str], references: Sequence[str]) -> float:
    """Percentage of hypotheses identical to their reference.

    >>> exact_match(["2026-11-23", "2026-11-24"], ["2026-11-23", "2026-11-23"])
    50.0
    """
    hyps, refs = _check(hypotheses, references)
    return 100.0 * sum(h == r for h, r in zip(hyps, refs, strict=True)) / len(hyps)


def chrf(hypotheses: Sequence[str], references: Sequence[str]) -> float:
    """Corpus chrF (sacrebleu's ``CHRF()``), 0-100."""
    from sacrebleu.metrics import CHRF

    hyps, refs = _check(hypotheses, references)
    return float(CHRF().corpus_score(hyps, [refs]).score)


def bleu(hypotheses: Sequence[str], references: Sequence[str]) -> float:
    """Corpus BLEU (sacrebleu's ``BLEU()``), 0-100."""
    from sacrebleu.metrics import BLEU

    hyps, refs = _check(hypotheses, references)
    return float(BLEU().corpus_score(hyps, [refs]).score)


@dataclass(frozen=True)
class Scores:
    """Exact match, chrF and BLEU (percentages) of ``n`` translations."""

    exact_match: float
    chrf: float
    bleu: float
    n: int

    def as_dict(self) -> dict[str, float | int]:
        """The scores as a plain dict."""
        return {"exact_match": self.exact_match, "chrf": self.chrf, "bleu": self.bleu, "n": self.n}

    def __str__(self) -> str:
        return (
            f"exact {self.exact_match:.2f} %  chrF {self.chrf:.2f}  BLEU {self.bleu:.2f}  "
            f"(n={self.n})"
        )


def score(hypotheses: Sequence[str], references: Sequence[str]) -> Scores:
    """All three scores of ``hypotheses`` against ``references``."""
    hyps, refs = _check(hypotheses, references)
    return Scores(exact_match(hyps, refs), chrf(hyps, refs), bleu(hyps, refs), len(hyps))
