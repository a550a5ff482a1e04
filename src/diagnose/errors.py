"""The error tree: every bad input raises a subclass of `DiagnoseError` that says where and what.

Errors carry their problems as data (file, line, column, path or item id) as well as a readable
message, so that an application can show them next to the field they concern.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass

__all__ = [
    "AnswerError",
    "AnswerProblem",
    "ChartError",
    "CycleError",
    "DiagnoseError",
    "EngineError",
    "EngineUnavailableError",
    "ExplainError",
    "KnowledgeBaseError",
    "KnowledgeBaseProblem",
    "QualityError",
]


class DiagnoseError(Exception):
    """Base class of every error that diagnose raises on purpose.

    Examples:
        >>> import diagnose
        >>> issubclass(diagnose.AnswerError, diagnose.DiagnoseError)
        True
    """


@dataclass(frozen=True, slots=True)
class KnowledgeBaseProblem:
    """One problem in a knowledge base, located in its file.

    Attributes:
        file: The file, relative to the knowledge base folder (`recommend/health.yaml`).
        line: 1-based line of the offending node, or 0 when the file itself is the problem (then
            the problem renders as `file: message`, without a position).
        column: 1-based column of the offending node, or 0 when unknown.
        path: Where in the document, as `rules[3].when.factor` (empty for the whole file).
        message: What was expected, with a suggestion where one can be made.

    Examples:
        >>> p = KnowledgeBaseProblem("instrument.yaml", 3, 5, "factors[0].id", "must not be empty")
        >>> str(p)
        'instrument.yaml:3:5: factors[0].id: must not be empty'
    """

    file: str
    line: int
    column: int
    path: str
    message: str

    def __str__(self) -> str:
        """Render as `file:line:col: path: message` (`file: message` when the whole file is meant)."""
        where = f"{self.file}:{self.line}:{self.column}" if self.line else self.file
        return f"{where}: {self.path}: {self.message}" if self.path else f"{where}: {self.message}"


class KnowledgeBaseError(DiagnoseError, ValueError):
    """A knowledge base could not be loaded; `problems` lists every problem found, not only the first.

    Examples:
        >>> err = KnowledgeBaseError([KnowledgeBaseProblem("a.yaml", 1, 1, "", "empty file")])
        >>> str(err)
        'a.yaml:1:1: empty file'
    """

    def __init__(self, problems: list[KnowledgeBaseProblem] | tuple[KnowledgeBaseProblem, ...]) -> None:
        """Create the error from one or more located problems."""
        self.problems: tuple[KnowledgeBaseProblem, ...] = tuple(problems)
        super().__init__("\n".join(str(p) for p in self.problems))

    def __reduce__(
        self,
    ) -> tuple[type[KnowledgeBaseError], tuple[tuple[KnowledgeBaseProblem, ...]]]:
        """Pickle by the problems, so the error survives a process pool."""
        return (type(self), (self.problems,))


@dataclass(frozen=True, slots=True)
class AnswerProblem:
    """One problem in an intake: which answer or context field, and what was expected.

    Attributes:
        where: `item` for an answer, `context` for a context field.
        key: The item id or context field as given.
        message: What was wrong and what is allowed.

    Examples:
        >>> str(AnswerProblem("item", "se_9", "unknown item"))
        "item 'se_9': unknown item"
    """

    where: str
    key: str
    message: str

    def __str__(self) -> str:
        """Render as `item 'se_1': message`."""
        return f"{self.where} {self.key!r}: {self.message}"


class AnswerError(DiagnoseError, ValueError):
    """The answers (or context) of an intake do not fit the knowledge base; nothing was scored.

    `problems` lists every problem found; `item` is the key of the first one, for convenience.

    Examples:
        >>> err = AnswerError([AnswerProblem("item", "se_1", "expected a whole number from 1 to 5, got 7")])
        >>> err.item
        'se_1'
    """

    def __init__(self, problems: list[AnswerProblem] | tuple[AnswerProblem, ...]) -> None:
        """Create the error from one or more problems."""
        self.problems: tuple[AnswerProblem, ...] = tuple(problems)
        self.item: str = self.problems[0].key if self.problems else ""
        if len(self.problems) == 1:
            message = str(self.problems[0])
        else:
            lines = "\n".join(f"  {p}" for p in self.problems)
            message = f"{len(self.problems)} problems in the intake:\n{lines}"
        super().__init__(message)

    def __reduce__(self) -> tuple[type[AnswerError], tuple[tuple[AnswerProblem, ...]]]:
        """Pickle by the problems."""
        return (type(self), (self.problems,))


class EngineUnavailableError(DiagnoseError, RuntimeError):
    """The durable-rules engine cannot be imported on this Python; says why and what to do.

    Examples:
        >>> "durable-rules" in str(EngineUnavailableError("undefined symbol: PyEval_CallObject"))
        True
    """

    def __init__(self, reason: str) -> None:
        """Create the error from the import failure's own message."""
        self.reason = reason
        version = ".".join(str(n) for n in sys.version_info[:3])
        super().__init__(
            f"the durable-rules engine cannot be loaded on Python {version}: {reason}. "
            "durable-rules 2.0.28 runs on Python 3.11 and 3.12; on 3.13 reinstall it with "
            "CPPFLAGS=-DPyEval_CallObject=PyObject_CallObject "
            "pip install --no-cache-dir --force-reinstall --no-binary durable-rules durable-rules==2.0.28"
        )

    def __reduce__(self) -> tuple[type[EngineUnavailableError], tuple[str]]:
        """Pickle by the reason."""
        return (type(self), (self.reason,))


