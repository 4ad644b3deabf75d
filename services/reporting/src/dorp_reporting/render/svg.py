"""Small, dependency-free SVG charts: bars and lines, with hidden (suppressed) values left
out and marked, so a chart never shows what the table hides."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from xml.sax.saxutils import escape, quoteattr

from dorp_reporting.domain.report import Chart

WIDTH, HEIGHT = 640, 290
LEFT, RIGHT, TOP, BOTTOM = 48, 16, 16, 92
COLOURS = ("#2f6f8f", "#e07b39", "#5b9a4b", "#9b59b6", "#c0392b", "#7f8c8d")


FontOf = Callable[[str], str]
"""The font family to draw a text in (the PDF's embedded fonts); without one, the viewer's."""


def chart_svg(chart: Chart, language: str, font: FontOf | None = None) -> str:
    """One chart as an inline ``<svg>`` element (no external references). Labels keep
    every letter (Turkish, Polish, Arabic names of kernen and initiatives); ``font`` names
    a family per text for a renderer without font fallback (fpdf2)."""
    values = [v for s in chart.series for v in s.values if v is not None]
    top = chart.y_max or max([*values, 1.0])
    body = _bars(chart, top) if chart.kind == "bar" else _lines(chart, top)
    title = escape(chart.title.of(language))
    family = font or (lambda _text: "")
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'width="{WIDTH}" height="{HEIGHT}" role="img" aria-label="{title}" class="chart">'
        f"<title>{title}</title>{_axes(top, family)}{_labels(chart.labels, family)}{body}"
        f"{_legend(chart, language, family)}</svg>"
    )


def _text(text: str, font: FontOf, attributes: str) -> str:
    """A ``<text>`` element holding ``text`` (escaped), in its font when one is named."""
    family = font(text)
    face = f" font-family={quoteattr(family)}" if family else ""
    return f"<text {attributes}{face}>{escape(text)}</text>"


def _plot_width() -> int:
    return WIDTH - LEFT - RIGHT


def _plot_height() -> int:
    return HEIGHT - TOP - BOTTOM


def _y(value: float, top: float) -> float:
    return TOP + _plot_height() * (1 - value / top)


def _x(index: int, count: int) -> float:
    step = _plot_width() / max(count, 1)
    return LEFT + step * (index + 0.5)


def _axes(top: float, font: FontOf) -> str:
    base = TOP + _plot_height()
    parts = [
        f'<line x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{base}" stroke="#444"/>',
        f'<line x1="{LEFT}" y1="{base}" x2="{WIDTH - RIGHT}" y2="{base}" stroke="#444"/>',
    ]
    for fraction in (0.0, 0.5, 1.0):
        y = _y(top * fraction, top)
        attributes = f'x="{LEFT - 6}" y="{y + 4:.1f}" font-size="11" text-anchor="end"'
        parts.append(_text(_number(top * fraction), font, attributes))
    return "".join(parts)


def _labels(labels: Sequence[str], font: FontOf) -> str:
    base = TOP + _plot_height()
    every = max(1, len(labels) // 12)
    return "".join(
        _text(
            _short(label),
            font,
            f'x="{_x(i, len(labels)):.1f}" y="{base + 14}" font-size="10" text-anchor="end" '
            f'transform="rotate(-35 {_x(i, len(labels)):.1f} {base + 14})"',
        )
        for i, label in enumerate(labels)
        if i % every == 0
    )


def _bars(chart: Chart, top: float) -> str:
    count = len(chart.labels)
    width = _plot_width() / max(count, 1) * 0.7 / max(len(chart.series), 1)
    base = TOP + _plot_height()
    parts = []
    for s, series in enumerate(chart.series):
        for i, value in enumerate(series.values):
            x = _x(i, count) - width * len(chart.series) / 2 + s * width
            if value is None:
                parts.append(_hidden_mark(x + width / 2, base))
                continue
            y = _y(value, top)
            parts.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{width:.1f}" height="{base - y:.1f}" '
                f'fill="{COLOURS[s % len(COLOURS)]}"><title>{_number(value)}</title></rect>'
            )
    return "".join(parts)


def _lines(chart: Chart, top: float) -> str:
    count = len(chart.labels)
    base = TOP + _plot_height()
    parts = []
    for s, series in enumerate(chart.series):
        colour = COLOURS[s % len(COLOURS)]
        run: list[str] = []
        for i, value in enumerate([*series.values, None]):
            if value is None:
                if len(run) > 1:
                    parts.append(
                        f'<polyline fill="none" stroke="{colour}" stroke-width="2" '
                        f'points="{" ".join(run)}"/>'
                    )
                run = []
                if i < count and s == 0 and all(v.values[i] is None for v in chart.series):
                    parts.append(_hidden_mark(_x(i, count), base))
                continue
            point = f"{_x(i, count):.1f},{_y(value, top):.1f}"
            run.append(point)
            parts.append(
                f'<circle cx="{_x(i, count):.1f}" cy="{_y(value, top):.1f}" r="3" '
                f'fill="{colour}"><title>{_number(value)}</title></circle>'
            )
    return "".join(parts)


def _hidden_mark(x: float, base: float) -> str:
    """A small grey dash on the axis: a value is there but not shown."""
    return (
        f'<line x1="{x - 4:.1f}" y1="{base - 3}" x2="{x + 4:.1f}" y2="{base - 3}" stroke="#999"/>'
    )


def _legend(chart: Chart, language: str, font: FontOf) -> str:
    if len(chart.series) < 2 and chart.kind == "bar":
        return ""  # the title says what the bars are
    parts = []
    for s, series in enumerate(chart.series):
        name = series.name.of(language)
        x = LEFT + 8 + (s % 3) * 190
        y = HEIGHT - 24 + (s // 3) * 14
        parts.append(
            f'<rect x="{x}" y="{y - 9}" width="10" height="10" fill="{COLOURS[s % len(COLOURS)]}"/>'
            + _text(_short(name, 28), font, f'x="{x + 14}" y="{y}" font-size="11"')
        )
    return "".join(parts)


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"


def _short(text: str, limit: int = 18) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
