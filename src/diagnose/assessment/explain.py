"""A plain-language explanation of a diagnosis, for the client: what was measured, advised and why.

`explain` writes a short text (Dutch at language level B1, or English) from the knowledge base's
own texts: the factor and intervention names, the rules' texts for the client (`Rule.explanation`,
or the rule's rationale, written for professionals, where a rule has none), the answer reasons.
Only the sentence frames around them are fixed here, in both languages. It says what was measured, what
stood out, what is advised first and why, what the client said they want and how that counted,
what would change each advice (`what_would_change`), what was not measured, and that the client
and the professional decide together. It names no rule or factor by its id.

"What would change" is stated as a fact about the profile ("if your score for X were medium or
high, this advice would no longer apply"), never as advice to answer differently.
"""

from __future__ import annotations

import textwrap
from typing import TYPE_CHECKING

from diagnose.assessment._changes import (
    MAX_FACTORS,
    Alternative,
    InterventionChange,
    LevelChange,
    MissingFactor,
    UndecidedChange,
    WhatWouldChange,
    check_fits,
    what_would_change,
)
from diagnose.errors import ExplainError

if TYPE_CHECKING:
    from diagnose._base import Language
    from diagnose.assessment.recommendation import Diagnosis, Recommendation
    from diagnose.knowledge._base import KnowledgeBase

__all__ = [
    "Alternative",
    "InterventionChange",
    "LevelChange",
    "MissingFactor",
    "UndecidedChange",
    "WhatWouldChange",
    "explain",
    "what_would_change",
]

#: The width the text is wrapped to.
WIDTH = 78
#: Ways out of one advice shown in the text (the typed result has them all).
SHOWN_ALTERNATIVES = 2

