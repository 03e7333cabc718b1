"""/console: the analyst console, where reviewers work the queue and decide cases.

Two pages over :class:`~spycatcher.review.service.ReviewService`, which does all the work:

* ``/console``: the queue, filtered by status, risk level, what opened the case or which family
  of signal it shows, the campaign, an organisation its profile targeted and who holds it;
  sortable, in pages, with the number of cases per status. The filters are a GET form, so a view
  can be bookmarked, and the case links carry it so ``j``/``k`` on a case page walk that view.
* ``/console/cases/{id}``: one screen with everything a decision needs: the profile, its photo
  (when the store holds the image) and photo matches, the risk level and every signal with its
  evidence and advice, the approach messages with the lure phrases marked, a timeline, pictures of
  the profile's network neighbourhood and of its campaign (:mod:`spycatcher.web.netpic`),
  intelligence matches, member reports (reporters only for keys that may see them), the forms to
  claim, release and decide, past decisions and actions, and the case's audit trail.

Nearly every value on these pages was written by whoever runs the fake profile. Templates
autoescape it; the one place markup is built in Python from it, :func:`highlight`, escapes each
piece before wrapping the lure spans in ``<mark>``. Every POST checks the session's CSRF token
first. Errors (an unknown case, a claim someone else holds, a decision without a reason) render as
pages with the right status, never as the API's JSON.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl, urlencode

from fastapi import APIRouter, Form, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from markupsafe import Markup, escape

from spycatcher.review.base import MAX_TEXT, NotFound, ReviewError
from spycatcher.review.decisions import DECISIONS, FAKE_ACTIONS
from spycatcher.review.queue import CLAIMS, LEVELS, SORTS, STATUSES, TRIGGERS, QueueFilter
from spycatcher.review.reports import REASONS
from spycatcher.review.service import ReviewService
from spycatcher.schema import Profile
from spycatcher.signals.base import FAMILIES
from spycatcher.web import netpic
from spycatcher.web.deps import StaffUser, check_csrf
from spycatcher.web.render import page
from spycatcher.web.security import WebUser

router = APIRouter(include_in_schema=False)

PER_PAGE = 25
#: the largest page number accepted (beyond it the queue is searched, not paged)
MAX_PAGE = 10_000

STATUS_NAMES = {
    "open": "Open",
    "needs_info": "Needs more information",
    "escalated": "Escalated",
    "closed": "Closed",
}
LEVEL_NAMES = {"high": "High", "medium": "Medium", "low": "Low"}
TRIGGER_NAMES = {
    "score": "a high risk score",
    "reports": "member reports",
    "intel": "an intelligence match",
}
FAMILY_NAMES = {
    "profile": "the profile's details",
    "message": "its approach messages",
    "behaviour": "its behaviour",
    "text": "wording shared with other profiles",
    "photo": "its photo",
    "graph": "its place in the network",
    "campaign": "belonging to a campaign",
    "intel": "threat intelligence",
    "report": "member reports",
    "model": "the trained model",
}
CLAIM_NAMES = {
    "": "Unclaimed or mine",
    "mine": "Claimed by me",
    "unclaimed": "Unclaimed",
    "all": "Everyone's, claimed or not",
}
SORT_NAMES = {
    "priority": "Priority",
    "score": "Risk score",
    "opened": "Opened",
    "updated": "Last change",
    "reports": "Report weight",
}
DECISION_NAMES = {
    "fake": "Fake",
    "genuine": "Genuine",
    "needs_info": "Needs more information",
    "escalate": "Escalate to an admin",
}
DECISION_KEYS = {"fake": "f", "genuine": "g", "needs_info": "n", "escalate": "e"}
ACTION_NAMES = {
    "remove": "Remove the profile (and tell the members it approached)",
    "restrict": "Restrict the profile",
    "label": "Label the profile as fake",
}
#: what a redirect after a successful form says (a fixed text: nothing from the request is shown)
DONE = {
    "claimed": "You hold this case for 15 minutes; claim again to renew.",
    "released": "You released the case: it is back in the queue.",
    "fake": "Decided: fake. The enforcement action is in the outbox.",
    "genuine": "Decided: genuine. Any enforcement in force is being reversed.",
    "needs_info": "Marked as needing more information; the case stays open.",
    "escalate": "Escalated: an admin decides it now.",
}
RELATION_WORDS = {
    ("invitation", "out"): "Sent an invitation to",
    ("message", "out"): "Sent a message to",
    ("invitation", "in"): "Received an invitation from",
    ("message", "in"): "Received a message from",
    ("connection", "out"): "Connected with",
    ("connection", "in"): "Connected with",
    ("endorsement", "out"): "Endorsed",
    ("endorsement", "in"): "Endorsed by",
    ("view", "out"): "Viewed the profile of",
    ("view", "in"): "Profile viewed by",
}
CASE_EVENT_WORDS = {
    "opened": "Case opened",
    "trigger": "Case re-triggered",
    "claimed": "Case claimed",
    "released": "Case released",
    "needs_info": "Marked as needing more information",
    "escalate": "Escalated",
    "decided": "Decided",
}
_RASTER = re.compile(r"^data:image/(png|jpeg|gif|webp);base64,([A-Za-z0-9+/=\s]+)$")
_MAGIC = {
    "png": (b"\x89PNG\r\n\x1a\n",),
    "jpeg": (b"\xff\xd8\xff",),
    "gif": (b"GIF87a", b"GIF89a"),
    "webp": (b"RIFF",),
}


# -- the queue view: filters in the URL --------------------------------------------------------


@dataclass
class QueueView:
    """The queue filters, sort and page a URL asks for, and what was wrong with it."""

    flt: QueueFilter = field(default_factory=QueueFilter)
    page: int = 1
    notices: list[str] = field(default_factory=list)

    def params(self, **over: Any) -> dict[str, str]:
        """The view as query parameters (defaults left out), with ``over`` replacing some."""
        f = self.flt
        reason = f"family:{f.family}" if f.family else f"trigger:{f.trigger}" if f.trigger else ""
        order = "" if f.descending is None else ("desc" if f.descending else "asc")
        values: dict[str, Any] = {
            "status": f.status if f.status != "open" else "",
            "level": f.level or "",
            "reason": reason,
            "campaign": f.campaign or "",
            "org": f.organisation or "",
            "claim": f.claim,
            "sort": f.sort if f.sort != "priority" else "",
            "order": order,
            "page": str(self.page) if self.page > 1 else "",
        }
        values.update(over)
        return {k: str(v) for k, v in values.items() if v not in ("", None)}

    def query(self, **over: Any) -> str:
        return urlencode(self.params(**over))

    def sort_link(self, key: str) -> str:
        """The URL that sorts by ``key`` (again: the other way round)."""
        f = self.flt
        order = ("asc" if f.is_descending else "desc") if f.sort == key else ""
        return "/console?" + self.query(sort=key, order=order, page="")

    def aria_sort(self, key: str) -> str | None:
        if self.flt.sort != key:
            return None
        return "descending" if self.flt.is_descending else "ascending"


def parse_view(params: Mapping[str, str]) -> QueueView:
    """A queue view from query parameters; a value that makes no sense is dropped with a note,
    the rest of the view still applies."""
    notices: list[str] = []
    wanted: dict[str, Any] = {}
    status = params.get("status", "").strip()
    if status:
        wanted["status"] = status
    if params.get("level", "").strip():
        wanted["level"] = params["level"].strip()
    reason = params.get("reason", "").strip()
    if reason:
        kind, _, value = reason.partition(":")
        if kind in ("family", "trigger") and value:
            wanted[kind] = value
        else:
            notices.append("The reason filter was not understood and is ignored.")
    for name, key in (("campaign", "campaign"), ("org", "organisation")):
        text = " ".join(params.get(name, "").split())
        if text:
            wanted[key] = text
    if params.get("claim", "").strip():
        wanted["claim"] = params["claim"].strip()
    if params.get("sort", "").strip():
        wanted["sort"] = params["sort"].strip()
    order = params.get("order", "").strip()
    if order in ("asc", "desc"):
        wanted["descending"] = order == "desc"
    elif order:
        notices.append("The sort order must be asc or desc; the natural order is used.")
    kept: dict[str, Any] = {}
    for key, value in wanted.items():
        try:
            QueueFilter(**{**kept, key: value})
        except ReviewError as exc:
            notices.append(f"{exc} (ignored).")
            continue
        kept[key] = value
    number = 1
    raw_page = params.get("page", "").strip()
    if raw_page:
        if raw_page.isdigit() and 1 <= int(raw_page) <= MAX_PAGE:
            number = int(raw_page)
        else:
            notices.append(f"The page must be a number from 1 to {MAX_PAGE}; page 1 is shown.")
    return QueueView(QueueFilter(**kept), number, notices)


def view_from_query(query: str) -> QueueView:
    """The queue view a case page or form was given (its ``back`` parameter)."""
    return parse_view(dict(parse_qsl(query[:2_000], keep_blank_values=False)))


# -- helpers for the case page -----------------------------------------------------------------


def highlight(text: str, hits: Sequence[Any], titles: Mapping[str, str]) -> Markup:
    """``text`` escaped, with each flagged span in ``<mark>`` (overlapping spans merged; the
    mark's title names the lure categories). Spans outside the text are ignored."""
    spans = sorted(
        (int(h.start), int(h.end), titles.get(h.category, h.category))
        for h in hits
        if 0 <= int(h.start) < int(h.end) <= len(text)
    )
    merged: list[list[Any]] = []
    for a, b, title in spans:
        if merged and a < merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], b)
            merged[-1][2].add(title)
        else:
            merged.append([a, b, {title}])
    out: list[Markup] = []
    pos = 0
    for a, b, cats in merged:
        out.append(escape(text[pos:a]))
        out.append(
            Markup('<mark title="{}">{}</mark>').format(
                "flagged: " + ", ".join(sorted(cats)), text[a:b]
            )
        )
        pos = b
    out.append(escape(text[pos:]))
    return Markup("").join(out)


