"""Compare notebook outputs: the words exactly, the numbers within a tolerance.

nbval re-executes every chapter and compares each output with the stored one. Compared as
plain strings, two runs on different CPUs disagree in the last bits of a float (another
OpenBLAS kernel, another SIMD path in NumPy, libm or TensorFlow), and a training run amplifies
that. This module keeps nbval as the runner and changes only what "equal" means:

* every string output (stdout, stderr, ``text/plain``, ``text/html``, glued values) is split
  into its *skeleton* (the text with each number replaced by a marker, white space folded, and
  dropped next to a number, where it only pads the number to a column's width) and
  its *numbers*; the skeletons must match exactly, and each pair of numbers must satisfy
  ``|test - ref| <= atol + rtol * |ref|``;
* the default tolerance, :data:`DEFAULT`, is float noise (``rtol = 1e-9``, ``atol = 0``): pure
  arithmetic still has to match to nine digits;
* a cell whose numbers come from training declares its own tolerance in its metadata,
  sized from measurement (``tools/spread.py``; see ``running.md``) and saying so in ``why``, and
  names the numbers it is for in ``applies_to``, a regular expression: the tolerance covers the
  numbers inside its matches in the stored output, and every other number of the cell (a size, a
  count, a learning rate printed as a label) is still compared at the default::

      "tolerance": {"atol": 0.02, "why": "one-epoch accuracy; spread 0.008",
                    "applies_to": "accuracy \\S+"}

  A glued value is compared as the line ``glue KEY: VALUE``, so ``applies_to`` can name glue
  keys (``"glue ch4_acc_\\w+: \\S+"``). Without ``applies_to`` the tolerance covers every number
  of the cell. A list of such dicts gives each group of numbers its own tolerance (the
  first that covers a number applies). ``bounds`` (a regular expression too) marks numbers
  that are error bounds, such as the largest difference of a gradient check: noise that may be
  smaller than its tolerance, which an assert in the cell (or the hidden cell after it) bounds
  (``tests/test_stored_outputs.py`` checks both);

* images (PNG, JPEG, SVG, glued figures) are not compared: the numbers behind every figure
  are printed or glued, and those are.

:func:`install` plugs this into nbval (``conftest.py`` calls it). ``tools/spread.py`` uses
:func:`flatten` and :func:`number_pairs` to measure how far each number moves.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

#: A number as printed by Python, NumPy, Keras or an f-string: an optional sign, digits with
#: optional thousands separators, a fraction, an exponent; or nan / inf.
NUMBER = re.compile(
    r"(?<![\w.])"  # not the tail of an identifier (h_1, x2) or of another number
    r"(?:[-+]?(?:\d{1,3}(?:,\d{3})+(?:\.\d*)?|\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?|[-+]?(?:nan|inf)\b)"
)
MARK = "\N{NUMERO SIGN}"  # what a number becomes in a skeleton
#: Output keys that are pictures, never compared (nbval already skips image/png and image/jpeg).
IMAGE_KEYS = (
    "image/svg+xml",
    "application/papermill.record/image/png",
    "application/papermill.record/image/jpeg",
    "application/papermill.record/image/svg+xml",
)


@dataclass(frozen=True)
class Tolerance:
    """``|test - ref| <= atol + rtol * |ref|`` for the numbers it applies to.

    ``applies_to`` (a regular expression, or None for every number) selects the numbers of a
    stored output that get this tolerance: those inside one of its matches. The others get
    :data:`DEFAULT`. ``bounds`` selects, among them, the error bounds (see the module docstring).
    """

    rtol: float = 1e-9
    atol: float = 0.0
    applies_to: str | None = None
    bounds: str | None = None

    def __post_init__(self):
        for name in ("rtol", "atol"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not value >= 0:
                raise ValueError(f"tolerance {name} must be a number >= 0, got {value!r}")
        for name in ("applies_to", "bounds"):
            value = getattr(self, name)
            if value is None:
                continue
            if not isinstance(value, str) or not value:
                raise ValueError(f"tolerance {name} must be a non-empty regular expression, got {value!r}")
            try:
                re.compile(value)
            except re.error as err:
                raise ValueError(f"tolerance {name} {value!r} is not a regular expression: {err}") from None

    def covered(self, text: str, pattern: str | None = None) -> list[bool]:
        """For each number of ``text``, whether it lies inside a match of ``pattern``.

        ``pattern`` defaults to ``applies_to``; None covers every number.
        """
        pattern = self.applies_to if pattern is None else pattern
        numbers = list(NUMBER.finditer(text))
        if pattern is None:
            return [True] * len(numbers)
        spans = [m.span() for m in re.finditer(pattern, text) if m.end() > m.start()]
        return [any(a <= n.start() and n.end() <= b for a, b in spans) for n in numbers]

    def for_numbers(self, text: str) -> list[Tolerance]:
        """The tolerance of each number of the stored ``text``: this one where it applies, else the
        default."""
        return [self if inside else DEFAULT for inside in self.covered(text)]

    def allows(self, ref: float, test: float) -> bool:
        if math.isnan(ref) or math.isnan(test):
            return math.isnan(ref) and math.isnan(test)
        if math.isinf(ref) or math.isinf(test):
            return ref == test
        return abs(test - ref) <= self.atol + self.rtol * abs(ref)


DEFAULT = Tolerance()


@dataclass(frozen=True)
class Tolerances:
    """Several tolerances in one cell, each for the numbers its ``applies_to`` covers.

    For a cell whose numbers move by different amounts (one row of a table that moves like a
    change of seed, beside rows that hardly move). A number covered by several parts gets the
    first; a number no part covers gets :data:`DEFAULT`.
    """

    parts: tuple[Tolerance, ...]

    def for_numbers(self, text: str) -> list[Tolerance]:
        owners = [DEFAULT] * len(NUMBER.findall(text))
        for part in reversed(self.parts):  # the first part that covers a number wins
            for i, inside in enumerate(part.covered(text)):
                if inside:
                    owners[i] = part
        return owners


def tolerance_of(metadata: dict) -> Tolerance | Tolerances:
    """The tolerance a cell declares in ``metadata["tolerance"]``, else :data:`DEFAULT`.

    The entry is one tolerance (a dict), or a list of them, each with its ``applies_to``.

    Raises:
        ValueError: if the entry is not a dict of ``rtol`` and/or ``atol`` with a ``why`` that says
            what measurement sized it, or a list of such dicts each with an ``applies_to``.
    """
    spec = metadata.get("tolerance")
    if spec is None:
        return DEFAULT
    if isinstance(spec, list):
        if not spec or any(not isinstance(item, dict) or "applies_to" not in item for item in spec):
            raise ValueError(
                "a list of tolerances must hold dicts that each name their numbers in 'applies_to', "
                f"got {spec!r}"
            )
        return Tolerances(tuple(_one_tolerance(item) for item in spec))
    return _one_tolerance(spec)


def _one_tolerance(spec) -> Tolerance:
    if (
        not isinstance(spec, dict)
        or set(spec) - {"rtol", "atol", "why", "applies_to", "bounds"}
        or not set(spec) & {"rtol", "atol"}
        or not isinstance(spec.get("why"), str)
        or not spec["why"].strip()
    ):
        raise ValueError(
            "a cell's 'tolerance' metadata must be a dict with 'rtol' and/or 'atol' and a 'why' that names "
            "the measurement it was sized from (optionally 'applies_to' and 'bounds', regular expressions), "
            f"got {spec!r}"
        )
    return Tolerance(
        rtol=spec.get("rtol", DEFAULT.rtol),
        atol=spec.get("atol", DEFAULT.atol),
        applies_to=spec.get("applies_to"),
        bounds=spec.get("bounds"),
    )


def _value(token: str) -> float:
    return float(token.replace(",", ""))


def split(text: str) -> tuple[str, list[float]]:
    """``text`` as (skeleton, numbers): numbers become a marker, runs of white space one space.

    White space next to a number is dropped: a column or a NumPy array pads a number to its
    width (``[[ 0.5 -0.2]]`` against ``[[-0.5  0.2]]``), so the padding moves with the value.
    """
    numbers = [_value(m.group()) for m in NUMBER.finditer(text)]
    skeleton = " ".join(NUMBER.sub(MARK, text).split())
    skeleton = re.sub(rf"\s*{MARK}\s*", MARK, skeleton)
    return skeleton, numbers


def number_pairs(ref: str, test: str) -> list[tuple[float, float]] | None:
    """The pairs of numbers of two strings, or None if their words (skeletons) differ."""
    (ref_skel, ref_nums), (test_skel, test_nums) = split(ref), split(test)
    if ref_skel != test_skel or len(ref_nums) != len(test_nums):
        return None
    return list(zip(ref_nums, test_nums))


def difference(ref: str, test: str, tol: Tolerance | Tolerances = DEFAULT) -> str | None:
    """Why ``test`` does not match ``ref`` under ``tol``, or None when it does."""
    if ref == test:
        return None
    pairs = number_pairs(ref, test)
    if pairs is None:
        return "the words differ (numbers aside):\n  ref:  " + split(ref)[0] + "\n  test: " + split(test)[0]
    tols = tol.for_numbers(ref)
    bad = [(i, r, t, k) for i, ((r, t), k) in enumerate(zip(pairs, tols)) if not k.allows(r, t)]
    if not bad:
        return None
    lines = [f"{len(bad)} of {len(pairs)} numbers differ beyond their tolerance:"]
    for i, r, t, k in bad[:10]:
        default = ", the default" if k is DEFAULT and tol is not DEFAULT else ""
        lines.append(
            f"  number {i + 1}: stored {r!r}, now {t!r} (|diff| = {abs(t - r):.3g}; "
            f"rtol={k.rtol:g}, atol={k.atol:g}{default})"
        )
    return "\n".join(lines)


class Output(str):
    """A sanitized output string whose ``==`` is :func:`difference` under the cell's tolerance.

    nbval compares ``ref_out != test_out``; handing it these instead of plain strings changes
    what equal means without changing nbval's own logic.
    """

    tol: Tolerance = DEFAULT
    why: str | None = None

    def __new__(cls, text: str, tol: Tolerance | Tolerances):
        obj = super().__new__(cls, text)
        obj.tol = tol
        return obj

    def __eq__(self, other):
        if not isinstance(other, str):
            return NotImplemented
        why = difference(str(self), str(other), self.tol)
        if why is not None:
            self.why = why
            if isinstance(other, Output):
                other.why = why
        return why is None

    def __ne__(self, other):
        eq = self.__eq__(other)
        return eq if eq is NotImplemented else not eq

    __hash__ = str.__hash__


#: The MIME key of a glued value's text (myst-nb's glue, stored as a papermill record).
GLUE_TEXT = "application/papermill.record/text/plain"


def label_glue(outputs: list) -> list:
    """Copies of ``outputs`` in which each glued text value reads ``glue KEY: VALUE``.

    A glued value alone is a bare number; with its key in front, an error names it and a cell's
    ``applies_to`` can select it.
    """
    import copy

    labelled = []
    for out in outputs:
        name = (out.get("metadata") or {}).get("scrapbook", {}).get("name")
        data = out.get("data") or {}
        if name and isinstance(data.get(GLUE_TEXT), str):
            out = copy.deepcopy(out)
            out["data"][GLUE_TEXT] = f"glue {name}: {data[GLUE_TEXT]}"
        labelled.append(out)
    return labelled


def flatten(outputs: list) -> dict[str, list]:
    """A cell's outputs as nbval compares them: one list of values per key (stream name or MIME type)."""
    import copy

    from nbval.plugin import coalesce_streams, transform_streams_for_comparison

    outputs = copy.deepcopy(label_glue(outputs))  # coalesce_streams joins stream texts in place
    skip = {
        "metadata",
        "traceback",
        "prompt_number",
        "output_type",
        "name",
        "execution_count",
        "application/vnd.jupyter.widget-view+json",
        "image/png",
        "image/jpeg",
        *IMAGE_KEYS,
    }
    flat: dict[str, list] = {}
    for out in transform_streams_for_comparison(coalesce_streams(outputs)):
        for key, value in out.items():
            if key in skip:
                continue
            if key == "data":
                for mime, data in value.items():
                    if mime not in skip:
                        flat.setdefault(mime, []).append(data)
            else:
                flat.setdefault(key, []).append(value)
    return flat


