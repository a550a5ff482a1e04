"""The error tree: messages, attributes, pickling, and the engine-unavailable remedy."""

from __future__ import annotations

import pickle
import sys

import pytest

import diagnose
from diagnose.engine import _durable as _engine


def test_every_error_is_a_diagnose_error_and_bad_input_is_a_value_error() -> None:
    assert issubclass(diagnose.KnowledgeBaseError, ValueError)
    assert issubclass(diagnose.AnswerError, ValueError)
    for cls in (
        diagnose.KnowledgeBaseError,
        diagnose.AnswerError,
        diagnose.EngineUnavailableError,
        diagnose.EngineError,
    ):
        assert issubclass(cls, diagnose.DiagnoseError)


@pytest.mark.parametrize(
    "error",
    [
        diagnose.KnowledgeBaseError([diagnose.KnowledgeBaseProblem("a.yaml", 2, 3, "x[0]", "bad")]),
        diagnose.AnswerError(
            [diagnose.AnswerProblem("item", "se_1", "bad"), diagnose.AnswerProblem("context", "c", "worse")]
        ),
        diagnose.EngineUnavailableError("undefined symbol: PyEval_CallObject"),
    ],
)
def test_errors_survive_pickling(error: diagnose.DiagnoseError) -> None:
    again = pickle.loads(pickle.dumps(error))  # noqa: S301 - our own object, round-tripped
    assert type(again) is type(error)
    assert str(again) == str(error)


def test_engine_unavailable_names_the_python_version_and_the_remedy(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "durable_rules_engine", None)  # makes the import fail
    version = ".".join(str(n) for n in sys.version_info[:3])
    with pytest.raises(diagnose.EngineUnavailableError) as info:
        _engine._core()
    assert str(info.value) == (
        f"the durable-rules engine cannot be loaded on Python {version}: "
        "import of durable_rules_engine halted; None in sys.modules. "
        "durable-rules 2.0.28 runs on Python 3.11 and 3.12; on 3.13 reinstall it with "
        "CPPFLAGS=-DPyEval_CallObject=PyObject_CallObject "
        "pip install --no-cache-dir --force-reinstall --no-binary durable-rules durable-rules==2.0.28"
    )


def test_answer_error_keeps_its_problems() -> None:
    with pytest.raises(diagnose.AnswerError) as info:
        diagnose.assess({"se_1": 6})
    (problem,) = info.value.problems
    assert (problem.where, problem.key) == ("item", "se_1")