def photo_src(photo: Mapping[str, Any] | None) -> str | None:
    """A photo the store itself holds (a small raster image inline as a ``data:`` URL) that the
    page may show, checked by its magic bytes; ``None`` for anything else. A remote photo URL is
    never loaded: it would tell whoever runs the profile that a reviewer is looking (and the
    Content-Security-Policy forbids it)."""
    url = str((photo or {}).get("url") or "")
    m = _RASTER.match(url)
    if not m:
        return None
    try:
        raw = base64.b64decode("".join(m.group(2).split()), validate=True)
    except (binascii.Error, ValueError):
        return None
    if not raw.startswith(_MAGIC[m.group(1)]):
        return None
    return f"data:image/{m.group(1)};base64," + base64.b64encode(raw).decode("ascii")


def when(value: Any) -> datetime | None:
    """An ISO timestamp (or datetime) as an aware datetime; None when it is not one."""
    if isinstance(value, datetime):
        dt = value
    elif isinstance(value, str) and value:
        try:
            dt = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
    else:
        return None
    return dt if dt.tzinfo else dt.replace(tzinfo=UTC)


def fmt_when(value: Any) -> str:
    dt = when(value)
    return dt.astimezone(UTC).strftime("%d %b %Y %H:%M UTC") if dt else ""


