"""The IMDB movie-review data (Maas et al., 2011), built from the raw text.

``keras.datasets.imdb.load_data`` downloads a pickle of reviews that someone else
tokenized. This module builds the same kind of data from the dataset's own text
files, so every step is visible and it works offline::

    from lstm.data.imdb import load_imdb
    (x_train, y_train), (x_test, y_test) = load_imdb(num_words=10000)

``load_imdb`` takes the arguments of ``keras.datasets.imdb.load_data`` and returns
the same things: ``x_*`` are NumPy object arrays of Python lists of word ids,
``y_*`` are int64 arrays of labels (0 = negative, 1 = positive).

Where the data comes from (first match wins)
--------------------------------------------
1. the ``path`` argument;
2. the environment variable ``LSTM_IMDB_PATH``;
3. the Keras cache (``$KERAS_HOME`` or ``~/.keras``, sub-folder ``datasets``): an
   extracted ``aclImdb/`` folder or the archive ``aclImdb_v1.tar.gz`` (checked
   against :data:`MD5` before it is parsed; a bad one is downloaded again);
4. the official archive, downloaded with ``keras.utils.get_file`` from :data:`URL`
   and checked against its MD5 :data:`MD5` (a mismatch deletes the file and raises).

A path may be an ``aclImdb/`` folder, a folder holding one, or a ``.tar.gz``
(``.tar``, ``.tar.bz2``, ``.tar.xz``) of it: the official archive, or one with only
the labeled part. Only ``{train,test}/{pos,neg}/<id>_<rating>.txt`` is read;
``train/unsup``, the ``.feat`` files, URL lists and README are ignored. The
archive is read in one streaming pass, nothing is extracted to disk, by a small
strict tar reader: a truncated or damaged archive raises ``ValueError`` instead of
yielding fewer reviews. Reviews are ordered by split, label (negative first) and
review id before the shuffle, so the result does not depend on the archive's order.

Tokenization (:func:`tokenize`)
-------------------------------
1. lowercase (``str.lower``, so ``"Émile"`` becomes ``"émile"``);
2. every HTML line break ``<br />`` (also ``<br>``, ``<br/>``) becomes a space;
3. every character of :data:`FILTERS` (and NUL) becomes a space -- the default
   ``filters`` of Keras' ``text_to_word_sequence``: ASCII punctuation *except the
   apostrophe*, plus tab and newline. So ``"don't"`` and ``"it's"`` stay one token, while
   ``"well-made"`` becomes ``"well" "made"``; non-ASCII punctuation (``"…"``,
   ``"–"``) is kept as part of words;
4. split on whitespace (``str.split()``). This is Keras'
   ``text_to_word_sequence`` exactly, except that Keras splits on ``" "`` only, so
   rare whitespace characters (``"\\r"``, ``"\\x85"``, no-break space) would stay
   inside Keras tokens and separate ours.

Word ids
--------
Words are ranked by their count in the *training* split only (rank 1 = most
frequent; ties broken alphabetically, by code point), which is
:func:`get_word_index`. In the returned sequences a word of rank ``r`` has id
``r + index_from`` (so with the default ``index_from=3`` the most frequent word,
"the", is 4); ids up to ``index_from`` are reserved: 0 = padding, ``start_char``
(1) starts every review, ``oov_char`` (2) stands for a word cut by
``num_words``/``skip_top``, 3 is unused (as in Keras). Test-split words never
seen in training are dropped, as in Keras. The order of arguments' effects is Keras' own: shuffle both splits
with one ``np.random.RandomState(seed)`` (train first), add ``start_char``, keep
only reviews with ``len(x) < maxlen`` (counting ``start_char``), then map every
word id ``w`` outside ``skip_top <= w < num_words`` to ``oov_char`` (or drop it
if ``oov_char`` is None). Two deliberate differences from Keras' code:

- ``num_words=None`` keeps every word. (Keras sets ``num_words`` to the largest
  id and then, because the bound is exclusive, turns that one word into OOV.)
- ``skip_top`` and ``num_words`` apply to word ids only; ``start_char`` is never
  replaced. (Keras compares ``start_char`` with ``skip_top`` too, so
  ``skip_top=20`` erases the start mark.)

Cache
-----
The first load parses the text (a few seconds for the 50,000 reviews; see
``benchmarks/bench_data.py``) and writes
the tokenized, ranked data to one ``.npz`` file (flat int32 arrays plus offsets,
the vocabulary as UTF-8 JSON bytes; no pickle) in the cache folder: the argument
``cache_dir``, else ``LSTM_CACHE_DIR``, else ``<Keras cache>/datasets/lstm_imdb``.
The file name depends on the source's identity (resolved path, size and
modification time, or every review file's for a folder) and on
:data:`TOKENIZER_VERSION`; it is written to a temporary file and renamed, so a
crash never leaves a partial cache. Later loads read it in well under a second.

Reference: A. L. Maas, R. E. Daly, P. T. Pham, D. Huang, A. Y. Ng, C. Potts,
"Learning Word Vectors for Sentiment Analysis", ACL 2011.
"""

