"""The `jobswap` command line."""

from __future__ import annotations

import asyncio
import getpass
import uuid
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from jobswap.config import get_settings
from jobswap.errors import StartupError
from jobswap.jobs.sources import SOURCES as SOURCE_NAMES
from jobswap.observability import configure_logging

app = typer.Typer(
    help="JobSwap: job swaps that shorten everyone's commute. "
    "With no DATABASE_URL every command uses the embedded PostgreSQL under JOBSWAP_DATA_DIR (default ./var).",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
db_app = typer.Typer(help="Database schema: migrations.", no_args_is_help=True)
app.add_typer(db_app, name="db")
jobs_app = typer.Typer(help="Job postings: bulk import.", no_args_is_help=True)
app.add_typer(jobs_app, name="jobs")
embeddings_app = typer.Typer(
    help="Stored vectors: which model made them, re-embedding.", no_args_is_help=True
)
app.add_typer(embeddings_app, name="embeddings")
console = Console(stderr=True)


def _fail(message: str) -> typer.Exit:
    console.print(f"[bold red]error:[/] {message}")
    return typer.Exit(code=1)


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option(help="Web server processes.")] = 1,
    with_worker: Annotated[
        bool, typer.Option("--with-worker/--no-worker", help="Run a queue worker inside each web process.")
    ] = True,
    demo: Annotated[
        bool,
        typer.Option("--demo", help="Load the demo city into an empty database first (once), then serve."),
    ] = False,
) -> None:
    """Run the web app and the HTTP API (OpenAPI docs at /docs), migrating the database first."""
    import os

    import uvicorn

    if demo:
        os.environ["JOBSWAP_DEMO"] = "true"
        get_settings.cache_clear()
    settings = get_settings()
    configure_logging(settings.log_level, settings.log_json)
    if not with_worker:
        os.environ["JOBSWAP_RUN_WORKER"] = "false"
    console.print(f"JobSwap on http://{host}:{port}  (API docs: http://{host}:{port}/docs)")
    if settings.demo:
        console.print("loading the demo city on first start (well under a minute); sign-ins follow")
    uvicorn.run(
        "jobswap.main:app_factory",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_config=None,
        proxy_headers=True,
    )


@app.command()
def worker(
    concurrency: Annotated[int, typer.Option(help="Jobs run at once by this worker.")] = 4,
    queue: Annotated[list[str] | None, typer.Option(help="Only these queues (repeatable).")] = None,
) -> None:
    """Run a standalone queue worker (on this or another machine) until stopped."""
    from procrastinate.app import WorkerOptions

    from jobswap.http_security import init_sentry
    from jobswap.runtime import Runtime

    settings = get_settings()
    configure_logging(settings.log_level, settings.log_json)
    init_sentry(settings)

    async def run() -> None:
        async with Runtime.open(settings) as runtime:
            options: WorkerOptions = {
                "concurrency": concurrency,
                "install_signal_handlers": True,
                "name": "standalone",
            }
            if queue:
                options["queues"] = queue
            await runtime.queue.run_worker_async(**options)

    try:
        asyncio.run(run())
    except StartupError as exc:
        raise _fail(str(exc)) from None


@app.command()
def unlock(
    email: Annotated[str | None, typer.Option(help="The account whose failed sign-ins to forget.")] = None,
    ip: Annotated[str | None, typer.Option(help="The client address whose failures to forget.")] = None,
) -> None:
    """Lift a sign-in lock now (both options: only that account from that address)."""
    import ipaddress

    from jobswap.auth.security import Passwords
    from jobswap.auth.service import AuthService
    from jobswap.notifications.service import Notifier
    from jobswap.runtime import Runtime

    if email is None and ip is None:
        raise _fail("give --email, --ip, or both")
    if ip is not None:
        try:
            ip = str(ipaddress.ip_address(ip))
        except ValueError:
            raise _fail(f"not an IP address: {ip}") from None
    settings = get_settings()

    async def run() -> int:
        async with Runtime.open(settings) as runtime:
            service = AuthService(
                settings, runtime.database, Passwords(settings), Notifier(settings, runtime.queue)
            )
            return await service.clear_locks(email, ip)

    try:
        cleared = asyncio.run(run())
    except StartupError as exc:
        raise _fail(str(exc)) from None
    console.print(f"cleared {cleared} failed sign-in(s)")


