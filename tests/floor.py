"""The benchmark's floor, `bench/_floor.py`, loaded by its path for the tests that use it as an oracle.

The tests import the very code the benchmark times (not a copy), so the figures in
docs/benchmarks.md compare durable-rules with rules that `tests/test_floor.py` shows to agree.
`bench/` is no package (its scripts are run as files), hence the load by path.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

__all__ = ["PythonRules"]

_PATH = Path(__file__).parents[1] / "bench" / "_floor.py"
_spec = importlib.util.spec_from_file_location("_floor", _PATH)
assert _spec is not None
assert _spec.loader is not None
_module = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_module)

#: `bench._floor.PythonRules`: the compiled rules evaluated by generated Python.
PythonRules: Any = _module.PythonRules
