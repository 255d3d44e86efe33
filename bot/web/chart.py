"""The one chart of the village page: attendance rate per month as a small inline SVG bar chart
(no script, a few hundred bytes, readable on a phone)."""

from __future__ import annotations

from markupsafe import Markup, escape

__all__ = ["attendance_svg"]

WIDTH, HEIGHT, TOP, BOTTOM = 320, 150, 18, 22


def attendance_svg(points: list[tuple[str, float | None]]) -> Markup:
    """Bars of 0–100 % with the value above and the month below; a month without data shows "—"."""
    if not points:
        return Markup("")
    slot = WIDTH / len(points)
    plot = HEIGHT - TOP - BOTTOM
    parts = [f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="近几个月出勤率">']
    for index, (label, rate) in enumerate(points):
        x = index * slot + slot * 0.2
        width = slot * 0.6
        centre = index * slot + slot / 2
        if rate is not None:
            height = plot * rate / 100
            y = TOP + plot - height
            parts.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{width:.1f}" height="{height:.1f}" rx="2"/>')
            parts.append(f'<text x="{centre:.1f}" y="{y - 4:.1f}">{rate:g}%</text>')
        else:
            parts.append(f'<text x="{centre:.1f}" y="{TOP + plot - 4:.1f}">—</text>')
        parts.append(f'<text x="{centre:.1f}" y="{HEIGHT - 6}">{escape(label)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))