@db_app.command("upgrade")
def db_upgrade(revision: Annotated[str, typer.Argument(help="Target revision.")] = "head") -> None:
    """Apply migrations up to REVISION (default: the latest)."""
    from jobswap import migrate
    from jobswap.runtime import database_urls

    settings = get_settings()

    async def run() -> None:
        async with database_urls(settings) as urls:
            await asyncio.to_thread(
                migrate.upgrade,
                urls.admin,
                app_role=settings.database_app_role,
                app_password=urls.app_password,
                revision=revision,
            )

    try:
        asyncio.run(run())
    except StartupError as exc:
        raise _fail(str(exc)) from None
    console.print(f"database at revision {revision}")


@db_app.command("backup")
def db_backup(
    path: Annotated[Path, typer.Argument(help="Archive to write (e.g. backups/jobswap-2026-12-01.tar).")],
) -> None:
    """Back up the database and every stored file into one archive (safe while serving)."""
    from jobswap.backup import backup

    try:
        manifest = asyncio.run(backup(get_settings(), path))
    except StartupError as exc:
        raise _fail(str(exc)) from None
    rows = ", ".join(f"{n} {t}" for t, n in manifest.data["rows"].items())
    console.print(f"backed up to {path}: {rows}; {len(manifest.files)} file(s)")


@db_app.command("restore")
def db_restore(
    path: Annotated[Path, typer.Argument(help="An archive written by `jobswap db backup`.")],
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation.")] = False,
) -> None:
    """Replace ALL data (database and stored files) with the archive's; stop the service first."""
    from jobswap.backup import restore

    if not yes and not typer.confirm(f"Replace every JobSwap row and file with the contents of {path}?"):
        raise typer.Exit(code=1)
    try:
        manifest = asyncio.run(restore(get_settings(), path))
    except StartupError as exc:
        raise _fail(str(exc)) from None
    console.print(
        f"restored {path} (made {manifest.data['created_at']}, revision {manifest.data['revision']})"
    )


@db_app.command("downgrade")
def db_downgrade(revision: Annotated[str, typer.Argument(help="Target revision, or 'base'.")]) -> None:
    """Revert migrations down to REVISION ('base' removes every JobSwap table and its data)."""
    from jobswap import migrate
    from jobswap.runtime import database_urls

    settings = get_settings()

    async def run() -> None:
        async with database_urls(settings) as urls:
            await asyncio.to_thread(
                migrate.downgrade, urls.admin, app_role=settings.database_app_role, revision=revision
            )

    asyncio.run(run())
    console.print(f"database at revision {revision}")


@app.command()
def scrape(
    sources: Annotated[list[str], typer.Argument(help="One or more of: " + ", ".join(SOURCE_NAMES))],
    query: Annotated[
        str, typer.Option("--query", "-q", help="Words to search for (empty: everything).")
    ] = "",
    location: Annotated[str | None, typer.Option("--location", "-l", help="Where.")] = None,
    max_pages: Annotated[int, typer.Option(min=1, max=100, help="Listing pages per source.")] = 5,
    option: Annotated[
        list[str] | None,
        typer.Option(
            "--option", "-o", help="Source option as key=value: board=, company=, url=, rules=<JSON>."
        ),
    ] = None,
) -> None:
    """Scrape now, in this process, with a progress bar; the run is recorded like any other.

    Exit status: 0 when every source succeeded, 2 when some failed (partial), 1 when the run failed.
    """
    import json

    from rich.progress import Progress as Bar

    from jobswap.db import Identity
    from jobswap.errors import BadRequest
    from jobswap.jobs import service
    from jobswap.runtime import Runtime

    options: dict[str, object] = {}
    for item in option or []:
        key, sep, value = item.partition("=")
        if not sep:
            raise _fail(f"--option needs key=value, got {item!r}")
        try:
            options[key] = json.loads(value) if key == "rules" else value
        except ValueError as exc:
            raise _fail(f"--option rules= must be JSON: {exc}") from exc
    settings = get_settings()
    request = service.RunRequest(sources, query, location, max_pages, options)

    async def run() -> str:
        async with Runtime.open(settings) as runtime:
            async with runtime.database.transaction(Identity.service()) as session:
                created = await service.create_run(session, request)
            with Bar() as bar:
                bars = {s: bar.add_task(s, total=max_pages) for s in sources}

                def show(source: str, stats: dict[str, object]) -> None:
                    label = f"{source}: {stats['found']} postings"
                    bar.update(bars[source], completed=float(str(stats["pages"])), description=label)

                status = await service.execute(runtime.database, settings, created.id, progress=show)
                for task in bars.values():
                    bar.update(task, completed=max_pages)
            async with runtime.database.transaction(Identity.service()) as session:
                done = await service.get_run(session, created.id)
            out = Console()
            out.print(
                f"[bold]{status}[/bold]: {done.postings_found} postings, {done.postings_new} new, "
                f"{done.postings_updated} updated, {done.postings_merged} merged, "
                f"{done.postings_rejected} rejected"
            )
            for source, state in (done.per_source or {}).items():
                details = f"{state.get('errors') or ''} {state.get('message') or ''}".strip()
                out.print(f"  {source}: {state.get('status')} {details}")
            return str(status)

    try:
        status = asyncio.run(run())
    except BadRequest as exc:
        raise _fail(str(exc)) from exc
    # Scripts and cron can tell: 0 all sources succeeded, 2 some failed, 1 the run failed.
    if status != "succeeded":
        raise typer.Exit(code=2 if status == "partial" else 1)


