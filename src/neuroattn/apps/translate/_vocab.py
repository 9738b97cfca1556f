"""Character vocabularies: text ↔ token ids, with padding, begin, end and unknown tokens."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

__all__ = ["BOS", "EOS", "PAD", "SPECIALS", "UNK", "Vocab"]

PAD, BOS, EOS, UNK = 0, 1, 2, 3
SPECIALS = ("<pad>", "<bos>", "<eos>", "<unk>")


class Vocab:
    """A character vocabulary: ids 0-3 are ``<pad>``, ``<bos>``, ``<eos>``, ``<unk>``,
    then the characters in sorted order.

    Build it from the training texts with :meth:`build`; :meth:`encode` refuses
    characters it has not seen (ValueError naming them) unless ``unknown="unk"``.

    Examples
    --------
    >>> v = Vocab.build(["abc", "cab"])
    >>> v.encode("cab")
    [6, 4, 5, 2]
    >>> v.decode(v.encode("cab"))
    'cab'
    >>> v.encode("cat")
    Traceback (most recent call last):
    ...
    ValueError: text has characters outside the vocabulary: 't' (in 'cat')
    """

    def __init__(self, chars: Sequence[str]) -> None:
        chars = list(chars)
        bad = [c for c in chars if not isinstance(c, str) or len(c) != 1]
        if bad:
            raise ValueError(f"chars must be single characters, got {bad[0]!r}")
        if len(set(chars)) != len(chars):
            raise ValueError("chars must not repeat a character")
        self.chars: tuple[str, ...] = tuple(chars)
        self._ids = {c: i + len(SPECIALS) for i, c in enumerate(self.chars)}

    @classmethod
    def build(cls, texts: Iterable[str]) -> Vocab:
        """The vocabulary of every character in ``texts``."""
        seen: set[str] = set()
        for text in texts:
            if not isinstance(text, str):
                raise TypeError(f"texts must be strings, got {type(text).__name__}")
            seen.update(text)
        return cls(sorted(seen))

    def __len__(self) -> int:
        return len(SPECIALS) + len(self.chars)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Vocab) and other.chars == self.chars

    def __hash__(self) -> int:
        return hash(self.chars)

    def __repr__(self) -> str:
        return f"Vocab({len(self.chars)} characters)"

    def missing(self, text: str) -> list[str]:
        """The distinct characters of ``text`` outside the vocabulary, in order of appearance."""
        return list(dict.fromkeys(c for c in text if c not in self._ids))

    def encode(self, text: str, *, eos: bool = True, unknown: str = "error") -> list[int]:
        """Token ids of ``text``, ending with ``<eos>`` if ``eos``.

        Raises
        ------
        ValueError
            If ``text`` is empty or (``unknown="error"``) has characters outside the
            vocabulary; the message lists them. ``unknown="unk"`` maps them to ``<unk>``.
        TypeError
            If ``text`` is not a string.
        """
        if not isinstance(text, str):
            raise TypeError(f"text must be a string, got {type(text).__name__}")
        if unknown not in ("error", "unk"):
            raise ValueError(f"unknown must be one of 'error', 'unk'; got {unknown!r}")
        if not text.strip():
            raise ValueError("text must not be empty")
        if unknown == "error":
            missing = self.missing(text)
            if missing:
                shown = text if len(text) <= 60 else text[:57] + "..."
                raise ValueError(
                    "text has characters outside the vocabulary: "
                    f"{', '.join(repr(c) for c in missing)} (in {shown!r})"
                )
        ids = [self._ids.get(c, UNK) for c in text]
        return [*ids, EOS] if eos else ids

    def decode(self, ids: Iterable[int]) -> str:
        """The text of ``ids`` up to the first ``<eos>``; padding and ``<bos>`` are skipped,
        ``<unk>`` reads as U+FFFD."""
        out = []
        for i in ids:
            i = int(i)
            if i == EOS:
                break
            if i in (PAD, BOS):
                continue
            if i == UNK or not 0 <= i - len(SPECIALS) < len(self.chars):
                out.append("\ufffd")
            else:
                out.append(self.chars[i - len(SPECIALS)])
        return "".join(out)

    def tokens(self, ids: Iterable[int]) -> list[str]:
        """Each id as its character or special token's name (for plot labels)."""
        names = []
        for i in ids:
            i = int(i)
            k = i - len(SPECIALS)
            names.append(
                SPECIALS[i] if i < len(SPECIALS) else self.chars[k] if k < len(self.chars) else "?"
            )
        return names

    def to_dict(self) -> dict[str, Any]:
        """A JSON- and checkpoint-safe description (:meth:`from_dict` reads it back)."""
        return {"chars": "".join(self.chars)}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Vocab:
        """The vocabulary saved by :meth:`to_dict`; ValueError for anything else."""
        chars = data.get("chars") if isinstance(data, Mapping) else None
        if not isinstance(chars, str):
            raise ValueError("a vocabulary must be a mapping with a 'chars' string")
        return cls(list(chars))