class EngineError(DiagnoseError, RuntimeError):
    """The rule engine answered in a way it never should; a bug, reported with what it said.

    `code` is durable-rules' result code when it gave one (see docs/errors.md), else None.

    Examples:
        >>> err = EngineError("durable-rules answered code 303 (stack limit reached) to facts", code=303)
        >>> err.code
        303
    """

    def __init__(self, message: str, *, code: int | None = None) -> None:
        """Create the error from its message and durable's result code, if any."""
        self.code = code
        super().__init__(message)

    def __reduce__(self) -> tuple[type[EngineError], tuple[str], dict[str, int | None]]:
        """Pickle with the code, so the error survives a process pool."""
        return (type(self), (str(self),), {"code": self.code})


class CycleError(DiagnoseError, ValueError):
    """Diagnoses, decisions, a plan or measurements do not belong together: says what and where.

    Raised by every function of the cycle (`build_plan`, `compare`, `review`, `evaluate`,
    `caseload_indicators`) when its inputs come from another knowledge base, are dated out of
    order, name an unknown factor or intervention, or carry a score off its factor's scale.

    Examples:
        >>> str(CycleError("decision 1: unknown intervention 'x'"))
        "decision 1: unknown intervention 'x'"
    """


class ChartError(DiagnoseError, ValueError):
    """A chart cannot be drawn: a profile that does not fit the knowledge base, or a bad option.

    Examples:
        >>> import diagnose
        >>> kb = diagnose.load_knowledge_base()
        >>> profile = diagnose.assess({"mo_1": 4, "mo_2": 4}).profile
        >>> try:
        ...     diagnose.profile_chart(kb, profile, size=0)
        ... except ChartError as err:
        ...     print(err)
        size must be a positive whole number of pixels, got 0
    """


class StoreError(DiagnoseError, ValueError):
    """A caseload store refuses a step, cannot be opened, or was changed behind its back.

    Raised by `diagnose.open_caseload` and every method of a `Caseload`: a step out of order
    (a plan before the intake, a measurement dated before the plan), a diagnosis from another
    knowledge base, an unknown or erased client, a client id that looks like a name or a citizen
    service number, a store made by a newer version, and by `Caseload.verify` for the first event
    that was changed or removed. Nothing is written when it is raised.

    Examples:
        >>> str(StoreError("unknown client 'c-9': record its intake first"))
        "unknown client 'c-9': record its intake first"
    """


class QualityError(DiagnoseError, ValueError):
    """Input to the quality report or the fairness audit that does not fit: says where and what.

    Raised by `diagnose.instrument_quality` and `diagnose.fairness_audit` (and their commands) for
    rows made for another knowledge base, an unknown item or a bad answer (with its row), a group
    attribute among the answers, and outcomes, groups or decisions that do not line up with the
    rows or diagnoses. Nothing is computed when it is raised.

    Examples:
        >>> str(QualityError("groups: 9 values for 10 diagnoses; give one per diagnosis, in order"))
        'groups: 9 values for 10 diagnoses; give one per diagnosis, in order'
    """


class ExplainError(DiagnoseError, ValueError):
    """A diagnosis cannot be explained: another knowledge base made it, or a bad option.

    Raised by `explain`, `what_would_change` and `next_questions` (for their options; bad answers
    raise `AnswerError`).

    Examples:
        >>> str(ExplainError("language: expected 'nl' or 'en', got 'de'"))
        "language: expected 'nl' or 'en', got 'de'"
    """


def __dir__() -> list[str]:
    """The public names, as `__all__` lists them (for completion in editors and shells)."""
    return list(__all__)
