"""Check the instrument on your own caseload: a quality report and a fairness audit.

`instrument_quality` reports reliability per factor (Cronbach's alpha with Feldt's interval,
McDonald's omega), how each item behaves, and, where outcomes are given, how well each factor
separates them. `fairness_audit` compares advice and decisions between groups that the
municipality supplies separately (the groups never enter an intake, a rule or a diagnosis),
suppresses small groups, compares groups at equal factor levels and looks for items that behave
differently per group. Both validate the *instrument*; neither scores, ranks or selects people.

Needs the `quality` extra: `pip install "diagnose[quality]"`.
"""

from diagnose.quality._audit import (
    AuditFlag,
    DecisionRate,
    FairnessAudit,
    ItemFunctioning,
    Rate,
    fairness_audit,
)
from diagnose.quality._instrument import (
    FactorQuality,
    InstrumentQuality,
    ItemQuality,
    QualityWarning,
    instrument_quality,
)
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
