"""Handmade intelligence and a small network for the intel tests (no shared data is read).

The bundle is what a national authority might send: an intrusion set, three fake personas (one by
LinkedIn handle, one by profile URL, one by email address), one photo by PDQ hash, a shell
employer's domain, all marked TLP:AMBER (TLP 2.0), plus one TLP:RED indicator.
"""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

from spycatcher.intel.markings import TLP2_IDS, tlp2_definition

AMBER = TLP2_IDS["amber"]
RED = TLP2_IDS["red"]
T0 = "2024-03-01T00:00:00.000Z"

AUTHORITY = "identity--0c7b5b88-8ff7-4a4d-aa9d-feb398cd0061"
NEVERNIGHT = "intrusion-set--4e2c4ab1-3f6a-4b0e-9f0c-7d6c8a1b2c01"
IND_RACHEL = "indicator--a1b2c3d4-0001-4000-8000-000000000001"
IND_ALEX = "indicator--a1b2c3d4-0002-4000-8000-000000000002"
IND_LILY = "indicator--a1b2c3d4-0003-4000-8000-000000000003"
IND_PHOTO = "indicator--a1b2c3d4-0004-4000-8000-000000000004"
IND_DOMAIN = "indicator--a1b2c3d4-0005-4000-8000-000000000005"
IND_RED = "indicator--a1b2c3d4-0006-4000-8000-000000000006"

_rng = random.Random(7)
PHOTO_PDQ = "".join(_rng.choice("0123456789abcdef") for _ in range(64))


def flip_bits(hex_hash: str, n: int) -> str:
    """The hash with its first ``n`` bits inverted (a re-encoded copy of the same photo)."""
    v = int(hex_hash, 16) ^ (((1 << n) - 1) << (256 - n))
    return f"{v:064x}"


def _sdo(t: str, sid: str, **kw: Any) -> dict[str, Any]:
    return {"type": t, "spec_version": "2.1", "id": sid, "created": T0, "modified": T0, **kw}


def indicator(sid: str, name: str, pattern: str, marking: str = AMBER, **kw: Any) -> dict[str, Any]:
    return _sdo(
        "indicator",
        sid,
        name=name,
        pattern=pattern,
        pattern_type="stix",
        valid_from=T0,
        created_by_ref=AUTHORITY,
        object_marking_refs=[marking],
        **kw,
    )


def indicates(n: int, source: str, target: str = NEVERNIGHT) -> dict[str, Any]:
    return _sdo(
        "relationship",
        f"relationship--a1b2c3d4-01{n:02d}-4000-8000-000000000000",
        relationship_type="indicates",
        source_ref=source,
        target_ref=target,
        object_marking_refs=[AMBER],
    )


def persona_bundle(include_red: bool = True) -> dict[str, Any]:
    objs: list[dict[str, Any]] = [
        tlp2_definition("amber"),
        tlp2_definition("red"),
        _sdo(
            "identity", AUTHORITY, name="Example National Authority", identity_class="organization"
        ),
        _sdo("intrusion-set", NEVERNIGHT, name="Nevernight (example)", object_marking_refs=[AMBER]),
        indicator(
            IND_RACHEL,
            "Rachel Li, headhunter persona",
            "[user-account:account_type = 'linkedin' AND user-account:account_login = "
            "'rachel-li-hr']",
        ),
        indicator(
            IND_ALEX,
            "Alex Li, think-tank persona",
            "[url:value = 'https://www.linkedin.com/in/alex-li-csed/']",
        ),
        indicator(
            IND_LILY,
            "Lily Wu, scholar persona",
            "[email-addr:value = 'lily.wu@sino-europe-studies.example']",
        ),
        indicator(IND_PHOTO, "Photo used by the personas", f"[file:hashes.x_pdq = '{PHOTO_PDQ}']"),
        indicator(
            IND_DOMAIN, "Shell think tank's domain", "[domain-name:value = 'csed-think.example']"
        ),
        indicates(1, IND_RACHEL),
        indicates(2, IND_ALEX),
        indicates(3, IND_LILY),
        indicates(4, IND_PHOTO),
        _sdo(
            "sighting",
            "sighting--a1b2c3d4-0201-4000-8000-000000000000",
            sighting_of_ref=IND_RACHEL,
            count=12,
            object_marking_refs=[AMBER],
        ),
    ]
    if include_red:
        objs.append(
            indicator(
                IND_RED,
                "Source-sensitive persona",
                "[user-account:account_type = 'linkedin' AND user-account:user_id = 'p-secret']",
                marking=RED,
            )
        )
    return {"type": "bundle", "id": "bundle--a1b2c3d4-9999-4000-8000-000000000000", "objects": objs}


def write_json(path: Path, doc: Any) -> Path:
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


