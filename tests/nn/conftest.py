import pytest


@pytest.fixture
def gen():
    torch = pytest.importorskip("torch")
    return torch.Generator().manual_seed(1234)


@pytest.fixture(autouse=True)
def one_thread():
    """The nn tests use tiny tensors: one thread avoids thread-pool wake-ups (100x faster
    on a loaded machine) and keeps results independent of the machine's core count."""
    try:
        import torch
    except ImportError:
        yield
        return
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)