def who_is(actor: Any, me: str) -> str:
    """An actor of the case history or audit trail in words ("you" for the reader)."""
    a = str(actor or "")
    if a == me:
        return "you"
    if a.startswith("key:"):
        return "key " + a[4:]
    if a.startswith("system:"):
        return "spycatcher (" + a[7:] + ")"
    return a


def _signals(assessment: Mapping[str, Any] | None) -> list[dict[str, Any]]:
    from spycatcher.signals.registry import all_specs

    if not assessment:
        return []
    specs = all_specs()
    contributions: Mapping[str, Any] = assessment.get("contributions") or {}
    out: list[dict[str, Any]] = []
    for sig in assessment.get("signals") or []:
        if not isinstance(sig, dict):
            continue
        name = str(sig.get("name", ""))
        spec = specs.get(name)
        family = name.split(".", 1)[0]
        contribution = contributions.get(name)
        out.append(
            {
                "name": name,
                "title": spec.title if spec else name,
                "family": family,
                "family_title": FAMILY_NAMES.get(family, family),
                "strength": float(sig.get("strength", 0) or 0),
                "evidence": str(sig.get("evidence") or ""),
                "advice": str(sig.get("advice") or (spec.advice if spec else "")),
                "contribution": float(contribution) if contribution is not None else None,
                "lowers": spec is not None and spec.weight < 0,
                "data": sig.get("data") if isinstance(sig.get("data"), dict) else {},
            }
        )
    out.sort(key=lambda x: (-(x["contribution"] or 0.0), -x["strength"], x["name"]))
    return out


