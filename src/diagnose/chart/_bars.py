"""The profile as horizontal bars: `profile_chart(..., kind="bars")`.

One row per factor, in the knowledge base's order: the factor's name on the left, then its own
level bands (low, medium, high, from its thresholds) and a bar from the lowest answer on its scale
to its score, with the score at the end. An earlier profile is a thinner dashed bar above it. A
factor that was not assessed has no bar: the row says "niet gemeten". The scale's numbers run
along the bottom and the bands are named along the top when all factors share them.
"""

from __future__ import annotations

import textwrap
from typing import TYPE_CHECKING, Literal

from diagnose.chart._parts import (
    BAND_FILL,
    BEFORE_LINE,
    MUTED,
    NOW_FILL,
    NOW_LINE,
    TEXT,
    WORDS,
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

if TYPE_CHECKING:
    import datetime as dt

    from diagnose.assessment.scoring import Profile
    from diagnose.knowledge._base import KnowledgeBase
    from diagnose.knowledge._models import Factor

__all__ = ["bar_chart"]

_TOP = 96.0  # the first row
_ROW = 44.0
_BAND_HEIGHT = 30.0
_LEFT = 16.0  # the names
_BAR_LEFT = 262.0
_BAR_RIGHT = 592.0
_WRAP = 28  # characters per line of a name
_LINE_HEIGHT = 16.0


def _x(lo: float, hi: float, value: float) -> float:
    return _BAR_LEFT + (_BAR_RIGHT - _BAR_LEFT) * (value - lo) / (hi - lo)


def bar_chart(  # noqa: PLR0913, PLR0917 - profile_chart's checked options, passed on
    kb: KnowledgeBase,
    profile: Profile,
    before: Profile | None,
    language: Literal["nl", "en"],
    title: str,
    size: int,
    dates: tuple[dt.date | None, dt.date | None],
) -> str:
    """The bar chart as an SVG document (the options were checked by `profile_chart`)."""
    words = WORDS[language]
    factors = list(kb.factors.values())
    rows_end = _TOP + _ROW * len(factors)
    box_height = rows_end + 34 + (40.0 if before is not None else 0.0)
    out = header(size, box_height, title, description(kb, profile, before, language, "scale_bars"))
    if dates[0] is not None and before is None:
        out.append(subtitle(words["measured_on"].format(date=date_text(dates[0], language))))
    bands = shared_bands(kb)
    if bands is not None:
        lo, medium, high, hi = bands
        out.append(
            f'<g class="band-names" font-size="13" font-style="italic" fill="{MUTED}" text-anchor="middle">'
        )
        for level, (a, b) in (("low", (lo, medium)), ("medium", (medium, high)), ("high", (high, hi))):
            out.append(
                f'<text x="{num(_x(lo, hi, (a + b) / 2))}" y="{num(_TOP - 10)}">{escape(words[level])}</text>'
            )
        out.append("</g>")
    for index, factor in enumerate(factors):
        out += _row(kb, factor, _TOP + _ROW * index, profile, before, language)
    if bands is not None:
        out += _scale(bands[0], bands[3], rows_end)
    if before is not None:
        out += legend(language, rows_end + 50, dates)
    out.append("</svg>")
    return "\n".join(out) + "\n"


def _row(  # noqa: PLR0913, PLR0917 - one row's parts
    kb: KnowledgeBase,
    factor: Factor,
    y: float,
    profile: Profile,
    before: Profile | None,
    language: Literal["nl", "en"],
) -> list[str]:
    words = WORDS[language]
    scale = kb.items_by_factor[factor.id][0].scale
    lo, hi = float(scale.min), float(scale.max)
    t = factor.thresholds
    now = profile.scores[factor.id]
    missing = now.score is None or now.level == "not_assessed"
    out = [f'<g class="bar-row" data-factor="{escape(factor.id)}">']
    lines = textwrap.wrap(factor.name.get(language), _WRAP, break_long_words=False) or [""]
    top = y + _BAND_HEIGHT / 2 - (len(lines) - 1) * _LINE_HEIGHT / 2 + 5
    spans = "".join(
        f'<tspan x="{num(_LEFT)}" y="{num(top + i * _LINE_HEIGHT)}">{escape(line)}</tspan>'
        for i, line in enumerate(lines)
    )
    out.append(f'<text class="bar-label" font-size="14" fill="{MUTED if missing else TEXT}">{spans}</text>')
    edges = [(lo, min(max(t.medium, lo), hi), "low"), (min(max(t.medium, lo), hi), min(t.high, hi), "medium")]
    edges.append((min(t.high, hi), hi, "high"))
    opacity = ' fill-opacity="0.45"' if missing else ""
    for a, b, level in edges:
        if b > a:
            x0, x1 = _x(lo, hi, a), _x(lo, hi, b)
            box = f'x="{num(x0)}" y="{num(y)}" width="{num(x1 - x0)}" height="{num(_BAND_HEIGHT)}"'
            out.append(f'<rect class="band {level}" {box} fill="{BAND_FILL[level]}"{opacity}/>')
    name = factor.name.get(language)
    if missing or now.score is None:
        out.append(
            f'<text x="{num(_BAR_LEFT + 10)}" y="{num(y + _BAND_HEIGHT / 2 + 5)}" font-size="14" '
            f'font-style="italic" fill="{MUTED}">{escape(words["not_assessed"])}</text>'
        )
    else:
        tip = f"{words['now']}: {name} {score_text(now.score, language)} ({words[now.level]})"
        style = f'fill="{NOW_FILL}" stroke="{NOW_LINE}" stroke-width="1.5"'
        out.append(_bar("now", y + 13, 13, _x(lo, hi, now.score), style, tip))
        out.append(
            f'<text class="bar-value" x="{num(_BAR_RIGHT + 8)}" y="{num(y + 24)}" font-size="13" '
            f'fill="{TEXT}">{score_text(now.score, language)}</text>'
        )
    earlier = before.scores[factor.id] if before is not None else None
    if earlier is not None and earlier.score is not None and earlier.level != "not_assessed":
        tip = f"{words['before']}: {name} {score_text(earlier.score, language)} ({words[earlier.level]})"
        style = f'fill="#ffffff" stroke="{BEFORE_LINE}" stroke-width="1.5" stroke-dasharray="5 3"'
        out.append(_bar("before", y + 4, 6, _x(lo, hi, earlier.score), style, tip))
    out.append("</g>")
    return out


def _bar(which: str, y: float, height: float, end: float, style: str, tip: str) -> str:  # noqa: PLR0913, PLR0917 - a bar's parts
    """One bar from the scale's lowest answer to `end` (at least 2 units, so a minimum shows)."""
    where = (
        f'x="{num(_BAR_LEFT)}" y="{num(y)}" width="{num(max(end - _BAR_LEFT, 2.0))}" height="{num(height)}"'
    )
    return f'<rect class="bar {which}" {where} {style}><title>{escape(tip)}</title></rect>'


def _scale(lo: float, hi: float, rows_end: float) -> list[str]:
    """The scale's whole numbers along the bottom, each with a short tick."""
    out = [f'<g class="scale" font-size="12" fill="{MUTED}" text-anchor="middle">']
    for value in range(int(lo), int(hi) + 1):
        x = _x(lo, hi, value)
        tick = f'x1="{num(x)}" y1="{num(rows_end - 8)}" x2="{num(x)}" y2="{num(rows_end - 2)}"'
        out.append(f'<line {tick} stroke="{MUTED}"/>')
        out.append(f'<text x="{num(x)}" y="{num(rows_end + 16)}">{value}</text>')
    out.append("</g>")
    return out
