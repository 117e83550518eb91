"""Data, NumPy only: the toy sequence tasks and the IMDB reviews.

- :mod:`lstm.data.tasks` -- the adding problem, recall-the-first-symbol, delimiter counting.
- :mod:`lstm.data.imdb` -- the raw-text IMDB loader, its tokenizer and its on-disk cache.
- :mod:`lstm.data.splits` -- padding, validation hold-outs (random or by movie), padded splits.

Their public functions can be imported from here as well (``from lstm.data import load_imdb,
prepare_imdb``); importing them loads NumPy only, never TensorFlow.
"""

from .imdb import decode_review, encode_review, get_word_index, load_imdb, load_imdb_info, tokenize
from .splits import ImdbSplits, movie_holdout, pad, prepare_imdb, split_validation
from .tasks import DELIMITER_SYMBOLS, adding_problem, delimiter_count, one_hot, recall_first

__all__ = [
    "DELIMITER_SYMBOLS",
    "ImdbSplits",
    "adding_problem",
    "decode_review",
    "delimiter_count",
    "encode_review",
    "get_word_index",
    "load_imdb",
    "load_imdb_info",
    "movie_holdout",
    "one_hot",
    "pad",
    "prepare_imdb",
    "recall_first",
    "split_validation",
    "tokenize",
]
