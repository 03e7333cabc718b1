"""Organisation mode: staff exports in, campaigns across staff out, STIX, retention and erasure."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import stix2
from review_helpers import running
from sqlalchemy import func, select
from test_web_checker import (
    ALEX,
    DAVE,
    ORDINARY_NOTE,
    RACHEL,
    XSS,
    export_files,
    staff_export,
    table_counts,
    text_of,
    write_zip,
)
from web_support import csrf_from, sign_in

from spycatcher import organisation as orgs
from spycatcher.intel.stix_export import validate_bundle
from spycatcher.store.organisations import OrgApproachRow, OrgSubmissionRow

STAFF = [
    ("Alice Smith", "https://www.linkedin.com/in/alice-smith-bae"),
    ("Bob Jones", "https://www.linkedin.com/in/bob-jones-bae"),
    ("Carol White", "https://www.linkedin.com/in/carol-white-bae"),
]


def three_staff_exports(folder: Path) -> list[Path]:
    """Rachel Li approaches Alice and Bob; "Alex Li" sends Carol the same script; a genuine
    recruiter invites Alice with LinkedIn's default note; a colleague messages everyone."""
    alice = folder / "alice-smith.zip"
    write_zip(
        alice,
        export_files(
            me_name="Alice Smith",
            me_url=STAFF[0][1],
            connections=[("Dave", "Brown", DAVE, "BAE Systems", "Engineer", "03 Feb 2020")],
            invitations=[
                ("Rachel Li", RACHEL, "1/15/24, 3:04 PM", _lure("Alice")),
                (
                    "Pat Recruiter",
                    "https://www.linkedin.com/in/pat-recruiter",
                    "3/1/24, 9:00 AM",
                    "Hi Alice, I'd like to join your LinkedIn network.",
                ),
            ],
            messages=[("Dave Brown", DAVE, "2024-05-01 10:00:00 UTC", ORDINARY_NOTE)],
        ),
    )
    bob = staff_export(
        folder / "bob-jones.zip", "Bob Jones", STAFF[1][1], [("Rachel Li", RACHEL, "1/16/24")]
    )
    carol = staff_export(
        folder / "carol-white.zip", "Carol White", STAFF[2][1], [("Alex Li", ALEX, "2/20/24")]
    )
    return [alice, bob, carol]


def _lure(first: str) -> str:
    from test_web_checker import LURE

    return LURE.format(name=first)


def new_org(client, name: str = "Acme Defence") -> tuple[str, str, str]:  # type: ignore[no-untyped-def]
    """An admin-signed-in client creates an organisation; returns (org id, staff code, key)."""
    page = client.get("/organisation").text
    r = client.post(
        "/organisation/new",
        data={"csrf_token": csrf_from(page), "name": name, "retention_days": "90", "officer": "O"},
    )
    assert r.status_code == 201, r.text
    code = re.search(r'id="staff-code">([^<]+)<', r.text).group(1)  # type: ignore[union-attr]
    key = re.search(r'id="officer-key">([^<]+)<', r.text).group(1)  # type: ignore[union-attr]
    org_id = re.search(r"/organisation\?org=([0-9a-f]+)", r.text).group(1)  # type: ignore[union-attr]
    return org_id, code, key


def officer_upload(client, paths: list[Path]):  # type: ignore[no-untyped-def]
    token = csrf_from(client.get("/organisation").text)
    handles = [open(p, "rb") for p in paths]  # noqa: SIM115 - closed below
    try:
        files = [
            ("exports", (p.name, fh, "application/zip"))
            for p, fh in zip(paths, handles, strict=True)
        ]
        return client.post("/organisation/upload", data={"csrf_token": token}, files=files)
    finally:
        for fh in handles:
            fh.close()


