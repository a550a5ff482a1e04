"""The radar chart: valid SVG, one axis per factor, no invented scores, and stable output."""

from __future__ import annotations

import datetime as dt
import itertools
import math
import re
import xml.etree.ElementTree as ET
from typing import TYPE_CHECKING, Literal

import pytest

import diagnose
from diagnose.chart import profile_chart

if TYPE_CHECKING:
    from tests.conftest import MakeKb

SVG = "{http://www.w3.org/2000/svg}"
#: Self-efficacy at the top of the scale, motivation medium, health low (se_4, mo_3 and he_2 are
#: reverse-scored); every other factor is not assessed.
ANSWERS = {
    "se_1": 5,
    "se_2": 5,
    "se_3": 5,
    "se_4": 1,
    "mo_1": 3,
    "mo_2": 3,
    "mo_3": 4,
    "he_1": 2,
    "he_2": 4,
    "he_3": 2,
}
EARLIER = {"se_1": 2, "se_2": 1, "se_3": 2, "mo_1": 2, "mo_2": 3, "he_1": 2, "he_2": 2, "he_3": 3}


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # noqa: S314 - our own output, parsed to check it


def labels(root: ET.Element) -> list[ET.Element]:
    return root.findall(f".//{SVG}text[@class='axis-label']")


def label_text(label: ET.Element) -> str:
    return " ".join(t.strip() for t in label.itertext())


def polygons(root: ET.Element) -> dict[str, ET.Element]:
    found = {}
    for group in root.iter(f"{SVG}g"):
        kind = group.get("class", "")
        if kind.startswith("profile ") and (polygon := group.find(f"{SVG}polygon")) is not None:
            found[kind.removeprefix("profile ")] = polygon
    return found


def vertices(polygon: ET.Element) -> list[tuple[float, float]]:
    pairs = [p.split(",") for p in polygon.get("points", "").split()]
    return [(float(x), float(y)) for x, y in pairs]


def centre_and_rim(root: ET.Element) -> tuple[float, float, float]:
    rings = root.findall(f".//{SVG}circle[@class='ring']")
    outer = max(rings, key=lambda c: float(c.get("r", "0")))
    return float(outer.get("cx", "")), float(outer.get("cy", "")), float(outer.get("r", ""))


@pytest.fixture(scope="module")
def profile() -> diagnose.Profile:
    return diagnose.assess(ANSWERS).profile


@pytest.fixture(scope="module")
def earlier() -> diagnose.Profile:
    return diagnose.assess(EARLIER).profile


def test_output_is_an_svg_document_with_size_and_title(
    kb: diagnose.KnowledgeBase, profile: diagnose.Profile
) -> None:
    root = parse(profile_chart(kb, profile, size=600))
    assert root.tag == f"{SVG}svg"
    assert root.get("width") == "600"
    assert root.get("height")
    assert root.get("viewBox", "").startswith("0 0 ")
    title = root.find(f"{SVG}title")
    assert title is not None
    assert title.text == "Profiel"
    assert root[0] is title  # the first child, where assistive technology looks for it
    description = root.find(f"{SVG}desc")
    assert description is not None
    assert "Geloof in eigen kunnen: 5,0 (hoog)" in (description.text or "")


def test_one_axis_and_one_label_per_factor_in_order(
    kb: diagnose.KnowledgeBase, profile: diagnose.Profile
) -> None:
    for language in ("nl", "en"):
        root = parse(profile_chart(kb, profile, language=language))
        found = labels(root)
        assert [label.get("data-factor") for label in found] == list(kb.factors)
        for label, factor in zip(found, kb.factors.values(), strict=True):
            assert label_text(label).startswith(factor.name.get(language))
        axes = root.find(f".//{SVG}g[@class='axes']")
        assert axes is not None
        assert len(axes.findall(f"{SVG}line")) == len(kb.factors)


