"""A radar ("star") chart of a client's profile, and of before and after, as plain SVG.

Each factor of the knowledge base is an axis from the centre (the lowest answer on its scale) to
the rim (the highest); the profile is the filled polygon through the factors' scores. Given an
earlier profile too, it is drawn underneath with a dashed outline and a lighter fill, and a legend
names both ("Eerder" / "Nu"). Labels are in Dutch or English.

A factor that was not assessed has no score, and it is not drawn as one: drawing it at zero would
show a false "very low". The polygon runs through the assessed factors only (the missing vertex is
skipped and its neighbours are joined), and the axis label says "(niet gemeten)".

The SVG is built here as text, with no plotting library and no display: that is simpler and
cleaner than adding matplotlib (a large dependency, with a backend to configure on a server) for
one kind of chart. The output is deterministic: coordinates are rounded to one decimal, so the
same input gives a byte-identical document, which can be stored, compared and tested.
"""

from __future__ import annotations

import math
import re
import textwrap
from typing import TYPE_CHECKING, Literal

from diagnose._consistency import check_score
from diagnose.errors import ChartError

if TYPE_CHECKING:
    from diagnose.assessment.scoring import FactorScore, Profile
    from diagnose.knowledge._base import KnowledgeBase
    from diagnose.knowledge._models import Factor, Scale

__all__ = ["profile_chart"]

_WORDS = {
    "nl": {
        "title": "Profiel",
        "title_before": "Profiel: eerder en nu",
        "before": "Eerder",
        "now": "Nu",
        "not_assessed": "niet gemeten",
        "low": "laag",
        "medium": "midden",
        "high": "hoog",
        "scale": "Schaal {lo} tot {hi}, van het midden naar de rand.",
    },
    "en": {
        "title": "Profile",
        "title_before": "Profile: before and now",
        "before": "Before",
        "now": "Now",
        "not_assessed": "not assessed",
        "low": "low",
        "medium": "medium",
        "high": "high",
        "scale": "Scale {lo} to {hi}, from the centre to the rim.",
    },
}

# The layout, in viewBox units; `size` sets the width the whole drawing is scaled to.
_WIDTH = 640.0
_HEIGHT = 490.0  # without a legend
_LEGEND_HEIGHT = 40.0
_CX = 320.0
_CY = 276.0
_RADIUS = 150.0
_LABEL_GAP = 14.0
_LINE_HEIGHT = 17.0
_WRAP = 16  # characters per line of a label above or below the chart
_WRAP_SIDE = 22  # at most, for a label beside it (where the room to the edge allows)
_CHAR_WIDTH = 8.3  # a generous average for the 15-unit label font
_MARGIN = 8.0

# Colours: dark text and lines on white (contrast above 7:1 for text); the two profiles also
# differ by line style (solid and dashed) and by their markers, and the legend names them.
_TEXT = "#1a1a1a"
_MUTED = "#595959"
_RING = "#d4d4d4"
_AXIS = "#a6a6a6"
_NOW_LINE = "#005a9c"
_NOW_FILL = "#0072b2"
_BEFORE_LINE = "#595959"
_BEFORE_FILL = "#a6a6a6"
_FONT = "Helvetica, Arial, sans-serif"

# Characters that XML 1.0 does not allow at all; they are dropped from text rather than breaking
# the document.
_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _escape(text: str) -> str:
    """Text for XML content or a double- or single-quoted attribute."""
    text = _INVALID_XML.sub("", text)
    return (
        text.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&quot;")
        .replace("'", "&apos;")
    )


def _num(value: float) -> str:
    """A coordinate rounded to one decimal, without `-0` or a trailing `.0`."""
    return f"{round(value, 1) + 0.0:.1f}".removesuffix(".0")


def _score_text(value: float, language: Literal["nl", "en"]) -> str:
    text = f"{value:.1f}"
    return text.replace(".", ",") if language == "nl" else text


class _Axis:
    """One factor's axis: its direction, scale and label."""

    __slots__ = ("angle", "factor", "hi", "lo")

    def __init__(self, factor: Factor, scale: Scale, index: int, count: int) -> None:
        self.factor = factor
        self.lo = scale.min
        self.hi = scale.max
        # Clockwise from the top, in the knowledge base's order.
        self.angle = -math.pi / 2 + 2 * math.pi * index / count

    def point(self, fraction: float) -> tuple[float, float]:
        """The point at `fraction` of the way from the centre (0) to the rim (1)."""
        r = _RADIUS * fraction
        return _CX + r * math.cos(self.angle), _CY + r * math.sin(self.angle)

    def at(self, value: float) -> tuple[float, float]:
        """The point of a score on this axis."""
        return self.point((value - self.lo) / (self.hi - self.lo))


