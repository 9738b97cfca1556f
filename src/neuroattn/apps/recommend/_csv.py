"""A user's own behaviour log: a CSV of (user, item, category, timestamp, label) rows.

Every row is one impression and becomes one example: its item is the candidate, its label
(1 clicked, 0 not) the target, and its history is what that user clicked (label 1) strictly
before its timestamp, oldest first, the latest ``max_history`` kept (the setting of Zhou et
al. 2018's Amazon data: a user's earlier behaviours). Users, items and categories may be
any text; they get ids in order of first appearance (items and categories from 1, 0 pads).
The users are split into train, dev and test as generated data are
(:func:`~neuroattn.apps.recommend.split_users`).

The header must name the five columns (any order, other columns ignored); a missing column
is named in the error, a bad row by its line number.
"""

from __future__ import annotations

import csv
import os
from collections import defaultdict
from pathlib import Path

import numpy as np

from ...dynamics.checks import check_integer
from ._data import Examples, Splits, split_users

__all__ = ["COLUMNS", "read_csv"]

COLUMNS = ("user", "item", "category", "timestamp", "label")
MAX_ROWS = 10_000_000


def _parse_rows(path: Path) -> list[tuple[str, str, str, float, float]]:
    try:
        handle = path.open(newline="", encoding="utf-8-sig")
    except OSError as exc:
        raise ValueError(f"{path}: cannot read the file ({exc.strerror or exc})") from None
    rows: list[tuple[str, str, str, float, float]] = []
    with handle:
        try:
            reader = csv.reader(handle)
            header = next(reader, None)
            if header is None:
                raise ValueError(f"{path}: empty file; expected a header {','.join(COLUMNS)}")
            names = [h.strip().lower() for h in header]
            missing = [c for c in COLUMNS if c not in names]
            if missing:
                raise ValueError(
                    f"{path}: missing column(s) {', '.join(missing)} "
                    f"(the header must name {', '.join(COLUMNS)})"
                )
            where = [names.index(c) for c in COLUMNS]
            for row in reader:
                if not any(cell.strip() for cell in row):
                    continue  # a blank line
                rows.append(_parse_row(path, reader.line_num, row, where))
                if len(rows) > MAX_ROWS:
                    raise ValueError(f"{path}: more than {MAX_ROWS} rows")
        except UnicodeDecodeError:
            raise ValueError(f"{path}: not a UTF-8 text file") from None
        except csv.Error as exc:
            raise ValueError(f"{path}: not a valid CSV ({exc})") from None
    return rows


def _parse_row(
    path: Path, line: int, row: list[str], where: list[int]
) -> tuple[str, str, str, float, float]:
    if len(row) <= max(where):
        raise ValueError(f"{path}, line {line}: expected {max(where) + 1} fields, got {len(row)}")
    user, item, category, stamp, label = (row[i].strip() for i in where)
    for name, value in (("user", user), ("item", item), ("category", category)):
        if not value:
            raise ValueError(f"{path}, line {line}: {name} must not be empty")
    try:
        t = float(stamp)
    except ValueError:
        raise ValueError(
            f"{path}, line {line}: timestamp must be a number, got {stamp!r}"
        ) from None
    if not np.isfinite(t):
        raise ValueError(f"{path}, line {line}: timestamp must be finite, got {stamp!r}")
    if label not in ("0", "1", "0.0", "1.0"):
        raise ValueError(f"{path}, line {line}: label must be 0 or 1, got {label!r}")
    return user, item, category, t, float(label)


def _ids(values: list[str]) -> tuple[np.ndarray, tuple[str, ...]]:
    """Ids from 1 in order of first appearance, and the names by id (0: "<pad>")."""
    index: dict[str, int] = {}
    ids = np.array([index.setdefault(v, len(index) + 1) for v in values], dtype=np.int64)
    return ids, ("<pad>", *index)


def _histories(
    user: np.ndarray,
    items: np.ndarray,
    cats: np.ndarray,
    stamps: np.ndarray,
    labels: np.ndarray,
    max_history: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For each row, the items and categories (N, L) the user clicked strictly before its
    timestamp (the latest ``max_history``, oldest first) and their number (N,)."""
    n = len(labels)
    hist = np.zeros((n, max_history), dtype=np.int64)  # (N, L)
    hist_cat = np.zeros_like(hist)  # (N, L)
    length = np.zeros(n, dtype=np.int64)  # (N,)
    by_user: defaultdict[int, list[int]] = defaultdict(list)
    for r in np.lexsort((np.arange(n), stamps)):  # rows by time (file order in ties)
        by_user[int(user[r])].append(int(r))
    for rs in by_user.values():
        clicks: list[int] = []  # this user's clicked rows so far, by time
        i = 0
        for r in rs:
            while i < len(rs) and stamps[rs[i]] < stamps[r]:
                if labels[rs[i]] == 1:
                    clicks.append(rs[i])
                i += 1
            mine = clicks[-max_history:]
            length[r] = len(mine)
            hist[r, : len(mine)], hist_cat[r, : len(mine)] = items[mine], cats[mine]
    return hist, hist_cat, length


def read_csv(
    path: str | os.PathLike[str],
    *,
    max_history: int = 40,
    dev_fraction: float = 0.1,
    test_fraction: float = 0.2,
    seed: int = 0,
) -> Splits:
    """Examples from a behaviour log (see the module's docstring), split by user.

    Parameters
    ----------
    path : path
        A UTF-8 CSV with a header naming user, item, category, timestamp and label.
    max_history : int
        The latest clicks kept as each example's history.
    dev_fraction, test_fraction : float
        Shares of the users held out.
    seed : int
        Seeds the split.

    Raises
    ------
    ValueError
        For a file that cannot be read, a missing column (named), a bad row (by its line),
        or too few users for three splits.
    """
    path = Path(path)
    max_history = check_integer(max_history, "max_history", ge=1, le=1000)
    rows = _parse_rows(path)
    if not rows:
        raise ValueError(f"{path}: no rows after the header")
    users, user_names = _ids([r[0] for r in rows])
    items, item_names = _ids([r[1] for r in rows])
    cats, category_names = _ids([r[2] for r in rows])
    stamps = np.array([r[3] for r in rows])  # (N,)
    labels = np.array([r[4] for r in rows], dtype=np.float32)  # (N,)
    user_index = users - 1  # (N,), users from 0
    parts = split_users(
        len(user_names) - 1, dev_fraction=dev_fraction, test_fraction=test_fraction, seed=seed
    )
    hist, hist_cat, length = _histories(user_index, items, cats, stamps, labels, max_history)
    everything = Examples(user_index, hist, hist_cat, length, items, cats, labels)

    def part(us: np.ndarray) -> Examples:
        return everything.take(np.flatnonzero(np.isin(user_index, us)))

    train, dev, test = (part(p) for p in parts)
    return Splits(
        train,
        dev,
        test,
        n_items=len(item_names),
        n_categories=len(category_names),
        item_names=item_names,
        category_names=category_names,
        user_names=user_names[1:],
    )
