"""A1/A2 peer: Joey NMT trained on our TSV splits for a wall-clock budget, then tested.

Run by ``benchmarks._peers.run_peer`` inside ``.bench-venvs/joeynmt`` (joeynmt 2.3.0 on a
CPU torch): ``python joeynmt_train.py in.npz out.npz '{...}'``. Options: ``data`` (a folder
with ``train/dev/test.src`` and ``.trg``, one sentence a line), ``kind`` (``rnn`` or
``transformer``), ``budget_s``, ``threads``, ``seed`` and the sizes of the model, which the
benchmark sets equal to ours. Character level on both sides, as ours.

The budget starts when Joey's training loop starts (after its data, vocabularies and model
are built, as ours starts after its own set-up) and counts its dev evaluations, as ours
does. The budget is checked after every training step, as ours checks it before every
step: once it is spent, the step sets Joey's own "maximum number of updates reached" flag,
so its loop ends the way it ends at ``max_updates`` (saving the current weights). (An
earlier version sent the main thread a ``KeyboardInterrupt`` from a timer; a 5-minute run
went on for 16 minutes, so the interrupt is not reliable inside Joey's loop.) Then Joey
decodes dev and test greedily with its best checkpoint (best dev chrF; the last weights if
the budget ended before its first dev evaluation). Throughput is Joey's own
measure: target tokens per second of training, dev evaluations left out, summed over its
logging intervals. Prints one JSON line; saves the test hypotheses to ``out.npz``.
"""

from __future__ import annotations

import json
import logging
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np


def config(opts: dict[str, Any], model_dir: Path) -> dict[str, Any]:
    """Joey NMT's configuration (what its YAML file would hold)."""
    data = Path(opts["data"])
    side = {"level": "char", "lowercase": False, "max_length": 400, "voc_min_freq": 1}
    embed, hidden, drop = opts["embed_dim"], opts["hidden_dim"], opts["dropout"]
    if opts["kind"] == "rnn":  # ours: bi-GRU encoder of H/2 per direction, GRU decoder of H
        encoder = {"type": "recurrent", "rnn_type": "gru", "hidden_size": hidden // 2,
                   "bidirectional": True, "num_layers": 1, "dropout": drop,
                   "embeddings": {"embedding_dim": embed}}  # fmt: skip
        decoder = {"type": "recurrent", "rnn_type": "gru", "hidden_size": hidden,
                   "attention": "bahdanau", "num_layers": 1, "dropout": drop,
                   "hidden_dropout": drop, "input_feeding": True, "init_hidden": "bridge",
                   "embeddings": {"embedding_dim": embed}}  # fmt: skip
        # Joey 2.3 needs a scheduler; its "plateau" passes ReduceLROnPlateau a `verbose`
        # that torch 2.13 no longer takes, so: a constant rate (ours after its warm-up)
        schedule: dict[str, Any] = {"scheduling": "exponential", "decrease_factor": 1.0}
    else:
        layer = {"type": "transformer", "num_layers": opts["layers"], "num_heads": opts["heads"],
                 "hidden_size": hidden, "ff_size": opts["ffn_dim"], "dropout": drop,
                 "embeddings": {"embedding_dim": hidden}}  # fmt: skip
        encoder, decoder = dict(layer), dict(layer)
        schedule = {"scheduling": "warmupinversesquareroot", "learning_rate_warmup": opts["warmup"]}
    return {
        "name": f"bench-{opts['kind']}",
        "joeynmt_version": "2.3.0",
        "model_dir": str(model_dir),
        "use_cuda": False,
        "data": {
            "train": str(data / "train"),
            "dev": str(data / "dev"),
            "test": str(data / "test"),
            "dataset_type": "plain",
            "src": {"lang": "src", **side},
            "trg": {"lang": "trg", **side},
        },
        "testing": {
            "n_best": 1,
            "beam_size": 1,
            "batch_size": 256,
            "batch_type": "sentence",
            "max_output_length": opts["max_len"],
            "eval_metrics": ["chrf", "sequence_accuracy"],
            "sacrebleu_cfg": {"tokenize": "13a"},
        },
        "training": {
            "random_seed": opts["seed"],
            "optimizer": "adamw",
            "learning_rate": opts["lr"],
            "weight_decay": opts["weight_decay"],
            "clip_grad_norm": opts["clip"],
            "batch_size": opts["batch_size"],
            "batch_type": "sentence",
            "epochs": 100000,
            "validation_freq": opts["eval_every"],
            "logging_freq": 25,
            "early_stopping_metric": "chrf",
            "overwrite": True,
            "shuffle": True,
            "keep_best_ckpts": 1,
            "print_valid_sents": [],
            "num_workers": 0,
            **schedule,
        },
        "model": {
            "initializer": "xavier_uniform",
            "bias_initializer": "zeros",
            "tied_embeddings": False,
            "encoder": encoder,
            "decoder": decoder,
        },
    }