FIRST = [
    "Anna",
    "Ben",
    "Chloe",
    "David",
    "Emma",
    "Farid",
    "Grace",
    "Hugo",
    "Isla",
    "Jonas",
    "Katrin",
    "Liam",
    "Maya",
    "Nils",
    "Olga",
    "Priya",
    "Quentin",
    "Rosa",
    "Sven",
    "Tara",
]
LAST = [
    "Adams",
    "Berg",
    "Costa",
    "Dahl",
    "Evans",
    "Fischer",
    "Gray",
    "Hansen",
    "Ivanova",
    "Jensen",
    "Klein",
    "Lund",
    "Moreau",
    "Novak",
    "Olsen",
    "Petrov",
    "Quinn",
    "Ruiz",
]
EMPLOYERS = [
    "Ministry of Defence",
    "Foreign Office",
    "Aerospace Systems plc",
    "University of Leeds",
    "National Grid",
    "Pharma Research Ltd",
]


def _genuine(i: int) -> dict[str, Any]:
    first, last = FIRST[i % len(FIRST)], LAST[(i * 7) % len(LAST)]
    handle = f"{first}-{last}-{i:03d}".lower()
    employer = EMPLOYERS[i % len(EMPLOYERS)]
    return {
        "id": f"g{i:03d}",
        "url": f"https://www.linkedin.com/in/{handle}",
        "name": f"{first} {last}",
        "headline": f"Engineer at {employer}",
        "created_at": f"{2008 + i % 10}-05-01",
        "experience": [
            {"title": "Engineer", "company": employer, "start": f"{2010 + i % 5}-01"},
            {"title": "Graduate", "company": "Acme Ltd", "start": "2006-09", "end": "2009-12"},
        ],
        "education": [
            {"school": "University of York", "degree": "BSc", "start": "2002", "end": "2005"}
        ],
        "skills": ["Systems", "Safety"],
        "counts": {"connections": 150 + i},
        "contact": {"email": f"{first.lower()}.{last.lower()}@example.org"},
    }


def _fake(pid: str, name: str, **kw: Any) -> dict[str, Any]:
    return {
        "id": pid,
        "name": name,
        "headline": "Senior Director, Talent Partners | think tank | exclusive opportunities",
        "summary": "Passionate, dynamic global network. Exclusive paid opportunities for experts.",
        "created_at": "2024-01-10",
        "experience": [
            {
                "title": "Senior Director",
                "company": "Center for Sino-Europe Development Studies",
                "start": "2009-01",
            }
        ],
        "counts": {"connections": 500},
        **kw,
    }


def network(folder: Path, genuine: int = 36, secret: bool = False) -> tuple[Path, Path]:
    """profiles.jsonl and events.jsonl: genuine members, the three personas and a photo reuser
    (and, with ``secret``, the persona only TLP:RED intelligence names)."""
    profiles = [_genuine(i) for i in range(genuine)]
    fakes = [
        _fake(
            "p-rachel",
            "Rachel Li",
            url="https://uk.linkedin.com/in/Rachel-Li-HR/?originalSubdomain=uk",
        ),
        _fake("p-alex", "Alex Li", url="linkedin.com/in/alex-li-csed"),
        _fake(
            "p-lily",
            "Lily Wu",
            url="https://www.linkedin.com/in/lily-wu-88",
            contact={"email": "Lily.Wu@Sino-Europe-Studies.example"},
        ),
        _fake(
            "p-laeticia",
            "Laeticia Chen",
            url="https://www.linkedin.com/in/laeticia-chen-1",
            photo={"pdq": flip_bits(PHOTO_PDQ, 6)},
        ),
    ]
    if secret:
        fakes.append(_fake("p-secret", "Mei Zhang", url="https://www.linkedin.com/in/mei-zhang-7"))
    profiles.extend(fakes)
    events = []
    n = 0
    for f in fakes:
        for t in range(8):
            n += 1
            events.append(
                {
                    "id": f"e{n}",
                    "type": "invitation",
                    "actor": f["id"],
                    "target": f"g{(t * 5 + n) % genuine:03d}",
                    "at": f"2024-02-{1 + t:02d}T10:00:00Z",
                    "text": "Exclusive paid opportunity to write short reports for our clients.",
                    "accepted": t % 2 == 0,
                }
            )
    for i in range(genuine - 1):
        events.append(
            {
                "id": f"c{i}",
                "type": "connection",
                "actor": f"g{i:03d}",
                "target": f"g{i + 1:03d}",
                "at": "2023-06-01T09:00:00Z",
            }
        )
    p = folder / "profiles.jsonl"
    e = folder / "events.jsonl"
    p.write_text("".join(json.dumps(x) + "\n" for x in profiles), encoding="utf-8")
    e.write_text("".join(json.dumps(x) + "\n" for x in events), encoding="utf-8")
    return p, e
