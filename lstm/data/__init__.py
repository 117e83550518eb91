"""Data, NumPy only: the toy sequence tasks and the IMDB reviews.

- :mod:`lstm.data.tasks` -- the adding problem, recall-the-first-symbol, delimiter counting.
- :mod:`lstm.data.imdb` -- the raw-text IMDB loader, its tokenizer and its on-disk cache.
- :mod:`lstm.data.splits` -- padding, validation hold-outs (random or by movie), padded splits.
"""
