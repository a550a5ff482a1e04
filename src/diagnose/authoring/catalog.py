"""The knowledge base as a readable catalogue (Markdown), generated so that documentation cannot drift.

`diagnose catalog --format markdown` prints it; the documentation site includes it at build time.
Conditions are rendered in words ("self-efficacy is low and motivation is medium or high").
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from diagnose._base import number
from diagnose.knowledge._tree import fold
from diagnose.knowledge.conditions import ContextCondition, LevelCondition, ScoreCondition

if TYPE_CHECKING:
    from collections.abc import Callable

    from diagnose._base import Language
    from diagnose.knowledge._base import KnowledgeBase
    from diagnose.knowledge._models import Intervention
    from diagnose.knowledge.conditions import Atom, Condition

#: A condition in words, and whether it is a junction of several parts (bracketed inside another).
Words = tuple[str, bool]

__all__ = ["EVIDENCE_LABELS", "describe_condition", "render_markdown"]

_WORDS = {
    "nl": {
        "and": "en",
        "or": "of",
        "not": "niet",
        "is": "is",
        "low": "laag",
        "medium": "midden",
        "high": "hoog",
        "score": "score",
        "lt": "<",
        "lte": "≤",
        "gt": ">",
        "gte": "≥",
        "yes": "ja",
        "no": "nee",
    },
    "en": {
        "and": "and",
        "or": "or",
        "not": "not",
        "is": "is",
        "low": "low",
        "medium": "medium",
        "high": "high",
        "score": "score",
        "lt": "<",
        "lte": "≤",
        "gt": ">",
        "gte": "≥",
        "yes": "yes",
        "no": "no",
    },
}
#: The Dutch and English label of each evidence level.
EVIDENCE_LABELS = {
    "effective_strong": ("Effectief volgens sterke aanwijzingen", "Effective (strong evidence)"),
    "effective_good": ("Effectief volgens goede aanwijzingen", "Effective (good evidence)"),
    "effective_first": ("Effectief volgens eerste aanwijzingen", "Effective (first evidence)"),
    "effective": ("Effectief (subniveau niet vermeld)", "Effective (sub-level not stated)"),
    "well_founded": ("Goed onderbouwd", "Well founded"),
    "well_described": ("Goed beschreven", "Well described"),
    "not_rated": ("Niet beoordeeld", "Not rated"),
}
#: The Dutch and English label of each Dutch recognition level (`knowledge._kb_models.RecognitionLevel`).
RECOGNITION_LABELS = {
    **{level: labels for level, labels in EVIDENCE_LABELS.items() if level != "not_rated"},
    "listed_not_rated": ("In de databank, niet beoordeeld", "In the databank, not rated"),
}
#: The Dutch and English label of each grade of international evidence.
GRADE_LABELS = {
    "strong": ("sterk", "strong"),
    "moderate": ("matig", "moderate"),
    "low": ("laag", "low"),
    "very_low": ("zeer laag", "very low"),
}
#: The Dutch and English name of each special category of personal data (GDPR art. 9).
SPECIAL_CATEGORY_LABELS = {"health": ("gezondheid", "health")}


def describe_condition(condition: Condition, kb: KnowledgeBase, language: Language = "nl") -> str:
    """A condition in words.

    Examples:
        >>> import diagnose
        >>> kb = diagnose.load_knowledge_base()
        >>> rule = next(r for r in kb.rules if r.id == "low_self_efficacy_motivated")
        >>> describe_condition(rule.when, kb, "en")
        'Job-search self-efficacy is low and Motivation to work is medium or high'
    """
    w = _WORDS[language]

    def nested(part: Words) -> str:
        return f"({part[0]})" if part[1] else part[0]

    def junction(joiner: str) -> Callable[[list[Words]], Words]:
        return lambda parts: (f" {joiner} ".join(map(nested, parts)), len(parts) > 1)

    def atom(c: Atom) -> Words:
        return _ATOM_WORDS[type(c)](c, kb, language), False

    text, _ = fold(
        condition,
        atom=atom,
        all_=junction(w["and"]),
        any_=junction(w["or"]),
        not_=lambda part: (f"{w['not']} {nested(part)}", False),
    )
    return text


def _level_words(c: LevelCondition, kb: KnowledgeBase, language: Language) -> str:
    w = _WORDS[language]
    return f"{kb.factors[c.factor].name.get(language)} {w['is']} " + f" {w['or']} ".join(
        w[level] for level in c.levels()
    )


def _score_words(c: ScoreCondition, kb: KnowledgeBase, language: Language) -> str:
    w = _WORDS[language]
    bounds = " ".join(f"{w[op]} {number(v, language)}" for op, v in c.score.bounds().items())
    return f"{kb.factors[c.factor].name.get(language)} {w['score']} {bounds}"


def _context_words(c: ContextCondition, kb: KnowledgeBase, language: Language) -> str:
    w = _WORDS[language]
    label = kb.context_fields[c.context].description.get(language)
    accepted = c.accepted()
    if accepted is None:
        return f"{label} " + " ".join(f"{w[op]} {number(v, language)}" for op, v in c.bounds().items())
    shown = [w["yes"] if v is True else w["no"] if v is False else str(v) for v in accepted]
    return f"{label}: " + f" {w['or']} ".join(shown)


#: How each kind of atom is put in words (a new kind of atom adds its words here).
_ATOM_WORDS: dict[type, Callable[[Any, KnowledgeBase, Language], str]] = {
    LevelCondition: _level_words,
    ScoreCondition: _score_words,
    ContextCondition: _context_words,
}

#: Knowledge-base text goes into Markdown that a site renders: these would become HTML or links.
_ESCAPES = str.maketrans(
    {"<": "&lt;", ">": "&gt;", "[": "\\[", "]": "\\]", "|": "\\|"} | {mark: f"\\{mark}" for mark in "\\*_`~"}
)


def _cell(text: str) -> str:
    r"""Knowledge-base text as inert Markdown on one line: no HTML, links, emphasis or table breaks.

    A `#` that would start a heading is escaped too; `&` stays (an entity is only ever text).

    Examples:
        >>> print(_cell("<script>x</script> [a](javascript:y) | b"))
        &lt;script&gt;x&lt;/script&gt; \[a\](javascript:y) \| b
        >>> print(_cell("# *Let op* `code`, ~~weg~~ en c:\\x"))
        \# \*Let op\* \`code\`, \~\~weg\~\~ en c:\\x
    """
    line = " ".join(text.split()).translate(_ESCAPES)
    return f"\\{line}" if line.startswith("#") else line


def render_markdown(kb: KnowledgeBase, language: Language = "nl") -> str:
    """The whole knowledge base as Markdown: factors, items, interventions and rules.

    Examples:
        >>> import diagnose
        >>> text = render_markdown(diagnose.load_knowledge_base(), "en")
        >>> text.splitlines()[0]
        '# Work and Income intake instrument (diagnose_default 0.2.0)'
    """
    nl = language == "nl"
    other: Language = "en" if nl else "nl"
    out = [f"# {_cell(kb.instrument.title.get(language))} ({kb.id} {_cell(kb.version)})", ""]
    out += [f"`{kb.content_hash}`", ""]
    out += ["## " + ("Factoren" if nl else "Factors"), ""]
    head = (
        "| id | naam | beïnvloedbaar | drempel midden / hoog | min. beantwoord | bronnen |"
        if nl
        else "| id | name | influenceable | medium / high from | min. answered | sources |"
    )
    out += [head, "| --- | --- | --- | --- | --- | --- |"]
    yes, no = ("ja", "nee") if nl else ("yes", "no")
    for f in kb.factors.values():
        out.append(
            f"| `{f.id}` | {_cell(f.name.get(language))} ({_cell(f.name.get(other))}) | "
            f"{yes if f.influenceable else no} | "
            f"{number(f.thresholds.medium, language)} / {number(f.thresholds.high, language)} | "
            f"{f.min_answered} / {len(kb.items_by_factor[f.id])} | "
            + "<br>".join(_cell(source) for source in f.sources)
            + " |"
        )
    out += ["", "## " + ("Vragen" if nl else "Items"), ""]
    for f in kb.factors.values():
        out += [f"### {_cell(f.name.get(language))} (`{f.id}`)", "", _cell(f.description.get(language)), ""]
        if f.effect is not None:
            out += [
                ("*Effect op werk:* " if nl else "*Effect on work:* ") + _cell(f.effect.get(language)),
                "",
            ]
        special = "bijzonder persoonsgegeven (AVG art. 9)" if nl else "special category (GDPR art. 9)"
        out += [
            "| id | "
            + ("vraag" if nl else "item")
            + " | "
            + ("omgekeerd" if nl else "reversed")
            + f" | {special} |"
        ]
        out += ["| --- | --- | --- | --- |"]
        for item in kb.items_by_factor[f.id]:
            texts = f"{_cell(item.text.get(language))} <br>*{_cell(item.text.get(other))}*"
            category = (
                SPECIAL_CATEGORY_LABELS[item.special_category][0 if nl else 1]
                if item.special_category
                else ""
            )
            out.append(f"| `{item.id}` | {texts} | {yes if item.reverse else ''} | {category} |")
        out.append("")
    out += _ladder(kb, language)
    out += ["## " + ("Interventies" if nl else "Interventions"), ""]
    for i in kb.interventions.values():
        evidence = EVIDENCE_LABELS[i.evidence_level][0 if nl else 1]
        out += [f"### {_cell(i.name.get(language))} (`{i.id}`)", "", _cell(i.description.get(language)), ""]
        targets = ", ".join(_cell(kb.factors[t].name.get(language)) for t in i.targets)
        out += [
            f"- **{'Gericht op' if nl else 'Targets'}:** {targets}",
            f"- **{'Bewijs' if nl else 'Evidence'}:** {evidence}",
        ]
        out += _evidence(i, language)
        if i.international_evidence is not None:
            label = "Internationaal onderzoek" if nl else "International evidence"
            out.append(f"- **{label}:** {_cell(i.international_evidence.get(language))}")
        if i.delivery is not None:
            out.append(f"- **{'Uitvoering' if nl else 'Delivery'}:** {_cell(i.delivery.get(language))}")
        out.append(f"- **{'Bronnen' if nl else 'Sources'}:**")
        out += [f"    - {_cell(s)}" for s in i.sources]
        out.append("")
    out += ["## " + ("Regels" if nl else "Rules"), ""]
    out += [
        "| id | " + ("als" if nl else "when") + " | " + ("advies" if nl else "advice") + " | prio |",
        "| --- | --- | --- | --- |",
    ]
    out += [
        f"| `{r.id}` | {_cell(describe_condition(r.when, kb, language))} | "
        f"{_cell(kb.interventions[r.recommend].name.get(language))} | {r.priority} |"
        for r in kb.rules
    ]
    out += _phases(kb, language)
    return "\n".join(out) + "\n"


def __dir__() -> list[str]:
    """The public names, as `__all__` lists them (for completion in editors and shells)."""
    return list(__all__)


def _evidence(i: Intervention, language: Language) -> list[str]:
    """The Dutch recognition status and the graded international evidence, as catalogue lines."""
    nl = language == "nl"
    out: list[str] = []
    r = i.recognition
    if r is not None:
        label = RECOGNITION_LABELS[r.level][0 if nl else 1]
        named = f" ({_cell(r.listed_as)})" if r.listed_as else ""
        checked = "geraadpleegd" if nl else "checked"
        out.append(
            f"- **{'Nederlandse erkenning' if nl else 'Dutch recognition'}:** {label}{named}; "
            f"{_cell(r.databank)}; <{r.url}> ({checked} {r.checked})"
        )
    e = i.evidence
    if e is not None:
        grade = GRADE_LABELS[e.grade][0 if nl else 1]
        out.append(
            f"- **{'Internationaal bewijs' if nl else 'International evidence'} ({grade}):** "
            f"{_cell(e.summary.get(language))}"
        )
        out += [f"    - {_cell(review)}" for review in e.reviews]
    return out


def _phases(kb: KnowledgeBase, language: Language) -> list[str]:
    """The declared order of stabilising support and how much is for "now", when declared."""
    phases = kb.cycle.phases
    if not phases.stabilise_first:
        return []
    nl = language == "nl"
    names = ", ".join(
        _cell(kb.interventions[i].name.get(language)) for i in phases.stabilise_first if i in kb.interventions
    )
    head = "## Eerst wat voorgaat" if nl else "## First things first"
    text = (
        f"Eerst, in deze volgorde: {names}. Hooguit {phases.max_now} adviezen tegelijk zijn voor nu; "
        "de rest is voor later: "
        if nl
        else f"First, in this order: {names}. At most {phases.max_now} recommendations are for now; "
        "the rest is for later: "
    )
    return ["", head, "", text + _cell(phases.later_reason.get(language))]


def _ladder(kb: KnowledgeBase, language: Language) -> list[str]:
    """The Participatieladder, when the knowledge base declares it."""
    ladder = kb.instrument.participation_ladder
    if ladder is None:
        return []
    nl = language == "nl"
    out = [
        "## Participatieladder" if nl else "## Participation ladder",
        "",
        _cell(ladder.description.get(language)),
        "",
    ]
    out += [
        "| "
        + ("trede" if nl else "rung")
        + " | "
        + ("naam" if nl else "name")
        + " | "
        + ("betekenis" if nl else "meaning")
        + " |"
    ]
    out += ["| --- | --- | --- |"]
    out += [
        f"| {r.rung} | {_cell(r.name.get(language))} | {_cell(r.description.get(language))} |"
        for r in ladder.rungs
    ]
    out += ["", f"*{'Bronnen' if nl else 'Sources'}:* " + "; ".join(_cell(s) for s in ladder.sources), ""]
    return out