from __future__ import annotations

import bz2
import gzip
import hashlib
import json
import lzma
import os
import re
import tempfile
import warnings
import zlib
from pathlib import Path

import numpy as np

from ..checks import check_int

__all__ = [
    "load_imdb",
    "load_imdb_info",
    "get_word_index",
    "tokenize",
    "encode_review",
    "decode_review",
    "URL",
    "MD5",
    "FILTERS",
    "TOKENIZER_VERSION",
]

#: Where the official archive of the Large Movie Review Dataset v1.0 is downloaded from.
URL = "https://ai.stanford.edu/~amaas/data/sentiment/aclImdb_v1.tar.gz"
#: The MD5 checksum of the official archive.
MD5 = "7c2ac02c03563afcf9b574c7e56c153a"
ARCHIVE_NAME = "aclImdb_v1.tar.gz"

#: Characters replaced by a space, the default ``filters`` of Keras' text_to_word_sequence.
FILTERS = '!"#$%&()*+,-./:;<=>?@[\\]^_`{|}~\t\n'

#: Version of the tokenization, part of the cache key (bump it when tokenization changes).
TOKENIZER_VERSION = 1
_CACHE_FORMAT = 1

_SPLITS = ("train", "test")
_LABELS = (("neg", 0), ("pos", 1))
_REVIEW_RE = re.compile(r"(?:^|(.*)/)(train|test)/(pos|neg)/([^/]+)$")
_NAME_RE = re.compile(r"^(\d+)_(\d+)\.txt$")
_BR_RE = re.compile(r"<br\s*/?>")
_STR_TABLE = str.maketrans({c: " " for c in FILTERS + "\x00"})
# Byte-level twin of _STR_TABLE for the fast path (NUL excepted: it separates reviews
# there). UTF-8 multi-byte sequences contain no ASCII byte, so this is safe.
_BYTE_TABLE = bytes(0x20 if b < 0x80 and chr(b) in FILTERS else b for b in range(256))
_CHUNK = 1000  # reviews tokenized together by the fast path


# --------------------------------------------------------------------------- tokenization


def tokenize(text: str) -> list[str]:
    """Split a review into lowercase word tokens (see the module docstring).

    >>> tokenize("A well-made film.<br /><br />I didn't like it!")
    ['a', 'well', 'made', 'film', 'i', "didn't", 'like', 'it']

    Introduced in :doc:`chapter 4 </chapters/04_imdb_sentiment>`.
    """
    if not isinstance(text, str):
        raise ValueError(f"text must be a str, got {type(text).__name__}")
    text = text.lower()
    if "<br" in text:
        text = _BR_RE.sub(" ", text)
    return text.translate(_STR_TABLE).split()


def _tokenize_many(texts: list[str], lookup) -> tuple[np.ndarray, list[int]]:
    """``tokenize`` for many reviews at once, with tokens mapped through ``lookup``.

    Returns the token ids of all reviews, concatenated, and each review's token count.
    Same tokens as :func:`tokenize` (a test checks), about ten times faster: the
    reviews of a chunk are joined by NUL (a token of its own, id ``lookup("\x00")``,
    which must be 0) and filtered as bytes.
    """
    flat, lengths = [], []
    for start in range(0, len(texts), _CHUNK):
        chunk = [t.replace("\x00", " ") if "\x00" in t else t for t in texts[start : start + _CHUNK]]
        text = "\x00".join(chunk).lower()
        if "<br" in text:
            text = text.replace("<br />", " ")
            if "<br" in text:
                text = _BR_RE.sub(" ", text)
        data = text.encode("utf-8").translate(_BYTE_TABLE).replace(b"\x00", b" \x00 ")
        tokens = data.decode("utf-8").split()
        ids = np.fromiter(map(lookup, tokens), dtype=np.int32, count=len(tokens))
        ends = np.flatnonzero(ids == 0)  # (len(chunk) - 1,) separator positions
        bounds = np.concatenate([[-1], ends, [len(ids)]])
        lengths.extend((np.diff(bounds) - 1).tolist())
        flat.append(ids[ids != 0])
    return np.concatenate(flat) if flat else np.zeros(0, np.int32), lengths


# --------------------------------------------------------------------------- sources


def _keras_home() -> Path:
    """Keras' cache root, found the way Keras finds it (without importing Keras)."""
    if "KERAS_HOME" in os.environ:
        return Path(os.environ["KERAS_HOME"]).expanduser()
    base = os.path.expanduser("~")
    if not os.access(base, os.W_OK):
        base = "/tmp"
    return Path(base) / ".keras"


def _default_cache_dir() -> Path:
    env = os.environ.get("LSTM_CACHE_DIR")
    if env:
        return Path(env).expanduser()
    return _keras_home() / "datasets" / "lstm_imdb"