def test_three_staff_exports_become_one_campaign_exported_as_stix(
    db_url: str, tmp_path: Path
) -> None:
    paths = three_staff_exports(tmp_path)
    with running(db_url) as svc:
        sign_in(svc.client, svc.keys["admin"])
        org_id, _code, key = new_org(svc.client)
        sign_in(svc.client, key)  # the officer

        r = officer_upload(svc.client, paths)
        assert r.status_code == 200, r.text
        page = text_of(r.text)
        assert "alice-smith: 3 senders checked, 2 approaches kept" in page
        assert "carol-white: 2 senders checked, 1 approaches kept" in page
        assert "3 staff submitted" in page and "1 campaigns across staff" in page

        campaigns = r.text.split('id="campaigns"')[1].split('id="senders"')[0]
        (camp,) = re.findall(r'<article class="panel campaign".*?</article>', campaigns, re.S)
        text = text_of(camp)
        assert "2 profiles approached 3 staff" in text
        assert "Staff approached: alice-smith, bob-jones, carol-white" in text
        assert "The same profile, “Rachel Li”, approached 2 staff: alice-smith, bob-jones." in text
        assert "2 profiles sent the same wording to 3 staff" in text
        assert "Pat Recruiter" not in text  # a lone, ordinary invitation joins no campaign
        assert "Pat Recruiter" in page  # but the officer sees it, ranked low

        # only what the officer needs was kept: never the colleague's lunch message
        with svc.store.session() as s:
            rows = list(s.scalars(select(OrgApproachRow)))
        assert {r.sender_id for r in rows} == {
            "linkedin.com/in/rachel-li-risehr",
            "linkedin.com/in/alex-li-csed",
            "linkedin.com/in/pat-recruiter",
        }
        assert ORDINARY_NOTE not in json.dumps([r.texts for r in rows])
        assert ORDINARY_NOTE not in r.text

        stix = svc.client.get("/organisation/stix.json")
        assert stix.status_code == 200
        assert stix.headers["content-type"].startswith("application/stix+json")
        assert "attachment" in stix.headers["content-disposition"]
        bundle = stix.json()
        validate_bundle(bundle)
        stix2.parse(bundle, allow_custom=True)
        types = [o["type"] for o in bundle["objects"]]
        assert types.count("intrusion-set") == 1 and types.count("user-account") == 2
        accounts = {o["user_id"] for o in bundle["objects"] if o["type"] == "user-account"}
        assert accounts == {"linkedin.com/in/rachel-li-risehr", "linkedin.com/in/alex-li-csed"}
        raw = json.dumps(bundle)
        for staff in ("alice", "Alice", "bob", "Bob", "carol", "Carol"):
            assert staff not in raw  # staff are counted, never named
        identity = [o for o in bundle["objects"] if o["type"] == "identity"]
        assert identity[0]["name"] == "Acme Defence"

        # an admin sees the same organisation when they open it
        sign_in(svc.client, svc.keys["admin"])
        admin = svc.client.get(f"/organisation?org={org_id}")
        assert admin.status_code == 200 and "1 campaigns across staff" in text_of(admin.text)


