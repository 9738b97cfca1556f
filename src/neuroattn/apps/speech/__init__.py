"""Speech recognition with attention, trained offline on synthesised speech.

The source's section 6 lists speech recognition beside translation among the
sequence-to-sequence uses of attention. This package builds a listen-attend-spell
recogniser (Chan et al. 2016) and a CTC baseline without attention, trained on the shared
trainer on speech that eSpeak NG synthesises on the machine (nothing is downloaded):
connected digits and commands in many voices, rates and pitches, with noise and
reverberation, split so that test voices are never heard in training.

Typical use::

    from neuroattn.apps import speech as sp
    config = sp.SpeechConfig(task="digits", max_seconds=600)
    result = sp.train(config, run_dir="runs/digits")
    result.recognizer.evaluate(result.splits.test)      # WER, CER
    rec = sp.load_recognizer("runs/digits")
    rec.transcribe(sp.read_wav("three.wav"))
    sp.save_alignment(rec.alignment(audio), "align.png")

Modules: synthesis (:func:`synthesize`), audio (:func:`read_wav`, :func:`add_noise`,
:func:`reverberate`), corpora (:func:`build_corpus`, :func:`load_splits`, a user's folder
:func:`read_folder`), front end (:func:`log_mel`, :func:`spec_augment`), models
(:class:`LAS`, :class:`CTCRecognizer`, encoders by name :data:`ENCODERS`), decoding
(:func:`decode_las`, :func:`decode_ctc`),
training (:func:`train`, :class:`SpeechJob`), metrics (:func:`wer`, :func:`cer`) and plots
(:func:`plot_alignment`). Needs the ``torch`` and ``speech`` extras.
"""

from ._audio import SAMPLE_RATE, add_noise, read_wav, resample, reverberate, room_response
from ._checkpoint import FORMAT, build_model, load_recognizer, read_checkpoint
from ._config import EXAMPLE_TOML, SpeechConfig, config_from_mapping, load_config
from ._corpus import (
    COMMANDS,
    DIGIT_WORDS,
    TASKS,
    VARIANTS,
    Corpus,
    CorpusSpec,
    Utterance,
    build_corpus,
    default_cache_dir,
    degrade,
    digit_text,
)
from ._data import Sample, SpeechSplits, load_splits
from ._decode import decode_ctc, decode_las
from ._encoders import ENCODERS, ConvTransformer, build_encoder
from ._espeak import SYNTH_RATE, english_voices, synthesize, variants
from ._folder import TRANSCRIPTS, read_folder, read_transcripts
from ._frontend import FRONTENDS, features, log_mel, mel_filterbank, normalize, spec_augment
from ._metrics import ErrorRates, cer, edit_distance, error_rates, wer
from ._models import ATTENTIONS, LAS, MODELS, CTCRecognizer, Listener, frame_mask
from ._plot import plot_alignment, save_alignment
from ._recognizer import Alignment, Recognizer, batch_features
from ._train import RESUMABLE, SpeechJob, TrainResult, train

__all__ = [
    "ATTENTIONS",
    "COMMANDS",
    "DIGIT_WORDS",
    "ENCODERS",
    "EXAMPLE_TOML",
    "FORMAT",
    "FRONTENDS",
    "LAS",
    "MODELS",
    "RESUMABLE",
    "SAMPLE_RATE",
    "SYNTH_RATE",
    "TASKS",
    "TRANSCRIPTS",
    "VARIANTS",
    "Alignment",
    "CTCRecognizer",
    "ConvTransformer",
    "Corpus",
    "CorpusSpec",
    "ErrorRates",
    "Listener",
    "Recognizer",
    "Sample",
    "SpeechConfig",
    "SpeechJob",
    "SpeechSplits",
    "TrainResult",
    "Utterance",
    "add_noise",
    "batch_features",
    "build_corpus",
    "build_encoder",
    "build_model",
    "cer",
    "config_from_mapping",
    "decode_ctc",
    "decode_las",
    "default_cache_dir",
    "degrade",
    "digit_text",
    "edit_distance",
    "english_voices",
    "error_rates",
    "features",
    "frame_mask",
    "load_config",
    "load_recognizer",
    "load_splits",
    "log_mel",
    "mel_filterbank",
    "normalize",
    "plot_alignment",
    "read_checkpoint",
    "read_folder",
    "read_transcripts",
    "read_wav",
    "resample",
    "reverberate",
    "room_response",
    "save_alignment",
    "spec_augment",
    "synthesize",
    "train",
    "variants",
    "wer",
]
