"""The Keras side of chapters 4-7 (importing a module of it imports Keras and TensorFlow).

- :mod:`lstm.keras.models` -- the article's model, the configurable sentiment classifier, the
  adding problem's regressor, and the layers they need.
- :mod:`lstm.keras.training` -- seeded ``tf.data`` pipelines, fit / evaluate / predict on
  arrays, callbacks and summaries.
- :mod:`lstm.keras.distributed` -- one model trained by several worker processes
  (``MultiWorkerMirroredStrategy``), a worker lost and recovered (the "Scaling out" appendix).

Their public names can be imported from here as well (``from lstm.keras import
sentiment_model, fit``). They are imported on first use, so ``import lstm.keras`` alone stays
light: Keras and TensorFlow load when the first of them is asked for.
"""

import importlib

#: Where each name of ``lstm.keras`` lives (imported from there on first use).
_HOMES = {
    **dict.fromkeys(
        [
            "MaskedGlobalMaxPooling1D",
            "Regroup",
            "adding_model",
            "article_model",
            "compile_binary",
            "describe",
            "recurrent_param_count",
            "sentiment_model",
        ],
        "models",
    ),
    **dict.fromkeys(
        [
            "EpochTimer",
            "EvaluateEachEpoch",
            "WeightSnapshots",
            "best_epoch",
            "confusion_matrix",
            "evaluate",
            "fit",
            "fit_summary",
            "one_epoch",
            "predict",
            "predict_texts",
            "to_dataset",
        ],
        "training",
    ),
    **dict.fromkeys(
        [
            "TINY",
            "RunResult",
            "free_ports",
            "make_train_step",
            "sharded_dataset",
            "tf_config",
            "train_reference",
            "train_workers",
            "worker_env",
        ],
        "distributed",
    ),
}

__all__ = sorted(_HOMES)


def __getattr__(name):
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{home}"), name)
    globals()[name] = value  # found directly from now on
    return value


def __dir__():
    return sorted(set(globals()) | set(_HOMES))
