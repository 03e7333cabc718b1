"""Pictures of a case's network: its neighbourhood and its campaign, drawn as SVG on the server.

The console's case page shows who a suspect deals with (the members it approached, connected with
or heard from) and, when the scan put it in a campaign, the campaign's members, the members they
approached and what ties them together. Both are SVG markup built here, under the rules of
:mod:`spycatcher.web.charts` (whose :class:`~spycatcher.web.charts.Chart` they return):

* **Escaping.** Names and employers are attacker-written: every label goes through
  :func:`~spycatcher.web.charts.clean_label` (no control, zero-width or direction-changing
  characters, bounded length) and then :func:`markupsafe.escape`. Coordinates are formatted
  numbers; nothing from a profile reaches an attribute.
* **CSP.** No script and no ``style`` attribute: colours, dashes and widths are SVG presentation
  attributes; the legend is drawn inside the picture.
* **Accessibility.** Each picture is ``role="img"`` labelled by its ``<title>`` and a ``<desc>``
  that says in words what it shows; the figure's table lists every node and edge with the same
  facts. Colour is never alone: shapes tell suspects (diamonds) and members at sensitive
  organisations (squares) apart, and line patterns tell kinds of contact apart.

The data comes from :meth:`spycatcher.review.service.ReviewService.case_surroundings`; nothing
here reads the store or decides anything.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from markupsafe import Markup, escape

from spycatcher.web.charts import LEVEL_FILL, PALETTE, Chart, clean_label

WIDTH = 640
FONT = 11
INK = "#1a1a1a"
EDGE = "#4d4d4d"
#: fills by what a node is (the shapes carry the same meaning)
FILL_CASE = LEVEL_FILL["high"]
FILL_SUSPECT = "#7e22ce"
FILL_SENSITIVE = PALETTE[1]
FILL_MEMBER = "#5f6b7a"
#: how each kind of contact is drawn: (label, stroke colour, dash pattern or "", width)
RELATIONS: dict[str, tuple[str, str, str, float]] = {
    "invitation_out": ("sent an invitation", PALETTE[0], "", 2.0),
    "message_out": ("sent a message", PALETTE[0], "", 2.0),
    "connection": ("connected", EDGE, "6 4", 1.5),
    "message_in": ("received a message", EDGE, "2 3", 1.5),
    "invitation_in": ("received an invitation", EDGE, "2 3", 1.5),
    "endorsement_out": ("endorsed", EDGE, "1 4", 1.2),
    "endorsement_in": ("was endorsed by", EDGE, "1 4", 1.2),
    "view_out": ("viewed", "#9a9a9a", "1 4", 1.0),
    "view_in": ("was viewed by", "#9a9a9a", "1 4", 1.0),
}
#: stronger relations win when a neighbour has several (drawn once, with the strongest)
RELATION_ORDER = tuple(RELATIONS)
#: at most this many neighbours are named beside their node; beyond it, nodes are numbered
LABELLED_NEIGHBOURS = 16


def _n(v: float) -> str:
    """A coordinate: a formatted number, never text from anywhere else."""
    return f"{float(v):.1f}".rstrip("0").rstrip(".")


def _label(person: Mapping[str, Any], limit: int = 24) -> str:
    return clean_label(person.get("name") or person.get("id") or "?", limit)


def _suspect(person: Mapping[str, Any]) -> bool:
    return person.get("label") == "fake" or person.get("level") in ("high", "medium")


def _kind(person: Mapping[str, Any]) -> str:
    """What a node is, for its shape and fill: suspect, sensitive or member."""
    if _suspect(person):
        return "suspect"
    if person.get("sectors"):
        return "sensitive"
    return "member"


def _shape(kind: str, x: float, y: float, r: float, extra: str = "") -> str:
    """A node: circle (member), square (sensitive organisation), diamond (suspect)."""
    if kind == "sensitive":
        return (
            f'<rect x="{_n(x - r)}" y="{_n(y - r)}" width="{_n(2 * r)}" height="{_n(2 * r)}" '
            f'fill="{FILL_SENSITIVE}" stroke="#ffffff" stroke-width="1.5"{extra}/>'
        )
    if kind == "suspect":
        d = r * 1.25
        pts = f"{_n(x)},{_n(y - d)} {_n(x + d)},{_n(y)} {_n(x)},{_n(y + d)} {_n(x - d)},{_n(y)}"
        return (
            f'<polygon points="{pts}" fill="{FILL_SUSPECT}" stroke="#ffffff" '
            f'stroke-width="1.5"{extra}/>'
        )
    if kind == "case":
        return (
            f'<circle cx="{_n(x)}" cy="{_n(y)}" r="{_n(r)}" fill="{FILL_CASE}" '
            f'stroke="{INK}" stroke-width="3"{extra}/>'
        )
    return (
        f'<circle cx="{_n(x)}" cy="{_n(y)}" r="{_n(r)}" fill="{FILL_MEMBER}" '
        f'stroke="#ffffff" stroke-width="1.5"{extra}/>'
    )


#: a white outline drawn under a label's letters, so lines passing behind it do not cross it
HALO = ' stroke="#ffffff" stroke-width="3" paint-order="stroke" stroke-linejoin="round"'


def _text(
    x: float, y: float, text: str, anchor: str = "start", extra: str = "", fill: str = INK
) -> str:
    return (
        f'<text x="{_n(x)}" y="{_n(y)}" text-anchor="{anchor}" fill="{fill}"{extra}>'
        f"{escape(text)}</text>"
    )


def _open(pic_id: str, title: str, desc: str, height: float) -> str:
    return (
        f'<svg class="netpic" role="img" viewBox="0 0 {WIDTH} {_n(height)}" '
        f'aria-labelledby="{pic_id}-title {pic_id}-desc" font-size="{FONT}" '
        f'font-family="system-ui, sans-serif">'
        f'<title id="{pic_id}-title">{escape(title)}</title>'
        f'<desc id="{pic_id}-desc">{escape(desc)}</desc>'
        f"<defs>"
        f'<marker id="{pic_id}-arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="9" '
        f'markerHeight="9" markerUnits="userSpaceOnUse" orient="auto-start-reverse">'
        f'<path d="M0,0 L10,5 L0,10 z" fill="{PALETTE[0]}"/></marker></defs>'
    )


def _legend(items: Sequence[tuple[str, str]], y: float) -> tuple[str, float]:
    """Node kinds and line kinds, wrapped in rows; returns (markup, height used)."""
    parts: list[str] = []
    x, row_h, left = 8.0, 18.0, 8.0
    rows = 1
    for kind, label in items:
        w = 26 + 6.0 * len(label) + 14
        if x + w > WIDTH - 4 and x > left:
            x = left
            y += row_h
            rows += 1
        if kind.startswith("line:"):
            _, colour, dash, width = RELATIONS[kind[5:]]
            dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
            parts.append(
                f'<line x1="{_n(x)}" y1="{_n(y - 4)}" x2="{_n(x + 20)}" y2="{_n(y - 4)}" '
                f'stroke="{colour}" stroke-width="{_n(width)}"{dash_attr}/>'
            )
        else:
            parts.append(_shape(kind, x + 10, y - 4, 6))
        parts.append(_text(x + 26, y, label))
        x += w
    return "".join(parts), rows * row_h


def _strongest(relations: Mapping[str, int]) -> str:
    for kind in RELATION_ORDER:
        if relations.get(kind):
            return kind
    return "view_in"


def _relation_words(relations: Mapping[str, int]) -> str:
    parts = []
    for kind in RELATION_ORDER:
        n = int(relations.get(kind, 0))
        if n:
            parts.append(RELATIONS[kind][0] + (f" ({n}\u00d7)" if n > 1 else ""))
    return ", ".join(parts) or "no contact recorded"


def _level_words(person: Mapping[str, Any]) -> str:
    if person.get("label"):
        return f"decided {person['label']}"
    return str(person.get("level") or "not scored")


def neighbourhood(
    case: Mapping[str, Any],
    neighbours: Sequence[Mapping[str, Any]],
    total: int,
    pic_id: str = "netpic-neighbourhood",
) -> Chart:
    """The case profile in the middle, the members it deals with around it.

    ``case`` holds the profile's ``name``/``id`` and ``level``; each neighbour is a
    :func:`spycatcher.review.cases.people` record with ``relations`` (kind -> count) and
    ``accepted``. ``total`` counts every neighbour, drawn or not.
    """
    n = len(neighbours)
    labelled = n <= LABELLED_NEIGHBOURS
    ring = 150.0 if n > 8 else 120.0
    cx, cy = WIDTH / 2, ring + (60.0 if labelled else 34.0)
    parts: list[str] = []
    nodes: list[str] = []
    for i, nb in enumerate(neighbours):
        angle = -math.pi / 2 + 2 * math.pi * i / max(n, 1)
        x, y = cx + ring * math.cos(angle), cy + ring * math.sin(angle)
        rel = _strongest(nb.get("relations") or {})
        _, colour, dash, width = RELATIONS[rel]
        if nb.get("accepted") and rel.endswith("_out"):
            width += 1.5
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        marker = f' marker-end="url(#{pic_id}-arrow)"' if rel.endswith("_out") else ""
        # stop the line at the node's edge so the arrow head shows
        ex, ey = x - 14 * math.cos(angle), y - 14 * math.sin(angle)
        sx, sy = cx + 26 * math.cos(angle), cy + 26 * math.sin(angle)
        parts.append(
            f'<line x1="{_n(sx)}" y1="{_n(sy)}" x2="{_n(ex)}" y2="{_n(ey)}" stroke="{colour}" '
            f'stroke-width="{_n(width)}"{dash_attr}{marker}/>'
        )
        kind = _kind(nb)
        nodes.append(_shape(kind, x, y, 9))
        nodes.append(
            _text(x, y + 3.5, str(i + 1), "middle", ' font-size="9" font-weight="700"', "#ffffff")
        )
        if labelled:
            lx, ly = x + 16 * math.cos(angle), y + 16 * math.sin(angle) + 4
            anchor = (
                "middle"
                if abs(math.cos(angle)) < 0.3
                else ("start" if math.cos(angle) > 0 else "end")
            )
            if abs(math.cos(angle)) < 0.3:
                ly += 8 if math.sin(angle) > 0 else -6
            nodes.append(_text(lx, ly, _label(nb, 22), anchor, HALO))
    nodes.append(_shape("case", cx, cy, 22))
    nodes.append(_text(cx, cy + 40, _label(case, 30), "middle", ' font-weight="700"' + HALO))
    body_bottom = cy + ring + (46.0 if labelled else 26.0)
    legend_items = [
        ("case", "this profile"),
        ("suspect", "suspect (high or medium risk, or decided fake)"),
        ("sensitive", "works at a sensitive organisation"),
        ("member", "other member"),
    ]
    kinds_present = {_strongest(nb.get("relations") or {}) for nb in neighbours}
    legend_items += [(f"line:{k}", RELATIONS[k][0]) for k in RELATION_ORDER if k in kinds_present]
    legend, legend_h = _legend(legend_items, body_bottom + 8)
    height = body_bottom + legend_h + 12
    name = _label(case, 40)
    approached = [nb for nb in neighbours if _strongest(nb.get("relations") or {}).endswith("_out")]
    sensitive = [nb for nb in approached if nb.get("sectors")]
    suspects = [nb for nb in neighbours if _suspect(nb)]
    desc = (
        f"{name} in the middle; around it the {n} members it deals with most"
        + (f" (of {total})" if total > n else "")
        + f". It approached {len(approached)} of them, {len(sensitive)} at sensitive "
        f"organisations"
        + (
            " (" + ", ".join(sorted({s for nb in sensitive for s in nb.get("sectors") or []})) + ")"
            if sensitive
            else ""
        )
        + f". {len(suspects)} of the members shown are suspects themselves."
        + ("" if labelled else " Nodes are numbered; the table names them.")
    )
    svg = Markup(
        _open(pic_id, f"Network neighbourhood of {name}", desc, height)
        + "".join(parts)
        + "".join(nodes)
        + legend
        + "</svg>"
    )
    rows = tuple(
        (
            str(i + 1),
            clean_label(nb.get("name") or nb.get("id"), 80),
            _relation_words(nb.get("relations") or {})
            + (" (accepted)" if nb.get("accepted") else ""),
            clean_label(nb.get("employer") or "", 80),
            ", ".join(nb.get("sectors") or []) or "none",
            _level_words(nb),
        )
        for i, nb in enumerate(neighbours)
    )
    caption = (
        f"The {n} members {name} deals with most"
        + (f", of {total}" if total > n else "")
        + ": arrows point from this profile to the members it approached; a thicker arrow "
        "means the member accepted."
    )
    return Chart(
        id=pic_id,
        title=f"Network neighbourhood of {name}",
        desc=desc,
        svg=svg,
        columns=("#", "Member", "Contact", "Current employer", "Sensitive sectors", "Risk"),
        rows=rows,
        caption=caption,
    )


#: campaign link kinds in plain words (see ``KIND_WORDS`` in spycatcher.graph.campaigns); a
#: campaign's ``links`` counts, for each kind, the members tied to another member by it
TRAITS = {
    "photo": "the same photo",
    "contact": "the same email or phone",
    "template": "the same wording",
    "employer": "an employer few others list",
    "website": "the same website",
    "targets": "the same people approached",
    "organisations": "the same organisations approached",
    "burst": "created together",
}


def trait_words(kind: str) -> str:
    return TRAITS.get(kind, kind.replace("_", " "))


def campaign(camp: Mapping[str, Any], pic_id: str = "netpic-campaign") -> Chart:
    """A campaign's members (left) and the members they approached (right), a line per
    member-to-member approach (thicker for more), and the traits the members share on top.

    ``camp`` is the ``campaign`` record of
    :meth:`~spycatcher.review.service.ReviewService.case_surroundings`.
    """
    members: list[Mapping[str, Any]] = list(camp.get("members") or [])
    targets: list[Mapping[str, Any]] = list(camp.get("targets") or [])
    edges: list[Mapping[str, Any]] = list(camp.get("edges") or [])
    links: Mapping[str, int] = camp.get("links") or {}
    row_h = 22.0
    mx, tx = 190.0, 450.0
    # traits as chips across the top
    chips: list[str] = []
    x, y = 8.0, 20.0
    chips.append(_text(8, y - 4, "Shared traits:", extra=' font-weight="700"'))
    x = 96.0
    traits = sorted(links.items(), key=lambda kv: (-int(kv[1]), kv[0]))
    for kind, count in traits:
        label = f"{trait_words(kind)} \u00b7 {int(count)}"
        w = 6.0 * len(label) + 16
        if x + w > WIDTH - 4 and x > 96:
            x = 96.0
            y += 22
        chips.append(
            f'<rect x="{_n(x)}" y="{_n(y - 15)}" width="{_n(w)}" height="18" rx="9" '
            f'fill="#eef1f5" stroke="{EDGE}" stroke-width="1"/>'
        )
        chips.append(_text(x + w / 2, y - 2, label, "middle"))
        x += w + 6
    if not traits:
        chips.append(_text(96, y - 4, "none recorded"))
    top = y + 30
    chips.append(
        _text(
            mx,
            top,
            f"Members ({len(members)} of {camp.get('members_total', len(members))})",
            "end",
            ' font-weight="700"',
        )
    )
    chips.append(
        _text(
            tx,
            top,
            f"Approached ({len(targets)} of {camp.get('targets_total', len(targets))})",
            "start",
            ' font-weight="700"',
        )
    )
    first = top + 20
    ypos_m = {str(m.get("id")): first + i * row_h for i, m in enumerate(members)}
    ypos_t = {str(t.get("id")): first + i * row_h for i, t in enumerate(targets)}
    most = max((int(e.get("count", 1)) for e in edges), default=1)
    lines: list[str] = []
    for e in edges:
        a, b = str(e.get("member")), str(e.get("target"))
        if a not in ypos_m or b not in ypos_t:
            continue
        c = int(e.get("count", 1))
        width = 1.0 + 2.5 * (c / most)
        lines.append(
            f'<line x1="{_n(mx + 10)}" y1="{_n(ypos_m[a])}" x2="{_n(tx - 10)}" '
            f'y2="{_n(ypos_t[b])}" stroke="{PALETTE[0]}" stroke-opacity="0.55" '
            f'stroke-width="{_n(width)}"/>'
        )
    nodes: list[str] = []
    for m in members:
        yy = ypos_m[str(m.get("id"))]
        is_case = bool(m.get("is_case"))
        nodes.append(_shape("case" if is_case else "suspect", mx, yy, 8 if is_case else 6.5))
        label = _label(m, 26) + (" (this profile)" if is_case else "")
        extra = ' font-weight="700"' if is_case else ""
        nodes.append(_text(mx - 14, yy + 4, clean_label(label, 30), "end", extra))
    for t in targets:
        yy = ypos_t[str(t.get("id"))]
        nodes.append(_shape("sensitive" if t.get("sectors") else "member", tx, yy, 6.5))
        nodes.append(_text(tx + 14, yy + 4, _label(t, 26)))
    bottom = first + max(len(members), len(targets), 1) * row_h
    legend, legend_h = _legend(
        [
            ("case", "this profile"),
            ("suspect", "campaign member"),
            ("sensitive", "approached, at a sensitive organisation"),
            ("member", "approached, other"),
        ],
        bottom + 6,
    )
    height = bottom + legend_h + 10
    sens = [t for t in targets if t.get("sectors")]
    size = int(camp.get("size") or len(members))
    reached = int(camp.get("targets_total") or len(targets))
    desc = (
        f"A campaign of {size} profiles that approached {reached} "
        f"member{'' if reached == 1 else 's'}"
        + (f", {len(sens)} of those shown at sensitive organisations" if sens else "")
        + ". The members share: "
        + (", ".join(f"{trait_words(k)} ({int(v)} profiles)" for k, v in traits) or "nothing")
        + f". {len(edges)} member-to-target "
        + ("approach is" if len(edges) == 1 else "approaches are")
        + " drawn."
    )
    title = f"Campaign of {size} profiles"
    svg = Markup(
        _open(pic_id, title, desc, height)
        + "".join(chips)
        + "".join(lines)
        + "".join(nodes)
        + legend
        + "</svg>"
    )
    by_member: dict[str, list[str]] = {}
    names_t = {str(t.get("id")): t for t in targets}
    for e in edges:
        tgt = names_t.get(str(e.get("target")))
        if tgt is None:
            continue
        c = int(e.get("count", 1))
        by_member.setdefault(str(e.get("member")), []).append(
            clean_label(tgt.get("name") or tgt.get("id"), 60)
            + (f" ({clean_label(tgt.get('employer'), 60)})" if tgt.get("employer") else "")
            + (f" \u00d7{c}" if c > 1 else "")
        )
    rows = tuple(
        (
            clean_label(m.get("name") or m.get("id"), 80)
            + (" (this profile)" if m.get("is_case") else ""),
            _level_words(m),
            "; ".join(by_member.get(str(m.get("id")), [])) or "none of those shown",
        )
        for m in members
    )
    return Chart(
        id=pic_id,
        title=title,
        desc=desc,
        svg=svg,
        columns=("Campaign member", "Risk", "Approached"),
        rows=rows,
        caption="Left: the campaign's members; right: the members they approached; a line "
        "for each pair (thicker for more approaches). Top: what the members share, with how "
        "many members share it.",
    )