@jobs_app.command("import")
def jobs_import(
    path: Annotated[
        Path, typer.Argument(exists=True, dir_okay=False, readable=True, help="A .jsonl or .csv file.")
    ],
    mapping: Annotated[
        list[str] | None,
        typer.Option("--map", "-m", help="ours=theirs: read our column OURS from the file's column THEIRS."),
    ] = None,
    file_format: Annotated[
        str | None, typer.Option("--format", help="jsonl or csv (default: from the file name).")
    ] = None,
    embed: Annotated[
        bool, typer.Option(help="Embed the jobs now; --no-embed leaves them to a worker's sweep.")
    ] = True,
) -> None:
    """Import postings from a file through the scraping pipeline (normalise, de-duplicate,
    embed), recorded as a run. Bad rows are counted and listed by line; they never stop the file.

    Exit status: 0 when every row was imported, 2 when some rows were bad, 1 when none could be read.
    """
    from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeElapsedColumn
    from rich.progress import Progress as Bar

    from jobswap.db import Identity
    from jobswap.errors import BadRequest
    from jobswap.jobs import importing, service
    from jobswap.runtime import Runtime

    if file_format not in (None, "jsonl", "csv"):
        raise _fail("--format is jsonl or csv")
    try:
        columns = importing.parse_mapping(mapping or [])
    except BadRequest as exc:
        raise _fail(str(exc)) from exc
    settings = get_settings()
    size = path.stat().st_size

    async def run() -> str:
        async with Runtime.open(settings) as runtime:
            columns_shown = (
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
            )
            with Bar(*columns_shown, console=console) as bar, path.open("rb") as stream:
                reading = bar.add_task("reading", total=size)
                embedding = bar.add_task("embedding", total=0, visible=embed)
                pending: list[object] = []

                def show(stats: dict[str, object]) -> None:
                    label = f"{stats['rows']} rows, {stats['new']} new, {stats['bad']} bad"
                    bar.update(reading, completed=stream.tell(), description=label)

                async def stored(ids: list[object]) -> None:
                    if embed:
                        pending.extend(ids)
                        bar.update(embedding, total=len(pending) + bar.tasks[embedding].completed)

                done = await importing.run_import(
                    runtime.database,
                    Identity.service(),
                    stream,
                    path.name,
                    mapping=columns,
                    fmt=file_format,
                    progress=show,
                    on_stored=stored,
                )
                bar.update(reading, completed=size)
                while pending:
                    chunk = [uuid.UUID(str(i)) for i in pending[:256]]
                    del pending[:256]
                    await service.embed_jobs(runtime.database, settings, chunk)
                    bar.advance(embedding, len(chunk))
            out = Console()
            state = (done.per_source or {}).get(importing.SOURCE, {})
            out.print(
                f"[bold]{done.status}[/bold]: {state.get('rows', 0)} rows, {done.postings_new} new, "
                f"{done.postings_updated} updated, {done.postings_merged} merged, "
                f"{done.postings_rejected} rejected, {state.get('bad', 0)} unreadable (run {done.id})"
            )
            for problem in state.get("bad_rows", [])[:20]:
                out.print(f"  line {problem['line']}: {problem['error']}")
            return str(done.status)

    status = asyncio.run(run())
    if status != "succeeded":
        raise typer.Exit(code=2 if status == "partial" else 1)