def _messages(
    messages: Sequence[Mapping[str, Any]], names: Mapping[str, str]
) -> list[dict[str, Any]]:
    from spycatcher.text.lures import default_matcher

    matcher = default_matcher()
    titles = matcher.lexicon.titles
    out: list[dict[str, Any]] = []
    for m in messages:
        text = str(m.get("text") or "")
        hits = matcher.flagged(text) if text else []
        notes = sorted({h.note for h in hits if getattr(h, "note", "")})
        out.append(
            {
                **m,
                "to_name": names.get(str(m.get("to")), ""),
                "html": highlight(text, hits, titles) if text else None,
                "flagged": len(hits),
                "notes": notes,
            }
        )
    return out


def _timeline(
    evidence: Mapping[str, Any],
    around: Mapping[str, Any],
    names: Mapping[str, str],
    me: str,
) -> list[dict[str, Any]]:
    """Everything dated about the profile and its case, oldest first."""
    items: list[dict[str, Any]] = []

    def add(at: Any, what: str, detail: str = "", kind: str = "event") -> None:
        items.append({"at": when(at), "what": what, "detail": detail, "kind": kind})

    prof = evidence.get("profile") or {}
    if prof.get("created_at"):
        add(prof["created_at"], "Account created", kind="profile")
    for ev in around.get("events") or []:
        verb = RELATION_WORDS.get((ev.get("type"), ev.get("direction")), str(ev.get("type")))
        other = names.get(str(ev.get("other")), "") or str(ev.get("other"))
        extra = " (accepted)" if ev.get("accepted") else ""
        add(ev.get("at"), f"{verb} {other}{extra}", str(ev.get("text") or ""), "contact")
    for r in (evidence.get("reports") or {}).get("items") or []:
        by = f" by {r['reporter']}" if r.get("reporter") else " by a member"
        reason = REASONS.get(str(r.get("reason")), str(r.get("reason")))
        add(r.get("created_at"), f"Reported{by}: {reason}", str(r.get("text") or ""), "report")
    a = evidence.get("assessment")
    if a:
        add(
            a.get("scored_at"),
            f"Scored {float(a.get('score', 0)):.2f} ({a.get('level')} risk) by the "
            f"{a.get('engine') or 'engine'}",
            kind="score",
        )
    for h in evidence.get("history") or []:
        kind = str(h.get("kind"))
        detail = h.get("detail") or {}
        what = CASE_EVENT_WORDS.get(kind, kind)
        if kind in ("opened", "trigger"):
            what += f": {TRIGGER_NAMES.get(str(detail.get('kind')), detail.get('kind'))}"
        if kind == "decided":
            what += f" {DECISION_NAMES.get(str(detail.get('decision')), detail.get('decision'))}"
        what += f" ({who_is(h.get('actor'), me)})"
        add(h.get("at"), what, str(detail.get("reason") or ""), "case")
    for act in evidence.get("actions") or []:
        add(act.get("created_at"), f"Action {act.get('action')}: {act.get('status')}", "", "case")
    far = datetime.max.replace(tzinfo=UTC)
    items.sort(key=lambda x: x["at"] or far)
    return items


def _names(around: Mapping[str, Any]) -> dict[str, str]:
    names: dict[str, str] = {}
    for nb in around.get("neighbours") or []:
        if nb.get("name"):
            names[str(nb["id"])] = str(nb["name"])
    camp = around.get("campaign") or {}
    for p in [*(camp.get("members") or []), *(camp.get("targets") or [])]:
        if p.get("name"):
            names.setdefault(str(p["id"]), str(p["name"]))
    return names


def _profile(data: Mapping[str, Any] | None) -> Profile | None:
    if not data:
        return None
    try:
        return Profile.model_validate(data)
    except ValueError:
        return None


