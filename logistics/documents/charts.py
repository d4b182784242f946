"""Charts as server-rendered inline SVG: no JavaScript, no library, vector in the PDF.

A ``Chart`` is data (labels and series) that renders itself when a template prints it
(``{{ figures.charts.per_trade }}``), in the language active at that moment. Every label
and name is escaped; colours are SVG presentation attributes (no ``style``, so the strict
CSP holds); the size comes from the ``viewBox`` and the ``chart`` CSS class scales it to
its container.

- ``bar``: horizontal bars, one row per label (tickets per trade, ratings 1–5);
- ``column``: vertical bars per label, grouped by series (per month; found vs rectified);
- ``line``: one line per series over the labels (a trend per month).
"""

import math
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

# Bootstrap's primary, success, orange, purple, red, teal.
PALETTE = ("#0d6efd", "#198754", "#fd7e14", "#6f42c1", "#dc3545", "#20c997")
FONT = 12
# Natural sizes (CSS pixels): a chart is drawn this big and shrinks with its container.
BAR_PLOT_WIDTH = 260
MIN_WIDTH = 360
SLOT_WIDTH = 40
PLOT_HEIGHT = 160


@dataclass(frozen=True)
class Series:
    name: Any
    values: tuple

    def __post_init__(self):
        object.__setattr__(self, "values", tuple(self.values))


@dataclass(frozen=True)
class Chart:
    """What to draw; printing it in a template draws it (``__html__``)."""

    kind: str  # "bar", "column" or "line"
    title: Any
    labels: tuple
    series: tuple[Series, ...]

    def __post_init__(self):
        if self.kind not in RENDERERS:
            raise ValueError(f"unknown chart kind: {self.kind}")
        object.__setattr__(self, "labels", tuple(self.labels))
        object.__setattr__(self, "series", tuple(self.series))

    @property
    def is_empty(self):
        return not self.labels or not any(_num(v) for s in self.series for v in s.values)

    def svg(self) -> SafeString:
        return RENDERERS[self.kind](self.labels, self.series, title=self.title)

    def __html__(self):
        return self.svg()

    def __str__(self):
        return self.svg()


def bar_chart(labels, values, *, title, name="") -> Chart:
    """Horizontal bars, one per label (a single series)."""
    return Chart("bar", title, tuple(labels), (Series(name or title, tuple(values)),))


def column_chart(labels, series, *, title) -> Chart:
    """Vertical bars; ``series`` is ``[(name, values), …]``, drawn side by side."""
    return Chart("column", title, tuple(labels), tuple(Series(n, v) for n, v in series))


def line_chart(labels, series, *, title) -> Chart:
    """One line per ``(name, values)`` of ``series`` over the labels."""
    return Chart("line", title, tuple(labels), tuple(Series(n, v) for n, v in series))


# --- Drawing ------------------------------------------------------------------------------


def _num(value):
    if value is None:
        return 0.0
    if isinstance(value, Decimal):
        return float(value)
    return float(value)


def _fmt(x):
    """A coordinate: at most one decimal, no trailing zeros."""
    text = f"{x:.1f}"
    return text[:-2] if text.endswith(".0") else text


def _value_text(value):
    if value is None:
        return ""
    if isinstance(value, int | Decimal) and value == int(value):
        return str(int(value))
    return f"{_num(value):.1f}".rstrip("0").rstrip(".")


def text_width(text, size=FONT):
    """Roughly how wide ``text`` is: CJK characters one em, others about half."""
    return sum(size if unicodedata.east_asian_width(ch) in "WF" else size * 0.6 for ch in str(text))


def nice_scale(maximum, ticks=5):
    """A round top for the axis and its step: 1, 2 or 5 × 10ⁿ (whole steps for counts)."""
    if maximum <= 0:
        return 1, 1
    rough = maximum / ticks
    power = 10 ** math.floor(math.log10(rough))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= rough)
    if step < 1 and float(maximum).is_integer():
        step = 1
    top = math.ceil(maximum / step - 1e-9) * step
    return top, step


def _open(width, height, title, kind):
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" class="chart chart-{}" viewBox="0 0 {} {}" '
        'width="{}" height="{}" role="img" aria-label="{}" '
        'font-family="system-ui, Noto Sans CJK SC, sans-serif" font-size="{}"><title>{}</title>',
        kind,
        _fmt(width),
        _fmt(height),
        _fmt(width),
        _fmt(height),
        title,
        FONT,
        title,
    )


def _text(x, y, content, anchor="start", size=FONT):
    return format_html(
        '<text x="{}" y="{}" text-anchor="{}" font-size="{}" fill="currentColor">{}</text>',
        _fmt(x),
        _fmt(y),
        anchor,
        size,
        content,
    )


def _rect(x, y, w, h, colour, tooltip):
    return format_html(
        '<rect x="{}" y="{}" width="{}" height="{}" fill="{}" rx="2"><title>{}</title></rect>',
        _fmt(x),
        _fmt(y),
        _fmt(max(w, 0)),
        _fmt(max(h, 0)),
        colour,
        tooltip,
    )


def _join(parts):
    # Every part comes from format_html (escaped) or is a constant of this module.
    return mark_safe("".join(str(p) for p in parts))  # noqa: S308


def _legend(series, y):
    """Coloured swatches with the series' names, left to right (only for several series)."""
    parts, x = [], 0.0
    if len(series) < 2:
        return parts, 0
    for i, s in enumerate(series):
        colour = PALETTE[i % len(PALETTE)]
        parts.append(
            format_html(
                '<rect x="{}" y="{}" width="10" height="10" fill="{}" rx="2"></rect>',
                _fmt(x),
                _fmt(y),
                colour,
            )
        )
        parts.append(_text(x + 14, y + 9, s.name))
        x += 14 + text_width(s.name) + 16
    return parts, 20