def _find_aclimdb_dir(folder: Path) -> Path | None:
    """``folder`` itself if it has the aclImdb layout, else its child ``aclImdb``."""
    for candidate in (folder, folder / "aclImdb"):
        if (candidate / "train").is_dir() or (candidate / "test").is_dir():
            return candidate
    return None


def _resolve_source(path) -> tuple[Path, str]:
    """Return (source path, how it was found). Does not download."""
    if path is not None:
        how = "the path argument"
    elif os.environ.get("LSTM_IMDB_PATH"):
        path, how = os.environ["LSTM_IMDB_PATH"], "LSTM_IMDB_PATH"
    else:
        datasets = _keras_home() / "datasets"
        for folder in (
            datasets / "aclImdb",
            datasets / "aclImdb_v1_extracted" / "aclImdb",
            datasets / "aclImdb_v1" / "aclImdb",
        ):
            if (folder / "train").is_dir() and (folder / "test").is_dir():
                return folder, "the Keras cache"
        return datasets / ARCHIVE_NAME, "download"
    if not isinstance(path, (str, os.PathLike)):
        raise ValueError(
            f"path must be a str or os.PathLike naming an aclImdb folder or a .tar.gz of it, "
            f"got {type(path).__name__}: {path!r}"
        )
    source = Path(path).expanduser()
    if not source.exists():
        raise FileNotFoundError(
            f"IMDB data not found: {str(source)!r} (from {how}) does not exist; expected an "
            f"aclImdb/ folder, a folder holding one, or a .tar.gz of it (such as {ARCHIVE_NAME})"
        )
    return source, how


def _source_identity(source: Path) -> dict:
    """What identifies the source's content: resolved path, sizes and mtimes."""
    real = source.resolve()
    if real.is_dir():
        root = _find_aclimdb_dir(real)
        digest = hashlib.sha256()
        if root is not None:
            for split in _SPLITS:
                for label, _ in _LABELS:
                    folder = root / split / label
                    if not folder.is_dir():
                        continue
                    entries = sorted(
                        (e.name, e.stat().st_size, e.stat().st_mtime_ns)
                        for e in os.scandir(folder)
                        if e.is_file()
                    )
                    digest.update(repr((split, label, entries)).encode())
        return {"kind": "dir", "path": str(real), "files": digest.hexdigest()}
    stat = real.stat()
    return {"kind": "file", "path": str(real), "size": stat.st_size, "mtime_ns": stat.st_mtime_ns}


def _cache_file(cache_dir: Path, identity: dict) -> Path:
    key = {"identity": identity, "tokenizer": TOKENIZER_VERSION, "format": _CACHE_FORMAT}
    key_hash = hashlib.sha256(json.dumps(key, sort_keys=True).encode()).hexdigest()[:20]
    path_hash = hashlib.sha256(identity["path"].encode()).hexdigest()[:8]
    return cache_dir / f"imdb-{path_hash}-{key_hash}.npz"


def _md5(path: Path) -> str:
    digest = hashlib.md5()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _download() -> Path:
    """Fetch the official archive into the Keras cache and check its MD5."""
    import keras  # imported only here: importing TensorFlow takes seconds

    fetched = Path(
        keras.utils.get_file(
            fname=ARCHIVE_NAME,
            origin=URL,
            file_hash=MD5,
            hash_algorithm="md5",
            cache_subdir="datasets",
        )
    )
    if not fetched.is_file():
        raise FileNotFoundError(f"keras.utils.get_file({URL!r}) returned {str(fetched)!r}, not a file")
    actual = _md5(fetched)
    if actual != MD5:
        fetched.unlink(missing_ok=True)  # never leave a bad archive where step 3 would find it
        raise ValueError(
            f"checksum mismatch for {str(fetched)!r} downloaded from {URL}: MD5 {actual}, "
            f"expected {MD5}; the file was deleted, try again"
        )
    return fetched


# --------------------------------------------------------------------------- parsing


def _review_key(split: str, label: str, name: str, where: str) -> tuple:
    match = _NAME_RE.match(name)
    if match is None:
        raise ValueError(
            f"unexpected file {where!r} in the IMDB data: review files are named "
            f"<id>_<rating>.txt, like 0_9.txt"
        )
    return (_SPLITS.index(split), dict(_LABELS)[label], int(match[1]), int(match[2]))


def _decode(raw: bytes, where: str) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as err:
        raise ValueError(f"review {where!r} is not valid UTF-8: {err}") from None


class _CorruptArchive(ValueError):
    pass


def _open_decompressed(source: Path):
    """The archive's tar stream; gzip, bzip2 and xz are recognized by their magic bytes.

    These readers check the stream's CRC when they reach its end, so reading to
    the end detects corruption that still decompresses.
    """
    with open(source, "rb") as f:
        magic = f.read(6)
    if magic[:2] == b"\x1f\x8b":
        return gzip.open(source, "rb")
    if magic[:3] == b"BZh":
        return bz2.open(source, "rb")
    if magic == b"\xfd7zXZ\x00":
        return lzma.open(source, "rb")
    return open(source, "rb")


