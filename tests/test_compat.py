"""What 0.1.0 offered still works after the restructure: public names, old module paths, pickles."""

from __future__ import annotations

import importlib
import pickle
import warnings
from pathlib import Path

import pytest

import diagnose
from diagnose._moved import MOVED
from diagnose.assessment.recommendation import Diagnosis
from tests.test_architecture import PUBLIC_MODULES

DATA = Path(__file__).parent / "data" / "pickles"

#: `diagnose.__all__` of 0.1.0, as released.
PUBLIC_0_1_0 = [
    "AnswerError", "AnswerProblem", "Caseload", "CaseloadIndicators", "ChartError", "Comparison",
    "ContextField", "CycleError", "Decision", "DiagnoseError", "Diagnosis", "EngineError",
    "EngineUnavailableError", "EvaluationReport", "Factor", "FactorScore", "FiredRule", "Goal", "Intake",
    "Intervention", "Item", "ItemScore", "KnowledgeBase", "KnowledgeBaseError", "KnowledgeBaseProblem",
    "LocalizedText", "Plan", "PreferenceItem", "Preferences", "Profile", "Recommendation", "Review", "Scale",
    "StoreError", "Suggestion", "Trace", "Trajectory", "UndecidedRule", "__version__", "assess",
    "assess_many", "assess_many_json", "build_plan", "caseload_indicators", "compare",
    "default_knowledge_base_path", "evaluate", "iter_errors", "load_knowledge_base", "open_caseload",
    "profile_chart", "review",
]  # fmt: skip


def test_every_public_name_of_0_1_0_is_still_exported() -> None:
    assert sorted(set(PUBLIC_0_1_0) - set(diagnose.__all__)) == []
    for name in PUBLIC_0_1_0:
        assert getattr(diagnose, name) is not None


@pytest.mark.parametrize(("old", "new"), sorted(MOVED.items()))
def test_an_old_module_path_warns_and_gives_the_same_objects(old: str, new: str) -> None:
    """The 0.1 path re-exports what it exported then, the very objects of the new module."""
    with pytest.warns(
        DeprecationWarning, match=rf"^{old} moved to {new} in diagnose 0\.2; import it from there"
    ):
        module = importlib.reload(importlib.import_module(old))
    assert module.__all__
    for name in module.__all__:
        obj = getattr(module, name)
        home = importlib.import_module(obj.__module__) if hasattr(obj, "__module__") else None
        assert home is None or getattr(home, name, obj) is obj


def test_a_diagnosis_pickled_by_0_1_0_still_loads() -> None:
    expected = Diagnosis.model_validate_json((DATA / "diagnosis-0.1.0.json").read_text(encoding="utf-8"))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # it names diagnose.recommendation, a moved path
        loaded = pickle.loads((DATA / "diagnosis-0.1.0.pickle").read_bytes())  # noqa: S301 - our own fixture
    assert loaded == expected


def test_a_diagnosis_pickled_now_names_no_moved_module() -> None:
    d = Diagnosis.model_validate_json((DATA / "diagnosis-0.1.0.json").read_text(encoding="utf-8"))
    data = pickle.dumps(d)
    assert b"diagnose.recommendation" not in data
    assert pickle.loads(data) == d  # noqa: S301 - made just above


@pytest.mark.parametrize("name", PUBLIC_MODULES)
def test_a_public_module_lists_just_its_public_names(name: str) -> None:
    module = importlib.import_module(name)
    assert dir(module) == sorted(module.__all__)
