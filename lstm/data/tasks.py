"""Toy sequence tasks with known answers, used to demonstrate (and test) long-term memory.

Every generator returns NumPy arrays in the book's shape convention: inputs ``(n, T, D)``
(samples, time, features), ``float32``, and is reproducible with ``seed``.

- :func:`adding_problem` -- Hochreiter & Schmidhuber (1997), experiment 4: a sequence of
  random values with two marked positions; the target is the sum of the two marked values.
  Always answering the mean, 1.0, gives a mean squared error of 2/12 = 1/6 ~ 0.167 (the sum of
  two independent U[0, 1) variables has variance 1/6), which is the "learned nothing" line.
- :func:`recall_first` -- remember the symbol flagged at step 0 through ``k`` distractor
  symbols and answer at the last step: the answer depends on an input exactly ``k`` steps back.
- :func:`delimiter_count` -- count the ``a`` symbols since the last delimiter ``|``; the
  count resets at every delimiter, a structure that a trained LSTM's forget gate shows.
"""

from __future__ import annotations

import numpy as np

from ..checks import check_int

__all__ = [
    "DELIMITER_SYMBOLS",
    "adding_problem",
    "delimiter_count",
    "one_hot",
    "recall_first",
]


def one_hot(ids, depth: int):
    """One-hot encode integer ids: ``(...,)`` int -> ``(..., depth)`` float32.

    Raises:
        ValueError: if ``depth`` is not a positive int or an id is outside ``[0, depth)``.
    """
    depth = check_int("depth", depth)
    ids = np.asarray(ids)
    if ids.size and (not np.issubdtype(ids.dtype, np.integer) or ids.min() < 0 or ids.max() >= depth):
        raise ValueError(
            f"ids must be integers in [0, {depth}), got dtype {ids.dtype} "
            f"and range [{ids.min()}, {ids.max()}]"
        )
    return np.eye(depth, dtype=np.float32)[ids]


def adding_problem(n_samples: int, T: int, *, seed=None):
    """The adding problem (Hochreiter & Schmidhuber, 1997).

    Channel 0 holds values drawn uniformly from ``[0, 1)``; channel 1 is 1.0 at exactly two
    positions, one in the first half ``[0, T//2)`` and one in the second half ``[T//2, T)``,
    and 0.0 elsewhere. The target is the sum of the two marked values.

    Introduced in :doc:`chapter 6 </chapters/06_future_trends>`.

    Args:
        n_samples: number of sequences, ``>= 1``.
        T: sequence length, ``>= 2``.
        seed: seed (or ``np.random.Generator``) for reproducibility.

    Returns:
        ``x`` of shape ``(n_samples, T, 2)`` and ``y`` of shape ``(n_samples,)``, both float32.

    Raises:
        ValueError: if ``n_samples < 1`` or ``T < 2`` (or either is not an int).
    """
    n = check_int("n_samples", n_samples)
    T = check_int("T", T, minimum=2)
    rng = np.random.default_rng(seed)
    values = rng.random((n, T), dtype=np.float32)  # (n, T)
    half = T // 2
    first = rng.integers(0, half, size=n)  # (n,) marker in [0, T//2)
    second = rng.integers(half, T, size=n)  # (n,) marker in [T//2, T)
    markers = np.zeros((n, T), dtype=np.float32)
    rows = np.arange(n)
    markers[rows, first] = 1.0
    markers[rows, second] = 1.0
    x = np.stack([values, markers], axis=-1)  # (n, T, 2)
    y = (values[rows, first] + values[rows, second]).astype(np.float32)  # (n,)
    return x, y