def test_staff_submit_under_the_code_and_erase_with_their_own_code(
    db_url: str, tmp_path: Path
) -> None:
    alice = three_staff_exports(tmp_path)[0]
    with running(db_url) as svc:
        sign_in(svc.client, svc.keys["admin"])
        _org_id, code, key = new_org(svc.client)
        svc.client.cookies.clear()  # staff need no account

        page = svc.client.get("/organisation/submit").text
        token = csrf_from(page)
        before = table_counts(svc.store)

        def submit(code_: str, label: str = "Alice Smith"):  # type: ignore[no-untyped-def]
            with open(alice, "rb") as fh:
                return svc.client.post(
                    "/organisation/submit",
                    data={"csrf_token": token, "code": code_, "label": label},
                    files={"export": ("alice.zip", fh, "application/zip")},
                )

        r = submit("ORG-WRONG-CODE")
        assert r.status_code == 400 and "code was not recognised" in r.text
        r = submit(code, label="")
        assert r.status_code == 400 and "name or staff number" in r.text
        assert table_counts(svc.store) == before

        r = submit(code.lower().replace("-", " "))  # case, spaces and dashes do not matter
        assert r.status_code == 201, r.text
        page = text_of(r.text)
        assert "kept 2 approaches for your security team" in page
        assert "Rachel Li" in page  # the member sees their own ranking too
        erase_code = re.search(r'id="erase-code">([^<]+)<', r.text).group(1)  # type: ignore[union-attr]
        assert erase_code.startswith("ERASE-")

        sign_in(svc.client, key)
        officer = text_of(svc.client.get("/organisation").text)
        assert "Alice Smith the staff member" in officer

        svc.client.cookies.clear()
        token = csrf_from(svc.client.get("/organisation/erase").text)
        r = svc.client.post("/organisation/erase", data={"csrf_token": token, "code": "nope"})
        assert r.status_code == 404 and "not recognised" in r.text
        r = svc.client.post("/organisation/erase", data={"csrf_token": token, "code": erase_code})
        assert r.status_code == 200 and "have been erased" in r.text
        with svc.store.session() as s:
            assert s.scalar(select(func.count()).select_from(OrgSubmissionRow)) == 0
            assert s.scalar(select(func.count()).select_from(OrgApproachRow)) == 0
        actions = [e["action"] for e in svc.service.audit_entries(limit=1000)]
        assert actions.count("org.submission") == 1 and actions.count("org.erased") == 1
        audit_text = json.dumps(svc.service.audit_entries(limit=1000))
        assert "Alice" not in audit_text and "Rachel" not in audit_text


def test_the_retention_job_deletes_expired_submissions_without_a_page_visit(
    db_url: str, tmp_path: Path
) -> None:
    paths = three_staff_exports(tmp_path)
    with running(db_url) as svc:
        org, _code = orgs.create_organisation(svc.store, "Acme", "test", retention_days=30)
        now = datetime.now(UTC)
        # (a submission purges what has expired, so the recent one goes in first)
        keep = orgs.submit_export(svc.store, org, paths[1], "bob", source="officer", actor="t")
        old = orgs.submit_export(
            svc.store, org, paths[0], "alice", source="officer", actor="t", now=now - timedelta(31)
        )
        h = svc.h("admin")
        preview = svc.client.post("/admin/privacy/retention?dry_run=true", headers=h).json()
        assert preview["counts"]["organisation_submissions"] == 1
        assert len(orgs.submissions(svc.store, org.id)) == 2  # a dry run deletes nothing
        done = svc.client.post("/admin/privacy/retention", headers=h).json()
        assert done["counts"]["organisation_submissions"] == 1
        assert [s["id"] for s in orgs.submissions(svc.store, org.id)] == [keep.id]
        with svc.store.session() as s:
            left = s.scalar(
                select(func.count())
                .select_from(OrgApproachRow)
                .where(OrgApproachRow.submission_id == old.id)
            )
        assert left == 0  # the approaches kept from it go with it


