"""R1 peer: DeepCTR-Torch's ``DIN`` trained on our splits for a wall-clock budget, then tested.

Run by ``benchmarks._peers.run_peer`` inside ``.bench-venvs/deepctr`` (deepctr-torch with a
CPU torch): ``python deepctr_din.py in.npz out.npz '{...}'``. ``in.npz`` holds, for each of
``train``, ``dev`` and ``test``, the arrays ``<split>_history``, ``<split>_history_category``
(N, L; 0 pads), ``<split>_length``, ``<split>_item``, ``<split>_category`` and
``<split>_label``. Options: ``n_items``, ``n_categories``, ``embed_dim``, ``hidden``
(the DNN's layers), ``att_hidden`` (the local activation unit's), ``activation``
(``dice`` or ``prelu``), ``batch_size``, ``lr``, ``budget_s``, ``threads``, ``seed``.

The model is DeepCTR-Torch's own ``DIN`` (goods id and category, each with its history as
a ``VarLenSparseFeat`` sharing the candidate's embedding table, history length as the
``length_name``; no softmax on the attention weights), trained by its own ``fit`` one epoch
at a time with AdamW at our learning rate and no weight decay, until the budget is spent.
After each epoch the dev AUC is computed (outside the timed training) and the best
epoch's weights are kept, as ours keeps its best dev weights. The budget counts training
and dev evaluation, as ours does. With ``activation="dice"`` the DNN's Dice layers are
rebuilt as DeepCTR-Torch's own ``Dice(h, dim=2)``: its ``DIN`` builds them for 3-d inputs
(``DNN``'s default ``dice_dim=3``) but feeds them (B, F), and fails. Throughput: training
examples per second of ``fit`` alone. Prints one JSON line; saves the test click
probabilities to ``out.npz``.
"""

from __future__ import annotations

import copy
import json
import sys
import time
from typing import Any

import numpy as np

FIELDS = ("history", "history_category", "length", "item", "category", "label")


def features(opts: dict[str, Any]) -> tuple[list[Any], list[str]]:
    from deepctr_torch.inputs import SparseFeat, VarLenSparseFeat

    d, L = opts["embed_dim"], opts["max_history"]
    columns = [
        SparseFeat("item", opts["n_items"], embedding_dim=d),
        SparseFeat("category", opts["n_categories"], embedding_dim=d),
        VarLenSparseFeat(
            SparseFeat("hist_item", opts["n_items"], embedding_dim=d, embedding_name="item"),
            maxlen=L,
            length_name="seq_length",
        ),
        VarLenSparseFeat(
            SparseFeat(
                "hist_category", opts["n_categories"], embedding_dim=d, embedding_name="category"
            ),
            maxlen=L,
            length_name="seq_length",
        ),
    ]
    return columns, ["item", "category"]


def inputs(data: Any, split: str, L: int) -> dict[str, np.ndarray]:
    def pad(a: np.ndarray) -> np.ndarray:
        out = np.zeros((a.shape[0], L), dtype=np.int64)
        out[:, : a.shape[1]] = a[:, :L]
        return out

    return {
        "item": data[f"{split}_item"],
        "category": data[f"{split}_category"],
        "hist_item": pad(data[f"{split}_history"]),
        "hist_category": pad(data[f"{split}_history_category"]),
        "seq_length": data[f"{split}_length"],
    }


def main() -> None:
    import deepctr_torch
    import torch
    from deepctr_torch.inputs import get_feature_names
    from deepctr_torch.models import DIN
    from sklearn.metrics import roc_auc_score

    in_path, out_path, opts = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
    torch.set_num_threads(opts["threads"])
    data = np.load(in_path)
    L = opts["max_history"]
    columns, behaviour = features(opts)
    names = get_feature_names(columns)
    x = {s: inputs(data, s, L) for s in ("train", "dev", "test")}
    x = {s: {k: v[k] for k in names} for s, v in x.items()}
    y = {s: data[f"{s}_label"].astype(np.float32) for s in ("train", "dev", "test")}
    torch.manual_seed(opts["seed"])
    np.random.seed(opts["seed"])  # noqa: NPY002 - whatever DeepCTR draws from numpy
    model = DIN(
        columns,
        behaviour,
        dnn_hidden_units=tuple(opts["hidden"]),
        dnn_activation=opts["activation"],
        att_hidden_size=tuple(opts["att_hidden"]),
        att_activation="Dice" if opts["activation"] == "dice" else "prelu",
        att_weight_normalization=False,
        l2_reg_embedding=0.0,
        seed=opts["seed"],
        device="cpu",
    )
    if opts["activation"] == "dice":  # DIN builds its DNN's Dice for 3-d inputs (dice_dim=3)
        from deepctr_torch.layers.activation import Dice  # but feeds it (B, F): rebuild them

        model.dnn.activation_layers = torch.nn.ModuleList(Dice(h, dim=2) for h in opts["hidden"])
    optimizer = torch.optim.AdamW(model.parameters(), lr=opts["lr"], weight_decay=0.0)
    model.compile(optimizer, "binary_crossentropy", metrics=[])
    began, train_s, epochs, best, best_state = time.monotonic(), 0.0, 0, -1.0, None
    n_train = len(y["train"])
    while time.monotonic() - began < opts["budget_s"]:
        start = time.monotonic()
        model.fit(x["train"], y["train"], batch_size=opts["batch_size"], epochs=1, verbose=0,
                  shuffle=True)  # fmt: skip
        train_s += time.monotonic() - start
        epochs += 1
        dev_auc = float(roc_auc_score(y["dev"], model.predict(x["dev"], batch_size=4096)[:, 0]))
        if dev_auc > best:
            best, best_state = dev_auc, copy.deepcopy(model.state_dict())
    loop_s = time.monotonic() - began
    if best_state is not None:
        model.load_state_dict(best_state)
    p = model.predict(x["test"], batch_size=4096)[:, 0]
    np.savez(out_path, test_p=p.astype(np.float64))
    print(json.dumps({
        "deepctr_torch": deepctr_torch.__version__, "torch": torch.__version__,
        "threads": torch.get_num_threads(), "epochs": epochs,
        "steps": epochs * -(-n_train // opts["batch_size"]), "examples": epochs * n_train,
        "train_s": train_s, "loop_s": loop_s, "best_dev_auc": best,
        "params": sum(p.numel() for p in model.parameters()),
    }))  # fmt: skip


if __name__ == "__main__":
    main()
