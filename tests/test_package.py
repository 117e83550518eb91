"""The package's layout rules, checked on its source: layers import only public names of each
other, ``import lstm`` stays free of TensorFlow, and no chapter redefines what the package has."""

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "lstm"
CHAPTERS = sorted((ROOT / "chapters").glob("*.ipynb"))


def _modules():
    return sorted(PACKAGE.rglob("*.py"))


def _module_name(path):
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _resolve(path, node):
    """The absolute module name of an ``ImportFrom`` node in ``path``."""
    if node.level == 0:
        return node.module or ""
    package = _module_name(path).split(".")
    if path.name != "__init__.py":
        package = package[:-1]
    base = package[: len(package) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def _private_imports(path, source):
    """``from X import _name`` (or from a private module X) of another lstm module in ``source``."""
    offences = []
    for node in ast.walk(ast.parse(source, str(path))):
        if isinstance(node, ast.ImportFrom):
            origin = _resolve(path, node)
            if not origin.startswith("lstm") or origin == _module_name(path):
                continue
            private_module = any(part.startswith("_") for part in origin.split("."))
            for alias in node.names:
                if private_module or alias.name.startswith("_"):
                    offences.append(f"{path.relative_to(ROOT)}: from {origin} import {alias.name}")
    return offences


def test_no_module_imports_another_modules_private_names():
    assert [o for path in _modules() for o in _private_imports(path, path.read_text())] == []


def test_the_rule_above_catches_private_imports():
    fake = PACKAGE / "core" / "fake.py"
    assert len(_private_imports(fake, "from .layer import _scratch\n")) == 1
    assert len(_private_imports(fake, "from ..data._cache import load\n")) == 1
    assert _private_imports(fake, "from .layer import glorot_uniform\nfrom numpy import _core\n") == []


def test_import_lstm_loads_no_tensorflow():
    code = "import sys, lstm; print(sorted(m for m in ('tensorflow', 'keras') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.strip() == "[]"


def _public_names():
    """Every public function and class defined at the top level of a package module."""
    names = {}
    for path in _modules():
        for node in ast.parse(path.read_text()).body:
            if isinstance(node, ast.FunctionDef | ast.ClassDef) and not node.name.startswith("_"):
                names.setdefault(node.name, _module_name(path))
    return names


@pytest.mark.parametrize("notebook", CHAPTERS, ids=[p.stem for p in CHAPTERS])
def test_chapters_do_not_redefine_package_code(notebook):
    public = _public_names()
    redefined = []
    for cell in json.loads(notebook.read_text())["cells"]:
        if cell["cell_type"] != "code":
            continue
        source = "".join(cell["source"])
        lines = [ln for ln in source.splitlines() if not ln.lstrip().startswith(("%", "!"))]
        for node in ast.walk(ast.parse("\n".join(lines))):
            if isinstance(node, ast.FunctionDef | ast.ClassDef) and node.name in public:
                redefined.append(f"{node.name} (in {public[node.name]})")
        if "np.exp(-" in source:
            redefined.append("a sigmoid written with np.exp (use lstm.sigmoid)")
        if "maketrans" in source:
            redefined.append("a superscript formatter (use lstm.book.fmt)")
        if "tf.data.Dataset.from_tensor_slices" in source:
            redefined.append("a tf.data pipeline (use lstm.keras.training.to_dataset)")
    assert redefined == []
