"""The shared recipes (lstm.recipes): read-only, accepted by the builders they feed, and the stored
trial runs that chapter 5 shows were made with the recipe the chapter trains."""

import inspect
import json
from pathlib import Path

import pytest

from lstm.data.splits import prepare_imdb
from lstm.recipes import ARTICLE, BASELINE, BEST, BEST_TRAINING

ROOT = Path(__file__).resolve().parents[1]
TRIALS = ROOT / "benchmarks" / "results" / "imdb_choices.json"


@pytest.mark.parametrize("recipe", [ARTICLE, BASELINE, BEST, BEST_TRAINING])
def test_recipes_cannot_be_changed_in_place(recipe):
    key = next(iter(recipe))
    with pytest.raises(TypeError):
        recipe[key] = None
    assert {**recipe, key: None}[key] is None  # a changed copy is the way to vary one


def test_recipes_are_keyword_arguments_of_what_they_configure():
    keras_models = pytest.importorskip("lstm.keras.models")
    builder = inspect.signature(keras_models.sentiment_model).parameters
    assert set(BEST) <= set(builder) and set(BASELINE) <= set(builder)
    splits = inspect.signature(prepare_imdb).parameters
    assert {"padding", "truncating", "holdout"} <= set(splits)
    assert {k for k in BEST_TRAINING if k in splits} == {"padding", "truncating", "holdout"}


def test_stored_trial_runs_used_the_recipe_chapter_5_trains():
    # Chapter 5 shows this file as its table of trial runs. When the recipe changes, re-run
    # `python benchmarks/imdb_choices.py --out benchmarks/results/imdb_choices.json`.
    record = json.loads(TRIALS.read_text())
    assert record["recipe"] == dict(BEST)
    assert record["training"] == dict(BEST_TRAINING)
    rows = record["rows"]
    assert [r["row"] for r in rows] == list(range(len(rows))) and len(rows) >= 2
    for row in rows:
        assert row["holdout"] in ("movie", "random")
        assert len(row["val_accuracy"]) == BEST_TRAINING["epochs"]
        assert all(0.5 < a < 1.0 for a in row["val_accuracy"])
        assert set(row["changes"]) <= set(BEST)
    assert rows[0]["changes"] == {} and rows[0]["holdout"] == BEST_TRAINING["holdout"]
