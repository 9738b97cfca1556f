import pytest


@pytest.fixture
def gen():
    torch = pytest.importorskip("torch")
    return torch.Generator().manual_seed(1234)
