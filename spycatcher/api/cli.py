"""Service commands: ``serve``, ``keys``, ``audit``, ``privacy``, ``outbox``, ``review``.

Thin on purpose: each command parses its options and calls one function of
:mod:`spycatcher.api` or :mod:`spycatcher.review`. ``spycatcher.cli`` registers them with
:func:`register`. Heavy imports (FastAPI, uvicorn) happen inside the commands, so the rest of the
CLI starts fast and works without the ``service`` extra.
"""

from __future__ import annotations

import getpass
import json
import os
import sys
from typing import Annotated, Any

import typer
from rich.console import Console

console = Console(stderr=True)

DbOpt = Annotated[
    str | None, typer.Option("--db", help="database URL (default: env or ./spycatcher.db)")
]

keys_app = typer.Typer(help="API keys for the service.", no_args_is_help=True)
audit_app = typer.Typer(help="The hash-chained audit trail.", no_args_is_help=True)
privacy_app = typer.Typer(help="Retention and erasure of personal data.", no_args_is_help=True)
outbox_app = typer.Typer(help="Enforcement actions waiting for the platform.", no_args_is_help=True)
review_app = typer.Typer(help="The review queue.", no_args_is_help=True)
org_app = typer.Typer(
    help="Organisation mode: organisations whose staff submit the approaches they receive.",
    no_args_is_help=True,
)


def _cli_actor() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli"


def _store(db: str | None) -> Any:
    import spycatcher.store.review  # noqa: F401  (maps the service tables)
    from spycatcher.store import Store

    return Store(db)


def _print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=2, default=str) + "\n")


