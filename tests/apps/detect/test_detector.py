"""The detectors with an oracle classifier, glimpses against a plain crop, NMS, windows."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("sklearn")

from neuroattn.apps.classify import source_digits, source_split  # noqa: E402
from neuroattn.apps.detect import (  # noqa: E402
    NOTHING,
    box_iou,
    crop_glimpses,
    detection_scores,
    look,
    nms,
    proto_object_box,
    slide,
    window_boxes,
)


class Oracle:
    """Knows the truth: a box overlapping a digit by IoU >= 0.5 is that digit (p 0.9)."""

    def __init__(self, boxes: np.ndarray, labels: np.ndarray) -> None:
        self.boxes, self.labels, self.calls = boxes, labels, 0

    def probabilities(self, image: np.ndarray, boxes: np.ndarray) -> np.ndarray:
        self.calls += len(boxes)
        out = np.zeros((len(boxes), NOTHING + 1))
        out[:, NOTHING] = 1.0
        if len(boxes):
            iou = box_iou(boxes, self.boxes)  # (K, M)
            hit = iou.max(axis=1) >= 0.5
            which = self.labels[iou.argmax(axis=1)]
            out[hit] = 0.0
            out[hit, which[hit]] = 0.5 + 0.5 * iou.max(axis=1)[hit]
            out[hit, NOTHING] = 1.0 - out[hit, which[hit]]
        return out


def hand_made_canvas() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Three test digits (16, 24 and 32 pixels) and two fragments on a 96x96 canvas."""
    pool = source_split("test")
    labels1 = source_digits(1)[1]
    picks = [pool[labels1[pool] == d][0] for d in (3, 0, 7)]
    canvas = np.zeros((96, 96), np.float32)
    boxes = np.array([[8, 10, 24, 26], [50, 14, 74, 38], [30, 56, 62, 88]])
    for (t, lf, b, _), src in zip(boxes, picks, strict=True):
        canvas[t:b, lf : lf + b - t] = source_digits((b - t) // 8)[0][src]
    piece = source_digits(3)[0][pool[5]][8:16, 8:16]
    canvas[80:88, 70:78] = np.maximum(canvas[80:88, 70:78], piece)
    canvas[4:12, 60:68] = np.maximum(canvas[4:12, 60:68], piece)
    return canvas, boxes, labels1[picks]


def test_looking_finds_every_digit_with_few_calls() -> None:
    canvas, boxes, labels = hand_made_canvas()
    oracle = Oracle(boxes, labels)
    found = look(canvas, oracle, fixations=8)
    assert oracle.calls == found.calls <= 8 * 6  # proto-object, 3 sizes, 2 zooms per fixation
    assert sorted(found.labels.tolist()) == sorted(labels.tolist())
    assert detection_scores([found.as_tuple()], [boxes], [labels]).map == 1.0
    assert (found.order >= 1).all() and len(found.fixations) <= 8
    dense = Oracle(boxes, labels)
    swept = slide(canvas, dense)
    assert swept.calls == dense.calls == 691 and (swept.order == 0).all()
    assert detection_scores([swept.as_tuple()], [boxes], [labels]).map == 1.0
    assert found.calls * 3 <= swept.calls


def test_the_proto_object_alone_is_one_call_per_fixation() -> None:
    canvas, boxes, labels = hand_made_canvas()
    oracle = Oracle(boxes, labels)
    found = look(canvas, oracle, fixations=8, sizes=(), zoom=0)
    assert oracle.calls == found.calls <= len(found.fixations) <= 8
    assert detection_scores([found.as_tuple()], [boxes], [labels]).map == 1.0


def test_the_second_look_keeps_the_better_scale() -> None:
    canvas = np.zeros((64, 64), np.float32)
    canvas[20:32, 30:42] = 1.0  # a 12-pixel blob in a 16-pixel digit box
    truth = np.array([[18, 28, 34, 44]])
    oracle = Oracle(truth, np.array([4]))  # scores grow with the IoU
    once = look(canvas, oracle, fixations=1, sizes=(), zoom=0)
    twice = look(canvas, Oracle(truth, np.array([4])), fixations=1, sizes=(), zoom=0.15)
    assert once.calls == 1 and twice.calls == 3
    assert once.boxes[0] == pytest.approx([20, 30, 32, 42])
    assert twice.boxes[0] == pytest.approx([19.1, 29.1, 32.9, 42.9])
    assert twice.scores[0] > once.scores[0] and twice.labels.tolist() == [4]


class Blind:
    """Sees a digit nowhere: every answer is "nothing"."""

    def __init__(self) -> None:
        self.calls = 0

    def probabilities(self, image: np.ndarray, boxes: np.ndarray) -> np.ndarray:
        self.calls += len(boxes)
        out = np.zeros((len(boxes), NOTHING + 1))
        out[:, NOTHING] = 1.0
        return out


def test_giving_up_after_empty_fixations_stops_the_calls() -> None:
    canvas, boxes, labels = hand_made_canvas()
    everything = look(canvas, Blind(), fixations=8, sizes=(16,), zoom=0)
    assert everything.calls >= 2 * 3  # 2 glimpses a fixation, at least 3 fixations
    for give_up in (1, 2):
        blind = Blind()
        stopped = look(canvas, blind, fixations=8, sizes=(16,), zoom=0, give_up=give_up)
        assert stopped.calls == blind.calls == 2 * give_up and len(stopped) == 0
    # digits reset the count: an oracle on the hand-made canvas still finds all three
    found = look(canvas, Oracle(boxes, labels), fixations=8, give_up=2)
    assert detection_scores([found.as_tuple()], [boxes], [labels]).map == 1.0
    assert found.calls <= look(canvas, Oracle(boxes, labels), fixations=8).calls


def test_the_shifted_second_look_recentres_the_box() -> None:
    canvas = np.zeros((64, 64), np.float32)
    canvas[20:32, 30:42] = 1.0  # a blob whose 16-pixel digit box sits 2 pixels lower
    truth = np.array([[22, 28, 38, 44]])
    plain = look(canvas, Oracle(truth, np.array([4])), fixations=1, sizes=(16,), zoom=0)
    oracle = Oracle(truth, np.array([4]))
    moved = look(canvas, oracle, fixations=1, sizes=(16,), zoom=0, shift=0.125)
    assert plain.calls == 2 and moved.calls == oracle.calls == 6  # 2 glimpses + 4 shifts
    side = moved.boxes[0, 2] - moved.boxes[0, 0]
    shifts = [plain.boxes[0] + 2.0 * np.array(d * 2) for d in ([1, 0], [-1, 0], [0, 1], [0, -1])]
    assert any(moved.boxes[0] == pytest.approx(b) for b in [plain.boxes[0], *shifts])
    assert side == pytest.approx(plain.boxes[0, 2] - plain.boxes[0, 0])
    iou = lambda b: float(np.ravel(box_iou(b, truth))[0])  # noqa: E731
    assert iou(moved.boxes[0]) >= iou(plain.boxes[0]) and moved.scores[0] >= plain.scores[0]


def test_a_blank_canvas_gives_nothing() -> None:
    oracle = Oracle(np.zeros((0, 4)), np.zeros(0, int))
    found = look(np.zeros((64, 64), np.float32), oracle)
    assert len(found) == 0 and found.calls == oracle.calls


def test_proto_object_box_is_the_square_about_the_blob() -> None:
    img = np.zeros((64, 64), np.float32)
    img[20:30, 40:46] = 1.0
    img[22, 47] = 0.1  # below 0.3 of the peak: not part of it
    box = proto_object_box(img, 43.0, 24.0, extent=0.3, reach=4)
    assert box == pytest.approx([20, 38, 30, 48])
    assert proto_object_box(img, 5.0, 5.0) is None


def test_glimpses_are_plain_crops_and_block_means() -> None:
    rng = np.random.default_rng(0)
    img = rng.random((2, 40, 50)).astype(np.float32)
    boxes = torch.tensor([[3.0, 7.0, 19.0, 23.0], [10.0, 20.0, 42.0, 52.0]])
    got = crop_glimpses(torch.from_numpy(img), torch.tensor([0, 1]), boxes, 16).numpy()
    assert np.allclose(got[0, 0], img[0, 3:19, 7:23], atol=1e-6)
    padded = np.zeros((44, 54), np.float32)
    padded[:40, :50] = img[1]
    mean = cv2.resize(padded[10:42, 20:52], (16, 16), interpolation=cv2.INTER_AREA)
    assert np.allclose(got[1, 0], mean, atol=1e-5)


def test_nms_keeps_the_best_of_each_label() -> None:
    boxes = np.array([[0, 0, 10, 10], [1, 1, 11, 11], [0, 0, 10, 10], [30, 30, 40, 40]], float)
    keep = nms(boxes, np.array([1, 1, 2, 1]), np.array([0.5, 0.9, 0.3, 0.1]), 0.3)
    assert keep.tolist() == [1, 2, 3]


def test_windows_cover_the_canvas_to_its_border() -> None:
    assert len(window_boxes((96, 96), (16, 24, 32), 0.25)) == 441 + 169 + 81
    w = window_boxes((30, 30), (16,), 0.25)
    assert sorted(set(w[:, 0].tolist())) == [0, 4, 8, 12, 14]


@pytest.mark.parametrize(
    ("call", "error", "words"),
    [
        (lambda o: look(np.zeros((4, 4)), o), ValueError, "image must be a grey"),
        (lambda o: look(np.zeros((3, 32, 32)), o), ValueError, "image must be a grey"),
        (lambda o: look(np.full((32, 32), np.nan), o), ValueError, "image contains NaN"),
        (lambda o: look(np.full((32, 32), 255.0), o), ValueError, r"intensities in \[0, 1\]"),
        (lambda o: look(np.zeros((32, 32)), o, fixations=0), ValueError, "fixations must be"),
        (lambda o: look(np.zeros((32, 32)), o, proto_extent=0), ValueError, "proto_extent"),
        (lambda o: look(np.zeros((32, 32)), o, ior_radius=0), ValueError, "ior_radius must"),
        (lambda o: look(np.zeros((32, 32)), o, zoom=0.7), ValueError, "zoom must be"),
        (lambda o: look(np.zeros((32, 32)), o, give_up=-1), ValueError, "give_up must be"),
        (lambda o: look(np.zeros((32, 32)), o, shift=0.6), ValueError, "shift must be"),
        (lambda o: look(np.zeros((32, 32)), o, shift="a"), ValueError, "shift must be"),
        (lambda o: look(np.zeros((32, 32)), o, give_up=1.5), ValueError, "give_up must be"),
        (lambda o: slide(np.zeros((32, 32)), o, windows=(40,)), ValueError, "windows must be"),
        (lambda o: slide(np.zeros((32, 32)), o, windows=16), TypeError, "windows must be"),
        (lambda o: slide(np.zeros((32, 32)), o, windows=()), ValueError, "windows must hold"),
        (lambda o: look(np.zeros((32, 32)), o, sizes=(8, 0)), ValueError, "sizes must be"),
        (lambda o: slide(np.zeros((32, 32)), o, stride=0), ValueError, "stride must be"),
    ],
)
def test_bad_inputs_are_named(call, error: type, words: str) -> None:
    with pytest.raises(error, match=words):
        call(Oracle(np.zeros((0, 4)), np.zeros(0, int)))


def test_tune_quitting_takes_the_largest_threshold_at_the_best_map() -> None:
    from neuroattn.apps.detect import DetectConfig, tune_quitting
    from neuroattn.apps.detect._data import Canvases

    canvas, boxes, labels = hand_made_canvas()
    data = Canvases(canvas[None], (boxes,), (labels,), (labels,))
    theta, rows = tune_quitting(Oracle(boxes, labels), data, DetectConfig(), [1e6, 0.0])
    assert [r["quit_threshold"] for r in rows] == [0.0, 1e6]
    assert rows[0]["map"] == 1.0 and rows[1]["map"] < 1.0  # one look finds one digit
    assert rows[1]["calls_per_image"] < rows[0]["calls_per_image"] and theta == 0.0
    with pytest.raises(ValueError, match="grid must hold"):
        tune_quitting(Oracle(boxes, labels), data, DetectConfig(), [])
    with pytest.raises(ValueError, match="rule must be"):
        tune_quitting(Oracle(boxes, labels), data, DetectConfig(), [1], rule="zoom")
    with pytest.raises(ValueError, match="give_up must be"):
        tune_quitting(Oracle(boxes, labels), data, DetectConfig(), [-1], rule="give_up")


def test_tune_give_up_on_a_family_takes_the_fewest_calls_at_the_best_map() -> None:
    from neuroattn.apps.detect import DetectConfig, tune_quitting
    from neuroattn.apps.detect._data import Canvases

    canvas, boxes, labels = hand_made_canvas()
    one = Canvases(canvas[None], (boxes,), (labels,), (labels,))
    config = DetectConfig(fixations=12, shift=0.0, pool="max", per_fixation=1)  # look()'s
    k, rows = tune_quitting(Oracle(boxes, labels), [one, one], config, [0, 12], rule="give_up")
    never = look(canvas, Oracle(boxes, labels), fixations=12)
    assert [r["give_up"] for r in rows] == [0, 12] and rows[0]["map"] == 1.0
    assert rows[0]["calls_per_image"] == never.calls  # the two sets pooled: the same canvas
    assert rows[1]["map"] == 1.0 and rows[1]["calls_per_image"] <= never.calls
    # equal mAP: the fewer calls win (give_up 12 never stops earlier than the cap of 12)
    assert k == (12 if rows[1]["calls_per_image"] < never.calls else 0)


def test_dev_family_is_seeded_and_spans_its_conditions() -> None:
    from neuroattn.apps.detect import DetectConfig, dev_family

    family = dev_family(DetectConfig(), 2, sizes=(48, 64), clutter=(0, 6))
    again = dev_family(DetectConfig(), 2, sizes=(48, 64), clutter=(0, 6))
    assert [f.images.shape[1] for f in family] == [48, 48, 64, 64]
    assert all(np.array_equal(a.images, b.images) for a, b in zip(family, again, strict=True))
    other = dev_family(DetectConfig(seed=1), 2, sizes=(48, 64), clutter=(0, 6))
    assert not np.array_equal(family[1].images, other[1].images)
    blank = family[0].images.copy()  # no clutter: only digits are on the canvas
    for img, bx in zip(blank, family[0].boxes, strict=True):
        for t, lf, b, r in bx:
            img[t:b, lf:r] = 0
    assert blank.max() == 0 and family[1].images.max() > 0
    with pytest.raises(TypeError, match="sizes must be"):
        dev_family(DetectConfig(), 2, sizes=())
    with pytest.raises(TypeError, match="clutter must be"):
        dev_family(DetectConfig(), 2, clutter=5)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="size must be"):
        dev_family(DetectConfig(), 2, sizes=(8,))