def test_guide_rings_at_each_whole_scale_value(kb: diagnose.KnowledgeBase, profile: diagnose.Profile) -> None:
    root = parse(profile_chart(kb, profile))
    radii = sorted(float(c.get("r", "")) for c in root.findall(f".//{SVG}circle[@class='ring']"))
    _cx, _cy, rim = centre_and_rim(root)
    # Scale 1..5: rings at 2, 3, 4 and 5 (1 is the centre itself), evenly spaced.
    assert radii == pytest.approx([rim / 4, rim / 2, 3 * rim / 4, rim], abs=0.1)


def markers(root: ET.Element, which: str = "now") -> list[tuple[float, float]]:
    return [
        (float(c.get("cx", "")), float(c.get("cy", "")))
        for c in root.findall(f".//{SVG}g[@class='profile {which}']/{SVG}circle")
    ]


def axis_of(root: ET.Element, kb: diagnose.KnowledgeBase, point: tuple[float, float]) -> str:
    """The factor whose axis a point lies on."""
    cx, cy, _rim = centre_and_rim(root)
    axes = root.find(f".//{SVG}g[@class='axes']")
    assert axes is not None
    for factor, line in zip(kb.factors, axes.findall(f"{SVG}line"), strict=True):
        angle = math.atan2(float(line.get("y2", "")) - cy, float(line.get("x2", "")) - cx)
        if math.isclose(math.atan2(point[1] - cy, point[0] - cx), angle, abs_tol=0.01):
            return factor
    raise AssertionError(point)


def test_one_marker_per_assessed_factor(kb: diagnose.KnowledgeBase, profile: diagnose.Profile) -> None:
    assert len(profile.not_assessed) == len(kb.factors) - 3
    root = parse(profile_chart(kb, profile))
    assert [axis_of(root, kb, p) for p in markers(root)] == ["self_efficacy", "motivation", "health"]


def test_unmeasured_factors_are_gaps_never_bridged(
    kb: diagnose.KnowledgeBase, profile: diagnose.Profile
) -> None:
    """Neighbours self-efficacy and motivation are joined; health, alone between gaps, is a spoke."""
    root = parse(profile_chart(kb, profile))
    cx, cy, _rim = centre_and_rim(root)
    group = root.find(f".//{SVG}g[@class='profile now']")
    assert group is not None
    (run,) = group.findall(f"{SVG}polyline")
    assert [axis_of(root, kb, p) for p in vertices(run)] == ["self_efficacy", "motivation"]
    (wedge,) = group.findall(f"{SVG}polygon")
    assert vertices(wedge)[0] == (cx, cy)  # the wedge is filled from the centre, not across a gap
    assert [axis_of(root, kb, p) for p in vertices(wedge)[1:]] == ["self_efficacy", "motivation"]
    (spoke,) = group.findall(f"{SVG}line")
    assert (float(spoke.get("x1", "")), float(spoke.get("y1", ""))) == (cx, cy)
    assert axis_of(root, kb, (float(spoke.get("x2", "")), float(spoke.get("y2", "")))) == "health"


def test_a_fully_assessed_profile_is_one_closed_polygon(kb: diagnose.KnowledgeBase) -> None:
    answers = {item.id: 4 for item in kb.items}
    root = parse(profile_chart(kb, diagnose.assess(answers).profile))
    assert len(vertices(polygons(root)["now"])) == len(kb.factors)
    assert root.find(f".//{SVG}g[@class='profile now']/{SVG}polyline") is None


@pytest.mark.parametrize(("language", "marker"), [("nl", "(niet gemeten)"), ("en", "(not assessed)")])
def test_not_assessed_labels_carry_the_marker(
    kb: diagnose.KnowledgeBase, profile: diagnose.Profile, language: Literal["nl", "en"], marker: str
) -> None:
    root = parse(profile_chart(kb, profile, language=language))
    marked = {label.get("data-factor") for label in labels(root) if label_text(label).endswith(marker)}
    assert marked == set(profile.not_assessed)