def _check_factors(kb: KnowledgeBase, profile: Profile, what: str) -> None:
    missing = [f for f in kb.factors if f not in profile.scores]
    extra = [f for f in profile.scores if f not in kb.factors]
    problems = []
    if missing:
        problems.append(f"no score for {', '.join(missing)}")
    if extra:
        problems.append(f"unknown factors {', '.join(extra)}")
    if problems:
        raise ChartError(
            f"{what} does not fit the knowledge base ({'; '.join(problems)}); was it scored with another one?"
        )
    for factor, result in profile.scores.items():
        check_score(kb, what, factor, result.score, result.level, ChartError)


def profile_chart(  # noqa: PLR0913 - the chart's options, all keyword-only
    kb: KnowledgeBase,
    profile: Profile,
    *,
    before: Profile | None = None,
    language: Literal["nl", "en"] = "nl",
    title: str | None = None,
    size: int = 480,
) -> str:
    """Draw a profile as a radar chart: an SVG document, as a string.

    One axis per factor of the knowledge base, in its order, from the lowest answer on the scale
    (the centre) to the highest (the rim), with a guide ring at each whole scale value. The
    profile is a filled polygon through the assessed factors; a factor that was not assessed is
    skipped (never drawn as zero) and its label says so. With `before`, the earlier profile is
    drawn underneath with a dashed outline and a lighter fill, and a legend names both.

    Args:
        kb: The knowledge base the profile was scored with.
        profile: The profile to draw (`Diagnosis.profile`).
        before: An earlier profile of the same client, to compare with.
        language: `nl` or `en`, for the factor names and the other texts.
        title: The chart's heading; by default "Profiel" (with `before`: "Profiel: eerder en nu").
        size: The width in pixels; the height follows from the layout (a little taller with a legend).

    Returns:
        A standalone SVG document (UTF-8 text, no XML declaration), with a `<title>` and a
        `<desc>` that lists the scores in words.

    Raises:
        ChartError: if a profile does not have the knowledge base's factors, a score is not a
            number on its factor's scale (or its level does not fit it), or `size` or `language`
            is not valid.

    Examples:
        >>> import diagnose
        >>> kb = diagnose.load_knowledge_base()
        >>> now = diagnose.assess({"se_1": 4, "se_2": 4, "se_3": 5, "mo_1": 5, "mo_2": 4}).profile
        >>> svg = profile_chart(kb, now, language="en", title="Client 12")
        >>> svg.startswith('<svg xmlns="http://www.w3.org/2000/svg" width="480"')
        True
        >>> "<title>Client 12</title>" in svg, "Motivation to work" in svg, "(not assessed)" in svg
        (True, True, True)
        >>> earlier = diagnose.assess({"se_1": 2, "se_2": 1, "se_3": 2}).profile
        >>> ">Eerder<" in profile_chart(kb, now, before=earlier)
        True
    """
    if language not in _WORDS:
        raise ChartError(f"language must be 'nl' or 'en', got {language!r}")
    if isinstance(size, bool) or not isinstance(size, int) or size <= 0:
        raise ChartError(f"size must be a positive whole number of pixels, got {size!r}")
    _check_factors(kb, profile, "profile")
    if before is not None:
        _check_factors(kb, before, "before")
    words = _WORDS[language]
    factors = list(kb.factors.values())
    axes = [_Axis(f, kb.items_by_factor[f.id][0].scale, i, len(factors)) for i, f in enumerate(factors)]
    if title is None:
        title = words["title_before" if before is not None else "title"]

    box_height = _HEIGHT + (_LEGEND_HEIGHT if before is not None else 0.0)
    height = size * box_height / _WIDTH
    out = [
        (
            f'<svg xmlns="http://www.w3.org/2000/svg" width="{size}" height="{_num(height)}" '
            f'viewBox="0 0 {_num(_WIDTH)} {_num(box_height)}" role="img" font-family="{_FONT}">'
        ),
        f"<title>{_escape(title)}</title>",
        f"<desc>{_escape(_description(axes, profile, before, language))}</desc>",
        f'<rect width="{_num(_WIDTH)}" height="{_num(box_height)}" fill="#ffffff"/>',
        (
            f'<text class="chart-title" x="{_num(_CX)}" y="32" text-anchor="middle" font-size="21" '
            f'font-weight="bold" fill="{_TEXT}">{_escape(title)}</text>'
        ),
    ]
    out += _grid(axes)
    if before is not None:
        out += _polygon(axes, before, "before", language)
    out += _polygon(axes, profile, "now", language)
    out += _labels(axes, profile, language)
    if before is not None:
        out += _legend(language)
    out.append("</svg>")
    return "\n".join(out) + "\n"


