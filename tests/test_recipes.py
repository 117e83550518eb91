"""The shared recipes (lstm.recipes): read-only, accepted by the builders they feed, and the stored
trial runs that chapter 5 shows were made with the recipe the chapter trains."""

import inspect
import json
from pathlib import Path

import pytest

from lstm.data.splits import pad, prepare_imdb
from lstm.recipes import ARTICLE, BASELINE, BEST, BEST_TRAINING

ROOT = Path(__file__).resolve().parents[1]
TRIALS = ROOT / "benchmarks" / "results" / "imdb_choices.json"


@pytest.mark.parametrize("recipe", [ARTICLE, BASELINE, BEST, BEST_TRAINING])
def test_recipes_cannot_be_changed_in_place(recipe):
    key = next(iter(recipe))
    with pytest.raises(TypeError):
        recipe[key] = None
    with pytest.raises(AttributeError):
        recipe.update({key: None})
    assert recipe[key] is not None


def _defaults(function):
    return {k: v.default for k, v in inspect.signature(function).parameters.items()}


def test_the_article_recipe_is_the_default_of_the_splits():
    """lstm.recipes says ARTICLE is the default of prepare_imdb and of pad: each argument they
    share with it takes its value from there (one source, nothing spelled out again)."""
    for function in (prepare_imdb, pad):
        defaults = _defaults(function)
        shared = set(ARTICLE) & set(defaults)
        assert {"maxlen", "padding", "truncating"} <= shared
        assert {k: defaults[k] for k in shared} == {k: ARTICLE[k] for k in shared}
    x = pad([[1, 2, 3]] * 2 + [list(range(1, 61))])
    assert x.shape == (3, ARTICLE["maxlen"])
    assert list(x[0, :4]) == [1, 2, 3, 0]  # padded at the end (padding="post")
    assert x[2, 0] == 60 - ARTICLE["maxlen"] + 1 and x[2, -1] == 60  # cut at the start ("pre")


def test_the_article_recipe_is_the_default_of_the_article_model():
    keras_models = pytest.importorskip("lstm.keras.models")
    defaults = _defaults(keras_models.article_model)
    assert defaults["vocab_size"] == ARTICLE["num_words"]
    assert {k: defaults[k] for k in ("embedding_dim", "units", "maxlen")} == {
        k: ARTICLE[k] for k in ("embedding_dim", "units", "maxlen")
    }


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