def test_a_profile_with_nothing_assessed_draws_no_polygon(kb: diagnose.KnowledgeBase) -> None:
    root = parse(profile_chart(kb, diagnose.assess({}).profile))
    assert polygons(root) == {}
    assert len(labels(root)) == len(kb.factors)


def test_a_score_at_the_scale_maximum_lies_on_the_rim(
    kb: diagnose.KnowledgeBase, profile: diagnose.Profile
) -> None:
    assert profile.scores["self_efficacy"].score == 5.0
    root = parse(profile_chart(kb, profile))
    cx, cy, rim = centre_and_rim(root)
    x, y = markers(root)[0]  # self-efficacy, the first axis, at the top
    assert x == pytest.approx(cx, abs=0.05)
    assert y == pytest.approx(cy - rim, abs=0.05)
    assert math.hypot(x - cx, y - cy) == pytest.approx(rim, abs=0.1)


def test_a_score_at_the_scale_minimum_lies_at_the_centre(kb: diagnose.KnowledgeBase) -> None:
    profile = diagnose.assess({"mo_1": 1, "mo_2": 1, "mo_3": 5}).profile
    root = parse(profile_chart(kb, profile))
    cx, cy, _rim = centre_and_rim(root)
    assert markers(root) == [(cx, cy)]


def test_before_and_after_draws_two_profiles_and_a_legend(
    kb: diagnose.KnowledgeBase, profile: diagnose.Profile, earlier: diagnose.Profile
) -> None:
    legends: dict[Literal["nl", "en"], list[str]] = {"nl": ["Eerder", "Nu"], "en": ["Before", "Now"]}
    for language, words in legends.items():
        root = parse(profile_chart(kb, profile, before=earlier, language=language))
        groups = [
            g.get("class") for g in root.iter(f"{SVG}g") if (g.get("class") or "").startswith("profile ")
        ]
        assert groups == ["profile before", "profile now"]  # the earlier one first, so underneath
        before_lines = root.findall(f".//{SVG}g[@class='profile before']/{SVG}polyline")
        assert before_lines
        assert all(line.get("stroke-dasharray") for line in before_lines)
        assert all(
            line.get("stroke-dasharray") is None
            for line in root.findall(f".//{SVG}g[@class='profile now']/{SVG}polyline")
        )
        assert len(markers(root, "before")) == 3
        legend = root.find(f".//{SVG}g[@class='legend']")
        assert legend is not None
        assert [t.text for t in legend.iter(f"{SVG}text")] == words
    title = parse(profile_chart(kb, profile, before=earlier)).find(f"{SVG}title")
    assert title is not None
    assert title.text == "Profiel: eerder en nu"


def test_no_legend_without_before(kb: diagnose.KnowledgeBase, profile: diagnose.Profile) -> None:
    root = parse(profile_chart(kb, profile))
    assert root.find(f".//{SVG}g[@class='legend']") is None
    assert root.find(f".//{SVG}g[@class='profile before']") is None


def test_output_is_byte_identical_on_repeat(
    kb: diagnose.KnowledgeBase, profile: diagnose.Profile, earlier: diagnose.Profile
) -> None:
    first = profile_chart(kb, profile, before=earlier, language="en", title="Client 7")
    again = profile_chart(
        diagnose.load_knowledge_base(),
        diagnose.assess(ANSWERS).profile,
        before=diagnose.assess(EARLIER).profile,
        language="en",
        title="Client 7",
    )
    assert first.encode() == again.encode()


def test_coordinates_have_at_most_one_decimal(kb: diagnose.KnowledgeBase, profile: diagnose.Profile) -> None:
    root = parse(profile_chart(kb, profile))
    numbers = [v for polyline in root.iter(f"{SVG}polyline") for x, y in vertices(polyline) for v in (x, y)]
    numbers += [float(c.get(a, "")) for c in root.iter(f"{SVG}circle") for a in ("cx", "cy", "r")]
    assert all(round(n, 1) == n for n in numbers)


