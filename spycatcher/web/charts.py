"""Server-side SVG charts: bars, a histogram, stacked columns and time-series lines, with no script.

The dashboard (and the standalone ``report.html``) draw their charts here, in one place, as SVG
markup built in Python. Three rules follow from where they are shown:

* **Escaping.** Labels are often attacker-written (an employer name a fake profile's target gave, a
  campaign's shared trait). Every piece of text goes through :func:`markupsafe.escape` after
  :func:`clean_label` has dropped control, zero-width and bidirectional-override characters (an
  RLO in an organisation's name would otherwise reverse the text after it on the reviewer's screen).
  Numbers are formatted here, never taken as text. The result is wrapped in ``Markup`` only then.
* **CSP.** The pages forbid inline ``style`` attributes and inline script, so colours and sizes are
  SVG presentation attributes (``fill``, ``stroke``, ``font-size``), legends are drawn inside the
  SVG, and nothing is interactive beyond native ``<title>`` tooltips.
* **Accessibility.** Each chart is ``role="img"`` with a ``<title>`` and ``<desc>`` it is labelled
  by, the desc says in words what the chart shows (the largest values), and :meth:`Chart.figure`
  adds the same figures as a table under a ``<details>`` disclosure. Colour is never the only
  carrier: legends name every series and the table repeats every value.

A :class:`Chart` renders itself when a template writes ``{{ chart }}`` (it has ``__html__``).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

from spycatcher.scoring.assessment import HIGH, MEDIUM, level_for
from spycatcher.text.normalize import ZERO_WIDTH

#: fills that keep 3:1 contrast against white (WCAG non-text contrast), distinct in hue and
#: lightness so that neighbouring series still differ for most colour-vision deficiencies
PALETTE = ("#1d3557", "#c2410c", "#2f7d32", "#7e22ce", "#0e7490", "#a16207", "#be123c", "#4d4d4d")
#: the risk-level colours of app.css (.lvl.low/.medium/.high)
LEVEL_FILL = {"low": "#22672a", "medium": "#7a4d00", "high": "#a4001d"}
AXIS = "#333333"
GRID = "#d9d9d9"
FONT = 11
WIDTH = 640

_ID = re.compile(r"^[a-z][a-z0-9-]{0,40}$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_HIDDEN = str.maketrans({ch: None for ch in ZERO_WIDTH})


def clean_label(text: object, limit: int = 60) -> str:
    """Attacker text made fit for a chart label: one line, no invisible or direction-changing
    characters, at most ``limit`` characters (an ellipsis marks a cut). Still needs escaping."""
    t = _CONTROL.sub(" ", str(text if text is not None else "")).translate(_HIDDEN)
    t = " ".join(t.split())
    return t if len(t) <= limit else t[: limit - 1].rstrip() + "\u2026"


def fmt_number(value: float) -> str:
    """1234 -> "1,234"; 0.25 -> "0.25" (counts are whole, shares are not)."""
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.2f}"


def nice_ticks(top: float, count: int = 5) -> list[float]:
    """Round axis ticks from 0 to at least ``top`` (steps of 1, 2 or 5 times a power of ten)."""
    if top <= 0:
        return [0.0, 1.0]
    raw = top / count
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 5, 10) if m * mag >= raw)
    if step < 1 and top >= 1:
        step = 1.0
    n = math.ceil(top / step - 1e-9)
    return [round(i * step, 10) for i in range(n + 1)]


def _n(v: float) -> str:
    """A coordinate: short, and never text from anywhere else."""
    return f"{float(v):.1f}".rstrip("0").rstrip(".")


@dataclass(frozen=True)
class Chart:
    """An SVG chart with its text alternative (``desc``) and data table (``columns``/``rows``)."""

    id: str
    title: str
    desc: str
    svg: Markup
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    caption: str = ""

    def figure(self) -> Markup:
        """The chart in a ``<figure>``: caption, then the data table behind a disclosure."""
        head = "".join(f'<th scope="col">{escape(c)}</th>' for c in self.columns)
        body = "".join(
            "<tr>"
            + "".join(
                (f'<th scope="row">{escape(v)}</th>' if i == 0 else f"<td>{escape(v)}</td>")
                for i, v in enumerate(row)
            )
            + "</tr>"
            for row in self.rows
        )
        caption = f"<figcaption>{escape(self.caption)}</figcaption>" if self.caption else ""
        table = (
            f'<details class="chart-data"><summary>{escape(self.title)}: data table</summary>'
            f'<div class="table-wrap"><table><caption class="visually-hidden">{escape(self.title)}'
            f"</caption><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div></details>"
        )
        return Markup(f'<figure class="chart" id="{self.id}">{self.svg}{caption}{table}</figure>')

    def __html__(self) -> str:
        return str(self.figure())


def _open_svg(chart_id: str, title: str, desc: str, height: float) -> str:
    if not _ID.match(chart_id):
        raise ValueError(f"chart id {chart_id!r}: lower-case letters, digits and '-' only")
    return (
        f'<svg class="chart" role="img" viewBox="0 0 {WIDTH} {_n(height)}" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" font-size="{FONT}" '
        f'font-family="system-ui, sans-serif">'
        f'<title id="{chart_id}-title">{escape(title)}</title>'
        f'<desc id="{chart_id}-desc">{escape(desc)}</desc>'
    )


def _text(x: float, y: float, text: str, anchor: str = "start", extra: str = "") -> str:
    return (
        f'<text x="{_n(x)}" y="{_n(y)}" text-anchor="{anchor}" fill="{AXIS}"{extra}>'
        f"{escape(text)}</text>"
    )


def _legend(names: Sequence[str], colours: Sequence[str], y: float, left: float) -> str:
    """A wrapped row of swatches and names (inside the SVG: no CSS needed)."""
    parts = []
    x = left
    for name, colour in zip(names, colours, strict=True):
        label = clean_label(name, 34)
        w = 18 + 6.2 * len(label) + 14
        if x + w > WIDTH - 4 and x > left:
            x = left
            y += 16
        parts.append(f'<rect x="{_n(x)}" y="{_n(y - 9)}" width="11" height="11" fill="{colour}"/>')
        parts.append(_text(x + 16, y, label))
        x += w
    return "".join(parts)


def _legend_height(names: Sequence[str], left: float) -> float:
    rows, x = 1, left
    for name in names:
        w = 18 + 6.2 * len(clean_label(name, 34)) + 14
        if x + w > WIDTH - 4 and x > left:
            rows += 1
            x = left
        x += w
    return 16.0 * rows


def _y_axis(ticks: Sequence[float], top: float, plot_top: float, plot_h: float, left: float) -> str:
    out = []
    for t in ticks:
        y = plot_top + plot_h - (t / top) * plot_h if top else plot_top + plot_h
        out.append(
            f'<line x1="{_n(left)}" y1="{_n(y)}" x2="{WIDTH - 8}" y2="{_n(y)}" '
            f'stroke="{GRID}" stroke-width="1"/>'
        )
        out.append(_text(left - 6, y + 4, fmt_number(t), "end"))
    return "".join(out)


def _x_labels(labels: Sequence[str], xs: Sequence[float], y: float, plot_w: float) -> str:
    """Category labels under the axis, thinned so that none overlaps the next."""
    if not labels:
        return ""
    shown = [clean_label(label, 16) for label in labels]
    widest = max(6.2 * len(t) + 10 for t in shown)
    every = max(1, math.ceil(len(labels) * widest / plot_w))
    out = []
    for i, (label, x) in enumerate(zip(shown, xs, strict=True)):
        if i % every == 0:
            out.append(_text(x, y, label, "middle"))
    return "".join(out)


# -- horizontal bars -------------------------------------------------------------------------


def bar_chart(
    chart_id: str,
    title: str,
    items: Sequence[tuple[str, float]],
    *,
    value_label: str,
    label_heading: str,
    fills: Sequence[str] | None = None,
    caption: str = "",
    extra_columns: Mapping[str, Sequence[object]] | None = None,
) -> Chart:
    """Horizontal bars, one per labelled item, longest first as given (for ranked lists with
    long names: organisations, sectors). ``extra_columns`` add columns to the data table only."""
    items = list(items)
    left = 200.0
    bar_h, gap, top_pad = 18.0, 6.0, 8.0
    height = top_pad + max(1, len(items)) * (bar_h + gap) + 24
    top = max((v for _, v in items), default=0.0)
    desc = (
        f"{len(items)} bars. "
        + "; ".join(f"{clean_label(k, 60)}: {fmt_number(v)}" for k, v in items[:5])
        + ("; and more in the data table." if len(items) > 5 else ".")
        if items
        else "No data in this period."
    )
    parts = [_open_svg(chart_id, title, desc, height)]
    plot_w = WIDTH - left - 60
    for i, (label, value) in enumerate(items):
        y = top_pad + i * (bar_h + gap)
        w = (value / top) * plot_w if top else 0.0
        fill = (fills[i] if fills and i < len(fills) else None) or PALETTE[0]
        name = clean_label(label, 32)
        parts.append(_text(left - 6, y + bar_h - 5, name, "end"))
        parts.append(
            f'<rect x="{_n(left)}" y="{_n(y)}" width="{_n(max(w, 1.0 if value else 0.0))}" '
            f'height="{_n(bar_h)}" fill="{fill}"><title>{escape(clean_label(label, 200))}: '
            f"{escape(fmt_number(value))} {escape(value_label)}</title></rect>"
        )
        parts.append(_text(left + w + 4, y + bar_h - 5, fmt_number(value)))
    if not items:
        parts.append(_text(WIDTH / 2, height / 2, "No data in this period", "middle"))
    base = top_pad + max(1, len(items)) * (bar_h + gap)
    parts.append(
        f'<line x1="{_n(left)}" y1="{_n(top_pad - 2)}" x2="{_n(left)}" y2="{_n(base)}" '
        f'stroke="{AXIS}"/>'
    )
    parts.append(_text(left + plot_w / 2, base + 16, value_label, "middle"))
    parts.append("</svg>")
    extra = dict(extra_columns or {})
    columns = (label_heading, value_label, *extra)
    rows = tuple(
        (
            clean_label(k, 200),
            fmt_number(v),
            *(str(col[i]) if i < len(col) else "" for col in extra.values()),
        )
        for i, (k, v) in enumerate(items)
    )
    return Chart(chart_id, title, desc, Markup("".join(parts)), columns, rows, caption)


# -- histogram of scores ---------------------------------------------------------------------


def score_counts(scores: Iterable[float], bins: int = 20) -> list[int]:
    """Scores in 0..1 counted into ``bins`` equal bands (1.0 falls in the top band)."""
    counts = [0] * bins
    for s in scores:
        counts[min(bins - 1, max(0, int(s * bins)))] += 1
    return counts


def risk_histogram(
    chart_id: str,
    counts: Sequence[int],
    *,
    title: str = "Risk score distribution",
    log: bool = True,
    caption: str = "",
) -> Chart:
    """Profiles per score band from 0 to 1, coloured (and labelled) by the band's risk level.

    Heights are logarithmic by default: in a real population the high band holds a few dozen
    profiles among millions, and a linear scale would draw it as nothing.
    """
    bins = len(counts)
    if bins == 0:
        raise ValueError("a histogram needs at least one band")
    left, right, top_pad, plot_h = 48.0, 8.0, 10.0, 170.0
    height = top_pad + plot_h + 60
    plot_w = WIDTH - left - right
    bw = plot_w / bins
    scale: Callable[[float], float] = (lambda c: math.log10(c + 1)) if log else float
    top = max((scale(c) for c in counts), default=0.0) or 1.0
    total = sum(counts)
    level_totals = {"low": 0, "medium": 0, "high": 0}
    bands = []
    for i, c in enumerate(counts):
        lo, hi = i / bins, (i + 1) / bins
        level = level_for(lo + 1e-9)
        level_totals[level] += c
        bands.append((lo, hi, c, level))
    desc = (
        f"{fmt_number(total)} profiles scored: {fmt_number(level_totals['high'])} high risk "
        f"(score {HIGH} or more), {fmt_number(level_totals['medium'])} medium "
        f"({MEDIUM} to {HIGH}), {fmt_number(level_totals['low'])} low."
        + (" Bar heights are on a logarithmic scale." if log else "")
    )
    parts = [_open_svg(chart_id, title, desc, height)]
    if log:
        powers = (0, 1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000)
        ticks = [t for t in powers if math.log10(t + 1) <= top * 1.0001]
        for t in ticks:
            y = top_pad + plot_h - (math.log10(t + 1) / top) * plot_h
            parts.append(
                f'<line x1="{_n(left)}" y1="{_n(y)}" x2="{_n(WIDTH - right)}" y2="{_n(y)}" '
                f'stroke="{GRID}"/>'
            )
            parts.append(_text(left - 6, y + 4, fmt_number(t), "end"))
    else:
        ticks_lin = nice_ticks(max(counts))
        parts.append(_y_axis(ticks_lin, ticks_lin[-1], top_pad, plot_h, left))
        top = ticks_lin[-1] or 1.0
    for i, (lo, hi, c, level) in enumerate(bands):
        h = (scale(c) / top) * plot_h
        x = left + i * bw
        parts.append(
            f'<rect x="{_n(x + 1)}" y="{_n(top_pad + plot_h - h)}" width="{_n(bw - 2)}" '
            f'height="{_n(h)}" fill="{LEVEL_FILL[level]}"><title>score {lo:.2f} to {hi:.2f} '
            f"({level}): {fmt_number(c)} profiles</title></rect>"
        )
    base = top_pad + plot_h
    parts.append(
        f'<line x1="{_n(left)}" y1="{_n(base)}" x2="{_n(WIDTH - right)}" y2="{_n(base)}" '
        f'stroke="{AXIS}"/>'
    )
    for mark, name in (
        (0.0, "0"),
        (MEDIUM, f"{MEDIUM} medium"),
        (HIGH, f"{HIGH} high"),
        (1.0, "1"),
    ):
        x = left + mark * plot_w
        parts.append(
            f'<line x1="{_n(x)}" y1="{_n(base)}" x2="{_n(x)}" y2="{_n(base + 5)}" stroke="{AXIS}"/>'
        )
        anchor = "start" if mark == 0.0 else "end" if mark == 1.0 else "middle"
        parts.append(_text(x, base + 17, name, anchor))
    parts.append(_text(left + plot_w / 2, base + 34, "risk score", "middle"))
    legend_names = ["low risk", "medium risk", "high risk"]
    parts.append(
        _legend(legend_names, [LEVEL_FILL[k] for k in ("low", "medium", "high")], base + 48, left)
    )
    parts.append("</svg>")
    rows = tuple((f"{lo:.2f} to {hi:.2f}", level, fmt_number(c)) for lo, hi, c, level in bands)
    columns = ("score band", "risk level", "profiles")
    return Chart(chart_id, title, desc, Markup("".join(parts)), columns, rows, caption)


# -- columns and lines over categories (time periods, age bands) -----------------------------


def _series_desc(categories: Sequence[str], series: Mapping[str, Sequence[float]]) -> str:
    if not categories or not series:
        return "No data in this period."
    totals = {name: sum(vals) for name, vals in series.items()}
    parts = [f"{clean_label(k, 40)}: {fmt_number(v)} in total" for k, v in totals.items()]
    per_cat = [sum(vals[i] for vals in series.values()) for i in range(len(categories))]
    peak = max(range(len(categories)), key=lambda i: per_cat[i])
    return (
        f"{len(categories)} periods from {clean_label(categories[0], 20)} to "
        f"{clean_label(categories[-1], 20)}. "
        + "; ".join(parts)
        + f". Highest: {clean_label(categories[peak], 20)} with {fmt_number(per_cat[peak])}."
    )


def _series_rows(
    categories: Sequence[str], series: Mapping[str, Sequence[float]]
) -> tuple[tuple[str, ...], ...]:
    return tuple(
        (clean_label(c, 40), *(fmt_number(vals[i]) for vals in series.values()))
        for i, c in enumerate(categories)
    )


def _check_series(categories: Sequence[str], series: Mapping[str, Sequence[float]]) -> None:
    for name, vals in series.items():
        if len(vals) != len(categories):
            raise ValueError(f"series {name!r} has {len(vals)} values for {len(categories)} slots")


def _series_colours(names: Sequence[str], colours: Sequence[str] | None) -> list[str]:
    """One colour per series: the caller's, then the palette, cycling."""
    out = list(colours or PALETTE)[: len(names)]
    while len(out) < len(names):
        out.append(PALETTE[len(out) % len(PALETTE)])
    return out


