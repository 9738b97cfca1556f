"""The streaming experiment: ABA– regimes over Δf × tempo against van Noorden (1975) and
Pressnitzer & Hupé (2006)."""

import numpy as np
import pytest

from neuroattn import experiments as ex
from neuroattn.experiments import streaming as S
from neuroattn.experiments._streaming_findings import boundaries

TINY = dict(delta_f=(1.0, 7.0, 12.0), trt_ms=(50.0, 100.0, 150.0), duration_s=20.0, trials=4)


@pytest.fixture(scope="module")
def result():
    return ex.run("streaming", **TINY)


def test_registered_and_quick_settings_are_valid():
    assert "streaming" in ex.available()
    S.StreamingConfig(**ex.get("streaming").quick)


def test_signature_on_a_tiny_config(result):
    rows = {f.measure.split(" (")[0]: f for f in result.findings}
    for key in (
        "one stream at 1 semitone, TRT 150 ms",
        "one stream at 12 semitones, TRT 50 ms",
        "grid points between the boundaries",
        "TCB rise from the fastest to the slowest TRT",
        "TRTs where the FB lies below the TCB",
        "gamma shape of the phase durations",
        "trials whose first percept is one stream",
    ):
        assert rows[key].agrees, result.table()
    one = result.one_stream
    assert one[0, 2] >= 0.9 and one[2, 0] <= 0.1
    assert 0.1 < one[1, 1] < 0.9  # 7 semitones at 100 ms: between the boundaries
    assert one.shape == (3, 3) and result.tcb.shape == (3,)


def test_fb_and_phase_duration_rows_report_the_model(result):
    rows = {f.measure.split(" (")[0]: f for f in result.findings}
    fb = rows["FB at TRT 150 ms"]
    np.testing.assert_equal(fb.model, result.fb[-1])
    assert fb.agrees == bool(abs(result.fb[-1] - 3.5) <= 3.0)  # van Noorden's flat ~3.5
    phase = rows["mean phase duration"]
    assert phase.model == pytest.approx(result.trials.phase_durations().mean())
    assert phase.agrees == (phase.model >= 1.5)


def test_the_experiment_runs_at_the_shared_time_scale(monkeypatch):
    seen = {}

    def spy(*args, **kwargs):
        seen["tau_ms"] = kwargs["model"].tau_ms
        raise RuntimeError("stop")

    monkeypatch.setattr(S, "simulate_streaming", spy)
    with pytest.raises(RuntimeError):
        S.run(S.StreamingConfig(**TINY))
    assert seen["tau_ms"] == ex.TAU_MS == 7.0


def test_boundaries_interpolate_a_made_up_map():
    df = np.array([1.0, 3.0, 5.0, 7.0])
    one = np.array([[1.0, 1.0], [0.9, 1.0], [0.5, 0.95], [0.0, 0.6]])  # (delta_f, TRT)
    tcb, fb = boundaries(df, one)
    # TRT 0: P falls to 0.1 between 5 (0.5) and 7 (0.0): 5 + 2 * 0.4 / 0.5 = 6.6
    # FB: P first below 0.9 at 5 (0.5), from 3 (0.9): exactly 3
    assert tcb[0] == pytest.approx(6.6) and fb[0] == pytest.approx(3.0)
    # TRT 1: never down to 0.1 (beyond the grid); below 0.9 between 5 (0.95) and 7 (0.6)
    assert np.isnan(tcb[1]) and fb[1] == pytest.approx(5 + 2 * 0.05 / 0.35)


def test_to_xarray_and_plot(result):
    ds = result.to_xarray()
    assert ds["one_stream"].dims == ("delta_f", "trt_ms")
    assert np.isfinite(ds["phase_durations"].values).all()
    fig = result.plot()
    assert len(fig.axes) >= 3


@pytest.mark.parametrize(
    ("fields", "words"),
    [
        ({"delta_f": (1.0, 7.0)}, "include 1 and 12"),
        ({"trt_ms": (100.0, 50.0)}, "strictly increasing"),
        ({"trt_ms": (10.0, 50.0)}, "trt_ms must be"),
        ({"delta_f": "1, 12"}, "sequence of numbers"),
        ({"trials": 1}, "trials must be"),
        ({"duration_s": 0.5}, "two ABA"),
        ({"buildup_s": 30.0, "duration_s": 20.0}, "buildup_s must be"),
        ({"seed": -1}, "seed must be"),
        ({"bistable_delta_f": float("nan")}, "bistable_delta_f must be"),
    ],
)
def test_bad_configs_are_one_clear_error(fields, words):
    with pytest.raises((ValueError, TypeError), match=words):
        S.StreamingConfig(**(TINY | fields))
