"""What the radar and the bar chart share: words, colours, escaping, the heading, the legend.

See `diagnose.chart` for the charts themselves.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Literal

from diagnose._consistency import check_score, describe
from diagnose.assessment.scoring import Profile
from diagnose.errors import ChartError
from diagnose.knowledge._base import KnowledgeBase

#: The drawing's width and centre line, in viewBox units (both charts are this wide).
WIDTH = 640.0
CX = 320.0

WORDS = {
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
        "scale_bars": "Schaal {lo} tot {hi}, van links naar rechts.",
        "measured_on": "gemeten op {date}",
        "dated": "{label} ({date})",
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
        "scale_bars": "Scale {lo} to {hi}, from left to right.",
        "measured_on": "measured on {date}",
        "dated": "{label} ({date})",
    },
}

# Colours: dark text and lines on white (contrast above 7:1 for text); the two profiles also
# differ by line style (solid and dashed) and by their markers, and the legend names them.
TEXT = "#1a1a1a"
MUTED = "#595959"
RING = "#d4d4d4"
AXIS = "#a6a6a6"
NOW_LINE = "#005a9c"
NOW_FILL = "#0072b2"
BEFORE_LINE = "#595959"
BEFORE_FILL = "#a6a6a6"
FONT = "Helvetica, Arial, sans-serif"

#: The level bands: light enough for dark text and the profile's colours on top (contrast above 7:1
#: for the text), and told apart by their names, not only by colour.
BAND_FILL = {"low": "#f8dccb", "medium": "#ececec", "high": "#d6e6f2"}

# Characters that XML 1.0 does not allow at all; they are dropped from text rather than breaking
# the document.
INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def escape(text: str) -> str:
    """Text for XML content or a double- or single-quoted attribute."""
    text = INVALID_XML.sub("", text)
    return (
        text.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&quot;")
        .replace("'", "&apos;")
    )


def num(value: float) -> str:
    """A coordinate rounded to one decimal, without `-0` or a trailing `.0`."""
    return f"{round(value, 1) + 0.0:.1f}".removesuffix(".0")


def score_text(value: float, language: Literal["nl", "en"]) -> str:
    text = f"{value:.1f}"
    return text.replace(".", ",") if language == "nl" else text


def check_factors(kb: KnowledgeBase, profile: Profile, what: str) -> None:
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


def date_text(day: dt.date, language: Literal["nl", "en"]) -> str:
    """A date as the language writes it: 12-03-2026 in Dutch, 2026-03-12 in English."""
    return day.strftime("%d-%m-%Y") if language == "nl" else day.isoformat()


def _check_types(kb: object, profile: object, before: object) -> None:
    if not isinstance(kb, KnowledgeBase):
        raise ChartError(
            f"kb: expected a KnowledgeBase (from diagnose.load_knowledge_base), got {describe(kb)}"
        )
    for name, value in (("profile", profile), ("before", before)):
        if value is not None and not isinstance(value, Profile):
            raise ChartError(f"{name}: expected a Profile (Diagnosis.profile), got {describe(value)}")


def _check_dates(dates: tuple[object, object], before: object) -> None:
    for name, day in zip(("date", "before_date"), dates, strict=True):
        if day is not None and (not isinstance(day, dt.date) or isinstance(day, dt.datetime)):
            raise ChartError(f"{name} must be a date (datetime.date), got {day!r}")
    if dates[1] is not None and before is None:
        raise ChartError("before_date is the date of `before`: give `before` too")
    date, before_date = dates
    if isinstance(date, dt.date) and isinstance(before_date, dt.date) and before_date > date:
        raise ChartError(
            f"before_date ({before_date}) is after date ({date}): `before` is the earlier profile"
        )


def check_options(  # noqa: PLR0913 - every option of profile_chart, checked in one place
    kb: KnowledgeBase,
    profile: Profile,
    *,
    before: Profile | None,
    language: object,
    size: object,
    dates: tuple[object, object],
) -> None:
    """Raise a ChartError for a bad option or a profile that does not fit the knowledge base."""
    _check_types(kb, profile, before)
    if language not in ("nl", "en"):
        raise ChartError(f"language must be 'nl' or 'en', got {language!r}")
    if isinstance(size, bool) or not isinstance(size, int) or size <= 0:
        raise ChartError(f"size must be a positive whole number of pixels, got {size!r}")
    _check_dates(dates, before)
    check_factors(kb, profile, "profile")
    if before is not None:
        check_factors(kb, before, "before")


def header(size: int, box_height: float, title: str, desc: str) -> list[str]:
    """The SVG element, its title and description, a white background and the heading."""
    height = size * box_height / WIDTH
    return [
        (
            f'<svg xmlns="http://www.w3.org/2000/svg" width="{size}" height="{num(height)}" '
            f'viewBox="0 0 {num(WIDTH)} {num(box_height)}" role="img" font-family="{FONT}">'
        ),
        f"<title>{escape(title)}</title>",
        f"<desc>{escape(desc)}</desc>",
        f'<rect width="{num(WIDTH)}" height="{num(box_height)}" fill="#ffffff"/>',
        (
            f'<text class="chart-title" x="{num(CX)}" y="32" text-anchor="middle" font-size="21" '
            f'font-weight="bold" fill="{TEXT}">{escape(title)}</text>'
        ),
    ]


def subtitle(text: str) -> str:
    """A line under the title (the date of a single profile)."""
    return (
        f'<text class="chart-date" x="{num(CX)}" y="54" text-anchor="middle" font-size="14" '
        f'fill="{MUTED}">{escape(text)}</text>'
    )


def description(
    kb: KnowledgeBase, profile: Profile, before: Profile | None, language: Literal["nl", "en"], scale_key: str
) -> str:
    """The chart in words, for screen readers: the scale, then every factor's score."""
    words = WORDS[language]

    def scores(p: Profile) -> str:
        parts = []
        for factor in kb.factors.values():
            name = factor.name.get(language)
            s = p.scores[factor.id]
            if s.score is None or s.level == "not_assessed":
                parts.append(f"{name}: {words['not_assessed']}")
            else:
                parts.append(f"{name}: {score_text(s.score, language)} ({words[s.level]})")
        return "; ".join(parts) + "."

    scales = {(i[0].scale.min, i[0].scale.max) for i in kb.items_by_factor.values()}
    lo, hi = min(scales)
    text = words[scale_key].format(lo=lo, hi=hi) + " " if len(scales) == 1 else ""
    if before is None:
        return text + scores(profile)
    return f"{text}{words['before']}: {scores(before)} {words['now']}: {scores(profile)}"


