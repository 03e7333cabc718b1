"""Storage on SQLite and a real PostgreSQL server: migrations, idempotent ingest, scan runs."""

from sqlalchemy import inspect

from spycatcher.schema import Event, Profile
from spycatcher.store import Store
from spycatcher.store.models import EventRow, ProfileRow


def test_migrations_create_the_schema(db_url):
    store = Store(db_url)
    tables = set(inspect(store.engine).get_table_names())
    assert {
        "profiles",
        "events",
        "scan_runs",
        "assessments",
        "campaigns",
        "alembic_version",
    } <= tables
    Store(db_url)  # migrating twice is a no-op
    store.close()


def test_migrations_build_exactly_what_the_models_declare(db_url):
    """Alembic's autogenerate finds nothing to add: every table, column and index is migrated."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    import spycatcher.store.hashbank
    import spycatcher.store.intel
    import spycatcher.store.organisations
    import spycatcher.store.review  # noqa: F401  (their tables join the shared metadata)
    from spycatcher.store.models import Base

    store = Store(db_url)
    with store.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    store.close()
    assert diff == []


def test_reingest_is_idempotent(db_url):
    store = Store(db_url)
    profiles = [Profile(id=f"p{i}", name=f"N{i}") for i in range(5)]
    events = [
        Event.model_validate(
            {
                "type": "invitation",
                "actor": "p0",
                "target": f"p{i}",
                "at": "2024-01-01T00:00:00Z",
                "text": "hello",
            }
        )
        for i in range(1, 5)
    ] + [
        Event.model_validate(
            {
                "id": "e1",
                "type": "message",
                "actor": "p1",
                "target": "p2",
                "at": "2024-01-02T00:00:00Z",
            }
        )
    ]
    store.upsert_profiles(profiles)
    store.upsert_events(events)
    store.upsert_profiles(profiles)
    store.upsert_events(events)
    assert store.count(ProfileRow) == 5
    assert store.count(EventRow) == 5
    store.upsert_profiles([Profile(id="p1", name="changed")])
    assert store.get_profile("p1").name == "changed"
    assert store.count(ProfileRow) == 5
    store.close()


def test_hostile_text_is_stored_verbatim(db_url):
    store = Store(db_url)
    name = "Robert'); DROP TABLE profiles;-- <script>alert(1)</script> \u202e"
    store.upsert_profiles([Profile(id="x'; --", name=name)])
    got = store.get_profile("x'; --")
    assert got is not None and got.name == name
    assert store.count(ProfileRow) == 1
    store.close()


def test_scan_run_roundtrip(db_url):
    store = Store(db_url)
    run = store.start_run("local", "test", "zero-shot")
    rows = [
        {
            "id": f"p{i}",
            "platform": "linkedin",
            "score": i / 10,
            "level": "low",
            "signals": [
                {"name": "profile.persona", "strength": 1.0, "evidence": "e", "advice": "a"}
            ],
            "contributions": {"profile.persona": 0.5},
        }
        for i in range(10)
    ]
    store.save_assessments(run, rows)
    store.replace_assessments(
        run, [{**rows[0], "score": 0.95, "level": "high", "campaign_id": "c1"}]
    )
    store.save_campaigns(run, [{"id": "c1", "members": ["p0"], "score": 0.9}])
    store.finish_run(run, {"scored": 10})
    assert store.latest_run().run_id == run
    top = store.top_assessments(run, 3)
    assert [a.profile_id for a in top] == ["p0", "p9", "p8"]
    assert top[0].campaign_id == "c1"
    assert store.latest_assessment("p0").score == 0.95
    assert [c.campaign_id for c in store.campaigns(run)] == ["c1"]
    store.close()