_WORDS: dict[Language, dict[str, str]] = {
    "nl": {
        "title": "Uw advies",
        "measured": "Wat we hebben gemeten",
        "measured_intro": "U beantwoordde vragen over deze onderwerpen. Per onderwerp ziet u uw score:",
        "nothing_measured": "Er zijn te weinig antwoorden om iets te meten.",
        "stood_out": "Wat opviel",
        "low": "Bij {names} is uw score laag. Daar gaat het advies vooral over.",
        "none_low": "Geen van de gemeten onderwerpen heeft een lage score.",
        "advice": "Wat we adviseren",
        "no_advice": "Uit deze antwoorden volgt nog geen advies.",
        "why": "Waarom: {text}",
        "first": "Het eerste advies is het belangrijkste.",
        "change": "Als uw score bij {parts} was, zou dit advies vervallen.",
        "change_part": "{name} {levels}",
        "and": " en ",
        "or": " of ",
        "instead": "Dan zou {names} worden geadviseerd.",
        "wishes": "Wat u zelf wilt",
        "goal": 'Uw eigen doel: "{goal}".',
        "wanted": "U zei dat u {name} graag wilt.",
        "wanted_reason": 'U zei dat u {name} graag wilt: "{reason}".',
        "unwanted": "U zei dat u {name} liever niet wilt.",
        "unwanted_reason": 'U zei dat u {name} liever niet wilt: "{reason}".',
        "moved_up": "Daarom staat dit advies hoger in de lijst.",
        "moved_down": "Daarom staat dit advies lager in de lijst. U kunt er samen over praten.",
        "not_advised": "Dit volgt niet uit de antwoorden. U kunt het met uw klantmanager bespreken.",
        "no_wishes": "U heeft nog niet gezegd wat u zelf wilt. Dat kunt u in het gesprek vertellen.",
        "not_measured": "Wat we niet hebben gemeten",
        "all_measured": "Alle onderwerpen zijn gemeten.",
        "too_few": "{name}: er zijn te weinig antwoorden.",
        "declined": "Een deel van de vragen wilde u liever niet beantwoorden. Dat mag.",
        "unknown": "Op een deel van de vragen wist u het antwoord niet.",
        "not_asked": "Een deel van de vragen is niet gesteld.",
        "open": "Daarom weten we niet of {names} bij u past.",
        "open_many": "Daarom weten we niet of {names} bij u passen.",
        "silent": "Daarover zegt dit advies niets.",
        "decide": "Wie beslist",
        "together": (
            "Dit advies is een hulpmiddel, geen besluit. U en uw klantmanager bespreken het. "
            "Daarna beslist u samen wat u gaat doen."
        ),
    },
    "en": {
        "title": "Your advice",
        "measured": "What we measured",
        "measured_intro": "You answered questions on these topics. For each topic you see your score:",
        "nothing_measured": "There are too few answers to measure anything.",
        "stood_out": "What stood out",
        "low": "Your score is low for {names}. The advice is mostly about that.",
        "none_low": "None of the topics measured has a low score.",
        "advice": "What we advise",
        "no_advice": "These answers do not lead to any advice yet.",
        "why": "Why: {text}",
        "first": "The first advice matters most.",
        "change": "If your score for {parts}, this advice would no longer apply.",
        "change_part": "{name} were {levels}",
        "and": " and ",
        "or": " or ",
        "instead": "Then {names} would be advised.",
        "wishes": "What you want yourself",
        "goal": 'Your own goal: "{goal}".',
        "wanted": "You said you would like {name}.",
        "wanted_reason": 'You said you would like {name}: "{reason}".',
        "unwanted": "You said you would rather not have {name}.",
        "unwanted_reason": 'You said you would rather not have {name}: "{reason}".',
        "moved_up": "That is why this advice comes higher in the list.",
        "moved_down": "That is why this advice comes lower in the list. You can talk about it together.",
        "not_advised": "It does not follow from the answers. You can discuss it with your client manager.",
        "no_wishes": "You have not yet said what you want yourself. You can say so in the meeting.",
        "not_measured": "What we did not measure",
        "all_measured": "Every topic was measured.",
        "too_few": "{name}: there are too few answers.",
        "declined": "You preferred not to answer some of the questions. That is fine.",
        "unknown": "You did not know the answer to some of the questions.",
        "not_asked": "Some of the questions were not asked.",
        "open": "So we do not know whether {names} would suit you.",
        "open_many": "So we do not know whether {names} would suit you.",
        "silent": "This advice says nothing about it.",
        "decide": "Who decides",
        "together": (
            "This advice is a tool, not a decision. You and your client manager talk it through. "
            "Then you decide together what you will do."
        ),
    },
}
LEVEL_WORDS: dict[Language, dict[str, str]] = {
    "nl": {"low": "laag", "medium": "midden", "high": "hoog", "not_assessed": "niet gemeten"},
    "en": {"low": "low", "medium": "medium", "high": "high", "not_assessed": "not measured"},
}


def _check_language(lang: object) -> Language:
    if lang in ("nl", "en"):  # a tuple: a list (unhashable) is refused, not a TypeError
        return lang
    raise ExplainError(f"lang: expected 'nl' or 'en', got {lang!r}")


def _names(names: list[str], lang: Language) -> str:
    """`a`, `a en b`, `a, b en c`."""
    joiner = _WORDS[lang]["and"]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + joiner + names[-1]