def recall_first(n_samples: int, k: int, *, n_symbols: int = 4, seed=None):
    """Recall the first symbol of a sequence after ``k`` distractors from the same alphabet.

    Each sequence has ``T = k + 1`` steps over ``S + 2`` channels (``S = n_symbols``): channels
    ``[0, S)`` hold one random symbol per step, one-hot; channel ``S`` (the "store" flag) is 1
    at step 0 only, marking the symbol to remember (the key); channel ``S + 1`` (the "answer
    now" flag) is 1 at the last step only. The label is the key, an input exactly ``k`` steps
    before the step at which the answer is read. Because the distractors use the same channels
    as the key, a network must *gate* its input -- take the symbol when the store flag is on,
    ignore it otherwise -- which is a multiplication of two inputs. A model that remembers
    nothing scores ``1 / S`` (chance).

    Introduced in :doc:`chapter 2 </chapters/02_core_concepts>`.

    Args:
        n_samples: number of sequences, ``>= 1``.
        k: distance between the key and the query, ``>= 1``.
        n_symbols: alphabet size ``S``, ``>= 2``.
        seed: seed (or ``np.random.Generator``).

    Returns:
        ``x`` of shape ``(n_samples, k + 1, S + 2)`` float32 and integer labels ``y`` of shape
        ``(n_samples,)`` (int64, in ``[0, S)``).

    Raises:
        ValueError: on a non-int or out-of-range argument.
    """
    n = check_int("n_samples", n_samples)
    k = check_int("k", k)
    S = check_int("n_symbols", n_symbols, minimum=2)
    rng = np.random.default_rng(seed)
    ids = rng.integers(0, S, size=(n, k + 1))  # (n, T) one symbol per step; ids[:, 0] is the key
    x = np.zeros((n, k + 1, S + 2), dtype=np.float32)  # (n, T, S+2)
    x[..., :S] = one_hot(ids, S)
    x[:, 0, S] = 1.0  # "store" flag on the key
    x[:, -1, S + 1] = 1.0  # "answer now" flag at the last step
    return x, ids[:, 0].astype(np.int64)


#: Alphabet of :func:`delimiter_count`: channel 0 is ``a`` (counted), 1 is ``b`` (ignored),
#: 2 is the delimiter ``|`` that resets the count.
DELIMITER_SYMBOLS = ("a", "b", "|")


def delimiter_count(
    n_samples: int,
    T: int,
    *,
    p_delim: float = 0.15,
    p_a: float = 0.5,
    max_count: int | None = None,
    seed=None,
):
    """Count the ``a`` symbols seen since the last delimiter, at every step.

    The input is a one-hot sequence over :data:`DELIMITER_SYMBOLS` (``a``, ``b``, ``|``).
    The target at step ``t`` is the number of ``a`` strictly after the last ``|`` up to and
    including step ``t`` (0 at a delimiter). A network solving it must add to a memory on
    ``a``, hold it on ``b`` and wipe it at ``|`` -- the three things the input, forget and
    output gates are for, visible in their activations.

    Introduced in :doc:`chapter 3 </chapters/03_lstm_equations>`.

    Args:
        n_samples: number of sequences, ``>= 1``.
        T: sequence length, ``>= 1``.
        p_delim: probability that a step is a delimiter, in ``(0, 1)``.
        p_a: probability that a non-delimiter step is ``a``, in ``(0, 1)``.
        max_count: if given, the count saturates at this value (targets are clipped).
        seed: seed (or ``np.random.Generator``).

    Returns:
        ``x`` of shape ``(n_samples, T, 3)`` float32, targets ``y`` of shape ``(n_samples, T)``
        float32, and the symbol ids ``(n_samples, T)`` int64 (0 = ``a``, 1 = ``b``, 2 = ``|``) for plotting.

    Raises:
        ValueError: on a non-int or out-of-range argument.
    """
    n = check_int("n_samples", n_samples)
    T = check_int("T", T)
    for name, p in (("p_delim", p_delim), ("p_a", p_a)):
        if not (isinstance(p, (float, int)) and 0.0 < p < 1.0):
            raise ValueError(f"{name} must be a probability in (0, 1), got {p!r}")
    if max_count is not None:
        max_count = check_int("max_count", max_count)
    rng = np.random.default_rng(seed)
    u = rng.random((n, T))
    ids = np.where(u < p_delim, 2, np.where(rng.random((n, T)) < p_a, 0, 1)).astype(np.int64)
    y = np.zeros((n, T), dtype=np.float32)
    count = np.zeros(n, dtype=np.float32)
    for t in range(T):
        count = np.where(ids[:, t] == 2, 0.0, count + (ids[:, t] == 0))
        if max_count is not None:
            count = np.minimum(count, max_count)
        y[:, t] = count
    return one_hot(ids, 3), y, ids