def test_text_is_escaped_for_xml(make_kb: MakeKb) -> None:
    root_path = make_kb(
        {
            "instrument.yaml": (
                "name: {nl: Geloof in eigen kunnen, en: Job-search self-efficacy}",
                """name: {nl: "Geloof & <vertrouwen>", en: "Self-efficacy & 'quoted' \\"trust\\""}""",
            )
        }
    )
    kb = diagnose.load_knowledge_base(root_path)
    profile = diagnose.assess(ANSWERS, knowledge_base=kb).profile
    title = 'Cliënt "A" & <B>'
    names: dict[Literal["nl", "en"], str] = {
        "nl": "Geloof & <vertrouwen>",
        "en": "Self-efficacy & 'quoted' \"trust\"",
    }
    for language, name in names.items():
        svg = profile_chart(kb, profile, language=language, title=title)
        assert "&amp;" in svg
        assert "& " not in svg
        root = parse(svg)
        assert name in label_text(labels(root)[0])
        heading = root.find(f"{SVG}title")
        assert heading is not None
        assert heading.text == title


def test_profile_from_another_knowledge_base_is_refused(
    kb: diagnose.KnowledgeBase, profile: diagnose.Profile
) -> None:
    partial = diagnose.Profile(scores={k: v for k, v in profile.scores.items() if k != "health"})
    with pytest.raises(ValueError, match="no score for health"):
        profile_chart(kb, partial)
    with pytest.raises(ValueError, match=r"^before does not fit"):
        profile_chart(kb, profile, before=partial)


@pytest.mark.parametrize("size", [0, -10])
def test_size_must_be_positive(kb: diagnose.KnowledgeBase, profile: diagnose.Profile, size: int) -> None:
    with pytest.raises(ValueError, match="size must be a positive"):
        profile_chart(kb, profile, size=size)


def test_language_must_be_known(kb: diagnose.KnowledgeBase, profile: diagnose.Profile) -> None:
    with pytest.raises(ValueError, match="language must be"):
        profile_chart(kb, profile, language="de")  # type: ignore[arg-type]


# --- level bands, dates, bars -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "names"), [("nl", ["laag", "midden", "hoog"]), ("en", ["low", "medium", "high"])]
)
def test_the_level_bands_are_shaded_and_named(
    kb: diagnose.KnowledgeBase, profile: diagnose.Profile, language: Literal["nl", "en"], names: list[str]
) -> None:
    root = parse(profile_chart(kb, profile, language=language))
    _cx, _cy, rim = centre_and_rim(root)
    bands = {
        c.get("class"): float(c.get("r", ""))
        for c in root.findall(f".//{SVG}g[@class='level-bands']/{SVG}circle")
    }
    # Thresholds 2.5 and 3.75 on a 1-5 scale: the low band ends at 1.5/4 of the radius, medium at 2.75/4.
    assert bands == pytest.approx(
        {"band high": rim, "band medium": rim * 2.75 / 4, "band low": rim * 1.5 / 4}, abs=0.1
    )
    named = root.find(f".//{SVG}g[@class='band-names']")
    assert named is not None
    assert [t.text for t in named.iter(f"{SVG}text")] == names


def test_no_bands_when_the_factors_thresholds_differ(make_kb: MakeKb) -> None:
    kb = diagnose.load_knowledge_base(
        make_kb(
            {"instrument.yaml": ("thresholds: {medium: 2.5, high: 3.75}", "thresholds: {medium: 2, high: 4}")}
        )
    )
    root = parse(profile_chart(kb, diagnose.assess(ANSWERS, knowledge_base=kb).profile))
    assert root.find(f".//{SVG}g[@class='level-bands']") is None
    # The bars draw each factor's own bands instead.
    bars = parse(profile_chart(kb, diagnose.assess(ANSWERS, knowledge_base=kb).profile, kind="bars"))
    widths = [
        float(r.get("width", ""))
        for r in bars.findall(f".//{SVG}g[@data-factor='self_efficacy']/{SVG}rect[@class='band low']")
    ]
    assert widths == [pytest.approx(330 / 4)]  # 1 to 2 of 1 to 5