def _description(
    axes: list[_Axis], profile: Profile, before: Profile | None, language: Literal["nl", "en"]
) -> str:
    """The chart in words, for screen readers: the scale, then every factor's score."""
    words = _WORDS[language]

    def scores(p: Profile) -> str:
        parts = []
        for axis in axes:
            name = axis.factor.name.get(language)
            s = p.scores[axis.factor.id]
            if s.score is None or s.level == "not_assessed":
                parts.append(f"{name}: {words['not_assessed']}")
            else:
                parts.append(f"{name}: {_score_text(s.score, language)} ({words[s.level]})")
        return "; ".join(parts) + "."

    scales = {(a.lo, a.hi) for a in axes}
    text = words["scale"].format(lo=axes[0].lo, hi=axes[0].hi) + " " if len(scales) == 1 else ""
    if before is None:
        return text + scores(profile)
    return f"{text}{words['before']}: {scores(before)} {words['now']}: {scores(profile)}"


def _grid(axes: list[_Axis]) -> list[str]:
    """Guide rings at each whole scale value, the scale's numbers, and the axes."""
    fractions = sorted(
        {(v - a.lo) / (a.hi - a.lo) for a in axes for v in range(a.lo, a.hi + 1)} - {0.0},
    )
    out = [f'<g class="rings" fill="none" stroke="{_RING}" stroke-width="1">']
    out += [
        f'<circle class="ring" cx="{_num(_CX)}" cy="{_num(_CY)}" r="{_num(_RADIUS * f)}"/>' for f in fractions
    ]
    out.append("</g>")
    if len({(a.lo, a.hi) for a in axes}) == 1:  # one scale for all: number the rings once
        first = axes[0]
        out.append(
            f'<g class="ring-values" font-size="12" fill="{_MUTED}" '
            'stroke="#ffffff" stroke-width="3" paint-order="stroke">'  # a halo, readable over lines
        )
        for value in range(first.lo, first.hi + 1):
            x, y = first.at(value)
            out.append(f'<text x="{_num(x + 5)}" y="{_num(y + 12)}">{value}</text>')
        out.append("</g>")
    out.append(f'<g class="axes" stroke="{_AXIS}" stroke-width="1">')
    for axis in axes:
        x, y = axis.point(1.0)
        out.append(f'<line x1="{_num(_CX)}" y1="{_num(_CY)}" x2="{_num(x)}" y2="{_num(y)}"/>')
    out.append("</g>")
    return out


def _assessed(axes: list[_Axis], profile: Profile) -> list[tuple[_Axis, FactorScore, float]]:
    """The axes with a score, in order; a factor without one is left out, never set to a value."""
    found = []
    for axis in axes:
        s = profile.scores[axis.factor.id]
        if s.score is not None and s.level != "not_assessed":
            found.append((axis, s, s.score))
    return found


