"""A radar ("star") chart of a client's profile, and of before and after, as plain SVG.

Each factor of the knowledge base is an axis from the centre (the lowest answer on its scale) to
the rim (the highest); the profile is the filled polygon through the factors' scores. Given an
earlier profile too, it is drawn underneath with a dashed outline and a lighter fill, and a legend
names both ("Eerder" / "Nu"). Labels are in Dutch or English.

A factor that was not assessed has no score, and it is not drawn as one: drawing it at zero would
show a false "very low", and joining its neighbours straight across would suggest a value between
them. So the profile is drawn in runs of neighbouring assessed factors: each run is a filled wedge
from the centre with an outline through its points, a factor on its own is a spoke from the centre
to its score, and an unmeasured factor leaves a gap; its axis label says "(niet gemeten)". When
every factor is assessed the profile is one closed polygon.

When every factor has the same scale and thresholds, the level bands (low, medium, high) are
shaded as rings and named, with the scale's numbers, between the last axis and the first, where
no score can hide them. With dates, the legend (or, with one profile, a line under the title)
says when each profile was measured.

`kind="bars"` draws the same profile as horizontal bars (`diagnose.chart._bars`): one row per
factor with its own level bands, which reads better in a conversation than a radar.

The SVG is built here as text, with no plotting library and no display: that is simpler and
cleaner than adding matplotlib (a large dependency, with a backend to configure on a server) for
one kind of chart. The output is deterministic: coordinates are rounded to one decimal, so the
same input gives a byte-identical document, which can be stored, compared and tested.
"""

from __future__ import annotations

import itertools
import math
import textwrap
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from diagnose.chart._bars import bar_chart
from diagnose.chart._parts import (
    AXIS,
    BAND_FILL,
    BEFORE_FILL,
    BEFORE_LINE,
    CX,
    MUTED,
    NOW_FILL,
    NOW_LINE,
    RING,
    TEXT,
    WIDTH,
    WORDS,
    check_options,
    date_text,
    description,
    escape,
    header,
    legend,
    num,
    score_text,
    shared_bands,
    subtitle,
)
from diagnose.errors import ChartError

if TYPE_CHECKING:
    import datetime as dt

    from diagnose.assessment.scoring import FactorScore, Profile
    from diagnose.knowledge._base import KnowledgeBase
    from diagnose.knowledge._models import Factor, Scale

__all__ = ["profile_chart"]

# The layout, in viewBox units; `size` sets the width the whole drawing is scaled to.
_HEIGHT = 490.0  # without a legend
_LEGEND_HEIGHT = 40.0
_CY = 276.0
_RADIUS = 150.0
_LABEL_GAP = 14.0
_LINE_HEIGHT = 17.0
_WRAP = 16  # characters per line of a label above or below the chart
_WRAP_SIDE = 22  # at most, for a label beside it (where the room to the edge allows)
_CHAR_WIDTH = 8.3  # a generous average for the 15-unit label font
_MARGIN = 8.0


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
        return CX + r * math.cos(self.angle), _CY + r * math.sin(self.angle)

    def at(self, value: float) -> tuple[float, float]:
        """The point of a score on this axis."""
        return self.point((value - self.lo) / (self.hi - self.lo))