def install() -> None:
    """Make nbval compare numbers with tolerance and skip glued images (called from conftest)."""
    from nbval import plugin

    cell_cls, file_cls = plugin.IPyNbCell, plugin.IPyNbFile
    if getattr(cell_cls, "_numbers_tolerant", False):
        return
    # nbval calls super(IPyNbCell, self) by global name, so subclasses put in its place would
    # recurse: wrap the three methods on its own classes instead.
    file_init, cell_sanitize, cell_format, cell_compare = (
        file_cls.__init__,
        cell_cls.sanitize,
        cell_cls.format_output_compare,
        cell_cls.compare_outputs,
    )

    def __init__(self, *args, **kwargs):
        file_init(self, *args, **kwargs)
        self.skip_compare = tuple(self.skip_compare) + IMAGE_KEYS

    def sanitize(self, s):
        s = cell_sanitize(self, s)
        return Output(s, tolerance_of(self.cell.metadata)) if isinstance(s, str) else s

    def format_output_compare(self, key, left, right):
        cell_format(self, key, left, right)
        why = getattr(left, "why", None) or getattr(right, "why", None)
        if why:
            self.comparison_traceback.append(why)

    def compare_outputs(self, test, ref, skip_compare=None):
        return cell_compare(self, label_glue(test), label_glue(ref), skip_compare)

    file_cls.__init__ = __init__
    cell_cls.sanitize = sanitize
    cell_cls.format_output_compare = format_output_compare
    cell_cls.compare_outputs = compare_outputs
    cell_cls._numbers_tolerant = True


def pytest_configure(config):
    """Used as a plugin (``pytest -p nbcompare``), install at start-up."""
    install()