def _read_exactly(stream, size: int) -> bytes:
    data = stream.read(size)
    if len(data) != size:
        raise _CorruptArchive(f"it ends {size - len(data)} bytes early (truncated)")
    return data


def _skip(stream, size: int) -> None:
    while size > 0:
        size -= len(_read_exactly(stream, min(size, 1 << 20)))


def _pax_path(records: bytes) -> str | None:
    """The ``path`` of a pax extended header (records ``"<len> key=value\\n"``)."""
    pos, path = 0, None
    while pos < len(records) and records[pos : pos + 1] != b"\0":
        space = records.index(b" ", pos)
        length = int(records[pos:space])
        key, _, value = records[space + 1 : pos + length - 1].partition(b"=")
        if key == b"path":
            path = value.decode("utf-8", "surrogateescape")
        pos += length
    return path


def _iter_tar(stream, wanted):
    """Yield (name, content) of the regular files whose name ``wanted`` accepts.

    A small, strict reader of POSIX (ustar, pax) and GNU tar streams: every header's
    checksum is verified and the archive must end with zero blocks only, so a
    truncated or damaged archive is an error, never a silently shorter dataset
    (``tarfile`` treats a damaged header after the first as the end of the archive).
    """
    long_name = None
    while True:
        header = stream.read(512)
        if len(header) < 512:
            raise _CorruptArchive("it ends without the end-of-archive marker (truncated)")
        if header.count(0) == 512:  # end of archive: only zeros may follow
            while chunk := stream.read(1 << 20):
                if chunk.count(0) != len(chunk):
                    raise _CorruptArchive("data follows the end-of-archive marker")
            return
        try:
            stored = int(header[148:156].replace(b"\0", b" ").strip() or b"0", 8)
            if header[124] & 0x80:  # GNU base-256 size
                size = int.from_bytes(header[125:136], "big")
            else:
                size = int(header[124:136].replace(b"\0", b" ").strip() or b"0", 8)
        except ValueError:
            raise _CorruptArchive("a member header is damaged") from None
        unsigned = sum(header) - sum(header[148:156]) + 8 * 32
        if stored != unsigned and stored != unsigned - 256 * sum(
            b > 127
            for b in header[:148] + header[156:]  # some tars sum signed bytes
        ):
            raise _CorruptArchive("a member header's checksum does not match (damaged)")
        kind = header[156:157]
        padded = (size + 511) // 512 * 512
        if kind in (b"L", b"x"):  # the next member's name: GNU long name, pax header
            content = _read_exactly(stream, padded)[:size]
            if kind == b"L":
                long_name = content.rstrip(b"\0").decode("utf-8", "surrogateescape")
                continue
            try:
                long_name = _pax_path(content) or long_name
            except (ValueError, IndexError):
                raise _CorruptArchive("a pax header is damaged") from None
            continue
        if kind in (b"g", b"K"):  # pax global header, GNU long link name
            _skip(stream, padded)
            continue
        name = long_name
        long_name = None
        if name is None:
            name = header[:100].split(b"\0", 1)[0]
            if header[257:262] == b"ustar" and header[345] != 0:
                name = header[345:500].split(b"\0", 1)[0] + b"/" + name
            name = name.decode("utf-8", "surrogateescape")
        if kind in (b"0", b"\0", b"7") and wanted(name):
            yield name, _read_exactly(stream, padded)[:size]
        else:
            _skip(stream, padded)


def _read_tar(source: Path) -> dict:
    """{(split, label, id, rating): text} from a tar archive, in one streaming pass."""
    reviews, prefixes = {}, set()
    try:
        with _open_decompressed(source) as stream:
            for member, content in _iter_tar(stream, _REVIEW_RE.match):
                prefix, split, label, name = _REVIEW_RE.match(member).groups()
                if name.startswith("."):
                    continue
                prefixes.add(prefix or "")
                if len(prefixes) > 1:
                    raise ValueError(
                        f"archive {str(source)!r} holds several review trees "
                        f"({sorted(prefixes)}); expected one aclImdb/"
                    )
                key = _review_key(split, label, name, member)
                if key in reviews:
                    raise ValueError(f"archive {str(source)!r} holds {member!r} twice")
                reviews[key] = _decode(content, member)
    except (_CorruptArchive, EOFError, zlib.error, lzma.LZMAError, OSError) as err:
        raise ValueError(
            f"cannot read {str(source)!r} as a tar archive of aclImdb/: it is truncated or "
            f"corrupt, or not a tar archive ({type(err).__name__}: {err})"
        ) from None
    return reviews