def render_bar(labels, series, *, title):
    row, pad = 26, 6
    n_series = max(len(series), 1)
    label_w = min(max([text_width(label) for label in labels] + [24]) + 10, 170)
    values = [_num(v) for s in series for v in s.values]
    value_w = max([text_width(_value_text(v)) for s in series for v in s.values] + [12]) + 8
    legend, legend_h = _legend(series, 0)
    plot_w = BAR_PLOT_WIDTH
    width = label_w + plot_w + value_w
    top, _step = nice_scale(max(values + [0]))
    height = legend_h + pad * 2 + row * max(len(labels), 1)
    bar_h = (row - 8) / n_series
    parts = [_open(width, height, title, "bar"), *legend]
    for i, label in enumerate(labels):
        y0 = legend_h + pad + i * row
        parts.append(_text(label_w - 8, y0 + row / 2 + 4, label, anchor="end"))
        for j, s in enumerate(series):
            value = s.values[i] if i < len(s.values) else None
            w = plot_w * _num(value) / top
            y = y0 + 4 + j * bar_h
            colour = PALETTE[j % len(PALETTE)]
            name = f" · {s.name}" if n_series > 1 else ""
            parts.append(
                _rect(label_w, y, w, bar_h, colour, f"{label}{name}: {_value_text(value)}")
            )
            parts.append(_text(label_w + w + 4, y + bar_h / 2 + 4, _value_text(value)))
    parts.append(
        format_html(
            '<line x1="{0}" y1="{1}" x2="{0}" y2="{2}" stroke="currentColor" '
            'stroke-opacity="0.4"></line>',
            _fmt(label_w),
            _fmt(legend_h + pad),
            _fmt(height - pad),
        )
    )
    parts.append(mark_safe("</svg>"))  # noqa: S308
    return _join(parts)


def _axes(labels, series, *, title, kind):
    """The frame shared by column and line charts: size, scale, grid and x labels."""
    values = [_num(v) for s in series for v in s.values]
    top, step = nice_scale(max(values + [0]))
    ticks = [top * k / round(top / step) for k in range(round(top / step) + 1)]
    axis_w = max(text_width(_value_text(Decimal(str(t)).normalize())) for t in ticks) + 8
    n = max(len(labels), 1)
    width = max(MIN_WIDTH, axis_w + SLOT_WIDTH * n)
    legend, legend_h = _legend(series, 0)
    top_pad, bottom = legend_h + 8, 22
    height = top_pad + PLOT_HEIGHT + bottom
    plot = {"x": axis_w, "y": top_pad, "w": width - axis_w - 4, "h": PLOT_HEIGHT}
    parts = [_open(width, height, title, kind), *legend]
    for t in ticks:
        y = plot["y"] + plot["h"] - plot["h"] * t / top
        parts.append(
            format_html(
                '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="currentColor" '
                'stroke-opacity="{}"></line>',
                _fmt(plot["x"]),
                _fmt(y),
                _fmt(plot["x"] + plot["w"]),
                _fmt(y),
                "0.4" if t == 0 else "0.12",
            )
        )
        parts.append(
            _text(plot["x"] - 6, y + 4, _value_text(Decimal(str(t)).normalize()), anchor="end")
        )
    slot = plot["w"] / n
    # Never more than about 16 x labels: the others stay in the tooltips.
    every = max(1, math.ceil(n / 16))
    for i, label in enumerate(labels):
        if i % every == 0:
            parts.append(
                _text(plot["x"] + slot * (i + 0.5), height - 6, label, anchor="middle", size=11)
            )
    return parts, plot, top, slot


def render_column(labels, series, *, title):
    parts, plot, top, slot = _axes(labels, series, title=title, kind="column")
    n_series = max(len(series), 1)
    group_w = slot * 0.7
    bar_w = group_w / n_series
    for i, label in enumerate(labels):
        for j, s in enumerate(series):
            value = s.values[i] if i < len(s.values) else None
            h = plot["h"] * _num(value) / top
            x = plot["x"] + slot * i + (slot - group_w) / 2 + j * bar_w
            y = plot["y"] + plot["h"] - h
            name = f" · {s.name}" if n_series > 1 else ""
            tooltip = f"{label}{name}: {_value_text(value)}"
            parts.append(_rect(x, y, bar_w - 1, h, PALETTE[j % len(PALETTE)], tooltip))
    parts.append(mark_safe("</svg>"))  # noqa: S308
    return _join(parts)


def render_line(labels, series, *, title):
    parts, plot, top, slot = _axes(labels, series, title=title, kind="line")
    for j, s in enumerate(series):
        colour = PALETTE[j % len(PALETTE)]
        points = []
        for i, label in enumerate(labels):
            value = s.values[i] if i < len(s.values) else None
            if value is None:
                continue
            x = plot["x"] + slot * (i + 0.5)
            y = plot["y"] + plot["h"] - plot["h"] * _num(value) / top
            points.append((x, y, label, value))
        parts.append(
            format_html(
                '<polyline points="{}" fill="none" stroke="{}" stroke-width="2"></polyline>',
                " ".join(f"{_fmt(x)},{_fmt(y)}" for x, y, _l, _v in points),
                colour,
            )
        )
        for x, y, label, value in points:
            parts.append(
                format_html(
                    '<circle cx="{}" cy="{}" r="3" fill="{}"><title>{}: {}</title></circle>',
                    _fmt(x),
                    _fmt(y),
                    colour,
                    f"{label} · {s.name}" if len(series) > 1 else label,
                    _value_text(value),
                )
            )
    parts.append(mark_safe("</svg>"))  # noqa: S308
    return _join(parts)


RENDERERS = {"bar": render_bar, "column": render_column, "line": render_line}
