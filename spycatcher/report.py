"""report.html: a self-contained page of ranked suspects, their reasons, campaigns and a risk chart.

Everything a profile says is attacker-written, so the template autoescapes every value and the
page carries a Content-Security-Policy that forbids scripts and remote loads: it is safe to open
from disk and to attach to an email. The chart is inline SVG computed here, with no JavaScript.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape

from spycatcher import __version__

_env = Environment(
    loader=PackageLoader("spycatcher", "templates"),
    autoescape=select_autoescape(default=True, default_for_string=True),
    trim_blocks=True,
    lstrip_blocks=True,
)

BINS = 20


def histogram(scores: Iterable[float], bins: int = BINS) -> list[int]:
    counts = [0] * bins
    for s in scores:
        counts[min(bins - 1, max(0, int(s * bins)))] += 1
    return counts


def chart_bars(counts: list[int], width: int = 600, height: int = 180) -> list[dict[str, Any]]:
    """Bar geometry for the risk histogram, on a log scale so the rare high scores stay visible."""
    import math

    top = max((math.log10(c + 1) for c in counts), default=1.0) or 1.0
    bw = width / len(counts)
    bars = []
    for i, c in enumerate(counts):
        h = (math.log10(c + 1) / top) * (height - 20)
        lo = i / len(counts)
        level = "high" if lo >= 0.7 else "medium" if lo >= 0.4 else "low"
        bars.append(
            {
                "x": round(i * bw + 1, 1),
                "y": round(height - h, 1),
                "w": round(bw - 2, 1),
                "h": round(h, 1),
                "count": c,
                "label": f"{lo:.2f}-{lo + 1 / len(counts):.2f}",
                "level": level,
            }
        )
    return bars


def write_report(
    path: Path,
    ranked: list[dict[str, Any]],
    all_scores: list[float],
    campaigns: list[dict[str, Any]],
    summary: dict[str, Any],
    title: str = "spycatcher report",
    truth: dict[str, str] | None = None,
) -> Path:
    """Render report.html; ``truth`` (id -> label) adds a column when ground truth is known."""
    counts = histogram(all_scores)
    html = _env.get_template("report.html").render(
        title=title,
        ranked=ranked,
        campaigns=campaigns,
        summary=summary,
        bars=chart_bars(counts),
        truth=truth or {},
        version=__version__,
        generated=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
    )
    path.write_text(html, encoding="utf-8")
    return path