def profile_chart(  # noqa: PLR0913 - the chart's options, all keyword-only
    kb: KnowledgeBase,
    profile: Profile,
    *,
    before: Profile | None = None,
    language: Literal["nl", "en"] = "nl",
    title: str | None = None,
    size: int = 480,
    kind: Literal["radar", "bars"] = "radar",
    date: dt.date | None = None,
    before_date: dt.date | None = None,
) -> str:
    """Draw a profile as a radar chart (or as bars): an SVG document, as a string.

    Radar: one axis per factor of the knowledge base, in its order, from the lowest answer on the
    scale (the centre) to the highest (the rim), with a guide ring at each whole scale value and,
    when all factors share them, the level bands. The profile is drawn through the assessed
    factors; a factor that was not assessed is a gap (never drawn as zero, never bridged) and its
    label says so. With `before`, the earlier profile is drawn underneath with a dashed outline
    and a lighter fill, and a legend names both, with their dates when given.

    Bars (`kind="bars"`): one row per factor, a bar from the scale's lowest answer to the score
    over the factor's own level bands; before, a thinner dashed bar above it.

    Args:
        kb: The knowledge base the profile was scored with.
        profile: The profile to draw (`Diagnosis.profile`).
        before: An earlier profile of the same client, to compare with.
        language: `nl` or `en`, for the factor names and the other texts.
        title: The chart's heading; by default "Profiel" (with `before`: "Profiel: eerder en nu").
        size: The width in pixels; the height follows from the layout (a little taller with a legend).
        kind: `radar` or `bars`.
        date: When `profile` was measured (`Diagnosis.assessed_on`), shown with it.
        before_date: When `before` was measured.

    Returns:
        A standalone SVG document (UTF-8 text, no XML declaration), with a `<title>` and a
        `<desc>` that lists the scores in words.

    Raises:
        ChartError: if a profile does not have the knowledge base's factors, a score is not a
            number on its factor's scale (or its level does not fit it), or `size`, `language`,
            `kind` or a date is not valid.

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
        >>> import datetime as dt
        >>> bars = profile_chart(kb, now, before=earlier, kind="bars", date=dt.date(2026, 6, 2),
        ...                      before_date=dt.date(2026, 3, 12))
        >>> ">Eerder (12-03-2026)<" in bars, ">Nu (02-06-2026)<" in bars
        (True, True)
    """
    if kind not in ("radar", "bars"):
        raise ChartError(f"kind must be 'radar' or 'bars', got {kind!r}")
    check_options(kb, profile, before=before, language=language, size=size, dates=(date, before_date))
    words = WORDS[language]
    if title is None:
        title = words["title_before" if before is not None else "title"]
    if kind == "bars":
        return bar_chart(kb, profile, before, language, title, size, (date, before_date))
    factors = list(kb.factors.values())
    axes = [_Axis(f, kb.items_by_factor[f.id][0].scale, i, len(factors)) for i, f in enumerate(factors)]
    box_height = _HEIGHT + (_LEGEND_HEIGHT if before is not None else 0.0)
    out = header(size, box_height, title, description(kb, profile, before, language, "scale"))
    if date is not None and before is None:
        out.append(subtitle(words["measured_on"].format(date=date_text(date, language))))
    out += _bands(kb)
    out += _grid(axes)
    if before is not None:
        out += _shape(axes, before, "before", language)
    out += _shape(axes, profile, "now", language)
    out += _band_names(kb, axes, language)
    out += _labels(axes, profile, language)
    if before is not None:
        out += legend(language, _HEIGHT + 16, (date, before_date))
    out.append("</svg>")
    return "\n".join(out) + "\n"


def _bands(kb: KnowledgeBase) -> list[str]:
    """The level bands as shaded rings (their names come later, over the profile)."""
    bands = shared_bands(kb)
    if bands is None:
        return []
    lo, medium, high, hi = bands
    radius = {v: _RADIUS * (v - lo) / (hi - lo) for v in (medium, high, hi)}
    out = ['<g class="level-bands" stroke="none">']
    centre = f'cx="{num(CX)}" cy="{num(_CY)}"'
    for level, r in (("high", radius[hi]), ("medium", radius[high]), ("low", radius[medium])):
        out.append(f'<circle class="band {level}" {centre} r="{num(r)}" fill="{BAND_FILL[level]}"/>')
    out.append("</g>")
    return out


def _band_names(kb: KnowledgeBase, axes: list[_Axis], language: Literal["nl", "en"]) -> list[str]:
    """The bands' names, over the profile, halfway between the last axis and the first."""
    bands = shared_bands(kb)
    if bands is None:
        return []
    lo, medium, high, hi = bands
    words = WORDS[language]
    out: list[str] = []
    # Their names, along the line halfway between the last axis and the first (no score lies there).
    angle = axes[0].angle - math.pi / len(axes)
    out.append(
        f'<g class="band-names" font-size="12" font-style="italic" fill="{MUTED}" text-anchor="middle" '
        'stroke="#ffffff" stroke-width="3" paint-order="stroke">'
    )
    for level, (a, b) in (("low", (lo, medium)), ("medium", (medium, high)), ("high", (high, hi))):
        r = _RADIUS * ((a + b) / 2 - lo) / (hi - lo)
        x, y = CX + r * math.cos(angle), _CY + r * math.sin(angle)
        out.append(f'<text x="{num(x)}" y="{num(y + 4)}">{escape(words[level])}</text>')
    out.append("</g>")
    return out


