import numpy as np
import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("matplotlib")

from matplotlib.figure import Figure  # noqa: E402

from neuroattn.nn import SpatialAttention, plot_attention, plot_spatial_map  # noqa: E402


def test_plot_attention_matrix_with_labels():
    w = torch.softmax(torch.randn(1, 1, 3, 4), -1)
    fig = plot_attention(w, query_labels=["a", "b", "c"], key_labels=list("wxyz"), title="t")
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    np.testing.assert_allclose(ax.images[0].get_array(), w[0, 0].numpy())
    assert [t.get_text() for t in ax.get_xticklabels()] == list("wxyz")


def test_plot_attention_heads_and_batch():
    w = torch.rand(2, 5, 3, 3)
    fig = plot_attention(w, batch=1)
    images = [ax.images[0].get_array() for ax in fig.axes if ax.images]
    assert len(images) == 5
    np.testing.assert_allclose(images[4], w[1, 4].numpy())
    with pytest.raises(ValueError, match="query_labels"):
        plot_attention(w[0, 0], query_labels=["a"])
    with pytest.raises(ValueError, match=r"\(L, S\)"):
        plot_attention(torch.rand(2, 2, 2, 2, 2))


def test_plot_spatial_map_over_image():
    image = torch.rand(3, 16, 12)
    amap = SpatialAttention(3).attention_map(image[None])
    fig = plot_spatial_map(image, amap.detach(), title="where")
    ax = fig.axes[0]
    shown, overlay = ax.images
    assert shown.get_array().shape == (16, 12, 3)
    np.testing.assert_allclose(overlay.get_array(), amap[0, 0].detach().numpy())
    assert overlay.get_extent() == [-0.5, 11.5, 15.5, -0.5]
    gray = plot_spatial_map(np.random.default_rng(0).random((8, 8)), np.ones((4, 4)))
    assert gray.axes[0].images[0].get_array().shape == (8, 8)
    with pytest.raises(ValueError, match="attention_map"):
        plot_spatial_map(image, torch.rand(2, 4, 4))
    with pytest.raises(ValueError, match="image"):
        plot_spatial_map(torch.rand(5, 8, 8), torch.rand(8, 8))


@pytest.mark.parametrize(
    "weights,kw,error,words",
    [
        (np.ones((2, 1, 3, 3)), {"batch": 2}, ValueError, r"batch must be < 2"),  # IndexError
        (np.ones((2, 1, 3, 3)), {"batch": -1}, ValueError, "batch must be"),
        (np.ones((2, 1, 3, 3)), {"batch": 1.0}, ValueError, "batch must be"),
        (np.ones((3, 3)) * 1j, {}, TypeError, "weights must be real"),
        (np.array([[0.5, np.nan]]), {}, ValueError, "NaN or inf"),
        ([[1, 2], [3]], {}, TypeError, "real tensor or array"),
        (np.ones((3, 3)), {"query_labels": 3}, TypeError, "sequence of strings"),
        (np.ones((3, 3)), {"ax": "left"}, TypeError, "matplotlib Axes"),
    ],
)
def test_plot_attention_bad_input_found_by_the_fuzz(weights, kw, error, words):
    with pytest.raises(error, match=words):
        plot_attention(weights, **kw)


def test_plot_attention_of_bfloat16_and_complex_tensors():
    w = torch.softmax(torch.randn(2, 3, 3), -1)
    assert plot_attention(w.bfloat16()).axes
    with pytest.raises(TypeError, match="must be real"):
        plot_attention(w.to(torch.complex64))


def test_plot_spatial_map_checks_alpha_and_values():
    with pytest.raises(ValueError, match="alpha must be a finite number"):
        plot_spatial_map(np.ones((4, 4)), np.ones((4, 4)), alpha="0.5")
    with pytest.raises(ValueError, match="attention_map contains NaN"):
        plot_spatial_map(np.ones((4, 4)), np.full((4, 4), np.nan))
