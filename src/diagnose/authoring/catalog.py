"""The knowledge base as a readable catalogue (Markdown), generated so that documentation cannot drift.

`diagnose catalog --format markdown` prints it; the documentation site includes it at build time.
Conditions are rendered in words ("self-efficacy is low and motivation is medium or high").
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from diagnose.knowledge._tree import fold
from diagnose.knowledge.conditions import ContextCondition, LevelCondition, ScoreCondition

if TYPE_CHECKING:
    from collections.abc import Callable

    from diagnose._base import Language
    from diagnose.knowledge._base import KnowledgeBase
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
    "well_founded": ("Goed onderbouwd", "Well founded"),
    "well_described": ("Goed beschreven", "Well described"),
    "not_rated": ("Niet beoordeeld", "Not rated"),
}


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
    bounds = " ".join(f"{w[op]} {v:g}" for op, v in c.score.bounds().items())
    return f"{kb.factors[c.factor].name.get(language)} {w['score']} {bounds}"


def _context_words(c: ContextCondition, kb: KnowledgeBase, language: Language) -> str:
    w = _WORDS[language]
    label = kb.context_fields[c.context].description.get(language)
    accepted = c.accepted()
    if accepted is None:
        return f"{label} " + " ".join(f"{w[op]} {v:g}" for op, v in c.bounds().items())
    shown = [w["yes"] if v is True else w["no"] if v is False else str(v) for v in accepted]
    return f"{label}: " + f" {w['or']} ".join(shown)


#: How each kind of atom is put in words (a new kind of atom adds its words here).
_ATOM_WORDS: dict[type, Callable[[Any, KnowledgeBase, Language], str]] = {
    LevelCondition: _level_words,
    ScoreCondition: _score_words,
    ContextCondition: _context_words,
}

#: Knowledge-base text goes into Markdown that a site renders: these would become HTML or links.
_ESCAPES = str.maketrans({"<": "&lt;", ">": "&gt;", "[": "\\[", "]": "\\]", "|": "\\|"})


def _cell(text: str) -> str:
    r"""Knowledge-base text as inert Markdown on one line: no HTML, no links, no table breaks.

    Examples:
        >>> print(_cell("<script>x</script> [a](javascript:y) | b"))
        &lt;script&gt;x&lt;/script&gt; \[a\](javascript:y) \| b
    """
    return " ".join(text.split()).translate(_ESCAPES)


def render_markdown(kb: KnowledgeBase, language: Language = "nl") -> str:
    """The whole knowledge base as Markdown: factors, items, interventions and rules.

    Examples:
        >>> import diagnose
        >>> text = render_markdown(diagnose.load_knowledge_base(), "en")
        >>> text.splitlines()[0]
        '# Work and Income intake instrument (diagnose_default 0.1.0)'
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
            f"{yes if f.influenceable else no} | {f.thresholds.medium:g} / {f.thresholds.high:g} | "
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
        out += ["| id | " + ("vraag" if nl else "item") + " | " + ("omgekeerd" if nl else "reversed") + " |"]
        out += ["| --- | --- | --- |"]
        for item in kb.items_by_factor[f.id]:
            texts = f"{_cell(item.text.get(language))} <br>*{_cell(item.text.get(other))}*"
            out.append(f"| `{item.id}` | {texts} | {yes if item.reverse else ''} |")
        out.append("")
    out += ["## " + ("Interventies" if nl else "Interventions"), ""]
    for i in kb.interventions.values():
        evidence = EVIDENCE_LABELS[i.evidence_level][0 if nl else 1]
        out += [f"### {_cell(i.name.get(language))} (`{i.id}`)", "", _cell(i.description.get(language)), ""]
        targets = ", ".join(_cell(kb.factors[t].name.get(language)) for t in i.targets)
        out += [
            f"- **{'Gericht op' if nl else 'Targets'}:** {targets}",
            f"- **{'Bewijs' if nl else 'Evidence'}:** {evidence}",
        ]
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
    return "\n".join(out) + "\n"


def __dir__() -> list[str]:
    """The public names, as `__all__` lists them (for completion in editors and shells)."""
    return list(__all__)