def test_the_scale_numbers_are_not_on_an_axis(kb: diagnose.KnowledgeBase, profile: diagnose.Profile) -> None:
    """A score's marker lies on an axis; the numbers lie between two, where no marker can hide them."""
    root = parse(profile_chart(kb, profile))
    values = root.find(f".//{SVG}g[@class='ring-values']")
    assert values is not None
    for text in values.iter(f"{SVG}text"):
        if text.text == "1":
            continue  # the centre
        with pytest.raises(AssertionError):
            axis_of(root, kb, (float(text.get("x", "")), float(text.get("y", "")) - 4))


@pytest.mark.parametrize("kind", ["radar", "bars"])
def test_both_profiles_are_dated(
    kb: diagnose.KnowledgeBase,
    profile: diagnose.Profile,
    earlier: diagnose.Profile,
    kind: Literal["radar", "bars"],
) -> None:
    dates = {"date": dt.date(2026, 6, 2), "before_date": dt.date(2026, 3, 12)}
    for language, words in (
        ("nl", ["Eerder (12-03-2026)", "Nu (02-06-2026)"]),
        ("en", ["Before (2026-03-12)", "Now (2026-06-02)"]),
    ):
        root = parse(profile_chart(kb, profile, before=earlier, language=language, kind=kind, **dates))  # type: ignore[arg-type]
        legend = root.find(f".//{SVG}g[@class='legend']")
        assert legend is not None
        assert [t.text for t in legend.iter(f"{SVG}text")] == words
    alone = parse(profile_chart(kb, profile, kind=kind, date=dt.date(2026, 6, 2)))
    (line,) = [t for t in alone.iter(f"{SVG}text") if t.get("class") == "chart-date"]
    assert line.text == "gemeten op 02-06-2026"


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"kind": "pie"}, "kind must be 'radar' or 'bars', got 'pie'"),
        ({"date": "2026-06-02"}, "date must be a date (datetime.date), got '2026-06-02'"),
        (
            {"date": dt.datetime(2026, 6, 2, 9, 0, tzinfo=dt.UTC)},
            "date must be a date (datetime.date), got "
            "datetime.datetime(2026, 6, 2, 9, 0, tzinfo=datetime.timezone.utc)",
        ),
        ({"before_date": dt.date(2026, 3, 12)}, "before_date is the date of `before`: give `before` too"),
        ({"before": "x"}, "before: expected a Profile (Diagnosis.profile), got builtins.str 'x'"),
    ],
)
def test_bad_chart_options_are_chart_errors(
    kb: diagnose.KnowledgeBase, profile: diagnose.Profile, options: dict[str, object], message: str
) -> None:
    with pytest.raises(diagnose.ChartError, match=f"^{re.escape(message)}$"):
        profile_chart(kb, profile, **options)  # type: ignore[arg-type]


def test_a_later_before_date_is_a_chart_error(kb: diagnose.KnowledgeBase, profile: diagnose.Profile) -> None:
    message = "before_date (2026-06-03) is after date (2026-06-02): `before` is the earlier profile"
    with pytest.raises(diagnose.ChartError, match=f"^{re.escape(message)}$"):
        profile_chart(kb, profile, before=profile, date=dt.date(2026, 6, 2), before_date=dt.date(2026, 6, 3))


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (
            (None, "profile"),
            "kb: expected a KnowledgeBase (from diagnose.load_knowledge_base), got builtins.NoneType None",
        ),
        (("kb", "x"), "profile: expected a Profile (Diagnosis.profile), got builtins.str 'x'"),
    ],
)
def test_arguments_of_the_wrong_type_are_chart_errors(
    kb: diagnose.KnowledgeBase, profile: diagnose.Profile, arguments: tuple[object, object], message: str
) -> None:
    given = {"kb": kb, "profile": profile}
    chosen = [given.get(a, a) if isinstance(a, str) else a for a in arguments]
    with pytest.raises(diagnose.ChartError, match=f"^{re.escape(message)}$"):
        profile_chart(*chosen)  # type: ignore[arg-type]