def _polygon(
    axes: list[_Axis], profile: Profile, which: Literal["before", "now"], language: Literal["nl", "en"]
) -> list[str]:
    """A profile's polygon through its assessed factors, with a marker at each vertex."""
    words = _WORDS[language]
    if which == "now":
        style = f'fill="{_NOW_FILL}" fill-opacity="0.28" stroke="{_NOW_LINE}" stroke-width="2.5"'
        marker = f'r="4" fill="{_NOW_LINE}" stroke="#ffffff" stroke-width="1"'
    else:
        style = (
            f'fill="{_BEFORE_FILL}" fill-opacity="0.18" stroke="{_BEFORE_LINE}" stroke-width="2" '
            'stroke-dasharray="7 5"'
        )
        marker = f'r="3.5" fill="#ffffff" stroke="{_BEFORE_LINE}" stroke-width="1.5"'
    assessed = _assessed(axes, profile)
    points = [axis.at(value) for axis, _s, value in assessed]
    out = [f'<g class="profile {which}">']
    if points:
        joined = " ".join(f"{_num(x)},{_num(y)}" for x, y in points)
        out.append(f'<polygon points="{joined}" stroke-linejoin="round" {style}/>')
    for (axis, s, value), (x, y) in zip(assessed, points, strict=True):
        name = axis.factor.name.get(language)
        tip = f"{words[which]}: {name} {_score_text(value, language)} ({words[s.level]})"
        out.append(f'<circle cx="{_num(x)}" cy="{_num(y)}" {marker}><title>{_escape(tip)}</title></circle>')
    out.append("</g>")
    return out


def _labels(axes: list[_Axis], profile: Profile, language: Literal["nl", "en"]) -> list[str]:
    """Each axis's factor name outside the rim, wrapped; a factor not assessed says so."""
    words = _WORDS[language]
    out = [f'<g class="axis-labels" font-size="15" fill="{_TEXT}">']
    for axis in axes:
        s = profile.scores[axis.factor.id]
        missing = s.score is None or s.level == "not_assessed"
        cos, sin = math.cos(axis.angle), math.sin(axis.angle)
        x, y = axis.point(1.0)
        x, y = x + _LABEL_GAP * cos, y + _LABEL_GAP * sin
        anchor = "middle" if abs(cos) < 0.1 else "start" if cos > 0 else "end"  # noqa: PLR2004
        # Beside the chart a label may use the room to the edge: fewer lines, fewer collisions.
        room = {"start": _WIDTH - x, "end": x}.get(anchor, 0.0) - _MARGIN
        width = max(_WRAP, min(_WRAP_SIDE, int(room / _CHAR_WIDTH)))
        lines = textwrap.wrap(
            axis.factor.name.get(language), width, break_long_words=False, break_on_hyphens=False
        ) or [""]
        count = len(lines) + missing
        # Above the point at the top, below it at the bottom, centred on it at the sides.
        top = y + (sin - 1) / 2 * count * _LINE_HEIGHT
        spans = [
            f'<tspan x="{_num(x)}" y="{_num(top + (i + 0.8) * _LINE_HEIGHT)}">{_escape(line)}</tspan>'
            for i, line in enumerate(lines)
        ]
        if missing:
            y_marker = top + (len(lines) + 0.8) * _LINE_HEIGHT
            spans.append(
                f'<tspan x="{_num(x)}" y="{_num(y_marker)}" font-style="italic">'
                f"({_escape(words['not_assessed'])})</tspan>"
            )
        colour = f' fill="{_MUTED}"' if missing else ""
        out.append(
            f'<text class="axis-label" data-factor="{_escape(axis.factor.id)}" '
            f'text-anchor="{anchor}"{colour}>{"".join(spans)}</text>'
        )
    out.append("</g>")
    return out


def _legend(language: Literal["nl", "en"]) -> list[str]:
    """Which polygon is which, in words: the line style and the text carry it, not the colour."""
    words = _WORDS[language]
    y = _HEIGHT + 16
    before_x, now_x = _CX - 120, _CX + 20
    return [
        f'<g class="legend" font-size="15" fill="{_TEXT}">',
        (
            f'<rect x="{_num(before_x)}" y="{_num(y - 10)}" width="30" height="14" fill="{_BEFORE_FILL}" '
            f'fill-opacity="0.18" stroke="{_BEFORE_LINE}" stroke-width="2" stroke-dasharray="7 5"/>'
        ),
        f'<text x="{_num(before_x + 38)}" y="{_num(y + 2)}">{_escape(words["before"])}</text>',
        (
            f'<rect x="{_num(now_x)}" y="{_num(y - 10)}" width="30" height="14" fill="{_NOW_FILL}" '
            f'fill-opacity="0.28" stroke="{_NOW_LINE}" stroke-width="2.5"/>'
        ),
        f'<text x="{_num(now_x + 38)}" y="{_num(y + 2)}">{_escape(words["now"])}</text>',
        "</g>",
    ]


def __dir__() -> list[str]:
    """The public names, as `__all__` lists them (for completion in editors and shells)."""
    return list(__all__)
