"""The second edition's knowledge-base fields: recognition, graded evidence, GDPR marker, ladder, phases."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

import diagnose
from diagnose.authoring.catalog import render_markdown
from diagnose.knowledge._kb_models import Phasing

if TYPE_CHECKING:
    from tests.conftest import MakeKb

IPS_LEVEL = (
    "    targets: [health, motivation]\n    evidence_level: not_rated\n",
    "    targets: [health, motivation]\n",
)
RECOGNITION = """    recognition:
      level: {level}
      databank: Trimbos-instituut, Erkenningscommissie Interventies Langdurige GGZ
      url: {url}
      checked: "2026-12-01"
"""
URL = "https://www.trimbos.nl/kennis/ggz-erkende-interventies/effectieve-interventies-ips"
EVIDENCE = """    evidence:
      grade: {grade}
      summary: {{nl: Matig bewijs., en: Moderate evidence.}}
      reviews: ["Levack, W. M. M., & Fadyl, J. K. (2021). BMJ Open, 11(12), e049522."]
"""
SETTINGS = """phases:
  max_now: 3
  stabilise_first: [{names}]
"""


def problems(path: object) -> list[str]:
    with pytest.raises(diagnose.KnowledgeBaseError) as info:
        diagnose.load_knowledge_base(path)  # type: ignore[arg-type]
    return [str(p) for p in info.value.problems]


def _ips(
    level: str, *, keep_level: str | None = None, url: str = URL, grade: str = "moderate"
) -> tuple[str, str]:
    old, new = IPS_LEVEL
    if keep_level is not None:
        new += f"    evidence_level: {keep_level}\n"
    return old, new + RECOGNITION.format(level=level, url=url) + EVIDENCE.format(grade=grade)


@pytest.mark.parametrize(
    ("level", "expected"),
    [("effective", "effective"), ("effective_good", "effective_good"), ("listed_not_rated", "not_rated")],
)
def test_the_evidence_level_follows_from_the_recognition(make_kb: MakeKb, level: str, expected: str) -> None:
    kb = diagnose.load_knowledge_base(make_kb({"interventions.yaml": _ips(level)}))
    ips = kb.interventions["individual_placement_support"]
    assert ips.evidence_level == expected
    assert ips.recognition is not None
    assert (ips.recognition.level, ips.recognition.url, ips.recognition.checked) == (level, URL, "2026-12-01")
    assert ips.evidence is not None
    assert ips.evidence.grade == "moderate"


def test_an_evidence_level_that_contradicts_the_recognition_is_refused(make_kb: MakeKb) -> None:
    root = make_kb({"interventions.yaml": _ips("effective_good", keep_level="not_rated")})
    assert problems(root) == [
        "interventions.yaml:114:5: interventions[4]: 'evidence_level' ('not_rated') does not match the Dutch "
        "recognition ('effective_good'); leave 'evidence_level' out, it follows from 'recognition'"
    ]


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        pytest.param(
            _ips("effective", url="www.trimbos.nl"),
            "interventions.yaml:129:12: interventions[4].recognition.url: "
            "expected a web address starting with http:// or https:// (no spaces, quotes or <>[]|`), "
            "got 'www.trimbos.nl'",
            id="url-without-scheme",
        ),
        pytest.param(
            _ips("effectief"),
            "interventions.yaml:127:14: interventions[4].recognition.level: expected 'effective_strong', "
            "'effective_good', 'effective_first', 'effective', 'well_founded', 'well_described' or "
            "'listed_not_rated', got 'effectief' (did you mean 'effective'?)",
            id="unknown-level",
        ),
        pytest.param(
            _ips("effective", grade="high"),
            "interventions.yaml:132:14: interventions[4].evidence.grade: expected 'strong', 'moderate', "
            "'low' or 'very_low', got 'high'",
            id="unknown-grade",
        ),
    ],
)
def test_bad_recognition_and_evidence_are_located(
    make_kb: MakeKb, edit: tuple[str, str], expected: str
) -> None:
    assert problems(make_kb({"interventions.yaml": edit})) == [expected]


def test_an_unrated_intervention_without_any_evidence_is_refused(make_kb: MakeKb) -> None:
    root = make_kb({})
    source = (root / "interventions.yaml").read_text(encoding="utf-8")
    start = source.index("    international_evidence:", source.index("id: job_matching"))
    end = source.index("    delivery:", start)
    (root / "interventions.yaml").write_text(source[:start] + source[end:], encoding="utf-8")
    assert problems(root) == [
        "interventions.yaml:145:5: interventions[5]: a 'not_rated' intervention must state its "
        "'international_evidence' or 'evidence'"
    ]


def test_an_item_may_mark_special_category_data(make_kb: MakeKb) -> None:
    edit = (
        "  - id: se_1\n    factor: self_efficacy\n",
        "  - id: se_1\n    factor: self_efficacy\n    special_category: health\n",
    )
    kb = diagnose.load_knowledge_base(make_kb({"instrument.yaml": edit}))
    assert [(i.id, i.special_category) for i in kb.items if i.special_category] == [("se_1", "health")]


def test_an_unknown_special_category_is_refused(make_kb: MakeKb) -> None:
    edit = (
        "  - id: se_1\n    factor: self_efficacy\n",
        "  - id: se_1\n    factor: self_efficacy\n    special_category: religion\n",
    )
    assert problems(make_kb({"instrument.yaml": edit})) == [
        "instrument.yaml:83:23: items[0].special_category: expected 'health', got 'religion'"
    ]


LADDER = """participation_ladder:
  description: {nl: Hoe iemand meedoet., en: How someone takes part.}
  sources: ["VNG/Divosa, Participatieladder."]
  rungs:
    - {rung: 1, name: {nl: Geïsoleerd, en: Isolated}, description: {nl: Weinig contact., en: Little contact.}}
    - {rung: RUNG, name: {nl: Betaald werk, en: Paid work}, description: {nl: Werk., en: Work.}}