def _grid(axes: list[_Axis]) -> list[str]:
    """Guide rings at each whole scale value, the scale's numbers, and the axes."""
    fractions = sorted(
        {(v - a.lo) / (a.hi - a.lo) for a in axes for v in range(a.lo, a.hi + 1)} - {0.0},
    )
    out = [f'<g class="rings" fill="none" stroke="{RING}" stroke-width="1">']
    out += [
        f'<circle class="ring" cx="{num(CX)}" cy="{num(_CY)}" r="{num(_RADIUS * f)}"/>' for f in fractions
    ]
    out.append("</g>")
    if len({(a.lo, a.hi) for a in axes}) == 1:  # one scale for all: number the rings once
        first = axes[0]
        # A quarter of the way from the first axis to the second: no marker there, and the band
        # names are on the other side of the first axis.
        angle = first.angle + 2 * math.pi / len(axes) / 4
        out.append(
            f'<g class="ring-values" font-size="12" fill="{MUTED}" text-anchor="middle" '
            'stroke="#ffffff" stroke-width="3" paint-order="stroke">'  # a halo, readable over lines
        )
        for value in range(first.lo, first.hi + 1):
            r = _RADIUS * (value - first.lo) / (first.hi - first.lo)
            x, y = CX + r * math.cos(angle), _CY + r * math.sin(angle)
            out.append(f'<text x="{num(x)}" y="{num(y + 4)}">{value}</text>')
        out.append("</g>")
    out.append(f'<g class="axes" stroke="{AXIS}" stroke-width="1">')
    for axis in axes:
        x, y = axis.point(1.0)
        out.append(f'<line x1="{num(CX)}" y1="{num(_CY)}" x2="{num(x)}" y2="{num(y)}"/>')
    out.append("</g>")
    return out


def _runs(axes: list[_Axis], profile: Profile) -> list[list[tuple[_Axis, FactorScore, float]]]:
    """The assessed factors in runs of neighbours, around the circle; a factor not assessed splits them."""
    scored = []
    for axis in axes:
        s = profile.scores[axis.factor.id]
        scored.append((axis, s, s.score) if s.score is not None and s.level != "not_assessed" else None)
    if all(scored):
        return [[x for x in scored if x is not None]]
    start = next(i for i, x in enumerate(scored) if x is None)  # begin just after a gap
    runs: list[list[tuple[_Axis, FactorScore, float]]] = []
    current: list[tuple[_Axis, FactorScore, float]] = []
    for step in range(1, len(scored) + 1):
        x = scored[(start + step) % len(scored)]
        if x is None:
            if current:
                runs.append(current)
            current = []
        else:
            current.append(x)
    return sorted(runs, key=lambda run: axes.index(run[0][0]))


def _shape(
    axes: list[_Axis], profile: Profile, which: Literal["before", "now"], language: Literal["nl", "en"]
) -> list[str]:
    """A profile: a polygon when all is assessed, else a wedge (or spoke) per run; a marker per score."""
    words = WORDS[language]
    if which == "now":
        fill = f'fill="{NOW_FILL}" fill-opacity="0.28"'
        line = f'stroke="{NOW_LINE}" stroke-width="2.5"'
        marker = f'r="4" fill="{NOW_LINE}" stroke="#ffffff" stroke-width="1"'
    else:
        fill = f'fill="{BEFORE_FILL}" fill-opacity="0.18"'
        line = f'stroke="{BEFORE_LINE}" stroke-width="2" stroke-dasharray="7 5"'
        marker = f'r="3.5" fill="#ffffff" stroke="{BEFORE_LINE}" stroke-width="1.5"'
    runs = (
        _runs(axes, profile)
        if any(s.score is not None and s.level != "not_assessed" for s in profile.scores.values())
        else []
    )
    out = [f'<g class="profile {which}">']
    whole = len(runs) == 1 and len(runs[0]) == len(axes)
    for run in runs:
        points = " ".join(f"{num(x)},{num(y)}" for x, y in (a.at(v) for a, _s, v in run))
        if whole:
            out.append(f'<polygon points="{points}" stroke-linejoin="round" {fill} {line}/>')
        elif len(run) == 1:
            x, y = run[0][0].at(run[0][2])
            out.append(
                f'<line class="spoke" x1="{num(CX)}" y1="{num(_CY)}" x2="{num(x)}" y2="{num(y)}" {line}/>'
            )
        else:
            centre = f"{num(CX)},{num(_CY)}"
            out.append(f'<polygon class="wedge" points="{centre} {points}" stroke="none" {fill}/>')
            out.append(
                f'<polyline class="run" points="{points}" fill="none" stroke-linejoin="round" {line}/>'
            )
    for axis, s, value in (x for run in runs for x in run):
        x, y = axis.at(value)
        name = axis.factor.name.get(language)
        tip = f"{words[which]}: {name} {score_text(value, language)} ({words[s.level]})"
        out.append(f'<circle cx="{num(x)}" cy="{num(y)}" {marker}><title>{escape(tip)}</title></circle>')
    out.append("</g>")
    return out