def case_context(
    svc: ReviewService, user: WebUser, case_id: int, view: QueueView
) -> dict[str, Any]:
    """Everything the case page shows (raises NotFound for an unknown case)."""
    actor = user.actor
    case = svc.case(actor, case_id)
    around = svc.case_surroundings(actor, case_id)
    trail = svc.case_audit(actor, case_id)
    ev = case["evidence"]
    names = _names(around)
    prof = ev.get("profile") or {}
    me = actor.id
    ids = svc.queue_ids(actor, view.flt)
    if case_id in ids:
        i = ids.index(case_id)
        prev_id = ids[i - 1] if i > 0 else None
        next_id = ids[i + 1] if i + 1 < len(ids) else None
        position = i + 1
    else:
        prev_id, next_id, position = None, (ids[0] if ids else None), None
    holder = case.get("assignee")
    lease = when(case.get("lease_until"))
    live = bool(holder and lease and lease >= svc.clock())
    is_open = case["status"] in ("open", "needs_info", "escalated")
    admin = actor.role == "admin"
    pictures: dict[str, Any] = {}
    if around.get("neighbours"):
        pictures["neighbourhood"] = netpic.neighbourhood(
            {"id": case["profile_id"], "name": prof.get("name")},
            around["neighbours"],
            int(around.get("neighbours_total") or 0),
        )
    if around.get("campaign"):
        pictures["campaign"] = netpic.campaign(around["campaign"])
    assessment = ev.get("assessment")
    return {
        "case": case,
        "ev": ev,
        "profile": _profile(prof),
        "raw_profile": prof,
        "photo_src": photo_src(prof.get("photo")),
        "signals": _signals(assessment),
        "photo_signals": _signals({**(assessment or {}), "signals": ev.get("photo_matches")}),
        "intel_signals": _signals({**(assessment or {}), "signals": ev.get("intel_matches")}),
        "messages": _messages(ev.get("messages") or [], names),
        "timeline": _timeline(ev, around, names, me),
        "around": around,
        "pictures": pictures,
        "audit": trail,
        "view": view,
        "back": view.query(),
        "prev_id": prev_id,
        "next_id": next_id,
        "position": position,
        "in_view": len(ids),
        "holder": who_is(holder, me) if live else None,
        "mine": live and holder == me,
        "is_open": is_open,
        "may_work": is_open and (case["status"] != "escalated" or admin),
        "lease_until": fmt_when(lease) if live else "",
        "me": me,
    }


# -- routes ------------------------------------------------------------------------------------


def _service(request: Request) -> ReviewService:
    svc: ReviewService = request.app.state.service
    return svc


def _case_id(raw: str) -> int | None:
    return int(raw) if raw.isdigit() and 0 < len(raw) <= 10 and 0 < int(raw) < 2**31 else None


def _not_found(request: Request, message: str) -> HTMLResponse:
    return page(
        request,
        "error.html",
        status_code=404,
        title="No such case",
        message=message,
    )