class _Writer:
    """The text, paragraph by paragraph, wrapped to WIDTH."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    def heading(self, text: str) -> None:
        if self.lines:
            self.lines.append("")
        self.lines.append(text)

    def paragraph(self, text: str, indent: str = "") -> None:
        self.lines += textwrap.wrap(text, WIDTH, initial_indent=indent, subsequent_indent=" " * len(indent))

    def item(self, marker: str, text: str) -> None:
        self.lines += textwrap.wrap(text, WIDTH, initial_indent=marker, subsequent_indent=" " * len(marker))

    def text(self) -> str:
        return "\n".join(self.lines) + "\n"


def change_sentence(kb: KnowledgeBase, alternative: Alternative, lang: Language) -> str:
    """One smallest change as a sentence: "Als uw score bij Geloof in eigen kunnen midden was, ..."."""
    words = _WORDS[lang]
    levels = LEVEL_WORDS[lang]
    parts = [
        words["change_part"].format(
            name=kb.factors[c.factor].name.get(lang), levels=words["or"].join(levels[lv] for lv in c.levels)
        )
        for c in alternative.changes
    ]
    # "bij A laag en bij B hoog", "for A were low and for B were high": the frame has the first.
    parts = [parts[0], *(("bij " if lang == "nl" else "for ") + p for p in parts[1:])]
    sentence = words["change"].format(parts=words["and"].join(parts))
    if alternative.also_added:
        names = [kb.interventions[i].name.get(lang) for i in alternative.also_added]
        sentence += " " + words["instead"].format(names=_names(names, lang))
    return sentence


def why(kb: KnowledgeBase, rec: Recommendation, lang: Language) -> str:
    """Why an advice is given, for the client: each of its rules' explanation, said once.

    A rule without an explanation gives its rationale instead (written for professionals).
    """
    texts: list[str] = []
    for rule_id in rec.rules:
        rule = kb.rules_by_id[rule_id]
        text = (rule.explanation or rule.rationale).get(lang)
        if text not in texts:
            texts.append(text)
    return " ".join(texts)


def _measured(out: _Writer, kb: KnowledgeBase, d: Diagnosis, lang: Language) -> list[str]:
    words, levels = _WORDS[lang], LEVEL_WORDS[lang]
    out.heading(words["measured"])
    measured = [(f, s) for f, s in d.profile.scores.items() if s.level != "not_assessed"]
    if not measured:
        out.paragraph(words["nothing_measured"])
        return []
    out.paragraph(words["measured_intro"])
    for factor, result in measured:
        out.item("- ", f"{kb.factors[factor].name.get(lang)}: {levels[result.level]}")
    out.heading(words["stood_out"])
    low = [kb.factors[f].name.get(lang) for f, s in measured if s.level == "low"]
    out.paragraph(words["low"].format(names=_names(low, lang)) if low else words["none_low"])
    return low


def _advice(out: _Writer, kb: KnowledgeBase, d: Diagnosis, changes: WhatWouldChange, lang: Language) -> None:
    words = _WORDS[lang]
    out.heading(words["advice"])
    if not d.recommendations:
        out.paragraph(words["no_advice"])
        return
    if len(d.recommendations) > 1:
        out.paragraph(words["first"])
    removals = {c.intervention: c for c in changes.removals}
    later_said = False
    for rank, rec in enumerate(d.recommendations, start=1):
        if rec.phase == "later" and rec.phase_reason is not None and not later_said:
            out.paragraph(rec.phase_reason.get(lang))  # the knowledge base's words, once
            later_said = True
        marker = f"{rank}. "
        out.item(marker, kb.interventions[rec.intervention].name.get(lang))
        out.paragraph(words["why"].format(text=why(kb, rec, lang)), " " * len(marker))
        for alternative in removals[rec.intervention].alternatives[:SHOWN_ALTERNATIVES]:
            out.paragraph(change_sentence(kb, alternative, lang), " " * len(marker))


def _wishes(out: _Writer, kb: KnowledgeBase, d: Diagnosis, lang: Language) -> None:
    words = _WORDS[lang]
    out.heading(words["wishes"])
    prefs = d.preferences
    if prefs is None or not (prefs.wanted or prefs.unwanted or prefs.own_goal):
        out.paragraph(words["no_wishes"])
        return
    if prefs.own_goal:
        out.paragraph(words["goal"].format(goal=prefs.own_goal))
    advised = {r.intervention for r in d.recommendations}
    for kind, items in (("wanted", prefs.wanted), ("unwanted", prefs.unwanted)):
        for item in items:
            name = kb.interventions[item.intervention].name.get(lang)
            said = words[kind + ("_reason" if item.reason else "")].format(name=name, reason=item.reason)
            if item.intervention in advised:
                follow = words["moved_up" if kind == "wanted" else "moved_down"]
            else:
                follow = words["not_advised"] if kind == "wanted" else ""
            out.paragraph(f"{said} {follow}".strip())


def _not_measured(
    out: _Writer, kb: KnowledgeBase, d: Diagnosis, changes: WhatWouldChange, lang: Language
) -> None:
    words = _WORDS[lang]
    out.heading(words["not_measured"])
    missing = [f for f, s in d.profile.scores.items() if s.level == "not_assessed"]
    if not missing:
        out.paragraph(words["all_measured"])
        return
    open_by_factor: dict[str, list[str]] = {}
    for undecided in changes.undecided:
        if undecided.advised:
            continue
        for missing_factor in undecided.factors:
            names = open_by_factor.setdefault(missing_factor.factor, [])
            name = kb.interventions[undecided.intervention].name.get(lang)
            if name not in names:
                names.append(name)
    for factor in missing:
        reasons = set(d.profile.scores[factor].missing_reasons.values())
        parts = [words["too_few"].format(name=kb.factors[factor].name.get(lang))]
        parts += [words[r] for r in ("declined", "unknown") if r in reasons]
        if reasons == {"not_asked"}:
            parts.append(words["not_asked"])
        interventions = open_by_factor.get(factor)
        if interventions:
            key = "open" if len(interventions) == 1 else "open_many"
            parts.append(words[key].format(names=_names(interventions, lang)))
        else:
            parts.append(words["silent"])
        out.item("- ", " ".join(parts))


def explain(
    diagnosis: Diagnosis,
    *,
    knowledge_base: KnowledgeBase,
    lang: Language = "nl",
    changes: WhatWouldChange | None = None,
) -> str:
    """A short text for the client that explains the diagnosis, in Dutch (B1) or English.

    What was measured, what stood out, what is advised first and why, what would change each
    advice, what the client said they want and how that counted, what was not measured, and that
    the client and the professional decide together. Built from the knowledge base's own texts;
    deterministic; no ids.

    Args:
        diagnosis: What `assess` returned.
        knowledge_base: The knowledge base that made it.
        lang: `nl` or `en`.
        changes: What `what_would_change` returned for it (computed when None).

    Returns:
        Plain text, wrapped to 78 characters, ending in a newline.

    Raises:
        ExplainError: the diagnosis was made with another knowledge base, or `lang` is not `nl`
            or `en`.

    Examples:
        >>> import diagnose
        >>> kb = diagnose.load_knowledge_base()
        >>> d = diagnose.assess({"se_1": 1, "se_2": 2, "se_3": 1, "mo_1": 5, "mo_2": 4}, knowledge_base=kb)
        >>> text = explain(d, knowledge_base=kb)
        >>> print(text.splitlines()[0])
        Uw advies
        >>> "Als uw score bij Geloof in eigen kunnen midden of hoog was" in " ".join(text.split())
        True
    """
    language = _check_language(lang)
    check_fits(diagnosis, knowledge_base)
    if changes is None:
        changes = what_would_change(diagnosis, knowledge_base=knowledge_base, max_factors=MAX_FACTORS)
    kb, words = knowledge_base, _WORDS[language]
    out = _Writer()
    out.paragraph(words["title"])
    _measured(out, kb, diagnosis, language)
    _advice(out, kb, diagnosis, changes, language)
    _wishes(out, kb, diagnosis, language)
    _not_measured(out, kb, diagnosis, changes, language)
    out.heading(words["decide"])
    out.paragraph(words["together"])
    return out.text()


def __dir__() -> list[str]:
    """The public names, as `__all__` lists them (for completion in editors and shells)."""
    return list(__all__)
