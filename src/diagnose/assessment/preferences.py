"""The client's own preferences: wanted and unwanted support, and their own goal."""

from __future__ import annotations

from typing import Literal

from pydantic import model_validator

from diagnose._base import Identifier, NonEmptyText, Record

__all__ = ["PreferenceItem", "Preferences"]


class PreferenceItem(Record):
    """An intervention the client wants or does not want, with their reason in their words.

    Examples:
        >>> PreferenceItem(intervention="volunteer_work", reason="liever iets met mensen").reason
        'liever iets met mensen'
    """

    intervention: Identifier
    reason: NonEmptyText | None = None


class Preferences(Record):
    """The client's own preferences and goal; they change the order of advice, not its evidence.

    Examples:
        >>> import diagnose
        >>> answers = {"se_1": 1, "se_2": 1, "se_3": 2, "mo_1": 1, "mo_2": 2, "mo_3": 5}
        >>> [r.intervention for r in diagnose.assess(answers).recommendations]
        ['group_job_search_course', 'motivational_interviewing', 'success_experiences']
        >>> wish = PreferenceItem(intervention="success_experiences", reason="eerst iets doen")
        >>> prefs = Preferences(wanted=(wish,))
        >>> [r.intervention for r in diagnose.assess(answers, preferences=prefs).recommendations]
        ['success_experiences', 'group_job_search_course', 'motivational_interviewing']
    """

    wanted: tuple[PreferenceItem, ...] = ()
    unwanted: tuple[PreferenceItem, ...] = ()
    own_goal: NonEmptyText | None = None

    @model_validator(mode="after")
    def _not_both(self) -> Preferences:
        both = {p.intervention for p in self.wanted} & {p.intervention for p in self.unwanted}
        if both:
            raise ValueError(f"wanted and unwanted at once: {sorted(both)}")
        return self

    def stance(self, intervention: str) -> tuple[Literal["wanted", "neutral", "unwanted"], str | None]:
        """Whether the client wants an intervention, and their reason."""
        for kind, items in (("wanted", self.wanted), ("unwanted", self.unwanted)):
            for item in items:
                if item.intervention == intervention:
                    return kind, item.reason  # type: ignore[return-value]  # "wanted" or "unwanted"
        return "neutral", None


def __dir__() -> list[str]:
    """The public names, as `__all__` lists them (for completion in editors and shells)."""
    return list(__all__)