def _read_dir(source: Path) -> dict:
    root = _find_aclimdb_dir(source)
    if root is None and not any(source.iterdir()):
        raise ValueError(
            f"folder {str(source)!r} is empty: expected an aclImdb dataset (train/ and test/ "
            f"folders with pos/ and neg/ reviews) in it or in its aclImdb/ sub-folder"
        )
    if root is None:
        raise ValueError(
            f"folder {str(source)!r} has the wrong layout: expected train/ and test/ in it "
            f"or in its aclImdb/ sub-folder, found {sorted(p.name for p in source.iterdir())[:10]}"
        )
    reviews = {}
    for split in _SPLITS:
        for label, _ in _LABELS:
            folder = root / split / label
            if not folder.is_dir():
                continue
            for entry in os.scandir(folder):
                if not entry.is_file() or entry.name.startswith("."):
                    continue
                key = _review_key(split, label, entry.name, entry.path)
                with open(entry.path, "rb") as f:
                    reviews[key] = _decode(f.read(), entry.path)
    return reviews


def _check_layout(reviews: dict, source: Path) -> None:
    counts = {(split, label): 0 for split in _SPLITS for label, _ in _LABELS}
    for split_i, label_i, _, _ in reviews:
        counts[(_SPLITS[split_i], _LABELS[label_i][0])] += 1
    missing = [f"{split}/{label}" for (split, label), n in counts.items() if n == 0]
    if missing:
        found = ", ".join(f"{split}/{label}: {n}" for (split, label), n in counts.items())
        raise ValueError(
            f"{str(source)!r} is not a usable aclImdb dataset: no review files in "
            f"{', '.join(missing)} (found {found}); expected <id>_<rating>.txt files in "
            f"train/pos, train/neg, test/pos and test/neg"
        )


def _parse(source: Path) -> dict:
    """Read, tokenize and rank the reviews: the arrays stored in the cache."""
    reviews = _read_dir(source) if source.is_dir() else _read_tar(source)
    _check_layout(reviews, source)

    class _Ids(dict):  # token -> provisional id, in order of first appearance
        def __missing__(self, token):
            self[token] = len(self)
            return len(self) - 1

    ids = _Ids({"\x00": 0})  # 0: the review separator of _tokenize_many
    keys = sorted(reviews)
    flat, lengths = _tokenize_many([reviews[key] for key in keys], ids.__getitem__)
    lengths = np.array(lengths, dtype=np.int64)
    flat = flat - 1  # provisional ids from 0
    meta = np.array(keys, dtype=np.int64).reshape(-1, 4)  # split, label, id, rating
    n_train = int(np.sum(meta[:, 0] == 0))
    n_train_tokens = int(lengths[:n_train].sum())

    words = list(ids)[1:]  # provisional id -> word
    counts = np.bincount(flat[:n_train_tokens], minlength=len(words))
    count_of = counts.tolist()
    order = sorted(np.flatnonzero(counts).tolist(), key=lambda i: (-count_of[i], words[i]))
    rank = np.zeros(len(words), dtype=np.int32)  # 0 = never seen in training
    rank[order] = np.arange(1, len(order) + 1, dtype=np.int32)

    ranked = rank[flat]  # (tokens,) rank of every token, 0 for test-only words
    row = np.repeat(np.arange(len(keys)), lengths)
    keep = ranked > 0
    new_lengths = np.bincount(row[keep], minlength=len(keys))
    ranked = ranked[keep]
    out = {
        "format": np.array(_CACHE_FORMAT),
        "tokenizer": np.array(TOKENIZER_VERSION),
        "vocab_json": np.frombuffer(
            json.dumps([words[i] for i in order], ensure_ascii=False).encode("utf-8"), np.uint8
        ),
        "vocab_counts": counts[order].astype(np.int64),
    }
    n_tokens_train = int(new_lengths[:n_train].sum())
    for split, rows, toks in (
        ("train", slice(0, n_train), slice(0, n_tokens_train)),
        ("test", slice(n_train, None), slice(n_tokens_train, None)),
    ):
        lens = new_lengths[rows]
        offsets = np.zeros(len(lens) + 1, dtype=np.int64)
        np.cumsum(lens, out=offsets[1:])
        out[f"{split}_ids"] = ranked[toks].astype(np.int32)
        out[f"{split}_offsets"] = offsets
        out[f"{split}_labels"] = meta[rows, 1].astype(np.int8)
        out[f"{split}_ratings"] = meta[rows, 3].astype(np.int8)
        out[f"{split}_review_ids"] = meta[rows, 2].astype(np.int32)
    return out


# --------------------------------------------------------------------------- cache

_MEMO: dict = {}  # the last loaded raw data, keyed by cache file


