"""One torch thread per test: on a shared 2-core machine, torch's spinning worker threads
make small models many times slower when the cores are oversubscribed."""

from __future__ import annotations

from collections.abc import Iterator

import pytest


@pytest.fixture(autouse=True)
def _one_torch_thread() -> Iterator[None]:
    try:
        import torch
    except ImportError:  # pragma: no cover - the tests skip without torch
        yield
        return
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(before)
