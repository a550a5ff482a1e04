"""Check the instrument on your own caseload: a quality report and a fairness audit.

`instrument_quality` reports reliability per factor (Cronbach's alpha with Feldt's interval,
McDonald's omega), how each item behaves, and, where outcomes are given, how well each factor
separates them. `fairness_audit` compares advice and decisions between groups that the
municipality supplies separately (the groups never enter an intake, a rule or a diagnosis),
suppresses small groups, compares groups at equal factor levels and looks for items that behave
differently per group. Both validate the *instrument*; neither scores, ranks or selects people.

Needs the `quality` extra: `pip install "diagnose[quality]"`.
"""

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from diagnose.quality._audit import fairness_audit
    from diagnose.quality._instrument import (
        FactorQuality,
        InstrumentQuality,
        ItemQuality,
        QualityWarning,
        instrument_quality,
    )
    from diagnose.quality._models import AuditFlag, DecisionRate, FairnessAudit, ItemFunctioning, Rate
    from diagnose.quality._validity import FactorValidity, LevelRate, SuggestedThresholds

__all__ = [
    "AuditFlag",
    "DecisionRate",
    "FactorQuality",
    "FactorValidity",
    "FairnessAudit",
    "InstrumentQuality",
    "ItemFunctioning",
    "ItemQuality",
    "LevelRate",
    "QualityWarning",
    "Rate",
    "SuggestedThresholds",
    "fairness_audit",
    "instrument_quality",
]

#: Where each name lives; the modules (and numpy, pandas, statsmodels) load on first use, so that
#: the `diagnose` command starts without them.
_HOMES = {
    "AuditFlag": "_models",
    "DecisionRate": "_models",
    "FairnessAudit": "_models",
    "ItemFunctioning": "_models",
    "Rate": "_models",
    "fairness_audit": "_audit",
    "FactorQuality": "_instrument",
    "InstrumentQuality": "_instrument",
    "ItemQuality": "_instrument",
    "QualityWarning": "_instrument",
    "instrument_quality": "_instrument",
    "FactorValidity": "_validity",
    "LevelRate": "_validity",
    "SuggestedThresholds": "_validity",
}


def __dir__() -> list[str]:
    return list(__all__)


def __getattr__(name: str) -> object:
    """Import a public name's module on first use."""
    if name in _HOMES:
        import importlib  # noqa: PLC0415 - a lazy import is the point

        return getattr(importlib.import_module(f"diagnose.quality.{_HOMES[name]}"), name)
    raise AttributeError(f"module 'diagnose.quality' has no attribute {name!r}")
