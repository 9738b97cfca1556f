"""Applications built on the library (the source's sections 5 and 6, engineering side).

Each application is a sub-package that sits above :mod:`neuroattn.nn` and
:mod:`neuroattn.vision` and never imports command-line code:

:mod:`neuroattn.apps.translate`
    Sequence-to-sequence translation with attention (generated number and date corpora or
    a user's TSV; GRU encoder-decoders with Bahdanau or Luong attention, a Transformer;
    greedy and beam decoding; exact match, chrF and BLEU; alignment heat maps). Needs the
    ``torch`` and ``translate`` extras.

:mod:`neuroattn.apps.classify`
    Cluttered-digit classification (scikit-learn's digits among fragments of others): a
    small CNN without attention, with spatial attention, CBAM, or a neural-field gate from
    the competition stage; accuracy, confusion matrix, attention overlays. Needs the
    ``torch`` and ``classify`` extras.

:mod:`neuroattn.apps.recommend`
    Click prediction over behaviour sequences (generated users with latent interests or a
    user's CSV log): embedding + mean pooling, DIN's target attention, or the competition
    layer in its place; AUC, per-user GAUC, the attention over a history. Needs ``torch``.

:mod:`neuroattn.apps.speech`
    Speech recognition on speech synthesised offline (eSpeak NG digits and commands, voices
    held out, noise and reverberation, or a user's WAVs): pyramidal BiGRU + attending speller
    (LAS) and a CTC baseline; WER, CER, the alignment over the spectrogram. Needs the
    ``torch`` and ``speech`` extras.
"""