def _valid_raw(raw: dict) -> bool:
    try:
        if int(raw["format"]) != _CACHE_FORMAT or int(raw["tokenizer"]) != TOKENIZER_VERSION:
            return False
        vocab_size = len(raw["vocab_counts"])
        for split in _SPLITS:
            ids, offsets = raw[f"{split}_ids"], raw[f"{split}_offsets"]
            n = len(offsets) - 1
            if (
                n < 1
                or offsets[0] != 0
                or offsets[-1] != len(ids)
                or np.any(np.diff(offsets) < 0)
                or len(raw[f"{split}_labels"]) != n
                or len(raw[f"{split}_ratings"]) != n
                or len(raw[f"{split}_review_ids"]) != n
                or (len(ids) and (ids.min() < 1 or ids.max() > vocab_size))
            ):
                return False
        return True
    except (KeyError, ValueError, TypeError, IndexError):
        return False


def _read_cache(path: Path) -> dict | None:
    try:
        with np.load(path, allow_pickle=False) as f:
            raw = {k: f[k] for k in f.files}
    except (OSError, ValueError, EOFError, zlib.error, KeyError) as err:
        warnings.warn(f"ignoring unreadable IMDB cache {str(path)!r}: {err}", stacklevel=3)
        return None
    return raw if _valid_raw(raw) else None


def _write_cache(path: Path, raw: dict) -> None:
    """Write atomically (temporary file + rename); a failure only warns."""
    tmp = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=path.stem + ".", suffix=".tmp", dir=path.parent)
        with os.fdopen(fd, "wb") as f:
            np.savez(f, **raw)
        os.replace(tmp, path)
        tmp = None
        prefix = path.name.rsplit("-", 1)[0] + "-"
        for old in path.parent.glob(prefix + "*.npz"):  # stale caches of the same source
            if old != path:
                old.unlink(missing_ok=True)
    except OSError as err:
        warnings.warn(f"could not write the IMDB cache {str(path)!r}: {err}", stacklevel=3)
    finally:
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)


def _load_raw(path=None, cache_dir=None) -> dict:
    """The tokenized, ranked data of the resolved source, from the cache if possible."""
    if cache_dir is not None and not isinstance(cache_dir, (str, os.PathLike)):
        raise ValueError(f"cache_dir must be a str or os.PathLike, got {cache_dir!r}")
    cache_dir = Path(cache_dir).expanduser() if cache_dir is not None else _default_cache_dir()
    source, how = _resolve_source(path)
    verified = False  # whether the archive's MD5 has been checked (download only)
    if how == "download" and not source.is_file():
        source, verified = _download(), True
    cache = _cache_file(cache_dir, _source_identity(source))
    if cache in _MEMO:
        return _MEMO[cache]
    raw = _read_cache(cache) if cache.is_file() else None
    if raw is None:
        if how == "download" and not verified and _md5(source) != MD5:
            source = _download()  # the archive in the Keras cache is bad: fetch it again
            cache = _cache_file(cache_dir, _source_identity(source))
        raw = _parse(source)
        _write_cache(cache, raw)
    _MEMO.clear()
    _MEMO[cache] = raw
    return raw


# --------------------------------------------------------------------------- public API


def _check_ids(num_words, skip_top, start_char, oov_char, index_from):
    check_int("index_from", index_from, minimum=0)
    check_int("start_char", start_char, minimum=0, allow_none=True)
    check_int("oov_char", oov_char, minimum=0, allow_none=True)
    check_int("skip_top", skip_top, minimum=0)
    check_int("num_words", num_words, minimum=0, allow_none=True)
    for name, value in (("start_char", start_char), ("oov_char", oov_char)):
        if value is not None and value > index_from:
            raise ValueError(
                f"{name}={value} collides with word ids: the first word id is "
                f"index_from + 1 = {index_from + 1}, reserved ids must be at most index_from"
            )
    if start_char is not None and start_char == oov_char:
        raise ValueError(f"start_char and oov_char must differ, both are {start_char}")
    if num_words is not None and num_words <= index_from + 1:
        raise ValueError(
            f"num_words={num_words} keeps no word: word ids start at index_from + 1 = "
            f"{index_from + 1} and must be below num_words, so num_words must be at least "
            f"index_from + 2 = {index_from + 2}"
        )


def _vocab(raw: dict) -> list[str]:
    return json.loads(raw["vocab_json"].tobytes().decode("utf-8"))


def _select(raw, split, order, *, num_words, skip_top, start_char, oov_char, index_from):
    """Reviews ``order`` of one split as Python lists, with Keras' id conventions applied."""
    ids, offsets = raw[f"{split}_ids"], raw[f"{split}_offsets"]
    words = ids + np.int32(index_from)  # (tokens,) int32 word ids
    keep = words >= skip_top
    if num_words is not None:
        keep &= words < num_words
    if not keep.all():
        if oov_char is not None:
            words = np.where(keep, words, np.int32(oov_char))
        else:  # drop the cut words; the order of reviews does not matter here
            row = np.repeat(np.arange(len(offsets) - 1), np.diff(offsets))
            lengths = np.bincount(row[keep], minlength=len(offsets) - 1)
            offsets = np.zeros_like(offsets)
            np.cumsum(lengths, out=offsets[1:])
            words = words[keep]
    bounds = offsets.tolist()
    start = None if start_char is None else int(start_char)
    x = np.empty(len(order), dtype=object)
    for k, i in enumerate(order.tolist()):
        review = words[bounds[i] : bounds[i + 1]].tolist()
        if start is not None:
            review.insert(0, start)
        x[k] = review
    labels = raw[f"{split}_labels"][order].astype(np.int64)
    return x, labels


