"""The command line: a thin Typer layer over the engine, the store and the adapters.

No detection logic lives here: every command parses its arguments, calls one function of the
packages, and prints what came back. Attacker-written text printed to the terminal goes through
:func:`safe_text` so that control characters and terminal escape sequences cannot act.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from spycatcher import __version__

app = typer.Typer(
    name="spycatcher",
    help="Find fake professional-network profiles run by hostile intelligence services.",
    no_args_is_help=True,
    add_completion=False,
)
console = Console(stderr=True)
out = Console()


def safe_text(value: object, limit: int = 200) -> str:
    """Attacker text for a terminal: control characters removed, Rich markup escaped, bounded."""
    text = "".join(ch if ch.isprintable() else " " for ch in str(value or ""))
    if len(text) > limit:
        text = text[: limit - 1] + "\u2026"
    return escape(text)


@contextmanager
def progress_bar(enabled: bool, log: bool = False) -> Iterator[Any]:
    """A Rich progress display whose callback matches the engine's ``progress(stage, n)``.

    ``log``: instead, one plain line per stage on stderr with the seconds since the start, for
    logs of unattended runs (benchmarks, cron) where a live display is useless.
    """
    if log:
        t0 = time.perf_counter()
        seen: dict[str, int] = {}

        def line(stage: str, n: int) -> None:
            if stage not in seen:
                print(f"[{time.perf_counter() - t0:8.1f}s] {stage}", file=sys.stderr, flush=True)
                seen[stage] = 0
            seen[stage] += n

        yield line
        return
    if not enabled:
        yield None
        return
    prog = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed:,.0f}"),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    )
    tasks: dict[str, Any] = {}

    def cb(stage: str, n: int) -> None:
        if stage not in tasks:
            tasks[stage] = prog.add_task(stage, total=None)
        prog.advance(tasks[stage], n)

    with prog:
        yield cb


def _report_errors(report: Any, what: str, show: int = 20) -> None:
    s = report.summary()
    console.print(
        f"{what}: read {s['read']:,}, accepted {s['accepted']:,}, rejected {s['rejected']:,}"
    )
    for err in report.errors[:show]:
        # line 0 marks a note about the source as a whole (a missing optional file or column)
        kind = "[yellow]note[/]" if err.line == 0 else "[red]rejected[/]"
        console.print(f"  {kind} {safe_text(err, 400)}")
    if report.rejected > show:
        console.print(f"  ... and {report.rejected - show:,} more")


@app.command()
def version() -> None:
    """Print the version."""
    out.print(__version__)


@app.command()
def schema(kind: Annotated[str, typer.Argument(help="profile or event")]) -> None:
    """Print the JSON Schema of the data contract for profiles or events."""
    from spycatcher.schema import json_schema

    if kind not in ("profile", "event"):
        raise typer.BadParameter("kind must be 'profile' or 'event'")
    sys.stdout.write(json.dumps(json_schema(kind), indent=2) + "\n")  # type: ignore[arg-type]


@app.command()
def convert(
    src: Annotated[Path, typer.Argument(help="file or folder in the source format")],
    output: Annotated[Path, typer.Option("-o", "--output", help="profiles JSONL to write")],
    from_: Annotated[str, typer.Option("--from", help="cresci2015, instafake or linkedin-export")],
) -> None:
    """Convert a source format into contract JSON Lines (events go beside, *.events.jsonl).

    Example: spycatcher convert --from cresci2015 datasets/cresci2015 -o c.jsonl
    """
    from spycatcher.io.formats import FORMATS, convert_to_files
    from spycatcher.io.records import LoadReport

    if from_ not in FORMATS:
        raise typer.BadParameter(f"unknown format {from_!r}; one of {', '.join(sorted(FORMATS))}")
    if not src.exists():
        raise typer.BadParameter(f"{src} does not exist")
    from spycatcher.io.limits import UntrustedFileError

    report = LoadReport()
    try:
        summary = convert_to_files(from_, src, output, report)
    except UntrustedFileError as exc:
        console.print(f"[red]refused[/] {safe_text(exc, 500)}")
        raise typer.Exit(2) from exc
    _report_errors(report, f"{from_} records")
    console.print(f"wrote {safe_text(summary, 1000)}")


def _make_scorer(model: Path | None) -> Any:
    if model is None:
        return None
    from spycatcher.scoring.model import load_model

    return load_model(model)


@app.command()
def scan(
    profiles: Annotated[Path, typer.Argument(help="profiles JSONL (gzip ok)")],
    events: Annotated[Path | None, typer.Option("--events", help="events JSONL")] = None,
    json_out: Annotated[Path | None, typer.Option("--json", help="write results here")] = None,
    top: Annotated[int, typer.Option(help="rows to show")] = 20,
    strict: Annotated[bool, typer.Option(help="stop at the first bad record")] = False,
    model: Annotated[Path | None, typer.Option(help="trained model (spycatcher train)")] = None,
    engine: Annotated[str, typer.Option(help="local or spark")] = "local",
    master: Annotated[str | None, typer.Option(help="Spark master URL")] = None,
    db: Annotated[
        str | None, typer.Option(help="database URL (default: env or ./spycatcher.db)")
    ] = None,
    no_store: Annotated[bool, typer.Option("--no-store", help="do not write the store")] = False,
    chunk_size: Annotated[int, typer.Option(help="profiles per chunk")] = 5_000,
    as_of: Annotated[str | None, typer.Option(help="reference date, ISO 8601")] = None,
    progress: Annotated[bool, typer.Option(help="show a progress bar")] = True,
    log_progress: Annotated[
        bool, typer.Option(help="log each stage with elapsed seconds to stderr instead")
    ] = False,
    sensitive_config: Annotated[
        Path | None, typer.Option(help="TOML of sensitive organisations and sectors")
    ] = None,
    workers: Annotated[
        int,
        typer.Option(
            help="local engine processes (0: every core for inputs over 64 MB, else one)", min=0
        ),
    ] = 0,
) -> None:
    """Scan profiles (and events), rank suspects with reasons, store the assessments.

    Example: spycatcher scan profiles.jsonl --events events.jsonl --json results.json
    """
    from spycatcher.schema import parse_datetime

    store = None
    if not no_store:
        from spycatcher.store import Store

        store = Store(db)
    t0 = time.perf_counter()
    with progress_bar(progress and sys.stderr.isatty(), log_progress) as cb:
        if engine == "spark":
            from spycatcher.engine.spark import scan_spark

            result = scan_spark(
                profiles,
                events,
                master=master,
                scorer=_make_scorer(model),
                store=store,
                as_of=parse_datetime(as_of),
            )
        elif engine == "local":
            from spycatcher.engine.local import ScanOptions
            from spycatcher.engine.local import scan as run_scan
            from spycatcher.engine.parallel import default_workers

            opts = ScanOptions(
                workers=workers or default_workers(profiles, events),
                chunk_size=chunk_size,
                as_of=parse_datetime(as_of),
                strict=strict,
                scorer=_make_scorer(model),
                store=store,
                progress=cb,
                stage_options=(
                    {"sensitive_config": str(sensitive_config)} if sensitive_config else {}
                ),
            )
            try:
                result = run_scan(profiles, events, opts)
            except ValueError as exc:  # strict mode
                console.print(f"[red]error[/] {safe_text(exc, 500)}")
                raise typer.Exit(2) from exc
        else:
            raise typer.BadParameter("engine must be 'local' or 'spark'")
    elapsed = time.perf_counter() - t0
    with result:
        _report_errors(result.profiles_report, "profiles")
        if events is not None:
            _report_errors(result.events_report, "events")
        print_ranked(result.top(top))
        if result.campaigns:
            print_campaigns(result.campaigns)
        if json_out is not None:
            result.write_json(json_out)
            console.print(f"results written to {json_out}")
        s = result.summary()
        console.print(
            f"scored {s['scored']:,} profiles in {elapsed:.1f}s "
            f"(high {s['levels']['high']:,}, medium {s['levels']['medium']:,}, "
            f"low {s['levels']['low']:,}; {s['campaigns']} campaigns)"
            + (f"; stored as run {result.run_id} in {store.url}" if store else "")
        )


def print_ranked(rows: list[dict[str, Any]]) -> None:
    table = Table(title="Highest-risk profiles", show_lines=False)
    table.add_column("score", justify="right")
    table.add_column("level")
    table.add_column("profile")
    table.add_column("top reasons")
    colours = {"high": "red", "medium": "yellow", "low": "green"}
    for r in rows:
        reasons = "; ".join(safe_text(s["evidence"], 90) for s in r["signals"][:3])
        who = safe_text(r["id"], 40) + (f" ({safe_text(r['name'], 40)})" if r.get("name") else "")
        table.add_row(f"{r['score']:.3f}", f"[{colours[r['level']]}]{r['level']}[/]", who, reasons)
    out.print(table)


def print_campaigns(campaigns: list[dict[str, Any]], limit: int = 10) -> None:
    table = Table(title=f"Campaigns ({len(campaigns)})")
    table.add_column("campaign")
    table.add_column("members", justify="right")
    table.add_column("targets", justify="right")
    table.add_column("evidence")
    for c in campaigns[:limit]:
        table.add_row(
            safe_text(c["id"], 20),
            str(len(c.get("members", []))),
            str(len(c.get("targets", []))),
            "; ".join(safe_text(e, 80) for e in c.get("evidence", [])[:3]),
        )
    out.print(table)


@app.command()
def check(
    profile: Annotated[Path, typer.Argument(help="one profile as JSON (a .json or one-line file)")],
    message: Annotated[str | None, typer.Option(help="the message or note they sent you")] = None,
    photo: Annotated[Path | None, typer.Option(help="their profile photo")] = None,
    json_out: Annotated[bool, typer.Option("--json", help="print JSON instead")] = False,
    model: Annotated[Path | None, typer.Option(help="trained model (spycatcher train)")] = None,
) -> None:
    """The individual's view: is this profile fake, why, and what to do (the 4 Rs).

    Example: spycatcher check someone.json --message "We pay well for short reports..."
    """
    from spycatcher.checker import check_profile_file, render_check_text

    try:
        verdict = check_profile_file(
            profile, message=message, photo=photo, scorer=_make_scorer(model)
        )
    except ValueError as exc:
        console.print(f"[red]error[/] {safe_text(exc, 500)}")
        raise typer.Exit(2) from exc
    if json_out:
        sys.stdout.write(json.dumps(verdict, indent=2, default=str) + "\n")
    else:
        out.print(render_check_text(verdict, safe_text))


@app.command()
def synth(
    output: Annotated[Path, typer.Option("-o", "--output", help="folder to write")],
    profiles: Annotated[int, typer.Option(help="number of profiles")] = 20_000,
    seed: Annotated[int, typer.Option(help="random seed")] = 1,
    events_per_profile: Annotated[float, typer.Option(help="events per profile")] = 20.0,
) -> None:
    """Write a seeded synthetic network (profiles.jsonl, events.jsonl, truth.json).

    Example: spycatcher synth --profiles 20000 --seed 7 -o net/
    """
    from spycatcher.synth import generate

    with progress_bar(sys.stderr.isatty()) as cb:
        summary = generate(
            output,
            profiles,
            seed,
            events_per_profile=events_per_profile,
            progress=(lambda stage, n, _t: cb(stage, n)) if cb else None,
        )
    console.print(f"wrote {summary}")


@app.command()
def ingest(
    profiles: Annotated[Path | None, typer.Option(help="profiles JSONL")] = None,
    events: Annotated[Path | None, typer.Option(help="events JSONL")] = None,
    db: Annotated[str | None, typer.Option(help="database URL")] = None,
) -> None:
    """Store profiles and events (idempotent: re-ingesting the same records changes nothing).

    Example: spycatcher ingest --profiles p.jsonl --events e.jsonl
    """
    from spycatcher.io.records import LoadReport, read_events, read_profiles
    from spycatcher.store import Store

    store = Store(db)
    if profiles:
        rep = LoadReport()
        n = store.upsert_profiles(read_profiles(profiles, rep))
        _report_errors(rep, "profiles")
        console.print(f"stored {n:,} profiles")
    if events:
        rep = LoadReport()
        n = store.upsert_events(read_events(events, rep))
        _report_errors(rep, "events")
        console.print(f"stored {n:,} events")


db_app = typer.Typer(help="Database administration.", no_args_is_help=True)
app.add_typer(db_app, name="db")


@db_app.command("upgrade")
def db_upgrade(db: Annotated[str | None, typer.Option(help="database URL")] = None) -> None:
    """Create or upgrade the database schema (Alembic migrations).

    Example: SPYCATCHER_DATABASE_URL=postgresql://localhost/spycatcher spycatcher db upgrade
    """
    from spycatcher.store import Store

    store = Store(db)
    console.print(f"schema up to date at {store.url}")


@app.command()
def demo(
    output: Annotated[Path, typer.Option("-o", "--output", help="folder for the demo")] = Path(
        "demo-out"
    ),
    profiles: Annotated[int, typer.Option(help="network size")] = 20_000,
    seed: Annotated[int, typer.Option(help="random seed")] = 7,
) -> None:
    """Synthesise a network, scan it into the SQLite store, and write report.html.

    Example: spycatcher demo -o demo-out
    """
    from spycatcher.demo import run_demo

    with progress_bar(sys.stderr.isatty()) as cb:
        info = run_demo(output, profiles=profiles, seed=seed, progress=cb, log=console.print)
    print_ranked(info["top"])
    console.print(f"\n[bold]Report:[/] {info['report']}")
    console.print(f"Store:  {info['db']}")


# The service: serve, keys, audit, privacy, outbox, review (thin commands in spycatcher.api.cli)
from spycatcher.api.cli import register as _register_service  # noqa: E402

_register_service(app)

from spycatcher.photo.cli import photo_app  # noqa: E402

app.add_typer(photo_app, name="photo")

from spycatcher.intel.cli import intel_app  # noqa: E402

app.add_typer(intel_app, name="intel")

# train and evaluate (thin commands in spycatcher.scoring.cli)
from spycatcher.scoring.cli import register as _register_scoring  # noqa: E402

_register_scoring(app)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