@embeddings_app.command("status")
def embeddings_status() -> None:
    """How many stored vectors the active model made, per table, and any batch in flight."""
    from jobswap.embeddings import reembed
    from jobswap.runtime import Runtime

    settings = get_settings()

    async def main() -> reembed.Progress:
        async with Runtime.open(settings) as runtime:
            return await reembed.progress(runtime.database, settings)

    try:
        found = asyncio.run(main())
    except StartupError as exc:
        raise _fail(str(exc)) from None
    out = Console()
    out.print(f"active model: {found.model}")
    for table, counts in found.tables.items():
        out.print(f"  {table}: {counts['current']} of {counts['total']} current, {counts['pending']} waiting")
    if found.batch:
        out.print(f"  batch {found.batch['provider_batch_id']}: {found.batch['provider_status']}")


@embeddings_app.command("reembed")
def embeddings_reembed(
    wait: Annotated[
        bool, typer.Option(help="Keep going (polling a batch) until every vector is the active model's.")
    ] = True,
    poll_seconds: Annotated[float, typer.Option(min=0.1, help="Between polls of a provider's batch.")] = 30.0,
) -> None:
    """Re-embed stored vectors that another model made (after a change of provider). Resumable:
    a run that is stopped loses nothing, and a batch already submitted is picked up again."""
    from rich.progress import Progress

    from jobswap.embeddings import reembed
    from jobswap.runtime import Runtime

    settings = get_settings()

    async def main() -> int:
        async with Runtime.open(settings) as runtime:
            found = await reembed.progress(runtime.database, settings)
            total = sum(t["total"] for t in found.tables.values())
            with Progress(console=console, transient=True) as bar:
                task = bar.add_task(f"re-embedding with {found.model}", total=total or 1)
                while True:
                    found = await reembed.progress(runtime.database, settings)
                    bar.update(task, completed=total - found.pending)
                    if found.pending == 0 or not wait:
                        return found.pending
                    step = await reembed.run(runtime.database, settings, budget_seconds=30.0)
                    if step["outcome"] in ("waiting", "submitted", "provider_failed") or not step["embedded"]:
                        await asyncio.sleep(poll_seconds)

    try:
        left = asyncio.run(main())
    except StartupError as exc:
        raise _fail(str(exc)) from None
    Console().print("every vector is current" if left == 0 else f"{left} vector(s) still waiting")


@app.command("create-admin")
def create_admin(
    email: Annotated[str, typer.Option(help="The admin's e-mail address.", prompt=True)],
    name: Annotated[str | None, typer.Option(help="Display name.")] = None,
    password: Annotated[
        str | None,
        typer.Option(
            help="Password (asked for when omitted; or set JOBSWAP_ADMIN_PASSWORD).",
            envvar="JOBSWAP_ADMIN_PASSWORD",
        ),
    ] = None,
) -> None:
    """Create an admin account, or promote an existing account to admin."""
    from pydantic import ValidationError

    from jobswap.admin import ensure_admin
    from jobswap.users.schemas import UserCreate

    if password is None:
        password = getpass.getpass("Password: ")
        if password != getpass.getpass("Repeat password: "):
            raise _fail("the passwords differ")
    try:
        data = UserCreate.model_validate(
            {"email": email, "password": password, "name": name, "role": "admin"}
        )
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        raise _fail(problems) from None
    try:
        created = asyncio.run(ensure_admin(get_settings(), data))
    except StartupError as exc:
        raise _fail(str(exc)) from None
    console.print(f"admin {data.email} {'created' if created else 'promoted (password unchanged)'}")


if __name__ == "__main__":
    app()
