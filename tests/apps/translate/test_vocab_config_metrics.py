"""Character vocabularies, the TOML config and the scores."""

from __future__ import annotations

import dataclasses
import math

import pytest

pytest.importorskip("torch")
pytest.importorskip("sacrebleu")

from neuroattn.apps.translate import (
    BOS,
    EOS,
    EXAMPLE_TOML,
    PAD,
    UNK,
    TranslateConfig,
    Vocab,
    bleu,
    chrf,
    config_from_mapping,
    exact_match,
    load_config,
    score,
)

# ---- vocabulary -------------------------------------------------------------------------


def test_vocab_round_trip_and_specials() -> None:
    v = Vocab.build(["zweiundvierzig", "vier"])
    assert len(v) == 4 + len(set("zweiundvierzig"))
    ids = v.encode("vier")
    assert ids[-1] == EOS and min(ids[:-1]) >= 4
    assert v.decode([BOS, *ids, PAD, PAD]) == "vier"
    assert v.decode(v.encode("vier", eos=False) + [EOS, 5]) == "vier"  # stops at <eos>
    assert v.decode([UNK]) == "\ufffd"
    assert v.tokens([BOS, ids[0], EOS]) == ["<bos>", "v", "<eos>"]
    assert Vocab.from_dict(v.to_dict()) == v


def test_characters_outside_the_vocabulary_are_named() -> None:
    v = Vocab.build(["forty-two"])
    with pytest.raises(ValueError, match=r"outside the vocabulary: 'X', 'ß' \(in 'fXßß'\)"):
        v.encode("fXßß")
    assert v.encode("fX", unknown="unk")[1] == UNK


@pytest.mark.parametrize(
    ("text", "error", "match"),
    [("", ValueError, "text must not be empty"), ("  ", ValueError, "must not be empty"),
     (42, TypeError, "text must be a string")],
)  # fmt: skip
def test_bad_text(text: object, error: type, match: str) -> None:
    with pytest.raises(error, match=match):
        Vocab.build(["abc"]).encode(text)  # type: ignore[arg-type]


def test_bad_vocab_data() -> None:
    with pytest.raises(ValueError, match="'chars' string"):
        Vocab.from_dict({"chars": 3})
    with pytest.raises(ValueError, match="must not repeat"):
        Vocab(["a", "a"])
    with pytest.raises(ValueError, match="single characters"):
        Vocab(["ab"])


# ---- configuration ----------------------------------------------------------------------


def test_example_toml_is_the_defaults_and_lists_every_field(tmp_path) -> None:
    path = tmp_path / "c.toml"
    path.write_text(EXAMPLE_TOML, encoding="utf-8")
    assert load_config(path) == TranslateConfig()
    for field in dataclasses.fields(TranslateConfig):
        assert f"\n{field.name} = " in EXAMPLE_TOML


def test_to_toml_round_trips_and_tables_are_read(tmp_path) -> None:
    config = TranslateConfig(task='my "file".tsv', model="transformer", lr=0.01, max_seconds=60)
    path = tmp_path / "c.toml"
    path.write_text(config.to_toml(), encoding="utf-8")
    assert load_config(path) == config
    assert config_from_mapping({"translate": {"beam": 4}}).beam == 4
    assert config_from_mapping({"lr": 1}).lr == 1.0  # an integer is a number


@pytest.mark.parametrize(
    ("data", "error", "match"),
    [
        ({"lr": "fast"}, TypeError, "lr must be a number, got 'fast'"),
        ({"model": 3}, TypeError, "model must be a string"),
        ({"batch_size": 2.5}, TypeError, "batch_size must be an integer"),
        ({"dropout": True}, TypeError, "dropout must be a number"),
        ({"max_seconds": math.inf}, ValueError, "max_seconds must be a finite number"),
        ({"modle": "rnn-luong"}, ValueError, "modle is not a setting; use one of: task,"),
        ({"model": "lstm"}, ValueError, "model must be one of 'rnn-bahdanau'"),
        ({"attention": "hard"}, ValueError, "attention must be one of 'softmax'"),
        ({"dropout": 1.0}, ValueError, "dropout must be a finite number >= 0 and < 1"),
        ({"model": "transformer", "heads": 3}, ValueError, "heads must divide hidden_dim"),
        ({"task": " "}, ValueError, "task must be a task name"),
    ],
)
def test_bad_config_values_are_named(data: dict, error: type, match: str) -> None:
    with pytest.raises(error, match=match):
        config_from_mapping(data)


def test_bad_config_files_are_named(tmp_path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("lr = [", encoding="utf-8")
    with pytest.raises(ValueError, match=r"bad\.toml: not valid TOML"):
        load_config(bad)
    bad.write_text('lr = "x"', encoding="utf-8")
    with pytest.raises(TypeError, match=r"bad\.toml: lr must be a number"):
        load_config(bad)
    with pytest.raises(ValueError, match="cannot read the config"):
        load_config(tmp_path / "missing.toml")


# ---- scores -----------------------------------------------------------------------------


def test_exact_match_and_perfect_scores() -> None:
    refs = ["2026-11-23", "zweiundvierzig", "trois"]
    assert exact_match(["2026-11-23", "zweiundvierzig", "deux"], refs) == pytest.approx(200 / 3)
    s = score(refs, refs)
    assert (s.exact_match, s.chrf, s.bleu, s.n) == pytest.approx((100.0, 100.0, 100.0, 3))
    assert chrf(["abc"], ["xyz"]) == 0.0


def test_bleu_brevity_penalty_by_hand() -> None:
    # every n-gram precision is 1; BP = exp(1 - r/c) = exp(1 - 5/4) (Papineni et al. 2002)
    assert bleu(["a b c d"], ["a b c d e"]) == pytest.approx(100 * math.exp(-0.25), abs=1e-9)


def _chrf_reference(hyp: str, ref: str, order: int = 6, beta: float = 2.0) -> float:
    """chrF (Popović 2015) as sacrebleu computes it: character n-grams without spaces,
    precision and recall averaged over n = 1..6, then the F-beta score."""
    h, r = hyp.replace(" ", ""), ref.replace(" ", "")
    precisions, recalls = [], []
    for n in range(1, order + 1):
        hg = [h[i : i + n] for i in range(len(h) - n + 1)]
        rg = [r[i : i + n] for i in range(len(r) - n + 1)]
        match = sum(min(hg.count(g), rg.count(g)) for g in set(hg))
        precisions.append(match / len(hg))
        recalls.append(match / len(rg))
    p, rc = sum(precisions) / order, sum(recalls) / order
    return 100 * (1 + beta**2) * p * rc / (beta**2 * p + rc)


def test_chrf_against_a_plain_reference() -> None:
    hyp, ref = "dreihundertzweiundvierzig", "dreihundertvierundzwanzig"
    assert chrf([hyp], [ref]) == pytest.approx(_chrf_reference(hyp, ref), abs=1e-6)


@pytest.mark.parametrize(
    ("hyps", "refs", "error", "match"),
    [(["a"], ["a", "b"], ValueError, "same length"), ([], [], ValueError, "must not be empty"),
     ([1], ["a"], TypeError, "hypotheses must be strings")],
)  # fmt: skip
def test_bad_score_inputs(hyps: list, refs: list, error: type, match: str) -> None:
    with pytest.raises(error, match=match):
        score(hyps, refs)