def test_expired_submissions_are_deleted_and_officers_erase_theirs(
    db_url: str, tmp_path: Path
) -> None:
    paths = three_staff_exports(tmp_path)
    with running(db_url) as svc:
        org, _code = orgs.create_organisation(svc.store, "Acme", "test", retention_days=30)
        now = datetime.now(UTC)
        old = orgs.submit_export(
            svc.store, org, paths[0], "alice", source="officer", actor="t", now=now - timedelta(31)
        )
        keep = orgs.submit_export(svc.store, org, paths[1], "bob", source="officer", actor="t")
        assert old.expires_at < now < keep.expires_at
        key = orgs.create_officer_key(svc.store, org.id, "officer", "test")
        sign_in(svc.client, key)
        page = svc.client.get("/organisation").text  # every page load purges what expired
        assert [s["id"] for s in orgs.submissions(svc.store, org.id)] == [keep.id]
        assert "bob" in text_of(page) and ">alice<" not in page

        r = svc.client.post(
            "/organisation/erase-submission",
            data={"csrf_token": csrf_from(page), "submission": keep.id},
        )
        assert r.status_code == 200 and "are erased" in r.text
        assert orgs.submissions(svc.store, org.id) == []
        with svc.store.session() as s:
            assert s.scalar(select(func.count()).select_from(OrgApproachRow)) == 0
        orgs.submit_export(svc.store, org, paths[2], "carol", source="officer", actor="t")
        r = svc.client.post("/organisation/erase-all", data={"csrf_token": csrf_from(page)})
        assert r.status_code == 200 and "1 submissions erased" in r.text
        assert orgs.submissions(svc.store, org.id) == []