def main() -> None:
    _, out_path, opts = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
    import joeynmt
    import torch
    from joeynmt import prediction, training
    from joeynmt.training import TrainManager

    torch.set_num_threads(int(opts["threads"]))
    logging.disable(logging.INFO)  # Joey logs every step to stdout and to its model dir
    work = Path(opts["workdir"])
    cfg = config(opts, work / "model")
    (work / "model").mkdir(parents=True, exist_ok=True)
    stats: dict[str, Any] = {"tokens": 0, "train_s": 0.0, "loop_s": 0.0, "interrupted": False}
    real_loop, real_log = TrainManager.train_and_validate, TrainManager._log_scores
    real_step = TrainManager._train_step

    budget = float(opts["budget_s"])
    clock = {"start": 0.0}

    def loop(self: Any, train_data: Any, valid_data: Any) -> None:
        clock["start"] = time.monotonic()
        try:
            real_loop(self, train_data, valid_data)
        finally:
            stats["loop_s"] = time.monotonic() - clock["start"]
            stats["steps"] = int(self.stats.steps)
            stats["best_step"] = int(self.stats.best_ckpt_iter)
            stats["best_dev_chrf"] = float(self.stats.best_ckpt_score)
            stats["params"] = sum(p.numel() for p in self.model.parameters())

    def train_step(self: Any, batch: Any) -> Any:
        out = real_step(self, batch)
        if time.monotonic() - clock["start"] >= budget:
            stats["interrupted"] = True  # the budget, not Joey's own max_updates
            self.stats.is_max_update = True
        return out

    def log_scores(self: Any, epoch: int, elapsed: float, start_tokens: int, *rest: Any) -> Any:
        stats["tokens"] += int(self.stats.total_tokens - start_tokens)
        stats["train_s"] += float(elapsed)
        return real_log(self, epoch, elapsed, start_tokens, *rest)

    TrainManager.train_and_validate = loop  # type: ignore[method-assign]
    TrainManager._log_scores = log_scores  # type: ignore[method-assign]
    TrainManager._train_step = train_step  # type: ignore[method-assign]
    training.train(rank=0, world_size=1, cfg=dict(cfg), skip_test=True)
    # test with the best checkpoint, or the weights saved at the interrupt when the budget
    # ended before the first dev evaluation
    model_dir = work / "model"
    best = model_dir / "best.ckpt"
    stats["checkpoint"] = "best" if best.exists() else "latest (no dev evaluation yet)"
    cfg["testing"]["load_model"] = str(best if best.exists() else model_dir / "latest.ckpt")
    prediction.test(cfg, output_path=str(model_dir / "best.hyps"))
    hyps = (work / "model" / "best.hyps.test").read_text(encoding="utf-8").split("\n")
    if hyps and hyps[-1] == "":
        hyps.pop()
    np.savez(out_path, hyps=np.array(hyps, dtype=str))
    report = {
        **stats,
        "tokens_per_s": stats["tokens"] / stats["train_s"] if stats["train_s"] else None,
        "joeynmt": getattr(joeynmt, "__version__", "2.3.0"),
        "torch": torch.__version__,
        "threads": torch.get_num_threads(),
    }
    print(json.dumps(report))


if __name__ == "__main__":
    main()
