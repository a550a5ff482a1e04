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
from diagnose.assessment.explain import (
    Alternative,
    InterventionChange,
    LevelChange,
    MissingFactor,
    UndecidedChange,
    WhatWouldChange,
    explain,
    what_would_change,
)
from diagnose.assessment.preferences import PreferenceItem, Preferences
from diagnose.assessment.recommendation import (
    Diagnosis,
    Evidence,
    FiredRule,
    Recommendation,
    Trace,
    UndecidedRule,
    assess,
)
from diagnose.assessment.scoring import FactorScore, Intake, ItemScore, Profile
from diagnose.assessment.warnings import AnswerWarning
from diagnose.batch._many import assess_many, assess_many_json
from diagnose.chart import profile_chart
from diagnose.cycle.evaluation import CaseloadIndicators, EvaluationReport, caseload_indicators, evaluate
from diagnose.cycle.monitoring import Comparison, Review, Suggestion, compare, review
from diagnose.cycle.plan import Decision, Goal, Plan, build_plan
from diagnose.cycle.trajectory import Trajectory
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
    QualityError,
    StoreError,
)
from diagnose.knowledge._base import KnowledgeBase
from diagnose.knowledge._load import default_knowledge_base_path, iter_errors, load_knowledge_base
from diagnose.knowledge._models import ContextField, Factor, Intervention, Item, Scale

if TYPE_CHECKING:
    from diagnose.assessment.questions import NextQuestions, Question, next_questions
    from diagnose.quality import (
        AuditFlag,
        FactorQuality,
        FactorValidity,
        FairnessAudit,
        InstrumentQuality,
        ItemQuality,
        QualityWarning,
        fairness_audit,
        instrument_quality,
    )
    from diagnose.store import Caseload, open_caseload

__version__ = "0.1.0"

__all__ = [
    "Alternative",
    "AnswerError",
    "AnswerProblem",
    "AnswerWarning",
    "AuditFlag",
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
    "Evidence",
    "ExplainError",
    "Factor",
    "FactorQuality",
    "FactorScore",
    "FactorValidity",
    "FairnessAudit",
    "FiredRule",
    "Goal",
    "InstrumentQuality",
    "Intake",
    "Intervention",
    "InterventionChange",
    "Item",
    "ItemQuality",
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
    "QualityError",
    "QualityWarning",
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
    "fairness_audit",
    "instrument_quality",
    "iter_errors",
    "load_knowledge_base",
    "next_questions",
    "open_caseload",
    "profile_chart",
    "review",
    "what_would_change",
]


_QUALITY = frozenset(
    {
        "AuditFlag",
        "FactorQuality",
        "FactorValidity",
        "FairnessAudit",
        "InstrumentQuality",
        "ItemQuality",
        "QualityWarning",
        "fairness_audit",
        "instrument_quality",
    }
)


_QUESTIONS = frozenset({"NextQuestions", "Question", "next_questions"})


def __getattr__(name: str) -> object:
    """The store (SQLAlchemy), the quality report (numpy) and next questions (SAT) load on first use."""
    if name in {"Caseload", "open_caseload"}:
        from diagnose import store  # noqa: PLC0415 - a lazy import is the point

        return getattr(store, name)
    if name in _QUESTIONS:
        from diagnose.assessment import questions  # noqa: PLC0415 - a lazy import is the point

        return getattr(questions, name)
    if name in _QUALITY:
        from diagnose import quality  # noqa: PLC0415 - a lazy import is the point

        return getattr(quality, name)
    raise AttributeError(f"module 'diagnose' has no attribute {name!r}")


def __dir__() -> list[str]:
    """The public names, as `__all__` lists them (for completion in editors and shells)."""
    return list(__all__)
