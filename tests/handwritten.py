"""The benchmark's hand-written floor, `bench/_handwritten.py`, loaded by its path for its test.

The test imports the very code the benchmark times (not a copy); `bench/` is no package (its
scripts are run as files), hence the load by path.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

__all__ = ["RULES", "HandWritten", "as_plain"]

_PATH = Path(__file__).parents[1] / "bench" / "_handwritten.py"
_spec = importlib.util.spec_from_file_location("_handwritten", _PATH)
assert _spec is not None
assert _spec.loader is not None
_module = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_module)

#: `bench._handwritten.HandWritten`: the packaged knowledge base's diagnosis as plain Python.
HandWritten: Any = _module.HandWritten
#: `bench._handwritten.as_plain`: a `Diagnosis` in the floor's shape.
as_plain: Any = _module.as_plain
#: `bench._handwritten.RULES`: the rules as written out there.
RULES: Any = _module.RULES
