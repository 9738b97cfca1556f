"""Every public entry point refuses bad input with one ValueError/TypeError that names it."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from neuroattn.apps.speech import (
    LAS,
    CTCRecognizer,
    SpeechConfig,
    build_corpus,
    config_from_mapping,
    decode_las,
    load_config,
    load_recognizer,
    load_splits,
    mel_filterbank,
    plot_alignment,
    read_folder,
    reverberate,
    room_response,
    spec_augment,
)


@pytest.mark.parametrize(
    ("changes", "error", "match"),
    [
        ({"task": ""}, ValueError, "task must be"),
        ({"model": "rnn"}, ValueError, "model must be"),
        ({"attention": "dot"}, ValueError, "attention must be"),
        ({"attention": "luong", "location": True}, ValueError, "location must be false"),
        ({"location": 1}, TypeError, "location must be true or false"),
        ({"rate_min": 200, "rate_max": 150}, ValueError, "rate_max must be >= rate_min"),
        ({"train_snr_min": 30.0, "train_snr_max": 10.0}, ValueError, "train_snr_max must be"),
        ({"test_snr": float("nan")}, ValueError, "test_snr must be"),
        ({"test_snr": -float("inf")}, ValueError, "test_snr must be"),
        ({"lr": 0.0}, ValueError, "lr must be"),
        ({"batch_size": 0}, ValueError, "batch_size must be"),
        ({"frontend": "mfcc"}, ValueError, "frontend must be"),
        ({"cache_dir": 3}, TypeError, "cache_dir must be a string"),
        ({"encoder": "lstm"}, ValueError, "encoder must be one of 'bigru', 'conv-transformer'"),
        ({"attention": "multihead"}, ValueError, "location must be false with attention 'mult"),
        (
            {"attention": "multihead", "location": False, "heads": 3},
            ValueError,
            "heads must divide hidden_dim = 128, got 3",
        ),
        ({"encoder": "conv-transformer", "heads": 5}, ValueError, "heads must divide"),
        ({"layers": 0}, ValueError, "layers must be"),
        ({"ffn_dim": 0}, ValueError, "ffn_dim must be"),
        ({"decay": "linear"}, ValueError, "decay must be one of 'none', 'cosine'"),
    ],
)
def test_config_refuses_bad_fields(changes: dict, error: type, match: str) -> None:
    with pytest.raises(error, match=match):
        SpeechConfig(**changes)


def test_config_toml_round_trip_and_errors(tmp_path: Path) -> None:
    cfg = SpeechConfig(test_snr=float("inf"), location=True, task="commands")
    path = tmp_path / "c.toml"
    path.write_text(cfg.to_toml(), encoding="utf-8")
    assert load_config(path) == cfg
    with pytest.raises(ValueError, match="nope is not a setting"):
        config_from_mapping({"nope": 1})
    with pytest.raises(TypeError, match="hidden_dim must be an integer"):
        config_from_mapping({"speech": {"hidden_dim": "big"}})
    with pytest.raises(TypeError, match="location must be true or false"):
        config_from_mapping({"location": "yes"})
    path.write_text("x = [", encoding="utf-8")
    with pytest.raises(ValueError, match=r"c\.toml: not valid TOML"):
        load_config(path)
    with pytest.raises(ValueError, match="cannot read"):
        load_config(tmp_path / "missing.toml")
    with pytest.raises(ValueError, match="is a folder, not a generated corpus"):
        SpeechConfig(task=str(tmp_path)).corpus_spec()


def test_data_entry_points_refuse_bad_input(tmp_path: Path) -> None:
    with pytest.raises(TypeError, match="spec must be a CorpusSpec"):
        build_corpus({"task": "digits"})  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="config must be a SpeechConfig"):
        load_splits("digits")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="task must be digits, commands or a folder"):
        read_folder(tmp_path / "none")
    with pytest.raises(ValueError, match=r"no transcripts\.tsv"):
        read_folder(tmp_path)
    (tmp_path / "transcripts.tsv").write_text("../x.wav\tone\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"line 1: '\.\./x\.wav' is outside the folder"):
        read_folder(tmp_path)
    (tmp_path / "transcripts.tsv").write_text("a.wav\tone\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"a\.wav: no such WAV"):
        read_folder(tmp_path)
    cfg = SpeechConfig(task=str(tmp_path))
    with pytest.raises(ValueError, match="no such WAV"):
        load_splits(cfg)


def test_audio_and_front_end_refuse_bad_input() -> None:
    with pytest.raises(ValueError, match="rt60 must be"):
        room_response(0.0)
    with pytest.raises(ValueError, match="rt60 must be"):
        reverberate(np.ones(100), -1.0)
    with pytest.raises(ValueError, match="audio must be one waveform"):
        reverberate(np.ones((2, 100)), 0.1)
    with pytest.raises(ValueError, match="n_mels must be"):
        mel_filterbank(0)
    x, lengths, gen = torch.zeros(2, 10, 4), torch.tensor([10, 5]), torch.Generator()
    with pytest.raises(ValueError, match="feats must be a"):
        spec_augment(torch.zeros(10, 4), lengths, generator=gen)
    with pytest.raises(ValueError, match="lengths must be"):
        spec_augment(x, torch.tensor([11, 5]), generator=gen)
    with pytest.raises(TypeError, match="generator must be"):
        spec_augment(x, lengths, generator=0)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="time_width must be"):
        spec_augment(x, lengths, generator=gen, time_width=-1)


def test_models_refuse_bad_settings() -> None:
    with pytest.raises(ValueError, match="vocab must be"):
        LAS(8, 3)
    with pytest.raises(ValueError, match="attention must be"):
        LAS(8, 9, attention="dot")
    with pytest.raises(ValueError, match="location must be False"):
        LAS(8, 9, attention="luong", location=True)
    with pytest.raises(ValueError, match="pyramid must be"):
        CTCRecognizer(8, 9, pyramid=9)
    with pytest.raises(ValueError, match="dropout must be"):
        CTCRecognizer(8, 9, dropout=2.0)
    model = LAS(8, 9, hidden_dim=8, embed_dim=4, pyramid=1)
    with pytest.raises(ValueError, match="beam must be"):
        decode_las(model, torch.zeros(1, 6, 8), torch.tensor([6]), beam=0, max_len=4)
    with pytest.raises(ValueError, match="max_len must be"):
        decode_las(model, torch.zeros(1, 6, 8), torch.tensor([6]), max_len=0)
    with pytest.raises(TypeError, match="alignment must be an Alignment"):
        plot_alignment("x")  # type: ignore[arg-type]


def test_load_recognizer_refuses_bad_checkpoints(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="no checkpoint"):
        load_recognizer(tmp_path)
    (tmp_path / "best.pt").write_bytes(b"garbage")
    with pytest.raises(ValueError, match="corrupt or truncated"):
        load_recognizer(tmp_path)
    torch.save({"format": "neuroattn-translate", "version": 2}, tmp_path / "best.pt")
    with pytest.raises(ValueError, match="not a neuroattn speech checkpoint"):
        load_recognizer(tmp_path)
    torch.save({"format": "neuroattn-speech", "version": 1, "config": {}}, tmp_path / "best.pt")
    with pytest.raises(ValueError, match="damaged checkpoint contents"):
        load_recognizer(tmp_path)


def test_ctc_has_no_alignment_and_transcribe_refuses_nothing() -> None:
    from neuroattn.apps.speech import Recognizer
    from neuroattn.apps.translate import Vocab

    cfg = SpeechConfig(model="ctc", n_mels=8, hidden_dim=8, pyramid=1)
    vocab = Vocab.build(["one two"])
    rec = Recognizer(CTCRecognizer(8, len(vocab), hidden_dim=8, pyramid=1), vocab, cfg, 10)
    with pytest.raises(ValueError, match="a CTC model has no attention"):
        rec.alignment(np.random.default_rng(0).standard_normal(4000))
    with pytest.raises(ValueError, match="at least one waveform"):
        rec.transcribe([])
    with pytest.raises(ValueError, match="audio must be one waveform"):
        rec.transcribe([np.zeros((2, 400))])
    with pytest.raises(ValueError, match="beam must be"):
        rec.transcribe(np.zeros(4000), beam=0)
    assert isinstance(rec.transcribe(np.zeros(4000)), str)
