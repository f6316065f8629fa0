"""Small SVG line charts drawn on the server, for the printable reports (no chart library, no
CDN: the PDF renderer and an offline browser both read plain SVG).

A chart is a ratio (0–100%) over dates, with the target's threshold as a dashed line and its
deadline as a dotted one; ``role="img"`` with a title and a description that say the same in
words, for screen readers.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

WIDTH, HEIGHT = 520, 200
LEFT, RIGHT, TOP, BOTTOM = 44, 16, 12, 28


@dataclass(frozen=True, slots=True)
class TrendChart:
    title: str
    description: str
    points: Sequence[tuple[dt.date, float | None]]
    threshold: float
    deadline: dt.date
    threshold_label: str
    deadline_label: str


def _scale(c: TrendChart) -> tuple[dt.date, int, float]:
    days = [d for d, _ in c.points] + [c.deadline]
    start, end = min(days), max(days)
    top = max([c.threshold, *[v for _, v in c.points if v is not None], 0.01])
    return start, max((end - start).days, 1), top


def _anchor(x: float) -> str:
    """A label at x stays inside the chart: flush to the side it is near."""
    if x > WIDTH - 70:
        return "end"
    return "start" if x < LEFT + 70 else "middle"


def line_chart(c: TrendChart) -> Markup:
    start, span, top = _scale(c)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(day: dt.date) -> float:
        return LEFT + plot_w * (day - start).days / span

    def y(value: float) -> float:
        return TOP + plot_h * (1 - value / top)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" '
        f'height="{HEIGHT}" role="img" class="chart">',
        f"<title>{escape(c.title)}</title><desc>{escape(c.description)}</desc>",
    ]
    for tick in (0.0, top / 2, top):  # the axis: 0, half and the top, in percent
        parts.append(
            f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(tick):.1f}" y2="{y(tick):.1f}" '
            'stroke="#ddd"/>'
            f'<text x="{LEFT - 4}" y="{y(tick) + 4:.1f}" text-anchor="end" font-size="10">'
            f"{tick * 100:.0f}%</text>"
        )
    ty, dx = y(c.threshold), x(c.deadline)
    parts.append(
        f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{ty:.1f}" y2="{ty:.1f}" stroke="#b00" '
        f'stroke-dasharray="6 4" class="target-line"/><text x="{WIDTH - RIGHT}" '
        f'y="{ty - 4:.1f}" text-anchor="end" font-size="10" fill="#b00">'
        f"{escape(c.threshold_label)}</text>"
        f'<line x1="{dx:.1f}" x2="{dx:.1f}" y1="{TOP}" y2="{TOP + plot_h}" stroke="#555" '
        f'stroke-dasharray="2 3" class="deadline-line"/><text x="{dx:.1f}" '
        f'y="{HEIGHT - 6}" text-anchor="{_anchor(dx)}" font-size="10">{escape(c.deadline_label)}</text>'
    )
    known = [(d, v) for d, v in c.points if v is not None]
    if known:
        path = " ".join(f"{x(d):.1f},{y(v):.1f}" for d, v in known)
        parts.append(f'<polyline points="{path}" fill="none" stroke="#0057a8" stroke-width="2"/>')
        parts.extend(
            f'<circle cx="{x(d):.1f}" cy="{y(v):.1f}" r="3" fill="#0057a8"/>' for d, v in known
        )
    parts.append("</svg>")
    return Markup("".join(parts))