@dataclass(frozen=True, slots=True)
class _SeriesFrame:
    """Where a series chart's plot sits, and the x of each category."""

    left: float
    right: float
    top_pad: float
    plot_h: float
    plot_w: float
    xs: Sequence[float]


def _finish_series_chart(
    parts: list[str],
    frame: _SeriesFrame,
    chart_id: str,
    title: str,
    categories: Sequence[str],
    series: Mapping[str, Sequence[float]],
    colours: Sequence[str],
    *,
    category_heading: str,
    value_label: str,
    caption: str,
    desc: str | None,
    tick_labels: Sequence[str] | None,
) -> Chart:
    """Base line, x labels, value label, empty-period note and legend; then the Chart with its
    data table (what columns and lines share)."""
    names = list(series)
    base = frame.top_pad + frame.plot_h
    parts.append(
        f'<line x1="{_n(frame.left)}" y1="{_n(base)}" x2="{_n(WIDTH - frame.right)}" '
        f'y2="{_n(base)}" stroke="{AXIS}"/>'
    )
    parts.append(_x_labels(tick_labels or categories, frame.xs, base + 15, frame.plot_w))
    parts.append(_text(4, 12, value_label, "start", ' font-weight="600"'))
    if not categories:
        mid = frame.top_pad + frame.plot_h / 2
        parts.append(_text(WIDTH / 2, mid, "No data in this period", "middle"))
    if names:
        parts.append(_legend(names, colours, base + 36, frame.left))
    parts.append("</svg>")
    columns = (category_heading, *(clean_label(n, 40) for n in names))
    return Chart(
        chart_id,
        title,
        desc or _series_desc(categories, series),
        Markup("".join(parts)),
        columns,
        _series_rows(categories, series),
        caption,
    )


