"""The radar chart: valid SVG, one axis per factor, no invented scores, and stable output."""

from __future__ import annotations

import math
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


def test_polygon_has_one_vertex_per_assessed_factor(
    kb: diagnose.KnowledgeBase, profile: diagnose.Profile
) -> None:
    assert len(profile.not_assessed) == len(kb.factors) - 3
    root = parse(profile_chart(kb, profile))
    points = vertices(polygons(root)["now"])
    assert len(points) == 3


def test_not_assessed_factors_are_skipped_not_drawn_at_zero(
    kb: diagnose.KnowledgeBase, profile: diagnose.Profile
) -> None:
    root = parse(profile_chart(kb, profile))
    cx, cy, _rim = centre_and_rim(root)
    axes = root.find(f".//{SVG}g[@class='axes']")
    assert axes is not None
    directions = {
        factor: math.atan2(float(line.get("y2", "")) - cy, float(line.get("x2", "")) - cx)
        for factor, line in zip(kb.factors, axes.findall(f"{SVG}line"), strict=True)
    }
    points = vertices(polygons(root)["now"])
    assert (cx, cy) not in points  # nothing pulled to the centre
    on_axis = [
        next(
            f
            for f, angle in directions.items()
            if math.isclose(math.atan2(y - cy, x - cx), angle, abs_tol=0.01)
        )
        for x, y in points
    ]
    assert on_axis == ["self_efficacy", "motivation", "health"]  # in order, neighbours joined
    markers = root.findall(f".//{SVG}g[@class='profile now']/{SVG}circle")
    assert len(markers) == 3


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
    x, y = vertices(polygons(root)["now"])[0]  # self-efficacy, the first axis, at the top
    assert x == pytest.approx(cx, abs=0.05)
    assert y == pytest.approx(cy - rim, abs=0.05)
    assert math.hypot(x - cx, y - cy) == pytest.approx(rim, abs=0.1)


def test_a_score_at_the_scale_minimum_lies_at_the_centre(kb: diagnose.KnowledgeBase) -> None:
    profile = diagnose.assess({"mo_1": 1, "mo_2": 1, "mo_3": 5}).profile
    root = parse(profile_chart(kb, profile))
    cx, cy, _rim = centre_and_rim(root)
    assert vertices(polygons(root)["now"]) == [(cx, cy)]


def test_before_and_after_draws_two_polygons_and_a_legend(
    kb: diagnose.KnowledgeBase, profile: diagnose.Profile, earlier: diagnose.Profile
) -> None:
    legends: dict[Literal["nl", "en"], list[str]] = {"nl": ["Eerder", "Nu"], "en": ["Before", "Now"]}
    for language, words in legends.items():
        root = parse(profile_chart(kb, profile, before=earlier, language=language))
        drawn = polygons(root)
        assert list(drawn) == ["before", "now"]  # the earlier one first, so underneath
        assert drawn["before"].get("stroke-dasharray")
        assert drawn["now"].get("stroke-dasharray") is None
        assert float(drawn["before"].get("fill-opacity", "")) < float(drawn["now"].get("fill-opacity", ""))
        assert len(vertices(drawn["before"])) == 3
        legend = root.find(f".//{SVG}g[@class='legend']")
        assert legend is not None
        assert [t.text for t in legend.iter(f"{SVG}text")] == words
    title = parse(profile_chart(kb, profile, before=earlier)).find(f"{SVG}title")
    assert title is not None
    assert title.text == "Profiel: eerder en nu"


def test_no_legend_without_before(kb: diagnose.KnowledgeBase, profile: diagnose.Profile) -> None:
    root = parse(profile_chart(kb, profile))
    assert root.find(f".//{SVG}g[@class='legend']") is None
    assert list(polygons(root)) == ["now"]


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
    numbers = [v for x, y in vertices(polygons(root)["now"]) for v in (x, y)]
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
