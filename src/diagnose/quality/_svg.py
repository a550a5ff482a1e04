"""Small inline SVG charts for the quality and audit pages: no script, no font, no image file.

Every text is escaped; every number is a share from 0 to 1 (or a coefficient up to 1) drawn on
a fixed scale, so that charts of different factors or groups can be compared by eye.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

__all__ = ["LEVEL_COLOURS", "Bar", "bars", "stacked"]

#: Levels in the colours of the profile chart's traffic light (low needs attention).
LEVEL_COLOURS = {"low": "#c0392b", "medium": "#e0a800", "high": "#2e8b57"}
_LABEL, _PLOT, _ROW = 260, 420, 24


@dataclass(frozen=True, slots=True)
class Bar:
    """One bar: a label, a value (None: not shown, with a reason), an interval, a colour."""

    label: str
    value: float | None
    low: float | None = None
    high: float | None = None
    colour: str = "#3b6ea5"
    missing: str = "-"


def _open(height: int, title: str) -> str:
    width = _LABEL + _PLOT + 70
    head = f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" height="{height}" '
    return head + f'viewBox="0 0 {width} {height}"><title>{escape(title)}</title>'


def _x(value: float, low: float, high: float) -> float:
    return _LABEL + _PLOT * (min(max(value, low), high) - low) / (high - low)


def bars(  # noqa: PLR0913 - the rows and the chart's keyword-only settings
    rows: list[Bar],
    *,
    title: str,
    low: float = 0.0,
    high: float = 1.0,
    line: float | None = None,
    percent: bool = True,
) -> str:
    """A horizontal bar chart with optional intervals and a reference line (such as alpha 0.7).

    Examples:
        >>> svg = bars([Bar("a", 0.5, 0.4, 0.6)], title="t", line=0.7)
        >>> svg.startswith("<svg") and "<script" not in svg
        True
    """
    height = 30 + _ROW * len(rows) + 20
    parts = [_open(height, title)]
    for tick in (low, (low + high) / 2, high):
        x = _x(tick, low, high)
        text = f"{tick:.0%}" if percent else f"{tick:g}"
        parts.append(f'<line x1="{x:.1f}" y1="22" x2="{x:.1f}" y2="{height - 18}" stroke="#ddd"/>')
        label = f'<text x="{x:.1f}" y="{height - 5}" font-size="11" text-anchor="middle" fill="#555">'
        parts.append(f"{label}{text}</text>")
    for n, bar in enumerate(rows):
        y = 28 + _ROW * n
        parts.append(
            f'<text x="{_LABEL - 8}" y="{y + 13}" font-size="12" text-anchor="end">{escape(bar.label)}</text>'
        )
        if bar.value is None:
            parts.append(
                f'<text x="{_LABEL + 4}" y="{y + 13}" font-size="12" fill="#777">{escape(bar.missing)}</text>'
            )
            continue
        width = _x(bar.value, low, high) - _LABEL
        parts.append(
            f'<rect x="{_LABEL}" y="{y + 2}" width="{max(width, 0):.1f}" height="14" fill="{bar.colour}"/>'
        )
        if bar.low is not None and bar.high is not None:
            x1, x2 = _x(bar.low, low, high), _x(bar.high, low, high)
            whisker = f'<line x1="{x1:.1f}" y1="{y + 9}" x2="{x2:.1f}" y2="{y + 9}" stroke="#222" '
            parts.append(whisker + 'stroke-width="1.5"/>')
            parts.extend(
                f'<line x1="{end:.1f}" y1="{y + 4}" x2="{end:.1f}" y2="{y + 14}" stroke="#222"/>'
                for end in (x1, x2)
            )
        shown = f"{bar.value:.0%}" if percent else f"{bar.value:.2f}"
        parts.append(f'<text x="{_LABEL + _PLOT + 6}" y="{y + 13}" font-size="12">{escape(shown)}</text>')
    if line is not None:
        x = _x(line, low, high)
        parts.append(
            f'<line x1="{x:.1f}" y1="20" x2="{x:.1f}" y2="{height - 18}" stroke="#c0392b" '
            'stroke-width="2" stroke-dasharray="5,3"/>'
        )
    parts.append("</svg>")
    return "".join(parts)


def stacked(rows: list[tuple[str, dict[str, float] | None]], *, title: str, missing: str) -> str:
    """One bar per row, split in the shares of low, medium and high (None: too few cases).

    Examples:
        >>> "<rect" in stacked([("f", {"low": 0.2, "medium": 0.5, "high": 0.3})], title="t", missing="-")
        True
    """
    height = 20 + _ROW * len(rows) + 10
    parts = [_open(height, title)]
    for n, (label, shares) in enumerate(rows):
        y = 14 + _ROW * n
        parts.append(
            f'<text x="{_LABEL - 8}" y="{y + 13}" font-size="12" text-anchor="end">{escape(label)}</text>'
        )
        if shares is None:
            parts.append(
                f'<text x="{_LABEL + 4}" y="{y + 13}" font-size="12" fill="#777">{escape(missing)}</text>'
            )
            continue
        x = float(_LABEL)
        for level, colour in LEVEL_COLOURS.items():
            width = _PLOT * shares.get(level, 0.0)
            parts.append(f'<rect x="{x:.1f}" y="{y + 2}" width="{width:.1f}" height="16" fill="{colour}"/>')
            if width > 30:  # noqa: PLR2004 - room for the figure
                parts.append(
                    f'<text x="{x + width / 2:.1f}" y="{y + 14}" font-size="11" fill="#fff" '
                    f'text-anchor="middle">{shares[level]:.0%}</text>'
                )
            x += width
    parts.append("</svg>")
    return "".join(parts)