@router.get("/console", response_class=HTMLResponse)
async def queue_page(request: Request, user: WebUser = StaffUser) -> Response:
    from spycatcher.signals.registry import all_specs

    view = parse_view(request.query_params)
    svc = _service(request)
    offset = (view.page - 1) * PER_PAGE
    data = await run_in_threadpool(svc.queue_page, user.actor, view.flt, PER_PAGE, offset)
    pages = max(1, -(-data["total"] // PER_PAGE))
    campaigns = list(data["campaigns"])
    if view.flt.campaign and not any(c["id"] == view.flt.campaign for c in campaigns):
        campaigns.insert(0, {"id": view.flt.campaign, "size": None, "score": None})
    return page(
        request,
        "console_queue.html",
        view=view,
        data=data,
        items=data["items"],
        pages=pages,
        first=offset + 1,
        last=offset + len(data["items"]),
        campaigns=campaigns,
        me=user.actor.id,
        names=dict(
            statuses=STATUS_NAMES,
            levels=LEVEL_NAMES,
            triggers=TRIGGER_NAMES,
            families=FAMILY_NAMES,
            claims=CLAIM_NAMES,
            sorts=SORT_NAMES,
        ),
        choices=dict(
            statuses=STATUSES,
            levels=LEVELS,
            triggers=TRIGGERS,
            families=FAMILIES,
            claims=CLAIMS,
            sorts=tuple(SORTS),
        ),
        who_is=who_is,
        fmt_when=fmt_when,
        titles={name: spec.title for name, spec in all_specs().items()},
    )


async def _render_case(
    request: Request,
    user: WebUser,
    case_id: int,
    view: QueueView,
    *,
    status_code: int = 200,
    error: str | None = None,
    done: str | None = None,
    form: Mapping[str, str] | None = None,
) -> HTMLResponse:
    svc = _service(request)
    try:
        ctx = await run_in_threadpool(case_context, svc, user, case_id, view)
    except NotFound:
        return _not_found(request, f"There is no case {case_id}. It may have been deleted.")
    return page(
        request,
        "console_case.html",
        status_code=status_code,
        error=error,
        done=DONE.get(done or ""),
        form=form or {},
        decisions=DECISIONS,
        decision_names=DECISION_NAMES,
        decision_keys=DECISION_KEYS,
        actions=FAKE_ACTIONS,
        action_names=ACTION_NAMES,
        report_reasons=REASONS,
        trigger_names=TRIGGER_NAMES,
        status_names=STATUS_NAMES,
        max_reason=MAX_TEXT,
        who_is=who_is,
        fmt_when=fmt_when,
        trait_words=netpic.trait_words,
        **ctx,
    )


@router.get("/console/cases/{case_id}", response_class=HTMLResponse)
async def case_page(request: Request, case_id: str, user: WebUser = StaffUser) -> HTMLResponse:
    cid = _case_id(case_id)
    if cid is None:
        return _not_found(request, "A case number is a whole number, like 12.")
    params = dict(request.query_params)
    done = params.pop("done", None)
    return await _render_case(request, user, cid, parse_view(params), done=done)


def _back(cid: int, view: QueueView, done: str) -> RedirectResponse:
    query = view.query(done=done)
    return RedirectResponse(f"/console/cases/{cid}?{query}", status_code=303)


async def _act(
    request: Request,
    user: WebUser,
    case_id: str,
    csrf_token: str,
    back: str,
    work: Any,
    done: str,
    form: Mapping[str, str] | None = None,
) -> Response:
    check_csrf(request, csrf_token)
    cid = _case_id(case_id)
    if cid is None:
        return _not_found(request, "A case number is a whole number, like 12.")
    view = view_from_query(back)
    try:
        await run_in_threadpool(work, cid)
    except NotFound:
        return _not_found(request, f"There is no case {cid}. It may have been deleted.")
    except ReviewError as exc:
        return await _render_case(
            request, user, cid, view, status_code=exc.status, error=str(exc), form=form
        )
    return _back(cid, view, done)


@router.post("/console/cases/{case_id}/claim")
async def claim(
    request: Request,
    case_id: str,
    csrf_token: str = Form(""),
    back: str = Form(""),
    user: WebUser = StaffUser,
) -> Response:
    svc = _service(request)
    return await _act(
        request, user, case_id, csrf_token, back, lambda c: svc.claim(user.actor, c), "claimed"
    )


@router.post("/console/cases/{case_id}/release")
async def release(
    request: Request,
    case_id: str,
    csrf_token: str = Form(""),
    back: str = Form(""),
    user: WebUser = StaffUser,
) -> Response:
    svc = _service(request)
    return await _act(
        request, user, case_id, csrf_token, back, lambda c: svc.release(user.actor, c), "released"
    )


@router.post("/console/cases/{case_id}/decision")
async def decide(
    request: Request,
    case_id: str,
    csrf_token: str = Form(""),
    back: str = Form(""),
    decision: str = Form(""),
    reason: str = Form(""),
    action: str = Form(""),
    user: WebUser = StaffUser,
) -> Response:
    svc = _service(request)
    form = {"decision": decision, "reason": reason[:MAX_TEXT], "action": action}

    def work(cid: int) -> Any:
        if decision not in DECISIONS:
            raise ReviewError(
                "Choose a decision: fake, genuine, needs more information or escalate.", 422
            )
        if not reason.strip():
            raise ReviewError(
                "Give a reason: it goes into the audit trail and, for fake and "
                "genuine, the training labels.",
                422,
            )
        if len(reason) > MAX_TEXT:
            raise ReviewError(f"The reason is longer than {MAX_TEXT:,} characters.", 422)
        act = None
        if decision == "fake":
            act = action if action else None
            if act is not None and act not in FAKE_ACTIONS:
                raise ReviewError("Choose remove, restrict or label as the action.", 422)
        return svc.decide(user.actor, cid, decision, reason.strip(), act)

    done = decision if decision in DECISIONS else "decided"
    return await _act(request, user, case_id, csrf_token, back, work, done, form)
