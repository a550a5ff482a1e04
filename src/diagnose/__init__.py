"""diagnose: an evidence-based intake instrument for Work & Income, as a library.

It scores intake answers against factors that research links to finding work, applies
declarative rules (executed by durable-rules) to suggest support, and returns typed
recommendations that explain themselves. It chooses support; it never ranks, profiles or
sanctions people, and a professional decides.

Examples:
    >>> import diagnose
    >>> d = diagnose.assess({"se_1": 1, "se_2": 2, "se_3": 1, "mo_1": 5, "mo_2": 4, "mo_3": 1})
    >>> d.recommendations[0].intervention
    'success_experiences'
"""

from typing import TYPE_CHECKING

from diagnose._base import LocalizedText
from diagnose.batch import assess_many, assess_many_json
from diagnose.chart import profile_chart
from diagnose.errors import (
    AnswerError,
    AnswerProblem,
    ChartError,
    CycleError,
    DiagnoseError,
    EngineError,
    EngineUnavailableError,
    ExplainError,
    KnowledgeBaseError,
    KnowledgeBaseProblem,
    StoreError,
)
from diagnose.evaluation import (
    CaseloadIndicators,
    EvaluationReport,
    Trajectory,
    caseload_indicators,
    evaluate,
)
from diagnose.explain import (
    Alternative,
    InterventionChange,
    LevelChange,
    MissingFactor,
    UndecidedChange,
    WhatWouldChange,
    explain,
    what_would_change,
)
from diagnose.knowledge import (
    ContextField,
    Factor,
    Intervention,
    Item,
    KnowledgeBase,
    Scale,
    default_knowledge_base_path,
    iter_errors,
    load_knowledge_base,
)
from diagnose.monitoring import Comparison, Review, Suggestion, compare, review
from diagnose.plan import Decision, Goal, Plan, PreferenceItem, Preferences, build_plan
from diagnose.questions import NextQuestions, Question, next_questions
from diagnose.recommendation import (
    Diagnosis,
    FiredRule,
    Recommendation,
    Trace,
    UndecidedRule,
    assess,
)
from diagnose.scoring import FactorScore, Intake, ItemScore, Profile

if TYPE_CHECKING:
    from diagnose.store import Caseload, open_caseload

__version__ = "0.1.0"

__all__ = [
    "Alternative",
    "AnswerError",
    "AnswerProblem",
    "Caseload",
    "CaseloadIndicators",
    "ChartError",
    "Comparison",
    "ContextField",
    "CycleError",
    "Decision",
    "DiagnoseError",
    "Diagnosis",
    "EngineError",
    "EngineUnavailableError",
    "EvaluationReport",
    "ExplainError",
    "Factor",
    "FactorScore",
    "FiredRule",
    "Goal",
    "Intake",
    "Intervention",
    "InterventionChange",
    "Item",
    "ItemScore",
    "KnowledgeBase",
    "KnowledgeBaseError",
    "KnowledgeBaseProblem",
    "LevelChange",
    "LocalizedText",
    "MissingFactor",
    "NextQuestions",
    "Plan",
    "PreferenceItem",
    "Preferences",
    "Profile",
    "Question",
    "Recommendation",
    "Review",
    "Scale",
    "StoreError",
    "Suggestion",
    "Trace",
    "Trajectory",
    "UndecidedChange",
    "UndecidedRule",
    "WhatWouldChange",
    "__version__",
    "assess",
    "assess_many",
    "assess_many_json",
    "build_plan",
    "caseload_indicators",
    "compare",
    "default_knowledge_base_path",
    "evaluate",
    "explain",
    "iter_errors",
    "load_knowledge_base",
    "next_questions",
    "open_caseload",
    "profile_chart",
    "review",
    "what_would_change",
]


def __dir__() -> list[str]:
    return list(__all__)


def __getattr__(name: str) -> object:
    """The store (and SQLAlchemy with it) is imported on first use, not with the package."""
    if name in {"Caseload", "open_caseload"}:
        from diagnose import store  # noqa: PLC0415 - a lazy import is the point

        return getattr(store, name)
    raise AttributeError(f"module 'diagnose' has no attribute {name!r}")