def shared_bands(kb: KnowledgeBase) -> tuple[float, float, float, float] | None:
    """(lowest, medium, high, highest) when every factor has the same scale and thresholds, else None."""
    found = {
        (
            kb.items_by_factor[f.id][0].scale.min,
            f.thresholds.medium,
            f.thresholds.high,
            kb.items_by_factor[f.id][0].scale.max,
        )
        for f in kb.factors.values()
    }
    if len(found) != 1:
        return None
    lo, medium, high, hi = next(iter(found))
    return float(lo), float(medium), float(high), float(hi)


def legend(
    language: Literal["nl", "en"], y: float, dates: tuple[dt.date | None, dt.date | None]
) -> list[str]:
    """Which profile is which, in words and with dates: the line style and text carry it, not colour."""
    words = WORDS[language]
    now_date, before_date = dates
    texts = {
        "before": words["dated"].format(label=words["before"], date=date_text(before_date, language))
        if before_date
        else words["before"],
        "now": words["dated"].format(label=words["now"], date=date_text(now_date, language))
        if now_date
        else words["now"],
    }
    before_x, now_x = (CX - 190, CX + 20) if now_date or before_date else (CX - 120, CX + 20)
    return [
        f'<g class="legend" font-size="15" fill="{TEXT}">',
        (
            f'<rect x="{num(before_x)}" y="{num(y - 10)}" width="30" height="14" fill="{BEFORE_FILL}" '
            f'fill-opacity="0.18" stroke="{BEFORE_LINE}" stroke-width="2" stroke-dasharray="7 5"/>'
        ),
        f'<text x="{num(before_x + 38)}" y="{num(y + 2)}">{escape(texts["before"])}</text>',
        (
            f'<rect x="{num(now_x)}" y="{num(y - 10)}" width="30" height="14" fill="{NOW_FILL}" '
            f'fill-opacity="0.28" stroke="{NOW_LINE}" stroke-width="2.5"/>'
        ),
        f'<text x="{num(now_x + 38)}" y="{num(y + 2)}">{escape(texts["now"])}</text>',
        "</g>",
    ]
