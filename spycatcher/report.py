"""report.html: a self-contained page of ranked suspects, their reasons, campaigns and a risk chart.

Everything a profile says is attacker-written, so the template autoescapes every value and the
page carries a Content-Security-Policy that forbids scripts and remote loads: it is safe to open
from disk and to attach to an email. The risk chart is inline SVG drawn by
:mod:`spycatcher.web.charts` (the dashboard's charts, one implementation), with no JavaScript.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape

from spycatcher import __version__
from spycatcher.web.charts import risk_histogram, score_counts

_env = Environment(
    loader=PackageLoader("spycatcher", "templates"),
    autoescape=select_autoescape(default=True, default_for_string=True),
    trim_blocks=True,
    lstrip_blocks=True,
)


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
    chart = risk_histogram(
        "risk",
        score_counts(all_scores),
        title="Histogram of risk scores from 0 to 1",
        caption="Number of profiles per score band (logarithmic height).",
    )
    html = _env.get_template("report.html").render(
        title=title,
        ranked=ranked,
        campaigns=campaigns,
        summary=summary,
        risk_chart=chart,
        truth=truth or {},
        version=__version__,
        generated=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
    )
    path.write_text(html, encoding="utf-8")
    return path