def test_who_may_see_an_organisation(tmp_path: Path) -> None:
    paths = three_staff_exports(tmp_path)
    with running(f"sqlite:///{tmp_path / 'w.db'}") as svc:
        a, _ = orgs.create_organisation(svc.store, "Org A", "test")
        b, _ = orgs.create_organisation(svc.store, "Org B", "test")
        sub_b = orgs.submit_export(svc.store, b, paths[0], "alice", source="officer", actor="t")
        key_a = orgs.create_officer_key(svc.store, a.id, "officer A", "test")

        # nobody signed in: the landing page, and no upload without signing in
        r = svc.client.get("/organisation")
        assert r.status_code == 200 and "Submit your LinkedIn export" in r.text
        r = svc.client.post("/organisation/upload", data={}, follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"].startswith("/login")
        assert svc.client.get("/organisation/stix.json", follow_redirects=False).status_code == 303

        # a reviewer is not an officer
        sign_in(svc.client, svc.keys["reviewer"])
        assert "not an organisation officer" in svc.client.get("/organisation").text
        assert svc.client.get("/organisation/stix.json").status_code == 403

        # officer A sees only A, whatever they ask for
        sign_in(svc.client, key_a)
        page = svc.client.get(f"/organisation?org={b.id}").text
        assert "Org A: approaches to staff" in page and "Org B" not in page
        r = svc.client.post(
            "/organisation/erase-submission",
            data={"csrf_token": csrf_from(page), "submission": sub_b.id, "org": b.id},
        )
        assert r.status_code == 404
        assert [s["id"] for s in orgs.submissions(svc.store, b.id)] == [sub_b.id]
        stix = svc.client.get(f"/organisation/stix.json?org={b.id}").json()
        assert not [o for o in stix["objects"] if o["type"] == "user-account"]

        # an officer key attached to no organisation
        from spycatcher.api.auth import create_key

        loose, _ = create_key(svc.store, "org-officer", name="loose")
        sign_in(svc.client, loose)
        r = svc.client.get("/organisation")
        assert r.status_code == 403 and "not attached to an organisation" in r.text


def test_a_zip_bomb_among_uploads_is_refused_and_the_others_are_kept(tmp_path: Path) -> None:
    paths = three_staff_exports(tmp_path)
    bomb = write_zip(
        tmp_path / "bomb.zip", {**export_files(), "messages.csv": b"\0" * (30 * 1024 * 1024)}
    )
    with running(f"sqlite:///{tmp_path / 'w.db'}") as svc:
        org, _ = orgs.create_organisation(svc.store, "Acme", "test")
        sign_in(svc.client, orgs.create_officer_key(svc.store, org.id, "o", "test"))
        r = officer_upload(svc.client, [paths[0], bomb, paths[1]])
        assert r.status_code == 200
        page = text_of(r.text)
        assert "bomb.zip was refused" in page and "zip bomb" in page
        assert "alice-smith: 3 senders checked" in page and "bob-jones: 2 senders checked" in page
        assert sorted(s["staff"] for s in orgs.submissions(svc.store, org.id)) == [
            "alice-smith",
            "bob-jones",
        ]


@pytest.mark.parametrize("payload", XSS)
def test_hostile_text_on_the_officer_pages_is_escaped(tmp_path: Path, payload: str) -> None:
    files = export_files(
        me_name="Alice Smith",
        me_url=STAFF[0][1],
        connections=[("Rachel", payload, RACHEL, payload, payload, "15 Jan 2024")],
        invitations=[(f"Rachel {payload}", RACHEL, "1/15/24, 3:04 PM", payload + _lure("A"))],
    )
    path = write_zip(tmp_path / "a.zip", files)
    other = staff_export(tmp_path / "b.zip", "Bob Jones", STAFF[1][1], [("R", RACHEL, "1/2/24")])
    with running(f"sqlite:///{tmp_path / 'w.db'}") as svc:
        org, _ = orgs.create_organisation(svc.store, f"Acme {payload}", "test")
        orgs.submit_export(svc.store, org, path, f"Alice {payload}", source="staff", actor="t")
        orgs.submit_export(svc.store, org, other, "Bob", source="officer", actor="t")
        sign_in(svc.client, orgs.create_officer_key(svc.store, org.id, "o", "test"))
        r = svc.client.get("/organisation")
        assert r.status_code == 200
        assert "1 campaigns across staff" in text_of(r.text)
        if any(c in payload for c in "<>\"'"):
            assert payload not in r.text
        for tag in ("<script>alert", "<img src=x", "<svg/onload", "<iframe srcdoc"):
            assert tag not in r.text
        assert payload in text_of(r.text)
        bundle = svc.client.get("/organisation/stix.json").json()
        validate_bundle(bundle)


def test_the_cli_makes_an_organisation_and_an_officer_key_that_belongs_to_it(
    db_url: str,
) -> None:
    from typer.testing import CliRunner

    from spycatcher.cli import app as cli_app
    from spycatcher.store import Store

    runner = CliRunner()
    made = runner.invoke(cli_app, ["org", "create", "Acme <b>Defence</b>", "--db", db_url])
    assert made.exit_code == 0, made.output
    org_id = json.loads(made.output[: made.output.index("}") + 1])["id"]
    code = made.output.split("shown only now): ")[1].strip()
    store = Store(db_url)
    try:
        org = orgs.organisation_by_code(store, code)
        assert org is not None and org.id == org_id and org.name == "Acme <b>Defence</b>"

        # an officer key without its organisation would open nothing: refused
        bad = runner.invoke(cli_app, ["keys", "create", "--role", "org-officer", "--db", db_url])
        assert bad.exit_code != 0 and "--organisation" in bad.output
        bad = runner.invoke(
            cli_app,
            ["keys", "create", "--role", "reviewer", "--organisation", org_id, "--db", db_url],
        )
        assert bad.exit_code != 0
        bad = runner.invoke(
            cli_app,
            ["keys", "create", "--role", "org-officer", "--organisation", "nope", "--db", db_url],
        )
        assert bad.exit_code != 0 and "No such organisation" in bad.output

        ok = runner.invoke(
            cli_app,
            ["keys", "create", "--role", "org-officer", "--organisation", org_id, "--db", db_url],
        )
        assert ok.exit_code == 0, ok.output
        key = ok.output.strip().splitlines()[-1]
        assert key.startswith("sc_")
        key_id = key.split("_")[1]
        linked = orgs.organisation_for_key(store, key_id)
        assert linked is not None and linked.id == org_id

        listed = runner.invoke(cli_app, ["org", "list", "--db", db_url])
        assert json.loads(listed.output) == [
            {
                "id": org_id,
                "name": "Acme <b>Defence</b>",
                "retention_days": 90,
                "officers": 1,
                "submissions": 0,
            }
        ]
    finally:
        store.close()
