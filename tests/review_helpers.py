"""Fixtures shared by the service tests: a small network with one fake, keys for every role.

The fake ("Rachel Li", a headhunter at a shell firm, BfV's published example) approaches three
members at sensitive organisations with lure messages; everyone else is ordinary.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient

from spycatcher.api.app import create_app
from spycatcher.api.auth import create_key

FAKE = {
    "id": "fake1",
    "name": "Rachel Li",
    "headline": "Senior Headhunter at RiseHR | Think tank research fellow",
    "summary": "Passionate dynamic innovative strategic global network excellence exclusive "
    "opportunities for talented professionals. Win-win cooperation.",
    "created_at": "2024-05-01",
    "experience": [
        {"title": "Director of Talent", "company": "RiseHR Consulting", "start": "2024-04"}
    ],
    "counts": {"connections": 500},
    "photo": {"pdq": "f" * 64, "sha256": "a" * 64},
}

LURE = (
    "Dear {name}, we pay well for short reports on your work. Please contact me on WhatsApp. "
    "All expenses paid trip to Beijing."
)


def member(pid: str, name: str, employer: str, title: str = "Engineer") -> dict[str, Any]:
    return {
        "id": pid,
        "name": name,
        "headline": f"{title} at {employer}",
        "created_at": "2012-01-01",
        "experience": [{"title": title, "company": employer, "start": "2012-01"}],
        "education": [
            {"school": "Imperial College", "degree": "MEng", "start": "2006", "end": "2010"}
        ],
        "counts": {"connections": 350},
        "verified": True,
    }


MEMBERS = [
    member("alice", "Alice Smith", "BAE Systems"),
    member("bob", "Bob Jones", "Ministry of Defence", "Policy Adviser"),
    member("carol", "Carol White", "Rolls-Royce Nuclear"),
    member("dave", "Dave Brown", "Acme Bakery", "Baker"),
]


def approach_events(start: datetime | None = None) -> list[dict[str, Any]]:
    t = start or datetime(2024, 6, 1, tzinfo=UTC)
    out = []
    for i, m in enumerate(MEMBERS[:3]):
        out.append(
            {
                "id": f"inv-{m['id']}",
                "type": "invitation",
                "actor": "fake1",
                "target": m["id"],
                "at": (t + timedelta(hours=i)).isoformat(),
                "text": LURE.format(name=m["name"].split()[0]),
                "accepted": True,
            }
        )
    out.append(
        {
            "id": "conn-dave",
            "type": "connection",
            "actor": "dave",
            "target": "fake1",
            "at": (t + timedelta(days=1)).isoformat(),
        }
    )
    return out


ROLES = ("member", "reviewer", "admin", "intel-partner")


@dataclass
class Service:
    client: TestClient
    app: Any
    keys: dict[str, str] = field(default_factory=dict)

    def h(self, who: str) -> dict[str, str]:
        return {"X-API-Key": self.keys[who]}

    def key(self, name: str, role: str, member: str | None = None, **kw: Any) -> str:
        subject = ("linkedin", member) if member else None
        k, _ = create_key(self.app.state.store, role, name=name, subject=subject, **kw)
        self.keys[name] = k
        return k

    @property
    def store(self) -> Any:
        return self.app.state.store

    @property
    def service(self) -> Any:
        return self.app.state.service


@contextmanager
def running(db_url: str, **kw: Any) -> Iterator[Service]:
    """The app on ``db_url`` in a TestClient, with one key per role (the member is alice)."""
    kw.setdefault("start_outbox", False)
    app = create_app(db_url, **kw)
    with TestClient(app) as client:
        svc = Service(client, app)
        svc.key("member", "member", member="alice")
        svc.key("reviewer", "reviewer")
        svc.key("reviewer2", "reviewer")
        svc.key("admin", "admin")
        svc.key("intel-partner", "intel-partner")
        try:
            yield svc
        finally:
            app.state.store.close()


def load_network(svc: Service) -> dict[str, Any]:
    """Ingest the members, the fake and its approaches; returns the events answer."""
    r = svc.client.post("/ingest/profiles", json=[*MEMBERS, FAKE], headers=svc.h("admin"))
    assert r.status_code == 200, r.text
    r = svc.client.post("/ingest/events", json=approach_events(), headers=svc.h("admin"))
    assert r.status_code == 200, r.text
    out: dict[str, Any] = r.json()
    return out