def column_chart(
    chart_id: str,
    title: str,
    categories: Sequence[str],
    series: Mapping[str, Sequence[float]],
    *,
    category_heading: str,
    value_label: str,
    colours: Sequence[str] | None = None,
    caption: str = "",
    desc: str | None = None,
    tick_labels: Sequence[str] | None = None,
) -> Chart:
    """Stacked vertical columns: one column per category (a day, a week, an age band), one
    coloured segment per series (decision outcomes, case states). ``tick_labels`` are shorter
    names for the axis (the data table keeps ``categories``)."""
    _check_series(categories, series)
    names = list(series)
    colours = _series_colours(names, colours)
    left, right, top_pad, plot_h = 48.0, 8.0, 24.0, 170.0
    legend_h = _legend_height(names, left) if names else 0.0
    height = top_pad + plot_h + 40 + legend_h
    plot_w = WIDTH - left - right
    totals = [sum(series[n][i] for n in names) for i in range(len(categories))]
    ticks = nice_ticks(max(totals, default=0.0))
    top = ticks[-1] or 1.0
    parts = [
        _open_svg(chart_id, title, desc or _series_desc(categories, series), height),
        _y_axis(ticks, top, top_pad, plot_h, left),
    ]
    slot = plot_w / max(1, len(categories))
    bw = max(1.0, min(48.0, slot * 0.75))
    xs = []
    for i, cat in enumerate(categories):
        x = left + i * slot + (slot - bw) / 2
        xs.append(x + bw / 2)
        y = top_pad + plot_h
        for name, colour in zip(names, colours, strict=True):
            v = series[name][i]
            if not v:
                continue
            h = (v / top) * plot_h
            y -= h
            parts.append(
                f'<rect x="{_n(x)}" y="{_n(y)}" width="{_n(bw)}" height="{_n(h)}" '
                f'fill="{colour}"><title>{escape(clean_label(cat, 40))}, '
                f"{escape(clean_label(name, 40))}: {escape(fmt_number(v))}</title></rect>"
            )
    return _finish_series_chart(
        parts,
        _SeriesFrame(left, right, top_pad, plot_h, plot_w, xs),
        chart_id,
        title,
        categories,
        series,
        colours,
        category_heading=category_heading,
        value_label=value_label,
        caption=caption,
        desc=desc,
        tick_labels=tick_labels,
    )