items:
"""


def test_the_participation_ladder_is_declared_data(make_kb: MakeKb) -> None:
    kb = diagnose.load_knowledge_base(make_kb({"instrument.yaml": ("items:\n", LADDER.replace("RUNG", "2"))}))
    ladder = kb.instrument.participation_ladder
    assert ladder is not None
    assert [(r.rung, r.name.nl) for r in ladder.rungs] == [(1, "Geïsoleerd"), (2, "Betaald werk")]


def test_rungs_out_of_order_are_refused(make_kb: MakeKb) -> None:
    root = make_kb({"instrument.yaml": ("items:\n", LADDER.replace("RUNG", "3"))})
    assert problems(root) == [
        "instrument.yaml:81:3: participation_ladder: the rungs must be numbered [1, 2] in order, got [1, 3]"
    ]


def test_the_phases_are_declared_and_checked_against_the_interventions(make_kb: MakeKb) -> None:
    root = make_kb({"cycle/settings.yaml": SETTINGS.format(names="success_experiences, health_assessment")})
    phases = diagnose.load_knowledge_base(root).cycle.phases
    assert (phases.stabilise_first, phases.max_now) == (("success_experiences", "health_assessment"), 3)


@pytest.mark.parametrize(
    ("names", "expected"),
    [
        pytest.param(
            "health_assesment",
            "cycle/settings.yaml:3:21: phases.stabilise_first[0]: unknown intervention 'health_assesment' "
            "(did you mean 'health_assessment'?)",
            id="unknown",
        ),
        pytest.param(
            "health_assessment, health_assessment",
            "cycle/settings.yaml:2:3: phases: 'stabilise_first' names 'health_assessment' more than once",
            id="twice",
        ),
    ],
)
def test_bad_phases_are_located(make_kb: MakeKb, names: str, expected: str) -> None:
    assert problems(make_kb({"cycle/settings.yaml": SETTINGS.format(names=names)})) == [expected]


def test_phasing_defaults() -> None:
    """Without a `phases` section, three recommendations are for now and none stabilises first."""
    assert (Phasing().max_now, Phasing().stabilise_first) == (3, ())


def test_the_catalogue_names_special_category_items_and_shows_the_evidence(make_kb: MakeKb) -> None:
    edit = (
        "  - id: se_1\n    factor: self_efficacy\n",
        "  - id: se_1\n    factor: self_efficacy\n    special_category: health\n",
    )
    root = make_kb({"instrument.yaml": edit, "interventions.yaml": _ips("effective")})
    text = render_markdown(diagnose.load_knowledge_base(root), "nl")
    assert "| id | vraag | omgekeerd | bijzonder persoonsgegeven (AVG art. 9) |" in text
    assert (
        "| `se_1` | Ik weet hoe ik vacatures vind die bij mij passen. <br>*I know how to find vacancies that suit me.* |  | gezondheid |"
        in text
    )
    assert (
        "| `se_2` | In een sollicitatiegesprek kan ik laten zien wat ik te bieden heb. <br>*In a job interview I can show what I have to offer.* |  |  |"
        in text
    )
    assert (
        "- **Nederlandse erkenning:** Effectief (subniveau niet vermeld); Trimbos-instituut, Erkenningscommissie "
        f"Interventies Langdurige GGZ; <{URL}> (geraadpleegd 2026-12-01)"
    ) in text
    assert "- **Internationaal bewijs (matig):** Matig bewijs." in text
    assert "    - Levack, W. M. M., & Fadyl, J. K. (2021). BMJ Open, 11(12), e049522." in text


def test_the_catalogue_writes_dutch_numbers_with_a_comma(fixture_kb: diagnose.KnowledgeBase) -> None:
    nl, en = render_markdown(fixture_kb, "nl"), render_markdown(fixture_kb, "en")
    assert (
        "| `self_efficacy` | Geloof in eigen kunnen (Job-search self-efficacy) | ja | 2,5 / 3,75 | 3 / 4 |"
        in nl
    )
    assert (
        "| `self_efficacy` | Job-search self-efficacy (Geloof in eigen kunnen) | yes | 2.5 / 3.75 | 3 / 4 |"
        in en
    )


def test_the_catalogue_shows_the_ladder_and_what_comes_first(make_kb: MakeKb) -> None:
    root = make_kb(
        {
            "instrument.yaml": ("items:\n", LADDER.replace("RUNG", "2")),
            "cycle/settings.yaml": SETTINGS.format(names="health_assessment"),
        }
    )
    text = render_markdown(diagnose.load_knowledge_base(root), "nl")
    assert "| 1 | Geïsoleerd | Weinig contact. |\n| 2 | Betaald werk | Werk. |" in text
    assert text.endswith(
        "## Eerst wat voorgaat\n\nEerst, in deze volgorde: Arbeidsgerichte gezondheidsverkenning. Hooguit 3 "
        "adviezen tegelijk zijn voor nu; de rest is voor later: Dit komt later: eerst de stappen die nu "
        "voorgaan.\n"
    )


def test_without_a_ladder_or_phases_the_catalogue_has_neither(fixture_kb: diagnose.KnowledgeBase) -> None:
    text = render_markdown(fixture_kb, "en")
    assert "## Participation ladder" not in text
    assert "## First things first" not in text