def _labels(axes: list[_Axis], profile: Profile, language: Literal["nl", "en"]) -> list[str]:
    """Each axis's factor name outside the rim, wrapped; a factor not assessed says so.

    Labels beside the chart that would overlap (many factors, long names) are moved apart
    vertically, each side on its own, as little as keeps them a line's gap apart.
    """
    words = WORDS[language]
    blocks = []
    for axis in axes:
        s = profile.scores[axis.factor.id]
        missing = s.score is None or s.level == "not_assessed"
        cos, sin = math.cos(axis.angle), math.sin(axis.angle)
        x, y = axis.point(1.0)
        x, y = x + _LABEL_GAP * cos, y + _LABEL_GAP * sin
        anchor = "middle" if abs(cos) < 0.1 else "start" if cos > 0 else "end"  # noqa: PLR2004
        # Beside the chart a label may use the room to the edge: fewer lines, fewer collisions.
        room = {"start": WIDTH - x, "end": x}.get(anchor, 0.0) - _MARGIN
        width = max(_WRAP, min(_WRAP_SIDE, int(room / _CHAR_WIDTH)))
        lines = textwrap.wrap(
            axis.factor.name.get(language), width, break_long_words=False, break_on_hyphens=False
        ) or [""]
        count = len(lines) + missing
        # Above the point at the top, below it at the bottom, centred on it at the sides.
        top = y + (sin - 1) / 2 * count * _LINE_HEIGHT
        blocks.append(_Label(axis, missing, x, anchor, lines, top, count * _LINE_HEIGHT))
    for side in ("start", "end"):
        _spread([b for b in blocks if b.anchor == side])
    out = [f'<g class="axis-labels" font-size="15" fill="{TEXT}">']
    for block in blocks:
        axis, missing, x, anchor, lines, top = (
            block.axis,
            block.missing,
            block.x,
            block.anchor,
            block.lines,
            block.top,
        )
        spans = [
            f'<tspan x="{num(x)}" y="{num(top + (i + 0.8) * _LINE_HEIGHT)}">{escape(line)}</tspan>'
            for i, line in enumerate(lines)
        ]
        if missing:
            y_marker = top + (len(lines) + 0.8) * _LINE_HEIGHT
            spans.append(
                f'<tspan x="{num(x)}" y="{num(y_marker)}" font-style="italic">'
                f"({escape(words['not_assessed'])})</tspan>"
            )
        colour = f' fill="{MUTED}"' if missing else ""
        out.append(
            f'<text class="axis-label" data-factor="{escape(axis.factor.id)}" '
            f'text-anchor="{anchor}"{colour}>{"".join(spans)}</text>'
        )
    out.append("</g>")
    return out


@dataclass
class _Label:
    """One axis label as placed: its lines, anchor and x, and the top and height of its block."""

    axis: _Axis
    missing: bool
    x: float
    anchor: str
    lines: list[str]
    top: float
    height: float


def _spread(blocks: list[_Label]) -> None:
    """Move the labels of one side apart, in place.

    Overlapping labels are pushed down from the top one; when that runs past the bottom of the
    drawing, the whole run is pulled up again. Labels that do not overlap keep their places.
    """
    blocks.sort(key=lambda b: b.top)
    gap = _LINE_HEIGHT / 4
    for above, below in itertools.pairwise(blocks):
        below.top = max(below.top, above.top + above.height + gap)
    if blocks and (over := blocks[-1].top + blocks[-1].height - (_HEIGHT - _MARGIN)) > 0:
        blocks[-1].top -= over
        for below, above in itertools.pairwise(reversed(blocks)):
            above.top = min(above.top, below.top - above.height - gap)


def __dir__() -> list[str]:
    """The public names, as `__all__` lists them (for completion in editors and shells)."""
    return list(__all__)