def line_chart(
    chart_id: str,
    title: str,
    categories: Sequence[str],
    series: Mapping[str, Sequence[float]],
    *,
    category_heading: str,
    value_label: str,
    colours: Sequence[str] | None = None,
    caption: str = "",
    desc: str | None = None,
    tick_labels: Sequence[str] | None = None,
) -> Chart:
    """A time series: one line per series over evenly spaced periods, with a point marker per
    value (distinct dash patterns as well as colours, so lines differ in grey-scale too)."""
    _check_series(categories, series)
    names = list(series)
    colours = _series_colours(names, colours)
    dashes = ("", "6 3", "2 3", "8 3 2 3", "1 2", "10 4")
    left, right, top_pad, plot_h = 48.0, 30.0, 24.0, 170.0
    legend_h = _legend_height(names, left) if names else 0.0
    height = top_pad + plot_h + 40 + legend_h
    plot_w = WIDTH - left - right
    ticks = nice_ticks(max((max(v, default=0.0) for v in series.values()), default=0.0))
    top = ticks[-1] or 1.0
    parts = [
        _open_svg(chart_id, title, desc or _series_desc(categories, series), height),
        _y_axis(ticks, top, top_pad, plot_h, left),
    ]
    n = len(categories)
    xs = [left + (plot_w * (i / (n - 1)) if n > 1 else plot_w / 2) for i in range(n)]
    base = top_pad + plot_h
    for k, (name, colour) in enumerate(zip(names, colours, strict=True)):
        pts = [(xs[i], base - (v / top) * plot_h) for i, v in enumerate(series[name])]
        if not pts:
            continue
        dash = dashes[k % len(dashes)]
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        path = " ".join(f"{_n(x)},{_n(y)}" for x, y in pts)
        parts.append(
            f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"{dash_attr}/>'
        )
        if n <= 60:
            for i, (x, y) in enumerate(pts):
                parts.append(
                    f'<circle cx="{_n(x)}" cy="{_n(y)}" r="2.5" fill="{colour}"><title>'
                    f"{escape(clean_label(categories[i], 40))}, {escape(clean_label(name, 40))}: "
                    f"{escape(fmt_number(series[name][i]))}</title></circle>"
                )
    return _finish_series_chart(
        parts,
        _SeriesFrame(left, right, top_pad, plot_h, plot_w, xs),
        chart_id,
        title,
        categories,
        series,
        colours,
        category_heading=category_heading,
        value_label=value_label,
        caption=caption,
        desc=desc,
        tick_labels=tick_labels,
    )