def bar_rows(root: ET.Element) -> list[ET.Element]:
    return root.findall(f".//{SVG}g[@class='bar-row']")


def test_bars_have_one_row_per_factor_and_a_bar_per_score(
    kb: diagnose.KnowledgeBase, profile: diagnose.Profile
) -> None:
    root = parse(profile_chart(kb, profile, kind="bars", language="en"))
    rows = bar_rows(root)
    assert [r.get("data-factor") for r in rows] == list(kb.factors)
    for row, factor in zip(rows, kb.factors.values(), strict=True):
        label = row.find(f"{SVG}text[@class='bar-label']")
        assert label is not None
        assert " ".join(t.strip() for t in label.itertext()) == factor.name.en
        bar = row.find(f"{SVG}rect[@class='bar now']")
        score = profile.scores[factor.id].score
        if score is None:
            assert bar is None
            assert "not assessed" in [t.text for t in row.iter(f"{SVG}text")]
        else:
            assert bar is not None
            # From the scale's 1 (x = 262) to the score, over 330 units for 4 scale steps.
            assert float(bar.get("width", "")) == pytest.approx(max(330 * (score - 1) / 4, 2.0), abs=0.1)


def test_bars_show_before_as_a_dashed_bar(
    kb: diagnose.KnowledgeBase, profile: diagnose.Profile, earlier: diagnose.Profile
) -> None:
    root = parse(profile_chart(kb, profile, before=earlier, kind="bars"))
    before = root.findall(f".//{SVG}rect[@class='bar before']")
    assert len(before) == sum(s.level != "not_assessed" for s in earlier.scores.values())
    assert all(b.get("stroke-dasharray") for b in before)
    description = root.find(f"{SVG}desc")
    assert description is not None
    assert (description.text or "").startswith("Schaal 1 tot 5, van links naar rechts. Eerder: ")


def test_bars_are_byte_identical_on_repeat(
    kb: diagnose.KnowledgeBase, profile: diagnose.Profile, earlier: diagnose.Profile
) -> None:
    first = profile_chart(kb, profile, before=earlier, kind="bars", date=dt.date(2026, 6, 2))
    assert first == profile_chart(kb, profile, before=earlier, kind="bars", date=dt.date(2026, 6, 2))


@pytest.mark.parametrize("language", ["nl", "en"])
def test_labels_beside_the_radar_keep_a_line_apart_with_many_factors(language: Literal["nl", "en"]) -> None:
    """With the 18 factors of the packaged knowledge base, no two labels on one side overlap."""
    kb = diagnose.load_knowledge_base()
    profile = diagnose.assess({"se_1": 2, "se_2": 2, "mo_1": 4, "mo_2": 4}, knowledge_base=kb).profile
    root = ET.fromstring(profile_chart(kb, profile, language=language))  # noqa: S314 - our own SVG
    blocks: dict[str, list[tuple[float, float]]] = {"start": [], "end": []}
    for text in root.iter("{http://www.w3.org/2000/svg}text"):
        if text.get("class") == "axis-label" and text.get("text-anchor") in blocks:
            ys = [float(span.get("y", "0")) for span in text]
            blocks[text.get("text-anchor", "")].append((min(ys), max(ys)))
    assert sum(map(len, blocks.values())) > 12
    for side in blocks.values():
        side.sort()
        assert all(below[0] - above[1] >= 17.0 for above, below in itertools.pairwise(side))
