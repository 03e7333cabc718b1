"""/dashboard: the picture a trust & safety lead or security officer looks at first.

Risk distribution of the last full scan, campaigns over time, who is being targeted (organisations
and sensitive sectors), how fast reviewers decide, and how much is waiting: for reviewers and
admins. The figures are database aggregates (:mod:`spycatcher.review.stats`), drawn as SVG by
:mod:`spycatcher.web.charts` on the server: no chart library, no script, and every label that came
from a profile escaped.

The date range is a GET form (``?from=YYYY-MM-DD&to=YYYY-MM-DD``), so a view can be bookmarked and
shared; a bad range is explained on the page and the default range (the last 90 days) is shown.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from spycatcher.review import stats
from spycatcher.web import charts
from spycatcher.web.deps import StaffUser
from spycatcher.web.render import page
from spycatcher.web.security import WebUser

router = APIRouter(include_in_schema=False)

OUTCOME_COLOURS = {
    "fake": charts.LEVEL_FILL["high"],
    "genuine": charts.LEVEL_FILL["low"],
    "needs_info": charts.PALETTE[0],
    "escalate": charts.PALETTE[3],
}
STATUS_NAMES = {"open": "open", "needs_info": "needs more information", "escalated": "escalated"}
SENSITIVE_FILL = charts.PALETTE[1]


def _campaign_name(cid: str, size: int | None) -> str:
    """A short legend name for an opaque campaign id ("campaign-0123abcd..." -> "0123abcd")."""
    short = cid.removeprefix("campaign-")[:8]
    if cid == "other campaigns":
        return cid
    return f"campaign {short}" + (f" ({size} profiles)" if size else "")


def build_charts(d: stats.Dashboard) -> dict[str, charts.Chart]:
    """The dashboard's charts from its figures (separate from the route, for tests and docs)."""
    rng = d.range
    when = d.run["finished_at"].strftime("%d %b %Y %H:%M UTC") if d.run else None
    out: dict[str, charts.Chart] = {}
    out["risk"] = charts.risk_histogram(
        "chart-risk",
        d.bands,
        title="Risk score distribution",
        caption=(
            f"Profiles per score band in the full scan that finished {when}."
            if when
            else "No full scan had finished by the end of this range."
        ),
    )
    series = {
        _campaign_name(cid, d.campaign_sizes.get(cid)): vals
        for cid, vals in d.campaign_series.items()
    }
    out["campaigns"] = charts.line_chart(
        "chart-campaigns",
        "Approaches by campaign members",
        d.periods,
        series,
        category_heading=rng.granularity,
        tick_labels=d.ticks,
        value_label="approaches",
        caption=(
            f"Invitations and messages sent per {rng.granularity} by the profiles of each campaign "
            f"the scan found ({d.campaigns_active} active in this range; the busiest "
            f"{stats.TOP_CAMPAIGNS} are drawn on their own)."
        ),
    )
    orgs = d.organisations
    out["organisations"] = charts.bar_chart(
        "chart-orgs",
        "Organisations whose staff were approached",
        [(o["name"], o["members"]) for o in orgs],
        value_label="members approached",
        label_heading="organisation",
        fills=[SENSITIVE_FILL if o["sectors"] else charts.PALETTE[0] for o in orgs],
        extra_columns={
            "approaches": [charts.fmt_number(o["approaches"]) for o in orgs],
            "sensitive sectors": [", ".join(o["sectors"]) or "none" for o in orgs],
        },
        caption=(
            "Current employers of the members that suspects (high or medium risk, or decided "
            "fake) approached in this range. Orange bars are organisations in a sensitive sector; "
            "the data table names the sectors."
        ),
    )
    out["sectors"] = charts.bar_chart(
        "chart-sectors",
        "Sensitive sectors targeted",
        [(x["title"], x["members"]) for x in d.sectors],
        value_label="members approached",
        label_heading="sector",
        fills=[SENSITIVE_FILL] * len(d.sectors),
        extra_columns={"approaches": [charts.fmt_number(x["approaches"]) for x in d.sectors]},
        caption="Sectors as the sensitive-organisation list (sensitive_orgs.toml) defines them.",
    )
    out["throughput"] = charts.column_chart(
        "chart-throughput",
        "Review decisions by outcome",
        d.periods,
        {stats.OUTCOME_NAMES[o]: d.throughput[o] for o in stats.OUTCOMES},
        category_heading=rng.granularity,
        tick_labels=d.ticks,
        value_label="decisions",
        colours=[OUTCOME_COLOURS[o] for o in stats.OUTCOMES],
        caption=f"Decisions reviewers made per {rng.granularity}.",
    )
    out["backlog"] = charts.column_chart(
        "chart-backlog",
        "Open cases by age",
        d.backlog_bands,
        {STATUS_NAMES.get(k, k): v for k, v in d.backlog.items()},
        category_heading="age",
        value_label="cases",
        colours=[charts.PALETTE[0], charts.PALETTE[5], charts.PALETTE[3]],
        caption="Cases waiting now, by how long ago they opened (not limited to the range).",
    )
    out["open"] = charts.line_chart(
        "chart-open",
        "Open cases over time",
        d.periods,
        {"open cases": d.open_series},
        category_heading=rng.granularity,
        tick_labels=d.ticks,
        value_label="cases",
        caption=f"Cases open at the end of each {rng.granularity}.",
    )
    return out


@router.get("/dashboard", response_class=HTMLResponse)
def dashboard(
    request: Request,
    user: WebUser = StaffUser,
    start: str | None = Query(None, alias="from", max_length=40),
    end: str | None = Query(None, alias="to", max_length=40),
) -> HTMLResponse:
    now: datetime = request.app.state.service.clock()
    error = None
    try:
        rng = stats.DateRange.parse(start, end, now.date())
    except stats.RangeError as exc:
        error = f"{exc}. Showing the last {stats.DEFAULT_DAYS} days instead."
        rng = stats.DateRange.parse(None, None, now.date())
    store = request.app.state.store
    with store.session() as s:
        figures = stats.dashboard(s, rng, now)
    ctx: dict[str, Any] = {
        "d": figures,
        "charts": build_charts(figures),
        "error": error,
        "form_from": rng.start.isoformat(),
        "form_to": rng.end.isoformat(),
    }
    return page(request, "dashboard.html", status_code=400 if error else 200, **ctx)