def _check_seed(seed):
    if seed is not None:
        check_int("seed", seed, minimum=0)
        if seed >= 2**32:
            raise ValueError(f"seed must be below 2**32, got {seed!r}")


def _orders(raw, seed, maxlen, start_char) -> dict:
    """Which raw review each returned position holds, per split: Keras' shuffle and filter."""
    rng = np.random.RandomState(seed)
    orders = {}
    for split in _SPLITS:  # Keras shuffles train, then test, with one generator
        order = np.arange(len(raw[f"{split}_labels"]))
        rng.shuffle(order)
        orders[split] = order
    if maxlen is not None:
        extra = 1 if start_char is not None else 0
        for split in _SPLITS:
            lengths = np.diff(raw[f"{split}_offsets"])[orders[split]] + extra
            orders[split] = orders[split][lengths < maxlen]
            # (Keras raises only when a split ends up empty.)
        if not len(orders["train"]) or not len(orders["test"]):
            raise ValueError(
                f"After filtering for sequences shorter than maxlen={maxlen}, no sequence "
                f"was kept. Increase maxlen."
            )
    return orders


def load_imdb(
    path=None,
    num_words=None,
    skip_top=0,
    maxlen=None,
    seed=113,
    start_char=1,
    oov_char=2,
    index_from=3,
    *,
    cache_dir=None,
):
    """Load the IMDB reviews as word-id sequences, like ``keras.datasets.imdb.load_data``.

    Introduced in :doc:`chapter 4 </chapters/04_imdb_sentiment>`.

    Args:
        path: an ``aclImdb/`` folder (or its parent) or a tar archive of it; None looks
            at ``LSTM_IMDB_PATH``, then the Keras cache, then downloads (module docstring).
        num_words: keep word ids below ``num_words`` (the ``num_words - index_from - 1``
            most frequent training words); others become ``oov_char``. None keeps all.
        skip_top: word ids below ``skip_top`` also become ``oov_char`` (Keras' rule:
            with ``index_from=3`` this skips the ``skip_top - 3`` most frequent words).
        maxlen: keep only reviews with fewer than ``maxlen`` ids (counting
            ``start_char``), as Keras does; None keeps all.
        seed: seed of the ``np.random.RandomState`` that shuffles each split.
        start_char: id put at the start of every review (None: no start mark).
        oov_char: id of cut words (None: cut words are dropped).
        index_from: offset added to word ranks: the most frequent word has id
            ``index_from + 1``; ids up to ``index_from`` are reserved.
        cache_dir: folder of the parsed-data cache (default: ``LSTM_CACHE_DIR``, else
            ``<Keras cache>/datasets/lstm_imdb``).

    Returns:
        ``(x_train, y_train), (x_test, y_test)``: object arrays of lists of int ids,
        and int64 arrays of labels (1 = positive). Without ``maxlen``, 25,000 each.

    Raises:
        ValueError: bad arguments; data that is not an aclImdb dataset (wrong layout,
            empty, truncated or corrupt archive, checksum mismatch of a download).
        FileNotFoundError: ``path`` (or ``LSTM_IMDB_PATH``) does not exist.
    """
    _check_ids(num_words, skip_top, start_char, oov_char, index_from)
    check_int("maxlen", maxlen, minimum=1, allow_none=True)
    _check_seed(seed)
    raw = _load_raw(path, cache_dir)

    orders = _orders(raw, seed, maxlen, start_char)
    options = dict(
        num_words=num_words,
        skip_top=skip_top,
        start_char=start_char,
        oov_char=oov_char,
        index_from=index_from,
    )
    train = _select(raw, "train", orders["train"], **options)
    test = _select(raw, "test", orders["test"], **options)
    return train, test


def load_imdb_info(path=None, maxlen=None, seed=113, start_char=1, *, cache_dir=None):
    """Where each review of :func:`load_imdb` comes from: its file's review id and rating.

    Introduced in :doc:`chapter 4 </chapters/04_imdb_sentiment>`. A review's file is
    ``<split>/<pos|neg>/<review id>_<rating>.txt``. The dataset numbers the reviews of one
    movie with neighbouring ids (within one label folder), which is what
    :func:`lstm.data.splits.movie_holdout` relies on.

    Args:
        path, maxlen, seed, start_char, cache_dir: as for :func:`load_imdb`; pass the
            values given to it, and the arrays line up with its ``x`` and ``y``.

    Returns:
        ``(train, test)``: two dicts of int64 arrays, ``"review_id"`` (the ``<id>`` of the
        file name), ``"rating"`` (1-10 stars) and ``"label"`` (equal to ``y``).
    """
    check_int("maxlen", maxlen, minimum=1, allow_none=True)
    _check_seed(seed)
    check_int("start_char", start_char, minimum=0, allow_none=True)
    raw = _load_raw(path, cache_dir)
    orders = _orders(raw, seed, maxlen, start_char)
    return tuple(
        {
            "review_id": raw[f"{split}_review_ids"][orders[split]].astype(np.int64),
            "rating": raw[f"{split}_ratings"][orders[split]].astype(np.int64),
            "label": raw[f"{split}_labels"][orders[split]].astype(np.int64),
        }
        for split in _SPLITS
    )


