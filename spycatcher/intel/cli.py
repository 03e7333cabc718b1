"""``spycatcher intel``: import, export and list threat intelligence (a thin Typer layer).

    spycatcher intel import partner.json                 # a STIX 2.1 bundle or a MISP event
    spycatcher intel import --taxii URL --collection ID  # pull a TAXII 2.1 collection
    spycatcher intel export --format stix -o out.json    # confirmed fakes and campaigns
    spycatcher intel list                                # what is loaded

Everything a partner wrote (names, reasons for rejection) goes through ``safe_text`` before it
reaches the terminal. Importing the STIX/TAXII/MISP libraries is deferred to the command that
needs them, so ``spycatcher --help`` works without the ``intel`` extra.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

intel_app = typer.Typer(
    help="Threat intelligence: STIX 2.1 / TAXII 2.1 / MISP in and out.", no_args_is_help=True
)
console = Console(stderr=True)
out = Console()

DbOption = Annotated[str | None, typer.Option("--db", help="database URL")]


def _safe(value: object, limit: int = 200) -> str:
    from spycatcher.cli import safe_text

    return safe_text(value, limit)


def _need_extra() -> None:
    try:
        import stix2  # noqa: F401
    except ModuleNotFoundError as exc:
        console.print(
            "[red]error[/] the 'intel' extra is not installed: pip install 'spycatcher[intel]'"
        )
        raise typer.Exit(2) from exc


def _print_report(report: Any, show: int = 20) -> None:
    s = report.summary()
    console.print(
        f"{_safe(s['source'])}: read {s['read']:,}, accepted {s['accepted']:,} "
        f"({s['new']:,} new, {s['unchanged']:,} already known), rejected {s['rejected']:,}"
    )
    if s["types"]:
        console.print("  " + ", ".join(f"{k} {v}" for k, v in s["types"].items()))
    if s["not_applicable"]:
        console.print(f"  {s['not_applicable']} indicators say nothing about profiles (kept)")
    for r in report.rejected[:show]:
        console.print(f"  [red]rejected[/] {_safe(r.id, 120)}: {_safe(r.reason, 300)}")
    if len(report.rejected) > show:
        console.print(f"  ... and {len(report.rejected) - show:,} more")
    for n in report.notes[:5]:
        console.print(f"  note: {_safe(n, 300)}")


def _looks_like_misp(doc: Any) -> bool:
    if isinstance(doc, dict):
        return "Event" in doc or "response" in doc or ("info" in doc and "type" not in doc)
    return isinstance(doc, list) and bool(doc) and isinstance(doc[0], dict) and "Event" in doc[0]


@intel_app.command("import")
def import_cmd(
    file: Annotated[Path | None, typer.Argument(help="STIX 2.1 bundle or MISP event JSON")] = None,
    taxii: Annotated[str | None, typer.Option(help="TAXII 2.1 discovery or API root URL")] = None,
    collection: Annotated[str | None, typer.Option(help="TAXII collection id")] = None,
    user: Annotated[str | None, typer.Option(help="TAXII user name")] = None,
    password: Annotated[
        str | None,
        typer.Option(envvar="SPYCATCHER_TAXII_PASSWORD", help="TAXII password (or the env var)"),
    ] = None,
    added_after: Annotated[str | None, typer.Option(help="only objects added after this")] = None,
    full: Annotated[bool, typer.Option(help="ignore the last pull; fetch everything")] = False,
    fmt: Annotated[str, typer.Option("--format", help="auto, stix or misp")] = "auto",
    db: DbOption = None,
) -> None:
    """Import intelligence: a file (STIX 2.1 bundle or MISP event) or a TAXII 2.1 collection.

    Invalid objects are reported with their id and reason; the rest still loads. Importing the
    same thing twice changes nothing.

    Example: spycatcher intel import --taxii https://taxii.example/taxii2/ --collection 91a7...
    """
    _need_extra()
    from spycatcher.io.limits import UntrustedFileError
    from spycatcher.store import Store

    if (file is None) == (taxii is None):
        raise typer.BadParameter("give either FILE or --taxii URL --collection ID")
    store = Store(db)
    if taxii is not None:
        from spycatcher.intel.taxii_client import TaxiiError, pull

        if not collection:
            raise typer.BadParameter("--taxii needs --collection ID")
        try:
            res = pull(
                store,
                taxii,
                collection,
                user=user,
                password=password,
                added_after=added_after,
                incremental=not full,
            )
        except TaxiiError as exc:
            console.print(f"[red]error[/] {_safe(exc, 500)}")
            raise typer.Exit(2) from exc
        _print_report(res.report)
        console.print(
            f"  {res.pages} page(s); next pull asks for objects added after "
            f"{_safe(res.last_added or res.added_after or 'the start')}"
        )
        report = res.report
    else:
        assert file is not None
        from spycatcher.intel.misp import import_misp, read_misp_file
        from spycatcher.intel.stix_import import StixImporter, objects_of

        try:
            data = read_misp_file(file)  # the same size limit as a bundle
            doc = json.loads(data)
            if fmt == "misp" or (fmt == "auto" and _looks_like_misp(doc)):
                report = import_misp(store, doc, f"misp:{file.name}")
            elif fmt in ("stix", "auto"):
                report = StixImporter(store).import_objects(
                    objects_of(doc, str(file)), f"file:{file.name}"
                )
            else:
                raise typer.BadParameter("--format must be auto, stix or misp")
        except (UntrustedFileError, ValueError) as exc:
            console.print(f"[red]error[/] {_safe(exc, 500)}")
            raise typer.Exit(2) from exc
        _print_report(report)
    if report.rejected and not report.accepted:
        raise typer.Exit(1)


@intel_app.command("export")
def export_cmd(
    output: Annotated[Path, typer.Option("-o", "--output", help="file to write")],
    fmt: Annotated[str, typer.Option("--format", help="stix or misp")] = "stix",
    db: DbOption = None,
    run: Annotated[str | None, typer.Option(help="scan run id (default: the latest)")] = None,
    min_level: Annotated[str, typer.Option(help="export scored at or above: high|medium")] = "high",
    confirmed_only: Annotated[bool, typer.Option(help="only reviewers' 'fake' decisions")] = False,
    tlp: Annotated[str, typer.Option(help="marking when the source set none")] = "amber",
    tlp_version: Annotated[int, typer.Option(help="write that marking as TLP 1 or 2")] = 2,
    max_tlp: Annotated[str | None, typer.Option(help="withhold anything above this")] = None,
    producer: Annotated[str, typer.Option(help="your organisation's name")] = "spycatcher",
    publish: Annotated[bool, typer.Option(help="also serve it in the TAXII collection")] = True,
) -> None:
    """Export confirmed fakes and campaigns as a STIX 2.1 bundle or a MISP event.

    TLP:RED material never leaves, and markings of the intelligence an account was found with
    travel with it. Re-exporting updates objects (same ids) instead of duplicating them.

    Example: spycatcher intel export --format stix -o fakes.json --tlp green
    """
    _need_extra()
    from spycatcher.intel.stix_export import ExportOptions, write_bundle
    from spycatcher.store import Store

    if fmt not in ("stix", "misp"):
        raise typer.BadParameter("--format must be stix or misp")
    store = Store(db)
    opts = ExportOptions(producer=producer, tlp=tlp, tlp_version=tlp_version, max_tlp=max_tlp)
    try:
        if fmt == "stix":
            from spycatcher.intel.outbox import export_from_store

            res = export_from_store(
                store,
                opts,
                run_id=run,
                min_level=min_level,
                confirmed_only=confirmed_only,
                publish=publish,
            )
            write_bundle(res.bundle, output)
            s = res.summary()
            console.print(
                f"wrote {s['objects']} STIX objects to {output} ({s['new']} new, "
                f"{s['changed']} updated, {s['unchanged']} unchanged)"
            )
            withheld = res.withheld
        else:
            from spycatcher.intel.findings import collect
            from spycatcher.intel.misp import build_event, export_misp_json
            from spycatcher.intel.outbox import store_markings

            findings, campaigns = collect(
                store, run_id=run, min_level=min_level, confirmed_only=confirmed_only
            )
            event, withheld = build_event(findings, campaigns, opts, markings=store_markings(store))
            output.write_text(export_misp_json(event) + "\n", encoding="utf-8")
            console.print(f"wrote a MISP event with {len(event.objects)} accounts to {output}")
    except (KeyError, ValueError) as exc:
        console.print(f"[red]error[/] {_safe(exc, 500)}")
        raise typer.Exit(2) from exc
    for what, why in withheld[:20]:
        console.print(f"  withheld {_safe(what, 120)}: {_safe(why, 200)}")
    if len(withheld) > 20:
        console.print(f"  ... and {len(withheld) - 20} more withheld")


@intel_app.command("list")
def list_cmd(
    db: DbOption = None,
    limit: Annotated[int, typer.Option(help="indicators to show")] = 50,
    json_out: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
) -> None:
    """List the intelligence loaded: counts, indicators (with source, actor, marking), feeds.

    Example: spycatcher intel list --limit 20
    """
    from spycatcher.intel.catalogue import Catalogue
    from spycatcher.store import Store
    from spycatcher.store.intel import IntelFeedRow, IntelRepository

    store = Store(db)
    repo = IntelRepository(store)
    counts = repo.count_by_type()
    indicators = Catalogue.from_store(store).indicators()
    with store.session() as s:
        from sqlalchemy import select

        feeds = list(s.scalars(select(IntelFeedRow)))
    data: dict[str, Any] = {
        "objects": counts,
        "versions": repo.count_versions(),
        "matchable_indicators": len(indicators),
        "exported": repo.count_exports(),
        "indicators": [
            {
                "id": i.id,
                "name": i.name,
                "source": i.producer or i.source,
                "actor": i.actor_label,
                "marking": i.marking.label,
            }
            for i in indicators[:limit]
        ],
        "feeds": [
            {
                "url": f.url,
                "collection": f.collection,
                "last_added": f.last_added,
                "objects": f.objects,
            }
            for f in feeds
        ],
    }
    if json_out:
        sys.stdout.write(json.dumps(data, indent=2, default=str) + "\n")
        return
    out.print(
        f"{sum(counts.values()):,} objects ({data['versions']:,} versions), "
        f"{len(indicators):,} indicators matchable against profiles, "
        f"{data['exported']:,} objects in the served collection"
    )
    if counts:
        out.print("  " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
    if indicators:
        table = Table(title=f"Indicators (first {min(limit, len(indicators))})")
        for col in ("indicator", "name", "source", "actor", "marking"):
            table.add_column(col)
        for row in data["indicators"]:
            table.add_row(
                *(_safe(row[k], 60) for k in ("id", "name", "source", "actor", "marking"))
            )
        out.print(table)
    for f in data["feeds"]:
        out.print(
            f"feed {_safe(f['url'])} #{_safe(f['collection'])}: last added "
            f"{_safe(f['last_added'])}, {f['objects']} objects"
        )