def serve(
    host: Annotated[str, typer.Option(help="address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="port")] = 8000,
    db: DbOpt = None,
    workers: Annotated[int, typer.Option(help="worker processes (PostgreSQL for more than 1)")] = 1,
    webhook_url: Annotated[
        str | None, typer.Option(help="the platform's enforcement webhook (or env)")
    ] = None,
    webhook_secret: Annotated[
        str | None, typer.Option(help="HMAC secret for the webhook (or env)")
    ] = None,
    log_level: Annotated[str, typer.Option(help="uvicorn log level")] = "info",
) -> None:
    """Run the REST API (OpenAPI docs at /docs).

    Example: spycatcher keys create --role admin && spycatcher serve --port 8000
    """
    import uvicorn

    from spycatcher.api.app import ENV_WEBHOOK_SECRET, ENV_WEBHOOK_URL
    from spycatcher.store.db import ENV_URL, database_url

    os.environ[ENV_URL] = database_url(db)
    if webhook_url:
        os.environ[ENV_WEBHOOK_URL] = webhook_url
    if webhook_secret:
        os.environ[ENV_WEBHOOK_SECRET] = webhook_secret
    if workers > 1 and os.environ[ENV_URL].startswith("sqlite"):
        console.print("[yellow]SQLite takes one writer at a time: use PostgreSQL for --workers > 1")
    _store(None).close()  # migrate once, before the workers start
    uvicorn.run(
        "spycatcher.api.app:app_from_env",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level=log_level,
        access_log=False,
    )


@keys_app.command("create")
def keys_create(
    role: Annotated[
        str, typer.Option(help="member, reviewer, admin, intel-partner or org-officer")
    ],
    name: Annotated[str | None, typer.Option(help="who holds the key")] = None,
    member: Annotated[
        str | None, typer.Option(help="for member keys: the member's own profile, PLATFORM:ID")
    ] = None,
    see_reporters: Annotated[bool, typer.Option(help="let this reviewer see who reported")] = False,
    organisation: Annotated[
        str | None, typer.Option(help="for org-officer keys: the organisation's id (required)")
    ] = None,
    db: DbOpt = None,
) -> None:
    """Make an API key; the key is printed once and only its salted hash is stored.

    Example: spycatcher keys create --role member --member linkedin:alice
    """
    from spycatcher.api.auth import create_key

    # an officer key means nothing without its organisation: it is made where that link is kept
    if (role == "org-officer") != (organisation is not None):
        raise typer.BadParameter("--organisation goes with --role org-officer, and only with it")
    if organisation is not None:
        from spycatcher import organisation as orgs

        try:
            key = orgs.create_officer_key(_store(db), organisation, name, _cli_actor())
        except orgs.OrganisationError as exc:
            raise typer.BadParameter(f"--organisation {organisation!r}: {exc}") from exc
        typer.echo(f"org-officer key for organisation {organisation} created; shown only now:")
        typer.echo(key)
        return
    subject = None
    if member:
        platform, _, pid = member.partition(":")
        if not pid:
            raise typer.BadParameter("--member must be PLATFORM:ID, e.g. linkedin:alice")
        subject = (platform, pid)
    try:
        key, desc = create_key(
            _store(db),
            role,
            name=name,
            subject=subject,
            can_see_reporters=see_reporters,
            created_by=_cli_actor(),
        )
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from exc
    console.print(f"key {desc['key_id']} ({role}) created; it is shown only now:")
    sys.stdout.write(key + "\n")


@keys_app.command("list")
def keys_list(
    db: DbOpt = None,
    revoked: Annotated[bool, typer.Option(help="include revoked keys")] = False,
) -> None:
    """List keys (never their secrets)."""
    from spycatcher.api.auth import list_keys

    _print_json(list_keys(_store(db), revoked))


@keys_app.command("revoke")
def keys_revoke(
    key_id: Annotated[str, typer.Argument(help="the key id")], db: DbOpt = None
) -> None:
    """Revoke a key at once."""
    from spycatcher.api.auth import revoke_key

    if revoke_key(_store(db), key_id, _cli_actor()) is None:
        console.print(f"[red]no key {key_id}")
        raise typer.Exit(1)
    console.print(f"key {key_id} revoked")


@audit_app.command("verify")
def audit_verify(
    db: DbOpt = None,
    anchor: Annotated[
        str | None, typer.Option(help="a published head, SEQ:HASH, that must still hold")
    ] = None,
) -> None:
    """Check the audit chain: exit 1 and list the problems if any entry was edited or deleted.

    Example: spycatcher audit verify --anchor 1200:3f5a...
    """
    from spycatcher.review.audit import verify

    anc = None
    if anchor:
        seq, _, h = anchor.partition(":")
        if not seq.isdigit() or len(h) != 64:
            raise typer.BadParameter("--anchor must be SEQ:HASH (64 hex characters)")
        anc = (int(seq), h.lower())
    result = verify(_store(db), anc)
    if result.ok:
        console.print(
            f"[green]audit trail intact[/]: {result.entries:,} entries, head {result.head_seq} "
            f"{result.head_hash}"
        )
        return
    console.print(f"[red]audit trail BROKEN[/]: {len(result.problems)} problem(s)")
    for p in result.problems[:50]:
        console.print(f"  entry {p['seq']}: {p['problem']}")
    raise typer.Exit(1)


@audit_app.command("head")
def audit_head(db: DbOpt = None) -> None:
    """Print the chain's head (SEQ:HASH): publish it elsewhere to anchor the trail."""
    from spycatcher.review.audit import head

    h = head(_store(db))
    sys.stdout.write(f"{h['seq']}:{h['hash']}\n")


def _service(db: str | None) -> Any:
    from spycatcher.review.service import ReviewService

    return ReviewService(_store(db))


def _admin() -> Any:
    from spycatcher.review.service import Actor

    return Actor(_cli_actor(), "admin")


@privacy_app.command("retention")
def privacy_retention(
    db: DbOpt = None,
    dry_run: Annotated[bool, typer.Option(help="only count what would go")] = False,
) -> None:
    """Delete reports, message texts, closed cases, notifications and expired organisation
    submissions past their retention."""
    _print_json(_service(db).retention(_admin(), dry_run))


@privacy_app.command("erase")
def privacy_erase(
    member: Annotated[str, typer.Option(help="the member, PLATFORM:ID")],
    db: DbOpt = None,
) -> None:
    """Erase a member's data; what the audit trail keeps stays pseudonymous.

    Example: spycatcher privacy erase --member linkedin:alice
    """
    platform, _, pid = member.partition(":")
    if not pid:
        raise typer.BadParameter("--member must be PLATFORM:ID")
    _print_json(_service(db).erase(_admin(), platform, pid))


@outbox_app.command("deliver")
def outbox_deliver(
    db: DbOpt = None,
    webhook_url: Annotated[str | None, typer.Option(help="webhook URL (or env)")] = None,
    webhook_secret: Annotated[str | None, typer.Option(help="HMAC secret (or env)")] = None,
) -> None:
    """Send due actions to the platform once (for cron, when the server's worker is off)."""
    from spycatcher.api.app import ENV_WEBHOOK_SECRET, ENV_WEBHOOK_URL
    from spycatcher.review.actions import Deliverer, WebhookConfig

    url = webhook_url or os.environ.get(ENV_WEBHOOK_URL)
    secret = webhook_secret or os.environ.get(ENV_WEBHOOK_SECRET)
    if not url or not secret:
        raise typer.BadParameter("a webhook URL and secret are needed (options or env)")
    report = Deliverer(_store(db), WebhookConfig(url=url, secret=secret)).deliver_due()
    _print_json(report.as_dict())


@outbox_app.command("list")
def outbox_list(
    db: DbOpt = None,
    status: Annotated[str | None, typer.Option(help="pending, delivered, dead, cancelled")] = None,
) -> None:
    """List actions in the outbox."""
    _print_json(_service(db).outbox(status))


@review_app.command("from-scan")
def review_from_scan(
    db: DbOpt = None,
    run_id: Annotated[str | None, typer.Option(help="scan run (default: the latest)")] = None,
) -> None:
    """Open cases for the high-risk profiles of a stored scan."""
    _print_json(_service(db).cases_from_scan(_admin(), run_id))


@org_app.command("create")
def org_create(
    name: Annotated[str, typer.Argument(help="the organisation's name")],
    retention_days: Annotated[
        int, typer.Option(help="days each staff submission is kept (1-365)")
    ] = 90,
    db: DbOpt = None,
) -> None:
    """Make an organisation; prints its id and the staff code (shown once, stored hashed).

    Example: spycatcher org create "Acme Defence" --retention-days 90
    (then: spycatcher keys create --role org-officer --organisation ID --name "Security officer")
    """
    from spycatcher import organisation as orgs

    try:
        org, code = orgs.create_organisation(_store(db), name, _cli_actor(), retention_days)
    except orgs.OrganisationError as exc:
        raise typer.BadParameter(str(exc)) from exc
    _print_json({"id": org.id, "name": org.name, "retention_days": org.retention_days})
    typer.echo(f"staff code (give it to staff; shown only now): {code}")


@org_app.command("list")
def org_list(db: DbOpt = None) -> None:
    """Organisations with their numbers of officers and live submissions.

    Example: spycatcher org list
    """
    from spycatcher import organisation as orgs

    _print_json(
        [
            {
                "id": o["org"].id,
                "name": o["org"].name,
                "retention_days": o["org"].retention_days,
                "officers": o["officers"],
                "submissions": o["submissions"],
            }
            for o in orgs.organisations(_store(db))
        ]
    )


def register(app: typer.Typer) -> None:
    """Add the service commands to the main CLI."""
    app.command()(serve)
    app.add_typer(keys_app, name="keys")
    app.add_typer(audit_app, name="audit")
    app.add_typer(privacy_app, name="privacy")
    app.add_typer(outbox_app, name="outbox")
    app.add_typer(review_app, name="review")
    app.add_typer(org_app, name="org")