def get_word_index(path=None, *, cache_dir=None) -> dict[str, int]:
    """Word -> rank (1 = most frequent) in the training split; ids are rank + index_from.

    Introduced in :doc:`chapter 4 </chapters/04_imdb_sentiment>`.
    """
    raw = _load_raw(path, cache_dir)
    return {word: rank for rank, word in enumerate(_vocab(raw), start=1)}


def encode_review(
    text,
    word_index=None,
    *,
    num_words=None,
    skip_top=0,
    start_char=1,
    oov_char=2,
    index_from=3,
    unknown="skip",
    path=None,
    cache_dir=None,
) -> list[int]:
    """Turn a new review into word ids exactly as :func:`load_imdb` encodes its reviews.

    Introduced in :doc:`chapter 4 </chapters/04_imdb_sentiment>`.

    Args:
        text: the review, raw (HTML line breaks and punctuation are fine).
        word_index: the mapping from :func:`get_word_index`; None loads it (``path``,
            ``cache_dir`` as in :func:`load_imdb`). Pass it when encoding many reviews.
        num_words, skip_top, start_char, oov_char, index_from: as in :func:`load_imdb`.
        unknown: what to do with a word never seen in training: ``"skip"`` drops it
            (what :func:`load_imdb` does with the test split), ``"oov"`` writes
            ``oov_char``.

    Returns:
        list of int ids, starting with ``start_char`` unless it is None.
    """
    _check_ids(num_words, skip_top, start_char, oov_char, index_from)
    if unknown not in ("skip", "oov"):
        raise ValueError(f"unknown must be 'skip' or 'oov', got {unknown!r}")
    if unknown == "oov" and oov_char is None:
        raise ValueError("unknown='oov' needs an oov_char, got oov_char=None")
    if word_index is None:
        word_index = get_word_index(path, cache_dir=cache_dir)
    elif not isinstance(word_index, dict):
        raise ValueError(f"word_index must be a dict from get_word_index(), got {type(word_index).__name__}")
    ids = [] if start_char is None else [start_char]
    for token in tokenize(text):
        rank = word_index.get(token)
        if rank is None:
            if unknown == "oov":
                ids.append(oov_char)
            continue
        word = rank + index_from
        if word >= skip_top and (num_words is None or word < num_words):
            ids.append(word)
        elif oov_char is not None:
            ids.append(oov_char)
    return ids


def decode_review(
    ids,
    word_index=None,
    *,
    start_char=1,
    oov_char=2,
    index_from=3,
    path=None,
    cache_dir=None,
) -> str:
    """Turn word ids back into text: words joined by spaces.

    Reserved ids print as ``[PAD]`` (0), ``[START]`` (``start_char``), ``[OOV]``
    (``oov_char``) and ``[RESERVED]`` (any other id up to ``index_from``).

    Introduced in :doc:`chapter 4 </chapters/04_imdb_sentiment>`.

    Raises:
        ValueError: an id that is negative, not an int, or beyond the vocabulary.
    """
    _check_ids(None, 0, start_char, oov_char, index_from)
    if word_index is None:
        word_index = get_word_index(path, cache_dir=cache_dir)
    elif not isinstance(word_index, dict):
        raise ValueError(f"word_index must be a dict from get_word_index(), got {type(word_index).__name__}")
    words = [None] * (len(word_index) + 1)
    for word, rank in word_index.items():
        words[rank] = word
    reserved = {0: "[PAD]"}
    if start_char is not None:
        reserved[start_char] = "[START]"
    if oov_char is not None:
        reserved[oov_char] = "[OOV]"
    out = []
    for i in np.asarray(ids).reshape(-1).tolist() if not isinstance(ids, list) else ids:
        if isinstance(i, bool) or not isinstance(i, (int, np.integer)) or i < 0:
            raise ValueError(f"ids must be non-negative ints, got {i!r}")
        if i <= index_from:
            out.append(reserved.get(i, "[RESERVED]"))
        elif i - index_from < len(words):
            out.append(words[i - index_from])
        else:
            raise ValueError(
                f"id {i} is beyond the vocabulary: the largest word id is "
                f"{len(words) - 1 + index_from} ({len(words) - 1} words + index_from={index_from})"
            )
    return " ".join(out)
