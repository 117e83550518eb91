"""The trial runs behind chapter 5's best model: validation accuracy of its variants.

Run from the repository root (IMDB from ``LSTM_IMDB_PATH``, the Keras cache or a download)::

    python benchmarks/imdb_choices.py              # every row, about 25 minutes on 2 cores
    python benchmarks/imdb_choices.py --rows 0 3   # some rows only
    python benchmarks/imdb_choices.py --out benchmarks/results/imdb_choices.json

``--out`` also writes the rows to a JSON file, with the recipe they varied: chapter 5 shows the
stored result of a full run (``benchmarks/results/imdb_choices.json``) as its table of trial runs,
and ``tests/test_recipes.py`` checks that the file was made with the recipe of :mod:`lstm.recipes`
(re-run this script when the recipe changes).

Chapter 5 trains its best model (:data:`lstm.recipes.BEST`: 5,000 words, 400 ids read in windows of 50,
a bidirectional LSTM with max and mean pooling, word dropout) with the choices made here.
Every row changes one thing and trains a fresh seeded model for two epochs on 20,000 training
reviews, the learning rate decaying to 0 along a cosine over the run, then prints the
validation accuracy after each epoch, on the 5,000 reviews held out *by movie*
(``holdout="movie"``, :func:`lstm.data.splits.movie_holdout`), the split the chapter chooses on.
The last rows repeat two of them on a random hold-out, which shares movies with the training
reviews: there a larger vocabulary looks better, because the names of actors, characters and
titles in it recognize the movie. The test set is never touched.

One seed per row: differences of a few tenths of a percent are within run-to-run noise.
"""

from __future__ import annotations

import argparse
import json
import platform
import time
from pathlib import Path

import keras
import numpy as np

from lstm.data.imdb import load_imdb
from lstm.data.splits import prepare_imdb
from lstm.keras import models as km
from lstm.keras import training as kt
from lstm.recipes import BEST, BEST_TRAINING

EPOCHS, BATCH = BEST_TRAINING["epochs"], BEST_TRAINING["batch_size"]

#: (label, changes to BEST, hold-out)
ROWS = [
    ("the chapter's recipe", {}, "movie"),
    ("vocabulary 10,000", dict(vocab_size=10000), "movie"),
    ("vocabulary 30,000", dict(vocab_size=30000), "movie"),
    ("no word dropout", dict(word_dropout=0.0), "movie"),
    ("word dropout 0.35", dict(word_dropout=0.35), "movie"),
    ("800 ids", dict(maxlen=800), "movie"),
    ("the chapter's recipe, random hold-out", {}, "random"),
    ("vocabulary 30,000, random hold-out", dict(vocab_size=30000), "random"),
]


def run_row(changes, holdout, data_cache):
    cfg = {**BEST, **changes}
    vocab = cfg["vocab_size"]
    if vocab not in data_cache:
        data_cache[vocab] = load_imdb(num_words=vocab)
    splits = prepare_imdb(
        num_words=vocab,
        maxlen=cfg["maxlen"],
        padding=BEST_TRAINING["padding"],
        truncating=BEST_TRAINING["truncating"],
        val_split=0.2,
        seed=0,
        holdout=holdout,
        data=data_cache[vocab],
    )
    keras.utils.set_random_seed(0)
    model = km.sentiment_model(**cfg, decay_steps=EPOCHS * int(np.ceil(len(splits.x_train) / BATCH)))
    start = time.perf_counter()
    history = kt.fit(
        model,
        splits.x_train,
        splits.y_train,
        batch_size=BATCH,
        epochs=EPOCHS,
        validation_data=(splits.x_val, splits.y_val),
        verbose=0,
    )
    return history.history["val_accuracy"], time.perf_counter() - start


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--rows",
        type=int,
        nargs="*",
        default=None,
        help=f"row numbers to run, 0..{len(ROWS) - 1} (default: all)",
    )
    parser.add_argument("--out", type=Path, default=None, help="also write the rows to this JSON file")
    args = parser.parse_args(argv)
    rows = range(len(ROWS)) if args.rows is None else args.rows
    for i in rows:
        if not 0 <= i < len(ROWS):
            raise ValueError(f"--rows takes numbers from 0 to {len(ROWS) - 1}, got {i}")
    cache = {}
    print("| row | variant | hold-out | val acc epoch 1 | val acc epoch 2 | seconds |")
    print("|---|---|---|---|---|---|")
    results = []
    for i in rows:
        label, changes, holdout = ROWS[i]
        accs, seconds = run_row(changes, holdout, cache)
        print(f"| {i} | {label} | {holdout} | {accs[0]:.4f} | {accs[1]:.4f} | {seconds:.0f} |", flush=True)
        results.append(
            {
                "row": i,
                "variant": label,
                "changes": changes,
                "holdout": holdout,
                "val_accuracy": [float(a) for a in accs],
                "seconds": round(seconds, 1),
            }
        )
    if args.out is not None:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        record = {
            "recipe": dict(BEST),
            "training": dict(BEST_TRAINING),
            "seed": 0,
            "machine": f"{platform.machine()}, {platform.processor() or 'cpu'}, keras {keras.__version__}",
            "rows": results,
        }
        args.out.write_text(json.dumps(record, indent=1) + "\n")


if __name__ == "__main__":
    main()
