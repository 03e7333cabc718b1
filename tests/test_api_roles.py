"""Access control: what each role can and cannot reach, on SQLite and PostgreSQL.

Every endpoint but /health wants a key; a missing, malformed or revoked key gets 401; a valid key
whose role may not call the endpoint gets 403; an allowed role gets past authorisation (whatever
the endpoint then answers: 200, 404 for a case that does not exist, 409 for nothing to appeal...).
"""

from __future__ import annotations

from typing import Any

import pytest
from review_helpers import MEMBERS, ROLES, running

from spycatcher.api.app import create_app

BUNDLE = {"type": "bundle", "id": "bundle--6a5b2c46-9b3e-4b5c-8d53-1c1f1d0e0c11", "objects": []}

# (method, path, json body, roles allowed)
EVERYONE = set(ROLES)
MEMBER = {"member"}
REVIEW = {"reviewer", "admin"}
ADMIN = {"admin"}
INTEL = {"intel-partner", "admin"}

MATRIX: list[tuple[str, str, Any, set[str]]] = [
    ("GET", "/me", None, EVERYONE),
    ("POST", "/check", {"profile": {"id": "x", "name": "X"}}, EVERYONE),
    ("POST", "/reports", {"profile_id": "bob", "reason": "spam"}, MEMBER),
    ("GET", "/reports/mine", None, MEMBER),
    ("POST", "/appeals", {"profile_id": "alice"}, MEMBER),
    ("GET", "/appeals/mine", None, MEMBER),
    ("GET", "/me/notifications", None, MEMBER),
    ("POST", "/ingest/profiles", [{"id": "z"}], ADMIN),
    ("POST", "/ingest/events", [], ADMIN),
    ("GET", "/queue", None, REVIEW),
    ("GET", "/cases/1", None, REVIEW),
    ("POST", "/cases/1/claim", None, REVIEW),
    ("POST", "/cases/1/release", None, REVIEW),
    ("POST", "/cases/1/decision", {"decision": "genuine", "reason": "r"}, REVIEW),
    ("GET", "/profiles/linkedin/alice", None, REVIEW),
    ("GET", "/profiles/linkedin/alice/reports", None, REVIEW),
    ("GET", "/appeals", None, REVIEW),
    ("POST", "/appeals/1/decision", {"grant": False, "reason": "r"}, REVIEW),
    ("GET", "/admin/keys", None, ADMIN),
    ("POST", "/admin/keys", {"role": "reviewer", "name": "new"}, ADMIN),
    ("POST", "/admin/keys/abc/revoke", None, ADMIN),
    ("POST", "/admin/keys/abc/reporters", {"can_see_reporters": True}, ADMIN),
    ("GET", "/admin/outbox", None, ADMIN),
    ("POST", "/admin/outbox/deliver", None, ADMIN),
    ("POST", "/admin/outbox/abc/retry", None, ADMIN),
    ("GET", "/admin/audit", None, ADMIN),
    ("GET", "/admin/audit/verify", None, ADMIN),
    ("POST", "/admin/privacy/retention?dry_run=true", None, ADMIN),
    ("POST", "/admin/privacy/erase", {"member_id": "nobody"}, ADMIN),
    ("POST", "/admin/cases/from-scan", None, ADMIN),
    ("POST", "/intel/import", BUNDLE, INTEL),
    ("GET", "/taxii2/", None, INTEL),
    ("GET", "/taxii2/spycatcher/collections/", None, INTEL),
]


@pytest.mark.parametrize("role", ROLES)
def test_each_role_reaches_what_it_may_and_nothing_else(db_url, role):
    with running(db_url) as svc:
        svc.client.post("/ingest/profiles", json=MEMBERS, headers=svc.h("admin"))
        can, cannot = [], []
        for method, path, body, allowed in MATRIX:
            r = svc.client.request(method, path, json=body, headers=svc.h(role))
            assert r.status_code < 500, (method, path, r.status_code, r.text)
            if role in allowed:
                assert r.status_code not in (401, 403), (role, method, path, r.text)
                can.append(path)
            else:
                assert r.status_code == 403, (role, method, path, r.status_code)
                cannot.append(path)
        assert can and (cannot or role == "admin")


def test_keys_are_required_and_checked(db_url):
    with running(db_url) as svc:
        c = svc.client
        assert c.get("/health").status_code == 200
        assert c.get("/me").status_code == 401
        assert c.get("/me", headers={"X-API-Key": "sc_nothing_here"}).status_code == 401
        assert c.get("/me", headers={"X-API-Key": "not-a-key"}).status_code == 401
        good = svc.keys["reviewer"]
        tampered = good[:-2] + ("AA" if not good.endswith("AA") else "BB")
        assert c.get("/me", headers={"X-API-Key": tampered}).status_code == 401
        kid = good.split("_")[1]
        assert c.post(f"/admin/keys/{kid}/revoke", headers=svc.h("admin")).status_code == 200
        assert c.get("/me", headers={"X-API-Key": good}).status_code == 401
        listed = c.get("/admin/keys", headers=svc.h("admin")).json()
        assert all("key" not in k and "salt" not in k for k in listed)
        made = c.post("/admin/keys", json={"role": "member"}, headers=svc.h("admin"))
        assert made.status_code == 422  # a member key names the member's own profile
        made = c.post(
            "/admin/keys",
            json={"role": "member", "subject_platform": "linkedin", "subject_id": "bob"},
            headers=svc.h("admin"),
        )
        assert made.status_code == 201
        me = c.get("/me", headers={"X-API-Key": made.json()["key"]}).json()
        assert me["role"] == "member" and me["subject"]["profile_id"] == "bob"


def test_members_see_only_their_own_and_appeal_only_their_own(db_url):
    with running(db_url) as svc:
        c = svc.client
        bob = svc.key("bob", "member", member="bob")
        c.post("/reports", json={"profile_id": "dave", "reason": "spam"}, headers=svc.h("member"))
        assert c.get("/reports/mine", headers={"X-API-Key": bob}).json() == []
        assert len(c.get("/reports/mine", headers=svc.h("member")).json()) == 1
        r = c.post("/appeals", json={"profile_id": "bob"}, headers=svc.h("member"))
        assert r.status_code == 403
        assert c.get("/appeals/mine", headers={"X-API-Key": bob}).json() == []


def test_stored_key_is_a_salted_hash(db_url):
    from sqlalchemy import select

    from spycatcher.store.review import ApiKeyRow

    with running(db_url) as svc:
        key = svc.keys["admin"]
        secret = key.split("_", 2)[2]
        with svc.store.session() as s:
            rows = list(s.scalars(select(ApiKeyRow)))
        assert all(secret not in (r.key_hash + r.salt) for r in rows)
        assert len({r.salt for r in rows}) == len(rows)


def test_app_factory_takes_extra_routers(tmp_path):
    from fastapi import APIRouter

    extra = APIRouter()

    @extra.get("/hello")
    def hello() -> dict[str, str]:
        return {"hi": "there"}

    app = create_app(f"sqlite:///{tmp_path / 'x.db'}", extra_routers=[extra], start_outbox=False)
    assert "/hello" in app.openapi()["paths"]
    app.state.store.close()
